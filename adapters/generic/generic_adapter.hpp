// The generic adapter: connects any ATS that sends webhooks through a declarative mapping
// file (adapters/generic/README.md) — JSON Pointers, value maps, predicates over arrays,
// event types, body-embedded signatures, and an optional ATS API for thin events and for
// writing job ads back. No C++ per ATS.
//
// A tenant selects it with `adapter: generic` and names the mapping in its options:
//
//   adapter_options:
//     mapping: mappings/greenhouse.yaml   # relative to `base_dir` (the config file's folder)
//
// The adapter is immutable after construction and thread-safe. parse() never blocks;
// fetch_snapshot() and write_ad() block on the injected HttpClient (worker threads only).
// Secrets (signature keys, API credentials) are read once, when the adapter is made.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connector/common/http_client.hpp"
#include "connector/common/input_limits.hpp"
#include "connector/config/document.hpp"
#include "connector/config/policy_loader.hpp"
#include "connector/domain/adapter.hpp"

namespace mangfold::generic {

// A value for a mapping's {config:name} placeholder (tenant adapter_options.config).
struct ConfigValue {
  std::string name;
  std::string value;
  config::Mark mark;  // where it was written, for messages
  std::string path;   // its key path, e.g. tenants.acme.adapter_options.config.account_id
};

struct AdapterDeps {
  // Outbound HTTP for the mapping's `api:`; may be null when the mapping declares none
  // (then fetch_snapshot/write_ad answer kFailedPrecondition).
  std::shared_ptr<HttpClient> http;
  // Reads the mapping file and secret files. Default: the file system.
  config::ReadFile read_file = config::read_file;
  // Unix seconds, for a signature's timestamp tolerance. Default: the system clock.
  std::function<std::int64_t()> now_unix;
  // Webhook bodies and API responses are read within these (adapters/common/json_reader.hpp).
  InputLimits limits{};
  // Values for the mapping's {config:name} placeholders (make_generic_adapter fills these
  // from adapter_options.config).
  std::vector<ConfigValue> config_values{};
};

// Makes the adapter from a tenant's `adapter_options` (a map with `mapping: PATH` and, for a
// mapping whose api.base_url holds {config:name}, `config: {name: value}`). `path` is
// the options' key path for messages (e.g. "tenants.acme.adapter_options"); a relative
// mapping path is resolved against `base_dir`, the folder of the service config file.
// Returns nullptr after adding every problem (file:line:column, key path) to `diagnostics`:
// unknown option keys, an unreadable or invalid mapping file, a secret that cannot be read.
std::unique_ptr<domain::Adapter> make_generic_adapter(const config::Node& options,
                                                      const std::string& path,
                                                      const std::string& base_dir, AdapterDeps deps,
                                                      std::vector<config::Diagnostic>& diagnostics);

// The same from a mapping file's path (tests, `mangfold simulate`).
std::unique_ptr<domain::Adapter> load_generic_adapter(const std::string& mapping_path,
                                                      AdapterDeps deps,
                                                      std::vector<config::Diagnostic>& diagnostics);

// For `mangfold check FILE`: every problem in a mapping file with file:line:column and key
// path; empty when it is valid. Does not read secrets (they may live only on the server).
std::vector<config::Diagnostic> check_mapping_file(const std::string& path,
                                                   const config::ReadFile& read);

// True when a parsed document is a mapping file: it has a top-level `mapping_version`.
bool is_mapping_file(const config::Node& root);

// What a valid mapping file declares, for a `check` summary line and for wiring decisions
// (a tenant whose mapping verifies the signature itself).
struct MappingSummary {
  std::string name;
  int event_types = 0;
  bool verifies_signature = false;  // `signature:` present: parse() refuses unsigned requests
  bool fetches = false;             // `api.fetch`: thin events can be completed
  bool writes_ads = false;          // `api.write_ad`: write_ad() is supported
  // Not errors, but weaknesses worth fixing (file:line:column, key path): a signature
  // without a timestamp, whose replays only deduplication stops.
  std::vector<config::Diagnostic> warnings;
};
Result<MappingSummary> describe_mapping_file(const std::string& path, const config::ReadFile& read);

}  // namespace mangfold::generic
