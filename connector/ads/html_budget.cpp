#include "connector/ads/html_budget.hpp"

#include <algorithm>
#include <array>

namespace mangfold::ads {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_name_end(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' || c == '>';
}

template <std::size_t N>
bool one_of(std::string_view name, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// No end tag, never open.
constexpr std::array<std::string_view, 15> kVoid = {"area",  "base",   "br",    "col",  "embed",
                                                    "hr",    "img",    "input", "link", "meta",
                                                    "param", "source", "track", "wbr",  "keygen"};
// May lose their end tag (HTML §13.1.2.4): the parser closes them itself, so they never
// nest by being left open.
constexpr std::array<std::string_view, 21> kOptionalEnd = {
    "p",  "li", "dt",    "dd",    "option", "optgroup", "rb",      "rt",   "rtc",  "rp",  "tr",
    "td", "th", "thead", "tbody", "tfoot",  "colgroup", "caption", "html", "head", "body"};
// Their content is text up to their own end tag.
constexpr std::array<std::string_view, 9> kRawText = {
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"};

}  // namespace

HtmlShape measure_html(std::string_view html) {
  HtmlShape shape;
  int open = 0;
  std::string name;
  std::size_t i = 0;
  const std::size_t n = html.size();
  while (i < n) {
    const std::size_t lt = html.find('<', i);
    if (lt == std::string_view::npos || lt + 1 >= n) break;
    i = lt + 1;
    if (html.compare(lt, 4, "<!--") == 0) {
      const std::size_t end = html.find("-->", lt + 4);
      i = end == std::string_view::npos ? n : end + 3;
      continue;
    }
    if (html[i] == '!' || html[i] == '?') {
      const std::size_t end = html.find('>', i);
      i = end == std::string_view::npos ? n : end + 1;
      continue;
    }
    const bool closing = html[i] == '/';
    if (closing) ++i;
    if (i >= n || !is_alpha(html[i])) continue;  // "<" as text
    name.clear();
    while (i < n && !is_name_end(html[i]))
      name += lower(html[i++]);
    // Skip the attributes: quoted values may hold '>'.
    char quote = 0;
    while (i < n) {
      const char c = html[i++];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        break;
      }
    }
    ++shape.tags;
    if (one_of(name, kVoid) || one_of(name, kOptionalEnd)) continue;
    if (closing) {
      open = std::max(0, open - 1);
      continue;
    }
    shape.depth = std::max(shape.depth, ++open);
    if (one_of(name, kRawText)) {
      // Up to "</name" (case-insensitive), or the end.
      std::size_t j = i;
      for (;;) {
        j = html.find("</", j);
        if (j == std::string_view::npos) {
          i = n;
          break;
        }
        bool match = j + 2 + name.size() <= n;
        for (std::size_t k = 0; match && k < name.size(); ++k)
          match = lower(html[j + 2 + k]) == name[k];
        if (match) {
          i = j;
          break;
        }
        j += 2;
      }
    }
  }
  return shape;
}

std::optional<std::string> html_over_budget(std::string_view html, const InputLimits& limits) {
  return over_budget(measure_html(html), limits);
}

std::optional<std::string> over_budget(const HtmlShape& shape, const InputLimits& limits) {
  if (shape.tags > limits.html_max_tags)
    return "the ad has more than " + std::to_string(limits.html_max_tags) +
           " HTML tags (limits.html_max_tags)";
  if (shape.depth > limits.html_max_depth)
    return "the ad's HTML nests more than " + std::to_string(limits.html_max_depth) +
           " elements deep (limits.html_max_depth)";
  return std::nullopt;
}

}  // namespace mangfold::ads
