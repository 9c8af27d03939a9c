#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

#include "connector/domain/date.hpp"
#include "connector/domain/vacancy.hpp"
#include "connector/domain/verdict.hpp"

namespace mangfold::domain {

namespace {

bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[static_cast<size_t>(m - 1)];
}

bool parse_int(std::string_view s, int& out) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size();
}

constexpr std::array<std::string_view, 8> kStageNames = {"applied",     "interview", "interviewed",
                                                         "recommended", "offered",   "hired",
                                                         "rejected",    "withdrawn"};

}  // namespace

std::optional<Date> Date::parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  Date d;
  if (!parse_int(text.substr(0, 4), d.year) || !parse_int(text.substr(5, 2), d.month) ||
      !parse_int(text.substr(8, 2), d.day))
    return std::nullopt;
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month))
    return std::nullopt;
  return d;
}

std::string Date::to_string() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

// Howard Hinnant's days_from_civil.
long Date::days_since_epoch() const {
  const int y = month <= 2 ? year - 1 : year;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(month + (month > 2 ? -3 : 9));
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

Date Date::from_days_since_epoch(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long y = static_cast<long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(m <= 2 ? y + 1 : y), static_cast<int>(m), static_cast<int>(d)};
}

std::string_view to_string(Answer a) {
  switch (a) {
    case Answer::kYes:
      return "yes";
    case Answer::kNo:
      return "no";
    case Answer::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view to_string(Qualification q) {
  switch (q) {
    case Qualification::kQualified:
      return "qualified";
    case Qualification::kNotQualified:
      return "not_qualified";
    case Qualification::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view to_string(Stage s) {
  return kStageNames[static_cast<size_t>(s)];
}

std::optional<Answer> answer_from_string(std::string_view s) {
  if (s == "yes") return Answer::kYes;
  if (s == "no") return Answer::kNo;
  if (s == "unknown") return Answer::kUnknown;
  return std::nullopt;
}

std::optional<Stage> stage_from_string(std::string_view s) {
  for (size_t i = 0; i < kStageNames.size(); ++i)
    if (kStageNames[i] == s) return static_cast<Stage>(i);
  return std::nullopt;
}

bool reaches_interview(Stage s) {
  return s >= Stage::kInterview && s <= Stage::kHired;
}
bool proposes_hire(Stage s) {
  return s >= Stage::kRecommended && s <= Stage::kHired;
}

Answer Application::answer(std::string_view group) const {
  auto it = answers.find(group);
  return it == answers.end() ? Answer::kUnknown : it->second;
}

bool Application::invited() const {
  return reaches_interview(stage) || std::any_of(history.begin(), history.end(), reaches_interview);
}

bool Application::qualified() const {
  if (qualification == Qualification::kQualified) return true;
  if (qualification == Qualification::kNotQualified) return false;
  return invited();
}

std::string language_from_culture(std::string_view culture) {
  std::string lang;
  for (char c : culture) {
    if (c == '-' || c == '_') break;
    lang += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  // Norwegian without a written standard (no, nor) is published as bokmål.
  if (lang == "no" || lang == "nob" || lang == "nor") return "nb";
  if (lang == "nno") return "nn";
  if (lang == "eng") return "en";
  return lang;
}

std::string_view to_string(VacancyStatus s) {
  return s == VacancyStatus::kOpen ? "open" : "closed";
}

std::string_view to_string(Phase p) {
  switch (p) {
    case Phase::kInterviewing:
      return "interviewing";
    case Phase::kRecommendation:
      return "recommendation";
    case Phase::kScreening:
      break;
  }
  return "screening";
}

Phase phase_of(const Snapshot& s) {
  Phase p = Phase::kScreening;
  for (const Application& a : s.applications) {
    if (proposes_hire(a.stage)) return Phase::kRecommendation;
    if (a.invited()) p = Phase::kInterviewing;
  }
  return p;
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::kCompliant:
      return "compliant";
    case Outcome::kShortfall:
      return "shortfall";
    case Outcome::kInsufficientData:
      return "insufficient_data";
    case Outcome::kNotApplicable:
      break;
  }
  return "not_applicable";
}

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::kAdvice:
      return "advice";
    case Severity::kWarning:
      return "warning";
    case Severity::kBreach:
      return "breach";
    case Severity::kNone:
      break;
  }
  return "none";
}

Outcome most_pressing(Outcome a, Outcome b) {
  auto rank = [](Outcome o) {
    switch (o) {
      case Outcome::kShortfall:
        return 3;
      case Outcome::kInsufficientData:
        return 2;
      case Outcome::kCompliant:
        return 1;
      case Outcome::kNotApplicable:
        break;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace mangfold::domain
