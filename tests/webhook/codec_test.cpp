#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "connector/webhook/codec.hpp"

using namespace mangfold::webhook;

namespace {

std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i)
    s += static_cast<char>(i);
  return s;
}

}  // namespace

TEST_CASE("base64 matches the RFC 4648 §10 test vectors both ways") {
  struct Row {
    std::string_view plain, encoded;
  };
  for (const Row& row :
       {Row{"", ""}, Row{"f", "Zg=="}, Row{"fo", "Zm8="}, Row{"foo", "Zm9v"},
        Row{"foob", "Zm9vYg=="}, Row{"fooba", "Zm9vYmE="}, Row{"foobar", "Zm9vYmFy"}}) {
    CAPTURE(row.plain);
    CHECK(base64_encode(row.plain) == row.encoded);
    const auto decoded = base64_decode(row.encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == row.plain);
  }
}

TEST_CASE("base64 round-trips all 256 byte values at every length and padding") {
  const std::string bytes = all_bytes();
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    CAPTURE(n);
    const std::string_view slice = std::string_view(bytes).substr(256 - n);
    const std::string encoded = base64_encode(slice);
    CHECK(encoded.size() == (n + 2) / 3 * 4);
    const auto decoded = base64_decode(encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == slice);
  }
  // The high bytes use '+' and '/', the standard (not URL-safe) alphabet.
  CHECK(base64_encode("\xfb\xff") == "+/8=");
}

TEST_CASE("base64 decoding is strict") {
  for (std::string_view bad : {
           "Zg",          // missing padding
           "Zg=",         // length not a multiple of 4
           "Zm9v=",       // ditto
           "Z===",        // three '='
           "====",        // only padding
           "=Zm9",        // '=' at the start
           "Zg==Zg==",    // '=' in the middle
           "Zm9v\n",      // trailing newline
           " Zm9v",       // leading space
           "Zm 9v",       // inner space
           "Zm-v",        // URL-safe alphabet
           "Zm_v",        // URL-safe alphabet
           "Zh==",        // non-zero padding bits after one byte
           "Zm9=",        // non-zero padding bits after two bytes
           "Zm\xc3\xa6",  // non-ASCII bytes
       }) {
    CAPTURE(bad);
    const auto r = base64_decode(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == mangfold::StatusCode::kInvalidArgument);
  }
  // A NUL byte inside the view is a bad character, not an end of string.
  CHECK_FALSE(base64_decode(std::string_view("Zm\0v", 4)).ok());
}

TEST_CASE("hex round-trips all 256 byte values, decoding ignores case, encoding is lowercase") {
  const std::string bytes = all_bytes();
  const std::string encoded = hex_encode(bytes);
  CHECK(encoded.size() == 512);
  CHECK(encoded.substr(0, 8) == "00010203");
  CHECK(encoded.substr(504) == "fcfdfeff");
  const auto lower = hex_decode(encoded);
  REQUIRE(lower.ok());
  CHECK(*lower == bytes);

  std::string upper = encoded;
  for (char& c : upper) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  const auto from_upper = hex_decode(upper);
  REQUIRE(from_upper.ok());
  CHECK(*from_upper == bytes);
  CHECK(*hex_decode("aBcD") == "\xab\xcd");
  CHECK(hex_decode("")->empty());
}

TEST_CASE("hex decoding is strict") {
  for (std::string_view bad : {"0", "abc", "zz", "0g", "-1", " 00", "00 ", "0x00", "ab\n"}) {
    CAPTURE(bad);
    const auto r = hex_decode(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == mangfold::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("HMAC matches RFC 2202 / RFC 4231 test case 2 for every algorithm") {
  struct Row {
    HmacAlgorithm algorithm;
    std::string_view name, hex;
  };
  for (const Row& row :
       {Row{HmacAlgorithm::kSha1, "sha1", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
        Row{HmacAlgorithm::kSha256, "sha256",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        Row{HmacAlgorithm::kSha512, "sha512",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
            "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"}}) {
    CAPTURE(row.name);
    CHECK(to_string(row.algorithm) == row.name);
    const auto mac = hmac(row.algorithm, "Jefe", "what do ya want for nothing?");
    REQUIRE(mac.ok());
    CHECK(hex_encode(*mac) == row.hex);
  }
}

TEST_CASE("HMAC accepts an empty key and empty data") {
  // Values from Python's hmac module.
  const auto empty = hmac(HmacAlgorithm::kSha256, "", "");
  REQUIRE(empty.ok());
  CHECK(hex_encode(*empty) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  const auto abc = hmac(HmacAlgorithm::kSha256, std::string_view(), "abc");
  REQUIRE(abc.ok());
  CHECK(hex_encode(*abc) == "fd7adb152c05ef80dccf50a1fa4c05d5a3ec6da95575fc312ae7c5d091836351");
}

TEST_CASE("constant_time_equal compares content and length") {
  CHECK(constant_time_equal("", ""));
  CHECK(constant_time_equal("abc", "abc"));
  CHECK(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  CHECK_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "ab"));
  CHECK_FALSE(constant_time_equal("", "a"));
}

TEST_CASE("sha256_hex matches the FIPS 180-2 examples") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
