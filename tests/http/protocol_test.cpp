// The Beast-free rules of connector/http: framing, status mapping, error bodies, response checks.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "connector/http/protocol.hpp"
#include "connector/http/server.hpp"

using namespace mangfold;
using namespace mangfold::http;

namespace {

std::vector<Header> with_host(std::vector<Header> h) {
  h.insert(h.begin(), Header{"Host", "example"});
  return h;
}

}  // namespace

TEST_CASE("http_status maps every StatusCode") {
  struct Row {
    StatusCode code;
    int status;
  };
  const Row table[] = {
      {StatusCode::kOk, 200},
      {StatusCode::kInvalidArgument, 400},
      {StatusCode::kUnauthenticated, 401},
      {StatusCode::kNotFound, 404},
      {StatusCode::kAlreadyExists, 200},
      {StatusCode::kFailedPrecondition, 409},
      {StatusCode::kUnprocessable, 422},
      {StatusCode::kResourceExhausted, 429},
      {StatusCode::kUnavailable, 503},
      {StatusCode::kInternal, 500},
  };
  for (const Row& row : table) {
    CAPTURE(to_string(row.code));
    CHECK(http_status(row.code) == row.status);
  }
  CHECK(http_status(static_cast<StatusCode>(999)) == 500);
}

TEST_CASE("error_response is a JSON body with error and detail") {
  const Response r = error_response(413, "payload_too_large", "too big");
  CHECK(r.status == 413);
  CHECK(r.content_type == "application/json");
  const auto j = nlohmann::json::parse(r.body);
  CHECK(j.at("error") == "payload_too_large");
  CHECK(j.at("detail") == "too big");
  CHECK(j.size() == 2);

  const Response s = error_response(unavailable("database is locked"));
  CHECK(s.status == 503);
  CHECK(nlohmann::json::parse(s.body).at("error") == "unavailable");
  CHECK(nlohmann::json::parse(s.body).at("detail") == "database is locked");

  // Invalid UTF-8 (e.g. from a parser message) is replaced, not thrown on.
  const Response bad = error_response(400, "bad_request", std::string("bad \xff byte"));
  CHECK(nlohmann::json::parse(bad.body).at("detail").get<std::string>().find("bad ") == 0);
}

TEST_CASE("Request::header is case-insensitive and returns the first match") {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
  CHECK(r.header("content-type") == "application/json");
  CHECK(r.header("X-A") == "1");
  CHECK(r.header("x-A") == "1");
  CHECK_FALSE(r.header("X-B").has_value());
}

TEST_CASE("check_request_framing accepts unambiguous framing") {
  using detail::check_request_framing;
  CHECK_FALSE(check_request_framing(with_host({}), 11));
  CHECK_FALSE(check_request_framing(with_host({{"Content-Length", "0"}}), 11));
  CHECK_FALSE(check_request_framing(with_host({{"content-length", "12345"}}), 11));
  CHECK_FALSE(check_request_framing(with_host({{"Transfer-Encoding", "chunked"}}), 11));
  CHECK_FALSE(check_request_framing(with_host({{"transfer-encoding", "CHUNKED"}}), 11));
  CHECK_FALSE(check_request_framing({{"Content-Length", "3"}}, 10));  // no Host needed in 1.0
}

TEST_CASE("check_request_framing refuses ambiguous framing") {
  struct Row {
    const char* name;
    std::vector<Header> headers;
    int version;
  };
  const std::vector<Row> rows = {
      {"CL and TE", with_host({{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}}), 11},
      {"TE and CL", with_host({{"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}}), 11},
      {"TE identity", with_host({{"Transfer-Encoding", "identity"}}), 11},
      {"TE gzip, chunked", with_host({{"Transfer-Encoding", "gzip, chunked"}}), 11},
      {"TE chunked, chunked", with_host({{"Transfer-Encoding", "chunked, chunked"}}), 11},
      {"TE twice", with_host({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}),
       11},
      {"TE in HTTP/1.0", {{"Transfer-Encoding", "chunked"}}, 10},
      {"CL twice equal", with_host({{"Content-Length", "5"}, {"Content-Length", "5"}}), 11},
      {"CL list", with_host({{"Content-Length", "5, 5"}}), 11},
      {"CL plus sign", with_host({{"Content-Length", "+5"}}), 11},
      {"CL minus sign", with_host({{"Content-Length", "-5"}}), 11},
      {"CL inner space", with_host({{"Content-Length", "1 2"}}), 11},
      {"CL hex", with_host({{"Content-Length", "0x5"}}), 11},
      {"CL empty", with_host({{"Content-Length", ""}}), 11},
      {"CL 20 digits", with_host({{"Content-Length", "12345678901234567890"}}), 11},
      {"no Host in 1.1", {{"Content-Length", "0"}}, 11},
      {"two Hosts", with_host({{"Host", "other"}}), 11},
  };
  for (const Row& row : rows) {
    const std::string name = row.name;
    CAPTURE(name);
    CHECK(detail::check_request_framing(row.headers, row.version).has_value());
  }
}

TEST_CASE("expects_continue only for HTTP/1.1 100-continue") {
  CHECK(detail::expects_continue({{"Expect", "100-Continue"}}, 11));
  CHECK_FALSE(detail::expects_continue({{"Expect", "100-continue"}}, 10));
  CHECK_FALSE(detail::expects_continue({{"Expect", "something"}}, 11));
  CHECK_FALSE(detail::expects_continue({}, 11));
}

TEST_CASE("check_response refuses what could split or misframe a response") {
  Response ok;
  ok.headers = {{"X-Request-Id", "abc"}, {"Retry-After", "5"}};
  CHECK_FALSE(detail::check_response(ok));

  Response crlf;
  crlf.headers = {{"X-Evil", "a\r\nSet-Cookie: x=1"}};
  CHECK(detail::check_response(crlf));

  Response bad_name;
  bad_name.headers = {{"X Evil", "a"}};
  CHECK(detail::check_response(bad_name));

  Response bad_type;
  bad_type.content_type = "text/plain\r\nX: y";
  CHECK(detail::check_response(bad_type));

  for (int status : {0, 100, 199, 600, -1}) {
    Response r;
    r.status = status;
    CAPTURE(status);
    CHECK(detail::check_response(r));
  }
  CHECK(detail::is_server_owned_header("content-LENGTH"));
  CHECK(detail::is_server_owned_header("Transfer-Encoding"));
  CHECK_FALSE(detail::is_server_owned_header("Location"));
}

TEST_CASE("http_date is an IMF-fixdate") {
  // 784111777 = Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
  const auto t = std::chrono::system_clock::from_time_t(784111777);
  CHECK(detail::http_date(t) == "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST_CASE("header_section_end and has_obs_fold: folded field lines are found in the raw header") {
  using detail::has_obs_fold;
  using detail::header_section_end;
  CHECK_FALSE(header_section_end("GET / HTTP/1.1\r\nHost: x\r\n"));
  CHECK(header_section_end("GET / HTTP/1.1\r\nHost: x\r\n\r\nbody") == 27);
  CHECK(header_section_end("\r\n\r\nGET / HTTP/1.1\r\n\r\n") == 22);  // empty lines first
  CHECK_FALSE(has_obs_fold("GET / HTTP/1.1\r\nHost: x\r\nA: b c\r\n\r\n"));
  CHECK(has_obs_fold("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n c\r\n\r\n"));
  CHECK(has_obs_fold("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\tc\r\n\r\n"));
  CHECK(has_obs_fold("GET / HTTP/1.1\r\n Host: x\r\n\r\n"));  // whitespace before the first field
}
