#include "connector/ads/ad_text.hpp"
#include "connector/common/html.hpp"

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

Result<Injection> inject_html(std::string_view body, const SentenceSpec& spec,
                              const Anchor& anchor) {
  const std::string paragraph = "<p>" + escape_html(spec.sentence) + "</p>";
  const std::string folded = fold(spec.sentence);
  for (const internal::InsertionPoint& point :
       internal::html_insertion_points(body, heading_keys(anchor))) {
    Injection inj = splice(body, point.offset, paragraph);
    // Re-parse instead of trusting the position: malformed markup around the insertion
    // point can swallow or move a paragraph, and a wrong write-back to the ATS is worse
    // than none.
    if (!internal::html_has_paragraph(inj.body, inj.offset, inj.offset + inj.length, folded)) {
      continue;
    }
    if (!detect_sentence(inj.body, AdFormat::kHtml, spec).present) continue;
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
  if (format == AdFormat::kHtml) return fold(internal::html_visible_text(body));
  return fold(body);
}

Detection detect_sentence(std::string_view body, AdFormat format, const SentenceSpec& spec) {
  return detect_in(visible_text(body, format), spec);
}

Result<Injection> inject_sentence(std::string_view body, AdFormat format, const SentenceSpec& spec,
                                  const Anchor& anchor) {
  if (Status s = check_sentence(spec.sentence); !s.is_ok()) return s;
  if (detect_sentence(body, format, spec).present) {
    Injection same;
    same.body = std::string(body);
    return same;
  }
  Result<Injection> inj =
      format == AdFormat::kHtml ? inject_html(body, spec, anchor) : inject_text(body, spec, anchor);
  if (inj.ok() && format == AdFormat::kText && !detect_sentence(inj->body, format, spec).present) {
    return internal_error("the injected sentence is not detected in the result");
  }
  return inj;
}

std::vector<std::string> missing_topics(std::string_view body, AdFormat format,
                                        const std::vector<Topic>& topics) {
  const std::string text = visible_text(body, format);
  std::vector<std::string> missing;
  for (const Topic& topic : topics) {
    bool mentioned = false;
    for (std::string_view kw : topic.keywords) {
      while (!kw.empty() && (kw.back() == ' ' || kw.back() == '\t'))
        kw.remove_suffix(1);
      const bool prefix = !kw.empty() && kw.back() == '*';
      if (prefix) kw.remove_suffix(1);
      if (internal::contains_words(text, wording_key(kw), prefix)) {
        mentioned = true;
        break;
      }
    }
    if (!mentioned) missing.push_back(topic.name);
  }
  return missing;
}

}  // namespace mangfold::ads
