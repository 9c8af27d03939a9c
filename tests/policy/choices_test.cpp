// Choices where the rules follow the seeds' words (issue 17): who counts toward I and Q,
// what an unassessed applicant in the group means for each rule, and the severities.
// Each table row names the seed line (../shared/seeds/) it follows.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "connector/policy/engine.hpp"
#include "policy_test_support.hpp"

using namespace mangfold;
using namespace mangfold::policy::testing;
using domain::Outcome;
using domain::Phase;
using domain::Severity;
using domain::Stage;

namespace {

policy::Policy one_rule(policy::RuleSpec spec) {
  policy::Policy p;
  p.id = "t";
  p.version = "1";
  p.groups.push_back({kGroup, "innvandrerbakgrunn", ""});
  p.rules.push_back({"rule", true, {}, std::move(spec)});
  return p;
}

domain::RuleVerdict evaluate_one(const policy::Policy& p, std::vector<domain::Application> apps,
                                 domain::Phase* phase = nullptr) {
  domain::Snapshot s;
  s.vacancy.id = "v1";
  s.applications = std::move(apps);
  domain::Verdict v = policy::evaluate(p, s);
  REQUIRE(v.rules.size() == 1);
  if (phase) *phase = v.phase;
  return v.rules[0];
}

domain::Application scored(domain::Application a, double score) {
  a.score = score;
  return a;
}

struct Row {
  const char* name;
  policy::RuleSpec spec;
  std::vector<domain::Application> applications;
  Outcome outcome;
  int missing;
  const char* reason_code;
  int q = -1, i = -1;  // checked when not -1
};

}  // namespace

TEST_CASE("who counts: qualified invitees toward I, available qualified applicants toward Q") {
  const policy::InterviewMinimum invite_one{kGroup, 1, 0};
  const policy::InterviewMinimum half{kGroup, 0, 500000};
  const std::vector<Row> rows = {
      // Seed 000 line 9: «minst en søker med innvandrerbakgrunn skal innkalles til intervju
      // dersom hun eller han er kvalifisert».
      {"an invitee assessed not qualified does not count toward I",
       invite_one,
       {person(Y, QN, Stage::kInterview), person(Y, QY, Stage::kApplied)},
       Outcome::kShortfall,
       1,
       "below_required",
       1,
       0},
      {"an invitee without an assessment counts as qualified",
       invite_one,
       {person(Y, Q_, Stage::kInterview), person(Y, QY, Stage::kApplied)},
       Outcome::kCompliant,
       0,
       "requirement_met",
       2,
       1},
      // Seed 001 lines 209-211 (§6.6): «forutsatt at kvalifikasjonskravene er oppfylt».
      {"§6.6: a not-qualified invitee counts in N but not in I",
       half,
       {person(Y, QN, Stage::kInterview), person(Y, QY, Stage::kInterview),
        person(N, QY, Stage::kInterview), person(N, QY, Stage::kInterview),
        person(Y, QY, Stage::kApplied)},
       Outcome::kShortfall,
       1,
       "below_required",
       2,
       1},
      // Seed 000 line 9 again: a qualified applicant who withdrew before any invitation can
      // no longer be invited, so the rule cannot ask for them.
      {"a qualified applicant who withdrew before being invited leaves Q",
       invite_one,
       {person(Y, QY, Stage::kWithdrawn, {Stage::kApplied}), person(N, QY, Stage::kInterview)},
       Outcome::kNotApplicable,
       0,
       "no_qualified_in_group",
       0,
       0},
      {"one who withdrew after the invitation stays in Q and in I",
       invite_one,
       {person(Y, QY, Stage::kWithdrawn, {Stage::kInterview}), person(N, QY, Stage::kInterview)},
       Outcome::kCompliant,
       0,
       "requirement_met",
       1,
       1},
      {"a qualified applicant rejected without interview stays in Q",
       invite_one,
       {person(Y, QY, Stage::kRejected), person(N, QY, Stage::kInterview)},
       Outcome::kShortfall,
       1,
       "below_required",
       1,
       0},
      {"withdrew before being invited, not assessed: neither Q nor unassessed",
       invite_one,
       {person(Y, Q_, Stage::kWithdrawn), person(N, QY, Stage::kInterview)},
       Outcome::kNotApplicable,
       0,
       "no_qualified_in_group",
       0,
       0},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const domain::RuleVerdict r = evaluate_one(one_rule(row.spec), row.applications);
    CHECK(r.outcome == row.outcome);
    CHECK(r.missing == row.missing);
    CHECK(r.reason_code == row.reason_code);
    if (row.q >= 0) CHECK(r.counts.qualified_in_group == row.q);
    if (row.i >= 0) CHECK(r.counts.invited_in_group == row.i);
  }
}

