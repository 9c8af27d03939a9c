#include "connector/app/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace mangfold::app {

namespace {

spdlog::level::level_enum parse_level(std::string_view level) {
  if (level == "debug") return spdlog::level::debug;
  if (level == "warn") return spdlog::level::warn;
  if (level == "error") return spdlog::level::err;
  return spdlog::level::info;
}

std::shared_ptr<Log> make(std::shared_ptr<spdlog::sinks::sink> sink, std::string_view level) {
  auto logger = std::make_shared<spdlog::logger>("mangfold", std::move(sink));
  // The message is the rest of a JSON object that we serialise ourselves.
  logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})",
                      spdlog::pattern_time_type::utc);
  logger->set_level(parse_level(level));
  logger->flush_on(spdlog::level::warn);
  return std::make_shared<Log>(std::move(logger));
}

}  // namespace

std::shared_ptr<Log> Log::to_stderr(std::string_view level) {
  return make(std::make_shared<spdlog::sinks::stderr_sink_mt>(), level);
}

std::shared_ptr<Log> Log::to_file(const std::string& path, std::string_view level) {
  return make(std::make_shared<spdlog::sinks::basic_file_sink_mt>(path), level);
}

Log::Log(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}
Log::~Log() {
  flush();
}

void Log::write(LogLevel level, std::string_view message, const nlohmann::json& fields) {
  const auto spd = level == LogLevel::kDebug  ? spdlog::level::debug
                   : level == LogLevel::kInfo ? spdlog::level::info
                   : level == LogLevel::kWarn ? spdlog::level::warn
                                              : spdlog::level::err;
  if (!logger_->should_log(spd)) return;
  std::string line = "\"msg\":" + nlohmann::json(message).dump(
                                      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (fields.is_object())
    for (const auto& [key, value] : fields.items())
      line += "," + nlohmann::json(key).dump() + ":" +
              value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  logger_->log(spd, line);
}

void Log::info(std::string_view m, const nlohmann::json& f) {
  write(LogLevel::kInfo, m, f);
}
void Log::warn(std::string_view m, const nlohmann::json& f) {
  write(LogLevel::kWarn, m, f);
}
void Log::error(std::string_view m, const nlohmann::json& f) {
  write(LogLevel::kError, m, f);
}
void Log::flush() {
  logger_->flush();
}

}  // namespace mangfold::app
