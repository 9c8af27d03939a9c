// The policy engine against DESIGN.md §5, one table row per edge case.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "connector/policy/engine.hpp"
#include "policy_test_support.hpp"

using namespace mangfold;
using namespace mangfold::policy::testing;
using domain::Answer;
using domain::Outcome;
using domain::Qualification;
using domain::Severity;
using domain::Stage;

namespace {

policy::Policy interview_policy(int min_count, std::uint32_t share_ppm) {
  policy::Policy p;
  p.id = "test";
  p.version = "1";
  p.groups.push_back({kGroup, "innvandrerbakgrunn", ""});
  p.rules.push_back(
      {"interview", true, {}, policy::InterviewMinimum{kGroup, min_count, share_ppm}});
  return p;
}

struct Row {
  const char* name;
  int min_count;
  std::uint32_t share_ppm;
  std::vector<domain::Application> applications;
  Outcome outcome;
  int missing;
  int q, n, i, r;
  const char* reason_code;
};

}  // namespace

TEST_CASE("interview_minimum: R = min(Q, max(min_count, ceil(min_share × N)))") {
  const std::vector<Row> rows = {
      {"Q below min_count: everyone qualified in the group invited is enough",
       2,
       0,
       {person(Y, QY, Stage::kInterview), person(N, QY, Stage::kInterview)},
       Outcome::kCompliant,
       0,
       1,
       2,
       1,
       1,
       "requirement_met"},
      {"N = 0 with min_count: the one qualified must still be invited",
       1,
       0,
       {person(Y, QY, Stage::kApplied), person(N, QY, Stage::kApplied)},
       Outcome::kShortfall,
       1,
       1,
       0,
       0,
       1,
       "below_required"},
      {"N = 0 with a share only: nothing required yet",
       0,
       500000,
       {person(Y, QY, Stage::kApplied), person(Y, QY, Stage::kApplied)},
       Outcome::kCompliant,
       0,
       2,
       0,
       0,
       0,
       "requirement_met"},
      {"ceil rounding: half of 5 invited is 3",
       0,
       500000,
       {person(Y, QY, Stage::kInterview), person(Y, QY, Stage::kInterview),
        person(Y, QY, Stage::kApplied), person(N, QY, Stage::kInterview),
        person(N, QY, Stage::kInterview), person(N, QY, Stage::kInterview)},
       Outcome::kShortfall,
       1,
       3,
       5,
       2,
       3,
       "below_required"},
      {"exact shares: 30 % of 10 is 3, not 4",
       0,
       300000,
       {person(Y, QY, Stage::kInterview), person(Y, QY, Stage::kInterview),
        person(Y, QY, Stage::kInterview), person(Y, QY, Stage::kApplied),
        person(N, QY, Stage::kInterview), person(N, QY, Stage::kInterview),
        person(N, QY, Stage::kInterview), person(N, QY, Stage::kInterview),
        person(N, QY, Stage::kInterview), person(N, QY, Stage::kInterview),
        person(N, QY, Stage::kInterview)},
       Outcome::kCompliant,
       0,
       4,
       10,
       3,
       3,
       "requirement_met"},
      {"unknown answers never count as in the group",
       1,
       0,
       {person(U, QY, Stage::kInterview), person(U, QY, Stage::kInterview),
        person(Y, QY, Stage::kApplied)},
       Outcome::kShortfall,
       1,
       1,
       2,
       0,
       1,
       "below_required"},
      {"invited then withdrawn still counts as invited",
       1,
       0,
       {person(Y, QY, Stage::kWithdrawn, {Stage::kApplied, Stage::kInterview}),
        person(Y, QY, Stage::kApplied)},
       Outcome::kCompliant,
       0,
       2,
       1,
       1,
       1,
       "requirement_met"},
      {"invited then rejected still counts as invited",
       1,
       0,
       {person(Y, QY, Stage::kRejected, {Stage::kInterview})},
       Outcome::kCompliant,
       0,
       1,
       1,
       1,
       1,
       "requirement_met"},
      {"status moving backwards keeps the invitation",
       1,
       0,
       {person(Y, QY, Stage::kApplied, {Stage::kApplied, Stage::kInterview})},
       Outcome::kCompliant,
       0,
       1,
       1,
       1,
       1,
       "requirement_met"},
      {"an invitation without an assessment counts as qualified",
       1,
       0,
       {person(Y, Q_, Stage::kInterview)},
       Outcome::kCompliant,
       0,
       1,
       1,
       1,
       1,
       "requirement_met"},
      {"no qualified applicant in the group: not applicable",
       1,
       0,
       {person(Y, QN, Stage::kApplied), person(N, QY, Stage::kInterview)},
       Outcome::kNotApplicable,
       0,
       0,
       1,
       0,
       0,
       "no_qualified_in_group"},
      {"nobody in the group applied: not applicable, worth reporting",
       1,
       0,
       {person(N, QY, Stage::kInterview), person(U, QY, Stage::kApplied)},
       Outcome::kNotApplicable,
       0,
       0,
       1,
       0,
       0,
       "no_applicant_in_group"},
      {"applicants in the group not yet assessed: insufficient data",
       1,
       0,
       {person(Y, Q_, Stage::kApplied), person(Y, QN, Stage::kApplied)},
       Outcome::kInsufficientData,
       0,
       0,
       0,
       0,
       0,
       "not_yet_assessed"},
      {"no applications at all",
       1,
       0,
       {},
       Outcome::kNotApplicable,
       0,
       0,
       0,
       0,
       0,
       "no_applicant_in_group"},
      {"min_count and share together: the larger wins",
       1,
       500000,
       {person(Y, QY, Stage::kInterview), person(Y, QY, Stage::kApplied),
        person(N, QY, Stage::kInterview), person(N, QY, Stage::kInterview),
        person(N, QY, Stage::kInterview)},
       Outcome::kShortfall,
       1,
       2,
       4,
       1,
       2,
       "below_required"},
      // Seed 000 line 9: «dersom hun eller han er kvalifisert».
      {"an invitee explicitly not qualified counts in N, but neither in I nor in Q",
       1,
       0,
       {person(Y, QN, Stage::kInterview), person(Y, QY, Stage::kApplied)},
       Outcome::kShortfall,
       1,
       1,
       1,
       0,
       1,
       "below_required"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    domain::Snapshot s;
    s.vacancy.id = "v1";
    s.applications = row.applications;
    const domain::Verdict v = policy::evaluate(interview_policy(row.min_count, row.share_ppm), s);
    REQUIRE(v.rules.size() == 1);
    const domain::RuleVerdict& r = v.rules[0];
    CHECK(r.outcome == row.outcome);
    CHECK(r.missing == row.missing);
    CHECK(r.counts.qualified_in_group == row.q);
    CHECK(r.counts.invited == row.n);
    CHECK(r.counts.invited_in_group == row.i);
    CHECK(r.counts.required == row.r);
    CHECK(r.reason_code == row.reason_code);
    CHECK(v.overall == row.outcome);
    CHECK(v.policy_version == "1");
  }
}

TEST_CASE("ceil_share is exact integer arithmetic") {
  CHECK(policy::ceil_share(500000, 0) == 0);
  CHECK(policy::ceil_share(500000, 5) == 3);
  CHECK(policy::ceil_share(500000, 6) == 3);
  CHECK(policy::ceil_share(300000, 10) == 3);
  CHECK(policy::ceil_share(333333, 3) == 1);
  CHECK(policy::ceil_share(1, 1) == 1);
  CHECK(policy::ceil_share(1000000, 7) == 7);
  CHECK(policy::ceil_share(700000, 10) == 7);  // 0.7 × 10 in doubles is 7.000000000000001
}

TEST_CASE("a shortfall's severity follows the hiring phase") {
  domain::Snapshot s;
  s.applications = {person(Y, QY, Stage::kApplied), person(N, QY, Stage::kApplied)};
  const auto p = interview_policy(1, 0);
  CHECK(policy::evaluate(p, s).rules[0].severity == Severity::kAdvice);
  s.applications[1].stage = Stage::kInterview;
  CHECK(policy::evaluate(p, s).rules[0].severity == Severity::kWarning);
  s.applications[1].stage = Stage::kRecommended;
  const auto v = policy::evaluate(p, s);
  CHECK(v.phase == domain::Phase::kRecommendation);
  CHECK(v.rules[0].outcome == Outcome::kShortfall);
  CHECK(v.rules[0].severity == Severity::kBreach);
}

TEST_CASE("a re-opened vacancy keeps the invitations of its first round") {
  domain::Snapshot s;
  s.applications = {person(Y, QY, Stage::kRejected, {Stage::kInterview}),
                    person(Y, QY, Stage::kApplied)};
  s.vacancy.status = domain::VacancyStatus::kClosed;
  const auto closed = policy::evaluate(interview_policy(1, 0), s);
  s.vacancy.status = domain::VacancyStatus::kOpen;
  s.applications.push_back(person(N, QY, Stage::kInterview));  // second round
  const auto reopened = policy::evaluate(interview_policy(1, 0), s);
  CHECK(closed.rules[0].outcome == Outcome::kCompliant);
  CHECK(reopened.rules[0].outcome == Outcome::kCompliant);
  CHECK(reopened.rules[0].counts.invited == 2);
  CHECK(reopened.rules[0].counts.invited_in_group == 1);
}

TEST_CASE("several target groups are evaluated independently") {
  policy::Policy p = interview_policy(1, 0);
  p.groups.push_back({"non_western_background", "", ""});
  p.rules.push_back(
      {"non_western", true, {}, policy::InterviewMinimum{"non_western_background", 1, 0}});
  domain::Snapshot s;
  auto a = person(Y, QY, Stage::kInterview);
  a.answers.emplace("non_western_background", Answer::kNo);
  auto b = person(Y, QY, Stage::kApplied);
  b.answers.emplace("non_western_background", Answer::kYes);
  s.applications = {a, b};
  const auto v = policy::evaluate(p, s);
  REQUIRE(v.rules.size() == 2);
  CHECK(v.rules[0].outcome == Outcome::kCompliant);
  CHECK(v.rules[1].outcome == Outcome::kShortfall);
  CHECK(v.rules[1].group == "non_western_background");
  CHECK(v.rules[1].counts.qualified_in_group == 1);
  CHECK(v.overall == Outcome::kShortfall);
}

TEST_CASE("a policy change while a vacancy is open is a re-evaluation of the same snapshot") {
  domain::Snapshot s;
  s.applications = {person(Y, QY, Stage::kInterview), person(Y, QY, Stage::kApplied),
                    person(N, QY, Stage::kInterview), person(N, QY, Stage::kInterview)};
  policy::Policy v1 = interview_policy(1, 0);
  policy::Policy v2 = interview_policy(0, 500000);
  v2.version = "2";
  const auto before = policy::evaluate(v1, s);
  const auto after = policy::evaluate(v2, s);
  CHECK(before.overall == Outcome::kCompliant);
  CHECK(after.overall == Outcome::kShortfall);  // half of 3 invited → 2 needed, 1 invited
  CHECK(after.policy_version == "2");
}

TEST_CASE("scope filters") {
  policy::Policy p = interview_policy(1, 0);
  domain::Snapshot s;
  s.applications = {person(Y, QY, Stage::kApplied)};
  s.vacancy.job_types = {"Sommerjobb"};
  p.rules[0].scope.exclude_job_types = {"sommerjobb"};
  CHECK(policy::evaluate(p, s).rules[0].reason_code == "out_of_scope");
  CHECK(policy::evaluate(p, s).rules[0].outcome == Outcome::kNotApplicable);

  p.rules[0].scope = {};
  p.rules[0].scope.job_types = {"Fast"};
  CHECK(policy::evaluate(p, s).rules[0].reason_code == "out_of_scope");
  s.vacancy.job_types = {"Fast", "Vikariat"};
  CHECK(policy::evaluate(p, s).rules[0].outcome == Outcome::kShortfall);
  s.vacancy.job_types.clear();  // the ATS did not say: keep checking
  CHECK(policy::evaluate(p, s).rules[0].outcome == Outcome::kShortfall);

  p.rules[0].scope = {};
  p.rules[0].scope.include_internal = false;
  s.vacancy.internal_only = true;
  CHECK(policy::evaluate(p, s).rules[0].reason_code == "out_of_scope");

  p.rules[0].scope = {};
  p.rules[0].scope.min_applicants = 2;
  CHECK(policy::evaluate(p, s).rules[0].reason_code == "out_of_scope");
}

TEST_CASE("disabled rules are skipped and the effective date is honoured") {
  policy::Policy p = interview_policy(1, 0);
  p.effective_from = domain::Date::parse("2026-01-01");
  domain::Snapshot s;
  s.applications = {person(Y, QY, Stage::kApplied)};
  policy::EvaluationContext before{domain::Date::parse("2025-12-31")};
  policy::EvaluationContext on{domain::Date::parse("2026-01-01")};
  CHECK(policy::evaluate(p, s, before).rules[0].reason_code == "policy_not_in_effect");
  CHECK(policy::evaluate(p, s, on).rules[0].outcome == Outcome::kShortfall);
  p.rules[0].enabled = false;
  CHECK(policy::evaluate(p, s, on).rules.empty());
}

TEST_CASE("hire_justification (§7)") {
  policy::Policy p;
  p.id = "t";
  p.version = "1";
  p.groups.push_back({kGroup, "", ""});
  p.rules.push_back({"justify", true, {}, policy::HireJustification{kGroup}});
  auto eval = [&](const domain::Snapshot& s) { return policy::evaluate(p, s).rules.at(0); };

  domain::Snapshot s;
  s.applications = {person(Y, QY, Stage::kInterviewed), person(N, QY, Stage::kInterviewed)};
  CHECK(eval(s).reason_code == "no_proposal");

  s.applications[1].stage = Stage::kRecommended;
  CHECK(eval(s).outcome == Outcome::kShortfall);
  CHECK(eval(s).reason_code == "justification_missing");
  CHECK(eval(s).severity == Severity::kBreach);

  s.vacancy.hire_justification_given = true;
  CHECK(eval(s).outcome == Outcome::kCompliant);
  CHECK(eval(s).reason_code == "justification_given");

  s.vacancy.hire_justification_given = false;
  s.applications[0].stage = Stage::kOffered;  // both proposed, one in the group
  CHECK(eval(s).reason_code == "proposal_includes_group");

  // Only an unqualified applicant in the group: the default trigger needs a qualified one,
  // the letter of IMDi §7 (any_in_group) does not.
  s.applications = {person(Y, QN, Stage::kApplied), person(N, QY, Stage::kHired)};
  CHECK(eval(s).reason_code == "no_qualified_in_group");
  std::get<policy::HireJustification>(p.rules[0].spec).trigger =
      policy::JustificationTrigger::kAnyInGroup;
  CHECK(eval(s).reason_code == "justification_missing");
}

TEST_CASE("moderate_quota flags an equally scored applicant in the group") {
  policy::Policy p;
  p.id = "t";
  p.version = "1";
  p.groups.push_back({kGroup, "", ""});
  p.rules.push_back(
      {"quota", true, {}, policy::ModerateQuota{kGroup, policy::QuotaBasis::kScore, 500000}});
  auto eval = [&](const domain::Snapshot& s) { return policy::evaluate(p, s).rules.at(0); };

  domain::Snapshot s;
  auto hire = person(N, QY, Stage::kRecommended);
  hire.score = 8.0;
  auto close = person(Y, QY, Stage::kInterviewed);
  close.score = 7.5;
  s.applications = {hire, close};
  CHECK(eval(s).outcome == Outcome::kShortfall);
  CHECK(eval(s).reason_code == "equal_candidate_in_group");

  s.applications[1].score = 7.4;
  CHECK(eval(s).outcome == Outcome::kCompliant);

  s.applications[1].score.reset();
  CHECK(eval(s).outcome == Outcome::kInsufficientData);

  // By rank (1 is best): rank 2 within a tolerance of 1 place of rank 1.
  std::get<policy::ModerateQuota>(p.rules[0].spec) = {kGroup, policy::QuotaBasis::kRank, 1000000};
  s.applications[0].rank = 1;
  s.applications[1].rank = 2;
  CHECK(eval(s).outcome == Outcome::kShortfall);
  s.applications[1].rank = 3;
  CHECK(eval(s).outcome == Outcome::kCompliant);

  s.applications[1].stage = Stage::kHired;                // the group's applicant is hired as well:
  CHECK(eval(s).reason_code == "no_qualified_in_group");  // no one left in the group to prefer
  s.applications[0].stage = Stage::kInterviewed;          // the group's applicant is the only hire
  CHECK(eval(s).outcome == Outcome::kCompliant);
  CHECK(eval(s).reason_code == "proposal_includes_group");
}
