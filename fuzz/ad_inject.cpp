// The sentence injector (connector/ads inject_sentence) on an ad body from the ATS, with the
// shipped IMDi sentence and headings. Input: one byte (bit 0: HTML or text; the rest picks the
// language), then the body. Checks the documented contract on every success: only the inserted
// bytes change, the sentence is then detected, and injecting again changes nothing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/ad_support.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz: inject_sentence: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mangfold;
  if (size == 0) return 0;
  const fuzz::AdRules& rules = fuzz::ad_rules();
  const ads::AdFormat format = (data[0] & 1) ? ads::AdFormat::kText : ads::AdFormat::kHtml;
  const ads::SentenceSpec& spec = rules.sentences[(data[0] >> 1) % rules.sentences.size()];
  const std::string_view body = fuzz::as_text(data + 1, size - 1);

  Result<ads::Injection> injected = ads::inject_sentence(body, format, spec, rules.anchor);
  if (!injected.ok()) {
    // Documented: only HTML where no position takes the paragraph.
    if (injected.status().code() != StatusCode::kUnprocessable || format != ads::AdFormat::kHtml)
      fail("an error other than kUnprocessable for HTML");
    return 0;
  }
  const ads::Injection& first = *injected;
  if (!first.changed) {
    if (first.body != body) fail("unchanged, but the body differs");
    return 0;
  }
  if (first.offset > body.size() || first.body.size() != body.size() + first.length ||
      first.body.compare(0, first.offset, body.substr(0, first.offset)) != 0 ||
      first.body.compare(first.offset + first.length, std::string::npos,
                         body.substr(first.offset)) != 0)
    fail("changed more than the inserted bytes");
  if (!ads::detect_sentence(first.body, format, spec).present)
    fail("the injected sentence is not detected");
  Result<ads::Injection> again = ads::inject_sentence(first.body, format, spec, rules.anchor);
  if (!again.ok() || again->changed) fail("not idempotent");

  // With the detection words: inserts only where the ad was surely without the sentence,
  // and then exactly as without them; the result reads as present.
  const ads::EncouragementWords& words = rules.words[(data[0] >> 1) % rules.words.size()];
  const ads::ParsedAd parsed(body, format);
  const ads::Assessment before = ads::assess_encouragement(parsed.visible_text(), spec, words);
  Result<ads::Injection> careful = ads::inject_sentence(parsed, spec, rules.anchor, words);
  if (!careful.ok()) fail("with detection words: an error where there was none");
  if (careful->changed != (before.presence == ads::Presence::kAbsent))
    fail("with detection words: inserted although not surely absent, or not inserted");
  if (careful->changed && careful->body != first.body) fail("with detection words: another body");
  if (careful->changed &&
      ads::assess_encouragement(ads::VisibleText(careful->body, format), spec, words).presence !=
          ads::Presence::kPresent)
    fail("with detection words: the injected sentence is not read as present");
  return 0;
}
