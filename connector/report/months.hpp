// Internal to connector/report: calendar months as "YYYY-MM" strings.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace mangfold::report::months {

struct YearMonth {
  int year = 0;
  int month = 1;  // 1..12
  int index() const { return year * 12 + (month - 1); }
  static YearMonth from_index(int i) { return {i / 12, i % 12 + 1}; }
  std::string str() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
    return buf;
  }
};

inline std::optional<YearMonth> parse(std::string_view s) {
  if (s.size() != 7 || s[4] != '-') return std::nullopt;
  int year = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    year = year * 10 + (s[i] - '0');
  }
  if (s[5] < '0' || s[5] > '9' || s[6] < '0' || s[6] > '9') return std::nullopt;
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  if (month < 1 || month > 12 || year < 1970) return std::nullopt;
  return YearMonth{year, month};
}

}  // namespace mangfold::report::months
