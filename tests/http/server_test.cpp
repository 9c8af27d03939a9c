// The server against real clients on 127.0.0.1: raw sockets for byte-exact requests, curl for a
// normal one. Timeouts are shortened through the options; waits are bounded waits for an event.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "connector/http/server.hpp"
#include "tests/http/test_client.hpp"

using namespace mangfold;
using namespace mangfold::http;
using namespace mangfold::http::testing;
using namespace std::chrono_literals;

namespace {

std::string post(std::string_view target, std::string_view body, std::string_view extra = "") {
  return std::string("POST ") + std::string(target) +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra) + "\r\n" + std::string(body);
}

std::string get(std::string_view target, std::string_view extra = "") {
  return std::string("GET ") + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" +
         std::string(extra) + "\r\n";
}

ServerOptions any_port() {
  ServerOptions o;
  o.port = 0;
  return o;
}

std::string error_word(const RawResponse& r) {
  return nlohmann::json::parse(r.body).at("error").get<std::string>();
}

// Waits for a condition that another thread makes true; fails the test after `limit`.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

// A server on a free loopback port with a small routing handler:
//   /echo*        200, the request body back, X-Method and X-Target headers
//   /thread       200 "from thread", answered from a std::thread
//   /throw        the handler throws
//   /drop         the handler drops its Respond
//   /hold         the Respond is parked until release() (or forever)
//   /bad-header   a header value with CRLF in it
//   /no-content   204
class TestServer {
 public:
  explicit TestServer(ServerOptions options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    auto created = Server::create(std::move(options), [this](Request&& req, Respond respond) {
      handle(std::move(req), std::move(respond));
    });
    REQUIRE_MESSAGE(created.ok(), created.status().message());
    server_ = std::move(created.value());
  }

  ~TestServer() {
    if (server_) server_->stop(0ms);
    for (auto& t : threads_)
      t.join();
  }

  Server& server() { return *server_; }
  std::uint16_t port() const { return server_->port(); }
  void start() { server_->start(); }
  int calls() const { return calls_.load(); }

  // Waits until a /hold request has arrived.
  bool wait_held(std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [this] { return held_.has_value(); });
  }
  // Answers the parked /hold request from another thread.
  void release(Response r) {
    std::optional<Respond> respond;
    {
      std::lock_guard lock(mu_);
      respond.swap(held_);
    }
    REQUIRE(respond.has_value());
    std::lock_guard lock(mu_);
    threads_.emplace_back(
        [respond = std::move(*respond), r = std::move(r)]() mutable { respond(std::move(r)); });
  }
  std::optional<Respond> take_held() {
    std::lock_guard lock(mu_);
    std::optional<Respond> out;
    out.swap(held_);
    return out;
  }
  std::unique_ptr<Server> take_server() { return std::move(server_); }

 private:
  void handle(Request&& req, Respond respond) {
    ++calls_;
    if (req.target.rfind("/echo", 0) == 0) {
      Response r;
      r.content_type = "text/plain";
      r.body = std::move(req.body);
      r.headers = {{"X-Method", req.method}, {"X-Target", req.target}};
      return respond(std::move(r));
    }
    if (req.target == "/thread") {
      std::lock_guard lock(mu_);
      threads_.emplace_back([respond] {
        Response r;
        r.body = "from thread";
        respond(std::move(r));
      });
      return;
    }
    if (req.target == "/throw") throw std::runtime_error("boom");
    if (req.target == "/drop") return;
    if (req.target == "/hold") {
      std::lock_guard lock(mu_);
      held_ = std::move(respond);
      cv_.notify_all();
      return;
    }
    if (req.target == "/bad-header") {
      Response r;
      r.headers = {{"X-Evil", "a\r\nSet-Cookie: x=1"}};
      return respond(std::move(r));
    }
    if (req.target == "/no-content") {
      Response r;
      r.status = 204;
      r.body = "ignored";
      return respond(std::move(r));
    }
    respond(error_response(404, "not_found", "no such route"));
  }

  std::unique_ptr<Server> server_;
  std::atomic<int> calls_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Respond> held_;
  std::vector<std::thread> threads_;
};

}  // namespace

