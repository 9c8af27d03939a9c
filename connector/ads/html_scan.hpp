// Internal to connector/ads: what the module needs to know about an HTML ad, read with
// gumbo. Offsets are byte offsets into the string passed in; nothing is re-serialised.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mangfold::ads::internal {

// The visible text, entities decoded but not yet folded; block elements and <br>
// contribute a space. See visible_text() in ad_text.hpp for what is invisible.
std::string html_visible_text(std::string_view html);

struct InsertionPoint {
  std::size_t offset = 0;
  int heading = -1;  // index of the matched heading key; -1 for an end position
};

// Where a new paragraph may go, best first: before the first heading whose key (folded,
// trim_non_word) is one of `heading_keys`, then after the content of the innermost single
// wrapper, after the content of <body>, and the end of the input. No duplicates.
std::vector<InsertionPoint> html_insertion_points(std::string_view html,
                                                  const std::vector<std::string>& heading_keys);

// True when `html` has a visible <p> whose start tag is at `begin`, whose end tag ends at
// `end`, which sits in a parent that can hold it (not foster-parented out of a table), and
// whose folded text is `folded_text`.
bool html_has_paragraph(std::string_view html, std::size_t begin, std::size_t end,
                        std::string_view folded_text);

}  // namespace mangfold::ads::internal
