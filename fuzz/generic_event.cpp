// The generic adapter (adapters/generic) with every shipped mapping: examples/generic/*/ and the
// tests' Rekrutt mapping. Input: one byte picking the mapping, then "Name: value" header lines,
// an empty line ("\n\n") and the body; without an empty line everything after the first byte is
// the body.
//
// Teamtailor signs {raw:/payload} inside the body, which random bytes never match. So it runs
// three ways: as shipped (the signature path), with its `signature:` block removed (the mapping
// itself), and as shipped with the body built around the input: {"payload":<input>,
// "signature":"<its correct signature>"} (the signed-part rules).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "adapters/generic/generic_adapter.hpp"
#include "connector/webhook/codec.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using namespace mangfold;

constexpr char kTeamtailorKey[] = "fuzz-teamtailor-key";

enum Mapping { kAshby, kGreenhouse, kTeamtailor, kTeamtailorUnsigned, kRekrutt, kTeamtailorSigned };
constexpr int kModes = 6;

std::string without_signature_block(std::string_view yaml) {
  const std::size_t begin = yaml.find("\nsignature:\n");
  if (begin == std::string_view::npos) std::abort();
  const std::size_t end = yaml.find("\n\n", begin + 1);
  if (end == std::string_view::npos) std::abort();
  return std::string(yaml.substr(0, begin)) + std::string(yaml.substr(end));
}

std::unique_ptr<domain::Adapter> load(const std::string& path, const std::string& text) {
  generic::AdapterDeps deps;
  deps.read_file = fuzz::embedded_reader({{path, text}});
  deps.now_unix = [] { return std::int64_t{1'800'000'000}; };
  std::vector<config::Diagnostic> diagnostics;
  auto adapter = generic::load_generic_adapter(path, std::move(deps), diagnostics);
  if (!adapter) {
    for (const auto& d : diagnostics)
      std::fprintf(stderr, "%s\n", d.to_string().c_str());
    std::abort();
  }
  return adapter;
}

const std::vector<std::unique_ptr<domain::Adapter>>& adapters() {
  static const std::vector<std::unique_ptr<domain::Adapter>> all = [] {
    // The secrets the mappings name, as the environment would give them.
    setenv("TEAMTAILOR_WEBHOOK_KEY", kTeamtailorKey, 1);
    for (const char* name : {"ASHBY_API_KEY", "GREENHOUSE_HARVEST_KEY", "TEAMTAILOR_API_KEY"})
      setenv(name, "fuzz-api-key", 1);
    const std::string teamtailor(fuzz::embedded("examples/generic/teamtailor/mapping.yaml"));
    std::vector<std::unique_ptr<domain::Adapter>> out;
    for (const char* path :
         {"examples/generic/ashby/mapping.yaml", "examples/generic/greenhouse/mapping.yaml"})
      out.push_back(load(path, std::string(fuzz::embedded(path))));
    out.push_back(load("examples/generic/teamtailor/mapping.yaml", teamtailor));
    out.push_back(
        load("examples/generic/teamtailor/unsigned.yaml", without_signature_block(teamtailor)));
    const char* rekrutt = "tests/fixtures/generic/rekrutt_mapping.yaml";
    out.push_back(load(rekrutt, std::string(fuzz::embedded(rekrutt))));
    return out;
  }();
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int mode = data[0] % kModes;
  std::string_view input = fuzz::as_text(data + 1, size - 1);
  std::string_view header_text;
  if (input.find("\n\n") != std::string_view::npos)
    std::tie(header_text, input) = fuzz::split_once(input, "\n\n");
  const auto headers = fuzz::parse_header_lines(header_text);

  std::string body(input);
  const domain::Adapter* adapter =
      adapters().at(mode == kTeamtailorSigned ? kTeamtailor : mode).get();
  if (mode == kTeamtailorSigned) {
    Result<std::string> mac = webhook::hmac(webhook::HmacAlgorithm::kSha256, kTeamtailorKey, input);
    if (!mac.ok()) std::abort();
    body = "{\"payload\":" + std::string(input) + ",\"signature\":\"" +
           webhook::base64_encode(webhook::hex_encode(*mac)) + "\"}";
  }
  const domain::InboundRequest request{
      body, [&headers](std::string_view name) { return fuzz::lookup_header(headers, name); }};
  Result<domain::InboundEvent> event = adapter->parse(request);
  if (!event.ok()) {
    fuzz::require_client_error(event.status(), "generic parse");
    return 0;
  }
  if (event->snapshot)
    fuzz::evaluate_like_the_server(fuzz::shipped_policy("policies/imdi.yaml"), *event->snapshot);
  return 0;
}
