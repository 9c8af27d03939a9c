// The libcurl implementation of HttpClient (connector/common/http_client.hpp).
//
// One blocking request per send(), no redirects followed, http and https only. TLS 1.2 or newer,
// and the peer's certificate and host name are always verified: against the system's CA store,
// or against `ca_file` alone when one is given (a private CA); there is no way to turn
// verification off. Each call uses its own curl handle, taken from a
// small pool so that keep-alive connections are reused. Thread-safe; call it from worker
// threads only. Errors: a transport failure (refused, reset, DNS, TLS, timeout) is
// kUnavailable; a malformed URL, method or header is kInvalidArgument; a response body
// above max_response_bytes is kResourceExhausted. Messages name the method and the
// scheme://host[:port] only, never the path, query, headers or bodies. A request with a body
// should set Content-Type (curl would label it a form). The usual proxy environment
// variables (https_proxy, no_proxy) apply.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "connector/common/http_client.hpp"

namespace mangfold::outbound {

struct CurlHttpClientOptions {
  // Sent as User-Agent unless the request sets its own. Default "mangfold-connector".
  std::string user_agent = "mangfold-connector";
  // Larger response bodies fail the request. Default 16 MiB.
  std::size_t max_response_bytes = 16 * 1024 * 1024;
  // Idle curl handles kept for connection reuse. Default 8.
  std::size_t max_idle_handles = 8;
  // PEM file of the CA certificates to trust instead of the system's store. Empty: the system's.
  std::string ca_file;
};

std::unique_ptr<HttpClient> make_curl_http_client(CurlHttpClientOptions options = {});

}  // namespace mangfold::outbound
