// Signatures a mapping declares: in the body, over a timestamp, headers and the body,
// several at once for key rotation. Accepted when right, refused (401) otherwise.
#include <doctest/doctest.h>

#include "adapters/generic/body_signature.hpp"
#include "connector/webhook/codec.hpp"
#include "generic_test_support.hpp"

using namespace generic_test;
using mangfold::StatusCode;

namespace {

std::string hmac_hex(const std::string& key, const std::string& content) {
  return mangfold::webhook::hex_encode(
      *mangfold::webhook::hmac(mangfold::webhook::HmacAlgorithm::kSha256, key, content));
}

std::string hmac_b64(const std::string& key, const std::string& content) {
  return mangfold::webhook::base64_encode(
      *mangfold::webhook::hmac(mangfold::webhook::HmacAlgorithm::kSha256, key, content));
}

constexpr std::int64_t kNow = 1'800'000'000;

Files keys() {
  return Files{{{"/mem/k1", "old-key\n"}, {"/mem/k2", "new-key\n"}}};
}

}  // namespace

TEST_CASE("a signature inside the body, over the exact bytes of the payload it signs") {
  auto a = adapter_from_text(R"(
mapping_version: 1
signature:
  secrets: [{file: /mem/k1}, {file: /mem/k2}]
  signature: /signature
  encoding: base64_hex
  signed_content: "{raw:/payload}"
event: {type: /payload/event}
events:
  job.update: {snapshot: {vacancy: {id: /payload/id, title: /payload/title}}}
)",
                             keys());
  const std::string payload = "{ \"event\": \"job.update\", \"id\": 7,\n  \"title\": \"Tittel\" }";
  auto body = [&](const std::string& sig, const std::string& p) {
    return "{\"signature\": \"" + sig + "\", \"payload\": " + p + "}";
  };
  const std::string good = mangfold::webhook::base64_encode(hmac_hex("new-key", payload));

  SUBCASE(
      "accepted under either key of a rotation, whitespace in the payload is part of what is "
      "signed") {
    const auto e = a->parse(Request{body(good, payload), {}}.view());
    REQUIRE_MESSAGE(e.ok(), e.status().message());
    CHECK(e->snapshot->vacancy.title == "Tittel");
    const std::string old = mangfold::webhook::base64_encode(hmac_hex("old-key", payload));
    CHECK(a->parse(Request{body(old, payload), {}}.view()).ok());
  }
  SUBCASE("a changed payload is refused") {
    const std::string changed =
        "{ \"event\": \"job.update\", \"id\": 8,\n  \"title\": \"Tittel\" }";
    const auto s = a->parse(Request{body(good, changed), {}}.view()).status();
    CHECK(s.code() == StatusCode::kUnauthenticated);
    CHECK(s.message() == "no signature matched (body /signature)");
  }
  SUBCASE("a wrong key, a missing signature, an unreadable one") {
    const std::string wrong = mangfold::webhook::base64_encode(hmac_hex("other", payload));
    CHECK(a->parse(Request{body(wrong, payload), {}}.view()).status().code() ==
          StatusCode::kUnauthenticated);
    CHECK(a->parse(Request{"{\"payload\": " + payload + "}", {}}.view()).status().message() ==
          "missing signature (body /signature)");
    CHECK(a->parse(Request{body("not base64!", payload), {}}.view()).status().message() ==
          "no readable signature in body /signature (check prefix and encoding)");
  }
  SUBCASE(
      "a payload key given twice is refused: the signed bytes and the parsed value could differ") {
    const std::string twice = "{\"signature\": \"" + good + "\", \"payload\": " + payload +
                              ", \"payload\": {\"event\": \"job.update\", \"id\": 666}}";
    const auto s = a->parse(Request{twice, {}}.view()).status();
    CHECK(s.code() == StatusCode::kUnauthenticated);
    CHECK(s.message() ==
          "cannot take the signed content from the body: /payload: the key appears twice in one "
          "object");
  }
}

TEST_CASE("the mapping may only read the part of the body the signature covers") {
  auto a = adapter_from_text(R"(
mapping_version: 1
signature:
  secret: {file: /mem/k1}
  signature: /signature
  signed_content: "{raw:/payload}"
events:
  any: {snapshot: {vacancy: {id: /payload/id, title: {find: /payload/tags, get: $/unsigned/title}}}}
)",
                             keys());
  const std::string payload = R"({"id": 1, "tags": ["a"]})";
  const std::string body = "{\"payload\": " + payload + ", \"signature\": \"" +
                           hmac_hex("old-key", payload) +
                           "\", \"unsigned\": {\"title\": \"forged\"}}";
  const auto s = a->parse(Request{body, {}}.view()).status();
  CHECK(s.code() == StatusCode::kUnauthenticated);
  CHECK(s.message() ==
        "/unsigned/title: outside the part of the body the signature covers; the mapping may only "
        "read signed data");
}

