#include "adapters/generic/json_path.hpp"

#include "adapters/common/json_wire.hpp"
#include "connector/common/utf8.hpp"

#include <cstdint>

namespace mangfold::generic {

namespace {

std::optional<std::size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 18) return std::nullopt;
  if (token.size() > 1 && token[0] == '0') return std::nullopt;
  std::size_t n = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

// A cursor over JSON text that is already known to be valid (nlohmann parsed it), written
// defensively anyway: every read is bounds-checked and failure is a value, not a crash.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  std::size_t pos() const { return i_; }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool peek(char c) {
    skip_ws();
    return i_ < s_.size() && s_[i_] == c;
  }
  bool take(char c) {
    if (!peek(c)) return false;
    ++i_;
    return true;
  }

  // Reads a string token and decodes it (escapes, \u surrogate pairs) to UTF-8.
  std::optional<std::string> string() {
    if (!take('"')) return std::nullopt;
    std::string out;
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return std::nullopt;
      const char e = s_[i_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::optional<std::uint32_t> cp = hex4();
          if (!cp) return std::nullopt;
          if (*cp >= 0xD800 && *cp <= 0xDBFF) {
            if (i_ + 1 >= s_.size() || s_[i_] != '\\' || s_[i_ + 1] != 'u') return std::nullopt;
            i_ += 2;
            std::optional<std::uint32_t> low = hex4();
            if (!low || *low < 0xDC00 || *low > 0xDFFF) return std::nullopt;
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
          }
          append_utf8(out, static_cast<char32_t>(*cp));
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // Skips one value of any kind, iteratively (no recursion on deep nesting).
  bool skip_value() {
    skip_ws();
    if (i_ >= s_.size()) return false;
    if (s_[i_] == '"') return string().has_value();
    if (s_[i_] != '{' && s_[i_] != '[') {
      while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ' &&
             s_[i_] != '\n' && s_[i_] != '\r' && s_[i_] != '\t')
        ++i_;
      return true;
    }
    std::size_t depth = 0;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '"') {
        if (!string()) return false;
        continue;
      }
      ++i_;
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return true;
      }
    }
    return false;
  }

 private:
  std::optional<std::uint32_t> hex4() {
    if (i_ + 4 > s_.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return std::nullopt;
    }
    return v;
  }
  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<Pointer> parse_pointer(std::string_view text, std::string& error) {
  Pointer p;
  p.text = std::string(text);
  std::string_view rest = text;
  if (!rest.empty() && rest[0] == '$') {
    p.from_root = true;
    rest.remove_prefix(1);
  }
  if (rest.empty()) return p;
  if (rest[0] != '/') {
    error = "a JSON Pointer starts with '/' (or '$/' for the document root), e.g. /payload/id";
    return std::nullopt;
  }
  rest.remove_prefix(1);
  std::string token;
  for (std::size_t i = 0; i <= rest.size(); ++i) {
    if (i == rest.size() || rest[i] == '/') {
      p.tokens.push_back(token);
      token.clear();
      continue;
    }
    if (rest[i] != '~') {
      token += rest[i];
      continue;
    }
    if (i + 1 < rest.size() && (rest[i + 1] == '0' || rest[i + 1] == '1')) {
      token += rest[i + 1] == '0' ? '~' : '/';
      ++i;
      continue;
    }
    error = "'~' in a JSON Pointer must be written ~0 ('~') or ~1 ('/')";
    return std::nullopt;
  }
  return p;
}

const Json* resolve(const Json& from, const Pointer& p) {
  const Json* at = &from;
  for (const std::string& token : p.tokens) {
    if (at->is_object()) {
      auto it = at->find(token);
      if (it == at->end()) return nullptr;
      at = &*it;
    } else if (at->is_array()) {
      std::optional<std::size_t> index = array_index(token);
      if (!index || *index >= at->size()) return nullptr;
      at = &(*at)[*index];
    } else {
      return nullptr;
    }
  }
  return at;
}

std::string extend(const std::string& base, std::string_view token) {
  return base + "/" + adapters::pointer_token(token);
}

std::string extend(const std::string& base, std::size_t index) {
  return base + "/" + std::to_string(index);
}

std::string extend(const std::string& base, const Pointer& p) {
  std::string out = p.from_root ? std::string() : base;
  for (const std::string& t : p.tokens)
    out = extend(out, t);
  return out;
}

Result<std::string_view> raw_value(std::string_view text, const Pointer& p) {
  Scanner sc(text);
  for (const std::string& token : p.tokens) {
    if (sc.take('{')) {
      bool found = false;
      std::size_t value_at = 0;
      if (!sc.take('}')) {
        while (true) {
          std::optional<std::string> key = sc.string();
          if (!key || !sc.take(':')) return invalid_argument("malformed JSON");
          sc.skip_ws();
          if (*key == token) {
            if (found) return invalid_argument("the key occurs more than once");
            found = true;
            value_at = sc.pos();
          }
          if (!sc.skip_value()) return invalid_argument("malformed JSON");
          if (sc.take(',')) continue;
          if (sc.take('}')) break;
          return invalid_argument("malformed JSON");
        }
      }
      if (!found) return invalid_argument("no such value");
      // Continue from the value: a fresh scanner over the rest of the text.
      text = text.substr(value_at);
      sc = Scanner(text);
      continue;
    }
    if (sc.take('[')) {
      std::optional<std::size_t> index = array_index(token);
      if (!index) return invalid_argument("no such value");
      std::size_t n = 0;
      bool found = false;
      if (!sc.take(']')) {
        while (true) {
          sc.skip_ws();
          if (n == *index) {
            found = true;
            break;
          }
          if (!sc.skip_value()) return invalid_argument("malformed JSON");
          ++n;
          if (sc.take(',')) continue;
          break;
        }
      }
      if (!found) return invalid_argument("no such value");
      text = text.substr(sc.pos());
      sc = Scanner(text);
      continue;
    }
    return invalid_argument("no such value");
  }
  sc.skip_ws();
  const std::size_t start = sc.pos();
  if (!sc.skip_value()) return invalid_argument("malformed JSON");
  return text.substr(start, sc.pos() - start);
}

}  // namespace mangfold::generic
