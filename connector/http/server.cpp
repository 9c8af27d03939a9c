// The only translation unit that includes Beast and Asio (each such TU costs ~40 s here).
//
// Shape, after the Beast examples: the listener only accepts, a Session only reads and writes, the
// application's Handler only sees Request/Response. Protocol rules that need no Beast live in
// protocol.cpp. Every Session runs on its own strand; the listener, the grace timer and shutdown
// run on the server's control strand.
#include "connector/http/server.hpp"
#include "connector/common/thread_name.hpp"

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "connector/http/protocol.hpp"

namespace mangfold::http {
namespace detail {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;
using std::chrono::milliseconds;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// After we have sent our last byte we keep reading (and discarding) for a short while, so that
// request bytes still in flight do not make the kernel answer with RST and destroy the response
// before the client has read it (RFC 9112 §9.6, "lingering close").
constexpr milliseconds kLingerTimeout{1'000};
constexpr std::size_t kLingerBytes = 256 * 1024;
constexpr std::size_t kReadChunk = 8 * 1024;
constexpr milliseconds kAcceptRetry{50};
constexpr std::chrono::seconds kAcceptReportEvery{10};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string endpoint_text(const tcp::endpoint& ep) {
  const auto address = ep.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

bool is_http_error(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

// Mozilla's intermediate profile (server-side TLS recommendations, version 5.7): TLS 1.2 with
// ECDHE and AEAD ciphers only, every TLS 1.3 suite, and the curves both allow. The profile's DHE
// suites are not listed: they would need a configured finite-field group and add nothing for
// clients that speak ECDHE, which every client the profile supports does.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:prime256v1:secp384r1";

// A server context for `t`, with its files loaded and checked. Errors name the file, never its
// content.
Result<std::shared_ptr<ssl::context>> make_tls_context(const TlsOptions& t) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  error_code ec;
  // No SSL_OP_CIPHER_SERVER_PREFERENCE: with only strong suites on offer, the client knows best
  // (e.g. ChaCha20 on hardware without AES instructions), as the profile says.
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::no_compression,
                   ec);
  const int min_version = t.profile == TlsProfile::kModern ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (ec || SSL_CTX_set_min_proto_version(native, min_version) != 1) {
    return internal_error("http server: cannot set the lowest TLS version");
  }
  SSL_CTX_clear_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(native, kTls13Suites) != 1 ||
      SSL_CTX_set1_groups_list(native, kGroups) != 1) {
    return internal_error("http server: the TLS library refused the cipher suites or groups");
  }
  ctx->use_certificate_chain_file(t.certificate_file, ec);
  if (ec) {
    return invalid_argument("http server: TLS certificate_file '" + t.certificate_file +
                            "': " + ec.message());
  }
  ctx->use_private_key_file(t.private_key_file, ssl::context::pem, ec);
  if (ec) {
    return invalid_argument("http server: TLS private_key_file '" + t.private_key_file +
                            "': " + ec.message());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return invalid_argument("http server: TLS private key '" + t.private_key_file +
                            "' does not match the certificate '" + t.certificate_file + "'");
  }
  return ctx;
}

}  // namespace

// Closed by ~ServerImpl under its mutex, so that a Respond called later (from any thread) does
// nothing instead of posting into a destroyed io_context.
struct Gate {
  std::mutex mu;
  bool open = true;
};

class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  virtual void start() = 0;
  // All three may be called from any thread; they post to the session's strand.
  virtual void post_response(std::uint64_t request_id, Response response) = 0;
  virtual void notify_stop() = 0;
  virtual void force_close() = 0;
};

// The one slot behind every copy of a Respond: the first delivery wins, and a slot that dies
// undelivered answers 500 so that a forgetful handler cannot hang the connection.
class ResponseSlot {
 public:
  ResponseSlot(std::shared_ptr<Gate> gate, std::weak_ptr<SessionBase> session, std::uint64_t id)
      : gate_(std::move(gate)), session_(std::move(session)), id_(id) {}
  ResponseSlot(const ResponseSlot&) = delete;
  ResponseSlot& operator=(const ResponseSlot&) = delete;
  ~ResponseSlot() {
    if (!used_.load()) {
      deliver(error_response(500, "internal", "the request handler did not respond"));
    }
  }

