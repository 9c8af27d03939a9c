// Shared by the two job-ad harnesses: the sentences, headings and topics of the shipped IMDi
// policy (policies/imdi.yaml and policies/base/common.yaml), as connector/policy passes them to
// connector/ads.
#pragma once

#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "connector/ads/ad_text.hpp"
#include "connector/ads/wording.hpp"
#include "connector/config/policy_loader.hpp"
#include "connector/policy/ad_rules.hpp"
#include "fuzz/fuzz_support.hpp"

namespace mangfold::fuzz {

struct AdRules {
  std::vector<ads::SentenceSpec> sentences;    // one per language
  std::vector<ads::EncouragementWords> words;  // the detection words, parallel to sentences
  ads::Anchor anchor;
  std::vector<ads::Topic> topics;            // the first language's keywords
  std::vector<ads::WordingPattern> wording;  // policies/base/ad-language.yaml, every language
};

inline const AdRules& ad_rules() {
  static const AdRules rules = [] {
    AdRules out;
    const policy::Policy& imdi = shipped_policy("policies/imdi.yaml");
    for (const policy::Rule& r : imdi.rules) {
      if (const auto* s = std::get_if<policy::AdSentence>(&r.spec)) {
        for (const auto& [language, sentence] : s->sentences) {
          out.sentences.push_back({sentence.sentence, sentence.equivalents});
          out.words.push_back(policy::encouragement_words(imdi, *s, language));
        }
        out.anchor.before_headings = s->before_headings;
      } else if (const auto* m = std::get_if<policy::AdMentions>(&r.spec)) {
        for (const policy::Topic& t : m->topics)
          if (!t.keywords.empty()) out.topics.push_back({t.name, t.keywords.begin()->second});
      }
    }
    config::PolicyLoad wording = config::load_policy("policies/base/ad-language.yaml",
                                                     embedded_reader(), config::PolicyKind::kBase);
    if (!wording.policy) std::abort();
    for (const policy::Rule& r : wording.policy->rules)
      if (const auto* a = std::get_if<policy::AdLanguage>(&r.spec))
        for (const auto& [language, language_rules] : a->wording)
          for (const policy::WordingRule& w : language_rules)
            out.wording.push_back({w.id, w.patterns, w.reason, w.suggestion, w.source});
    if (out.sentences.empty() || out.topics.empty() || out.wording.empty()) std::abort();
    for (const auto& w : out.words)
      if (w.empty()) std::abort();
    return out;
  }();
  return rules;
}

}  // namespace mangfold::fuzz
