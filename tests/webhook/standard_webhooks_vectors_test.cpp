// The Standard Webhooks specification's own test cases (the reference libraries' tests in
// github.com/standard-webhooks/standard-webhooks, libraries/*/tests): the signing vector,
// the tampered and partial signatures, several signatures in one header, versions other
// than v1, missing and malformed headers, unpadded secrets, and the 5-minute tolerance on
// both sides. Values are the spec's; the table is ours.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "connector/webhook/codec.hpp"
#include "connector/webhook/signature.hpp"

using namespace mangfold;
using namespace mangfold::webhook;

namespace {

constexpr std::string_view kKey = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kMsgId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kTimestamp = 1614265330;
constexpr std::string_view kPayload = R"({"test": 2432232314})";
constexpr std::string_view kExpected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
// Valid base64 of 32 bytes that is nobody's signature, as the libraries' tests use it.
constexpr std::string_view kForeign = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
constexpr std::int64_t kTolerance = 300;  // the reference libraries' five minutes

using Headers = std::map<std::string, std::string>;

HeaderLookup lookup(const Headers& h) {
  return [&h](std::string_view name) -> std::optional<std::string_view> {
    auto it = h.find(std::string(name));
    if (it == h.end()) return std::nullopt;
    return std::string_view(it->second);
  };
}

StandardWebhooksOptions options(std::string_view key = kKey) {
  StandardWebhooksOptions o;
  o.secrets.push_back(*parse_standard_webhooks_secret(key));
  o.tolerance = std::chrono::seconds(kTolerance);
  return o;
}

// The headers a sender would send at `at`, signed with the spec's key.
Headers sent_at(std::int64_t at, std::string_view key = kKey) {
  return {{"webhook-id", std::string(kMsgId)},
          {"webhook-timestamp", std::to_string(at)},
          {"webhook-signature",
           sign_standard_webhooks(kMsgId, at, kPayload, *parse_standard_webhooks_secret(key))}};
}

Status verify(const Headers& h, std::int64_t now, std::string_view key = kKey) {
  return verify_standard_webhooks(lookup(h), kPayload, options(key), now);
}

}  // namespace

TEST_CASE("spec vector: signing msg_p5jXN8AQM9LWM0D4loKWxJek at 1614265330") {
  CHECK(sign_standard_webhooks(kMsgId, kTimestamp, kPayload,
                               *parse_standard_webhooks_secret(kKey)) == kExpected);
  const Headers h{{"webhook-id", std::string(kMsgId)},
                  {"webhook-timestamp", std::to_string(kTimestamp)},
                  {"webhook-signature", std::string(kExpected)}};
  CHECK(verify(h, kTimestamp).ok());
  // The key with and without its whsec_ prefix is the same key.
  CHECK(verify(h, kTimestamp, kKey.substr(6)).ok());
}

TEST_CASE("spec cases: what fails and what passes") {
  constexpr std::int64_t kNow = kTimestamp;
  struct Case {
    const char* name;
    void (*modify)(Headers&);
    bool valid;
  };
  const Case cases[] = {
      {"valid signature", [](Headers&) {}, true},
      {"missing webhook-id", [](Headers& h) { h.erase("webhook-id"); }, false},
      {"missing webhook-timestamp", [](Headers& h) { h.erase("webhook-timestamp"); }, false},
      {"missing webhook-signature", [](Headers& h) { h.erase("webhook-signature"); }, false},
      {"timestamp that is not a number", [](Headers& h) { h["webhook-timestamp"] = "hello"; },
       false},
      {"tampered signature (last character)",
       [](Headers& h) {
         h["webhook-signature"] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=";
       },
       false},
      {"signature that is not base64",
       [](Headers& h) { h["webhook-signature"] = "v1,dawfeoifkpqwoekfpqoekf"; }, false},
      {"partial signature",
       [](Headers& h) { h["webhook-signature"] = h["webhook-signature"].substr(0, 10); }, false},
      {"empty v1 signature", [](Headers& h) { h["webhook-signature"] = "v1,"; }, false},
      {"someone else's signature",
       [](Headers& h) { h["webhook-signature"] = std::string(kForeign); }, false},
      {"several signatures, one valid, other versions ignored",
       [](Headers& h) {
         h["webhook-signature"] =
             std::string(kForeign) +
             " v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + h["webhook-signature"] + " " +
             std::string(kForeign);
       },
       true},
      {"the valid signature under another version only",
       [](Headers& h) { h["webhook-signature"] = "v2," + h["webhook-signature"].substr(3); },
       false},
      {"another message id", [](Headers& h) { h["webhook-id"] = "msg_other"; }, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    Headers h = sent_at(kNow);
    c.modify(h);
    const Status s = verify(h, kNow);
    CHECK(s.ok() == c.valid);
    if (!c.valid) CHECK(s.code() == StatusCode::kUnauthenticated);
  }
}

TEST_CASE("spec tolerance: five minutes either way pass, one second more fails") {
  constexpr std::int64_t kNow = 1'700'000'000;
  CHECK(verify(sent_at(kNow), kNow).ok());
  CHECK(verify(sent_at(kNow - kTolerance), kNow).ok());
  CHECK(verify(sent_at(kNow + kTolerance), kNow).ok());
  const Status old = verify(sent_at(kNow - kTolerance - 1), kNow);
  CHECK(old.code() == StatusCode::kUnauthenticated);
  CHECK(old.message().find("too old") != std::string::npos);
  const Status future = verify(sent_at(kNow + kTolerance + 1), kNow);
  CHECK(future.code() == StatusCode::kUnauthenticated);
  CHECK(future.message().find("in the future") != std::string::npos);
}

TEST_CASE("spec secrets: unpadded base64 keys equal their padded form, with or without whsec_") {
  struct Pair {
    std::string_view unpadded, padded;
  };
  for (const Pair& p :
       {Pair{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
        Pair{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS="},
        Pair{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr=="}}) {
    CAPTURE(p.unpadded);
    const auto bare = parse_standard_webhooks_secret(p.unpadded);
    const auto padded = parse_standard_webhooks_secret(p.padded);
    const auto prefixed = parse_standard_webhooks_secret("whsec_" + std::string(p.unpadded));
    REQUIRE(bare.ok());
    REQUIRE(padded.ok());
    REQUIRE(prefixed.ok());
    CHECK(bare->bytes == padded->bytes);
    CHECK(prefixed->bytes == padded->bytes);
    // A sender signing with the padded key is verified with the unpadded one.
    CHECK(verify(sent_at(kTimestamp, p.padded), kTimestamp, p.unpadded).ok());
  }
  // One character over a multiple of four is no base64 at all.
  CHECK_FALSE(parse_standard_webhooks_secret("MfKQ9").ok());
  // An empty key is refused, prefixed or not.
  CHECK_FALSE(parse_standard_webhooks_secret("").ok());
  CHECK_FALSE(parse_standard_webhooks_secret("whsec_").ok());
}