  void deliver(Response response) {
    if (used_.exchange(true)) return;
    std::lock_guard lock(gate_->mu);
    if (!gate_->open) return;
    if (auto session = session_.lock()) session->post_response(id_, std::move(response));
  }

 private:
  std::shared_ptr<Gate> gate_;
  std::weak_ptr<SessionBase> session_;
  std::uint64_t id_;
  std::atomic<bool> used_{false};
};

class ServerImpl {
 public:
  ServerImpl(ServerOptions options, Handler handler);
  ~ServerImpl();

  Status open();
  void run();
  void start();
  void stop(milliseconds grace);
  std::uint16_t port() const { return port_; }
  std::size_t active_connections() const { return active_.load(); }
  Status reload_tls(const TlsOptions& tls);

  // For sessions.
  const ServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  const std::shared_ptr<Gate>& gate() const { return gate_; }
  bool stopping() const { return stopping_.load(); }
  void on_session_closed(SessionBase* session);
  void report(const std::string& message) const;

 private:
  void do_accept();
  void on_accept(const error_code& ec, tcp::socket socket);
  void start_session(tcp::socket socket);
  void reject(tcp::socket socket);
  void begin_shutdown(milliseconds grace);
  std::vector<std::shared_ptr<SessionBase>> snapshot() const;
  void run_loop();

  ServerOptions options_;
  Handler handler_;
  // The context new TLS connections are made with; null for a plain listener. Replaced as a whole
  // by reload_tls() (on another thread) while the control strand reads it for each accepted
  // connection, hence the mutex. Each session holds a reference to the context its stream was
  // made with, so a replaced context lives until its last connection closes.
  mutable std::mutex tls_mu_;
  std::shared_ptr<ssl::context> tls_;
  net::io_context ioc_;
  net::strand<net::io_context::executor_type> control_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  // Failed accepts since the last report, and when that was (the control strand only).
  std::size_t accept_failures_ = 0;
  std::chrono::steady_clock::time_point last_accept_report_{};
  net::steady_timer grace_timer_;
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> active_{0};

  mutable std::mutex sessions_mu_;
  // Owns every open session; a session leaves when its socket is closed.
  std::unordered_map<SessionBase*, std::shared_ptr<SessionBase>> sessions_;

  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool started_ = false;
  bool finished_ = false;
  std::vector<std::thread> threads_;  // from start(); joined by stop()
};

namespace {

// Answers 503 to a connection above the cap without parsing anything, then closes.
class Rejecter : public std::enable_shared_from_this<Rejecter> {
 public:
  Rejecter(tcp::socket socket, std::string text)
      : stream_(std::move(socket)), text_(std::move(text)) {}

  void start() {
    stream_.expires_after(kLingerTimeout);
    net::async_write(stream_, net::buffer(text_),
                     [self = shared_from_this()](const error_code& ec, std::size_t) {
                       if (ec) return self->stream_.close();
                       error_code ignored;
                       self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                       self->drain();
                     });
  }

 private:
  void drain() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](const error_code& ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerBytes) return self->stream_.close();
                              self->drain();
                            });
  }

  beast::tcp_stream stream_;
  std::string text_;
  std::array<char, 4096> scratch_{};
  std::size_t drained_ = 0;
};

template <class Stream>
class Session final : public SessionBase {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `tls` is the context for a TLS session (null for a plain one), kept alive with the session.
  Session(ServerImpl& server, std::string remote, tcp::socket socket,
          std::shared_ptr<ssl::context> tls)
      : server_(server),
        tls_context_(std::move(tls)),
        stream_(make_stream(std::move(socket), tls_context_.get())),
        handler_timer_(stream_.get_executor()),
        remote_(std::move(remote)) {}

  void start() override {
    net::dispatch(stream_.get_executor(), [self = self_ptr()] { self->on_start(); });
  }

