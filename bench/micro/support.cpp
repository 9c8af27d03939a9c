#include "bench/micro/support.hpp"

#include <strings.h>
#include <cstdio>
#include <cstdlib>

#include <variant>

#include "connector/config/policy_loader.hpp"

namespace mangfold::bench {

policy::Policy load_shipped_policy(const std::string& name) {
  const std::string path = std::string(MANGFOLD_SOURCE_DIR) + "/policies/" + name + ".yaml";
  Result<policy::Policy> loaded = config::load_policy_or_error(path);
  if (!loaded.ok()) {
    std::fprintf(stderr, "cannot load %s: %s\n", path.c_str(), loaded.status().message().c_str());
    std::abort();
  }
  return std::move(*loaded);
}

SentenceAndAnchor ad_sentence_of(const policy::Policy& policy, const std::string& language) {
  for (const policy::Rule& rule : policy.rules) {
    const auto* spec = std::get_if<policy::AdSentence>(&rule.spec);
    if (!spec) continue;
    const auto it = spec->sentences.find(language);
    if (it == spec->sentences.end()) break;
    return {it->second.sentence, it->second.equivalents, spec->before_headings};
  }
  std::fprintf(stderr, "policy %s has no ad_sentence rule for '%s'\n", policy.id.c_str(),
               language.c_str());
  std::abort();
}

webhook::HeaderLookup lookup_in(const Headers& headers) {
  return [&headers](std::string_view name) -> std::optional<std::string_view> {
    for (const auto& [key, value] : headers)
      if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0)
        return value;
    return std::nullopt;
  };
}

}  // namespace mangfold::bench