TEST_CASE("a POST is answered 200 with its body echoed (curl)") {
  TestServer s;
  s.start();
  const auto result = run_command(
      "curl -sS --max-time 10 -H 'Content-Type: application/json' --data-binary '{\"a\":1}' "
      "-w '|%{http_code}|%{content_type}' http://127.0.0.1:" +
      std::to_string(s.port()) + "/echo/x?y=1");
  CHECK(result.exit_code == 0);
  CHECK(result.output == "{\"a\":1}|200|text/plain");
}

TEST_CASE("every response carries Content-Type, Content-Length, Server and Date") {
  TestServer s;
  s.start();
  const auto r = exchange(s.port(), post("/echo", "hello"));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "hello");
  CHECK(r->header("Content-Type") == "text/plain");
  CHECK(r->header("Content-Length") == "5");
  CHECK(r->header("Server") == "mangfold");
  CHECK(r->header("Date").has_value());
  CHECK(r->header("X-Method") == "POST");
  CHECK(r->header("X-Target") == "/echo");

  const auto missing = exchange(s.port(), get("/nowhere"));
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->header("Content-Type") == "application/json");
  CHECK(error_word(*missing) == "not_found");
}

TEST_CASE("keep-alive: two requests on one connection, and pipelining answers in order") {
  TestServer s;
  s.start();
  Client c(s.port());
  REQUIRE(c.connected());
  REQUIRE(c.send(post("/echo/1", "one")));
  auto first = c.read_response();
  REQUIRE(first);
  CHECK(first->body == "one");
  CHECK_FALSE(first->header("Connection").has_value());
  REQUIRE(c.send(post("/echo/2", "two")));
  auto second = c.read_response();
  REQUIRE(second);
  CHECK(second->body == "two");

  REQUIRE(c.send(post("/echo/3", "three") + post("/echo/4", "four")));
  auto third = c.read_response();
  auto fourth = c.read_response();
  REQUIRE(third);
  REQUIRE(fourth);
  CHECK(third->body == "three");
  CHECK(fourth->body == "four");
  CHECK(s.server().active_connections() == 1);
}

TEST_CASE("Connection: close and HTTP/1.0 without keep-alive close after the response") {
  TestServer s;
  s.start();
  {
    Client c(s.port());
    REQUIRE(c.send(post("/echo", "x", "Connection: close\r\n")));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->header("Connection") == "close");
    CHECK(c.closed_within(2s));
  }
  {
    Client c(s.port());
    REQUIRE(c.send("GET /echo HTTP/1.0\r\n\r\n"));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(c.closed_within(2s));
  }
  {
    Client c(s.port());
    REQUIRE(c.send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->header("Connection") == "keep-alive");
    REQUIRE(c.send("GET /echo HTTP/1.0\r\n\r\n"));
    CHECK(c.read_response());
  }
}

TEST_CASE("a chunked body is decoded") {
  TestServer s;
  s.start();
  const auto r = exchange(s.port(),
                          "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "hello world");
}

TEST_CASE("a body over the default limit is refused with 413 before it is read") {
  ServerOptions o;
  o.default_body_limit = 16;
  TestServer s(o);
  s.start();
  Client c(s.port());
  // Only the header is sent: the answer must not wait for the declared body.
  REQUIRE(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n"));
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 413);
  CHECK(r->header("Content-Type") == "application/json");
  CHECK(error_word(*r) == "payload_too_large");
  CHECK(c.closed_within(2s));
  CHECK(s.calls() == 0);

  const auto at_limit = exchange(s.port(), post("/echo", std::string(16, 'a')));
  REQUIRE(at_limit);
  CHECK(at_limit->status == 200);
}

TEST_CASE("the body limit can depend on the target") {
  ServerOptions o;
  o.default_body_limit = 1024;
  o.body_limit_for = [](std::string_view target) -> std::size_t {
    return target.rfind("/echo/small", 0) == 0 ? 10 : 1024;
  };
  TestServer s(o);
  s.start();
  const std::string eleven(11, 'b');
  auto small = exchange(s.port(), post("/echo/small", eleven));
  REQUIRE(small);
  CHECK(small->status == 413);
  auto big = exchange(s.port(), post("/echo/big", eleven));
  REQUIRE(big);
  CHECK(big->status == 200);
  CHECK(big->body == eleven);
  // Chunked bodies have no declared size: the limit is enforced while reading.
  auto chunked = exchange(s.port(),
                          "POST /echo/small HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                          "\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n");
  REQUIRE(chunked);
  CHECK(chunked->status == 413);
  CHECK(error_word(*chunked) == "payload_too_large");
}

TEST_CASE("Expect: 100-continue is answered before the body, or refused without it") {
  ServerOptions o;
  o.default_body_limit = 10;
  TestServer s(o);
  s.start();
  {
    Client c(s.port());
    REQUIRE(
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
               "Expect: 100-continue\r\n\r\n"));
    auto interim = c.read_response();
    REQUIRE(interim);
    CHECK(interim->status == 100);
    REQUIRE(c.send("body"));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "body");
  }
  {
    Client c(s.port());
    REQUIRE(
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n"
               "Expect: 100-continue\r\n\r\n"));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 413);
  }
}

