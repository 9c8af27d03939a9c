// The policy engine's count of all qualified applicants (domain::Counts::qualified): the
// predicate that counts Q, applied to every applicant whatever the answer, so that reports
// can show the target group's share at the qualified stage.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "connector/policy/engine.hpp"
#include "policy_test_support.hpp"

using namespace mangfold;
using namespace mangfold::policy::testing;
using domain::Answer;
using domain::Qualification;
using domain::Stage;

namespace {

constexpr const char* kOther = "non_western_background";

policy::Policy interview_policy() {
  policy::Policy p;
  p.id = "test";
  p.version = "1";
  p.groups.push_back({kGroup, "innvandrerbakgrunn", ""});
  p.rules.push_back({"interview", true, {}, policy::InterviewMinimum{kGroup, 1, 0}});
  return p;
}

domain::Counts counts_of(const std::vector<domain::Application>& applications) {
  domain::Snapshot s;
  s.vacancy.id = "v1";
  s.applications = applications;
  const domain::Verdict v = policy::evaluate(interview_policy(), s);
  REQUIRE(v.rules.size() == 1);
  return v.rules[0].counts;
}

struct Row {
  const char* name;
  domain::Application applicant;
  bool qualified;  // counts in Counts::qualified
  bool in_q;       // counts in Q (qualified_in_group)
};

}  // namespace

TEST_CASE("qualified counts each applicant the way Q does, whatever the answer") {
  const Row rows[] = {
      {"assessed qualified, in the group", person(Y, QY, Stage::kApplied), true, true},
      {"assessed qualified, answered no", person(N, QY, Stage::kApplied), true, false},
      {"assessed qualified, did not answer: in the total, never in Q",
       person(U, QY, Stage::kApplied), true, false},
      {"assessed not qualified", person(N, QN, Stage::kApplied), false, false},
      {"assessed not qualified, in the group", person(Y, QN, Stage::kApplied), false, false},
      {"not yet assessed, not invited", person(U, Q_, Stage::kApplied), false, false},
      {"invited without an assessment: the invitation is the employer's finding",
       person(U, Q_, Stage::kInterview), true, false},
      {"invited without an assessment, in the group", person(Y, Q_, Stage::kInterview), true, true},
      {"invited, then withdrew: still counted as qualified",
       person(N, Q_, Stage::kWithdrawn, {Stage::kApplied, Stage::kInterview}), true, false},
      {"invited, then withdrew, in the group",
       person(Y, Q_, Stage::kWithdrawn, {Stage::kInterview}), true, true},
      {"invited, then rejected", person(U, Q_, Stage::kRejected, {Stage::kInterview}), true, false},
      {"withdrew before any invitation, not assessed", person(Y, Q_, Stage::kWithdrawn), false,
       false},
      {"assessed qualified, then withdrew before any invitation: no longer available",
       person(U, QY, Stage::kWithdrawn), false, false},
      {"assessed qualified, in the group, withdrew before any invitation: out of Q too",
       person(Y, QY, Stage::kWithdrawn, {Stage::kApplied}), false, false},
      {"invited but assessed not qualified: the assessment wins",
       person(N, QN, Stage::kInterviewed, {Stage::kInterview}), false, false},
      {"hired without an assessment", person(N, Q_, Stage::kHired), true, false},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const domain::Counts c = counts_of({row.applicant});
    CHECK(c.qualified == (row.qualified ? 1 : 0));
    CHECK(c.qualified_in_group == (row.in_q ? 1 : 0));
    CHECK(c.applicants == 1);
  }
}

TEST_CASE("a mixed vacancy: the total is Q plus the qualified outside the group") {
  const domain::Counts c = counts_of({
      person(Y, QY, Stage::kApplied),                         // Q
      person(Y, Q_, Stage::kWithdrawn, {Stage::kInterview}),  // Q: invited, withdrew
      person(Y, QN, Stage::kApplied),                         // in the group, not qualified
      person(Y, Q_, Stage::kApplied),                         // in the group, unassessed
      person(N, QY, Stage::kInterview),                       // qualified outside
      person(N, QN, Stage::kRejected),                        // not qualified
      person(U, QY, Stage::kApplied),                         // unknown answer, qualified
      person(U, Q_, Stage::kInterview),                       // unknown answer, invited
      person(U, Q_, Stage::kApplied),                         // unknown answer, unassessed
  });
  CHECK(c.applicants == 9);
  CHECK(c.qualified_in_group == 2);
  CHECK(c.unassessed_in_group == 1);
  CHECK(c.qualified == 5);
  CHECK(c.invited == 3);
  CHECK(c.qualified >= c.qualified_in_group);
}

TEST_CASE("every counting rule records the same total, and no applicants is 0") {
  policy::Policy p = interview_policy();
  p.groups.push_back({kOther, "", ""});
  p.rules.push_back({"justify", true, {}, policy::HireJustification{kGroup}});
  p.rules.push_back({"quota", true, {}, policy::ModerateQuota{kOther}});
  p.rules.push_back({"other", true, {}, policy::InterviewMinimum{kOther, 1, 0}});
  domain::Snapshot s;
  s.vacancy.id = "v1";
  auto a = person(Y, QY, Stage::kApplied);
  a.answers.emplace(kOther, Answer::kNo);
  auto b = person(N, Q_, Stage::kRecommended, {Stage::kInterview});
  b.answers.emplace(kOther, Answer::kYes);
  s.applications = {a, b, person(U, QN, Stage::kApplied)};
  const domain::Verdict v = policy::evaluate(p, s);
  REQUIRE(v.rules.size() == 4);
  for (const domain::RuleVerdict& r : v.rules) {
    CAPTURE(r.rule);
    CHECK(r.counts.qualified == 2);
  }
  CHECK(v.rules[0].counts.qualified_in_group == 1);  // a
  CHECK(v.rules[3].counts.qualified_in_group == 1);  // b, in the other group

  s.applications.clear();
  for (const domain::RuleVerdict& r : policy::evaluate(p, s).rules)
    CHECK(r.counts.qualified == 0);
}

TEST_CASE("a rule outside its scope counts nothing, the total included") {
  policy::Policy p = interview_policy();
  p.rules[0].scope.min_applicants = 5;
  domain::Snapshot s;
  s.applications = {person(Y, QY, Stage::kInterview), person(N, QY, Stage::kInterview)};
  const domain::RuleVerdict r = policy::evaluate(p, s).rules.at(0);
  CHECK(r.reason_code == "out_of_scope");
  CHECK(r.counts.qualified == 0);
  CHECK(r.counts.applicants == 0);
}
