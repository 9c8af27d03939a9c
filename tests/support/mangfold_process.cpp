#include "tests/support/mangfold_process.hpp"

#include <sqlite3.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

namespace mangfold::testing {

using namespace std::chrono_literals;

MangfoldProcess::MangfoldProcess(std::string binary, std::string config, std::string database,
                                 std::string log, std::vector<std::string> env)
    : binary_(std::move(binary)),
      config_(std::move(config)),
      database_(std::move(database)),
      log_(std::move(log)),
      env_(std::move(env)) {}

bool MangfoldProcess::start() {
  child_ = std::make_unique<Child>(std::vector<std::string>{binary_, "serve", "--config", config_},
                                   log_, env_);
  port_ = 0;
  return wait_for_log("\"msg\":\"listening\"",
                      [this](const nlohmann::json& j) { port_ = j.at("port"); });
}

std::string MangfoldProcess::url(const std::string& path, bool tls) const {
  return (tls ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port_) + path;
}

bool MangfoldProcess::wait_for_log(const std::string& needle,
                                   const std::function<void(const nlohmann::json&)>& on_line,
                                   int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    std::istringstream lines(log());
    std::string line;
    size_t n = 0;
    while (std::getline(lines, line))
      if (n++ >= lines_seen_ && line.find(needle) != std::string::npos) {
        lines_seen_ = n;
        if (on_line) on_line(nlohmann::json::parse(line));
        return true;
      }
    if (!child_->running()) return false;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

long long MangfoldProcess::count(const std::string& sql) const {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + database_);
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  long long n = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW)
    n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  if (n < 0) throw std::runtime_error("query failed: " + sql);
  return n;
}

long long MangfoldProcess::wait_for_count(const std::string& sql, long long expected,
                                          int seconds) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  long long n = count(sql);
  while (n != expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    n = count(sql);
  }
  return n;
}

}  // namespace mangfold::testing
