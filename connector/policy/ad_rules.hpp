// Ad rules (§4.3 sentence, §4.1 mentions) on the snapshot's ad, through connector/ads.
// Internal to the policy module.
#pragma once

#include "connector/domain/verdict.hpp"
#include "connector/policy/policy.hpp"

namespace mangfold::policy {

void evaluate_ad_sentence(const AdSentence& rule, const domain::Snapshot& s,
                          domain::RuleVerdict& v);
void evaluate_ad_mentions(const AdMentions& rule, const domain::Snapshot& s,
                          domain::RuleVerdict& v);

}  // namespace mangfold::policy
