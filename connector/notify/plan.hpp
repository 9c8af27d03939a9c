// Which emails a verdict calls for: a pure function from (previous verdict, current verdict,
// notification settings) to outbox rows, written in the same transaction as the verdict
// (DESIGN.md §3, §5 "notifications").
//
// When (per rule, by its name in the policy):
//   shortfall              an interview_minimum rule enters shortfall, or its `missing` grows
//   justification_missing  a hire_justification rule enters shortfall (§7)
//   ad_flagged             an ad_sentence / ad_mentions / ad_language rule enters shortfall
//                          (opt-in). An ad_language finding entering together with an
//                          ad_sentence / ad_mentions one rides in that email (one email about
//                          the ad, not two); its own row is then not planned

//   insufficient_data      any rule enters insufficient_data                    (opt-in)
//   resolved               a rule that was in a mailed shortfall is now compliant (in send_on)
//   reminder               with a shortfall or justification_missing email, one more row due
//                          remind_after_days later; OutboxWorker drops it at send time when the
//                          rule is no longer in shortfall
//   deadline_passed        with a shortfall email, when the vacancy's application deadline
//                          is still ahead: a reminder due at 07:00 the morning after it (when
//                          interview lists are drawn up). One per vacancy and rule (its key has
//                          no counts); postponed by the worker when the deadline has moved
//                          later, dropped like any reminder
//   quota_flagged          a moderate_quota rule enters shortfall, or its `missing` grows: to
//                          HR (not the manager), whenever the policy has a valid hr_email;
//                          no reminder, no "resolved"
// An unchanged verdict plans nothing.
//
// Language: the recipient's. The manager's own language where the ATS supplies one
// (VacancyInfo::manager_language), else the policy's notifications.language; HR always gets
// the policy's. Never the ad's: a Norwegian manager with an English ad reads Norwegian.
//
// With `daily_digest`, the same rows (same keys and payloads) are of kind "digest", due at
// the next digest time after they would have been sent, with a batch key per recipient
// (digest.hpp); the worker sends each batch as one email.
//
// Every row is kind "email" (or "digest", below) with a deterministic idempotency key (which
// is also the left part of the Message-ID) from (tenant, vacancy, rule, transition, phase,
// counts), so a replayed plan cannot add a second row: the store ignores a repeated key.
//
// PRIVACY (DESIGN.md §4): the payload holds recipients (the employer's contacts), the
// language, the template name, vacancy fields, the rule, aggregate counts, severity and the
// deadline. It never holds an applicant's id, name or answer; nothing here can see them.
//
// Thread-safety: pure functions, safe from any thread (the store's writer thread included).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/input_limits.hpp"
#include "connector/domain/vacancy.hpp"
#include "connector/domain/verdict.hpp"
#include "connector/notify/message.hpp"
#include "connector/notify/payload.hpp"
#include "connector/policy/policy.hpp"
#include "connector/store/store.hpp"

namespace mangfold::policy {
class AdMemo;  // connector/policy/ad_injection.hpp
class AdDigest;
}  // namespace mangfold::policy

namespace mangfold::notify {

// The outbox kind every row planned here carries.
inline constexpr std::string_view kEmailKind = "email";
// The payload format's version (field "v"); the worker refuses others.
inline constexpr int kPayloadVersion = 1;

// What the email says about the vacancy. The manager is the employer's contact person.
struct VacancyInfo {
  std::string tenant, vacancy_id, title, department, url, manager_name, manager_email, deadline,
      ad_language;  // deadline: YYYY-MM-DD or empty; ad_language: "nb", "nn", "en", … or empty
  // The manager's language from the ATS ("nb", "nn", "en", …), or empty: the policy's then.
  std::string manager_language;
  // The excluding wordings in the ad, by ad_language rule name (policy::excluding_wording):
  // public ad text and the policy's advice only. Empty without an ad or such a rule.
  std::map<std::string, std::vector<PayloadWording>, std::less<>> wording;
  // The vacancy in the ATS's case-handler view (domain::Vacancy::case_url), or empty.
  std::string case_url;
};

// The fields of a domain vacancy (as the ingest plan has it) or of a stored one.
VacancyInfo vacancy_info(std::string tenant, const domain::Vacancy& vacancy);
VacancyInfo vacancy_info(const store::VacancyRecord& record);
// The first, with the ad's excluding wordings under `policy` (VacancyInfo::wording), read
// within `limits` as the policy engine reads the ad, through `ad_memo` when given (and with
// the ad's `ad_digest`, when the caller has it).
VacancyInfo vacancy_info(std::string tenant, const domain::Vacancy& vacancy,
                         const policy::Policy& policy, const InputLimits& limits = {},
                         policy::AdMemo* ad_memo = nullptr,
                         const policy::AdDigest* ad_digest = nullptr);

// Target group name → how a sentence names it ("innvandrerbakgrunn"), from the policy.
using GroupLabels = std::map<std::string, std::string, std::less<>>;
GroupLabels group_labels(const policy::Policy& policy);

// What an email says about a rule's terms, by rule name, from the policy: the interview
// minimum's count and share, the ad sentence per language and where it goes.
struct RuleTerms {
  int min_count = 0;
  std::uint32_t min_share_ppm = 0;
  std::map<std::string, std::string> sentences;  // ad language → the exact sentence
  std::string fallback_language;                 // for an ad in no listed language
  std::vector<std::string> before_headings;
};
using PolicyTerms = std::map<std::string, RuleTerms, std::less<>>;
PolicyTerms policy_terms(const policy::Policy& policy);

// Outbox rows ("email" or "digest") to write in the same transaction as `current`. `previous` is
// the vacancy's last stored verdict (nullopt for a new vacancy). `now_unix` is the plan's
// time: the Date of immediate emails and the start of the reminder delay. Returns no rows
// when neither the manager's nor the HR address is valid.
std::vector<store::OutboxItem> plan_notifications(
    const VacancyInfo& vacancy, const std::optional<domain::Verdict>& previous,
    const domain::Verdict& current, const policy::Notifications& settings, std::int64_t now_unix,
    const GroupLabels& labels = {}, const PolicyTerms& terms = {});

// The same, with the settings and group labels taken from the policy.
std::vector<store::OutboxItem> plan_notifications(const VacancyInfo& vacancy,
                                                  const std::optional<domain::Verdict>& previous,
                                                  const domain::Verdict& current,
                                                  const policy::Policy& policy,
                                                  std::int64_t now_unix);

// The figures a payload carries for a rule verdict.
PayloadCounts payload_counts(const domain::RuleVerdict& rule);

// The email language: the recipient's own when it is nb, nn or en, else the configured one
// (the policy's notifications.language), else nb.
std::string email_language(std::string_view recipient_language, std::string_view configured);

// How an email in `language` names a target group: a built-in phrase for the groups the
// shipped policies use (immigrant_background, non_western_background, disability, cv_gap),
// else the policy's label, else the name with '_' read as ' '.
std::string group_phrase(std::string_view language, std::string_view group,
                         std::string_view policy_label);

// The deterministic key (and Message-ID left part) for one notification: "mf-" + 32 hex
// digits of SHA-256 over the fields. Exposed for tests and for `simulate`.
std::string notification_key(std::string_view tenant, std::string_view vacancy_id,
                             std::string_view rule, std::string_view transition,
                             const domain::RuleVerdict& rule_verdict, domain::Phase phase);

}  // namespace mangfold::notify
