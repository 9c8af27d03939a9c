// TLS on the real `mangfold serve` (issue 23): which protocol versions and cipher suites it
// accepts, checked with `openssl s_client`, and certificates renewed in place with SIGHUP.
//
// A refusal must be the connector's, not the client's: OpenSSL 3's default security level
// already stops a client from offering TLS 1.0/1.1 or SHA-1 suites. So every client command that
// the connector refuses lowers the client's level (@SECLEVEL=0) and is first shown to succeed
// against a permissive `openssl s_server` with the same kind of certificate.
//
// The certificates are RSA, so that the RSA-key-exchange suite (AES128-SHA) and the ECDHE-RSA
// CBC suite are meaningful choices the server could make.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/mangfold_process.hpp"
#include "tests/support/process.hpp"

using namespace mangfold;
using namespace std::chrono_literals;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;
const std::string kOpenssl = "/usr/bin/openssl";

void make_rsa_certificate(const std::string& cert, const std::string& key) {
  const auto made = testing::run({kOpenssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                  "-days", "1", "-subj", "/CN=localhost", "-addext",
                                  "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert});
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
}

std::string hex(const unsigned char* data, unsigned int n) {
  std::string out;
  char byte[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", data[i]);
    out += byte;
  }
  return out;
}

std::string sha256_of(X509* cert) {
  if (!cert) return "";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), md, &n) != 1) return "";
  return hex(md, n);
}

// SHA-256 fingerprint of the (first) certificate in a PEM file.
std::string file_fingerprint(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  REQUIRE(f != nullptr);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  const std::string out = sha256_of(cert);
  X509_free(cert);
  REQUIRE(!out.empty());
  return out;
}

// One TLS connection kept open across requests (HTTP/1.1 keep-alive), through OpenSSL's API: the
// test needs a connection that outlives a certificate swap and the certificate it was shown.
class TlsConnection {
 public:
  explicit TlsConnection(int port) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    REQUIRE(ctx_ != nullptr);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    REQUIRE(SSL_connect(ssl_) == 1);
  }
  ~TlsConnection() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    ::close(fd_);
  }
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // The SHA-256 fingerprint of the certificate the server presented on this connection.
  std::string fingerprint() const {
    X509* cert = SSL_get1_peer_certificate(ssl_);
    const std::string out = sha256_of(cert);
    X509_free(cert);
    return out;
  }

  // GET `path` on this connection; the status code (0 when the connection failed) and the body.
  std::pair<int, std::string> get(const std::string& path) {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (SSL_write(ssl_, request.data(), static_cast<int>(request.size())) <= 0) return {0, ""};
    std::string in;
    std::size_t header_end = std::string::npos;
    std::size_t length = 0;
    for (;;) {
      if (header_end == std::string::npos) {
        header_end = in.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          const std::size_t cl = in.find("Content-Length: ");
          if (cl == std::string::npos || cl > header_end) return {0, ""};
          length = std::stoul(in.substr(cl + 16));
        }
      }
      if (header_end != std::string::npos && in.size() >= header_end + 4 + length) break;
      char buf[4096];
      const int n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) return {0, ""};
      in.append(buf, static_cast<std::size_t>(n));
    }
    if (in.rfind("HTTP/1.1 ", 0) != 0) return {0, ""};
    return {std::stoi(in.substr(9, 3)), in.substr(header_end + 4, length)};
  }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
};

