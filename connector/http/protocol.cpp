#include "connector/http/protocol.hpp"

#include <array>
#include <cstddef>
#include <cstdio>
#include <ctime>

namespace mangfold::http::detail {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string> check_request_framing(const std::vector<Header>& headers, int version) {
  int content_lengths = 0;
  int transfer_encodings = 0;
  int hosts = 0;
  const std::string* content_length = nullptr;
  const std::string* transfer_encoding = nullptr;
  for (const Header& h : headers) {
    if (iequals(h.name, "content-length")) {
      ++content_lengths;
      content_length = &h.value;
    } else if (iequals(h.name, "transfer-encoding")) {
      ++transfer_encodings;
      transfer_encoding = &h.value;
    } else if (iequals(h.name, "host")) {
      ++hosts;
    }
  }
  // Beast 1.81 accepts several of these (e.g. "identity" before Content-Length, "chunked, chunked"
  // read as no body, equal repeated Content-Length), and any disagreement with a proxy in front of
  // us about where a body ends is a smuggling vector. So the rules are ours, checked on raw fields.
  if (transfer_encodings > 0 && content_lengths > 0) {
    return "both Content-Length and Transfer-Encoding";
  }
  if (transfer_encodings > 1) return "repeated Transfer-Encoding";
  if (transfer_encoding != nullptr) {
    if (version < 11) return "Transfer-Encoding in an HTTP/1.0 request";
    if (!iequals(*transfer_encoding, "chunked")) return "unsupported Transfer-Encoding";
  }
  if (content_lengths > 1) return "repeated Content-Length";
  if (content_length != nullptr) {
    const std::string& v = *content_length;
    // 19 digits always fit into 64 bits; nobody sends a body that large to us.
    if (v.empty() || v.size() > 19) return "invalid Content-Length";
    for (char c : v) {
      if (!is_digit(c)) return "invalid Content-Length";
    }
  }
  if (version >= 11 && hosts != 1) return hosts == 0 ? "missing Host" : "repeated Host";
  return std::nullopt;
}

bool expects_continue(const std::vector<Header>& headers, int version) {
  if (version < 11) return false;
  for (const Header& h : headers) {
    if (iequals(h.name, "expect") && iequals(h.value, "100-continue")) return true;
  }
  return false;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool alnum = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (alnum) continue;
    switch (c) {
      case '!':
      case '#':
      case '$':
      case '%':
      case '&':
      case '\'':
      case '*':
      case '+':
      case '-':
      case '.':
      case '^':
      case '_':
      case '`':
      case '|':
      case '~':
        continue;
      default:
        return false;
    }
  }
  return true;
}

bool is_safe_field_value(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  if (!s.empty() &&
      (s.front() == ' ' || s.front() == '\t' || s.back() == ' ' || s.back() == '\t')) {
    return false;
  }
  return true;
}

bool is_server_owned_header(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kOwned = {
      "content-length",  "transfer-encoding",
      "connection",      "keep-alive",
      "upgrade",         "te",
      "trailer",         "date",
      "server",          "content-type",
      "proxy-connection"};
  for (std::string_view owned : kOwned) {
    if (iequals(name, owned)) return true;
  }
  return false;
}

std::optional<std::string> check_response(const Response& r) {
  if (r.status < 200 || r.status > 599) {
    return "status " + std::to_string(r.status) + " out of range 200..599";
  }
  if (!is_safe_field_value(r.content_type)) return "unsafe Content-Type value";
  for (const Header& h : r.headers) {
    if (!is_token(h.name)) return "header name is not a token";
    if (!is_safe_field_value(h.value)) return "unsafe value for header " + h.name;
  }
  return std::nullopt;
}

bool status_has_no_body(int status) {
  return status < 200 || status == 204 || status == 304;
}

std::string http_date(std::chrono::system_clock::time_point t) {
  // Not strftime: %a and %b follow the process locale, and the app may set a Norwegian one.
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::array<char, 40> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                              kDays.at(static_cast<std::size_t>(tm.tm_wday)), tm.tm_mday,
                              kMonths.at(static_cast<std::size_t>(tm.tm_mon)), tm.tm_year + 1900,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::optional<std::size_t> header_section_end(std::string_view bytes) {
  std::size_t start = 0;
  while (bytes.substr(start, 2) == "\r\n")
    start += 2;
  const std::size_t end = bytes.find("\r\n\r\n", start);
  if (end == std::string_view::npos) return std::nullopt;
  return end + 4;
}

bool has_obs_fold(std::string_view header_section) {
  std::size_t line = header_section.find("\r\n");
  while (line != std::string_view::npos && line + 2 < header_section.size()) {
    const char next = header_section[line + 2];
    if (next == ' ' || next == '\t') return true;
    line = header_section.find("\r\n", line + 2);
  }
  return false;
}

}  // namespace mangfold::http::detail
