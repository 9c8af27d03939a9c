#include "connector/store/verdict_json.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

namespace mangfold::store {

namespace {

using domain::Outcome;
using domain::Phase;
using domain::Severity;
using nlohmann::json;

// The domain only names its enums one way; the inverse is found by trying each value, so
// a name added to the domain is accepted here without a second table to keep in step.
template <typename E, std::size_t N>
std::optional<E> enum_from_string(std::string_view s, const std::array<E, N>& values) {
  for (E v : values)
    if (domain::to_string(v) == s) return v;
  return std::nullopt;
}

constexpr std::array kOutcomes = {Outcome::kCompliant, Outcome::kShortfall, Outcome::kNotApplicable,
                                  Outcome::kInsufficientData};
constexpr std::array kSeverities = {Severity::kNone, Severity::kAdvice, Severity::kWarning,
                                    Severity::kBreach};
constexpr std::array kPhases = {Phase::kScreening, Phase::kInterviewing, Phase::kRecommendation};

// Reads a typed member without throwing, so that the error names the key.
class Reader {
 public:
  Reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) fail("", "an object");
  }

  std::string str(const char* key) {
    const json* v = find(key);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      fail(key, "a string");
      return {};
    }
    return v->get<std::string>();
  }
  int integer(const char* key) { return integer_at(find(key), key); }
  // For a key added after rows were first stored: absent is `absent`, a wrong type still
  // fails.
  int integer_or(const char* key, int absent) {
    if (!status_.ok() || !j_.contains(key)) return absent;
    return integer_at(find(key), key);
  }
  template <typename E, std::size_t N>
  E enumeration(const char* key, const std::array<E, N>& values) {
    const std::string s = str(key);
    if (!status_.ok()) return values[0];
    auto e = enum_from_string(s, values);
    if (!e) {
      fail(key, "a known name");
      return values[0];
    }
    return *e;
  }
  const json* member(const char* key, bool array) {
    const json* v = find(key);
    if (v == nullptr) return nullptr;
    if (array ? !v->is_array() : !v->is_object()) {
      fail(key, array ? "an array" : "an object");
      return nullptr;
    }
    return v;
  }
  void absorb(const Status& s) {
    if (status_.ok() && !s.ok()) status_ = s;
  }
  const Status& status() const { return status_; }

 private:
  int integer_at(const json* v, const char* key) {
    if (v == nullptr) return 0;
    if (!v->is_number_integer()) {
      fail(key, "an integer");
      return 0;
    }
    const auto n = v->get<std::int64_t>();
    if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max()) {
      fail(key, "an int");
      return 0;
    }
    return static_cast<int>(n);
  }
  const json* find(const char* key) {
    if (!status_.ok()) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end()) {
      fail(key, "present");
      return nullptr;
    }
    return &*it;
  }
  void fail(std::string_view key, std::string_view what) {
    if (!status_.ok()) return;
    std::string path = where_;
    if (!key.empty()) path += (path.empty() ? "" : ".") + std::string(key);
    status_ = invalid_argument("verdict JSON: " + (path.empty() ? "value" : path) + " must be " +
                               std::string(what));
  }

  const json& j_;
  std::string where_;
  Status status_;
};

json counts_to_json(const domain::Counts& c) {
  json j{{"applicants", c.applicants},
         {"in_group", c.in_group},
         {"unknown_answer", c.unknown_answer},
         {"qualified_in_group", c.qualified_in_group},
         {"unassessed_in_group", c.unassessed_in_group},
         {"invited", c.invited},
         {"invited_in_group", c.invited_in_group},
         {"required", c.required},
         {"proposed", c.proposed},
         {"hired", c.hired},
         {"hired_in_group", c.hired_in_group}};
  // Not recorded stays absent, as in the rows stored before the figure existed.
  if (c.qualified != domain::Counts::kNotRecorded) j["qualified"] = c.qualified;
  return j;
}

