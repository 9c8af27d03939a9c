#include "connector/common/json_text.hpp"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

namespace mangfold::json_text {

bool valid_utf8(std::string_view s) {
  return simdjson::validate_utf8(s.data(), s.size());
}

void append_string(std::string& out, std::string_view s) {
  if (!valid_utf8(s)) {
    out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  std::size_t start = 0;  // the first byte not yet copied: runs of plain bytes go at once
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + start, i - start);
    start = i + 1;
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
      default: {
        constexpr char kHex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(escaped, sizeof escaped);
      }
    }
  }
  out.append(s.data() + start, s.size() - start);
  out += '"';
}

void append_key(std::string& out, std::string_view key, bool first) {
  if (!first) out += ',';
  append_string(out, key);
  out += ':';
}

void append_int(std::string& out, std::int64_t n) {
  std::array<char, 24> buf;
  const auto end = std::to_chars(buf.data(), buf.data() + buf.size(), n).ptr;
  out.append(buf.data(), end);
}

}  // namespace mangfold::json_text
