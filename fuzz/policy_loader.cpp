// The policy loader (connector/config/policy_loader): a policy file in YAML or JSON, as a
// customer writes it, with `extends:` reaching the shipped bases (policies/base/). Files come from
// memory (the loader's ReadFile), never the disk. A policy that loads is then evaluated on the
// shipped example snapshot, as the server would.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "adapters/native/snapshot_json.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mangfold;
  static const domain::Snapshot snapshot = [] {
    Result<native::Event> event =
        native::parse_event(fuzz::embedded("examples/snapshots/imdi-compliant.json"));
    if (!event.ok()) std::abort();
    return event->snapshot;
  }();
  const std::string path = "policies/tenant.yaml";
  config::PolicyLoad load = config::load_policy(
      path, fuzz::embedded_reader({{path, std::string(fuzz::as_text(data, size))}}));
  for (const config::Diagnostic& d : load.diagnostics)
    (void)d.to_string();
  if (load.policy) fuzz::evaluate_like_the_server(*load.policy, snapshot);
  return 0;
}
