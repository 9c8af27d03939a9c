// TLS on the listener: a self-signed certificate made with the openssl CLI at test time, requests
// made with curl --cacert.
#include <doctest/doctest.h>

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "connector/http/server.hpp"
#include "tests/http/test_client.hpp"

using namespace mangfold;
using namespace mangfold::http;
using namespace mangfold::http::testing;
using namespace std::chrono_literals;

namespace {

// A temp dir with cert.pem/key.pem for 127.0.0.1 and a second, unrelated other_key.pem.
class CertDir {
 public:
  CertDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mangfold-http-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    const auto made = run_command(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
        " -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost"
        " -keyout " +
        key() + " -out " + cert() +
        " 2>/dev/null && "
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out " +
        other_key() + " 2>/dev/null");
    REQUIRE(made.exit_code == 0);
  }
  ~CertDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string cert() const { return (dir_ / "cert.pem").string(); }
  std::string key() const { return (dir_ / "key.pem").string(); }
  std::string other_key() const { return (dir_ / "other_key.pem").string(); }

 private:
  std::filesystem::path dir_;
};

Handler echo_handler() {
  return [](Request&& req, Respond respond) {
    Response r;
    r.content_type = "text/plain";
    r.body = req.body.empty() ? req.target : std::move(req.body);
    respond(std::move(r));
  };
}

ServerOptions tls_files(std::string cert, std::string key) {
  ServerOptions o;
  o.port = 0;
  o.tls.emplace();
  o.tls->certificate_file = std::move(cert);
  o.tls->private_key_file = std::move(key);
  return o;
}

ServerOptions tls_options(const CertDir& certs) {
  ServerOptions o;
  o.port = 0;
  o.tls.emplace();
  o.tls->certificate_file = certs.cert();
  o.tls->private_key_file = certs.key();
  return o;
}

}  // namespace

TEST_CASE("TLS: curl --cacert gets an answer, and keeps the connection alive") {
  CertDir certs;
  auto created = Server::create(tls_options(certs), echo_handler());
  REQUIRE_MESSAGE(created.ok(), created.status().message());
  auto& server = *created.value();
  server.start();
  const std::string base = "https://127.0.0.1:" + std::to_string(server.port());

  const auto posted =
      run_command("curl -sS --max-time 10 --cacert " + certs.cert() +
                  " --data-binary secret-payload -w '|%{http_code}' " + base + "/echo");
  CHECK(posted.exit_code == 0);
  CHECK(posted.output == "secret-payload|200");

  const auto two =
      run_command("curl -sS --max-time 10 --cacert " + certs.cert() +
                  " -w '[%{http_code},%{num_connects}]' " + base + "/a " + base + "/b");
  CHECK(two.exit_code == 0);
  CHECK(two.output == "/a[200,1]/b[200,0]");

  // Without the CA the client must refuse our self-signed certificate: proof it is really TLS.
  const auto untrusted = run_command("curl -sS --max-time 10 -o /dev/null " + base + "/x 2>&1");
  CHECK(untrusted.exit_code != 0);
  server.stop(1s);
}

TEST_CASE("TLS: versions below 1.2 and plain HTTP are refused") {
  CertDir certs;
  auto created = Server::create(tls_options(certs), echo_handler());
  REQUIRE(created.ok());
  auto& server = *created.value();
  server.start();
  const std::string connect =
      "openssl s_client -connect 127.0.0.1:" + std::to_string(server.port()) + " -CAfile " +
      certs.cert();
  // SECLEVEL=0 lets the client offer TLS 1.1, so a refusal comes from the server.
  const auto old = run_command(connect + " -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' </dev/null 2>&1");
  CHECK(old.exit_code != 0);
  const auto current = run_command(connect + " -tls1_2 </dev/null 2>&1");
  CHECK(current.exit_code == 0);
  CHECK(current.output.find("TLSv1.2") != std::string::npos);

  Client plain(server.port());
  REQUIRE(plain.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  CHECK(plain.closed_within(5s));
  server.stop(1s);
}

TEST_CASE("TLS: unreadable or mismatched files are a Status from create()") {
  CertDir certs;
  auto with = [&](std::string cert, std::string key) {
    // Built by a helper and passed as a temporary: moving a local ServerOptions with its
    // optional<TlsOptions> here draws a false -Wmaybe-uninitialized from GCC 12.
    return Server::create(tls_files(std::move(cert), std::move(key)), echo_handler()).status();
  };
  const std::string fixture =
      std::string(MANGFOLD_SOURCE_DIR) + "/tests/fixtures/http/not_a_certificate.pem";

  const Status missing = with(certs.cert() + ".missing", certs.key());
  CHECK(missing.code() == StatusCode::kInvalidArgument);
  CHECK(missing.message().find("certificate_file") != std::string::npos);

  CHECK(with(fixture, certs.key()).code() == StatusCode::kInvalidArgument);
  CHECK(with(certs.cert(), fixture).code() == StatusCode::kInvalidArgument);
  CHECK(with(certs.cert(), certs.other_key()).code() == StatusCode::kInvalidArgument);
  CHECK(with(certs.cert(), certs.key()).is_ok());
}

namespace {

// SHA-256 fingerprint of the certificate a server shows a new connection, or of a PEM file.
std::string served_fingerprint(std::uint16_t port) {
  return run_command("openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                     " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256")
      .output;
}
std::string file_fingerprint(const std::string& pem) {
  return run_command("openssl x509 -noout -fingerprint -sha256 -in " + pem).output;
}

}  // namespace

TEST_CASE("TLS: reload_tls swaps the pair for new connections, and a bad pair keeps the old one") {
  CertDir first;
  CertDir second;
  auto created = Server::create(tls_options(first), echo_handler());
  REQUIRE(created.ok());
  auto& server = *created.value();
  server.start();
  const std::string before = served_fingerprint(server.port());
  CHECK(before.find("Fingerprint=") != std::string::npos);
  CHECK(before == file_fingerprint(first.cert()));

  TlsOptions next;
  next.certificate_file = second.cert();
  next.private_key_file = second.key();
  REQUIRE(server.reload_tls(next).is_ok());
  const std::string after = served_fingerprint(server.port());
  CHECK(after == file_fingerprint(second.cert()));
  CHECK(after != before);

  TlsOptions mismatched = next;
  mismatched.private_key_file = second.other_key();
  const Status refused = server.reload_tls(mismatched);
  CHECK(refused.code() == StatusCode::kInvalidArgument);
  CHECK(refused.message().find("private_key_file") != std::string::npos);
  CHECK(refused.message().find("mismatch") != std::string::npos);
  TlsOptions missing = next;
  missing.certificate_file = second.cert() + ".missing";
  CHECK(server.reload_tls(missing).code() == StatusCode::kInvalidArgument);
  CHECK(served_fingerprint(server.port()) == after);
  server.stop(1s);
}

TEST_CASE("TLS: reload_tls on a plain listener is refused") {
  ServerOptions o;
  o.port = 0;
  auto created = Server::create(o, echo_handler());
  REQUIRE(created.ok());
  CertDir certs;
  TlsOptions tls;
  tls.certificate_file = certs.cert();
  tls.private_key_file = certs.key();
  CHECK(created.value()->reload_tls(tls).code() == StatusCode::kFailedPrecondition);
}
