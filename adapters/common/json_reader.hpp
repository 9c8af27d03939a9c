// Reading a JSON document from outside (a webhook body, an ATS API response) within the
// service's InputLimits, so that no input makes the connector recurse, allocate or wait in
// proportion to a hostile nesting, and no value is silently dropped or mangled.
//
// One set of rules for every adapter:
//   - malformed JSON                      → kInvalidArgument "malformed JSON at line L, column C"
//   - nested deeper than json_max_depth   → kUnprocessable "<pointer>: …nested deeper than N…"
//   - more than json_max_values values    → kUnprocessable "/: …more than N values…"
//   - a number outside double's range     → kUnprocessable "<pointer>: the number is out of range"
//   - a key twice in one object           → kUnprocessable "<pointer of the key>: the key appears
//                                             twice in one object"
// Messages name JSON Pointers (object keys included, as the adapters' errors always have)
// and never quote a value. Pointers longer than a few hundred bytes are shortened with "…".
// Pure and thread-safe; the parse itself is iterative (nlohmann's SAX parser).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "connector/common/input_limits.hpp"
#include "connector/common/status.hpp"

namespace mangfold::adapters {

// `where` prefixes every message (e.g. "candidates page 2: "); it may be empty.
Result<nlohmann::json> read_json(std::string_view text, const InputLimits& limits,
                                 std::string_view where = {});

}  // namespace mangfold::adapters
