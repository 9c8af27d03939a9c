// A tiny blocking HTTP/1.1 client over POSIX sockets, for byte-exact requests in tests, and a
// helper that runs a command line (curl, openssl) and captures its output.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mangfold::http::testing {

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // First header with this name (ASCII case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
};

class Client {
 public:
  // Connects to 127.0.0.1:port; connected() tells whether it worked.
  explicit Client(std::uint16_t port);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Writes all bytes; false when the peer is gone.
  bool send(std::string_view bytes);
  // Reads one response: status line, fields and a Content-Length body (none for HEAD, 1xx, 204,
  // 304). nullopt on EOF, error or timeout.
  std::optional<RawResponse> read_response(bool head = false,
                                           std::chrono::milliseconds timeout = std::chrono::seconds{
                                               5});
  // True when the server closes the connection (EOF or reset) within `timeout`; bytes received
  // meanwhile are discarded.
  bool closed_within(std::chrono::milliseconds timeout);

 private:
  // Reads more bytes into pending_ until the deadline; false on EOF, error or timeout.
  bool fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string pending_;
};

// Sends `request` on a fresh connection and reads one response.
std::optional<RawResponse> exchange(std::uint16_t port, std::string_view request);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout only
};
// Runs `command` through /bin/sh and captures its standard output.
CommandResult run_command(const std::string& command);

}  // namespace mangfold::http::testing
