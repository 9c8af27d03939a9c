// policy::evaluate with IMDi's shipped policy on snapshots of 10 to 10,000 applications,
// with and without a job ad (the ad rules add a constant cost: one HTML scan each).
#include <benchmark/benchmark.h>

#include "bench/common/sample_data.hpp"
#include "bench/micro/support.hpp"
#include "connector/policy/engine.hpp"

namespace mangfold::bench {
namespace {

void BM_PolicyEvaluate(benchmark::State& state) {
  const policy::Policy policy = load_shipped_policy("imdi");
  const int count = static_cast<int>(state.range(0));
  const domain::Snapshot s = snapshot(count, static_cast<std::size_t>(state.range(1)));
  policy::EvaluationContext context;
  context.today = domain::Date{2026, 6, 1};

  // The interview rule must really count the applications, not skip the vacancy.
  const domain::Verdict check = policy::evaluate(policy, s, context);
  for (const domain::RuleVerdict& r : check.rules)
    if (r.kind == "interview_minimum" && r.outcome == domain::Outcome::kNotApplicable)
      state.SkipWithError("interview_minimum was not applied: the benchmark would measure nothing");

  for (auto _ : state) {
    domain::Verdict v = policy::evaluate(policy, s, context);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations() * count);
}
BENCHMARK(BM_PolicyEvaluate)
    ->ArgNames({"applications", "ad_bytes"})
    ->Args({10, 0})
    ->Args({1000, 0})
    ->Args({10000, 0})
    ->Args({10, 4096})
    ->Args({1000, 4096})
    ->Args({10000, 4096})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mangfold::bench
