// Verdicts as JSON, for the verdict log, the HTTP API and reports.
//
// The format (stable; other modules and stored rows depend on it):
//   {"policy_id": "...", "policy_version": "...", "vacancy_id": "...",
//    "phase": "screening|interviewing|recommendation",
//    "overall": "compliant|shortfall|not_applicable|insufficient_data",
//    "rules": [{"rule", "kind", "group", "outcome", "severity", "missing",
//               "reason_code", "reason", "counts": {"applicants", "in_group", ...}}]}
// Enum values are the domain's to_string() names. A verdict holds counts and reason
// codes only (DESIGN.md §4.3), so its JSON is safe to store and show.
//
// counts.qualified (all qualified applicants) was added after verdicts were first stored:
// it is the one key a reader accepts as absent, and reads as Counts::kNotRecorded then (a
// count that is not recorded is written without the key, so it stays so).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "connector/common/status.hpp"
#include "connector/domain/verdict.hpp"

namespace mangfold::store {

nlohmann::json verdict_to_json(const domain::Verdict& verdict);
nlohmann::json rule_verdict_to_json(const domain::RuleVerdict& rule);

// Strict: every key above must be present (counts.qualified excepted, see above) with the
// right type and a known enum name. Errors: kInvalidArgument naming the offending key.
Result<domain::Verdict> verdict_from_json(const nlohmann::json& json);
Result<domain::RuleVerdict> rule_verdict_from_json(const nlohmann::json& json);

// The format's enum names (the domain's to_string names) back to values; nothing for a name
// the format does not know.
std::optional<domain::Outcome> outcome_from_name(std::string_view name);
std::optional<domain::Severity> severity_from_name(std::string_view name);
std::optional<domain::Phase> phase_from_name(std::string_view name);

// The same, as compact JSON text.
std::string verdict_to_json_text(const domain::Verdict& verdict);
Result<domain::Verdict> verdict_from_json_text(std::string_view text);

}  // namespace mangfold::store
