#include "connector/ads/text_fold.hpp"

#include <array>
#include <vector>

namespace mangfold::ads::internal {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Lower case for the scripts that job ads in Norway are written in. Hand-written
// because the core must not depend on ICU; anything not listed is returned unchanged.
char32_t to_lower(char32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 0x20 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;  // À…Þ, Æ, Ø, Å
  if (cp >= 0x100 && cp <= 0x17F) {  // Latin Extended-A: Sámi č đ ŋ š ŧ ž, Polish, …
    if (cp == 0x130) return 'i';
    if (cp == 0x178) return 0xFF;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) {
      return (cp % 2 == 1) ? cp + 1 : cp;
    }
    if (cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F) return cp;
    return (cp % 2 == 0) ? cp + 1 : cp;
  }
  if (cp >= 0x1CD && cp <= 0x1DC) return (cp % 2 == 1) ? cp + 1 : cp;  // Latin Extended-B
  if ((cp >= 0x1DE && cp <= 0x1EF) || (cp >= 0x1F8 && cp <= 0x21F)) {
    return (cp % 2 == 0) ? cp + 1 : cp;
  }
  if (cp == 0x1E9E) return 0xDF;                                          // capital sharp s
  if (cp >= 0x1E00 && cp <= 0x1EFF && !(cp >= 0x1E96 && cp <= 0x1E9F)) {  // Vietnamese, …
    return (cp % 2 == 0) ? cp + 1 : cp;
  }
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 0x20;  // Greek
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;                 // Cyrillic А…Я
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;  // Ѐ…Џ (Ukrainian Є, І, Ї)
  if (cp >= 0x490 && cp <= 0x4BF) return (cp % 2 == 0) ? cp + 1 : cp;  // Ґ, …
  return cp;
}

// Precomposed forms for a lower-case base letter followed by a combining accent, so that
// text typed on systems that produce decomposed Unicode (NFD) still matches.
struct Composition {
  char32_t base;
  char32_t mark;
  char32_t composed;
};
constexpr std::array<Composition, 45> kCompositions{{
    {'a', 0x300, 0xE0},  {'a', 0x301, 0xE1},  {'a', 0x302, 0xE2},  {'a', 0x303, 0xE3},
    {'a', 0x308, 0xE4},  {'a', 0x30A, 0xE5},  {'c', 0x327, 0xE7},  {'c', 0x301, 0x107},
    {'c', 0x30C, 0x10D}, {'d', 0x30C, 0x10F}, {'e', 0x300, 0xE8},  {'e', 0x301, 0xE9},
    {'e', 0x302, 0xEA},  {'e', 0x308, 0xEB},  {'e', 0x30C, 0x11B}, {'i', 0x300, 0xEC},
    {'i', 0x301, 0xED},  {'i', 0x302, 0xEE},  {'i', 0x308, 0xEF},  {'n', 0x303, 0xF1},
    {'n', 0x301, 0x144}, {'n', 0x30C, 0x148}, {'o', 0x300, 0xF2},  {'o', 0x301, 0xF3},
    {'o', 0x302, 0xF4},  {'o', 0x303, 0xF5},  {'o', 0x308, 0xF6},  {'r', 0x30C, 0x159},
    {'s', 0x301, 0x15B}, {'s', 0x30C, 0x161}, {'s', 0x327, 0x15F}, {'t', 0x30C, 0x165},
    {'u', 0x300, 0xF9},  {'u', 0x301, 0xFA},  {'u', 0x302, 0xFB},  {'u', 0x308, 0xFC},
    {'u', 0x30A, 0x16F}, {'y', 0x301, 0xFD},  {'y', 0x308, 0xFF},  {'z', 0x301, 0x17A},
    {'z', 0x307, 0x17C}, {'z', 0x30C, 0x17E}, {'g', 0x306, 0x11F}, {'a', 0x328, 0x105},
    {'e', 0x328, 0x119},
}};

char32_t compose(char32_t base, char32_t mark) {
  for (const auto& c : kCompositions) {
    if (c.base == base && c.mark == mark) return c.composed;
  }
  return 0;
}

enum class Class { kKeep, kSpace, kDrop };

Class classify(char32_t cp) {
  switch (cp) {
    case ' ':
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return Class::kSpace;
    case 0xAD:
    case 0x180E:
    case 0x200B:
    case 0x200C:
    case 0x200D:
    case 0x2060:
    case 0xFEFF:
      return Class::kDrop;  // soft hyphen, zero-width characters, BOM
    default:
      break;
  }
  if (cp >= 0x2000 && cp <= 0x200A) return Class::kSpace;
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return Class::kSpace;  // controls
  return Class::kKeep;
}

