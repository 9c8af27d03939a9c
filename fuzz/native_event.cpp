// The native adapter's parse (adapters/native, docs/native-format.md) on a webhook body, then
// what ingest does with the snapshot: plan the ad injection and evaluate a shipped policy.
#include <cstddef>
#include <cstdint>

#include "adapters/native/native_adapter.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mangfold;
  static const std::unique_ptr<domain::Adapter> adapter = native::make_native_adapter();
  const domain::InboundRequest request{
      fuzz::as_text(data, size),
      [](std::string_view) -> std::optional<std::string_view> { return std::nullopt; }};
  Result<domain::InboundEvent> event = adapter->parse(request);
  if (!event.ok()) {
    fuzz::require_client_error(event.status(), "native parse");
    return 0;
  }
  if (event->snapshot)
    fuzz::evaluate_like_the_server(fuzz::shipped_policy("policies/imdi.yaml"), *event->snapshot);
  return 0;
}
