// ID-only hooks (signature scheme `shared_key`), such as Talentech HR Manager's: a POST that
// says "something changed about these objects" and carries their ids, no data and no
// signature. The only authentication is a static key the customer adds to each hook (HR
// Manager's "User Data"), in a header or a body field. That is weaker than an HMAC: anyone who
// sees one hook can send more. It is acceptable here because a hook is never trusted as data:
// it only makes the connector fetch the named vacancies, sooner, from the authenticated API.
//
// Pure: the body parser (outside input, fuzzed: fuzz/id_hook.cpp) and the key comparison.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"

namespace mangfold::ingest {

struct IdHookFormat {
  std::vector<std::string> id_fields;  // top-level body fields holding a vacancy id
  std::string key_field;               // top-level body field holding the key; "" = in a header
};

struct IdHook {
  std::vector<std::string> vacancy_ids;  // distinct, in the order first seen
  std::optional<std::string> key;        // the key_field's value, when the format has one
};

inline constexpr std::size_t kMaxHookIds = 100;
inline constexpr std::size_t kMaxHookIdBytes = 200;

// The body is a JSON object, or an array of up to kMaxHookIds objects (batched hooks). The
// first id field present in an object gives its vacancy id (a string or an integer). An
// object with none is skipped (a hook about another kind of object); a body naming no vacancy
// at all is valid and asks for nothing. kInvalidArgument for a body that is not such JSON, an
// id that is empty, too long, not UTF-8 or of another type; messages name fields, never values.
Result<IdHook> parse_id_hook(std::string_view body, const IdHookFormat& format);

// Whether `given` equals one of `keys`, in time independent of where they differ and of their
// lengths (both sides are hashed with SHA-256, the digests compared with CRYPTO_memcmp).
bool shared_key_matches(std::string_view given, const std::vector<std::string>& keys);

}  // namespace mangfold::ingest