// `mangfold serve` with TLS from cert.pem/key.pem (RSA) in a temporary folder.
class TlsConnector {
 public:
  explicit TlsConnector(const std::string& profile = "") {
    make_rsa_certificate(path("cert.pem"), path("key.pem"));
    testing::write_file(path("oslo.whsec"), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
    testing::write_file(path("oslo.pseudonym"), "tls-test-pseudonym-key-0123456789abcdef\n");
    testing::write_file(path("mangfold.yaml"),
                        "tls: {certificate: cert.pem, private_key: key.pem" +
                            (profile.empty() ? std::string() : ", profile: " + profile) + "}\n" +
                            R"(listen: {address: 127.0.0.1, port: 0, threads: 2}
storage: {sqlite: db/mangfold.db}
mail: {spool_dir: mail}
tenants:
  oslo:
    policy: )" + kRoot + R"(/policies/imdi.yaml
    signature: {scheme: standard_webhooks, secret: {file: oslo.whsec}}
    pseudonyms: {key: {file: oslo.pseudonym}}
)");
    REQUIRE_MESSAGE(process_.start(), process_.log());
  }

  std::string path(const std::string& name) const { return dir_.path() + "/" + name; }
  int port() const { return process_.port(); }
  std::string log() const { return process_.log(); }
  testing::MangfoldProcess& process() { return process_; }

 private:
  testing::TempDir dir_;
  testing::MangfoldProcess process_{MANGFOLD_BINARY, path("mangfold.yaml"), path("db/mangfold.db"),
                                    path("server.log")};
};

// `openssl s_server` accepting every protocol version and cipher suite the library has: the
// reference that proves a client command can succeed.
class PermissiveServer {
 public:
  PermissiveServer(const std::string& cert, const std::string& key, const std::string& log)
      : log_(log),
        child_({kOpenssl, "s_server", "-accept", "127.0.0.1:0", "-cert", cert, "-key", key,
                "-cipher", "ALL:@SECLEVEL=0", "-www"},
               log) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
      const std::string out = testing::read_file(log_);
      if (const std::size_t at = out.find("ACCEPT 127.0.0.1:");
          at != std::string::npos && out.find('\n', at) != std::string::npos)
        port_ = std::stoi(out.substr(at + 17));
      else
        std::this_thread::sleep_for(20ms);
    }
    REQUIRE(port_ != 0);
  }
  int port() const { return port_; }

 private:
  std::string log_;
  testing::Child child_;
  int port_ = 0;
};

struct Handshake {
  bool ok = false;
  std::string output;  // s_client's report, for messages
  bool negotiated(const std::string& what) const { return output.find(what) != std::string::npos; }
};

// One `openssl s_client` connection with `args`; ok when the handshake completed.
Handshake s_client(int port, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kOpenssl, "s_client", "-connect",
                                   "127.0.0.1:" + std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  const testing::CommandResult r = testing::run(argv);
  Handshake h;
  h.output = r.out + r.err;
  h.ok = r.exit_code == 0 && h.output.find("Cipher is (NONE)") == std::string::npos;
  return h;
}

}  // namespace

TEST_CASE(
    "intermediate profile: TLS 1.0, 1.1 and the weak TLS 1.2 suites are refused by the server") {
  TlsConnector c;
  PermissiveServer reference(c.path("cert.pem"), c.path("key.pem"), c.path("s_server.log"));
  const std::vector<std::vector<std::string>> refused = {
      {"-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"},
      {"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"},
      {"-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0"},            // RSA key exchange, CBC
      {"-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA:@SECLEVEL=0"},  // CBC with SHA-1
      {"-tls1_2", "-cipher", "AES128-GCM-SHA256:@SECLEVEL=0"},     // RSA key exchange
  };
  for (const auto& args : refused) {
    std::string command;
    for (const auto& a : args)
      command += a + " ";
    CAPTURE(command);
    const Handshake against_reference = s_client(reference.port(), args);
    CHECK_MESSAGE(against_reference.ok, against_reference.output);
    const Handshake against_connector = s_client(c.port(), args);
    CHECK_MESSAGE(!against_connector.ok, against_connector.output);
  }
}

TEST_CASE(
    "intermediate profile: ECDHE with AES-GCM or ChaCha20 under TLS 1.2, and TLS 1.3, are "
    "accepted") {
  TlsConnector c;
  for (const std::string suite : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                                  "ECDHE-RSA-CHACHA20-POLY1305"}) {
    CAPTURE(suite);
    const Handshake h = s_client(c.port(), {"-tls1_2", "-cipher", suite});
    CHECK_MESSAGE(h.ok, h.output);
    CHECK(h.negotiated("Cipher is " + suite));
  }
  for (const std::string group : {"X25519", "P-256", "P-384"}) {
    CAPTURE(group);
    const Handshake h = s_client(c.port(), {"-tls1_2", "-groups", group});
    CHECK_MESSAGE(h.ok, h.output);
  }
  // A finite-field group is not among the profile's groups (the reference server would take it).
  PermissiveServer reference(c.path("cert.pem"), c.path("key.pem"), c.path("s_server.log"));
  const std::vector<std::string> ffdhe = {"-tls1_3", "-groups", "ffdhe2048"};
  const Handshake ffdhe_reference = s_client(reference.port(), ffdhe);
  CHECK_MESSAGE(ffdhe_reference.ok, ffdhe_reference.output);
  const Handshake ffdhe_connector = s_client(c.port(), ffdhe);
  CHECK_MESSAGE(!ffdhe_connector.ok, ffdhe_connector.output);

  const Handshake tls13 = s_client(c.port(), {"-tls1_3"});
  CHECK_MESSAGE(tls13.ok, tls13.output);
  CHECK(tls13.negotiated("TLSv1.3"));

  // Server cipher preference is off: the client's order decides, either way round.
  const Handshake aes128 = s_client(
      c.port(), {"-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384"});
  CHECK(aes128.negotiated("Cipher is ECDHE-RSA-AES128-GCM-SHA256"));
  const Handshake aes256 = s_client(
      c.port(), {"-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256"});
  CHECK(aes256.negotiated("Cipher is ECDHE-RSA-AES256-GCM-SHA384"));
}

