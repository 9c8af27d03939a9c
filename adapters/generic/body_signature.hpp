// Verifying a signature a mapping declares (`signature:`): for ATSs whose scheme the tenant's
// own `signature:` cannot express — a signature carried inside the body, signed content built
// from a timestamp, headers and the body, several signatures at once. Internal to
// adapters/generic. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/generic/mapping.hpp"
#include "connector/common/status.hpp"
#include "connector/domain/adapter.hpp"
#include "connector/webhook/signature.hpp"

namespace mangfold::generic {

// OK when any signature found matches the content under any secret (key rotation) and the
// timestamp, if declared, lies within the tolerance of `now_unix`. `parsed` is the body as
// JSON; it must be set when spec.needs_parsed_body. kUnauthenticated otherwise, with a
// message that names what was wrong and never a value, a secret or a computed MAC.
Status verify_body_signature(const SignatureSpec& spec, const std::vector<webhook::Secret>& secrets,
                             const domain::InboundRequest& request, const Json* parsed,
                             std::int64_t now_unix);

// The absolute pointers of the body the signed content covers; empty when it covers the
// whole body ({body}). The mapping may read nothing outside them.
std::vector<std::string> covered_pointers(const SignatureSpec& spec);

// The signature value (before the prefix) for `content` under `secret`, as `spec` encodes
// it: for tests and for signing example payloads.
std::string encode_signature(const SignatureSpec& spec, const webhook::Secret& secret,
                             std::string_view content);

// Parses an ISO 8601 date-time "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)" to unix seconds.
std::optional<std::int64_t> parse_iso8601(std::string_view text);

}  // namespace mangfold::generic
