// ASCII case folding for protocol tokens and e-mail addresses (media types, header values,
// address comparison). Bytes outside A–Z are left alone, so UTF-8 text passes unchanged.
#pragma once

#include <string>
#include <string_view>

namespace mangfold {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace mangfold
