// The generic adapter (adapters/generic) with every shipped mapping: examples/generic/*/ and the
// tests' Rekrutt mapping. Input: one byte picking the mapping, then "Name: value" header lines,
// an empty line ("\n\n") and the body; without an empty line everything after the first byte is
// the body.
//
// Teamtailor signs "<t>." + its payload re-serialised, which random bytes never match. So it runs
// three ways: as shipped (the signature path), with its `signature:` block removed (the mapping
// itself), and as shipped with the body built around the input, {"payload":<input>}, and
// TT-Signature carrying the input's correct v2 signature (re-serialisation, the signed-part
// rules). SmartRecruiters (handshake, header templates), Lever (sender_only, lookup,
// ignore_when), the Teamtailor partner mapping (structured values), Workable, Recruitee, Huntflow
// (account ids from config, api.answers, offsets, a defaulted event type) run as shipped.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "adapters/generic/generic_adapter.hpp"
#include "adapters/generic/json_style.hpp"
#include "connector/webhook/codec.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using namespace mangfold;

constexpr char kTeamtailorKey[] = "fuzz-teamtailor-key";

enum Mapping {
  kAshby,
  kGreenhouse,
  kTeamtailor,
  kTeamtailorUnsigned,
  kRekrutt,
  kTeamtailorSigned,
  kSmartRecruiters,
  kLever,
  kTeamtailorPartner,
  kWorkable,
  kRecruitee,
  kHuntflow
};
constexpr int kModes = 12;

std::string without_signature_block(std::string_view yaml) {
  const std::size_t begin = yaml.find("\nsignature:\n");
  if (begin == std::string_view::npos) std::abort();
  const std::size_t end = yaml.find("\n\n", begin + 1);
  if (end == std::string_view::npos) std::abort();
  return std::string(yaml.substr(0, begin)) + std::string(yaml.substr(end));
}

std::unique_ptr<domain::Adapter> load(const std::string& path, const std::string& text,
                                      std::vector<generic::ConfigValue> config = {}) {
  generic::AdapterDeps deps;
  deps.config_values = std::move(config);
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
    for (const char* name :
         {"ASHBY_API_KEY", "GREENHOUSE_HARVEST_KEY", "TEAMTAILOR_API_KEY",
          "SMARTRECRUITERS_API_KEY", "LEVER_API_KEY", "SMARTRECRUITERS_WEBHOOK_SECRET",
          "LEVER_SIGNATURE_TOKEN", "TEAMTAILOR_PARTNER_SECRET", "WORKABLE_WEBHOOK_KEY",
          "WORKABLE_API_TOKEN", "RECRUITEE_WEBHOOK_SECRET", "RECRUITEE_API_TOKEN",
          "HUNTFLOW_WEBHOOK_SECRET", "HUNTFLOW_API_TOKEN"})
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
    out.push_back(nullptr);  // kTeamtailorSigned uses kTeamtailor
    for (const char* path :
         {"examples/generic/smartrecruiters/mapping.yaml", "examples/generic/lever/mapping.yaml",
          "examples/generic/teamtailor-partner/mapping.yaml"})
      out.push_back(load(path, std::string(fuzz::embedded(path))));
    // Account ids from the tenant's config ({config:…} in api.base_url).
    const char* workable = "examples/generic/workable/mapping.yaml";
    out.push_back(load(workable, std::string(fuzz::embedded(workable)),
                       {{"subdomain", "oslo-kommune", {workable, 1, 1}, "config.subdomain"}}));
    const char* recruitee = "examples/generic/recruitee/mapping.yaml";
    out.push_back(load(recruitee, std::string(fuzz::embedded(recruitee)),
                       {{"company_id", "12345", {recruitee, 1, 1}, "config.company_id"}}));
    const char* huntflow = "examples/generic/huntflow/mapping.yaml";
    out.push_back(load(huntflow, std::string(fuzz::embedded(huntflow)),
                       {{"account_id", "6", {huntflow, 1, 1}, "config.account_id"}}));
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
  std::string tt_signature;
  if (mode == kTeamtailorSigned) {
    body = "{\"payload\":" + std::string(input) + "}";
    Result<std::string> printed =
        generic::reserialise_json(input, generic::TemplatePart::JsonStyle::kJavaScript);
    if (printed.ok()) {
      Result<std::string> mac =
          webhook::hmac(webhook::HmacAlgorithm::kSha256, kTeamtailorKey, "1800000000." + *printed);
      if (!mac.ok()) std::abort();
      tt_signature = webhook::base64_encode("t=1800000000,v2=" + webhook::hex_encode(*mac));
    }
  }
  const domain::InboundRequest request{
      body, [&headers, &tt_signature](std::string_view name) -> std::optional<std::string_view> {
        if (!tt_signature.empty() && (name == "TT-Signature" || name == "tt-signature"))
          return std::string_view(tt_signature);
        return fuzz::lookup_header(headers, name);
      }};
  Result<domain::InboundEvent> event = adapter->parse(request);
  if (!event.ok()) {
    fuzz::require_client_error(event.status(), "generic parse");
    return 0;
  }
  if (event->snapshot)
    fuzz::evaluate_like_the_server(fuzz::shipped_policy("policies/imdi.yaml"), *event->snapshot);
  return 0;
}
