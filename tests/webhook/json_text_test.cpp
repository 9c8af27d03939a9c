// json_text writes JSON without a tree; every byte must be what nlohmann's dump (the
// project's reference writer) makes of the same value.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "connector/common/json_text.hpp"

namespace mangfold::json_text {
namespace {

std::string reference(std::string_view s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ours(std::string_view s) {
  std::string out = "x";  // appends, never overwrites
  append_string(out, s);
  return out.substr(1);
}

TEST_CASE("strings: every escape, non-ASCII and DEL as nlohmann writes them") {
  std::string all;
  for (int c = 0; c < 0x80; ++c)
    all += static_cast<char>(c);
  for (const std::string& s :
       {std::string(), std::string("plain"), std::string("a\"b\\c/d"), std::string("\b\f\n\r\t"),
        std::string("\x01\x1f\x7f", 3), std::string("\0nul", 4),
        std::string("Søk på «stillingen» – nå"), std::string("emoji \xF0\x9F\x98\x80 end"), all})
    CHECK(ours(s) == reference(s));
  CHECK(ours("\x1f") == "\"\\u001f\"");  // lower-case hex
}

TEST_CASE("strings: invalid UTF-8 gets nlohmann's U+FFFD replacement") {
  for (const std::string& s :
       {std::string("\xff"), std::string("ok \xc3 cut"), std::string("\xed\xa0\x80 surrogate"),
        std::string("\xc0\xaf overlong"), std::string("\xf4\x90\x80\x80 too big"),
        std::string("tail \xe2\x82")}) {
    CHECK_FALSE(valid_utf8(s));
    CHECK(ours(s) == reference(s));
    CHECK(ours(s).find("\xef\xbf\xbd") != std::string::npos);
  }
}

TEST_CASE("strings: 20,000 random byte strings, mostly text, as nlohmann writes them") {
  std::mt19937 random(22);
  const std::string pieces[] = {"a",    "Z",    " ",   "\"", "\\", "\n", "\x01",
                                "/",    "æ",    "ø",   "å",  "«",  "€",  "\xF0\x9F\x98\x80",
                                "\x7f", "\xff", "\xc3"};
  for (int n = 0; n < 20000; ++n) {
    std::string s;
    const int length = static_cast<int>(random() % 40);
    for (int i = 0; i < length; ++i)
      s += pieces[random() % std::size(pieces)];
    REQUIRE(ours(s) == reference(s));
  }
}

TEST_CASE("keys and integers") {
  std::string out;
  append_key(out, "first", true);
  append_int(out, 0);
  append_key(out, "n\"ext");
  append_int(out, -42);
  append_key(out, "max");
  append_int(out, std::numeric_limits<std::int64_t>::max());
  append_key(out, "min");
  append_int(out, std::numeric_limits<std::int64_t>::min());
  const nlohmann::json j = {{"first", 0},
                            {"n\"ext", -42},
                            {"max", std::numeric_limits<std::int64_t>::max()},
                            {"min", std::numeric_limits<std::int64_t>::min()}};
  // nlohmann sorts keys; compare member by member through a parse of ours.
  CHECK(nlohmann::json::parse("{" + out + "}") == j);
  CHECK(out ==
        "\"first\":0,\"n\\\"ext\":-42,\"max\":9223372036854775807,\"min\":-9223372036854775808");
}

}  // namespace
}  // namespace mangfold::json_text
