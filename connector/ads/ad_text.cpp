#include "connector/ads/ad_text.hpp"
#include "connector/common/html.hpp"

#include <cassert>
#include <utility>

#include "connector/ads/html_scan.hpp"
#include "connector/ads/text_fold.hpp"

namespace mangfold::ads {
namespace {

using internal::fold;
using internal::trim_non_word;

// A wording as it is compared: folded, without the punctuation around it.
std::string wording_key(std::string_view wording) {
  const std::string folded = fold(wording);
  return std::string(trim_non_word(folded));
}

Detection detect_in(std::string_view visible, const SentenceSpec& spec) {
  auto found = [&](const std::string& wording) {
    return internal::contains_words(visible, wording_key(wording));
  };
  if (found(spec.sentence)) return {true, spec.sentence};
  for (const auto& w : spec.equivalents) {
    if (found(w)) return {true, w};
  }
  return {};
}

std::vector<std::string> heading_keys(const Anchor& anchor) {
  std::vector<std::string> keys;
  keys.reserve(anchor.before_headings.size());
  for (const auto& h : anchor.before_headings)
    keys.push_back(wording_key(h));
  return keys;
}

std::string escape_html(std::string_view s) {
  return html_escape(s);
}

Status check_sentence(std::string_view sentence) {
  if (!internal::is_valid_utf8(sentence)) {
    return invalid_argument("the ad sentence is not valid UTF-8");
  }
  for (char c : sentence) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7F) {
      return invalid_argument("the ad sentence contains a control character");
    }
  }
  if (wording_key(sentence).empty()) return invalid_argument("the ad sentence is empty");
  return Status{};
}

Injection splice(std::string_view body, std::size_t offset, std::string_view text) {
  Injection inj;
  inj.body.reserve(body.size() + text.size());
  inj.body.append(body.substr(0, offset));
  inj.body.append(text);
  inj.body.append(body.substr(offset));
  inj.changed = true;
  inj.offset = offset;
  inj.length = text.size();
  return inj;
}

// Ads written in plain text keep their own line endings; the sentence becomes a paragraph
// of its own, separated by blank lines from its neighbours.
Result<Injection> inject_text(std::string_view body, const SentenceSpec& spec,
                              const Anchor& anchor) {
  const std::string eol = body.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
  const std::vector<std::string> keys = heading_keys(anchor);
  bool previous_blank = true;  // the start of the text is as good as a blank line
  for (std::size_t start = 0; start < body.size();) {
    std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string folded = fold(body.substr(start, end - start));
    const std::string_view key = trim_non_word(folded);
    for (std::size_t i = 0; i < keys.size() && !key.empty(); ++i) {
      if (keys[i] != key) continue;
      std::string text = previous_blank ? "" : eol;
      text += spec.sentence + eol + eol;
      Injection inj = splice(body, start, text);
      inj.anchor = anchor.before_headings[i];
      return inj;
    }
    previous_blank = folded.empty();
    start = end + 1;
  }
  const std::size_t last = body.find_last_not_of(" \t\r\n\f\v");
  if (last == std::string_view::npos) return splice(body, 0, spec.sentence);
  return splice(body, last + 1, eol + eol + spec.sentence);
}

// Re-parses the injected body instead of trusting the position: malformed markup around
// the insertion point can swallow or move a paragraph, and a wrong write-back to the ATS is
// worse than none.
bool placed_as_paragraph(const Injection& inj, std::string_view folded_sentence,
                         [[maybe_unused]] const SentenceSpec& spec) {
  const internal::HtmlDocument result(inj.body);
  if (!result.has_paragraph(inj.offset, inj.offset + inj.length, folded_sentence)) return false;
  // A visible <p> whose folded text is the sentence puts it, between spaces, into the folded
  // visible text (fold works segment by segment between spaces, and the edges of a <p> are
  // spaces), so detection cannot fail here. Checked in debug builds, not paid for in release.
  assert(detect_in(fold(result.visible_text()), spec).present);
  return true;
}

