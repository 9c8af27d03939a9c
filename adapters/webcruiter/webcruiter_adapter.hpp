// The Webcruiter (Talentech) adapter: webhook events in Webcruiter's own vocabulary
// (adapters/webcruiter/README.md, event.schema.json), and the Candidate API for events that
// carry ids only.
//
// parse(): a fat event (Advert + Candidates) gives the whole snapshot; a thin one (ids only)
// gives only the vacancy id, and the caller then calls fetch_snapshot() on a worker thread.
// The event id is the body's EventId, or empty when it has none.
// fetch_snapshot(): the advert and its candidates from the Candidate API. A fetched snapshot
// is reused for `api.cache_seconds` (default 5) and concurrent fetches for one advert share
// one set of requests, so a burst of duplicate thin events costs one fetch. A rate limit from
// the API (429 + Retry-After) fails every fetch at once with kUnavailable until it is over.
// write_ad(): not supported (the Candidate API has no documented way to change an ad).
//
// PRIVACY: answers live only in the returned snapshots (and, for the cache window, in
// memory); errors name fields, never values; the adapter logs nothing.
// Thread-safe after construction.
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

namespace mangfold::webcruiter {

struct AdapterDeps {
  // Required when adapter_options.api is set; shared with other users of outbound HTTP.
  std::shared_ptr<HttpClient> http;
  // Seconds since the epoch; default the system clock. Used for token expiry, the cache
  // window and rate-limit waits; called from several threads at once.
  std::function<std::int64_t()> now_unix;
  // Reads {file: …} secrets; default config::read_file.
  config::ReadFile read_file;
  // Every event and API response is read within these (adapters/common/json_reader.hpp).
  InputLimits limits{};
};

// Decodes `options` (the tenant's adapter_options; `path` is its key path, e.g.
// "tenants.oslo.adapter_options") and resolves its secrets. Every problem is appended to
// `diagnostics` with file:line:column; then the result is nullptr.
std::unique_ptr<domain::Adapter> make_webcruiter_adapter(
    const config::Node& options, const std::string& path, AdapterDeps deps,
    std::vector<config::Diagnostic>& diagnostics);

// The wait a rate-limited fetch_snapshot() asked for ("… retry after N s"), or nullopt.
std::optional<std::int64_t> retry_after_seconds(const Status& status);

}  // namespace mangfold::webcruiter
