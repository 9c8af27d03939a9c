// The engine's count for the state's inclusion goal (domain::kInclusionGroups): new hires
// with a disability or gaps in the CV, a person in both counted once, recorded only under a
// policy that declares both groups and is in effect.
#include <doctest/doctest.h>

#include <string>

#include "connector/config/policy_loader.hpp"
#include "connector/policy/engine.hpp"

using namespace mangfold;
using domain::Answer;
using domain::Stage;

namespace {

policy::Policy load(const std::string& name) {
  Result<policy::Policy> p =
      config::load_policy_or_error(std::string(MANGFOLD_SOURCE_DIR) + "/policies/" + name);
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  return std::move(p).value();
}

domain::Application hire(Stage stage, Answer disability, Answer cv_gap) {
  static int n = 0;
  domain::Application a;
  a.candidate_id = "h" + std::to_string(++n);
  a.stage = stage;
  a.qualification = domain::Qualification::kQualified;
  a.answers.emplace("disability", disability);
  a.answers.emplace("cv_gap", cv_gap);
  return a;
}

}  // namespace

TEST_CASE("inclusion_hired: hires in either group, each person once") {
  domain::Snapshot s;
  s.applications = {hire(Stage::kHired, Answer::kYes, Answer::kNo),
                    hire(Stage::kHired, Answer::kYes, Answer::kYes),  // both: once
                    hire(Stage::kHired, Answer::kNo, Answer::kUnknown),
                    hire(Stage::kHired, Answer::kUnknown, Answer::kYes),
                    hire(Stage::kRecommended, Answer::kYes, Answer::kYes),  // not hired yet
                    hire(Stage::kRejected, Answer::kYes, Answer::kNo)};
  policy::Policy staten = load("staten.yaml");
  const domain::Verdict v = policy::evaluate(staten, s);
  CHECK(v.inclusion_hired == 3);

  // Not recorded where the figure would mean something else.
  CHECK(policy::evaluate(load("imdi.yaml"), s).inclusion_hired == domain::Counts::kNotRecorded);
  policy::Policy one_group = staten;
  std::erase_if(one_group.groups, [](const policy::TargetGroup& g) { return g.name == "cv_gap"; });
  CHECK(policy::evaluate(one_group, s).inclusion_hired == domain::Counts::kNotRecorded);
  policy::EvaluationContext before{domain::Date::parse("2025-12-31")};
  CHECK(policy::evaluate(staten, s, before).inclusion_hired == domain::Counts::kNotRecorded);

  s.applications.clear();
  CHECK(policy::evaluate(staten, s).inclusion_hired == 0);
}
