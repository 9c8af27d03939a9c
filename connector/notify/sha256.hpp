// SHA-256 (FIPS 180-4), internal to connector/notify: the deterministic Message-IDs and
// MIME boundaries need a stable hash with no failure mode and no library state.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mangfold::notify::detail {

std::array<std::uint8_t, 32> sha256(std::string_view data);
// The first `bytes` bytes of the digest as lower-case hex.
std::string sha256_hex(std::string_view data, size_t bytes = 32);

}  // namespace mangfold::notify::detail
