#include "connector/notify/sha256.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <stdexcept>

namespace mangfold::notify::detail {

std::array<std::uint8_t, 32> sha256(std::string_view data) {
  std::array<std::uint8_t, 32> digest{};
  unsigned int length = 0;
  static constexpr unsigned char kEmpty = 0;
  const void* ptr = data.empty() ? &kEmpty : static_cast<const void*>(data.data());
  // EVP_Digest fails only when OpenSSL cannot allocate; that is not a state to go on in.
  if (EVP_Digest(ptr, data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != 32)
    throw std::runtime_error("SHA-256 failed in OpenSSL");
  return digest;
}

std::string sha256_hex(std::string_view data, size_t bytes) {
  const std::array<std::uint8_t, 32> digest = sha256(data);
  std::string out;
  for (size_t i = 0; i < bytes && i < digest.size(); ++i) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out += hex;
  }
  return out;
}

}  // namespace mangfold::notify::detail
