#include "connector/store/verdict_json.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "tests/store/store_test_support.hpp"

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
  r.counts.qualified = 5;
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
    CHECK(x.counts.qualified == y.counts.qualified);
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
  CHECK(j.at("rules").at(0).at("counts").at("qualified") == 5);
  CHECK(j.at("rules").at(1).at("counts").at("qualified") == 0);  // written even when 0
}

// Rows stored before counts.qualified existed lack the key. They must still load, with
// "not recorded" there, and write back without it.
TEST_CASE("a verdict stored before counts.qualified existed reads as not recorded") {
  nlohmann::json j = verdict_to_json(sample_verdict());
  for (auto& rule : j["rules"])
    rule["counts"].erase("qualified");
  auto back = verdict_from_json(j);
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  CHECK(back->rules[0].counts.qualified == domain::Counts::kNotRecorded);
  CHECK(back->rules[0].counts.qualified_in_group == 2);
  CHECK(back->rules[0].counts.invited == 4);
  CHECK(back->rules[1].counts.qualified == domain::Counts::kNotRecorded);
  CHECK(verdict_to_json(*back) == j);

  // Only this key is lenient: a count that has always been written is still required.
  j["rules"][0]["counts"].erase("hired");
  CHECK(verdict_from_json(j).status().message().find("rules[0].counts.hired") != std::string::npos);
}

TEST_CASE("counts.qualified, when present, is checked like every count") {
  for (const nlohmann::json& bad : {nlohmann::json("5"), nlohmann::json(5.5),
                                    nlohmann::json(nullptr), nlohmann::json(1LL << 40)}) {
    CAPTURE(bad.dump());
    nlohmann::json j = verdict_to_json(sample_verdict());
    j["rules"][0]["counts"]["qualified"] = bad;
    auto v = verdict_from_json(j);
    REQUIRE_FALSE(v.ok());
    CHECK(v.status().code() == StatusCode::kInvalidArgument);
    CHECK(v.status().message().find("rules[0].counts.qualified") != std::string::npos);
  }
}

// The same through the SQLite store: a verdict row written by an older version (its rules
// JSON without counts.qualified) still loads as the vacancy's last verdict.
TEST_CASE("the store loads a verdict row from before counts.qualified existed") {
  testing::TempDir dir;
  const std::string path = dir.file("old.db");
  {
    auto store = testing::open_store(path);
    auto r = testing::submit_sync(
        *store, testing::submission("oslo", "e1", [](const StoredVacancy&) -> Result<Changes> {
          Changes c;
          c.vacancy = testing::vacancy();
          c.verdict = sample_verdict();
          return c;
        }));
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    REQUIRE(store->load_vacancy("oslo", "v1")->last_verdict->rules[0].counts.qualified == 5);
  }
  {
    // Rewrite the stored rules as an older version wrote them.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* read = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT vacancy_id, rules FROM current_verdicts", -1, &read,
                               nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(read) == SQLITE_ROW);
    const std::string id = reinterpret_cast<const char*>(sqlite3_column_text(read, 0));
    nlohmann::json rules =
        nlohmann::json::parse(reinterpret_cast<const char*>(sqlite3_column_text(read, 1)));
    sqlite3_finalize(read);
    for (auto& rule : rules) {
      REQUIRE(rule.at("counts").contains("qualified"));
      rule["counts"].erase("qualified");
    }
    sqlite3_stmt* write = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "UPDATE current_verdicts SET rules = ? WHERE vacancy_id = ?", -1,
                               &write, nullptr) == SQLITE_OK);
    const std::string text = rules.dump();
    sqlite3_bind_text(write, 1, text.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(write, 2, id.c_str(), -1, SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(write) == SQLITE_DONE);
    sqlite3_finalize(write);
    REQUIRE(sqlite3_close(db) == SQLITE_OK);
  }
  auto store = testing::open_store(path);
  auto loaded = store->load_vacancy("oslo", "v1");
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  REQUIRE(loaded->last_verdict.has_value());
  CHECK(loaded->last_verdict->rules[0].counts.qualified == domain::Counts::kNotRecorded);
  CHECK(loaded->last_verdict->rules[0].counts.qualified_in_group == 2);
  auto listed = store->report_vacancies("oslo", false);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().last_verdict->rules[0].counts.qualified == domain::Counts::kNotRecorded);
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
