// Shared by the two job-ad harnesses: the sentences, headings and topics of the shipped IMDi
// policy (policies/imdi.yaml and policies/base/common.yaml), as connector/policy passes them to
// connector/ads.
#pragma once

#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "connector/ads/ad_text.hpp"
#include "fuzz/fuzz_support.hpp"

namespace mangfold::fuzz {

struct AdRules {
  std::vector<ads::SentenceSpec> sentences;  // one per language
  ads::Anchor anchor;
  std::vector<ads::Topic> topics;  // the first language's keywords
};

inline const AdRules& ad_rules() {
  static const AdRules rules = [] {
    AdRules out;
    for (const policy::Rule& r : shipped_policy("policies/imdi.yaml").rules) {
      if (const auto* s = std::get_if<policy::AdSentence>(&r.spec)) {
        for (const auto& [language, sentence] : s->sentences)
          out.sentences.push_back({sentence.sentence, sentence.equivalents});
        out.anchor.before_headings = s->before_headings;
      } else if (const auto* m = std::get_if<policy::AdMentions>(&r.spec)) {
        for (const policy::Topic& t : m->topics)
          if (!t.keywords.empty()) out.topics.push_back({t.name, t.keywords.begin()->second});
      }
    }
    if (out.sentences.empty() || out.topics.empty()) std::abort();
    return out;
  }();
  return rules;
}

}  // namespace mangfold::fuzz
