// Retry-After (RFC 9110 §10.2.3) from an ATS API's 429 or 503: how long to wait, in seconds.
// Used by the request budget (connector/outbound) and the Webcruiter client alike.
#pragma once

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace mangfold {

inline constexpr std::int64_t kDefaultRetryAfterSeconds = 30;  // when the answer does not say
inline constexpr std::int64_t kMaxRetryAfterSeconds = 3600;    // a longer wait is capped

// `value` as delta-seconds or an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), in seconds
// from `now_unix`, clamped to [1, 3600]; 30 when absent or unreadable. Any bytes are safe.
inline std::int64_t retry_after_seconds(std::string_view value, std::int64_t now_unix) {
  auto digits = [](std::string_view v) {
    return !v.empty() &&
           std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  std::int64_t wait = -1;
  if (digits(value)) {
    // More than nine digits is longer than any cap: no overflow to worry about.
    wait = value.size() > 9 ? kMaxRetryAfterSeconds : std::stoll(std::string(value));
  } else if (!value.empty() && value.size() < 64) {
    std::tm tm{};
    const std::string s(value);
    if (const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        end && *end == '\0')
      wait = static_cast<std::int64_t>(timegm(&tm)) - now_unix;
  }
  if (wait < 0) wait = kDefaultRetryAfterSeconds;
  return std::clamp<std::int64_t>(wait, 1, kMaxRetryAfterSeconds);
}

}  // namespace mangfold
