#include "connector/outbound/curl_http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <vector>

namespace mangfold::outbound {

namespace {

// curl_global_init is not thread-safe on every libcurl build; do it once, before any handle.
void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

bool is_safe_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// "https://host:port" without userinfo, path or query: what an error message may name.
std::string origin_of(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "(invalid URL)";
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  return std::string(url.substr(0, scheme_end + 3)) + std::string(rest);
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

struct Transfer {
  OutboundResponse response;
  std::size_t max_bytes = 0;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->response.body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // makes curl fail the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  const std::string_view line(data, n);
  // A status line starts a new response (after 100 Continue, say): keep the last one's headers.
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0)
    t->response.headers.emplace_back(std::string(line.substr(0, colon)),
                                     trim(line.substr(colon + 1)));
  return n;
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlHttpClientOptions options) : options_(std::move(options)) {
    global_init();
  }

  ~CurlHttpClient() override {
    for (CURL* h : idle_)
      curl_easy_cleanup(h);
  }

  Result<OutboundResponse> send(const OutboundRequest& request) override {
    const std::string where = request.method + " " + origin_of(request.url);
    if (!is_token(request.method))
      return invalid_argument("outbound request: the method is not an HTTP token");
    if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0)
      return invalid_argument(where + ": only http:// and https:// URLs are supported");
    for (const auto& [name, value] : request.headers)
      if (!is_token(name) || !is_safe_value(value))
        return invalid_argument(where + ": header '" + (is_token(name) ? name : "?") +
                                "' has a name or value that cannot be sent");

    CURL* h = acquire();
    if (!h) return internal_error(where + ": cannot create a curl handle");
    Transfer transfer;
    transfer.max_bytes = options_.max_response_bytes;
    curl_slist* headers = nullptr;
    bool has_user_agent = false;
    for (const auto& [name, value] : request.headers) {
      if (curl_strequal(name.c_str(), "User-Agent")) has_user_agent = true;
      // "Name;" is curl's way to send a header with an empty value.
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      headers = curl_slist_append(headers, line.c_str());
    }
    // Without this, curl waits up to a second for "100 Continue" before sending a larger body.
    headers = curl_slist_append(headers, "Expect:");

    char error[CURL_ERROR_SIZE] = {0};
    const long timeout_ms = std::max<long>(1, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    // libcurl's defaults, set anyway so that no build or later edit can weaken them.
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!options_.ca_file.empty()) {
      curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
      curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);  // the file alone, not the system's folder too
    }
    // Signals are no way to time out a request in a multi-threaded process.
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10'000L));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (!has_user_agent) curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
      if (request.method != "POST")
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (request.method == "POST" || !request.body.empty()) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
      }
    }

    const CURLcode code = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    release(h);

    if (transfer.too_large)
      return resource_exhausted(where + ": the response body is larger than " +
                                std::to_string(options_.max_response_bytes) + " bytes");
    if (code != CURLE_OK) {
      std::string detail = error[0] ? trim(error) : curl_easy_strerror(code);
      const std::string message = where + ": " + detail;
      if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL)
        return invalid_argument(message);
      return unavailable(message);
    }
    transfer.response.status = static_cast<int>(status);
    return std::move(transfer.response);
  }

 private:
  CURL* acquire() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }

  // Reset keeps the handle's connection cache: the next request to the same host reuses it.
  void release(CURL* h) {
    curl_easy_reset(h);
    std::lock_guard lock(mu_);
    if (idle_.size() < options_.max_idle_handles) {
      idle_.push_back(h);
      return;
    }
    curl_easy_cleanup(h);
  }

  const CurlHttpClientOptions options_;
  std::mutex mu_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_http_client(CurlHttpClientOptions options) {
  return std::make_unique<CurlHttpClient>(std::move(options));
}

}  // namespace mangfold::outbound
