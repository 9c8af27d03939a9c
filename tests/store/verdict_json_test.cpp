#include "connector/store/verdict_json.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace mangfold::store {
namespace {

using domain::Outcome;
using domain::Phase;
using domain::Severity;

domain::Verdict sample_verdict() {
  domain::Verdict v;
  v.policy_id = "oslo";
  v.policy_version = "2024-01";
  v.vacancy_id = "v1";
  v.phase = Phase::kInterviewing;
  v.overall = Outcome::kShortfall;
  domain::RuleVerdict r;
  r.rule = "innvandrerbakgrunn";
  r.kind = "interview_minimum";
  r.group = "immigrant_background";
  r.outcome = Outcome::kShortfall;
  r.severity = Severity::kWarning;
  r.missing = 1;
  r.reason_code = "below_required";
  r.reason = "2 qualified in the group, 0 invited, 1 required.";
  r.counts = {12, 3, 2, 2, 1, 4, 0, 1, -1, -1};
  v.rules.push_back(r);
  domain::RuleVerdict ad;
  ad.rule = "oppfordring";
  ad.kind = "ad_sentence";
  ad.outcome = Outcome::kCompliant;
  ad.reason_code = "present";
  v.rules.push_back(ad);
  return v;
}

void check_equal(const domain::Verdict& a, const domain::Verdict& b) {
  CHECK(a.policy_id == b.policy_id);
  CHECK(a.policy_version == b.policy_version);
  CHECK(a.vacancy_id == b.vacancy_id);
  CHECK(a.phase == b.phase);
  CHECK(a.overall == b.overall);
  REQUIRE(a.rules.size() == b.rules.size());
  for (std::size_t i = 0; i < a.rules.size(); ++i) {
    const auto& x = a.rules[i];
    const auto& y = b.rules[i];
    CHECK(x.rule == y.rule);
    CHECK(x.kind == y.kind);
    CHECK(x.group == y.group);
    CHECK(x.outcome == y.outcome);
    CHECK(x.severity == y.severity);
    CHECK(x.missing == y.missing);
    CHECK(x.reason_code == y.reason_code);
    CHECK(x.reason == y.reason);
    CHECK(x.counts.applicants == y.counts.applicants);
    CHECK(x.counts.in_group == y.counts.in_group);
    CHECK(x.counts.unknown_answer == y.counts.unknown_answer);
    CHECK(x.counts.qualified_in_group == y.counts.qualified_in_group);
    CHECK(x.counts.unassessed_in_group == y.counts.unassessed_in_group);
    CHECK(x.counts.invited == y.counts.invited);
    CHECK(x.counts.invited_in_group == y.counts.invited_in_group);
    CHECK(x.counts.required == y.counts.required);
    CHECK(x.counts.proposed == y.counts.proposed);
    CHECK(x.counts.hired == y.counts.hired);
    CHECK(x.counts.hired_in_group == y.counts.hired_in_group);
  }
}

TEST_CASE("verdict JSON round-trips through text, every field and enum kept") {
  const domain::Verdict v = sample_verdict();
  auto back = verdict_from_json_text(verdict_to_json_text(v));
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  check_equal(v, *back);
}

TEST_CASE("verdict JSON round-trips every phase, outcome and severity") {
  for (Phase p : {Phase::kScreening, Phase::kInterviewing, Phase::kRecommendation})
    for (Outcome o : {Outcome::kCompliant, Outcome::kShortfall, Outcome::kNotApplicable,
                      Outcome::kInsufficientData})
      for (Severity s :
           {Severity::kNone, Severity::kAdvice, Severity::kWarning, Severity::kBreach}) {
        domain::Verdict v = sample_verdict();
        v.phase = p;
        v.overall = o;
        v.rules[0].outcome = o;
        v.rules[0].severity = s;
        auto back = verdict_from_json(verdict_to_json(v));
        REQUIRE(back.ok());
        check_equal(v, *back);
      }
}

TEST_CASE("verdict JSON uses the domain's names") {
  const nlohmann::json j = verdict_to_json(sample_verdict());
  CHECK(j.at("phase") == "interviewing");
  CHECK(j.at("overall") == "shortfall");
  CHECK(j.at("rules").at(0).at("severity") == "warning");
  CHECK(j.at("rules").at(0).at("counts").at("qualified_in_group") == 2);
  CHECK(j.at("rules").at(0).at("counts").at("proposed") == -1);
}

TEST_CASE("verdict JSON with Norwegian text round-trips byte for byte") {
  domain::Verdict v = sample_verdict();
  v.rules[0].rule = "ikke-vestlig bakgrunn: æøå ÆØÅ";
  auto back = verdict_from_json_text(verdict_to_json_text(v));
  REQUIRE(back.ok());
  CHECK(back->rules[0].rule == "ikke-vestlig bakgrunn: æøå ÆØÅ");
}

TEST_CASE("malformed verdict JSON is kInvalidArgument naming the key") {
  struct Case {
    std::string name;
    std::function<void(nlohmann::json&)> damage;
    std::string mentions;
  };
  const std::vector<Case> cases = {
      {"missing top-level key", [](auto& j) { j.erase("policy_id"); }, "policy_id"},
      {"unknown phase", [](auto& j) { j["phase"] = "hiring"; }, "phase"},
      {"rules not an array", [](auto& j) { j["rules"] = "none"; }, "rules"},
      {"unknown outcome in a rule", [](auto& j) { j["rules"][0]["outcome"] = "maybe"; },
       "rules[0].outcome"},
      {"count not an integer", [](auto& j) { j["rules"][1]["counts"]["invited"] = 1.5; },
       "rules[1].counts.invited"},
      {"count missing", [](auto& j) { j["rules"][0]["counts"].erase("required"); },
       "rules[0].counts.required"},
      {"rule not an object", [](auto& j) { j["rules"][0] = 3; }, "rules[0]"},
      {"missing out of int range", [](auto& j) { j["rules"][0]["missing"] = 1LL << 40; },
       "rules[0].missing"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    nlohmann::json j = verdict_to_json(sample_verdict());
    c.damage(j);
    auto v = verdict_from_json(j);
    REQUIRE_FALSE(v.ok());
    CHECK(v.status().code() == StatusCode::kInvalidArgument);
    CHECK(v.status().message().find(c.mentions) != std::string::npos);
  }
  CHECK(verdict_from_json_text("{not json").status().code() == StatusCode::kInvalidArgument);
  CHECK(verdict_from_json_text("[]").status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mangfold::store
