// The ATS API a mapping declares (`api:`): fetching a vacancy's documents for thin events and
// writing a job ad back. Internal to adapters/generic.
//
// Immutable after construction; thread-safe when the HttpClient is. Blocking (worker threads
// only). Errors follow domain::Adapter: kUnavailable for transport failures, 408, 429 and
// 5xx (retry later); kNotFound for 404; kFailedPrecondition for other refusals (401, 403,
// other 4xx: fix the configuration); kUnprocessable when a placeholder has no value.
// Messages name the request and the HTTP status, never a body, a header value or a secret.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "adapters/generic/mapping.hpp"
#include "connector/common/http_client.hpp"
#include "connector/common/input_limits.hpp"
#include "connector/common/status.hpp"
#include "connector/domain/vacancy.hpp"

namespace mangfold::generic {

class ApiClient {
 public:
  // `authorization` is the auth header's complete value (it holds the secret), or empty.
  // Responses are read within `limits` (adapters/common/json_reader.hpp).
  ApiClient(const ApiSpec& spec, std::shared_ptr<HttpClient> http, std::string authorization,
            const InputLimits& limits = {});

  // Runs the fetch requests in order and returns {"<request>": <response JSON>, …}; an
  // optional request that was skipped or answered 404 is absent. Pages are concatenated.
  Result<Json> fetch(std::string_view vacancy_id) const;

  // Runs the api.lookup requests for `lookup_id` (an application or opportunity the webhook
  // named) and returns the vacancy id api.lookup.vacancy_id finds in their answers.
  Result<std::string> lookup(std::string_view lookup_id) const;

  // Runs the api.answers request once for each element of `applications` (application
  // elements of the fetched documents), at most api.answers.concurrency at a time, and returns
  // each response in the same order (null: an optional request skipped or answered 404). The
  // first failure stops the rest and is returned. The responses hold applicants' answers:
  // callers keep them in memory for one evaluation only.
  Result<std::vector<Json>> fetch_answers(std::string_view vacancy_id,
                                          const std::vector<const Json*>& applications) const;

  // Sends the write_ad request with the ad at ad_at and `request_id` in the idempotency
  // header.
  Status write_ad(std::string_view vacancy_id, const domain::JobAd& ad,
                  std::string_view request_id) const;

 private:
  Result<Json> run(const std::vector<RequestSpec>& requests, std::string_view vacancy_id,
                   std::string_view lookup_id, const Json* application = nullptr) const;
  OutboundRequest base_request(std::string method) const;
  Result<OutboundResponse> send(const OutboundRequest& request, const std::string& what) const;

  const ApiSpec& spec_;
  std::shared_ptr<HttpClient> http_;
  std::string authorization_;
  InputLimits limits_;
};

// The complete value of the auth header for `auth` and its resolved secret.
std::string authorization_value(const AuthSpec& auth, const std::string& secret);

}  // namespace mangfold::generic
