// JSON text written straight into a string, byte for byte as nlohmann/json's
// `dump(-1, ' ', false, error_handler_t::replace)` writes it (the project's one way of
// writing JSON), without building a tree first: for hot paths that answer or store
// JSON per event (issue 22).
//
// Strings: `"`, `\` and the C0 controls escaped (\b \f \n \r \t, else \u00xx in lower
// case), everything else — `/`, DEL, non-ASCII — as is. Text that is not valid UTF-8 is
// handed to nlohmann, which replaces each bad byte sequence with U+FFFD as before.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mangfold::json_text {

// Appends `s` as a JSON string (with its quotes).
void append_string(std::string& out, std::string_view s);

// Appends `"key":` after a comma unless `first`.
void append_key(std::string& out, std::string_view key, bool first = false);

void append_int(std::string& out, std::int64_t n);

// Whether `s` is valid UTF-8 (simdjson's validator).
bool valid_utf8(std::string_view s);

}  // namespace mangfold::json_text
