// Verifying a signed webhook: Standard Webhooks and the HMAC header scheme (GitHub
// style), on a 4 KiB native event and, for scale, a 1 MiB one.
#include <benchmark/benchmark.h>

#include "bench/common/sample_data.hpp"
#include "bench/micro/support.hpp"
#include "connector/webhook/codec.hpp"
#include "connector/webhook/signature.hpp"

namespace mangfold::bench {
namespace {

constexpr std::int64_t kNow = 1'790'000'000;

std::string body_of(std::size_t bytes) {
  EventSpec spec{.event_id = "evt-bench-1"};
  if (bytes <= 64 * 1024) {
    spec.ad_bytes = ad_bytes_for_total(spec, bytes);
  } else {
    spec.ad_bytes = 8192;
    spec.applications = applications_for_total(spec, bytes);
  }
  return native_event(spec);
}

void run(benchmark::State& state, const webhook::Verifier& verifier) {
  const std::string body = body_of(static_cast<std::size_t>(state.range(0)));
  const Headers headers = verifier.sign(body, "evt-bench-1", kNow);
  const webhook::HeaderLookup lookup = lookup_in(headers);
  if (!verifier.verify(lookup, body, kNow).ok())
    state.SkipWithError("the signed request does not verify");
  for (auto _ : state) {
    Status s = verifier.verify(lookup, body, kNow);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
}

void BM_VerifyStandardWebhooks(benchmark::State& state) {
  Result<webhook::Secret> secret = webhook::parse_standard_webhooks_secret(
      "whsec_" + webhook::base64_encode(std::string(32, '\x5a')));
  if (!secret.ok()) return state.SkipWithError("bad secret");
  webhook::StandardWebhooksOptions options;
  options.secrets = {*secret};
  run(state, *webhook::make_standard_webhooks_verifier(options));
}
BENCHMARK(BM_VerifyStandardWebhooks)
    ->ArgName("body_bytes")
    ->Arg(4096)
    ->Arg(1 << 20)
    ->Unit(benchmark::kMicrosecond);

void BM_VerifyHmacHeader(benchmark::State& state) {
  webhook::HmacHeaderScheme scheme = webhook::github_scheme();
  scheme.secrets = {webhook::Secret{"a shared secret of thirty-two b"}};
  run(state, *webhook::make_hmac_header_verifier(scheme));
}
BENCHMARK(BM_VerifyHmacHeader)
    ->ArgName("body_bytes")
    ->Arg(4096)
    ->Arg(1 << 20)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mangfold::bench
