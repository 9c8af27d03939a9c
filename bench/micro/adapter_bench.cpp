// The native adapter's parse (native::parse_event) of a 4 KiB event (8 applications and
// a job ad) and a 1 MiB event (an 8 KiB ad and thousands of applications).
#include <benchmark/benchmark.h>

#include "adapters/native/snapshot_json.hpp"
#include "bench/common/sample_data.hpp"

namespace mangfold::bench {
namespace {

void BM_NativeParse(benchmark::State& state) {
  const auto bytes = static_cast<std::size_t>(state.range(0));
  EventSpec spec{.event_id = "evt-bench-1"};
  if (bytes <= 64 * 1024) {
    spec.ad_bytes = ad_bytes_for_total(spec, bytes);
  } else {
    spec.ad_bytes = 8192;
    spec.applications = applications_for_total(spec, bytes);
  }
  const std::string json = native_event(spec);
  Result<native::Event> check = native::parse_event(json);
  if (!check.ok() || static_cast<int>(check->snapshot.applications.size()) != spec.applications)
    return state.SkipWithError(("the event does not parse: " + check.status().message()).c_str());

  for (auto _ : state) {
    Result<native::Event> e = native::parse_event(json);
    benchmark::DoNotOptimize(e);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(json.size()));
  state.counters["body_bytes"] = static_cast<double>(json.size());
  state.counters["applications"] = spec.applications;
}
BENCHMARK(BM_NativeParse)
    ->ArgName("body_bytes")
    ->Arg(4096)
    ->Arg(1 << 20)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mangfold::bench
