// Loading a service config from text in a test: the file is /etc/mangfold/mangfold.yaml and
// relative paths in it resolve under /etc/mangfold/.
#pragma once

#include <string>

#include "connector/config/service_config.hpp"

namespace mangfold::config::testing {

inline constexpr const char* kConfigPath = "/etc/mangfold/mangfold.yaml";

// `yaml` as the whole file.
inline ServiceConfigLoad load_yaml(const std::string& yaml) {
  return load_service_config(kConfigPath, [&](const std::string& path) -> Result<std::string> {
    if (path == kConfigPath) return yaml;
    return not_found(path);
  });
}

// `section` (top-level keys) followed by one tenant, oslo, with an HMAC secret and a
// pseudonym key: the smallest config that loads.
inline ServiceConfigLoad load_with_section(const std::string& section) {
  return load_yaml(section +
                   "tenants:\n"
                   "  oslo:\n"
                   "    policy: policy.yaml\n"
                   "    signature: {scheme: hmac, secret: {env: X}}\n"
                   "    pseudonyms: {key: {env: P}}\n");
}

}  // namespace mangfold::config::testing