Result<Injection> inject_html(const internal::HtmlDocument& document, std::string_view body,
                              const SentenceSpec& spec, const Anchor& anchor) {
  const std::string paragraph = "<p>" + escape_html(spec.sentence) + "</p>";
  const std::string folded = fold(spec.sentence);
  for (const internal::InsertionPoint& point : document.insertion_points(heading_keys(anchor))) {
    Injection inj = splice(body, point.offset, paragraph);
    if (!placed_as_paragraph(inj, folded, spec)) continue;
    if (point.heading >= 0) inj.anchor = anchor.before_headings[point.heading];
    return inj;
  }
  return unprocessable("no place in the ad's HTML takes the sentence as a paragraph");
}

}  // namespace

std::string normalize_text(std::string_view plain) {
  return fold(plain);
}

std::string visible_text(std::string_view body, AdFormat format) {
  if (format == AdFormat::kHtml) return fold(internal::HtmlDocument(body).visible_text());
  return fold(body);
}

VisibleText::VisibleText(std::string_view body, AdFormat format)
    : folded_(visible_text(body, format)) {}

ParsedAd::ParsedAd(std::string_view body, AdFormat format)
    : body_(body),
      format_(format),
      html_(format == AdFormat::kHtml ? std::make_unique<internal::HtmlDocument>(body) : nullptr),
      text_(VisibleText::Folded{}, html_ ? fold(html_->visible_text()) : fold(body)) {}
ParsedAd::~ParsedAd() = default;
ParsedAd::ParsedAd(ParsedAd&&) noexcept = default;
ParsedAd& ParsedAd::operator=(ParsedAd&&) noexcept = default;

Detection detect_sentence(const VisibleText& text, const SentenceSpec& spec) {
  return detect_in(text.folded(), spec);
}

Detection detect_sentence(std::string_view body, AdFormat format, const SentenceSpec& spec) {
  return detect_in(visible_text(body, format), spec);
}

Result<Injection> inject_sentence(const ParsedAd& ad, const SentenceSpec& spec,
                                  const Anchor& anchor) {
  if (Status s = check_sentence(spec.sentence); !s.is_ok()) return s;
  if (detect_sentence(ad.visible_text(), spec).present) {
    Injection same;
    same.body = std::string(ad.body());
    return same;
  }
  Result<Injection> inj = ad.html_ ? inject_html(*ad.html_, ad.body(), spec, anchor)
                                   : inject_text(ad.body(), spec, anchor);
  if (inj.ok() && !ad.html_ && !detect_sentence(inj->body, ad.format(), spec).present) {
    return internal_error("the injected sentence is not detected in the result");
  }
  return inj;
}

Result<Injection> inject_sentence(std::string_view body, AdFormat format, const SentenceSpec& spec,
                                  const Anchor& anchor) {
  return inject_sentence(ParsedAd(body, format), spec, anchor);
}

std::vector<std::string> missing_topics(const VisibleText& text, const std::vector<Topic>& topics) {
  std::vector<std::string> missing;
  for (const Topic& topic : topics) {
    bool mentioned = false;
    for (std::string_view kw : topic.keywords) {
      while (!kw.empty() && (kw.back() == ' ' || kw.back() == '\t'))
        kw.remove_suffix(1);
      const bool prefix = !kw.empty() && kw.back() == '*';
      if (prefix) kw.remove_suffix(1);
      if (internal::contains_words(text.folded(), wording_key(kw), prefix)) {
        mentioned = true;
        break;
      }
    }
    if (!mentioned) missing.push_back(topic.name);
  }
  return missing;
}

std::vector<std::string> missing_topics(std::string_view body, AdFormat format,
                                        const std::vector<Topic>& topics) {
  return missing_topics(VisibleText(body, format), topics);
}

}  // namespace mangfold::ads