Result<domain::Counts> counts_from_json(const json& j, const std::string& where) {
  Reader r(j, where);
  domain::Counts c;
  c.applicants = r.integer("applicants");
  c.in_group = r.integer("in_group");
  c.unknown_answer = r.integer("unknown_answer");
  c.qualified_in_group = r.integer("qualified_in_group");
  c.unassessed_in_group = r.integer("unassessed_in_group");
  c.invited = r.integer("invited");
  c.invited_in_group = r.integer("invited_in_group");
  c.required = r.integer("required");
  c.proposed = r.integer("proposed");
  c.hired = r.integer("hired");
  c.hired_in_group = r.integer("hired_in_group");
  c.qualified = r.integer_or("qualified", domain::Counts::kNotRecorded);
  if (!r.status().ok()) return r.status();
  return c;
}

Result<domain::RuleVerdict> rule_from_json(const json& j, const std::string& where) {
  Reader r(j, where);
  domain::RuleVerdict v;
  v.rule = r.str("rule");
  v.kind = r.str("kind");
  v.group = r.str("group");
  v.outcome = r.enumeration("outcome", kOutcomes);
  v.severity = r.enumeration("severity", kSeverities);
  v.missing = r.integer("missing");
  v.reason_code = r.str("reason_code");
  v.reason = r.str("reason");
  if (const json* c = r.member("counts", false)) {
    auto counts = counts_from_json(*c, where.empty() ? "counts" : where + ".counts");
    if (counts.ok())
      v.counts = *counts;
    else
      r.absorb(counts.status());
  }
  if (!r.status().ok()) return r.status();
  return v;
}

}  // namespace

json rule_verdict_to_json(const domain::RuleVerdict& rule) {
  return json{{"rule", rule.rule},
              {"kind", rule.kind},
              {"group", rule.group},
              {"outcome", domain::to_string(rule.outcome)},
              {"severity", domain::to_string(rule.severity)},
              {"missing", rule.missing},
              {"reason_code", rule.reason_code},
              {"reason", rule.reason},
              {"counts", counts_to_json(rule.counts)}};
}

json verdict_to_json(const domain::Verdict& verdict) {
  json rules = json::array();
  for (const auto& r : verdict.rules)
    rules.push_back(rule_verdict_to_json(r));
  json j{{"policy_id", verdict.policy_id},
         {"policy_version", verdict.policy_version},
         {"vacancy_id", verdict.vacancy_id},
         {"phase", domain::to_string(verdict.phase)},
         {"overall", domain::to_string(verdict.overall)},
         {"rules", std::move(rules)}};
  // Absent when not recorded, as in the rows stored before the figure existed.
  if (verdict.inclusion_hired != domain::Counts::kNotRecorded)
    j["inclusion_hired"] = verdict.inclusion_hired;
  return j;
}

std::optional<Outcome> outcome_from_name(std::string_view name) {
  return enum_from_string(name, kOutcomes);
}
std::optional<Severity> severity_from_name(std::string_view name) {
  return enum_from_string(name, kSeverities);
}
std::optional<Phase> phase_from_name(std::string_view name) {
  return enum_from_string(name, kPhases);
}

Result<domain::RuleVerdict> rule_verdict_from_json(const json& json_value) {
  return rule_from_json(json_value, "");
}

Result<domain::Verdict> verdict_from_json(const json& json_value) {
  Reader r(json_value, "");
  domain::Verdict v;
  v.policy_id = r.str("policy_id");
  v.policy_version = r.str("policy_version");
  v.vacancy_id = r.str("vacancy_id");
  v.phase = r.enumeration("phase", kPhases);
  v.overall = r.enumeration("overall", kOutcomes);
  v.inclusion_hired = r.integer_or("inclusion_hired", domain::Counts::kNotRecorded);
  if (const json* rules = r.member("rules", true)) {
    for (std::size_t i = 0; i < rules->size() && r.status().ok(); ++i) {
      auto rule = rule_from_json((*rules)[i], "rules[" + std::to_string(i) + "]");
      if (rule.ok())
        v.rules.push_back(std::move(*rule));
      else
        r.absorb(rule.status());
    }
  }
  if (!r.status().ok()) return r.status();
  return v;
}

std::string verdict_to_json_text(const domain::Verdict& verdict) {
  // Replace invalid UTF-8 rather than throw: reasons are ours, but a policy's rule name
  // comes from a file and must not be able to fail a commit.
  return verdict_to_json(verdict).dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<domain::Verdict> verdict_from_json_text(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument("verdict JSON: not valid JSON");
  return verdict_from_json(j);
}

}  // namespace mangfold::store
