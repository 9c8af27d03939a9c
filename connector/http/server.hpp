// The connector's HTTP/1.1 server: transport only.
//
// A Server accepts connections, reads one request at a time per connection, hands each complete
// request to the application's Handler and writes the Response the handler gives back. The handler
// never sees a socket; routing, authentication and JSON live in the application.
//
// What the server enforces by itself, before the handler runs (answers are JSON error bodies, see
// error_response()): header size (431), body size per target (413, refused before the body is
// read), unambiguous framing (400 and close: Content-Length together with Transfer-Encoding, any
// Transfer-Encoding other than exactly "chunked", repeated or list-valued Content-Length, a
// Content-Length that is not plain digits, a missing or repeated Host in HTTP/1.1), malformed
// HTTP (400 and close), timeouts on every phase, and a cap on open connections (503 and close).
//
// Threading: the io threads belong to the server. The handler is called on an io thread and must
// not block for long; it may hand the work to another thread and call Respond from there.
// No Boost header is included here on purpose (compile time): the implementation is behind a pimpl.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"

namespace mangfold::http {

namespace detail {
class ServerImpl;
}

struct Header {
  std::string name;
  std::string value;
};

// One complete request. The body has been moved out of the parser (no copy); `target` is the
// request-target exactly as received (path and query, not decoded).
struct Request {
  std::string method;           // e.g. "POST"; unknown methods are passed through verbatim
  std::string target;           // e.g. "/hooks/oslo?x=1"
  int version = 11;             // 10 for HTTP/1.0, 11 for HTTP/1.1
  std::vector<Header> headers;  // in the order received, names as sent, values without OWS
  std::string body;
  std::string remote;  // peer "address:port", for logs

