// A calendar date (no time zone, no clock). Parsed from ISO 8601 "YYYY-MM-DD".
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace mangfold::domain {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  auto operator<=>(const Date&) const = default;

  // "YYYY-MM-DD" with a real calendar day (leap years included); nullopt otherwise.
  static std::optional<Date> parse(std::string_view text);
  std::string to_string() const;
  // Days since 1970-01-01 (negative before). Lets callers add days without a clock.
  long days_since_epoch() const;
  static Date from_days_since_epoch(long days);
};

}  // namespace mangfold::domain
