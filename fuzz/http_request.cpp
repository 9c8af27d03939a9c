// HTTP/1.1 request framing as the server reads it (connector/http/server.cpp): Beast's request
// parser with our header limit and no body limit until the header is in, then our own rules
// (check_request_framing, the 505 for other versions, the per-target body limit, Expect), the
// Request the handler sees, and the routing and query parsing the application does on it
// (connector/app/serve.cpp, api.cpp). Up to four pipelined requests per input, as one connection.
// Every refusal must be a JSON error body that the server can send.
//
// The only harness that includes Beast: it drives the parser on a buffer instead of a socket.
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

#include "connector/http/protocol.hpp"
#include "connector/http/server.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using namespace mangfold;
namespace bhttp = boost::beast::http;

// What connector/app/serve.cpp's body_limit_for gives when no tenant is configured.
std::size_t body_limit_for(std::string_view target) {
  return target.rfind("/hooks/", 0) == 0 ? 1024 * 1024 : 64 * 1024;
}

void check_answer(const http::Response& r) {
  if (auto why = http::detail::check_response(r)) {
    std::fprintf(stderr, "fuzz: the server could not send its own answer: %s\n", why->c_str());
    std::abort();
  }
  if (!nlohmann::json::accept(r.body)) {
    std::fprintf(stderr, "fuzz: an error body is not JSON\n");
    std::abort();
  }
}

// One request from the front of `in`; false when the connection would be closed (or wait).
bool one_request(std::string_view& in) {
  static const http::ServerOptions defaults;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(defaults.max_header_bytes));
  parser.body_limit(boost::none);
  boost::system::error_code ec;
  auto refuse = [](int status, std::string_view error, std::string_view detail) {
    check_answer(http::error_response(status, error, detail));
    return false;
  };

  while (!parser.is_header_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
    in.remove_prefix(used);
    // No progress: the server would wait for more bytes.
    if (ec == bhttp::error::need_more || (!ec && used == 0)) return false;
    if (ec == bhttp::error::header_limit) return refuse(431, "header_too_large", "too large");
    if (ec) return refuse(400, "bad_request", ec.message());
  }
  const auto& msg = parser.get();
  const int version = static_cast<int>(msg.version());
  if (version != 10 && version != 11)
    return refuse(505, "http_version_not_supported", "only HTTP/1.0 and HTTP/1.1 are served");
  http::Request request;
  request.method = std::string(msg.method_string());
  request.target = std::string(msg.target());
  request.version = version;
  for (const auto& field : msg)
    request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  if (auto why = http::detail::check_request_framing(request.headers, version))
    return refuse(400, "bad_request", *why);
  const std::size_t limit = body_limit_for(request.target);
  if (auto declared = parser.content_length(); declared && *declared > limit)
    return refuse(413, "payload_too_large", "too large");
  (void)http::detail::expects_continue(request.headers, version);
  parser.body_limit(static_cast<std::uint64_t>(limit));
  while (!parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
    in.remove_prefix(used);
    // The body is incomplete: the server waits for more bytes (a put that neither consumes nor
    // fails, e.g. inside a chunk, means the same).
    if (used == 0 && (!ec || ec == bhttp::error::need_more)) return false;
    if (ec == bhttp::error::need_more) continue;
    if (ec == bhttp::error::body_limit) return refuse(413, "payload_too_large", "too large");
    if (ec) return refuse(400, "bad_request", ec.message());
  }
  const bool keep_alive = msg.keep_alive();
  request.body = std::move(parser.get().body());

  // What the application reads from a request.
  for (const char* name : {"Content-Type", "Authorization", "webhook-id", "webhook-signature"})
    (void)request.header(name);
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  std::map<std::string, std::string, std::less<>> params;
  if (auto url = boost::urls::parse_origin_form(request.target); url)
    for (auto p : url->params())
      params[std::string(p.key)] = std::string(p.value);
  // Error bodies are built from any text (parser messages, paths): always JSON.
  check_answer(http::error_response(404, "not_found", path));
  return keep_alive;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = fuzz::as_text(data, size);
  for (int i = 0; i < 4 && !in.empty(); ++i)
    if (!one_request(in)) break;
  return 0;
}