  void post_response(std::uint64_t request_id, Response response) override {
    net::post(stream_.get_executor(),
              [self = self_ptr(), request_id, response = std::move(response)]() mutable {
                self->on_response(request_id, std::move(response));
              });
  }

  void notify_stop() override {
    net::post(stream_.get_executor(), [self = self_ptr()] {
      // Only a connection waiting for its next request is idle; one mid-request finishes it and
      // is closed after the response (write_response sees stopping()).
      if (!self->closed_ && (self->state_ == State::kHandshake || self->state_ == State::kIdle)) {
        self->lowest().cancel();
      }
    });
  }

  void force_close() override {
    net::post(stream_.get_executor(), [self = self_ptr()] { self->close_now(); });
  }

 private:
  enum class State {
    kHandshake,
    kIdle,
    kReadingHeader,
    kReadingBody,
    kHandling,
    kWriting,
    kClosing
  };

  static Stream make_stream(tcp::socket socket, ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  std::shared_ptr<Session> self_ptr() {
    return std::static_pointer_cast<Session>(shared_from_this());
  }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  const ServerOptions& opts() const { return server_.options(); }

  void on_start() {
    // One deadline covers the handshake and the first header: a connection that sends nothing
    // useful is gone after header_timeout.
    lowest().expires_after(opts().header_timeout);
    if constexpr (kTls) {
      state_ = State::kHandshake;
      stream_.async_handshake(ssl::stream_base::server, [self = self_ptr()](const error_code& ec) {
        if (ec) return self->close_now();
        self->read_request();
      });
    } else {
      read_request();
    }
  }

  void read_request() {
    if (server_.stopping()) return close_now();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(opts().max_header_bytes));
    // Beast compares Content-Length with its limit while still parsing the header; the limit we
    // want depends on the target, which is only known afterwards. So: none now, ours later.
    parser_->body_limit(boost::none);
    version_ = 11;
    head_ = false;
    keep_alive_ = false;
    if (buffer_.size() > 0) {  // a pipelined request is already here
      if (!first_) lowest().expires_after(opts().header_timeout);
      return read_header();
    }
    state_ = State::kIdle;
    if (!first_) lowest().expires_after(opts().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = self_ptr()](const error_code& ec, std::size_t n) {
                              if (ec) return self->close_now();
                              self->buffer_.commit(n);
                              if (!self->first_) {
                                self->lowest().expires_after(self->opts().header_timeout);
                              }
                              self->read_header();
                            });
  }

  void read_header() {
    state_ = State::kReadingHeader;
    // Beast unfolds obs-fold lines; a front proxy may not agree about them (RFC 9112 §5.2),
    // so the raw header is looked at first: it stays in buffer_ until Beast has parsed it.
    const std::string_view seen(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    const std::optional<std::size_t> end = header_section_end(seen);
    if (!end && seen.size() <= opts().max_header_bytes) {
      stream_.async_read_some(buffer_.prepare(kReadChunk),
                              [self = self_ptr()](const error_code& ec, std::size_t n) {
                                if (ec) return self->on_read_error(ec);
                                self->buffer_.commit(n);
                                self->read_header();
                              });
      return;
    }
    if (end && has_obs_fold(seen.substr(0, *end))) {
      version_ = 11;
      return fail(400, "bad_request",
                  "a header line is folded (obs-fold, RFC 9112 §5.2): send each field on one line");
    }
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = self_ptr()](const error_code& ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(const error_code& ec) {
    first_ = false;
    if (ec) return on_read_error(ec);
    const auto& msg = parser_->get();
    version_ = static_cast<int>(msg.version());
    if (version_ != 10 && version_ != 11) {
      version_ = 11;
      return fail(505, "http_version_not_supported", "only HTTP/1.0 and HTTP/1.1 are served");
    }
    keep_alive_ = msg.keep_alive();
    head_ = msg.method() == bhttp::verb::head;
    request_ = Request{};
    request_.method = std::string(msg.method_string());
    request_.target = std::string(msg.target());
    request_.version = version_;
    request_.remote = remote_;
    request_.headers.reserve(16);
    for (const auto& field : msg) {
      request_.headers.push_back(
          Header{std::string(field.name_string()), std::string(field.value())});
    }
    if (auto why = check_request_framing(request_.headers, version_)) {
      return fail(400, "bad_request", *why);
    }

    std::size_t limit = opts().default_body_limit;
    if (opts().body_limit_for) {
      try {
        limit = opts().body_limit_for(request_.target);
      } catch (...) {
        server_.report("body_limit_for threw; answered 500 to " + remote_);
        return fail(500, "internal", "could not determine the body limit");
      }
    }
    body_limit_ = limit;
    if (auto declared = parser_->content_length(); declared && *declared > limit) {
      return fail(413, "payload_too_large", too_large_detail(limit));
    }
    if (parser_->is_done()) return dispatch_request();

    parser_->body_limit(static_cast<std::uint64_t>(limit));
    lowest().expires_after(opts().body_timeout);
    state_ = State::kReadingBody;
    if (expects_continue(request_.headers, version_)) {
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = self_ptr()](const error_code& write_ec, std::size_t) {
                         if (write_ec) return self->close_now();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = self_ptr()](const error_code& ec, std::size_t) {
                        if (ec) return self->on_read_error(ec);
                        self->dispatch_request();
                      });
  }

  static std::string too_large_detail(std::size_t limit) {
    return "the request body exceeds the limit of " + std::to_string(limit) + " bytes";
  }

  void on_read_error(const error_code& ec) {
    // The client went away (cleanly between requests, or mid-message): nobody to answer.
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
      return close_now();
    }
    if (ec == bhttp::error::header_limit) {
      return fail(
          431, "header_too_large",
          "the request header exceeds " + std::to_string(opts().max_header_bytes) + " bytes");
    }
    if (ec == bhttp::error::body_limit) {
      return fail(413, "payload_too_large", too_large_detail(body_limit_));
    }
    if (is_http_error(ec)) return fail(400, "bad_request", ec.message());
    // Timeouts, resets, TLS errors.
    close_now();
  }

  // Answers an error and closes: after a refused or broken message the stream position is unknown.
  void fail(int status, std::string_view error, std::string_view detail) {
    parser_.reset();
    keep_alive_ = false;
    write_response(error_response(status, error, detail), true);
  }

  void dispatch_request() {
    state_ = State::kHandling;
    lowest().expires_never();
    request_.body = std::move(parser_->get().body());
    parser_.reset();
    const std::uint64_t id = ++request_id_;
    auto slot = std::make_shared<ResponseSlot>(server_.gate(), weak_from_this(), id);
    handler_timer_.expires_after(opts().handler_timeout);
    handler_timer_.async_wait([self = self_ptr(), id](const error_code& ec) {
      if (!ec) self->on_handler_timeout(id);
    });
    try {
      server_.handler()(std::move(request_), [slot](Response r) { slot->deliver(std::move(r)); });
    } catch (...) {
      // The exception text is the application's and may carry request data: not logged.
      server_.report("request handler threw; answered 500 to " + remote_);
      slot->deliver(error_response(500, "internal", "the request handler failed"));
    }
    request_ = Request{};
  }

  void on_handler_timeout(std::uint64_t id) {
    if (closed_ || state_ != State::kHandling || id != request_id_) return;
    server_.report("request handler timed out; answered 503 to " + remote_);
    keep_alive_ = false;
    write_response(error_response(503, "timeout", "the request handler did not answer in time"),
                   true);
  }

  void on_response(std::uint64_t id, Response response) {
    // Late (timed out), stale or for a closed connection: dropped on purpose.
    if (closed_ || state_ != State::kHandling || id != request_id_) return;
    write_response(std::move(response), !keep_alive_);
  }

  void write_response(Response r, bool close) {
    state_ = State::kWriting;
    handler_timer_.cancel();
    if (auto why = check_response(r)) {
      server_.report("handler response refused (" + *why + "); answered 500 to " + remote_);
      r = error_response(500, "internal", "the request handler produced an invalid response");
    }
    close = close || !keep_alive_ || server_.stopping();

    res_ = {};
    res_.version(version_ == 10 ? 10 : 11);
    res_.result(static_cast<unsigned>(r.status));
    for (const Header& h : r.headers) {
      if (!is_server_owned_header(h.name)) res_.insert(h.name, h.value);
    }
    res_.set(bhttp::field::date, http_date(std::chrono::system_clock::now()));
    if (!opts().server_header.empty()) res_.set(bhttp::field::server, opts().server_header);
    if (!status_has_no_body(r.status)) {
      res_.set(bhttp::field::content_type,
               r.content_type.empty() ? std::string("application/octet-stream") : r.content_type);
      // For HEAD: the length the GET would have had, and no body (RFC 9110 §9.3.2). Beast's
      // serializer writes the fields as they are, so the empty body is not noticed.
      res_.content_length(r.body.size());
      if (!head_) res_.body() = std::move(r.body);
    }
    res_.keep_alive(!close);
    close_after_write_ = close;

    lowest().expires_after(opts().response_timeout);
    bhttp::async_write(stream_, res_, [self = self_ptr()](const error_code& ec, std::size_t) {
      self->res_ = {};
      if (ec) return self->close_now();
      if (self->close_after_write_) return self->begin_close();
      self->read_request();
    });
  }

  void begin_close() {
    state_ = State::kClosing;
    lowest().expires_after(kLingerTimeout);
    if constexpr (kTls) {
      stream_.async_shutdown([self = self_ptr()](const error_code&) { self->close_now(); });
    } else {
      error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      if (ec) return close_now();
      drain();
    }
  }

  void drain() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = self_ptr()](const error_code& ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerBytes) return self->close_now();
                              self->drain();
                            });
  }

  void close_now() {
    if (closed_) return;
    closed_ = true;
    state_ = State::kClosing;
    handler_timer_.cancel();
    lowest().close();
    auto keep_alive_until_return = self_ptr();
    server_.on_session_closed(this);
  }

  ServerImpl& server_;
  std::shared_ptr<ssl::context> tls_context_;  // declared before the stream that uses it
  Stream stream_;
  net::steady_timer handler_timer_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request request_;
  bhttp::response<bhttp::string_body> res_;
  State state_ = State::kIdle;
  std::uint64_t request_id_ = 0;
  std::size_t drained_ = 0;
  std::size_t body_limit_ = 0;  // of the request being read
  int version_ = 11;
  bool first_ = true;  // no request seen yet on this connection
  bool keep_alive_ = false;
  bool head_ = false;
  bool close_after_write_ = false;
  bool closed_ = false;
};

}  // namespace

