#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "connector/ingest/id_hook.hpp"

using namespace mangfold;
using ingest::IdHookFormat;
using ingest::parse_id_hook;

namespace {

IdHookFormat format(std::string key_field = "") {
  return IdHookFormat{{"AdvertId", "PositionId"}, std::move(key_field)};
}

}  // namespace

TEST_CASE("id hook: one object, a string or an integer id, the first configured field wins") {
  auto h = parse_id_hook(R"({"Event":"PositionUpdated","PositionId":4100})", format());
  REQUIRE(h.ok());
  CHECK(h->vacancy_ids == std::vector<std::string>{"4100"});
  h = parse_id_hook(R"({"AdvertId":"A-7","PositionId":1})", format());
  REQUIRE(h.ok());
  CHECK(h->vacancy_ids == std::vector<std::string>{"A-7"});
  CHECK_FALSE(h->key.has_value());
}

TEST_CASE("id hook: a batch, duplicates once, objects about other things skipped") {
  auto h = parse_id_hook(R"([{"AdvertId":1},{"CandidateId":9},{"AdvertId":1},{"AdvertId":2}])",
                         format());
  REQUIRE(h.ok());
  CHECK(h->vacancy_ids == std::vector<std::string>{"1", "2"});
}

TEST_CASE("id hook: the key from a body field, a batch with differing keys has none") {
  auto h = parse_id_hook(R"({"AdvertId":1,"UserData":"k-1"})", format("UserData"));
  REQUIRE(h.ok());
  CHECK(h->key == std::string("k-1"));
  h = parse_id_hook(R"([{"AdvertId":1,"UserData":"k-1"},{"AdvertId":2,"UserData":"k-2"}])",
                    format("UserData"));
  REQUIRE(h.ok());
  CHECK_FALSE(h->key.has_value());
  CHECK_FALSE(parse_id_hook(R"({"AdvertId":1,"UserData":7})", format("UserData")).ok());
}

TEST_CASE("id hook: malformed bodies are refused naming the field, never quoting the value") {
  for (const char* body : {"", "nope", "[1]", "\"x\"", R"({"AdvertId":[1]})", R"({"AdvertId":""})",
                           R"({"AdvertId":1.5})"}) {
    CAPTURE(body);
    auto h = parse_id_hook(body, format());
    REQUIRE_FALSE(h.ok());
    CHECK(h.status().code() == StatusCode::kInvalidArgument);
  }
  const std::string long_id(300, 'x');
  auto h = parse_id_hook(R"({"AdvertId":")" + long_id + "\"}", format());
  REQUIRE_FALSE(h.ok());
  CHECK(h.status().message().find("AdvertId") != std::string::npos);
  CHECK(h.status().message().find(long_id) == std::string::npos);
  std::string many = "[";
  for (int i = 0; i < 101; ++i)
    many += std::string(i ? "," : "") + "{}";
  CHECK_FALSE(parse_id_hook(many + "]", format()).ok());
}

TEST_CASE("shared key: equal only to a configured key, whatever the lengths") {
  const std::vector<std::string> keys = {"first-key-0123456789", "second-key-0123456789"};
  CHECK(ingest::shared_key_matches("second-key-0123456789", keys));
  CHECK(ingest::shared_key_matches("first-key-0123456789", keys));
  CHECK_FALSE(ingest::shared_key_matches("first-key-012345678", keys));
  CHECK_FALSE(ingest::shared_key_matches("", keys));
  CHECK_FALSE(ingest::shared_key_matches("", {""}));
  CHECK_FALSE(ingest::shared_key_matches("first-key-0123456789", {}));
}
