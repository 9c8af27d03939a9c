#include "adapters/generic/json_style.hpp"

#include <cmath>
#include <cstdio>

namespace mangfold::generic {

namespace {

using Ordered = nlohmann::ordered_json;
using Style = TemplatePart::JsonStyle;

void hex4(std::string& out, unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", v & 0xFFFFu);
  out += buf;
}

// The code point starting at s[i] (valid UTF-8: nlohmann's parser refused anything else);
// advances i past it.
unsigned next_code_point(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  unsigned cp = 0;
  int extra = 0;
  if (b < 0x80) {
    cp = b;
  } else if ((b & 0xE0) == 0xC0) {
    cp = b & 0x1F, extra = 1;
  } else if ((b & 0xF0) == 0xE0) {
    cp = b & 0x0F, extra = 2;
  } else {
    cp = b & 0x07, extra = 3;
  }
  ++i;
  for (int k = 0; k < extra && i < s.size(); ++k, ++i)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
  return cp;
}

void put_string(std::string& out, std::string_view s, Style style) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t start = i;
      const unsigned cp = next_code_point(s, i);
      if (style == Style::kJavaScript) {
        out.append(s.substr(start, i - start));
      } else if (cp >= 0x10000) {
        const unsigned v = cp - 0x10000;
        hex4(out, 0xD800 + (v >> 10));
        hex4(out, 0xDC00 + (v & 0x3FF));
      } else {
        hex4(out, cp);
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '/':
        out += style == Style::kPhp ? "\\/" : "/";
        break;
      default:
        if (c < 0x20)
          hex4(out, c);
        else
          out += static_cast<char>(c);
    }
  }
  out += '"';
}

void put(std::string& out, const Ordered& j, Style style) {
  switch (j.type()) {
    case Ordered::value_t::object: {
      if (j.empty()) {
        out += style == Style::kPhp ? "[]" : "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out += ',';
        first = false;
        put_string(out, it.key(), style);
        out += ':';
        put(out, it.value(), style);
      }
      out += '}';
      return;
    }
    case Ordered::value_t::array: {
      out += '[';
      bool first = true;
      for (const Ordered& item : j) {
        if (!first) out += ',';
        first = false;
        put(out, item, style);
      }
      out += ']';
      return;
    }
    case Ordered::value_t::string:
      put_string(out, j.get_ref<const std::string&>(), style);
      return;
    case Ordered::value_t::number_float: {
      const double d = j.get<double>();
      if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e15) {
        out += std::to_string(static_cast<long long>(d));
        if (style == Style::kPhp) out += ".0";
        return;
      }
      out += j.dump();
      return;
    }
    default:
      out += j.dump();  // integers, booleans, null: the same in both languages
  }
}

}  // namespace

Result<std::string> reserialise_json(std::string_view raw, Style style) {
  Ordered j = Ordered::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument("not one valid JSON value");
  std::string out;
  out.reserve(raw.size());
  put(out, j, style);
  return out;
}

}  // namespace mangfold::generic