ServerImpl::ServerImpl(ServerOptions options, Handler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      ioc_(options_.threads > 0 ? options_.threads : 1),
      control_(net::make_strand(ioc_)),
      acceptor_(control_),
      accept_retry_(control_),
      grace_timer_(control_) {}

ServerImpl::~ServerImpl() {
  stop(milliseconds{0});
  {
    std::lock_guard lock(gate_->mu);
    gate_->open = false;
  }
  std::unordered_map<SessionBase*, std::shared_ptr<SessionBase>> sessions;
  {
    std::lock_guard lock(sessions_mu_);
    sessions.swap(sessions_);
  }
}

Status ServerImpl::open() {
  const ServerOptions& o = options_;
  if (!handler_) return invalid_argument("http server: no handler");
  if (o.threads < 1) return invalid_argument("http server: threads must be at least 1");
  if (o.max_header_bytes < 64 || o.max_header_bytes > std::numeric_limits<std::uint32_t>::max()) {
    return invalid_argument("http server: max_header_bytes out of range");
  }
  if (o.max_connections < 1) return invalid_argument("http server: max_connections must be >= 1");
  for (milliseconds t :
       {o.header_timeout, o.body_timeout, o.idle_timeout, o.handler_timeout, o.response_timeout}) {
    if (t.count() <= 0) return invalid_argument("http server: timeouts must be positive");
  }
  if (!is_safe_field_value(o.server_header)) {
    return invalid_argument("http server: server_header is not a valid header value");
  }

  if (o.tls) {
    Result<std::shared_ptr<ssl::context>> ctx = make_tls_context(*o.tls);
    if (!ctx.ok()) return ctx.status();
    tls_ = std::move(*ctx);
  }

  error_code ec;
  const auto address = net::ip::make_address(o.address, ec);
  if (ec) return invalid_argument("http server: '" + o.address + "' is not a numeric IP address");
  const tcp::endpoint endpoint(address, o.port);
  const std::string where = endpoint_text(endpoint);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return unavailable("http server: cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return unavailable("http server: cannot read the bound port: " + ec.message());

  net::post(control_, [this] { do_accept(); });
  return Status{};
}

Status ServerImpl::reload_tls(const TlsOptions& tls) {
  {
    std::lock_guard lock(tls_mu_);
    if (!tls_) return failed_precondition("http server: the listener was started without TLS");
  }
  // Loaded outside the lock: reading files must not hold up accepting connections.
  Result<std::shared_ptr<ssl::context>> ctx = make_tls_context(tls);
  if (!ctx.ok()) return ctx.status();
  std::lock_guard lock(tls_mu_);
  tls_ = std::move(*ctx);
  return Status{};
}

void ServerImpl::report(const std::string& message) const {
  if (!options_.on_error) return;
  try {
    options_.on_error(message);
  } catch (...) {
    // A failing logger must not take an io thread down.
  }
}

void ServerImpl::do_accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](const error_code& ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void ServerImpl::on_accept(const error_code& ec, tcp::socket socket) {
  if (stopping_.load()) return;  // the socket closes as it goes out of scope
  if (ec) {
    if (ec == net::error::operation_aborted) return;
    // EMFILE and friends would fail again at once; retrying in a tight loop would burn a core,
    // and reporting every failure would fill the log: one line per kAcceptReportEvery.
    ++accept_failures_;
    const auto now = std::chrono::steady_clock::now();
    if (last_accept_report_ == std::chrono::steady_clock::time_point{} ||
        now - last_accept_report_ >= kAcceptReportEvery) {
      report("http server: accept failed: " + ec.message() + " (" +
             std::to_string(accept_failures_) + " time(s) since the last report)");
      accept_failures_ = 0;
      last_accept_report_ = now;
    }
    accept_retry_.expires_after(kAcceptRetry);
    accept_retry_.async_wait([this](const error_code& wait_ec) {
      if (!wait_ec && !stopping_.load()) do_accept();
    });
    return;
  }
  if (active_.load() >= options_.max_connections) {
    reject(std::move(socket));
  } else {
    start_session(std::move(socket));
  }
  do_accept();
}

void ServerImpl::start_session(tcp::socket socket) {
  error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  socket.set_option(tcp::no_delay(true), ec);
  std::shared_ptr<ssl::context> tls;
  {
    std::lock_guard lock(tls_mu_);
    tls = tls_;
  }
  std::shared_ptr<SessionBase> session;
  if (tls) {
    session = std::make_shared<Session<TlsStream>>(*this, endpoint_text(peer), std::move(socket),
                                                   std::move(tls));
  } else {
    session = std::make_shared<Session<PlainStream>>(*this, endpoint_text(peer), std::move(socket),
                                                     nullptr);
  }
  {
    std::lock_guard lock(sessions_mu_);
    sessions_.emplace(session.get(), session);
  }
  active_.fetch_add(1);
  session->start();
}

void ServerImpl::reject(tcp::socket socket) {
  if (options_.tls) return;  // no handshake spent on a connection we refuse; closing is the answer
  Response r = error_response(503, "overloaded", "too many open connections; try again later");
  std::string text = "HTTP/1.1 503 Service Unavailable\r\n";
  if (!options_.server_header.empty()) text += "Server: " + options_.server_header + "\r\n";
  text += "Date: " + http_date(std::chrono::system_clock::now()) + "\r\n";
  text += "Content-Type: application/json\r\nContent-Length: " + std::to_string(r.body.size()) +
          "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + r.body;
  std::make_shared<Rejecter>(std::move(socket), std::move(text))->start();
}

std::vector<std::shared_ptr<SessionBase>> ServerImpl::snapshot() const {
  std::lock_guard lock(sessions_mu_);
  std::vector<std::shared_ptr<SessionBase>> out;
  out.reserve(sessions_.size());
  for (const auto& entry : sessions_)
    out.push_back(entry.second);
  return out;
}

void ServerImpl::on_session_closed(SessionBase* session) {
  bool last = false;
  {
    std::lock_guard lock(sessions_mu_);
    sessions_.erase(session);
    last = sessions_.empty();
  }
  active_.fetch_sub(1);
  // With nothing left to wait for, the grace timer is the only work keeping run() alive.
  if (last && stopping_.load()) net::post(control_, [this] { grace_timer_.cancel(); });
}

void ServerImpl::begin_shutdown(milliseconds grace) {
  stopping_.store(true);
  error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  const auto sessions = snapshot();
  for (const auto& s : sessions)
    s->notify_stop();
  if (sessions.empty()) return;
  grace_timer_.expires_after(grace);
  grace_timer_.async_wait([this](const error_code& ec) {
    if (ec) return;  // every session finished in time
    for (const auto& s : snapshot())
      s->force_close();
  });
}

void ServerImpl::run_loop() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (...) {
      // Completion handlers are written not to throw; this is the last line of defence so that a
      // surprise (e.g. bad_alloc) costs one operation, not an io thread.
      report("http server: exception escaped an io handler");
    }
  }
}

