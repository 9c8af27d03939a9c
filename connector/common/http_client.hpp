// Outbound HTTP (ATS APIs, write-backs), as an interface passed to whoever needs it so
// that tests can use a fake or a real local server. The libcurl implementation is in
// connector/outbound. Blocking: call it from worker threads only, never an io thread.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "connector/common/status.hpp"

namespace mangfold {

struct OutboundRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{10'000};
};

struct OutboundResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Value of the first header with this name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Any HTTP status is a response (the caller decides what 4xx/5xx mean); a transport
  // failure (refused, reset, timeout, TLS) is kUnavailable. Thread-safe.
  virtual Result<OutboundResponse> send(const OutboundRequest& request) = 0;
};

inline std::string OutboundResponse::header(std::string_view name) const {
  auto lower = [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  for (const auto& [n, v] : headers) {
    if (n.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < n.size() && same; ++i)
      same = lower(n[i]) == lower(name[i]);
    if (same) return v;
  }
  return {};
}

}  // namespace mangfold
