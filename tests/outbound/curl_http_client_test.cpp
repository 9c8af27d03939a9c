// The libcurl HttpClient against real sockets on 127.0.0.1: our own HTTP server for normal
// exchanges, a listening socket that never answers for the timeout, a closed port for refusal.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "connector/http/server.hpp"
#include "connector/outbound/curl_http_client.hpp"

using namespace mangfold;
using namespace std::chrono_literals;

namespace {

// Answers every request with what it saw: method, target, a header and the body.
class EchoServer {
 public:
  EchoServer() {
    http::ServerOptions options;
    options.port = 0;
    options.threads = 1;
    auto created =
        http::Server::create(options, [this](http::Request&& req, http::Respond respond) {
          {
            std::lock_guard lock(mu_);
            seen_.push_back(req);
          }
          http::Response r;
          if (req.target == "/teapot") {
            r.status = 418;
            r.body = R"({"short":"and stout"})";
          } else if (req.target == "/big") {
            r.body = std::string(4096, 'x');
            r.content_type = "text/plain";
          } else {
            r.status = 201;
            r.content_type = "text/plain; charset=utf-8";
            r.body = req.method + " " + req.target + " " +
                     std::string(req.header("X-Test").value_or("-")) + " " + req.body;
            r.headers.push_back({"X-Answer", "forty-two"});
            r.headers.push_back({"Retry-After", "7"});
          }
          respond(std::move(r));
        });
    REQUIRE_MESSAGE(created.ok(), created.status().message());
    server_ = std::move(created.value());
    server_->start();
  }
  ~EchoServer() { server_->stop(0ms); }

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }
  std::vector<http::Request> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  std::unique_ptr<http::Server> server_;
  std::mutex mu_;
  std::vector<http::Request> seen_;
};

// A TCP socket on 127.0.0.1 that listens but never accepts or answers.
struct SilentListener {
  int fd = -1;
  int port = 0;
  SilentListener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
  ~SilentListener() {
    if (fd >= 0) ::close(fd);
  }
};

// A port that nothing listens on: bound once to learn a free number, then closed.
int closed_port() {
  SilentListener l;
  const int port = l.port;
  ::close(l.fd);
  l.fd = -1;
  return port;
}

}  // namespace

TEST_CASE("curl client: status, headers and body of a GET") {
  EchoServer server;
  auto client = outbound::make_curl_http_client();
  OutboundRequest req;
  req.url = server.url("/candidates?advertId=41");
  req.headers = {{"X-Test", "hello"}};
  Result<OutboundResponse> r = client->send(req);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->status == 201);
  CHECK(r->body == "GET /candidates?advertId=41 hello ");
  CHECK(r->header("x-answer") == "forty-two");  // case-insensitive
  CHECK(r->header("Retry-After") == "7");
  CHECK(r->header("Content-Type") == "text/plain; charset=utf-8");
  CHECK(r->header("X-Missing").empty());
  const auto seen = server.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].header("User-Agent").value_or("") == "mangfold-connector");
}

TEST_CASE("curl client: POST and PUT send the body, 4xx is a response, not an error") {
  EchoServer server;
  auto client = outbound::make_curl_http_client();
  OutboundRequest post;
  post.method = "POST";
  post.url = server.url("/token");
  post.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  post.body = "grant_type=client_credentials&scope=æøå";
  Result<OutboundResponse> r = client->send(post);
  REQUIRE(r.ok());
  CHECK(r->body == "POST /token - grant_type=client_credentials&scope=æøå");

  OutboundRequest put = post;
  put.method = "PUT";
  put.url = server.url("/adverts/41");
  put.body = "{\"x\":1}";
  r = client->send(put);
  REQUIRE(r.ok());
  CHECK(r->body == "PUT /adverts/41 - {\"x\":1}");

  OutboundRequest del;
  del.method = "DELETE";
  del.url = server.url("/adverts/41");
  r = client->send(del);
  REQUIRE(r.ok());
  CHECK(r->body == "DELETE /adverts/41 - ");

  OutboundRequest get;
  get.url = server.url("/teapot");
  r = client->send(get);
  REQUIRE(r.ok());
  CHECK(r->status == 418);
  CHECK(r->body == R"({"short":"and stout"})");
}

TEST_CASE("curl client: handles are reused across many requests and threads") {
  EchoServer server;
  auto client = outbound::make_curl_http_client();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        OutboundRequest req;
        req.url = server.url("/n");
        if (auto r = client->send(req); r.ok() && r->status == 201) ++ok;
      }
    });
  for (auto& t : threads)
    t.join();
  CHECK(ok == 40);
  CHECK(server.seen().size() == 40);
}

TEST_CASE("curl client: a response body above the limit is kResourceExhausted") {
  EchoServer server;
  outbound::CurlHttpClientOptions options;
  options.max_response_bytes = 1000;
  auto client = outbound::make_curl_http_client(options);
  OutboundRequest req;
  req.url = server.url("/big");
  Result<OutboundResponse> r = client->send(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kResourceExhausted);
}

TEST_CASE("curl client: a server that never answers times out as kUnavailable") {
  SilentListener silent;
  auto client = outbound::make_curl_http_client();
  OutboundRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(silent.port) + "/slow?secret-ish=1";
  req.timeout = 200ms;
  const auto start = std::chrono::steady_clock::now();
  Result<OutboundResponse> r = client->send(req);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK(r.status().retryable());
  CHECK(took < 5s);
  // The message names the origin, never the path or query.
  CHECK(r.status().message().find("127.0.0.1:" + std::to_string(silent.port)) != std::string::npos);
  CHECK(r.status().message().find("/slow") == std::string::npos);
}

TEST_CASE("curl client: connection refused is kUnavailable") {
  auto client = outbound::make_curl_http_client();
  OutboundRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
  Result<OutboundResponse> r = client->send(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
}

TEST_CASE("curl client: bad requests are refused before anything is sent") {
  auto client = outbound::make_curl_http_client();
  OutboundRequest req;
  req.url = "ftp://127.0.0.1/file";
  CHECK(client->send(req).status().code() == StatusCode::kInvalidArgument);
  req.url = "http://127.0.0.1:1/";
  req.headers = {{"X-Injected", "a\r\nHost: evil"}};
  CHECK(client->send(req).status().code() == StatusCode::kInvalidArgument);
  req.headers = {{"Bad Name", "x"}};
  CHECK(client->send(req).status().code() == StatusCode::kInvalidArgument);
  req.headers.clear();
  req.method = "GE T";
  CHECK(client->send(req).status().code() == StatusCode::kInvalidArgument);
}
