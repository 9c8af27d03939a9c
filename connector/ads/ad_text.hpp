// Job-ad text: detect and inject the encouragement sentence (IMDi personalreglement §4.3)
// and check that required topics are mentioned (§4.1). DESIGN.md §5, rules `ad_sentence`
// and `ad_mentions`.
//
// Pure functions over values: no I/O, no clock, no globals, no logging; safe to call from
// any thread. HTML is parsed with gumbo only to read text and source positions; the
// document is never re-serialised, so an injection changes nothing but the inserted bytes.
// Inputs are UTF-8; invalid bytes are read as U+FFFD and never make a function fail.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/common/status.hpp"

namespace mangfold::ads {

// The sentence for one language. Plain text (not HTML): it is escaped when injected.
struct SentenceSpec {
  std::string sentence;                  // canonical wording, injected when none is present
  std::vector<std::string> equivalents;  // other wordings that count as present
};

// Where the sentence goes. Headings are matched on their normalised text (see
// normalize_text) with leading/trailing punctuation ignored, so "SLIK SØKER DU:" matches
// "Slik søker du". A heading is an h1–h6, a <p>/<div> whose whole text is the heading, or a
// <b>/<strong>/<span>/… that stands alone on its line (between <br>s or block edges).
// When no heading matches, the sentence goes after the last content of the innermost
// single wrapper (e.g. before the </div> of <div class="ad">…</div>), i.e. at the end;
// trailing blocks without words ("<p>&nbsp;</p>" spacers) are not counted as content.
struct Anchor {
  std::vector<std::string> before_headings;  // e.g. {"Slik søker du", "How to apply"}
};

enum class AdFormat { kHtml, kText };

struct Detection {
  bool present = false;
  std::string matched;  // the wording (as given in the spec) that was found; empty if absent
};

struct Injection {
  std::string body;  // the new body (== input when !changed)
  bool changed = false;
  std::size_t offset = 0;  // byte offset in the input where the text was inserted
  std::size_t length = 0;  // bytes inserted; body = in[0,offset) + inserted + in[offset,…)
  std::string anchor;      // the heading it was placed before, as written in Anchor; empty
                           // when placed at the end or unchanged
};

namespace internal {
class HtmlDocument;
}  // namespace internal

// Lower-cased, whitespace-collapsed text used for every comparison: typographic quotes,
// apostrophes and dashes folded to ASCII, NBSP and other spaces to ' ', soft hyphens and
// zero-width characters removed, common combining accents composed (a + U+030A → å),
// Latin-1, Latin Extended-A/B (partly), Greek and Cyrillic letters lower-cased.
std::string normalize_text(std::string_view plain);

// The normalised visible text of an ad. HTML: tags stripped (block elements and <br> act as
// spaces), entities decoded, and ignored: comments, <head>, <script>, <style>, <template>,
// <noscript>, <iframe>, elements with the `hidden` attribute or an inline
// `display:none`/`visibility:hidden` style. Text: the body as is.
std::string visible_text(std::string_view body, AdFormat format);

// Whether the sentence or an equivalent occurs in the visible text, as whole words;
// leading/trailing punctuation of a wording is ignored. Wordings that normalise to nothing
// never match. The canonical sentence is tried first, then the equivalents in order.
Detection detect_sentence(std::string_view body, AdFormat format, const SentenceSpec& spec);

// Inserts the sentence unless detect_sentence finds it (then returns the input unchanged).
// HTML: inserts "<p>" + escaped sentence (& < > ") + "</p>" before the first matching
// heading, else at the end; the result is re-parsed to check that the paragraph is where
// it was meant to be and is detected, trying the next position otherwise. Text: inserts
// the sentence as its own paragraph (blank-line separated, the input's line ending) before
// the first line that is a matching heading, else after the last non-blank line.
// Idempotent: inject(inject(x)) == inject(x).
// Errors: kInvalidArgument when the sentence is empty or not valid UTF-8; kUnprocessable
// when no position in the HTML takes the paragraph (e.g. the input ends inside an
// unterminated comment) — the caller should fall back to flagging.
Result<Injection> inject_sentence(std::string_view body, AdFormat format, const SentenceSpec& spec,
                                  const Anchor& anchor);

// §4.1: a topic is mentioned when any of its keywords occurs in the visible text, starting
// at a word boundary. A keyword ending in '*' matches as a prefix ("mangfold*" matches
// "mangfoldet"); otherwise it must also end at a word boundary. Keywords that normalise to
// nothing are ignored; a topic without usable keywords is reported missing.
struct Topic {
  std::string name;
  std::vector<std::string> keywords;
};
// The names of the topics not mentioned, in the given order.
std::vector<std::string> missing_topics(std::string_view body, AdFormat format,
                                        const std::vector<Topic>& topics);

// ---- Reading an ad once ---------------------------------------------------------------
// Each function above reads the body afresh (for HTML, one gumbo parse per call). When an
// ad is asked several things — the sentence, the topics, where to inject — read it once
// into the types below and use the overloads that take them: the answers are the same,
// byte for byte, without parsing again.

// The folded visible text of an ad, visible_text(body, format): all that detect_sentence
// and missing_topics read. An owning value with no tie to the body: copy it, keep it,
// share it between threads (it is immutable).
class VisibleText {
 public:
  VisibleText(std::string_view body, AdFormat format);  // one parse for HTML
  const std::string& folded() const { return folded_; }

