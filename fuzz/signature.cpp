// Signature header parsing: the tenant schemes of connector/webhook/signature (Standard
// Webhooks, GitHub, Talentech) and the mapping-declared signatures of
// adapters/generic/body_signature (headers, body pointers, lists, separators, timestamps in
// three formats). Input: one byte picking the verifier, then "Name: value" header lines, an
// empty line and the body. MACs never match random bytes; the parsing before the comparison is
// what is fuzzed. Whatever the input, the answer is OK or kUnauthenticated (401).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "adapters/generic/body_signature.hpp"
#include "adapters/generic/generic_adapter.hpp"
#include "connector/webhook/signature.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using namespace mangfold;

constexpr std::int64_t kNow = 1'800'000'000;

// Signature blocks for the Rekrutt mapping, one per way of carrying a signature.
constexpr const char* kSignatureBlocks[] = {
    // In a header with a prefix, several per value, over a header timestamp and the body.
    R"(signature:
  secret: {env: FUZZ_SIGNING_KEY}
  signature: {header: X-Rekrutt-Signature}
  prefix: "sha256="
  separators: ", "
  signed_content: "{header:X-Rekrutt-Timestamp}.{body}"
  timestamp: {header: X-Rekrutt-Timestamp}
)",
    // A list in the body, base64, ISO 8601 timestamp in the body, two hex secrets, SHA-512.
    R"(signature:
  secrets: [{env: FUZZ_SIGNING_KEY_HEX}, {env: FUZZ_SIGNING_KEY_HEX_OLD}]
  secret_encoding: hex
  algorithm: sha512
  signature: /signatures
  encoding: base64
  signed_content: "{timestamp}.{body}"
  timestamp: /sent_at
  timestamp_format: iso8601
)",
    // base64 of the hex digest, SHA-1, a millisecond timestamp in a header, a prefix with a
    // space.
    R"(signature:
  secret: {env: FUZZ_SIGNING_KEY}
  algorithm: sha1
  signature: {header: X-Rekrutt-Signature}
  encoding: base64_hex
  prefix: "sha1 "
  signed_content: "{timestamp}:{body}"
  timestamp: {header: X-Rekrutt-Timestamp}
  timestamp_format: unix_milliseconds
  tolerance_seconds: 60
)",
};

struct Verifiers {
  std::vector<std::unique_ptr<webhook::Verifier>> tenant;  // Standard Webhooks, GitHub, Talentech
  std::vector<std::unique_ptr<domain::Adapter>> generic;   // kSignatureBlocks, then Teamtailor
};

std::unique_ptr<domain::Adapter> load(const std::string& path, const std::string& text) {
  generic::AdapterDeps deps;
  deps.read_file = fuzz::embedded_reader({{path, text}});
  deps.now_unix = [] { return kNow; };
  std::vector<config::Diagnostic> diagnostics;
  auto adapter = generic::load_generic_adapter(path, std::move(deps), diagnostics);
  if (!adapter) {
    for (const auto& d : diagnostics)
      std::fprintf(stderr, "%s\n", d.to_string().c_str());
    std::abort();
  }
  return adapter;
}

const Verifiers& verifiers() {
  static const Verifiers v = [] {
    setenv("FUZZ_SIGNING_KEY", "fuzz-signing-key", 1);
    setenv("FUZZ_SIGNING_KEY_HEX", "00112233445566778899aabbccddeeff", 1);
    setenv("FUZZ_SIGNING_KEY_HEX_OLD", "ffeeddccbbaa99887766554433221100", 1);
    setenv("TEAMTAILOR_WEBHOOK_KEY", "fuzz-teamtailor-key", 1);
    setenv("TEAMTAILOR_API_KEY", "fuzz-api-key", 1);
    Verifiers out;
    webhook::StandardWebhooksOptions standard;
    standard.secrets.push_back(
        *webhook::parse_standard_webhooks_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    standard.secrets.push_back(*webhook::decode_secret("second", webhook::SecretEncoding::kRaw));
    out.tenant.push_back(webhook::make_standard_webhooks_verifier(std::move(standard)));
    webhook::HmacHeaderScheme github = webhook::github_scheme();
    github.secrets.push_back(
        *webhook::decode_secret("It's a Secret", webhook::SecretEncoding::kRaw));
    out.tenant.push_back(webhook::make_hmac_header_verifier(std::move(github)));
    webhook::HmacHeaderScheme talentech = webhook::talentech_scheme();
    talentech.secrets.push_back(*webhook::decode_secret("00ff", webhook::SecretEncoding::kHex));
    out.tenant.push_back(webhook::make_hmac_header_verifier(std::move(talentech)));

    std::string rekrutt(fuzz::embedded("tests/fixtures/generic/rekrutt_mapping.yaml"));
    const std::size_t after_name = rekrutt.find("name: rekrutt\n") + 14;
    for (const char* block : kSignatureBlocks)
      out.generic.push_back(load("mappings/signed.yaml", rekrutt.substr(0, after_name) + "\n" +
                                                             block + rekrutt.substr(after_name)));
    const char* teamtailor = "examples/generic/teamtailor/mapping.yaml";
    out.generic.push_back(load(teamtailor, std::string(fuzz::embedded(teamtailor))));
    return out;
  }();
  return v;
}

void require_ok_or_401(const Status& s, const char* where) {
  if (s.ok() || s.code() == StatusCode::kUnauthenticated) return;
  std::fprintf(stderr, "fuzz: %s answered %s: %s\n", where,
               std::string(to_string(s.code())).c_str(), s.message().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Verifiers& v = verifiers();
  const int modes = static_cast<int>(v.tenant.size() + v.generic.size()) + 1;
  const int mode = data[0] % modes;
  std::string_view input = fuzz::as_text(data + 1, size - 1);
  std::string_view header_text;
  if (input.find("\n\n") != std::string_view::npos)
    std::tie(header_text, input) = fuzz::split_once(input, "\n\n");
  const auto headers = fuzz::parse_header_lines(header_text);
  const webhook::HeaderLookup lookup = [&headers](std::string_view name) {
    return fuzz::lookup_header(headers, name);
  };

  if (mode < static_cast<int>(v.tenant.size())) {
    const webhook::Verifier& verifier = *v.tenant[mode];
    require_ok_or_401(verifier.verify(lookup, input, kNow), "tenant verifier");
    (void)verifier.event_id_from_headers(lookup);
    return 0;
  }
  const int generic = mode - static_cast<int>(v.tenant.size());
  if (generic < static_cast<int>(v.generic.size())) {
    Result<domain::InboundEvent> event =
        v.generic[generic]->parse(domain::InboundRequest{input, lookup});
    // A signature that verifies lets the mapping go on; then any 4xx of the adapter will do.
    if (!event.ok()) fuzz::require_client_error(event.status(), "mapping signature");
    return 0;
  }
  // The text parsers behind them: ISO 8601 timestamps and secrets as configured.
  (void)generic::parse_iso8601(input);
  (void)webhook::parse_standard_webhooks_secret(input);
  (void)webhook::decode_secret(input, webhook::SecretEncoding::kHex);
  (void)webhook::decode_secret(input, webhook::SecretEncoding::kBase64);
  return 0;
}
