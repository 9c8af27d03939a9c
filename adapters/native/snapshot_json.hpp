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

#include "connector/common/input_limits.hpp"
#include "connector/common/status.hpp"
#include "connector/domain/vacancy.hpp"

namespace mangfold::native {

struct Event {
  std::string id;    // the sender's event id (dedupe key); may be empty in a bare snapshot
  std::string type;  // e.g. "vacancy.updated"; informational
  domain::Snapshot snapshot;
};

// kInvalidArgument for malformed JSON (with line and column), kUnprocessable for JSON
// that does not map to a snapshot or breaks `limits` (adapters/common/json_reader.hpp), with
// the JSON Pointer that failed. A candidate_id twice in one event is refused.
Result<Event> parse_event(std::string_view json, const InputLimits& limits = {});

}  // namespace mangfold::native
