// The real `mangfold serve` as a child process, for end-to-end tests: started on a config
// file, found on its port through its JSON log, and inspected through its SQLite file.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "tests/support/process.hpp"

namespace mangfold::testing {

class MangfoldProcess {
 public:
  // `config` and `database` are paths; the log goes to `log`; `env` ("NAME=value") is
  // added to the server's environment.
  MangfoldProcess(std::string binary, std::string config, std::string database, std::string log,
                  std::vector<std::string> env = {});

  // Starts (again) and waits for the "listening" line; false when it did not come.
  bool start();
  Child& child() { return *child_; }
  int port() const { return port_; }
  std::string url(const std::string& path, bool tls = false) const;
  std::string log() const { return read_file(log_); }

  // Waits up to `seconds` for a log line containing `needle` after the lines already
  // matched by earlier calls; passes it, parsed, to `on_line`.
  bool wait_for_log(const std::string& needle,
                    const std::function<void(const nlohmann::json&)>& on_line = {},
                    int seconds = 10);

  // One number from the database, read as another process would.
  long long count(const std::string& sql) const;
  // Polls count(sql) until it equals `expected` (or `seconds` pass); returns the last value.
  long long wait_for_count(const std::string& sql, long long expected, int seconds = 10) const;

 private:
  std::string binary_, config_, database_, log_;
  std::vector<std::string> env_;
  std::unique_ptr<Child> child_;
  int port_ = 0;
  size_t lines_seen_ = 0;
};

}  // namespace mangfold::testing
