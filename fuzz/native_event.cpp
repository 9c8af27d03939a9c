// The native adapter's parse (adapters/native, docs/native-format.md) on a webhook body, then
// what ingest does with the snapshot: plan the ad injection and evaluate a shipped policy.
// Also differential: the fast path (simdjson) must answer only where the reference path
// (bounded nlohmann tree) accepts, and with the same event, under default limits, tight
// limits and a declared list of target groups.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "adapters/native/native_adapter.hpp"
#include "adapters/native/snapshot_json_internal.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

void require_same(std::string_view body, const mangfold::native::ParseOptions& options) {
  using namespace mangfold;
  using namespace mangfold::native;
  std::optional<Event> fast = internal::parse_event_fast(body, options);
  if (!fast) return;
  Result<Event> reference = internal::parse_event_reference(body, options);
  if (!reference.ok() || !internal::same_event(*fast, *reference)) {
    std::fprintf(stderr, "native parse: the fast path answered %s the reference path\n",
                 reference.ok() ? "differently from" : "where it refuses:");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mangfold;
  static const std::unique_ptr<domain::Adapter> adapter = native::make_native_adapter();
  const std::string_view body = fuzz::as_text(data, size);
  static const native::ParseOptions kDefault{};
  static const native::ParseOptions kTight = [] {
    native::ParseOptions o;
    o.limits.json_max_depth = 3;
    o.limits.json_max_values = 40;
    return o;
  }();
  static const native::ParseOptions kGroups = [] {
    native::ParseOptions o;
    o.target_groups = {"immigrant_background", "disability"};
    return o;
  }();
  require_same(body, kDefault);
  require_same(body, kTight);
  require_same(body, kGroups);
  const domain::InboundRequest request{
      body, [](std::string_view) -> std::optional<std::string_view> { return std::nullopt; }};
  Result<domain::InboundEvent> event = adapter->parse(request);
  if (!event.ok()) {
    fuzz::require_client_error(event.status(), "native parse");
    return 0;
  }
  if (event->snapshot)
    fuzz::evaluate_like_the_server(fuzz::shipped_policy("policies/imdi.yaml"), *event->snapshot);
  return 0;
}
