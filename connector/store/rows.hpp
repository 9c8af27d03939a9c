// Internal to connector/store: how Store values become column values and back, shared by
// the SQLite and PostgreSQL implementations so that both store the same rows.
#pragma once

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

// Fills the defaults of a plan's Changes (the submission's tenant and vacancy id) and
// checks them. A plan's output is our own code's, so a malformed one is a bug
// (kInternal), not the sender's fault; it fails only its own submission.
Status check_changes(const Submission& sub, Changes& changes);

// "YYYY-MM" with a month 01..12.
bool is_month(std::string_view m);

}  // namespace mangfold::store::rows