TEST_CASE(
    "signed content from a timestamp header and the raw body, checked before the body is parsed") {
  auto a = adapter_from_text(R"(
mapping_version: 1
signature:
  secrets: [{file: /mem/k1}, {file: /mem/k2}]
  signature: {header: X-Signature}
  prefix: "v1="
  separators: ", "
  encoding: base64
  timestamp: {header: X-Timestamp}
  tolerance_seconds: 300
  signed_content: "{header:X-Timestamp}.{body}"
events:
  any: {snapshot: {vacancy: {id: /id}}}
)",
                             keys(), nullptr, kNow);
  const std::string body = R"({"id": 42})";
  const std::string ts = std::to_string(kNow - 10);
  const std::string sig = hmac_b64("new-key", ts + "." + body);

  SUBCASE("several signatures in one header (rotation): one valid is enough") {
    const std::string header = "v1=" + hmac_b64("retired", ts + "." + body) + ", v1=" + sig;
    const auto e = a->parse(Request{body, {{"x-signature", header}, {"x-timestamp", ts}}}.view());
    REQUIRE_MESSAGE(e.ok(), e.status().message());
    CHECK(e->vacancy_id == "42");
  }
  SUBCASE("a stale timestamp is refused") {
    const std::string old = std::to_string(kNow - 301);
    const auto s = a->parse(Request{body,
                                    {{"x-signature", "v1=" + hmac_b64("new-key", old + "." + body)},
                                     {"x-timestamp", old}}}
                                .view())
                       .status();
    CHECK(s.code() == StatusCode::kUnauthenticated);
    CHECK(s.message() == "timestamp outside the tolerance of 300 seconds (header X-Timestamp)");
  }
  SUBCASE("a timestamp that is not the signed one is refused") {
    const auto s =
        a->parse(
             Request{body, {{"x-signature", "v1=" + sig}, {"x-timestamp", std::to_string(kNow)}}}
                 .view())
            .status();
    CHECK(s.message() == "no signature matched (header X-Signature)");
  }
  SUBCASE("the body is not parsed before the signature is verified") {
    // Malformed JSON with a wrong signature: 401, not 400.
    const auto s =
        a->parse(Request{"{not json", {{"x-signature", "v1=" + sig}, {"x-timestamp", ts}}}.view())
            .status();
    CHECK(s.code() == StatusCode::kUnauthenticated);
  }
  SUBCASE("a missing timestamp or prefix") {
    CHECK(a->parse(Request{body, {{"x-signature", "v1=" + sig}}}.view()).status().message() ==
          "missing or malformed timestamp (header X-Timestamp)");
    CHECK(a->parse(Request{body, {{"x-signature", sig}, {"x-timestamp", ts}}}.view())
              .status()
              .message() ==
          "no readable signature in header X-Signature (check prefix and encoding)");
  }
}

TEST_CASE(
    "signed content from body fields, a millisecond timestamp in the body, signatures in a list") {
  auto a = adapter_from_text(R"(
mapping_version: 1
signature:
  secret: {file: /mem/k1}
  signature: /signatures
  timestamp: /sent_at
  timestamp_format: unix_milliseconds
  signed_content: "{/token}{/sent_at}{raw:/data}"
events:
  any: {snapshot: {vacancy: {id: /data/id}}}
)",
                             keys(), nullptr, kNow);
  const std::string ms = std::to_string(kNow * 1000 + 250);
  const std::string data = R"({"id": "v-1"})";
  const std::string sig = hmac_hex("old-key", "tok" + ms + data);
  const std::string body = "{\"token\": \"tok\", \"sent_at\": " + ms +
                           ", \"signatures\": [\"00ff\", \"" + sig + "\"], \"data\": " + data + "}";
  const auto e = a->parse(Request{body, {}}.view());
  REQUIRE_MESSAGE(e.ok(), e.status().message());
  CHECK(e->vacancy_id == "v-1");
}

TEST_CASE("a header signature over a member of the body is checked before the body is parsed") {
  auto a = adapter_from_text(R"(
mapping_version: 1
signature:
  secret: {file: /mem/k1}
  signature: {header: X-Sig}
  signed_content: "{raw:/data}"
events:
  any: {snapshot: {vacancy: {id: /data/id}}}
)",
                             keys());
  const std::string data = R"({"id": 5})";
  const auto ok =
      a->parse(Request{"{\"data\": " + data + "}", {{"x-sig", hmac_hex("old-key", data)}}}.view());
  REQUIRE_MESSAGE(ok.ok(), ok.status().message());
  CHECK(ok->vacancy_id == "5");
  // Malformed after the signed member, and wrongly signed: refused as unsigned (401), not parsed
  // (400).
  const auto bad = a->parse(
      Request{"{\"data\": " + data + ", \"x\": ", {{"x-sig", hmac_hex("other", data)}}}.view());
  CHECK(bad.status().code() == StatusCode::kUnauthenticated);
}

TEST_CASE("ISO 8601 timestamps") {
  CHECK(mangfold::generic::parse_iso8601("1970-01-01T00:00:00Z") == 0);
  CHECK(mangfold::generic::parse_iso8601("2027-01-15T08:00:00.123+01:00") == 1799996400);
  CHECK_FALSE(mangfold::generic::parse_iso8601("2027-01-15 08:00:00"));
  CHECK_FALSE(mangfold::generic::parse_iso8601("2027-02-30T08:00:00Z"));
}
