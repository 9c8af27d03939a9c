// The ad work of one event on a 4 KiB HTML ad that lacks the sentence: IMDi's two ad rules
// (ad_sentence in inject mode, ad_mentions) evaluated by policy::evaluate after
// policy::plan_ad_injection, in the order connector/app/ingest.cpp runs them.
//
// The ad memo (connector/policy/ad_injection.hpp) is measured in four states: none;
// "first", emptied before every iteration (an ad seen for the first time: the plan's parse
// serves the rules); "warm" (an ad the ATS sent before); and "warm" with the ad digested once
// for both calls, as ingest does (policy::AdDigest), instead of once by each call.
#include <benchmark/benchmark.h>

#include <optional>
#include <variant>

#include "bench/common/sample_data.hpp"
#include "bench/micro/support.hpp"
#include "connector/policy/ad_injection.hpp"
#include "connector/policy/engine.hpp"

namespace mangfold::bench {
namespace {

// IMDi's policy with only its ad rules, so that the benchmark measures the ad work alone.
policy::Policy ad_rules_only(policy::Policy p) {
  std::erase_if(p.rules, [](const policy::Rule& r) {
    return !std::holds_alternative<policy::AdSentence>(r.spec) &&
           !std::holds_alternative<policy::AdMentions>(r.spec);
  });
  return p;
}

enum Memo { kOff = 0, kFirst = 1, kWarm = 2, kWarmDigested = 3 };

void BM_AdRulesAndPlan(benchmark::State& state) {
  const policy::Policy policy = ad_rules_only(load_shipped_policy("imdi"));
  const domain::Snapshot s = snapshot(8, static_cast<std::size_t>(state.range(0)));
  const auto memo = static_cast<Memo>(state.range(1));
  policy::AdMemo table;
  policy::AdMemo* used = memo == kOff ? nullptr : &table;
  policy::EvaluationContext context;
  context.today = domain::Date{2026, 6, 1};
  context.ad_memo = used;

  const domain::Verdict check = policy::evaluate(policy, s, context);
  if (check.rules.size() != 2 || check.rules[0].reason_code != "sentence_missing")
    return state.SkipWithError("the ad rules did not both run, or the sentence was found");
  Result<std::optional<policy::AdChange>> planned = policy::plan_ad_injection(policy, s, used);
  if (!planned.ok() || !planned->has_value()) return state.SkipWithError("no ad change planned");

  for (auto _ : state) {
    if (memo == kFirst) {  // two entries to drop: noise next to the parses measured
      table.set_capacity(0);
      table.set_capacity(policy::kDefaultAdMemoBytes);
    }
    std::optional<policy::AdDigest> digest;
    if (memo == kWarmDigested) digest = policy::AdDigest::of(*s.vacancy.ad);
    context.ad_digest = digest ? &*digest : nullptr;
    Result<std::optional<policy::AdChange>> change =
        policy::plan_ad_injection(policy, s, used, {}, context.ad_digest);
    domain::Verdict v = policy::evaluate(policy, s, context);
    benchmark::DoNotOptimize(change);
    benchmark::DoNotOptimize(v);
  }
  state.counters["ad_bytes"] = static_cast<double>(s.vacancy.ad->body.size());
  // What one ad costs the memo (its text and its injection), against the capacity.
  state.counters["memo_bytes"] = static_cast<double>(table.stats().bytes);
}
BENCHMARK(BM_AdRulesAndPlan)
    ->ArgNames({"ad_bytes", "memo"})
    ->Args({4096, kOff})
    ->Args({4096, kFirst})
    ->Args({4096, kWarm})
    ->Args({4096, kWarmDigested})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mangfold::bench
