// Helpers shared by the microbenchmarks: loading a shipped policy, and a header lookup
// over signed headers. Benchmark-only code; failures abort with a message, since a
// benchmark that cannot set up measures nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/policy/policy.hpp"
#include "connector/webhook/signature.hpp"

namespace mangfold::bench {

// policies/<name>.yaml from the source tree (MANGFOLD_SOURCE_DIR), or abort.
policy::Policy load_shipped_policy(const std::string& name);

// The rule's sentence for `language` as the ads module wants it, or abort.
struct SentenceAndAnchor {
  std::string sentence;
  std::vector<std::string> equivalents;
  std::vector<std::string> before_headings;
};
SentenceAndAnchor ad_sentence_of(const policy::Policy& policy, const std::string& language);

// A case-insensitive lookup over (name, value) pairs, as the HTTP server provides.
using Headers = std::vector<std::pair<std::string, std::string>>;
webhook::HeaderLookup lookup_in(const Headers& headers);

}  // namespace mangfold::bench