TEST_CASE("applicants in the group not yet assessed: insufficient data in every rule") {
  const policy::ModerateQuota quota{kGroup, policy::QuotaBasis::kScore, 0};
  const policy::HireJustification justify{kGroup};
  const std::vector<Row> rows = {
      // Seed 004 line 92 (moderate quota): an employer must not avoid the flag by leaving the
      // group's applicants unassessed.
      {"moderate_quota: an unassessed group applicant scored as well as the hire",
       quota,
       {scored(person(N, QY, Stage::kRecommended), 7.0),
        scored(person(Y, Q_, Stage::kApplied), 8.0)},
       Outcome::kInsufficientData,
       0,
       "not_yet_assessed"},
      {"moderate_quota: an unassessed group applicant without a score",
       quota,
       {scored(person(N, QY, Stage::kRecommended), 7.0), person(Y, Q_, Stage::kApplied)},
       Outcome::kInsufficientData,
       0,
       "not_yet_assessed"},
      {"moderate_quota: an unassessed group applicant who scored lower cannot change it",
       quota,
       {scored(person(N, QY, Stage::kRecommended), 7.0),
        scored(person(Y, Q_, Stage::kApplied), 6.0)},
       Outcome::kCompliant,
       0,
       "no_equal_candidate"},
      {"moderate_quota: a tie with an assessed one is certain whatever the unassessed are",
       quota,
       {scored(person(N, QY, Stage::kRecommended), 7.0),
        scored(person(Y, QY, Stage::kApplied), 7.0), person(Y, Q_, Stage::kApplied)},
       Outcome::kShortfall,
       1,
       "equal_candidate_in_group"},
      {"moderate_quota: one who withdrew before being invited is no candidate",
       quota,
       {scored(person(N, QY, Stage::kRecommended), 7.0),
        scored(person(Y, QY, Stage::kWithdrawn), 9.0)},
       Outcome::kNotApplicable,
       0,
       "no_qualified_in_group"},
      // Seed 001 lines 217-221 (§7): «I de tilfeller bare personer uten innvandrerbakgrunn
      // foreslås, skal den best kvalifiserte med innvandrerbakgrunn omtales».
      {"§7 (qualified_in_group): unassessed group applicants, none assessed qualified",
       justify,
       {person(N, QY, Stage::kRecommended), person(Y, Q_, Stage::kApplied)},
       Outcome::kInsufficientData,
       0,
       "not_yet_assessed"},
      {"§7 (qualified_in_group): one assessed qualified is enough to require it",
       justify,
       {person(N, QY, Stage::kRecommended), person(Y, Q_, Stage::kApplied),
        person(Y, QY, Stage::kApplied)},
       Outcome::kShortfall,
       1,
       "justification_missing"},
      {"interview_minimum: unassessed, none qualified",
       policy::InterviewMinimum{kGroup, 1, 0},
       {person(N, QY, Stage::kInterview), person(Y, Q_, Stage::kApplied)},
       Outcome::kInsufficientData,
       0,
       "not_yet_assessed"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const domain::RuleVerdict r = evaluate_one(one_rule(row.spec), row.applications);
    CHECK(r.outcome == row.outcome);
    CHECK(r.missing == row.missing);
    CHECK(r.reason_code == row.reason_code);
  }
}

// policies/README.md, "Severity": a shortfall's severity follows the phase and the rule's
// force; insufficient data is advice before the recommendation and a warning from it on;
// compliant and not applicable carry none.
TEST_CASE("severities are consistent across rules") {
  const policy::InterviewMinimum invite_one{kGroup, 1, 0};
  const policy::ModerateQuota quota{kGroup, policy::QuotaBasis::kScore, 0};
  const policy::HireJustification justify{kGroup};
  struct SeverityRow {
    const char* name;
    policy::RuleSpec spec;
    std::vector<domain::Application> applications;
    Phase phase;
    Outcome outcome;
    Severity severity;
  };
  const SeverityRow rows[] = {
      {"interview_minimum shortfall while screening",
       invite_one,
       {person(Y, QY, Stage::kApplied)},
       Phase::kScreening,
       Outcome::kShortfall,
       Severity::kAdvice},
      {"interview_minimum shortfall while interviewing",
       invite_one,
       {person(Y, QY, Stage::kApplied), person(N, QY, Stage::kInterview)},
       Phase::kInterviewing,
       Outcome::kShortfall,
       Severity::kWarning},
      {"interview_minimum shortfall at the recommendation",
       invite_one,
       {person(Y, QY, Stage::kApplied), person(N, QY, Stage::kRecommended)},
       Phase::kRecommendation,
       Outcome::kShortfall,
       Severity::kBreach},
      {"interview_minimum insufficient data while interviewing",
       invite_one,
       {person(Y, Q_, Stage::kApplied), person(N, QY, Stage::kInterview)},
       Phase::kInterviewing,
       Outcome::kInsufficientData,
       Severity::kAdvice},
      {"interview_minimum insufficient data at the recommendation",
       invite_one,
       {person(Y, Q_, Stage::kApplied), person(N, QY, Stage::kRecommended)},
       Phase::kRecommendation,
       Outcome::kInsufficientData,
       Severity::kWarning},
      {"hire_justification missing",
       justify,
       {person(Y, QY, Stage::kApplied), person(N, QY, Stage::kRecommended)},
       Phase::kRecommendation,
       Outcome::kShortfall,
       Severity::kBreach},
      {"hire_justification insufficient data",
       justify,
       {person(Y, Q_, Stage::kApplied), person(N, QY, Stage::kRecommended)},
       Phase::kRecommendation,
       Outcome::kInsufficientData,
       Severity::kWarning},
      {"moderate_quota flag: a preference the policy allows, never a breach",
       quota,
       {scored(person(Y, QY, Stage::kApplied), 5), scored(person(N, QY, Stage::kRecommended), 5)},
       Phase::kRecommendation,
       Outcome::kShortfall,
       Severity::kWarning},
      {"moderate_quota insufficient data",
       quota,
       {person(Y, QY, Stage::kApplied), scored(person(N, QY, Stage::kRecommended), 5)},
       Phase::kRecommendation,
       Outcome::kInsufficientData,
       Severity::kWarning},
      {"compliant carries none",
       invite_one,
       {person(Y, QY, Stage::kInterview), person(N, QY, Stage::kRecommended)},
       Phase::kRecommendation,
       Outcome::kCompliant,
       Severity::kNone},
      {"not applicable carries none",
       justify,
       {person(N, QY, Stage::kRecommended)},
       Phase::kRecommendation,
       Outcome::kNotApplicable,
       Severity::kNone},
  };
  for (const SeverityRow& row : rows) {
    CAPTURE(row.name);
    Phase phase{};
    const domain::RuleVerdict r = evaluate_one(one_rule(row.spec), row.applications, &phase);
    CHECK(phase == row.phase);
    CHECK(r.outcome == row.outcome);
    CHECK(r.severity == row.severity);
  }
}