  // Value of the first header with this name (ASCII case-insensitive), or nullopt. The view points
  // into `headers` and lives as long as this Request is unchanged.
  std::optional<std::string_view> header(std::string_view name) const;
};

// What the handler answers. The server owns the framing: it sets Content-Type (from
// `content_type`) and Content-Length except for 1xx, 204 and 304 (no body, none of the two),
// Connection, Date and Server, and drops handler headers with those names and Transfer-Encoding,
// Keep-Alive, Upgrade, TE, Trailer and Proxy-Connection. A header name that is not an HTTP token, a
// value with CR, LF, NUL or surrounding whitespace, or a status outside 200..599, turns the
// response into a 500 (response splitting defence). HEAD requests reach the handler like any other
// method; the client gets the response's headers, with the Content-Length of its body, and no body.
struct Response {
  int status = 200;
  std::string content_type = "application/json";  // empty: "application/octet-stream"
  std::string body;
  std::vector<Header> headers;
};

// Delivers the response for one request. Call it once, from any thread, also after the handler
// has returned; later calls are ignored. Copies share one slot. If every copy is destroyed without
// a call, the client gets a 500. Calls after the request timed out, after its connection was
// closed, or after the Server was destroyed, do nothing.
using Respond = std::function<void(Response)>;

// The application's request handler. Runs on an io thread, concurrently for different connections
// (one request at a time per connection); exceptions it throws become a 500.
using Handler = std::function<void(Request&&, Respond)>;

// Which protocol versions and cipher suites the listener accepts, after Mozilla's server-side TLS
// recommendations (https://wiki.mozilla.org/Security/Server_Side_TLS, version 5.7).
enum class TlsProfile {
  // TLS 1.3 (its three standard suites) and TLS 1.2 with ECDHE key exchange and AES-GCM or
  // ChaCha20-Poly1305 only: forward secrecy and AEAD for every connection. The profile's DHE
  // suites are left out (no finite-field DH group is configured). Groups X25519, P-256, P-384;
  // the client's cipher preference is followed.
  kIntermediate,
  // TLS 1.3 only.
  kModern,
};

// TLS for the whole listener (a listener is either plain or TLS). PEM files.
struct TlsOptions {
  std::string certificate_file;  // certificate chain, leaf first
  std::string private_key_file;  // unencrypted private key matching the leaf
  TlsProfile profile = TlsProfile::kIntermediate;
};

struct ServerOptions {
  // Numeric IPv4 or IPv6 address to listen on (no host names). Default: loopback only.
  std::string address = "127.0.0.1";
  // TCP port; 0 binds any free port (see Server::port()). Default 8080.
  std::uint16_t port = 8080;
  // Io threads: run() uses the calling thread plus threads-1 more; start() starts `threads`.
  int threads = 2;
  // Upper bound on request line plus header fields, in bytes; above it: 431 and close.
  std::size_t max_header_bytes = 16 * 1024;
  // Body limit when body_limit_for is empty. Above it: 413 and close.
  std::size_t default_body_limit = 1024 * 1024;
  // Optional per-target limit, called on an io thread with the raw target after the header has been
  // read and before any body byte is read. Should be cheap; if it throws the client gets a 500.
  std::function<std::size_t(std::string_view target)> body_limit_for;
  // A new connection must deliver a complete header (after the TLS handshake, which shares this
  // deadline) within header_timeout; on a kept-alive connection the clock starts at the first byte
  // of the next request. Expiry closes the connection without an answer (slowloris).
  std::chrono::milliseconds header_timeout{10'000};
  // Total time to receive the body once the header is in. Expiry closes the connection.
  std::chrono::milliseconds body_timeout{30'000};
  // How long a kept-alive connection may wait for the first byte of its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // How long the handler may take to call Respond; then the client gets 503 "timeout" and the
  // connection is closed (a late Respond is ignored).
  std::chrono::milliseconds handler_timeout{30'000};
  // Time to write the response to the client (slow readers). Expiry closes the connection.
  std::chrono::milliseconds response_timeout{30'000};
  // Open connections above this many are answered 503 and closed right after accept (plain) or
  // closed without an answer (TLS: no handshake is spent on them).
  std::size_t max_connections = 10'000;
  // Pipelining: requests on one connection are handled strictly one at a time, in order; the next
  // request is read only after the previous response has been written. There is no queue to cap.
  std::optional<TlsOptions> tls;
  // Value of the Server response header; empty omits the header.
  std::string server_header = "mangfold";
  // Optional: told about problems that have no client to answer (accept failures, handler
  // exceptions). Called on io threads; messages never contain request headers or bodies.
  std::function<void(std::string_view message)> on_error;
};

// Thread-safety: every member function may be called from any thread. run()/start() may be called
// once per Server, and not both.
class Server {
 public:
  // Validates the options, loads TLS files, binds and listens. Errors: kInvalidArgument for bad
  // options, addresses or TLS files; kUnavailable when the address cannot be bound (e.g. in use).
  // Connections queue in the kernel until run() or start().
  static Result<std::unique_ptr<Server>> create(ServerOptions options, Handler handler);

  // Stops with grace 0 unless stop() was already called (then its grace applies), then joins the io
  // threads. Must not be called from a handler or an io thread.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (useful with port 0).
  std::uint16_t port() const;

  // Runs the io threads, the calling thread among them; returns once stop() has completed.
  void run();
  // Alternatively starts `threads` io threads in the background and returns at once.
  void start();

  // Graceful shutdown: stop accepting, close idle keep-alive connections, let requests in flight
  // finish and their responses be written (with Connection: close) for up to `grace`, then close
  // whatever is left. Idempotent (the first grace wins). Called from an io thread (a handler) it
  // only initiates; from any other thread it also waits until the io threads have returned
  // (immediately if they never started). Not async-signal-safe: call it from a signal-handling
  // thread.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{10'000});

  // Connections currently open (those being refused for the cap are not counted).
  std::size_t active_connections() const;

  // A TLS listener reads its certificate and key files again (e.g. after an ACME renewal), from
  // the paths and with the profile in `tls`: connections accepted from then on use the new pair,
  // connections already open keep theirs. When a file cannot be read or the key does not match
  // the certificate, the answer is kInvalidArgument naming the file and why, and the previous pair
  // stays in use. kFailedPrecondition for a plain listener (TLS cannot be switched on later).
  Status reload_tls(const TlsOptions& tls);

 private:
  explicit Server(std::unique_ptr<detail::ServerImpl> impl);
  std::unique_ptr<detail::ServerImpl> impl_;
};

// Our error codes as HTTP statuses: kOk 200, kInvalidArgument 400, kUnauthenticated 401,
// kNotFound 404, kAlreadyExists 200 (a duplicate delivery is acknowledged, DESIGN §3),
// kFailedPrecondition 409 (the request conflicts with the current state; 412 is reserved for
// conditional request headers), kUnprocessable 422, kResourceExhausted 429 (the server itself
// answers 413 for body size), kUnavailable 503, kInternal and anything else 500.
int http_status(StatusCode code);

// {"error": "<machine word>", "detail": "<human sentence>"} as application/json with `status`.
// Invalid UTF-8 in the arguments is replaced, never thrown on.
Response error_response(int status, std::string_view error, std::string_view detail);
// http_status(s.code()), error = to_string(s.code()), detail = s.message(). For kAlreadyExists that
// is a 200 whose body says "already_exists"; callers usually prefer their own success body.
Response error_response(const Status& s);

}  // namespace mangfold::http
