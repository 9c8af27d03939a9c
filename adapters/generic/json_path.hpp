// JSON Pointers (RFC 6901) over nlohmann::json and over raw JSON text. Internal to
// adapters/generic. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "adapters/generic/mapping.hpp"
#include "connector/common/status.hpp"

namespace mangfold::generic {

// "/a/b~1c" → tokens {"a", "b/c"}; "$/a" → from the root; "" → the current element; "$" →
// the root. nullopt (and `error` set) for text that is not a pointer.
std::optional<Pointer> parse_pointer(std::string_view text, std::string& error);

// The value at `p` below `from`, or nullptr when there is none. An array index must be a
// decimal without leading zeros and within the array; anything else has no value.
const Json* resolve(const Json& from, const Pointer& p);

// `base` (an absolute pointer text, "" for the root) extended by p's tokens: the absolute
// pointer of the value, for messages.
std::string extend(const std::string& base, const Pointer& p);
std::string extend(const std::string& base, std::string_view token);
std::string extend(const std::string& base, std::size_t index);

// The exact bytes of the value at `p` (tokens from the root) in `text`, which must be valid
// JSON. kInvalidArgument when the value is absent or a key on the way occurs twice (an
// ambiguity an attacker could use to make the signed bytes differ from the parsed value);
// the caller decides what that means for the request.
Result<std::string_view> raw_value(std::string_view text, const Pointer& p);

}  // namespace mangfold::generic
