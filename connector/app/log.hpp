// Structured logs: one JSON object per line, through spdlog.
//
// PRIVACY (DESIGN.md §4): fields carry event ids, tenant, vacancy id, statuses, counts and
// latencies only. Never a request body, a name, an applicant's email or any answer.
// Thread-safe; the logger is passed to whoever logs (no global registry).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace spdlog {
class logger;
}

namespace mangfold::app {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

class Log {
 public:
  // Writes to standard error at `level` and above ("debug", "info", "warn", "error").
  static std::shared_ptr<Log> to_stderr(std::string_view level);
  // Writes to a file (for tests).
  static std::shared_ptr<Log> to_file(const std::string& path, std::string_view level);

  explicit Log(std::shared_ptr<spdlog::logger> logger);
  ~Log();

  // {"time": …, "level": …, "msg": message, …fields}
  void write(LogLevel level, std::string_view message, const nlohmann::json& fields);
  void info(std::string_view message, const nlohmann::json& fields);
  void warn(std::string_view message, const nlohmann::json& fields);
  void error(std::string_view message, const nlohmann::json& fields);
  void flush();

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace mangfold::app