TEST_CASE("ambiguous framing is refused with 400 and the connection closed") {
  TestServer s;
  s.start();
  struct Row {
    const char* name;
    const char* fields;
  };
  const Row rows[] = {
      {"CL then TE", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"},
      {"TE then CL", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"},
      {"TE identity then CL", "Transfer-Encoding: identity\r\nContent-Length: 5\r\n"},
      {"TE gzip, chunked", "Transfer-Encoding: gzip, chunked\r\n"},
      {"TE chunked, chunked", "Transfer-Encoding: chunked, chunked\r\n"},
      {"TE identity", "Transfer-Encoding: identity\r\n"},
      {"TE twice", "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"},
      {"CL twice, equal", "Content-Length: 5\r\nContent-Length: 5\r\n"},
      {"CL twice, different", "Content-Length: 5\r\nContent-Length: 6\r\n"},
      {"CL list", "Content-Length: 5, 5\r\n"},
      {"CL plus sign", "Content-Length: +5\r\n"},
      {"CL minus sign", "Content-Length: -5\r\n"},
      {"CL inner space", "Content-Length: 1 2\r\n"},
      {"CL not digits", "Content-Length: 5a\r\n"},
      {"CL space before colon", "Content-Length : 5\r\n"},
  };
  for (const Row& row : rows) {
    const std::string name = row.name;
    CAPTURE(name);
    Client c(s.port());
    REQUIRE(c.connected());
    REQUIRE(c.send(std::string("POST /echo HTTP/1.1\r\nHost: t\r\n") + row.fields +
                   "\r\nhello0\r\n\r\n"));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->header("Content-Type") == "application/json");
    CHECK(error_word(*r) == "bad_request");
    CHECK(r->header("Connection") == "close");
    CHECK(c.closed_within(2s));
  }
  {
    Client c(s.port());
    REQUIRE(c.send("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(c.closed_within(2s));
  }
  {
    Client c(s.port());
    REQUIRE(c.send("GET /echo HTTP/1.1\r\n\r\n"));  // no Host
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 400);
  }
  CHECK(s.calls() == 0);
}

TEST_CASE("malformed HTTP is answered 400 JSON and closed") {
  TestServer s;
  s.start();
  for (const char* bytes : {"HELLO\r\n\r\n", "GET /echo HTTP/1.x\r\nHost: t\r\n\r\n",
                            "GET  HTTP/1.1\r\nHost: t\r\n\r\n",
                            "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "zz\r\nhello\r\n0\r\n\r\n"}) {
    const std::string request = bytes;
    CAPTURE(request);
    Client c(s.port());
    REQUIRE(c.send(bytes));
    auto r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(error_word(*r) == "bad_request");
    CHECK_FALSE(nlohmann::json::parse(r->body).at("detail").get<std::string>().empty());
    CHECK(c.closed_within(2s));
  }
  CHECK(s.calls() == 0);
}

TEST_CASE("a header above max_header_bytes is answered 431") {
  ServerOptions o;
  o.max_header_bytes = 1024;
  TestServer s(o);
  s.start();
  Client c(s.port());
  REQUIRE(c.send(get("/echo", "X-Big: " + std::string(2000, 'x') + "\r\n")));
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 431);
  CHECK(error_word(*r) == "header_too_large");
  CHECK(c.closed_within(2s));
}

TEST_CASE("a client that never finishes its header is cut off after header_timeout") {
  ServerOptions o;
  o.header_timeout = 200ms;
  TestServer s(o);
  s.start();
  Client c(s.port());
  REQUIRE(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nX-Slow: "));
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(c.closed_within(3s));
  CHECK(std::chrono::steady_clock::now() - t0 >= 150ms);
  // A connection that sends nothing at all is cut off too.
  Client silent(s.port());
  CHECK(silent.closed_within(3s));
  CHECK(eventually([&] { return s.server().active_connections() == 0; }));
}

TEST_CASE("a stalled body is cut off after body_timeout, an idle connection after idle_timeout") {
  ServerOptions o;
  o.body_timeout = 200ms;
  o.idle_timeout = 200ms;
  TestServer s(o);
  s.start();
  {
    Client c(s.port());
    REQUIRE(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
    CHECK(c.closed_within(3s));
  }
  {
    Client c(s.port());
    REQUIRE(c.send(get("/echo")));
    REQUIRE(c.read_response());
    CHECK(c.closed_within(3s));
  }
  CHECK(s.calls() == 1);
}

TEST_CASE("a handler may respond from another thread") {
  TestServer s;
  s.start();
  const auto r = exchange(s.port(), get("/thread"));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "from thread");
}

TEST_CASE("a throwing handler becomes a 500 and the io thread survives") {
  ServerOptions o;
  o.threads = 1;
  std::atomic<int> errors{0};
  o.on_error = [&errors](std::string_view) { ++errors; };
  TestServer s(o);
  s.start();
  Client c(s.port());
  REQUIRE(c.send(get("/throw")));
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 500);
  CHECK(error_word(*r) == "internal");
  CHECK(errors.load() == 1);
  // Same connection, same (only) io thread.
  REQUIRE(c.send(post("/echo", "still here")));
  auto again = c.read_response();
  REQUIRE(again);
  CHECK(again->body == "still here");
}

TEST_CASE("a dropped Respond becomes a 500, a late one after handler_timeout is ignored") {
  ServerOptions o;
  o.handler_timeout = 200ms;
  TestServer s(o);
  s.start();
  const auto dropped = exchange(s.port(), get("/drop"));
  REQUIRE(dropped);
  CHECK(dropped->status == 500);

  Client c(s.port());
  REQUIRE(c.send(get("/hold")));
  auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(error_word(*r) == "timeout");
  CHECK(c.closed_within(2s));
  REQUIRE(s.wait_held());
  s.release(Response{});  // too late: must not crash or write anything
}

TEST_CASE("a response that could split headers becomes a 500 and 204 has no body or length") {
  TestServer s;
  s.start();
  Client c(s.port());
  REQUIRE(c.send(get("/bad-header")));
  auto bad = c.read_response();
  REQUIRE(bad);
  CHECK(bad->status == 500);
  CHECK_FALSE(bad->header("Set-Cookie").has_value());

  REQUIRE(c.send(get("/no-content")));
  auto none = c.read_response();
  REQUIRE(none);
  CHECK(none->status == 204);
  CHECK_FALSE(none->header("Content-Length").has_value());
  // Nothing but the next response follows: the 204's body was not sent.
  REQUIRE(c.send(post("/echo", "next")));
  auto next = c.read_response();
  REQUIRE(next);
  CHECK(next->body == "next");
}

TEST_CASE("HEAD gets the GET's Content-Length and no body") {
  TestServer s;
  s.start();
  Client c(s.port());
  REQUIRE(c.send("HEAD /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd"));
  auto r = c.read_response(/*head=*/true);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->header("Content-Length") == "4");
  CHECK(r->header("X-Method") == "HEAD");
  REQUIRE(c.send(post("/echo", "after head")));
  auto next = c.read_response();
  REQUIRE(next);
  CHECK(next->body == "after head");
}

TEST_CASE("connections above max_connections are answered 503 and closed") {
  ServerOptions o;
  o.max_connections = 1;
  TestServer s(o);
  s.start();
  Client first(s.port());
  REQUIRE(first.connected());
  REQUIRE(eventually([&] { return s.server().active_connections() == 1; }));
  {
    Client second(s.port());
    REQUIRE(second.connected());
    auto r = second.read_response();
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(error_word(*r) == "overloaded");
    CHECK(second.closed_within(2s));
  }
  // The first connection is unaffected.
  REQUIRE(first.send(post("/echo", "first")));
  auto r = first.read_response();
  REQUIRE(r);
  CHECK(r->body == "first");
}

TEST_CASE("stop() lets a request in flight finish, closes idle connections, then run() returns") {
  TestServer s;
  std::thread runner([&] { s.server().run(); });

  Client idle(s.port());
  REQUIRE(idle.send(get("/echo")));
  REQUIRE(idle.read_response());

  Client busy(s.port());
  REQUIRE(busy.send(get("/hold")));
  REQUIRE(s.wait_held());

  std::thread stopper([&] { s.server().stop(10s); });
  CHECK(idle.closed_within(5s));
  // No new connections once stopping: connect is refused or closed without an answer.
  REQUIRE(eventually([&] {
    Client late(s.port());
    return !late.connected() || late.closed_within(1s);
  }));

  Response done;
  done.body = "finished";
  s.release(std::move(done));
  auto r = busy.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "finished");
  CHECK(r->header("Connection") == "close");
  CHECK(busy.closed_within(5s));
  stopper.join();
  runner.join();  // run() has returned
  CHECK(s.server().active_connections() == 0);
}

