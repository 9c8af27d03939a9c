#include "connector/notify/plan.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <variant>

#include "connector/common/ascii.hpp"
#include "connector/notify/digest.hpp"
#include "connector/notify/payload.hpp"
#include "connector/notify/sha256.hpp"
#include "connector/policy/engine.hpp"

namespace mangfold::notify {

namespace {

using domain::Outcome;
using domain::RuleVerdict;

bool listed(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// The email a rule's shortfall calls for, by the rule's kind; empty for kinds not mailed.
std::string_view shortfall_template(std::string_view kind) {
  if (kind == "interview_minimum") return kTemplateShortfall;
  if (kind == "hire_justification") return kTemplateJustificationMissing;
  if (kind == "ad_sentence" || kind == "ad_mentions" || kind == "ad_language")
    return kTemplateAdFlagged;
  if (kind == "moderate_quota") return kTemplateQuotaFlagged;
  return {};
}

// Both the shortfall email itself and the reminder are mailed only for these.
bool has_reminder(std::string_view template_name) {
  return template_name == kTemplateShortfall || template_name == kTemplateJustificationMissing;
}

const RuleVerdict* find_rule(const std::optional<domain::Verdict>& verdict, std::string_view name) {
  if (!verdict) return nullptr;
  for (const RuleVerdict& r : verdict->rules)
    if (r.rule == name) return &r;
  return nullptr;
}

// To the manager when the address is usable, else to HR; cc without repeats; Reply-To HR.
void address(Payload& p, const VacancyInfo& v, const policy::Notifications& settings) {
  const bool hr_valid = is_valid_email(settings.hr_email);
  if (is_valid_email(v.manager_email)) {
    p.to.push_back({v.manager_name, v.manager_email});
    p.to_manager = true;
  } else if (hr_valid) {
    p.to.push_back({"", settings.hr_email});
    p.to_manager = false;
  }
  std::vector<std::string> seen;
  if (!p.to.empty()) seen.push_back(ascii_lower(p.to.front().email));
  for (const std::string& cc : settings.cc) {
    if (!is_valid_email(cc) || listed(seen, ascii_lower(cc))) continue;
    p.cc.push_back({"", cc});
    seen.push_back(ascii_lower(cc));
  }
  if (hr_valid) p.reply_to = Address{"", settings.hr_email};
}

// Whether a rule's ad_flagged email is planned now: it enters shortfall or `missing` grows.
bool ad_mail_now(const RuleVerdict& r, const RuleVerdict* before,
                 const policy::Notifications& settings) {
  if (shortfall_template(r.kind) != kTemplateAdFlagged || r.outcome != Outcome::kShortfall ||
      !listed(settings.send_on, kTemplateAdFlagged))
    return false;
  if (!before || before->outcome != Outcome::kShortfall) return true;
  return r.missing > before->missing;
}

struct Planner {
  const VacancyInfo& vacancy;
  const domain::Verdict& current;
  const policy::Notifications& settings;
  const GroupLabels& labels;
  const PolicyTerms& terms;
  std::int64_t now;
  Payload base;     // recipients, language and vacancy: shared by every row to the manager
  Payload hr_base;  // the same, addressed to HR (quota flags); no recipient without hr_email
  std::vector<store::OutboxItem> out;
  // ad_language findings that ride in this plan's ad_sentence / ad_mentions email instead
  // of an email of their own (plan_notifications), and the rules they come from.
  std::vector<PayloadWording> folded;
  std::vector<std::string> folded_rules;

  void add(std::string_view template_name, std::string_view transition, const RuleVerdict& r,
           std::int64_t not_before, std::string_view reminds = {}, std::string_view occasion = {}) {
    Payload p = template_name == kTemplateQuotaFlagged ? hr_base : base;
    if (p.to.empty()) return;
    p.template_name = template_name;
    p.reminds = reminds;
    p.occasion = occasion;
    p.key = occasion == kOccasionDeadline
                // One per rule and vacancy, whatever the counts: re-entering a shortfall before
                // the deadline must not add a second.
                ? notification_key(vacancy.tenant, vacancy.vacancy_id, r.rule, transition,
                                   RuleVerdict{}, domain::Phase::kScreening)
                : notification_key(vacancy.tenant, vacancy.vacancy_id, r.rule, transition, r,
                                   current.phase);
    p.date = not_before;
    p.rule = r.rule;
    p.kind = r.kind;
    p.group = r.group;
    if (!r.group.empty()) {
      const auto label = labels.find(r.group);
      p.group_label = group_phrase(p.language, r.group, label == labels.end() ? "" : label->second);
    }
    p.counts = payload_counts(r);
    if (const auto t = terms.find(r.rule); t != terms.end()) {
      p.min_count = t->second.min_count;
      p.min_share_ppm = t->second.min_share_ppm;
      const auto& sentences = t->second.sentences;
      auto s = sentences.find(vacancy.ad_language);
      if (s == sentences.end()) s = sentences.find(t->second.fallback_language);
      if (s != sentences.end() && r.kind == "ad_sentence") {
        p.sentence = s->second;
        p.sentence_language = s->first;
        p.sentence_before = t->second.before_headings;
      }
    }
    if (template_name == kTemplateAdFlagged) {
      if (r.kind == "ad_language") {
        if (const auto w = vacancy.wording.find(r.rule); w != vacancy.wording.end())
          p.wording = w->second;
      } else if (!folded.empty()) {
        p.wording = std::move(folded);  // the first ad email of the plan carries them
        folded.clear();
      }
    }
    p.outcome = domain::to_string(r.outcome);
    p.reason_code = r.reason_code;
    p.severity = domain::to_string(r.severity);
    p.phase = domain::to_string(current.phase);
    store::OutboxItem item;
    item.kind = std::string(kEmailKind);
    item.not_before = not_before;
    if (settings.daily_digest) {
      item.kind = std::string(kDigestKind);
      // The first digest at or after the moment the email would have gone.
      item.not_before = next_digest_time(not_before - 1, settings.digest_minute);
      item.batch_key = digest_batch_key(p);
    }
    item.idempotency_key = p.key;
    item.tenant = vacancy.tenant;
    item.vacancy_id = vacancy.vacancy_id;
    item.payload = to_json(p);
    out.push_back(std::move(item));
  }

  void rule(const RuleVerdict& r, const RuleVerdict* before) {
    const Outcome was = before ? before->outcome : Outcome::kNotApplicable;
    const std::string_view mail = shortfall_template(r.kind);
    // Quota flags go to HR whatever send_on says: nobody else can act on them.
    const bool mailed =
        !mail.empty() && (mail == kTemplateQuotaFlagged || listed(settings.send_on, mail));
    if (r.outcome == Outcome::kShortfall && mailed) {
      const bool entering = was != Outcome::kShortfall;
      const bool grew = !entering && r.missing > before->missing;
      if ((entering || grew) && !listed(folded_rules, r.rule)) add(mail, mail, r, now);
      if (entering && has_reminder(mail) && settings.remind_after_days > 0) {
        const std::int64_t due = now + std::int64_t{settings.remind_after_days} * 86400;
        add(kTemplateReminder, std::string(kTemplateReminder) + ":" + std::string(mail), r, due,
            mail);
      }
      // The interview list is drawn up once applications close: remind then, too.
      if (entering && mail == kTemplateShortfall && listed(settings.send_on, kSendOnDeadlinePassed))
        if (const std::optional<std::int64_t> due = deadline_reminder_time(vacancy.deadline);
            due && *due > now)
          add(kTemplateReminder, "reminder:deadline", r, *due, mail, kOccasionDeadline);
    }
    if (r.outcome == Outcome::kInsufficientData && was != Outcome::kInsufficientData &&
        listed(settings.send_on, kTemplateInsufficientData))
      add(kTemplateInsufficientData, kTemplateInsufficientData, r, now);
    // "Resolved" only follows a shortfall that was mailed.
    if (r.outcome == Outcome::kCompliant && was == Outcome::kShortfall && mailed &&
        listed(settings.send_on, kTemplateResolved))
      add(kTemplateResolved, kTemplateResolved, r, now);
  }
};

}  // namespace

PayloadCounts payload_counts(const domain::RuleVerdict& r) {
  const domain::Counts& c = r.counts;
  return PayloadCounts{c.qualified_in_group,  c.invited, c.invited_in_group, c.required, r.missing,
                       c.unassessed_in_group, c.proposed};
}

VacancyInfo vacancy_info(std::string tenant, const domain::Vacancy& v) {
  VacancyInfo info;
  info.tenant = std::move(tenant);
  info.vacancy_id = v.id;
  info.title = v.title;
  info.department = v.department;
  info.url = v.url;
  info.manager_name = v.manager.name;
  info.manager_email = v.manager.email;
  info.deadline = v.deadline ? v.deadline->to_string() : "";
  info.ad_language = v.ad ? v.ad->language : "";
  info.manager_language = v.manager.language;
  info.case_url = v.case_url;
  return info;
}

VacancyInfo vacancy_info(std::string tenant, const domain::Vacancy& v, const policy::Policy& policy,
                         const InputLimits& limits, policy::AdMemo* ad_memo,
                         const policy::AdDigest* ad_digest) {
  VacancyInfo info = vacancy_info(std::move(tenant), v);
  if (!v.ad) return info;
  for (const policy::WordingHit& hit :
       policy::excluding_wording(policy, *v.ad, limits, ad_memo, ad_digest)) {
    if (!hit.wording) continue;
    info.wording[hit.rule].push_back(PayloadWording{hit.found, hit.wording->reason,
                                                    hit.wording->suggestion, hit.wording->source});
  }
  return info;
}

VacancyInfo vacancy_info(const store::VacancyRecord& r) {
  return VacancyInfo{r.tenant,
                     r.vacancy_id,
                     r.title,
                     r.department,
                     r.url,
                     r.manager_name,
                     r.manager_email,
                     r.deadline,
                     r.ad_language,
                     /*manager_language=*/"",
                     /*wording=*/{},
                     /*case_url=*/""};
}

PolicyTerms policy_terms(const policy::Policy& policy) {
  PolicyTerms terms;
  for (const policy::Rule& rule : policy.rules) {
    RuleTerms t;
    if (const auto* m = std::get_if<policy::InterviewMinimum>(&rule.spec)) {
      t.min_count = m->min_count;
      t.min_share_ppm = m->min_share_ppm;
    } else if (const auto* a = std::get_if<policy::AdSentence>(&rule.spec)) {
      for (const auto& [language, sentence] : a->sentences)
        t.sentences[language] = sentence.sentence;
      t.fallback_language = a->fallback_language;
      t.before_headings = a->before_headings;
    } else {
      continue;
    }
    terms[rule.name] = std::move(t);
  }
  return terms;
}

GroupLabels group_labels(const policy::Policy& policy) {
  GroupLabels labels;
  for (const policy::TargetGroup& g : policy.groups)
    labels[g.name] = g.label;
  return labels;
}

std::vector<store::OutboxItem> plan_notifications(const VacancyInfo& vacancy,
                                                  const std::optional<domain::Verdict>& previous,
                                                  const domain::Verdict& current,
                                                  const policy::Notifications& settings,
                                                  std::int64_t now_unix, const GroupLabels& labels,
                                                  const PolicyTerms& terms) {
  Planner p{vacancy, current, settings, labels, terms, now_unix, {}, {}, {}, {}, {}};
  address(p.base, vacancy, settings);
  if (p.base.to.empty()) return {};
  // The manager reads their own language; HR (also when standing in) the policy's.
  p.base.language =
      email_language(p.base.to_manager ? vacancy.manager_language : "", settings.language);
  p.base.tenant = vacancy.tenant;
  p.base.vacancy_id = vacancy.vacancy_id;
  p.base.title = vacancy.title;
  p.base.department = vacancy.department;
  p.base.url = vacancy.url;
  p.base.case_url = vacancy.case_url;
  p.base.manager_name = vacancy.manager_name;
  p.base.deadline = vacancy.deadline;
  p.hr_base = p.base;
  p.hr_base.to.clear();
  p.hr_base.cc.clear();
  if (is_valid_email(settings.hr_email)) {
    p.hr_base.to.push_back({"", settings.hr_email});
    p.hr_base.to_manager = false;
    p.hr_base.reply_to.reset();  // HR writes to itself
    p.hr_base.language = email_language("", settings.language);
  }
  // One email about the ad: wording found together with a missing sentence (or topic) rides
  // in that email rather than in one of its own.
  bool other_ad_mail = false;
  for (const RuleVerdict& r : current.rules)
    other_ad_mail = other_ad_mail || (r.kind != "ad_language" &&
                                      ad_mail_now(r, find_rule(previous, r.rule), settings));
  if (other_ad_mail)
    for (const RuleVerdict& r : current.rules) {
      if (r.kind != "ad_language" || !ad_mail_now(r, find_rule(previous, r.rule), settings))
        continue;
      p.folded_rules.push_back(r.rule);
      if (const auto w = vacancy.wording.find(r.rule); w != vacancy.wording.end())
        p.folded.insert(p.folded.end(), w->second.begin(), w->second.end());
    }
  for (const RuleVerdict& r : current.rules)
    p.rule(r, find_rule(previous, r.rule));
  return std::move(p.out);
}

std::vector<store::OutboxItem> plan_notifications(const VacancyInfo& vacancy,
                                                  const std::optional<domain::Verdict>& previous,
                                                  const domain::Verdict& current,
                                                  const policy::Policy& policy,
                                                  std::int64_t now_unix) {
  return plan_notifications(vacancy, previous, current, policy.notifications, now_unix,
                            group_labels(policy), policy_terms(policy));
}

std::string email_language(std::string_view recipient_language, std::string_view configured) {
  for (std::string_view lang : {"nb", "nn", "en"})
    if (recipient_language == lang) return std::string(lang);
  for (std::string_view lang : {"nb", "nn", "en"})
    if (configured == lang) return std::string(lang);
  return "nb";
}

std::string group_phrase(std::string_view language, std::string_view group,
                         std::string_view policy_label) {
  struct Phrase {
    std::string_view group, nb, nn, en;
  };
  static constexpr std::array<Phrase, 4> kPhrases = {{
      {"immigrant_background", "innvandrerbakgrunn", "innvandrarbakgrunn",
       "an immigrant background"},
      {"non_western_background", "ikke-vestlig bakgrunn", "ikkje-vestleg bakgrunn",
       "a non-Western background"},
      {"disability", "nedsatt funksjonsevne", "nedsett funksjonsevne", "a disability"},
      {"cv_gap", "hull i CV-en", "hol i CV-en", "a gap in their CV"},
  }};
  for (const Phrase& p : kPhrases) {
    if (p.group != group) continue;
    return std::string(language == "nn" ? p.nn : language == "en" ? p.en : p.nb);
  }
  if (!policy_label.empty()) return std::string(policy_label);
  std::string out(group);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string notification_key(std::string_view tenant, std::string_view vacancy_id,
                             std::string_view rule, std::string_view transition,
                             const domain::RuleVerdict& r, domain::Phase phase) {
  const domain::Counts& c = r.counts;
  // Unit separators keep ("a","bc") and ("ab","c") apart.
  std::string input;
  for (std::string_view part : {std::string_view("mangfold-notify-1"), tenant, vacancy_id, rule,
                                transition, domain::to_string(phase)}) {
    input.append(part);
    input.push_back('\x1f');
  }
  for (int n :
       {c.qualified_in_group, c.invited, c.invited_in_group, c.required, r.missing, c.proposed}) {
    input.append(std::to_string(n));
    input.push_back('\x1f');
  }
  return "mf-" + detail::sha256_hex(input, 16);
}

}  // namespace mangfold::notify
