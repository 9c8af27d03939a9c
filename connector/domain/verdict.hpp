// A verdict: the result of applying a tenant's policy to one vacancy snapshot.
//
// Verdicts are stored and mailed, so they carry counts and reason codes only, never
// which applicant is in which group (DESIGN.md §4.3).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connector/domain/vacancy.hpp"

namespace mangfold::domain {

enum class Outcome {
  kCompliant,
  kShortfall,         // the rule is not met; RuleVerdict::missing says by how much
  kNotApplicable,     // the rule does not apply (no qualified applicant in the group, out of scope)
  kInsufficientData,  // cannot tell yet; RuleVerdict::reason says what is missing
};
std::string_view to_string(Outcome o);

// How urgent a shortfall is, from the phase of the hiring process.
enum class Severity { kNone, kAdvice, kWarning, kBreach };
std::string_view to_string(Severity s);

// The figures behind a rule on a target group, for one vacancy. Reports aggregate them and
// suppress small cells (DESIGN.md §4.4).
struct Counts {
  int applicants = 0;           // all applications
  int in_group = 0;             // answered yes
  int unknown_answer = 0;       // did not answer
  int qualified_in_group = 0;   // Q: qualified, not withdrawn before any invitation
  int unassessed_in_group = 0;  // in group, not yet assessed, not invited, not withdrawn
  int invited = 0;              // N: ever reached interview
  int invited_in_group = 0;     // I: invited, in the group and qualified
  int required = 0;             // R = min(Q, max(min_count, ceil(min_share × N)))
  int proposed = 0;             // proposed for hire (recommended, offered, hired)
  int hired = 0;                // stage hired
  int hired_in_group = 0;       // for reports: the share of invited in the group who were hired
  // All qualified applicants (assessed qualified, or invited without an assessment; not
  // withdrawn before any invitation — the same definition as Q), whatever their answer. Last, so
  // positional initialisers keep their meaning. kNotRecorded in a verdict stored before the figure
  // existed.
  int qualified = 0;
  static constexpr int kNotRecorded = -1;

  friend bool operator==(const Counts&, const Counts&) = default;
};

struct RuleVerdict {
  std::string rule;   // the rule's name in the policy
  std::string kind;   // interview_minimum, hire_justification, moderate_quota, …
  std::string group;  // the target group it is about; empty for ad rules
  Outcome outcome = Outcome::kNotApplicable;
  Severity severity = Severity::kNone;
  int missing = 0;          // with kShortfall: invitations (or justifications) missing
  std::string reason_code;  // stable, machine-readable: "below_required", "out_of_scope", …
  std::string reason;       // one English sentence with the figures, no personal data
  Counts counts;

  friend bool operator==(const RuleVerdict&, const RuleVerdict&) = default;
};

// The target groups of the state's inclusion goal (inkluderingsdugnaden): state agencies
// report yearly the share of new hires with a disability or with gaps in the CV against a
// goal of 5 %. The names are those of policies/base/staten.yaml.
inline constexpr std::string_view kInclusionGroups[] = {"disability", "cv_gap"};

struct Verdict {
  std::string policy_id;
  std::string policy_version;
  std::string vacancy_id;
  Phase phase = Phase::kScreening;
  Outcome overall = Outcome::kNotApplicable;  // the most pressing rule outcome
  std::vector<RuleVerdict> rules;
  // Hires (stage hired) who answered yes for at least one of kInclusionGroups;
  // Counts::kNotRecorded unless the policy declares all of them and is in effect. A count,
  // like the rules' counts: never who.
  int inclusion_hired = Counts::kNotRecorded;

  // Member by member: equal exactly when their stored JSON (store/verdict_json.hpp) is, as
  // that holds every member. Cheaper than comparing two JSON texts (issue 22).
  friend bool operator==(const Verdict&, const Verdict&) = default;
};

// The order used for `overall`: shortfall, then insufficient data, then compliant,
// then not applicable.
Outcome most_pressing(Outcome a, Outcome b);

}  // namespace mangfold::domain