TEST_CASE("stop() closes a request that outlives the grace period") {
  TestServer s;
  std::thread runner([&] { s.server().run(); });
  Client busy(s.port());
  REQUIRE(busy.send(get("/hold")));
  REQUIRE(s.wait_held());
  s.server().stop(100ms);  // waits for run() to return
  runner.join();
  CHECK(busy.closed_within(2s));
  auto respond = s.take_held();
  REQUIRE(respond);
  (*respond)(Response{});  // after the connection is gone: ignored
}

TEST_CASE("stop() may be called from inside a handler") {
  std::unique_ptr<Server> server;
  auto created = Server::create(any_port(), [&server](Request&&, Respond respond) {
    server->stop(1s);  // initiates only; must not deadlock on its own io thread
    respond(Response{});
  });
  REQUIRE(created.ok());
  server = std::move(created.value());
  std::thread runner([&] { server->run(); });
  Client c(server->port());
  REQUIRE(c.send(get("/")));
  const auto r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(c.closed_within(5s));
  runner.join();
}

TEST_CASE("a Respond called after the Server is destroyed does nothing") {
  TestServer s;
  s.start();
  Client c(s.port());
  REQUIRE(c.send(get("/hold")));
  REQUIRE(s.wait_held());
  auto respond = s.take_held();
  REQUIRE(respond);
  s.take_server().reset();  // stops (grace 0) and destroys the server
  (*respond)(Response{});
  respond.reset();
  CHECK(c.closed_within(2s));
}

TEST_CASE("create() reports bad options and busy ports as Status") {
  auto handler = [](Request&&, Respond respond) { respond(Response{}); };
  auto first = Server::create(any_port(), handler);
  REQUIRE(first.ok());
  ServerOptions same_port;
  same_port.port = first.value()->port();
  auto busy = Server::create(same_port, handler);
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.status().code() == StatusCode::kUnavailable);

  ServerOptions host_name = any_port();
  host_name.address = "localhost:80";
  auto bad_address = Server::create(host_name, handler);
  REQUIRE_FALSE(bad_address.ok());
  CHECK(bad_address.status().code() == StatusCode::kInvalidArgument);

  auto no_handler = Server::create(any_port(), nullptr);
  REQUIRE_FALSE(no_handler.ok());
  CHECK(no_handler.status().code() == StatusCode::kInvalidArgument);

  ServerOptions zero_threads;
  zero_threads.port = 0;
  zero_threads.threads = 0;
  CHECK(Server::create(zero_threads, handler).status().code() == StatusCode::kInvalidArgument);
}
