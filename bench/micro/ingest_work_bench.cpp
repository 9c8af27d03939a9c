// The pure, per-event work of POST /hooks/{tenant} on a 4 KiB native event, without HTTP
// and SQLite: what each stage costs one core, and so the most events per second the
// connector's CPU can take before storage is counted. Mirrors connector/app/ingest.cpp:
// verify (HMAC header, io thread) → parse → plan_ad_injection (worker thread) → evaluate
// (writer thread).
#include <benchmark/benchmark.h>

#include "adapters/native/snapshot_json.hpp"
#include "bench/common/sample_data.hpp"
#include "bench/micro/support.hpp"
#include "connector/policy/ad_injection.hpp"
#include "connector/policy/engine.hpp"

namespace mangfold::bench {
namespace {

std::string event_4k() {
  EventSpec spec{.event_id = "evt-bench-1"};
  spec.ad_bytes = ad_bytes_for_total(spec, 4096);
  return native_event(spec);
}

domain::Snapshot snapshot_4k() {
  Result<native::Event> e = native::parse_event(event_4k());
  if (!e.ok()) std::abort();
  return std::move(e->snapshot);
}

void BM_PlanAdInjection(benchmark::State& state) {
  const policy::Policy policy = load_shipped_policy("imdi");
  const domain::Snapshot s = snapshot_4k();
  Result<std::optional<policy::AdChange>> check = policy::plan_ad_injection(policy, s);
  if (!check.ok() || !check->has_value()) return state.SkipWithError("no ad change planned");
  for (auto _ : state) {
    Result<std::optional<policy::AdChange>> change = policy::plan_ad_injection(policy, s);
    benchmark::DoNotOptimize(change);
  }
  state.counters["ad_bytes"] = static_cast<double>(s.vacancy.ad->body.size());
}
BENCHMARK(BM_PlanAdInjection)->Unit(benchmark::kMicrosecond);

// Everything but HTTP framing and storage, in the order the pipeline runs it.
void BM_IngestPureWork(benchmark::State& state) {
  const policy::Policy policy = load_shipped_policy("imdi");
  const std::string body = event_4k();
  webhook::HmacHeaderScheme scheme = webhook::github_scheme();
  scheme.secrets = {webhook::Secret{"a shared secret of thirty-two b"}};
  const auto verifier = webhook::make_hmac_header_verifier(scheme);
  const Headers headers = verifier->sign(body, "evt-bench-1", 0);
  const webhook::HeaderLookup lookup = lookup_in(headers);
  policy::EvaluationContext context;
  context.today = domain::Date{2026, 6, 1};
  for (auto _ : state) {
    if (!verifier->verify(lookup, body, 0).ok()) return state.SkipWithError("bad signature");
    Result<native::Event> e = native::parse_event(body);
    if (!e.ok()) return state.SkipWithError("parse failed");
    Result<std::optional<policy::AdChange>> change = policy::plan_ad_injection(policy, e->snapshot);
    domain::Verdict v = policy::evaluate(policy, e->snapshot, context);
    benchmark::DoNotOptimize(change);
    benchmark::DoNotOptimize(v);
  }
  state.counters["body_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_IngestPureWork)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mangfold::bench
