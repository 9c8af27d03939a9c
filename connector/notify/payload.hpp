// The JSON payload of an "email" outbox row: everything needed to render and address one
// notification, written by plan_notifications and read by the worker and by `simulate`.
//
// PRIVACY (DESIGN.md §4): only the employer's contacts, vacancy fields, the rule and
// aggregate counts. There is no field that could hold an applicant's id, name or answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/notify/message.hpp"

namespace mangfold::notify {

// Template names (and the values of `send_on` that switch them on).
inline constexpr std::string_view kTemplateShortfall = "shortfall";
inline constexpr std::string_view kTemplateJustificationMissing = "justification_missing";
inline constexpr std::string_view kTemplateInsufficientData = "insufficient_data";
inline constexpr std::string_view kTemplateAdFlagged = "ad_flagged";
inline constexpr std::string_view kTemplateReminder = "reminder";
inline constexpr std::string_view kTemplateResolved = "resolved";
// A moderate_quota flag, to HR (a hire proposal passes over an equally qualified applicant
// in the group); sent whenever the policy has an HR address.
inline constexpr std::string_view kTemplateQuotaFlagged = "quota_flagged";
// Not a template: the `send_on` value for the reminder due after the application deadline.
inline constexpr std::string_view kSendOnDeadlinePassed = "deadline_passed";
inline constexpr std::string_view kOccasionDeadline = "deadline";

struct PayloadCounts {
  int qualified_in_group = 0;   // Q
  int invited = 0;              // N
  int invited_in_group = 0;     // I
  int required = 0;             // R
  int missing = 0;              // R − I for interview rules; 1 for a missing justification
  int unassessed_in_group = 0;  // in the group, qualification not assessed yet
  int proposed = 0;             // proposed for hire
};

// One excluding wording found in the ad (an ad_language rule): the ad's words as found, and
// the policy's reason, suggested wording and source (in the ad's language, as the policy
// has them). Public ad text and policy text only.
struct PayloadWording {
  std::string found, reason, suggestion, source;
};

struct Payload {
  int version = 1;            // "v"
  std::string template_name;  // "template": one of the kTemplate* names
  std::string reminds;        // for a reminder: the template it follows up
  std::string occasion;       // for a reminder: "deadline" when it is the one due the
                              // morning after the application deadline; else empty
  std::string language;       // "nb", "nn", "en"
  std::string key;            // idempotency key = Message-ID left part ("mf-…")
  std::int64_t date = 0;      // unix seconds for the Date header
  std::vector<Address> to, cc;
  std::optional<Address> reply_to;  // the HR address
  bool to_manager = true;           // false: the manager had no valid address, HR gets it
  // The vacancy.
  std::string tenant, vacancy_id, title, department, url, manager_name, deadline;
  // The vacancy in the ATS's case-handler view; the emails' vacancy link when set. Absent in
  // older payloads and for adapters that do not know it.
  std::string case_url;
  // The rule.
  std::string rule, kind, group, group_label;  // group_label: in `language`
  // The rule's terms, so that an email can state it: interview_minimum's min_count and
  // min_share (parts per million); ad_sentence's sentence for the ad's language (exactly as
  // the policy has it), that language, and the headings it goes before. Empty or 0 when
  // they do not apply. Absent in payloads written before they existed.
  int min_count = 0;
  std::uint32_t min_share_ppm = 0;
  std::string sentence, sentence_language;
  std::vector<std::string> sentence_before;
  // ad_language's findings: in an ad_language email, and in an ad_sentence / ad_mentions
  // email planned together with one (that email then covers both). Absent in older payloads.
  std::vector<PayloadWording> wording;
  PayloadCounts counts;
  std::string outcome, reason_code, severity, phase;
};

std::string to_json(const Payload& payload);
// kInvalidArgument for text that is not a payload of this version.
Result<Payload> parse_payload(std::string_view json);

}  // namespace mangfold::notify
