// The Candidate API client: one advert's current snapshot, fetched through the injected
// HttpClient. Internal to adapters/webcruiter (the adapter adds the cache and single-flight).
//
// Requests: the advert, then the candidate pages, then custom data for each candidate whose
// answers were not in the list. Auth: an OAuth2 client-credentials token, fetched once and
// reused until shortly before it expires (refreshed once on a 401), and/or an API-key
// header. A 429 (or a 503 with Retry-After) blocks every request of this client until the
// wait is over; until then fetch() fails at once with kUnavailable, sending nothing.
//
// Errors: transport failures and 5xx kUnavailable; 429 kUnavailable whose message ends in
// "retry after N s"; 404 for the advert kNotFound (for one candidate's custom data: no
// answers); 401/403 kUnauthenticated; responses that do not map kUnprocessable; other
// statuses kFailedPrecondition. Thread-safe; blocking.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/webcruiter/options.hpp"
#include "adapters/webcruiter/wire.hpp"
#include "connector/common/http_client.hpp"

namespace mangfold::webcruiter {

// RFC 3986 percent-encoding of everything but the unreserved characters: an id put into a
// path or URL can add no segment and no query parameter.
std::string percent_encode(std::string_view s);

// The advert ids of the public advert feed (options.sync->feed_url; options.api for the
// timeout). No credentials go with it.
Result<std::vector<std::string>> read_advert_feed(HttpClient& http, const Options& options);

class CandidateApi {
 public:
  // `options->api` must be set.
  CandidateApi(std::shared_ptr<const Options> options, std::shared_ptr<HttpClient> http,
               std::function<std::int64_t()> now_unix);

  Result<domain::Snapshot> fetch(const std::string& advert_id) const;

  // Sync mode. The unprocessed hires (api.paths.hired, every page).
  Result<std::vector<Hire>> hired() const;
  // The open recruitment processes' advert ids (api.paths.processes, every page).
  Result<std::vector<std::string>> processes() const;
  // Marks one hire processed for this API client (POST api.paths.hired_process).
  Status mark_processed(const std::string& candidate_id, const std::string& message) const;
  // GET a path or URL with the configured credentials (for `webcruiter probe`).
  Result<std::vector<StatusEntry>> statuses() const;
  Result<OutboundResponse> get_path(const std::string& path_or_url, const std::string& what) const;

  // kUnavailable (with the wait) while a rate limit from the API is in force, OK otherwise.
  Status check_rate_limit() const;

 private:
  Result<OutboundResponse> get(const std::string& url, const std::string& what) const;
  Result<OutboundResponse> send(const std::string& method, const std::string& url,
                                const std::string& body, const std::string& what) const;
  // Follows NextPage / Page+TotalPages from `first`, handing each body to `page`, which
  // returns the page's paging or an error.
  Status each_page(
      const std::string& first, const std::string& what,
      const std::function<Result<ListPaging>(const std::string&, const std::string&)>& page) const;
  Result<std::string> token(const std::string& stale) const;
  Status classify(const OutboundResponse& response, const std::string& what) const;
  std::string url_for(const std::string& path_or_url) const;

  std::shared_ptr<const Options> options_;
  const ApiOptions& api_;
  std::shared_ptr<HttpClient> http_;
  std::function<std::int64_t()> now_;

  mutable std::mutex token_mu_;  // held while a token is fetched: concurrent callers wait for it
  mutable std::string token_;
  mutable std::int64_t token_expires_ = 0;

  mutable std::mutex rate_mu_;
  mutable std::int64_t blocked_until_ = 0;
};

}  // namespace mangfold::webcruiter
