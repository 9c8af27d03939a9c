// Byte codecs and MACs for webhook signatures, mail and adapters: base64 (standard
// alphabet, padded), hex, HMAC over OpenSSL, and a constant-time comparison.
//
// Strings hold raw bytes (std::string as a byte buffer). Every function is pure and
// thread-safe. Decoders are strict and return kInvalidArgument on malformed input; their
// messages never echo the input, which may be a secret.
#pragma once

#include <string>
#include <string_view>

#include "connector/common/status.hpp"

namespace mangfold::codec {

// RFC 4648 §4 base64 with '=' padding.
std::string base64_encode(std::string_view bytes);
// Rejects characters outside the standard alphabet (including whitespace and the URL-safe
// '-' '_'), a length that is not a multiple of 4, misplaced or excess '=' and non-zero
// padding bits, so every byte string has exactly one accepted encoding. "" decodes to "".
Result<std::string> base64_decode(std::string_view text);

// Lowercase hex.
std::string hex_encode(std::string_view bytes);
// Accepts upper- and lowercase digits; rejects an odd length and any other character.
Result<std::string> hex_decode(std::string_view text);

enum class HmacAlgorithm { kSha1, kSha256, kSha512 };

// "sha1", "sha256", "sha512".
std::string_view to_string(HmacAlgorithm algorithm);

// The raw HMAC of `data` under `key` (20, 32 or 64 bytes). Fails with kInternal only if
// OpenSSL does (allocation failure, or a provider that refuses the key).
Result<std::string> hmac(HmacAlgorithm algorithm, std::string_view key, std::string_view data);

// The SHA-256 of `data` as 64 lower-case hex digits (content fingerprints and
// idempotency keys).
std::string sha256_hex(std::string_view data);

// True when a and b hold the same bytes. The time taken depends on the lengths only, never
// on the content (CRYPTO_memcmp); lengths are not secret for MACs.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace mangfold::codec
