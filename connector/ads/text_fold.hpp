// Internal to connector/ads: UTF-8 helpers and the text folding behind normalize_text.
// Not part of the module's public surface; include ad_text.hpp instead.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include "connector/common/utf8.hpp"

namespace mangfold::ads::internal {

// Decodes the code point at s[i] and advances i; an invalid or truncated sequence yields
// U+FFFD and advances by one byte.
char32_t next_code_point(std::string_view s, std::size_t& i);
using mangfold::append_utf8;  // connector/common/utf8.hpp
bool is_valid_utf8(std::string_view s);

// Letters (Latin, Greek, Cyrillic, …), digits and combining marks; not punctuation,
// symbols or spaces.
bool is_word_char(char32_t cp);

// normalize_text().
std::string fold(std::string_view text);

// Drops leading and trailing characters that are not word characters from an already
// folded string: "«slik søker du:»" → "slik søker du".
std::string_view trim_non_word(std::string_view folded);

// Finds `needle` in `haystack` (both folded) starting at a word boundary; when
// `prefix` is false it must also end at one.
bool contains_words(std::string_view haystack, std::string_view needle, bool prefix = false);

// True when the folded text contains no word character.
bool has_no_words(std::string_view folded);

}  // namespace mangfold::ads::internal
