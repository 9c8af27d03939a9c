// Retry-After values from ATS API answers (connector/common/retry_after.hpp): any bytes give a
// wait within [1, 3600] seconds, whatever the clock.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "connector/common/retry_after.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  for (std::int64_t now : {std::int64_t{0}, std::int64_t{1'780'000'000}, std::int64_t{-1}}) {
    const std::int64_t wait = mangfold::retry_after_seconds(value, now);
    if (wait < 1 || wait > mangfold::kMaxRetryAfterSeconds) {
      std::fprintf(stderr, "fuzz: Retry-After gave a wait of %lld s\n",
                   static_cast<long long>(wait));
      std::abort();
    }
  }
  return 0;
}
