#include <doctest/doctest.h>

#include "connector/domain/date.hpp"
#include "connector/domain/vacancy.hpp"
#include "connector/domain/verdict.hpp"

using namespace mangfold::domain;

TEST_CASE("Date parses real calendar days only") {
  CHECK(Date::parse("2024-02-29").has_value());
  CHECK_FALSE(Date::parse("2023-02-29").has_value());
  CHECK_FALSE(Date::parse("2026-13-01").has_value());
  CHECK_FALSE(Date::parse("2026-1-01").has_value());
  CHECK_FALSE(Date::parse("2026-01-0x").has_value());
  CHECK(Date::parse("2026-10-24")->to_string() == "2026-10-24");
}

TEST_CASE("Date round-trips through days since epoch") {
  for (const char* s : {"1970-01-01", "2000-02-29", "2026-11-23", "1969-12-31", "2100-03-01"}) {
    Date d = *Date::parse(s);
    CHECK(Date::from_days_since_epoch(d.days_since_epoch()) == d);
  }
  CHECK(Date::parse("1970-01-02")->days_since_epoch() == 1);
  CHECK(Date::parse("2026-01-01")->days_since_epoch() -
            Date::parse("2025-01-01")->days_since_epoch() ==
        365);
}

TEST_CASE("an invitee who withdrew or was rejected still counts as invited") {
  Application a;
  a.stage = Stage::kWithdrawn;
  CHECK_FALSE(a.invited());
  a.history = {Stage::kApplied, Stage::kInterview};
  CHECK(a.invited());
  a.stage = Stage::kRejected;
  CHECK(a.invited());
}

TEST_CASE("a status moving backwards does not undo an invitation") {
  Application a;
  a.history = {Stage::kApplied, Stage::kInterview};
  a.stage = Stage::kApplied;
  CHECK(a.invited());
}

TEST_CASE("qualification: assessed value wins, an invitation implies qualified") {
  Application a;
  CHECK_FALSE(a.qualified());
  a.stage = Stage::kInterview;
  CHECK(a.qualified());
  a.qualification = Qualification::kNotQualified;
  CHECK_FALSE(a.qualified());
  a.qualification = Qualification::kQualified;
  a.stage = Stage::kApplied;
  CHECK(a.qualified());
}

TEST_CASE("unanswered target-group questions are unknown, never yes") {
  Application a;
  CHECK(a.answer("immigrant_background") == Answer::kUnknown);
  a.answers.emplace("immigrant_background", Answer::kYes);
  CHECK(a.answer("immigrant_background") == Answer::kYes);
  CHECK(a.answer("non_western_background") == Answer::kUnknown);
}

TEST_CASE("phase follows the furthest stage") {
  Snapshot s;
  CHECK(phase_of(s) == Phase::kScreening);
  s.applications.resize(2);
  s.applications[0].stage = Stage::kInterview;
  CHECK(phase_of(s) == Phase::kInterviewing);
  s.applications[1].stage = Stage::kRecommended;
  CHECK(phase_of(s) == Phase::kRecommendation);
}

TEST_CASE("stage names round-trip") {
  for (int i = 0; i <= static_cast<int>(Stage::kWithdrawn); ++i) {
    auto s = static_cast<Stage>(i);
    CHECK(stage_from_string(to_string(s)) == s);
  }
  CHECK_FALSE(stage_from_string("intervju").has_value());
}

TEST_CASE("most_pressing orders shortfall over insufficient data over compliant") {
  CHECK(most_pressing(Outcome::kCompliant, Outcome::kShortfall) == Outcome::kShortfall);
  CHECK(most_pressing(Outcome::kInsufficientData, Outcome::kCompliant) ==
        Outcome::kInsufficientData);
  CHECK(most_pressing(Outcome::kNotApplicable, Outcome::kCompliant) == Outcome::kCompliant);
}
