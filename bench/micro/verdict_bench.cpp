// The stored verdict: rows::verdict_from_columns, which read_vacancy runs for every event
// (SQLite and PostgreSQL alike), and rows::verdict_columns, which writes the rules column
// when a verdict changed. The verdict is IMDi's shipped policy evaluated on a vacancy of
// 50 applications with an ad (four rule verdicts, about 2 KiB of rules JSON).
#include <benchmark/benchmark.h>

#include "bench/common/sample_data.hpp"
#include "bench/micro/support.hpp"
#include "connector/policy/engine.hpp"
#include "connector/store/rows.hpp"

namespace mangfold::bench {
namespace {

domain::Verdict imdi_verdict() {
  const policy::Policy policy = load_shipped_policy("imdi");
  policy::EvaluationContext context;
  context.today = domain::Date{2026, 6, 1};
  domain::Verdict v = policy::evaluate(policy, snapshot(50, 4096), context);
  v.vacancy_id = "4100000101";
  return v;
}

void BM_VerdictFromColumns(benchmark::State& state) {
  const domain::Verdict verdict = imdi_verdict();
  const store::rows::VerdictColumns columns = store::rows::verdict_columns(verdict);
  Result<domain::Verdict> check = store::rows::verdict_from_columns(columns, verdict.vacancy_id);
  if (!check.ok() || check->rules.size() != verdict.rules.size())
    return state.SkipWithError("the stored verdict does not read back");

  for (auto _ : state) {
    Result<domain::Verdict> v = store::rows::verdict_from_columns(columns, verdict.vacancy_id);
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(columns.rules.size()));
  state.counters["rules_bytes"] = static_cast<double>(columns.rules.size());
  state.counters["rules"] = static_cast<double>(verdict.rules.size());
}
BENCHMARK(BM_VerdictFromColumns)->Unit(benchmark::kMicrosecond);

void BM_VerdictColumns(benchmark::State& state) {
  const domain::Verdict verdict = imdi_verdict();
  for (auto _ : state) {
    store::rows::VerdictColumns c = store::rows::verdict_columns(verdict);
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_VerdictColumns)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mangfold::bench
