// Loading policy files: YAML (or JSON), `extends:` chains, validation into an immutable
// policy::Policy. Every problem is reported with file:line:column and key path; loading
// goes on after the first so that one `mangfold check` run lists them all.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/config/document.hpp"
#include "connector/policy/policy.hpp"

namespace mangfold::config {

// Reads a whole file. Injected so that tests can load from memory.
using ReadFile = std::function<Result<std::string>(const std::string& path)>;
Result<std::string> read_file(const std::string& path);

struct PolicyLoad {
  std::optional<policy::Policy> policy;  // set when there are no diagnostics
  std::vector<Diagnostic> diagnostics;
};

// A complete policy needs `id`, `version` and `rules`; a base (a file that others extend)
// may leave them to the policies that extend it.
enum class PolicyKind { kComplete, kBase };

// Loads `path` and every file it extends (paths relative to the extending file).
PolicyLoad load_policy(const std::string& path, const ReadFile& read = read_file,
                       PolicyKind kind = PolicyKind::kComplete);

// The same, as a Result whose error lists every diagnostic, one per line.
Result<policy::Policy> load_policy_or_error(const std::string& path,
                                            const ReadFile& read = read_file);

}  // namespace mangfold::config
