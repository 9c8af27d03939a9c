// Compact re-serialisation of JSON as a sender's language prints it, for signatures computed
// over `JSON.stringify(payload)` or `json_encode($payload)` rather than over the bytes sent
// (Teamtailor's company webhooks v2). Internal to adapters/generic. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "adapters/generic/mapping.hpp"
#include "connector/common/status.hpp"

namespace mangfold::generic {

// `raw` (one JSON value as received) printed again without spaces, keys in the order
// received:
// - kJavaScript, as JSON.stringify: `"` `\` and control characters escaped (\b \f \n \r \t,
//   others \u00xx), `/` and non-ASCII characters as they are; a whole float without its
//   fraction (5.0 → 5).
// - kPhp, as json_encode with default flags: also `/` as `\/` and every non-ASCII character
//   as \uxxxx (UTF-16, lower-case hex; an emoji is a surrogate pair); a whole float keeps
//   ".0"; an empty object prints as [] (PHP decodes `{}` to an empty array).
// kInvalidArgument when `raw` is not one valid JSON value.
Result<std::string> reserialise_json(std::string_view raw, TemplatePart::JsonStyle style);

}  // namespace mangfold::generic