// Typographic punctuation folded to what people type on a keyboard.
char32_t fold_punctuation(char32_t cp) {
  switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
    case 0x2039:
    case 0x203A:
    case 0x02BC:
    case 0x00B4:
    case 0x0060:
      return '\'';
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
    case 0x00AB:
    case 0x00BB:
      return '"';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xFE63:
    case 0xFF0D:
      return '-';
    default:
      return cp;
  }
}

// The code point that ends just before byte `end` of a valid-or-not UTF-8 string.
char32_t code_point_before(std::string_view s, std::size_t end) {
  if (end == 0) return 0;
  std::size_t start = end - 1;
  while (start > 0 && end - start < 4 && is_continuation(static_cast<unsigned char>(s[start]))) {
    --start;
  }
  std::size_t i = start;
  char32_t cp = next_code_point(s, i);
  return i == end ? cp : kReplacement;
}

}  // namespace

char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto c0 = static_cast<unsigned char>(s[i]);
  if (c0 < 0x80) {
    ++i;
    return c0;
  }
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    len = 2, cp = c0 & 0x1F, min = 0x80;
  } else if (c0 >= 0xE0 && c0 <= 0xEF) {
    len = 3, cp = c0 & 0x0F, min = 0x800;
  } else if (c0 >= 0xF0 && c0 <= 0xF4) {
    len = 4, cp = c0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return kReplacement;
  }
  if (i + len > s.size()) {
    ++i;
    return kReplacement;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if (!is_continuation(c)) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kReplacement;
  }
  i += len;
  return cp;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t before = i;
    if (next_code_point(s, i) == kReplacement) {
      // U+FFFD itself is valid; an invalid sequence advances exactly one byte.
      if (i - before != 3) return false;
    }
  }
  return true;
}

bool is_word_char(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  }
  if (cp == 0xAA || cp == 0xB5 || cp == 0xBA) return true;
  if (cp >= 0xC0 && cp <= 0x2AF) return cp != 0xD7 && cp != 0xF7;
  if (cp >= 0x300 && cp <= 0x36F) return true;  // combining marks belong to the letter
  if (cp >= 0x370 && cp <= 0x1FFF) return cp != 0x37E && cp != 0x387;  // Greek … Latin Ext.
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // punctuation, symbols, arrows
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
  if (cp >= 0xFE30 && cp <= 0xFE6F) return false;
  if (cp >= 0xFF00 && cp <= 0xFF20) return false;
  return cp != kReplacement;
}

std::string fold(std::string_view text) {
  std::vector<char32_t> cps;
  cps.reserve(text.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = next_code_point(text, i);
    switch (classify(cp)) {
      case Class::kDrop:
        continue;
      case Class::kSpace:
        pending_space = !cps.empty();
        continue;
      case Class::kKeep:
        break;
    }
    if (cp >= 0x300 && cp <= 0x36F && !pending_space && !cps.empty()) {
      if (char32_t composed = compose(cps.back(), cp)) {
        cps.back() = composed;
        continue;
      }
    }
    if (pending_space) {
      cps.push_back(' ');
      pending_space = false;
    }
    cps.push_back(to_lower(fold_punctuation(cp)));
  }
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : cps)
    append_utf8(out, cp);
  return out;
}

std::string_view trim_non_word(std::string_view folded) {
  std::size_t begin = 0;
  while (begin < folded.size()) {
    std::size_t i = begin;
    if (is_word_char(next_code_point(folded, i))) break;
    begin = i;
  }
  std::size_t end = folded.size();
  while (end > begin) {
    std::size_t start = end - 1;
    while (start > begin && is_continuation(static_cast<unsigned char>(folded[start])))
      --start;
    std::size_t i = start;
    if (is_word_char(next_code_point(folded, i))) break;
    end = start;
  }
  return folded.substr(begin, end - begin);
}

bool contains_words(std::string_view haystack, std::string_view needle, bool prefix) {
  if (needle.empty()) return false;
  std::size_t first = 0;
  // A needle edge that is punctuation needs no boundary: "(nav)" may touch anything.
  const bool starts_word = is_word_char(next_code_point(needle, first));
  const bool ends_word = is_word_char(code_point_before(needle, needle.size()));
  for (std::size_t pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + 1)) {
    std::size_t end = pos + needle.size();
    if (starts_word && pos > 0 && is_word_char(code_point_before(haystack, pos))) continue;
    if (!prefix && ends_word && end < haystack.size() &&
        is_word_char(next_code_point(haystack, end))) {
      continue;
    }
    return true;
  }
  return false;
}

bool has_no_words(std::string_view folded) {
  for (std::size_t i = 0; i < folded.size();) {
    if (is_word_char(next_code_point(folded, i))) return false;
  }
  return true;
}

}  // namespace mangfold::ads::internal
