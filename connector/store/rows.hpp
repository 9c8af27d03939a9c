// Internal to connector/store: how Store values become column values and back, shared by
// the SQLite and PostgreSQL implementations so that both store the same rows.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/domain/vacancy.hpp"
#include "connector/domain/verdict.hpp"
#include "connector/store/store.hpp"

namespace mangfold::store::rows {

// A candidate's stages as stored: names, comma-separated, oldest first.
std::string encode_stages(const std::vector<domain::Stage>& stages);
// kInternal for an unknown stage name.
Result<std::vector<domain::Stage>> decode_stages(std::string_view text);

// A verdict's columns (current_verdicts, and the log without `rules`).
struct VerdictColumns {
  std::string policy_id, policy_version, phase, overall;
  std::string rules;  // a JSON array of rule verdicts (counts and reason codes)
};
VerdictColumns verdict_columns(const domain::Verdict& verdict);
// kInternal when the stored columns do not read as a verdict.
Result<domain::Verdict> verdict_from_columns(const VerdictColumns& columns,
                                             std::string_view vacancy_id);

// The two ways verdict_from_columns reads and verdict_columns writes the rules, for the
// tests and the fuzzer that check they agree (fuzz/stored_verdict.cpp). Not for other
// callers: use the two functions above.
namespace internal {

// The reference reader: the rules parsed into an nlohmann tree, then verdict_from_json
// (verdict_json.hpp). Every error verdict_from_columns returns comes from here.
Result<domain::Verdict> verdict_from_columns_reference(const VerdictColumns& columns,
                                                       std::string_view vacancy_id);
// The fast reader (rows_fast.cpp): simdjson straight into the domain values. Nothing when
// the columns are not a verdict the reference reads, or are one it leaves to the reference
// (a key twice, a count of 2^63 or more, a byte order mark, rules over 256 KiB); otherwise
// exactly the reference's Verdict.
std::optional<domain::Verdict> verdict_from_columns_fast(const VerdictColumns& columns,
                                                         std::string_view vacancy_id);

// The reference writer: an nlohmann tree of rule_verdict_to_json, dumped compact with
// invalid UTF-8 replaced by U+FFFD.
std::string rules_text_reference(const std::vector<domain::RuleVerdict>& rules);
// The fast writer (rows_fast.cpp): the same bytes without a tree. Nothing when a string is
// not valid UTF-8 (the reference's replacement is left to it).
std::optional<std::string> rules_text_fast(const std::vector<domain::RuleVerdict>& rules);

}  // namespace internal

// Fills the defaults of a plan's Changes (the submission's tenant and vacancy id) and
// checks them. A plan's output is our own code's, so a malformed one is a bug
// (kInternal), not the sender's fault; it fails only its own submission.
Status check_changes(const Submission& sub, Changes& changes);

// "YYYY-MM" with a month 01..12.
bool is_month(std::string_view m);

}  // namespace mangfold::store::rows