TEST_CASE("modern profile: TLS 1.2 is refused by the server, TLS 1.3 is accepted") {
  TlsConnector c("modern");
  PermissiveServer reference(c.path("cert.pem"), c.path("key.pem"), c.path("s_server.log"));
  const std::vector<std::string> tls12 = {"-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"};
  const Handshake against_reference = s_client(reference.port(), tls12);
  CHECK_MESSAGE(against_reference.ok, against_reference.output);
  const Handshake refused = s_client(c.port(), tls12);
  CHECK_MESSAGE(!refused.ok, refused.output);
  const Handshake tls13 = s_client(c.port(), {"-tls1_3"});
  CHECK_MESSAGE(tls13.ok, tls13.output);
  CHECK(tls13.negotiated("TLSv1.3"));
}

TEST_CASE("SIGHUP: new connections get the renewed certificate, an open one keeps working") {
  TlsConnector c;
  const std::string first = file_fingerprint(c.path("cert.pem"));
  TlsConnection kept(c.port());
  CHECK(kept.fingerprint() == first);
  CHECK(kept.get("/healthz").first == 200);

  // Renewed as an ACME client does: new files, moved into place, then a reload.
  make_rsa_certificate(c.path("new-cert.pem"), c.path("new-key.pem"));
  const std::string second = file_fingerprint(c.path("new-cert.pem"));
  REQUIRE(second != first);
  std::filesystem::rename(c.path("new-key.pem"), c.path("key.pem"));
  std::filesystem::rename(c.path("new-cert.pem"), c.path("cert.pem"));
  c.process().child().signal(SIGHUP);
  REQUIRE_MESSAGE(c.process().wait_for_log("\"msg\":\"tls reloaded\""), c.log());

  CHECK(TlsConnection(c.port()).fingerprint() == second);
  // The connection opened before the reload still serves requests, with its first certificate.
  CHECK(kept.get("/healthz").first == 200);
  CHECK(kept.fingerprint() == first);

  SUBCASE("a file that is not a certificate keeps the previous pair, and says why") {
    testing::write_file(c.path("cert.pem"), "-----BEGIN CERTIFICATE-----\nbroken\n");
    c.process().child().signal(SIGHUP);
    REQUIRE_MESSAGE(c.process().wait_for_log("\"msg\":\"tls reload failed"), c.log());
    CHECK(c.log().find("certificate_file '" + c.path("cert.pem") + "'") != std::string::npos);
  }
  SUBCASE("a key that does not match the certificate keeps the previous pair, and says why") {
    make_rsa_certificate(c.path("other-cert.pem"), c.path("other-key.pem"));
    std::filesystem::rename(c.path("other-key.pem"), c.path("key.pem"));
    c.process().child().signal(SIGHUP);
    REQUIRE_MESSAGE(c.process().wait_for_log("\"msg\":\"tls reload failed"), c.log());
    // OpenSSL notices while loading the key ("key values mismatch").
    CHECK(c.log().find("private_key_file '" + c.path("key.pem") + "'") != std::string::npos);
    CHECK(c.log().find("mismatch") != std::string::npos);
  }
  TlsConnection after(c.port());
  CHECK(after.fingerprint() == second);
  const auto metrics = after.get("/metrics");
  CHECK(metrics.first == 200);
  CHECK(metrics.second.find("\nmangfold_tls_reloads_total 1\n") != std::string::npos);
  CHECK(metrics.second.find("\nmangfold_tls_reload_failures_total 1\n") != std::string::npos);
  CHECK(kept.get("/healthz").first == 200);
}
