// GET /v1/tenants/{tenant}/report and /v1/tenants/{tenant}/vacancies: the reporting API,
// behind each tenant's own bearer token (one tenant's token never reads another's data).
// The store queries run on the worker pool, never on an io thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "connector/http/server.hpp"

namespace mangfold::store {
class Store;
}

namespace mangfold::app {

class Ingest;
class WorkerPool;

struct ApiContext {
  store::Store& store;
  Ingest& ingest;  // for the current tenants
  WorkerPool& pool;
  std::function<std::int64_t()> now;
  int suppression_threshold = 5;
};

// `path` is the target's path (no query). Answers 401 without the tenant's token, 404 for
// an unknown tenant or endpoint, 400 for bad parameters.
void handle_api(ApiContext& context, std::string_view path, const http::Request& request,
                http::Respond respond);

}  // namespace mangfold::app
