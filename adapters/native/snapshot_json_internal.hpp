// The two ways parse_event reads a native event (snapshot_json.cpp), for the tests and the
// fuzzer that check they agree. Not for other callers: use parse_event.
#pragma once

#include <optional>
#include <string_view>

#include "adapters/native/snapshot_json.hpp"
#include "connector/common/status.hpp"

namespace mangfold::native::internal {

// The reference: a bounded nlohmann tree (adapters/common/json_reader.hpp), then mapped.
// Every error parse_event returns comes from here.
Result<Event> parse_event_reference(std::string_view body, const ParseOptions& options);

// The fast path: simdjson straight into the domain values. Nothing when the body is not
// a well-formed event within the limits, or is one the fast path leaves to the reference
// (a \u escape, a body over 256 KiB); otherwise exactly the reference's Event.
std::optional<Event> parse_event_fast(std::string_view body, const ParseOptions& options);

// Field by field, scores bit by bit.
bool same_event(const Event& a, const Event& b);

}  // namespace mangfold::native::internal
