#include "connector/policy/ad_rules.hpp"

#include "connector/ads/ad_text.hpp"
#include "connector/policy/ad_injection.hpp"
#include "connector/policy/engine.hpp"

namespace mangfold::policy {

namespace {

ads::AdFormat ad_format(const domain::JobAd& ad) {
  return ad.format == domain::AdFormat::kHtml ? ads::AdFormat::kHtml : ads::AdFormat::kText;
}

std::string pick_language(const std::map<std::string, std::vector<std::string>>& by_language,
                          const std::string& ad_language, const std::string& fallback) {
  if (by_language.count(ad_language)) return ad_language;
  if (by_language.count(fallback)) return fallback;
  return {};
}

// The ad as the rule sees it, or nullptr with `v` set to insufficient data.
const domain::JobAd* ad_or_explain(const domain::Snapshot& s, domain::RuleVerdict& v) {
  const auto& ad = s.vacancy.ad;
  if (ad && !ad->body.empty()) return &*ad;
  v.outcome = domain::Outcome::kInsufficientData;
  v.severity = domain::Severity::kAdvice;
  v.reason_code = "no_ad_text";
  v.reason = "The event carried no ad text to check";
  return nullptr;
}

}  // namespace

void evaluate_ad_sentence(const AdSentence& rule, const domain::Snapshot& s,
                          domain::RuleVerdict& v) {
  const domain::JobAd* ad = ad_or_explain(s, v);
  if (!ad) return;
  const std::string language = sentence_language(rule, ad->language);
  if (language.empty()) {
    v.outcome = domain::Outcome::kInsufficientData;
    v.severity = domain::Severity::kAdvice;
    v.reason_code = "no_sentence_for_language";
    v.reason = "The policy has no sentence for the ad's language '" + ad->language + "'";
    return;
  }
  const LanguageSentence& wording = rule.sentences.at(language);
  const ads::Detection found = ads::detect_sentence(
      ad->body, ad_format(*ad), ads::SentenceSpec{wording.sentence, wording.equivalents});
  if (found.present) {
    v.outcome = domain::Outcome::kCompliant;
    v.reason_code = "sentence_present";
    v.reason = "The ad carries the encouragement sentence (" + language + ")";
    return;
  }
  v.outcome = domain::Outcome::kShortfall;
  v.severity = domain::Severity::kWarning;
  v.missing = 1;
  v.reason_code = "sentence_missing";
  v.reason = "The ad lacks the sentence encouraging the group to apply (" + language + ")" +
             (rule.mode == AdMode::kInject ? "; it is to be inserted" : "");
}

void evaluate_ad_mentions(const AdMentions& rule, const domain::Snapshot& s,
                          domain::RuleVerdict& v) {
  const domain::JobAd* ad = ad_or_explain(s, v);
  if (!ad) return;
  std::vector<ads::Topic> topics;
  for (const Topic& t : rule.topics) {
    const std::string language = pick_language(t.keywords, ad->language, rule.fallback_language);
    if (language.empty()) continue;  // the loader requires every declared language
    topics.push_back(ads::Topic{t.name, t.keywords.at(language)});
  }
  const std::vector<std::string> missing = ads::missing_topics(ad->body, ad_format(*ad), topics);
  if (missing.empty()) {
    v.outcome = domain::Outcome::kCompliant;
    v.reason_code = "topics_mentioned";
    v.reason = "The ad mentions every required topic";
    return;
  }
  v.outcome = domain::Outcome::kShortfall;
  v.severity = domain::Severity::kWarning;
  v.missing = static_cast<int>(missing.size());
  v.reason_code = "topics_missing";
  v.reason = "The ad does not mention:";
  for (size_t i = 0; i < missing.size(); ++i)
    v.reason += (i ? ", " : " ") + missing[i];
}

}  // namespace mangfold::policy

namespace mangfold::policy {

Result<std::optional<AdChange>> plan_ad_injection(const Policy& policy,
                                                  const domain::Snapshot& snapshot) {
  const auto& ad = snapshot.vacancy.ad;
  if (!ad || ad->body.empty()) return std::optional<AdChange>{};
  for (const Rule& rule : policy.rules) {
    const auto* spec = std::get_if<AdSentence>(&rule.spec);
    if (!rule.enabled || !spec || spec->mode != AdMode::kInject) continue;
    const std::string language = sentence_language(*spec, ad->language);
    if (language.empty()) continue;
    const LanguageSentence& wording = spec->sentences.at(language);
    Result<ads::Injection> injected = ads::inject_sentence(
        ad->body, ad_format(*ad), ads::SentenceSpec{wording.sentence, wording.equivalents},
        ads::Anchor{spec->before_headings});
    if (!injected.ok()) return injected.status();
    if (!injected->changed) continue;
    AdChange change{rule.name, language, *ad, *ad};
    change.after.body = std::move(injected->body);
    return std::optional<AdChange>(std::move(change));
  }
  return std::optional<AdChange>{};
}

}  // namespace mangfold::policy