 private:
  friend class ParsedAd;
  struct Folded {};
  VisibleText(Folded, std::string folded) : folded_(std::move(folded)) {}
  std::string folded_;
};

// An ad read once: its visible text and, for HTML, its gumbo parse tree, from which
// inject_sentence finds the insertion points.
// Lifetime: a view, not a copy. It refers to `body` (the tree points into it), so the
// string must outlive the ParsedAd and must not change while it exists.
// Cost: one gumbo parse for HTML (a fold for text); the tree, several times the size of
// the body, is held until the ParsedAd is destroyed — keep visible_text() if only that is
// needed for longer. Move-only; a moved-from ParsedAd may only be destroyed or assigned.
// Thread-safety: immutable after construction; concurrent reads are safe.
class ParsedAd {
 public:
  ParsedAd(std::string_view body, AdFormat format);
  ~ParsedAd();
  ParsedAd(ParsedAd&&) noexcept;
  ParsedAd& operator=(ParsedAd&&) noexcept;
  ParsedAd(const ParsedAd&) = delete;
  ParsedAd& operator=(const ParsedAd&) = delete;

  std::string_view body() const { return body_; }
  AdFormat format() const { return format_; }
  const VisibleText& visible_text() const { return text_; }

 private:
  friend Result<Injection> inject_sentence(const ParsedAd& ad, const SentenceSpec& spec,
                                           const Anchor& anchor);
  std::string_view body_;
  AdFormat format_;
  std::unique_ptr<internal::HtmlDocument> html_;  // null for a text ad
  VisibleText text_;
};

// As detect_sentence(body, format, spec) on the ad the text was read from.
Detection detect_sentence(const VisibleText& text, const SentenceSpec& spec);
// As missing_topics(body, format, topics) on the ad the text was read from.
std::vector<std::string> missing_topics(const VisibleText& text, const std::vector<Topic>& topics);
// As inject_sentence(ad.body(), ad.format(), spec, anchor). Re-parses only the result, once
// for each position tried (normally one), to check the placement.
Result<Injection> inject_sentence(const ParsedAd& ad, const SentenceSpec& spec,
                                  const Anchor& anchor);

// A unified-diff-like, line-based rendering for previews (`mangfold simulate`): one hunk
// "@@ -l,n +l,n @@" with up to `context` unchanged lines on each side, then ' '/'-'/'+'
// lines. Lines are split on '\n' ('\r' before it is not shown). Empty when equal.
std::string render_diff(std::string_view before, std::string_view after, int context = 3);

}  // namespace mangfold::ads
