// Internal to connector/ads: what the module needs to know about an HTML ad, read with
// gumbo. Offsets are byte offsets into the string parsed; nothing is re-serialised.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mangfold::ads::internal {

struct InsertionPoint {
  std::size_t offset = 0;
  int heading = -1;  // index of the matched heading key; -1 for an end position
};

// One gumbo parse of an HTML text, kept so that several questions cost one parse.
// Lifetime: gumbo's tree points into `html`, so the string must outlive the document and
// must not change while it exists. Move-only. Immutable after construction: const members
// may run on several threads at once.
class HtmlDocument {
 public:
  explicit HtmlDocument(std::string_view html);
  ~HtmlDocument();
  HtmlDocument(HtmlDocument&&) noexcept;
  HtmlDocument& operator=(HtmlDocument&&) noexcept;
  HtmlDocument(const HtmlDocument&) = delete;
  HtmlDocument& operator=(const HtmlDocument&) = delete;

  // The visible text, entities decoded but not yet folded; block elements and <br>
  // contribute a space. See visible_text() in ad_text.hpp for what is invisible.
  std::string visible_text() const;

  // Where a new paragraph may go, best first: before the first heading whose key (folded,
  // trim_non_word) is one of `heading_keys`, then after the content of the innermost
  // single wrapper, after the content of <body>, and the end of the input. No duplicates.
  std::vector<InsertionPoint> insertion_points(const std::vector<std::string>& heading_keys) const;

  // True when the document has a visible <p> whose start tag is at `begin`, whose end tag
  // ends at `end`, which sits in a parent that can hold it (not foster-parented out of a
  // table), and whose folded text is `folded_text`.
  bool has_paragraph(std::size_t begin, std::size_t end, std::string_view folded_text) const;

 private:
  class Parse;
  std::size_t size_ = 0;  // of the input, in bytes
  std::unique_ptr<Parse> parse_;
};

}  // namespace mangfold::ads::internal
