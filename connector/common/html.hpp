// Escaping text for HTML element content and quoted attribute values.
#pragma once

#include <string>
#include <string_view>

namespace mangfold {

// & < > " ' as entities; everything else (UTF-8 included) as it is.
inline std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace mangfold
