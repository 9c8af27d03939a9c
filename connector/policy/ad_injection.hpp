// The ad change a policy asks for: in `inject` mode, the ad with the encouragement
// sentence inserted where it is missing. Pure; used by `mangfold simulate` (as a diff)
// and by the ingest pipeline (as an ATS write-back through the outbox).
#pragma once

#include <optional>
#include <string>

#include "connector/common/status.hpp"
#include "connector/domain/vacancy.hpp"
#include "connector/policy/policy.hpp"

namespace mangfold::policy {

struct AdChange {
  std::string rule;      // the ad_sentence rule that asks for it
  std::string language;  // the sentence's language
  domain::JobAd before;
  domain::JobAd after;
};

// nullopt when no enabled inject-mode rule applies or the sentence is already there.
// kUnprocessable when the ad's HTML cannot take the paragraph (flag it instead).
Result<std::optional<AdChange>> plan_ad_injection(const Policy& policy,
                                                  const domain::Snapshot& snapshot);

}  // namespace mangfold::policy
