// Turning JSON values into what a domain field needs (ids that arrive as numbers, numbers
// that arrive as strings, …), and templates. Shared by the loader, which checks the
// constants a mapping file writes, and the evaluator, which converts payload values.
// Internal to adapters/generic. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "adapters/generic/mapping.hpp"

namespace mangfold::generic {

// A scalar as text, for `map` keys and `where` comparisons: strings as they are, numbers
// as JSON writes them (42, 7.5), booleans as true/false. nullopt for null, arrays, objects.
std::optional<std::string> scalar_text(const Json& j);

// Converts `j` to what `kind` needs: a string for ids, text, dates ("YYYY-MM-DD"), stages and
// the other names; a boolean; a number; an integer; an array of those for list kinds; for
// kAnswer a list is combined (any "yes", else any "no", else "unknown"). nullopt with
// `problem` set when it cannot: the problem never quotes the value (it may be personal).
std::optional<Json> coerce(FieldKind kind, const Json& j, std::string& problem);

// The element kind of a list kind (kTextList → kText, kStageList → kStage); else `kind`.
FieldKind element_kind(FieldKind kind);
bool is_list_kind(FieldKind kind);

// Placeholders a template may use, as a bit set.
enum TemplateAllow : unsigned {
  kAllowPointer = 1u << 0,
  kAllowRaw = 1u << 1,
  kAllowHeader = 1u << 2,
  kAllowBody = 1u << 3,
  kAllowTimestamp = 1u << 4,
  kAllowVacancyId = 1u << 5,
  kAllowRequestId = 1u << 6,
  kAllowSecret = 1u << 7,
  kAllowJson = 1u << 8,            // {json:/p}, {json_php:/p} (signed content)
  kAllowOptionalHeader = 1u << 9,  // {header?:Name} (signed content)
  kAllowLookupId = 1u << 10,       // {lookup_id} (api.lookup requests)
  kAllowApplication = 1u << 11,    // {application:/p} (the api.answers request)
  kAllowConfig = 1u << 12,         // {config:name} (api.base_url)
};

// Parses `text`; nullopt with `error` set for an unknown or disallowed placeholder or an
// unmatched brace.
std::optional<Template> parse_template(std::string_view text, unsigned allowed, std::string& error);

// "https://…", or "http://" to a loopback host (local tests only).
bool acceptable_url_origin(std::string_view url);
// "scheme://host[:port]" of an absolute URL; empty when it has none.
std::string url_origin(std::string_view url);
// Percent-encodes everything but RFC 3986 unreserved characters, for URL placeholders.
std::string percent_encode(std::string_view text);

}  // namespace mangfold::generic
