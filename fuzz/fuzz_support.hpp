// Shared by the fuzz harnesses in fuzz/ (docs/reliability.md, "Fuzzing"): the shipped files
// they need, embedded at build time so that no harness reads the disk, and the checks that
// hold for every input whatever the parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/config/policy_loader.hpp"
#include "connector/domain/vacancy.hpp"
#include "connector/policy/policy.hpp"

namespace mangfold::fuzz {

struct EmbeddedFile {
  std::string_view path;  // relative to the repository root, e.g. "policies/imdi.yaml"
  std::string_view text;
};

// Every file listed in fuzz/CMakeLists.txt (MANGFOLD_FUZZ_EMBED), sorted by path.
std::span<const EmbeddedFile> embedded_files();

// The embedded file at `path`; aborts when it is not embedded (a harness bug).
std::string_view embedded(std::string_view path);

// A config::ReadFile over the embedded files plus `extra` (path → text); kNotFound otherwise.
config::ReadFile embedded_reader(std::vector<std::pair<std::string, std::string>> extra = {});

// The shipped policy at `path` (e.g. "policies/imdi.yaml"), loaded once; aborts if it does not
// load.
const policy::Policy& shipped_policy(std::string_view path);

// What the server does with a parsed snapshot before it reaches the store: plan the ad
// injection and evaluate the policy (connector/app/ingest.cpp). Must not throw or crash.
void evaluate_like_the_server(const policy::Policy& policy, const domain::Snapshot& snapshot);

// Aborts unless `s` is an error the connector answers with a 4xx (or acknowledges): parsing
// outside input must never produce a 5xx (issue #15).
void require_client_error(const Status& s, std::string_view where);

// The input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits `input` at the first occurrence of `separator`: (before, after); no separator gives
// (input, "").
std::pair<std::string_view, std::string_view> split_once(std::string_view input,
                                                         std::string_view separator);

// "Name: value" lines (LF or CRLF) into pairs; lines without ':' are skipped.
std::vector<std::pair<std::string, std::string>> parse_header_lines(std::string_view text);

// The first value whose name matches ASCII case-insensitively, as http::Request::header().
std::optional<std::string_view> lookup_header(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name);

}  // namespace mangfold::fuzz
