// A real HTTP client for tests (libcurl): one request, one answer.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mangfold::testing {

struct HttpAnswer {
  long status = 0;  // 0 when no answer came (connection refused, reset, timeout)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string error;                                  // curl's message when status is 0
  std::string header(const std::string& name) const;  // case-insensitive; "" when absent
};

HttpAnswer http_request(const std::string& method, const std::string& url,
                        const std::vector<std::pair<std::string, std::string>>& headers = {},
                        const std::string& body = {}, long timeout_ms = 10000);

}  // namespace mangfold::testing
