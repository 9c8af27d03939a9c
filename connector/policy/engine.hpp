// The policy engine: pure functions from (policy, vacancy snapshot) to a verdict.
// No I/O, no clock (the date comes in the context), no globals; thread-safe (an ad memo
// in the context is itself thread-safe).
#pragma once

#include <cstdint>
#include <optional>

#include "connector/common/input_limits.hpp"
#include "connector/domain/verdict.hpp"
#include "connector/policy/policy.hpp"

namespace mangfold::policy {

class AdMemo;
class AdDigest;

struct EvaluationContext {
  std::optional<domain::Date> today;  // unset: the policy's effective date is not checked
  AdMemo* ad_memo = nullptr;  // shares what ad rules read in an ad (ad_injection.hpp); optional
  const AdDigest* ad_digest = nullptr;  // the snapshot's ad's, if the caller has it; optional
  InputLimits limits = {};  // an HTML ad over these is flagged, not read (ads/html_budget.hpp)
};

// Evaluates every enabled rule of `policy` on `snapshot`. Ad rules are evaluated only
// when the snapshot carries the ad.
domain::Verdict evaluate(const Policy& policy, const domain::Snapshot& snapshot,
                         const EvaluationContext& context = {});

// ceil(share × n) with the share in parts per million, in exact integer arithmetic.
int ceil_share(std::uint32_t share_ppm, int n);

// The invitations from the group that meet an interview_minimum rule with Q qualified in
// the group, N invited and I of them in the group and qualified: the smallest x >= 0 with
// I + x >= min(Q, max(min_count, ceil(min_share × (N + x)))), at most Q − I (each
// invitation also adds to N). 0 when the rule is met.
int invitations_needed(const InterviewMinimum& rule, int q, int n, int i);

// The language whose sentence applies to an ad: the ad's own language when the rule
// has it, else the fallback. Empty when neither is available.
std::string sentence_language(const AdSentence& rule, std::string_view ad_language);

// The excluding wordings (ad_language rules) found in an ad, for listing them one by one
// (`mangfold audit-feed`). The same findings as the rules' verdicts, in rule and file order.
// Empty when the ad has no body or its HTML is over `limits`. `memo`, when given, answers for
// an ad seen before (ad_injection.hpp), as it does for the rules; `digest` is the ad's.
struct WordingHit {
  std::string rule;  // the ad_language rule's name
  std::string language;
  const WordingRule* wording = nullptr;  // points into `policy`
  std::string found;                     // the words found, folded
};
std::vector<WordingHit> excluding_wording(const Policy& policy, const domain::JobAd& ad,
                                          const InputLimits& limits = {}, AdMemo* memo = nullptr,
                                          const AdDigest* digest = nullptr);

}  // namespace mangfold::policy
