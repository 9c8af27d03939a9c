// HTTP/1.1 rules the server applies around Beast's parser and serializer. Kept free of Beast and
// Asio so that they compile fast and can be tested as plain functions. Internal to connector/http.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/http/server.hpp"

namespace mangfold::http::detail {

// ASCII case-insensitive comparison, as header names and tokens require.
bool iequals(std::string_view a, std::string_view b);

// Request smuggling defence, applied to the raw header fields after the header has been read and
// before any body byte is read (RFC 9112 §6.1, §6.3). Returns why the framing is refused, or
// nullopt when it is unambiguous. `version` is 10 or 11. Refused: Content-Length together with
// Transfer-Encoding; more than one Transfer-Encoding field or any value other than exactly
// "chunked" (case-insensitive); Transfer-Encoding in HTTP/1.0; more than one Content-Length field
// (even with equal values); a Content-Length that is not 1..19 ASCII digits (lists, signs, spaces);
// in HTTP/1.1 a missing or repeated Host field (RFC 9112 §3.2).
std::optional<std::string> check_request_framing(const std::vector<Header>& headers, int version);

// Where the header section in `bytes` ends (just past its empty line), or nullopt when it is
// not complete yet. Empty lines before the request line are skipped (RFC 9112 §2.2).
std::optional<std::size_t> header_section_end(std::string_view bytes);

// True when a complete header section (request line, fields, empty line) has a field line
// that begins with a space or tab: an obs-fold continuation, or whitespace between the
// request line and the first field (both refused, RFC 9112 §2.2, §5.2).
bool has_obs_fold(std::string_view header_section);

// True when the request carries "Expect: 100-continue" (HTTP/1.1 only).
bool expects_continue(const std::vector<Header>& headers, int version);

// HTTP token (RFC 9110 §5.6.2), as header names must be.
bool is_token(std::string_view s);
// No CR, LF or NUL, no leading or trailing whitespace: safe to put into a header line.
bool is_safe_field_value(std::string_view s);

// Header names whose value the server decides (framing, connection management, identity).
bool is_server_owned_header(std::string_view name);

// Why a handler's response cannot be sent as it is, or nullopt when it can.
std::optional<std::string> check_response(const Response& r);

// 1xx, 204 and 304 responses carry neither a body nor Content-Length.
bool status_has_no_body(int status);

// IMF-fixdate for the Date header, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::chrono::system_clock::time_point t);

}  // namespace mangfold::http::detail
