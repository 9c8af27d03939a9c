// Counters and a latency histogram, rendered in the Prometheus text format (0.0.4).
//
// Label values are tenant names from the config, HTTP status codes and verdict outcomes:
// bounded sets, never request data. Requests for unknown tenants are counted under the
// tenant label "_unknown" so that a scan cannot grow the label set.
// Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mangfold::app {

class Metrics {
 public:
  static constexpr std::array<double, 12> kLatencyBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

  // One answered webhook request.
  void observe_request(std::string_view tenant, int status, double seconds);
  // One verdict stored, by its overall outcome.
  void count_verdict(std::string_view tenant, std::string_view outcome);
  // One event acknowledged as a duplicate.
  void count_duplicate(std::string_view tenant);
  // Values read when rendering: gauges (e.g. the outbox depth) and counters kept elsewhere
  // (e.g. the mail worker's).
  void add_gauge(std::string name, std::string help, std::function<double()> read);
  void add_counter(std::string name, std::string help, std::function<double()> read);
  // A labelled family read when rendering: each sample is (label set, value), the label set
  // as Prometheus writes it (`tenant="oslo",kind="429"`). Label values must be config names.
  using Samples = std::vector<std::pair<std::string, double>>;
  void add_family(std::string name, std::string help, const char* type,
                  std::function<Samples()> read);
  // `mangfold_build_info{version="…"} 1`: which build answers, for dashboards and alerts.
  void set_build_info(std::string version);

  std::string render() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kLatencyBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Gauge {
    std::string help;
    std::function<double()> read;
    const char* type = "gauge";
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> verdicts_;
  std::map<std::string, std::uint64_t> duplicates_;
  std::map<std::string, Gauge> gauges_;
  struct Family {
    std::string help;
    const char* type;
    std::function<Samples()> read;
  };
  std::map<std::string, Family> families_;
  std::string version_;
};

// This process's resident memory, open file descriptors and descriptor limit, read from
// /proc/self and getrlimit. A figure that cannot be read (no /proc in a chroot) is NaN,
// which Prometheus shows as such rather than as a misleading 0.
struct ProcessStats {
  double resident_bytes;
  double open_fds;
  double max_fds;
};
ProcessStats read_process_stats();

}  // namespace mangfold::app
