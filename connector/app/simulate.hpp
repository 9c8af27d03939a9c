// `mangfold simulate`: a dry run of one snapshot against one policy. No side effects.
#pragma once

#include <string>

#include "connector/domain/verdict.hpp"
#include "connector/policy/ad_injection.hpp"
#include "connector/policy/policy.hpp"
#include "connector/store/store.hpp"

namespace mangfold::app {

// The verdict for a person: every rule with its outcome and, for interview rules, the
// arithmetic Q, N, I, R spelled out. Deterministic (pinned by tests).
std::string render_verdict_text(const policy::Policy& policy, const domain::Snapshot& snapshot,
                                const domain::Verdict& verdict);

// The ad change the policy asks for, as a diff ("" when none).
std::string render_ad_change_text(const Result<std::optional<policy::AdChange>>& change);

// The emails planned for a verdict: recipients, subject and plain text ("" when none).
std::string render_emails_text(const std::vector<store::OutboxItem>& mails);

// The verdict (and any ad change and emails) as a JSON document, for scripts.
std::string render_verdict_json(const policy::Policy& policy, const domain::Verdict& verdict,
                                const Result<std::optional<policy::AdChange>>& change,
                                const std::vector<store::OutboxItem>& mails);

// An exact decimal for a share in parts per million: 500000 → "0.5".
std::string format_share(std::uint32_t ppm);

}  // namespace mangfold::app
