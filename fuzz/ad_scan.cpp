// The job-ad reader (connector/ads): visible text, sentence detection and topic mentions on an
// ad body from the ATS. Input: one byte (bit 0: HTML or text; the rest picks the sentence's
// language), then the body. Also checks the documented promise that reading the ad once
// (ParsedAd, VisibleText) gives the same answers, byte for byte, as the one-shot functions.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/ad_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mangfold;
  if (size == 0) return 0;
  const fuzz::AdRules& rules = fuzz::ad_rules();
  const ads::AdFormat format = (data[0] & 1) ? ads::AdFormat::kText : ads::AdFormat::kHtml;
  const ads::SentenceSpec& spec = rules.sentences[(data[0] >> 1) % rules.sentences.size()];
  const std::string_view body = fuzz::as_text(data + 1, size - 1);

  const std::string text = ads::visible_text(body, format);
  const ads::Detection detection = ads::detect_sentence(body, format, spec);
  const std::vector<std::string> missing = ads::missing_topics(body, format, rules.topics);

  const ads::ParsedAd parsed(body, format);
  const ads::Detection detection_once = ads::detect_sentence(parsed.visible_text(), spec);
  const std::vector<std::string> missing_once =
      ads::missing_topics(parsed.visible_text(), rules.topics);
  if (parsed.visible_text().folded() != text || detection_once.present != detection.present ||
      detection_once.matched != detection.matched || missing_once != missing) {
    std::fprintf(stderr, "fuzz: reading the ad once answers differently from the one-shot calls\n");
    std::abort();
  }
  // Reading for meaning: a listed wording found is never "absent"; evidence stays short.
  const std::size_t index = (data[0] >> 1) % rules.sentences.size();
  const ads::Assessment assessed =
      ads::assess_encouragement(parsed.visible_text(), spec, rules.words[index]);
  if ((detection.present && assessed.presence == ads::Presence::kAbsent) ||
      assessed.evidence.size() > 1024) {
    std::fprintf(stderr, "fuzz: assess_encouragement broke its contract\n");
    std::abort();
  }
  for (const ads::WordingFinding& f :
       ads::find_excluding_wording(parsed.visible_text(), rules.wording))
    if (f.pattern == nullptr || f.found.empty()) std::abort();
  (void)ads::normalize_text(body);
  return 0;
}