void ServerImpl::run() {
  {
    std::lock_guard lock(run_mu_);
    if (started_) return;
    started_ = true;
  }
  std::vector<std::thread> extra;
  for (int i = 1; i < options_.threads; ++i)
    extra.emplace_back([this] {
      name_this_thread("mf-io");
      run_loop();
    });
  run_loop();
  for (auto& t : extra)
    t.join();
  std::lock_guard lock(run_mu_);
  finished_ = true;
  // Notified under the lock: a waiting ~Server cannot destroy the condition variable before this
  // call has returned.
  run_cv_.notify_all();
}

void ServerImpl::start() {
  std::lock_guard lock(run_mu_);
  if (started_) return;
  started_ = true;
  for (int i = 0; i < options_.threads; ++i)
    threads_.emplace_back([this] {
      name_this_thread("mf-io");
      run_loop();
    });
}

void ServerImpl::stop(milliseconds grace) {
  if (!stop_requested_.exchange(true)) {
    net::post(control_, [this, grace] { begin_shutdown(grace); });
  }
  if (ioc_.get_executor().running_in_this_thread()) return;  // a handler: cannot wait for itself
  std::unique_lock lock(run_mu_);
  if (!started_) return;  // run() will find the shutdown queued and return at once
  if (!threads_.empty()) {
    std::vector<std::thread> threads = std::move(threads_);
    threads_.clear();
    lock.unlock();
    for (auto& t : threads)
      t.join();
    lock.lock();
    finished_ = true;
    run_cv_.notify_all();
    return;
  }
  run_cv_.wait(lock, [this] { return finished_; });
}

}  // namespace detail

Server::Server(std::unique_ptr<detail::ServerImpl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::create(ServerOptions options, Handler handler) {
  auto impl = std::make_unique<detail::ServerImpl>(std::move(options), std::move(handler));
  if (Status s = impl->open(); !s.is_ok()) return s;
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const {
  return impl_->port();
}
void Server::run() {
  impl_->run();
}
void Server::start() {
  impl_->start();
}
void Server::stop(std::chrono::milliseconds grace) {
  impl_->stop(grace);
}
std::size_t Server::active_connections() const {
  return impl_->active_connections();
}
Status Server::reload_tls(const TlsOptions& tls) {
  return impl_->reload_tls(tls);
}

}  // namespace mangfold::http
