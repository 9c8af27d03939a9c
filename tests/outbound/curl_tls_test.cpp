// The libcurl HttpClient over HTTPS: the peer's certificate and name are always verified, a
// private CA is trusted through ca_file, and TLS below 1.2 is refused. Servers: our own HTTP
// server with a self-signed certificate, and `openssl s_server` limited to TLS 1.1.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "connector/http/server.hpp"
#include "connector/outbound/curl_http_client.hpp"
#include "tests/support/process.hpp"

using namespace mangfold;
using namespace std::chrono_literals;

namespace {

// A self-signed certificate in `dir` as <name>.pem / <name>-key.pem, valid for `san`.
void make_certificate(const std::string& dir, const std::string& name, const std::string& san) {
  const auto made =
      testing::run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                    "1", "-subj", "/CN=" + name, "-addext", "subjectAltName=" + san, "-keyout",
                    dir + "/" + name + "-key.pem", "-out", dir + "/" + name + ".pem"});
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
}

class HttpsServer {
 public:
  HttpsServer(const std::string& cert, const std::string& key) {
    http::ServerOptions options;
    options.port = 0;
    options.threads = 1;
    options.tls.emplace();
    options.tls->certificate_file = cert;
    options.tls->private_key_file = key;
    auto created = http::Server::create(options, [](http::Request&&, http::Respond respond) {
      http::Response r;
      r.content_type = "text/plain";
      r.body = "hello";
      respond(std::move(r));
    });
    REQUIRE_MESSAGE(created.ok(), created.status().message());
    server_ = std::move(created.value());
    server_->start();
  }
  ~HttpsServer() { server_->stop(0ms); }
  std::string url() const {
    return "https://127.0.0.1:" + std::to_string(server_->port()) + "/candidates";
  }

 private:
  std::unique_ptr<http::Server> server_;
};

Result<OutboundResponse> get(const std::string& url, const std::string& ca_file = "") {
  outbound::CurlHttpClientOptions options;
  options.ca_file = ca_file;
  OutboundRequest req;
  req.url = url;
  req.timeout = 10s;
  return outbound::make_curl_http_client(options)->send(req);
}

}  // namespace

TEST_CASE("curl client TLS: a self-signed server is refused, and trusted with it as ca_file") {
  testing::TempDir dir;
  make_certificate(dir.path(), "ats", "IP:127.0.0.1");
  HttpsServer server(dir.path() + "/ats.pem", dir.path() + "/ats-key.pem");

  const Result<OutboundResponse> untrusted = get(server.url());
  REQUIRE_FALSE(untrusted.ok());
  CHECK(untrusted.status().code() == StatusCode::kUnavailable);
  CHECK(untrusted.status().message().find("certificate") != std::string::npos);

  const Result<OutboundResponse> trusted = get(server.url(), dir.path() + "/ats.pem");
  REQUIRE_MESSAGE(trusted.ok(), trusted.status().message());
  CHECK(trusted->status == 200);
  CHECK(trusted->body == "hello");

  // A ca_file that does not hold the server's certificate trusts nothing else.
  make_certificate(dir.path(), "other", "IP:127.0.0.1");
  CHECK(get(server.url(), dir.path() + "/other.pem").status().code() == StatusCode::kUnavailable);
}

TEST_CASE("curl client TLS: a trusted certificate for another name is refused") {
  testing::TempDir dir;
  make_certificate(dir.path(), "elsewhere", "DNS:ats.example.org");
  HttpsServer server(dir.path() + "/elsewhere.pem", dir.path() + "/elsewhere-key.pem");
  const Result<OutboundResponse> r = get(server.url(), dir.path() + "/elsewhere.pem");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
}

TEST_CASE("curl client TLS: a server that speaks only TLS 1.1 is refused") {
  testing::TempDir dir;
  make_certificate(dir.path(), "old", "IP:127.0.0.1");
  const std::string log = dir.path() + "/s_server.log";
  testing::Child server(
      {"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", dir.path() + "/old.pem",
       "-key", dir.path() + "/old-key.pem", "-tls1_1", "-cipher", "ALL:@SECLEVEL=0", "-www"},
      log);
  int port = 0;
  for (int i = 0; i < 500 && port == 0; ++i) {
    const std::string out = testing::read_file(log);
    if (const std::size_t at = out.find("ACCEPT 127.0.0.1:");
        at != std::string::npos && out.find('\n', at) != std::string::npos)
      port = std::stoi(out.substr(at + 17));
    else
      std::this_thread::sleep_for(20ms);
  }
  REQUIRE(port != 0);
  const Result<OutboundResponse> r =
      get("https://127.0.0.1:" + std::to_string(port) + "/", dir.path() + "/old.pem");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
}
