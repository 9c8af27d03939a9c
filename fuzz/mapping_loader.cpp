// The generic adapter's mapping loader (adapters/generic/mapping_loader): a mapping file in YAML
// or JSON, read from memory, with a value for each {config:NAME} it names. A mapping that loads
// then parses the tests' Rekrutt payload, so that what the loader accepted is also exercised by the
// evaluator.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "adapters/generic/generic_adapter.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mangfold;
  static const bool environment = [] {
    setenv("FUZZ_SECRET", "fuzz-secret", 1);
    return true;
  }();
  (void)environment;
  const std::string path = "mappings/tenant.yaml";
  const std::string text(fuzz::as_text(data, size));
  generic::AdapterDeps deps;
  // The mapping file from the input; `file:` secrets and anything else: a fixed text.
  deps.read_file = [&](const std::string& p) -> Result<std::string> {
    if (p == path) return text;
    return std::string("fuzz-secret");
  };
  deps.now_unix = [] { return std::int64_t{1'800'000'000}; };
  // A value for every {config:NAME} the input names, as a tenant's adapter_options.config
  // would give it, so that mappings with an account id in api.base_url load too.
  for (std::size_t at = text.find("{config:"); at != std::string::npos;
       at = text.find("{config:", at + 1)) {
    const std::size_t close = text.find('}', at);
    if (close == std::string::npos) break;
    std::string name = text.substr(at + 8, close - at - 8);
    bool known = false;
    for (const generic::ConfigValue& v : deps.config_values)
      known = known || v.name == name;
    if (!known)
      deps.config_values.push_back({std::move(name), "fuzz-account", {path, 1, 1}, "config"});
  }
  std::vector<config::Diagnostic> diagnostics;
  std::unique_ptr<domain::Adapter> adapter =
      generic::load_generic_adapter(path, std::move(deps), diagnostics);
  for (const config::Diagnostic& d : diagnostics)
    (void)d.to_string();
  if (!adapter) return 0;
  static const std::vector<std::pair<std::string, std::string>> headers = {
      {"X-Rekrutt-Event", "vacancy.state"}, {"Content-Type", "application/json"}};
  const domain::InboundRequest request{
      fuzz::embedded("tests/fixtures/generic/rekrutt_payload.json"),
      [](std::string_view name) { return fuzz::lookup_header(headers, name); }};
  Result<domain::InboundEvent> event = adapter->parse(request);
  if (!event.ok()) {
    fuzz::require_client_error(event.status(), "generic parse");
  } else if (event->snapshot) {
    fuzz::evaluate_like_the_server(fuzz::shipped_policy("policies/imdi.yaml"), *event->snapshot);
  }
  return 0;
}
