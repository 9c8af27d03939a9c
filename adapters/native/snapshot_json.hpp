// The connector's own JSON format for a vacancy snapshot (docs/native-format.md):
// what `mangfold simulate` reads and what the built-in `native` adapter accepts.
//
// Strict: an unknown key is an error (a typo such as "answer" for "answers" would
// otherwise silently drop data and change a verdict). Ids may be strings or numbers.
// Errors never quote values from the document (they may be personal data); they name
// the JSON Pointer of the offending value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connector/common/input_limits.hpp"
#include "connector/common/status.hpp"
#include "connector/domain/vacancy.hpp"

namespace mangfold::native {

struct Event {
  std::string id;    // the sender's event id (dedupe key); may be empty in a bare snapshot
  std::string type;  // e.g. "vacancy.updated"; informational
  domain::Snapshot snapshot;
};

// What the reader checks beyond the format itself.
struct ParseOptions {
  InputLimits limits;
  // The target groups the tenant's policy declares. When not empty, an answer keyed by any
  // other name (a typo such as "immigrant_backgroud") is refused: read as "unknown" it would
  // silently change a verdict. Empty (simulate without a policy, tests): any key is read.
  std::vector<std::string> target_groups;
};

// kInvalidArgument for malformed JSON (with line and column), kUnprocessable for JSON
// that does not map to a snapshot, breaks `limits` (adapters/common/json_reader.hpp) or
// answers for an undeclared group, with the JSON Pointer that failed. A candidate_id twice
// in one event is refused.
Result<Event> parse_event(std::string_view json, const ParseOptions& options);
inline Result<Event> parse_event(std::string_view json, const InputLimits& limits = {}) {
  return parse_event(json, ParseOptions{limits, {}});
}

}  // namespace mangfold::native
