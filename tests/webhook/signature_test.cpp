#include <doctest/doctest.h>

#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/webhook/codec.hpp"
#include "connector/webhook/signature.hpp"

using namespace mangfold::webhook;
using mangfold::Status;
using mangfold::StatusCode;

namespace {

using Headers = std::map<std::string, std::string>;

// Exact-name lookup; the map must outlive the returned function.
HeaderLookup lookup(const Headers& headers) {
  return [&headers](std::string_view name) -> std::optional<std::string_view> {
    const auto it = headers.find(std::string(name));
    if (it == headers.end()) return std::nullopt;
    return std::string_view(it->second);
  };
}

Secret secret_of(std::string_view text) {
  return Secret{std::string(text)};
}

// The Standard Webhooks reference vector, as in the "sign function works" test of
// standard-webhooks/standard-webhooks libraries/javascript/src/webhook.test.ts.
constexpr std::string_view kSpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kSpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kSpecTimestamp = 1614265330;
constexpr std::string_view kSpecBody = R"({"test": 2432232314})";
constexpr std::string_view kSpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

// GitHub "Validating webhook deliveries", section "Testing the webhook payload validation".
constexpr std::string_view kGithubSecret = "It's a Secret to Everybody";
constexpr std::string_view kGithubBody = "Hello, World!";
constexpr std::string_view kGithubSignature =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

// Talentech-style: a hex secret whose decoded bytes are the key. Expected value computed
// independently with:
//   printf '%s' '{"candidateId":"c-17","event":"application.updated"}' |
//     openssl dgst -sha256 -mac HMAC -macopt hexkey:<kTalentechHexSecret> -binary | base64
constexpr std::string_view kTalentechHexSecret =
    "00112233445566778899aabbccddeeff0f1e2d3c4b5a69788796a5b4c3d2e1f0";
constexpr std::string_view kTalentechBody =
    R"({"candidateId":"c-17","event":"application.updated"})";
constexpr std::string_view kTalentechSignature = "hEP6g5qBAf3RHfnAHwR9ptIcvKLa6SisvY7Dk6x/uW0=";

// A body carrying a canary that must never show up in an error message.
constexpr std::string_view kCanary = "CANARY-b9e1d4-selfdeclared";
const std::string kCanaryBody =
    std::string(R"({"applicant":")") + std::string(kCanary) + R"(","answer":"yes"})";

Secret spec_secret() {
  return *parse_standard_webhooks_secret(kSpecSecret);
}

Headers spec_headers() {
  return {{"webhook-id", std::string(kSpecId)},
          {"webhook-timestamp", std::to_string(kSpecTimestamp)},
          {"webhook-signature", std::string(kSpecSignature)}};
}

StandardWebhooksOptions options_with(std::vector<Secret> secrets) {
  StandardWebhooksOptions options;
  options.secrets = std::move(secrets);
  return options;
}

void check_message_is_clean(const Status& status, std::string_view expected_signature) {
  CHECK(status.message().find(kCanary) == std::string::npos);
  CHECK(status.message().find("answer") == std::string::npos);
  CHECK(status.message().find(expected_signature) == std::string::npos);
  CHECK_FALSE(status.message().empty());
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Secrets

TEST_CASE("Standard Webhooks secrets parse with and without the whsec_ prefix") {
  const auto with_prefix = parse_standard_webhooks_secret(kSpecSecret);
  const auto bare = parse_standard_webhooks_secret(kSpecSecret.substr(6));
  REQUIRE(with_prefix.ok());
  REQUIRE(bare.ok());
  CHECK(with_prefix->bytes == bare->bytes);
  CHECK(with_prefix->bytes.size() == 24);
}

TEST_CASE("bad secrets are refused without echoing them") {
  struct Row {
    std::string_view name;
    std::function<mangfold::Result<Secret>()> parse;
    std::string_view secret_text;
  };
  const std::vector<Row> rows = {
      {"whsec_ with bad base64", [] { return parse_standard_webhooks_secret("whsec_SECRET*xyz"); },
       "SECRET*xyz"},
      {"bare bad base64", [] { return parse_standard_webhooks_secret("SECRET-xyz"); },
       "SECRET-xyz"},
      {"trailing newline", [] { return parse_standard_webhooks_secret("whsec_SECRETxy\n"); },
       "SECRETxy"},
      {"empty after prefix", [] { return parse_standard_webhooks_secret("whsec_"); }, "whsec_"},
      {"bad hex", [] { return decode_secret("SECRETzz", SecretEncoding::kHex); }, "SECRETzz"},
      {"odd hex", [] { return decode_secret("abc", SecretEncoding::kHex); }, "abc"},
      {"bad base64", [] { return decode_secret("SECRET!!", SecretEncoding::kBase64); }, "SECRET!!"},
      {"empty raw", [] { return decode_secret("", SecretEncoding::kRaw); }, "(none)"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const auto r = row.parse();
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK(r.status().message().find(row.secret_text) == std::string::npos);
  }
}

TEST_CASE("decode_secret decodes each encoding") {
  CHECK(decode_secret("abc", SecretEncoding::kRaw)->bytes == "abc");
  CHECK(decode_secret("6162FF", SecretEncoding::kHex)->bytes == "ab\xff");
  CHECK(decode_secret("YWJj", SecretEncoding::kBase64)->bytes == "abc");
}

// ---------------------------------------------------------------------------------------
// Standard Webhooks

TEST_CASE("Standard Webhooks: the reference test vector signs and verifies") {
  CHECK(sign_standard_webhooks(kSpecId, kSpecTimestamp, kSpecBody, spec_secret()) ==
        kSpecSignature);
  const Headers headers = spec_headers();
  const Status s = verify_standard_webhooks(lookup(headers), kSpecBody,
                                            options_with({spec_secret()}), kSpecTimestamp);
  CHECK(s.is_ok());
  // The bare base64 form of the same secret verifies too.
  const Status bare = verify_standard_webhooks(
      lookup(headers), kSpecBody,
      options_with({*parse_standard_webhooks_secret(kSpecSecret.substr(6))}), kSpecTimestamp + 10);
  CHECK(bare.is_ok());
}

TEST_CASE("Standard Webhooks: every way a request can be wrong, and what is accepted") {
  const Secret secret = secret_of("0123456789abcdef0123456789abcdef");
  const Secret other = secret_of("fedcba9876543210fedcba9876543210");
  constexpr std::int64_t kNow = 1700000000;
  const std::string good = sign_standard_webhooks("msg_1", kNow, kCanaryBody, secret);
  const std::string good_b64 = good.substr(3);

  struct Request {
    Headers headers;
    std::string body;
    StandardWebhooksOptions options;
    std::int64_t now;
  };
  struct Row {
    std::string_view name;
    std::function<void(Request&)> change;
    StatusCode code;      // kOk: accepted
    std::string_view in;  // a part of the expected message
  };
  const std::string reordered =
      std::string(R"({"answer":"yes","applicant":")") + std::string(kCanary) + R"("})";
  const std::string spaced =
      std::string(R"({ "applicant": ")") + std::string(kCanary) + R"(", "answer": "yes" })";
  const std::vector<Row> rows = {
      {"untouched", [](Request&) {}, StatusCode::kOk, ""},
      {"wrong secret", [&](Request& r) { r.options.secrets = {other}; },
       StatusCode::kUnauthenticated, "no v1 signature in webhook-signature matches"},
      {"tampered body", [](Request& r) { r.body[5] = 'X'; }, StatusCode::kUnauthenticated,
       "matches a configured secret"},
      {"body re-serialised with other whitespace", [&](Request& r) { r.body = spaced; },
       StatusCode::kUnauthenticated, "matches a configured secret"},
      {"body re-serialised with other key order", [&](Request& r) { r.body = reordered; },
       StatusCode::kUnauthenticated, "matches a configured secret"},
      {"body with a trailing newline", [](Request& r) { r.body += "\n"; },
       StatusCode::kUnauthenticated, "matches a configured secret"},
      {"other webhook-id", [](Request& r) { r.headers["webhook-id"] = "msg_2"; },
       StatusCode::kUnauthenticated, "matches a configured secret"},
      {"other timestamp within tolerance",
       [](Request& r) { r.headers["webhook-timestamp"] = std::to_string(kNow + 1); },
       StatusCode::kUnauthenticated, "matches a configured secret"},
      {"missing webhook-id", [](Request& r) { r.headers.erase("webhook-id"); },
       StatusCode::kUnauthenticated, "missing or empty header webhook-id"},
      {"empty webhook-id", [](Request& r) { r.headers["webhook-id"] = ""; },
       StatusCode::kUnauthenticated, "missing or empty header webhook-id"},
      {"missing webhook-timestamp", [](Request& r) { r.headers.erase("webhook-timestamp"); },
       StatusCode::kUnauthenticated, "missing or empty header webhook-timestamp"},
      {"missing webhook-signature", [](Request& r) { r.headers.erase("webhook-signature"); },
       StatusCode::kUnauthenticated, "missing or empty header webhook-signature"},
      {"timestamp 301 s old", [](Request& r) { r.now = kNow + 301; }, StatusCode::kUnauthenticated,
       "webhook-timestamp is too old: more than 300 s"},
      {"timestamp exactly 300 s old", [](Request& r) { r.now = kNow + 300; }, StatusCode::kOk, ""},
      {"timestamp 301 s in the future", [](Request& r) { r.now = kNow - 301; },
       StatusCode::kUnauthenticated, "webhook-timestamp is in the future: more than 300 s"},
      {"timestamp exactly 300 s in the future", [](Request& r) { r.now = kNow - 300; },
       StatusCode::kOk, ""},
      {"tolerance 60 s, 61 s old",
       [](Request& r) {
         r.options.tolerance = std::chrono::seconds(60);
         r.now = kNow + 61;
       },
       StatusCode::kUnauthenticated, "too old: more than 60 s"},
      {"now at the int64 minimum does not overflow",
       [](Request& r) { r.now = std::numeric_limits<std::int64_t>::min(); },
       StatusCode::kUnauthenticated, "in the future"},
      {"timestamp not a number", [](Request& r) { r.headers["webhook-timestamp"] = "hello"; },
       StatusCode::kUnauthenticated, "webhook-timestamp is not a unix timestamp in seconds"},
      {"timestamp with a fraction",
       [](Request& r) { r.headers["webhook-timestamp"] = std::to_string(kNow) + ".5"; },
       StatusCode::kUnauthenticated, "not a unix timestamp"},
      {"timestamp with a sign", [](Request& r) { r.headers["webhook-timestamp"] = "+1700000000"; },
       StatusCode::kUnauthenticated, "not a unix timestamp"},
      {"timestamp with a space", [](Request& r) { r.headers["webhook-timestamp"] = " 1700000000"; },
       StatusCode::kUnauthenticated, "not a unix timestamp"},
      {"timestamp beyond int64",
       [](Request& r) { r.headers["webhook-timestamp"] = "99999999999999999999"; },
       StatusCode::kUnauthenticated, "not a unix timestamp"},
      {"timestamp in milliseconds",
       [](Request& r) { r.headers["webhook-timestamp"] = std::to_string(kNow) + "000"; },
       StatusCode::kUnauthenticated, "in the future"},
      {"only other signature versions",
       [&](Request& r) { r.headers["webhook-signature"] = "v1a," + good_b64 + " v2," + good_b64; },
       StatusCode::kUnauthenticated, "header webhook-signature has no v1 signature"},
      {"a bare signature without version",
       [&](Request& r) { r.headers["webhook-signature"] = good_b64; }, StatusCode::kUnauthenticated,
       "no v1 signature"},
      {"v1 with an empty signature", [](Request& r) { r.headers["webhook-signature"] = "v1,"; },
       StatusCode::kUnauthenticated, "matches a configured secret"},
      {"v1 with malformed base64", [](Request& r) { r.headers["webhook-signature"] = "v1,!!!!"; },
       StatusCode::kUnauthenticated, "matches a configured secret"},
      {"truncated signature",
       [&](Request& r) { r.headers["webhook-signature"] = good.substr(0, good.size() - 4); },
       StatusCode::kUnauthenticated, "matches a configured secret"},
      {"several signatures, the second matches",
       [&](Request& r) {
         const std::string stale = sign_standard_webhooks("msg_1", kNow, kCanaryBody, other);
         r.headers["webhook-signature"] = "v1a,xyz= " + stale + "  " + good + " v1,!!";
       },
       StatusCode::kOk, ""},
      {"several secrets, the second matches (rotation)",
       [&](Request& r) {
         r.options.secrets = {other, secret};
       },
       StatusCode::kOk, ""},
      {"no secret configured", [](Request& r) { r.options.secrets.clear(); },
       StatusCode::kFailedPrecondition, "no Standard Webhooks secret is configured"},
  };

  for (const Row& row : rows) {
    CAPTURE(row.name);
    Request request{{{"webhook-id", "msg_1"},
                     {"webhook-timestamp", std::to_string(kNow)},
                     {"webhook-signature", good}},
                    kCanaryBody,
                    options_with({secret}),
                    kNow};
    row.change(request);
    const Status s = verify_standard_webhooks(lookup(request.headers), request.body,
                                              request.options, request.now);
    CHECK(s.code() == row.code);
    if (row.code != StatusCode::kOk) {
      CHECK(s.message().find(row.in) != std::string::npos);
      check_message_is_clean(s, good_b64);
    }
  }
}

TEST_CASE("Standard Webhooks: the lookup is asked for the lowercase names of the spec") {
  std::vector<std::string> asked;
  const Headers headers = spec_headers();
  const HeaderLookup recording = [&](std::string_view name) -> std::optional<std::string_view> {
    asked.emplace_back(name);
    return lookup(headers)(name);
  };
  CHECK(
      verify_standard_webhooks(recording, kSpecBody, options_with({spec_secret()}), kSpecTimestamp)
          .is_ok());
  CHECK(asked == std::vector<std::string>{"webhook-id", "webhook-timestamp", "webhook-signature"});
}

// ---------------------------------------------------------------------------------------
// HMAC header schemes

TEST_CASE("GitHub: the documented X-Hub-Signature-256 example signs and verifies") {
  HmacHeaderScheme scheme = github_scheme();
  CHECK(scheme.header == "X-Hub-Signature-256");
  CHECK(scheme.prefix == "sha256=");
  const Secret secret = *decode_secret(kGithubSecret, SecretEncoding::kRaw);
  CHECK(sign_hmac_header(scheme, kGithubBody, secret) == kGithubSignature);
  scheme.secrets = {secret};
  const Headers headers = {{"X-Hub-Signature-256", std::string(kGithubSignature)}};
  CHECK(verify_hmac_header(lookup(headers), kGithubBody, scheme).is_ok());
}

TEST_CASE("HMAC header: every way a request can be wrong, and what is accepted") {
  HmacHeaderScheme base = github_scheme();
  const Secret secret = secret_of(kGithubSecret);
  const Secret other = secret_of("another secret");
  base.secrets = {secret};
  const std::string good = sign_hmac_header(base, kCanaryBody, secret);
  const std::string good_hex = good.substr(7);
  const std::string stale = sign_hmac_header(base, kCanaryBody, other);
  std::string upper = good;
  for (char& c : upper) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  upper.replace(0, 7, "sha256=");

  struct Request {
    Headers headers;
    std::string body;
    HmacHeaderScheme scheme;
  };
  struct Row {
    std::string_view name;
    std::function<void(Request&)> change;
    StatusCode code;
    std::string_view in;
  };
  const std::vector<Row> rows = {
      {"untouched", [](Request&) {}, StatusCode::kOk, ""},
      {"uppercase hex digits", [&](Request& r) { r.headers["X-Hub-Signature-256"] = upper; },
       StatusCode::kOk, ""},
      {"wrong secret", [&](Request& r) { r.scheme.secrets = {other}; },
       StatusCode::kUnauthenticated, "no signature in header X-Hub-Signature-256 matches"},
      {"tampered body", [](Request& r) { r.body[5] = 'X'; }, StatusCode::kUnauthenticated,
       "matches a configured secret"},
      {"body re-serialised",
       [](Request& r) {
         r.body = std::string(R"({"answer": "yes", "applicant": ")") + std::string(kCanary) + "\"}";
       },
       StatusCode::kUnauthenticated, "matches a configured secret"},
      {"missing header", [](Request& r) { r.headers.clear(); }, StatusCode::kUnauthenticated,
       "missing or empty header X-Hub-Signature-256"},
      {"prefix of another algorithm",
       [&](Request& r) { r.headers["X-Hub-Signature-256"] = "sha1=" + good_hex; },
       StatusCode::kUnauthenticated, "has no value starting with 'sha256='"},
      {"prefix in uppercase",
       [&](Request& r) { r.headers["X-Hub-Signature-256"] = "SHA256=" + good_hex; },
       StatusCode::kUnauthenticated, "has no value starting with 'sha256='"},
      {"no prefix", [&](Request& r) { r.headers["X-Hub-Signature-256"] = good_hex; },
       StatusCode::kUnauthenticated, "has no value starting with 'sha256='"},
      {"not hex", [](Request& r) { r.headers["X-Hub-Signature-256"] = "sha256=xyz0"; },
       StatusCode::kUnauthenticated, "holds no well-formed hex signature"},
      {"truncated hex",
       [&](Request& r) { r.headers["X-Hub-Signature-256"] = good.substr(0, good.size() - 2); },
       StatusCode::kUnauthenticated, "matches a configured secret"},
      {"two values comma-separated, the second matches",
       [&](Request& r) { r.headers["X-Hub-Signature-256"] = stale + "," + good; }, StatusCode::kOk,
       ""},
      {"two values space-separated, the second matches",
       [&](Request& r) { r.headers["X-Hub-Signature-256"] = stale + ", " + good; }, StatusCode::kOk,
       ""},
      {"two secrets, the second matches (rotation)",
       [&](Request& r) {
         r.scheme.secrets = {other, secret};
       },
       StatusCode::kOk, ""},
      {"another header name configured", [](Request& r) { r.scheme.header = "X-Signature"; },
       StatusCode::kUnauthenticated, "missing or empty header X-Signature"},
      {"no secret configured", [](Request& r) { r.scheme.secrets.clear(); },
       StatusCode::kFailedPrecondition, "no secret is configured for header X-Hub-Signature-256"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    Request request{{{"X-Hub-Signature-256", good}}, kCanaryBody, base};
    row.change(request);
    const Status s = verify_hmac_header(lookup(request.headers), request.body, request.scheme);
    CHECK(s.code() == row.code);
    if (row.code != StatusCode::kOk) {
      CHECK(s.message().find(row.in) != std::string::npos);
      check_message_is_clean(s, good_hex);
    }
  }
}

TEST_CASE("Talentech: hex secret, base64 signature, no prefix") {
  HmacHeaderScheme scheme = talentech_scheme();
  CHECK(scheme.header == "X-Signature-Base64HmacSha256");
  CHECK(scheme.encoding == SignatureEncoding::kBase64);
  CHECK(scheme.prefix.empty());
  const auto secret = decode_secret(kTalentechHexSecret, SecretEncoding::kHex);
  REQUIRE(secret.ok());
  CHECK(secret->bytes.size() == 32);

  CHECK(sign_hmac_header(scheme, kTalentechBody, *secret) == kTalentechSignature);
  scheme.secrets = {*secret};
  const Headers headers = {{"X-Signature-Base64HmacSha256", std::string(kTalentechSignature)}};
  CHECK(verify_hmac_header(lookup(headers), kTalentechBody, scheme).is_ok());

  // Using the hex text itself as the key is the classic mistake; it must not verify.
  scheme.secrets = {secret_of(kTalentechHexSecret)};
  CHECK(verify_hmac_header(lookup(headers), kTalentechBody, scheme).code() ==
        StatusCode::kUnauthenticated);

  // Round trip over a body with a canary; bad base64 is reported as such.
  scheme.secrets = {*secret};
  const Headers signed_canary = {
      {"X-Signature-Base64HmacSha256", sign_hmac_header(scheme, kCanaryBody, *secret)}};
  CHECK(verify_hmac_header(lookup(signed_canary), kCanaryBody, scheme).is_ok());
  const Headers bad = {{"X-Signature-Base64HmacSha256", "not*base64"}};
  const Status s = verify_hmac_header(lookup(bad), kCanaryBody, scheme);
  CHECK(s.code() == StatusCode::kUnauthenticated);
  CHECK(s.message().find("holds no well-formed base64 signature") != std::string::npos);
}

TEST_CASE("HMAC header: every algorithm and encoding round-trips and has the right size") {
  struct Row {
    HmacAlgorithm algorithm;
    SignatureEncoding encoding;
    std::size_t encoded_size;
  };
  for (const Row& row : {Row{HmacAlgorithm::kSha1, SignatureEncoding::kHex, 40},
                         Row{HmacAlgorithm::kSha256, SignatureEncoding::kHex, 64},
                         Row{HmacAlgorithm::kSha512, SignatureEncoding::kHex, 128},
                         Row{HmacAlgorithm::kSha1, SignatureEncoding::kBase64, 28},
                         Row{HmacAlgorithm::kSha256, SignatureEncoding::kBase64, 44},
                         Row{HmacAlgorithm::kSha512, SignatureEncoding::kBase64, 88}}) {
    CAPTURE(to_string(row.algorithm));
    CAPTURE(row.encoded_size);
    HmacHeaderScheme scheme;
    scheme.header = "X-Sig";
    scheme.algorithm = row.algorithm;
    scheme.encoding = row.encoding;
    scheme.prefix = std::string(to_string(row.algorithm)) + "=";
    scheme.secrets = {secret_of("k")};
    const std::string value = sign_hmac_header(scheme, kCanaryBody, scheme.secrets[0]);
    CHECK(value.size() == scheme.prefix.size() + row.encoded_size);
    const Headers headers = {{"X-Sig", value}};
    CHECK(verify_hmac_header(lookup(headers), kCanaryBody, scheme).is_ok());
    // The same MAC under another algorithm's scheme does not verify.
    HmacHeaderScheme other = scheme;
    other.algorithm =
        row.algorithm == HmacAlgorithm::kSha256 ? HmacAlgorithm::kSha512 : HmacAlgorithm::kSha256;
    CHECK_FALSE(verify_hmac_header(lookup(headers), kCanaryBody, other).is_ok());
  }
}

// ---------------------------------------------------------------------------------------
// Verifier

TEST_CASE("Verifier: Standard Webhooks signs headers that verify and yields the event id") {
  const auto verifier = make_standard_webhooks_verifier(options_with({spec_secret()}));
  const auto signed_headers = verifier->sign(kSpecBody, kSpecId, kSpecTimestamp);
  Headers headers(signed_headers.begin(), signed_headers.end());
  CHECK(headers == spec_headers());
  CHECK(verifier->verify(lookup(headers), kSpecBody, kSpecTimestamp + 5).is_ok());
  CHECK(verifier->verify(lookup(headers), kSpecBody, kSpecTimestamp + 301).code() ==
        StatusCode::kUnauthenticated);
  CHECK(verifier->event_id_from_headers(lookup(headers)) == std::string(kSpecId));
  headers.erase("webhook-id");
  CHECK_FALSE(verifier->event_id_from_headers(lookup(headers)).has_value());
}

TEST_CASE("Verifier: HMAC header signs one header, ignores time and has no event id") {
  HmacHeaderScheme scheme = github_scheme();
  scheme.secrets = {secret_of(kGithubSecret), secret_of("older")};
  const auto verifier = make_hmac_header_verifier(scheme);
  const auto signed_headers = verifier->sign(kGithubBody, "evt-1", 0);
  REQUIRE(signed_headers.size() == 1);
  CHECK(signed_headers[0].first == "X-Hub-Signature-256");
  CHECK(signed_headers[0].second == kGithubSignature);
  const Headers headers(signed_headers.begin(), signed_headers.end());
  CHECK(verifier->verify(lookup(headers), kGithubBody, 0).is_ok());
  CHECK(verifier->verify(lookup(headers), kGithubBody, 4102444800).is_ok());
  CHECK_FALSE(verifier->event_id_from_headers(lookup(headers)).has_value());
}

TEST_CASE("Verifier: without secrets nothing is signed and nothing verifies") {
  const auto standard = make_standard_webhooks_verifier({});
  const auto github = make_hmac_header_verifier(github_scheme());
  CHECK(standard->sign(kSpecBody, kSpecId, kSpecTimestamp).empty());
  CHECK(github->sign(kGithubBody, "", 0).empty());
  const Headers headers = spec_headers();
  CHECK(standard->verify(lookup(headers), kSpecBody, kSpecTimestamp).code() ==
        StatusCode::kFailedPrecondition);
}
