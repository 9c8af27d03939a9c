#include "connector/app/metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace mangfold::app {

void Metrics::observe_request(std::string_view tenant, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{std::string(tenant), status}];
  Histogram& h = latency_[std::string(tenant)];
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i)
    if (seconds <= kLatencyBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::count_verdict(std::string_view tenant, std::string_view outcome) {
  std::lock_guard lock(mu_);
  ++verdicts_[{std::string(tenant), std::string(outcome)}];
}

void Metrics::count_duplicate(std::string_view tenant) {
  std::lock_guard lock(mu_);
  ++duplicates_[std::string(tenant)];
}

void Metrics::add_gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mu_);
  gauges_[std::move(name)] = Gauge{std::move(help), std::move(read), "gauge"};
}

void Metrics::add_counter(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mu_);
  gauges_[std::move(name)] = Gauge{std::move(help), std::move(read), "counter"};
}

void Metrics::add_family(std::string name, std::string help, const char* type,
                         std::function<Samples()> read) {
  std::lock_guard lock(mu_);
  families_[std::move(name)] = Family{std::move(help), type, std::move(read)};
}

void Metrics::set_build_info(std::string version) {
  std::lock_guard lock(mu_);
  version_ = std::move(version);
}

ProcessStats read_process_stats() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ProcessStats stats{nan, nan, nan};
  // statm: size resident shared … in pages.
  if (std::ifstream statm("/proc/self/statm"); statm) {
    long size = 0, resident = 0;
    if (statm >> size >> resident)
      stats.resident_bytes =
          static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++fds;
  if (!ec && fds > 0) stats.open_fds = static_cast<double>(fds - 1);  // less the iterator's own
  if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0)
    stats.max_fds = static_cast<double>(limit.rlim_cur);
  return stats;
}

std::string Metrics::render() const {
  std::ostringstream out;
  std::lock_guard lock(mu_);
  if (!version_.empty())
    out << "# HELP mangfold_build_info The running build: always 1, labelled with its version.\n"
           "# TYPE mangfold_build_info gauge\n"
           "mangfold_build_info{version=\""
        << version_ << "\"} 1\n";
  out << "# HELP mangfold_webhook_requests_total Webhook requests answered, by tenant and HTTP "
         "status.\n"
         "# TYPE mangfold_webhook_requests_total counter\n";
  for (const auto& [key, n] : requests_)
    out << "mangfold_webhook_requests_total{tenant=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << n << "\n";
  out << "# HELP mangfold_webhook_duration_seconds Time from a complete request to its answer.\n"
         "# TYPE mangfold_webhook_duration_seconds histogram\n";
  for (const auto& [tenant, h] : latency_) {
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i)
      out << "mangfold_webhook_duration_seconds_bucket{tenant=\"" << tenant << "\",le=\""
          << kLatencyBuckets[i] << "\"} " << h.buckets[i] << "\n";
    out << "mangfold_webhook_duration_seconds_bucket{tenant=\"" << tenant << "\",le=\"+Inf\"} "
        << h.count << "\n"
        << "mangfold_webhook_duration_seconds_sum{tenant=\"" << tenant << "\"} " << h.sum << "\n"
        << "mangfold_webhook_duration_seconds_count{tenant=\"" << tenant << "\"} " << h.count
        << "\n";
  }
  out << "# HELP mangfold_verdicts_total Verdicts stored, by tenant and overall outcome.\n"
         "# TYPE mangfold_verdicts_total counter\n";
  for (const auto& [key, n] : verdicts_)
    out << "mangfold_verdicts_total{tenant=\"" << key.first << "\",outcome=\"" << key.second
        << "\"} " << n << "\n";
  out << "# HELP mangfold_duplicate_events_total Deliveries acknowledged as duplicates.\n"
         "# TYPE mangfold_duplicate_events_total counter\n";
  for (const auto& [tenant, n] : duplicates_)
    out << "mangfold_duplicate_events_total{tenant=\"" << tenant << "\"} " << n << "\n";
  for (const auto& [name, g] : gauges_)
    out << "# HELP " << name << " " << g.help << "\n# TYPE " << name << " " << g.type << "\n"
        << name << " " << g.read() << "\n";
  for (const auto& [name, f] : families_) {
    out << "# HELP " << name << " " << f.help << "\n# TYPE " << name << " " << f.type << "\n";
    for (const auto& [labels, value] : f.read())
      out << name << "{" << labels << "} " << value << "\n";
  }
  return out.str();
}

}  // namespace mangfold::app
