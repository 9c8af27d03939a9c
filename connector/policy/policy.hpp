// A tenant's interview policy, validated once at load (connector/config) into this
// immutable value. DESIGN.md §5 defines the semantics of every rule.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "connector/domain/date.hpp"

namespace mangfold::policy {

// Which vacancies a rule applies to. The defaults apply a rule to every vacancy.
struct Scope {
  std::vector<std::string> job_types;          // if set, only vacancies with one of these types
  std::vector<std::string> exclude_job_types;  // vacancies with any of these types are out
  bool include_internal = true;                // false: internal-only ads are out
  int min_applicants = 0;                      // fewer applications: out
};

// R = min(Q, max(min_count, ceil(min_share × N))). Shares are kept exactly, in parts
// per million, so that 0.3 × 10 is 3 and not 3.0000000000000004 rounded up to 4.
struct InterviewMinimum {
  std::string group;
  int min_count = 0;
  std::uint32_t min_share_ppm = 0;  // 500000 = 50 %
};

// §7: when every proposed hire is outside the group, a justification must be given.
enum class JustificationTrigger {
  kQualifiedInGroup,  // only if qualified applicants in the group exist (DESIGN default)
  kAnyInGroup,        // if anyone in the group applied (the letter of IMDi §7)
};
struct HireJustification {
  std::string group;
  JustificationTrigger trigger = JustificationTrigger::kQualifiedInGroup;
};

// Moderate quota: flag each proposed hire outside the group for whom a qualified applicant
// in the group, not proposed, scored as well (within the tolerance). The tolerance is kept
// exactly, in millionths, and compared with scores rounded to millionths, so that 5.2 and 5.1
// are 0.1 apart as written.
enum class QuotaBasis { kScore, kRank };
struct ModerateQuota {
  std::string group;
  QuotaBasis basis = QuotaBasis::kScore;
  std::int64_t tolerance_micros = 0;  // score points (or rank places) × 10⁶ counted as "equal"
};

enum class AdMode { kInject, kFlag };
struct LanguageSentence {
  std::string sentence;
  std::vector<std::string> equivalents;  // other wordings that count as present
};
// The words that let detection read the sentence for its meaning (ads/wording.hpp); the
// groups' own words are TargetGroup::words.
struct DetectionWords {
  std::vector<std::string> encourage;  // "oppfordr*", "invit*", …
  std::vector<std::string> apply;      // "søk*", "apply", …
  std::vector<std::string> negation;   // "ikke", "not", …
};
// §4.3: the ad carries a sentence encouraging the group to apply.
struct AdSentence {
  AdMode mode = AdMode::kFlag;
  std::map<std::string, LanguageSentence> sentences;  // language code → sentence
  std::string fallback_language;                      // for ads in no listed language
  std::vector<std::string> before_headings;           // inject before the first such heading
  // Detection by meaning: the groups the sentence must encourage, and per language the
  // words. Empty: only the sentence and its equivalents count (and absence is sure).
  std::vector<std::string> detect_groups;
  std::map<std::string, DetectionWords> detection;  // language code → words
};

// §4.1: the ad mentions listed topics (e.g. diversity goals). Flag only.
struct Topic {
  std::string name;
  std::map<std::string, std::vector<std::string>> keywords;  // language → any of these
};
struct AdMentions {
  std::vector<Topic> topics;
  std::string fallback_language;
};

// Excluding wording (issue 18): phrases that shut out the very applicants the scheme is
// for («norsk som morsmål», «etnisk norsk», «ungt miljø», …). Flag only, never rewritten.
struct WordingRule {
  std::string id;                     // the key in the policy file
  std::vector<std::string> patterns;  // ads/wording.hpp pattern syntax
  std::string reason;
  std::string suggestion;
  std::string source;  // the guidance or case, cited by name and year
};
struct AdLanguage {
  std::map<std::string, std::vector<WordingRule>> wording;  // language → rules, file order
  std::string fallback_language;
};

using RuleSpec = std::variant<InterviewMinimum, HireJustification, ModerateQuota, AdSentence,
                              AdMentions, AdLanguage>;
std::string_view kind_name(const RuleSpec& spec);  // "interview_minimum", …

struct Rule {
  std::string name;  // the key in the policy file; stable, used in verdicts and emails
  bool enabled = true;
  Scope scope;
  RuleSpec spec;
};

// A self-declared attribute. The adapter maps application-form answers onto its name.
struct TargetGroup {
  std::string name;        // e.g. "immigrant_background"
  std::string label;       // human name, e.g. "innvandrerbakgrunn"
  std::string definition;  // which definition applies (SSB 2008, Bergen's «ikke-vestlig», …)
  // Words that name the group in a job ad, per language, for detecting the encouragement
  // sentence by meaning (never used on applicants: membership is self-declared only).
  std::map<std::string, std::vector<std::string>> words = {};
};

// Who is told what, when (used by connector/notify).
struct Notifications {
  std::string language = "nb";  // language of emails when the ad's language is not listed
  std::string hr_email;         // fallback recipient and Reply-To; empty = none
  std::vector<std::string> cc;
  std::vector<std::string> send_on = {"shortfall", "justification_missing", "resolved",
                                      "deadline_passed"};
  int remind_after_days = 5;  // 0 = no reminders
  // Collect a day's notifications per recipient into one email, sent at digest_minute
  // (minutes after midnight, Norwegian local time) instead of one email per change.
  bool daily_digest = false;
  int digest_minute = 7 * 60;
};

struct Policy {
  std::string id;
  std::string version;
  std::string title;
  std::optional<domain::Date> effective_from;   // rules are not applied before this date
  std::vector<std::string> languages = {"nb"};  // the languages the tenant advertises in
  std::vector<TargetGroup> groups;
  std::vector<Rule> rules;  // in file order
  Notifications notifications;
  std::vector<std::string> sources;  // the files it was loaded from, child first (for messages)

  const TargetGroup* group(std::string_view name) const;
};

}  // namespace mangfold::policy
