// Detecting and injecting the encouragement sentence (IMDi's bokmål wording) in job ads
// of 5 KiB and 100 KiB that lack it: the worst case, since detection reads the whole
// text and injection also re-parses its result to check the placement.
#include <benchmark/benchmark.h>
#include <gumbo.h>

#include <memory>
#include <vector>

#include "bench/common/sample_data.hpp"
#include "bench/micro/support.hpp"
#include "connector/ads/ad_text.hpp"

namespace mangfold::bench {
namespace {

struct AdCase {
  std::string html;
  ads::SentenceSpec spec;
  ads::Anchor anchor;
};

AdCase ad_case(std::size_t bytes) {
  const SentenceAndAnchor s = ad_sentence_of(load_shipped_policy("imdi"), "nb");
  return {job_ad_html(bytes), ads::SentenceSpec{s.sentence, s.equivalents},
          ads::Anchor{s.before_headings}};
}

void BM_AdDetect(benchmark::State& state) {
  const AdCase c = ad_case(static_cast<std::size_t>(state.range(0)));
  if (ads::detect_sentence(c.html, ads::AdFormat::kHtml, c.spec).present)
    return state.SkipWithError("the ad already carries the sentence");
  for (auto _ : state) {
    ads::Detection d = ads::detect_sentence(c.html, ads::AdFormat::kHtml, c.spec);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(c.html.size()));
}
BENCHMARK(BM_AdDetect)
    ->ArgName("ad_bytes")
    ->Arg(5 * 1024)
    ->Arg(100 * 1024)
    ->Unit(benchmark::kMicrosecond);

void BM_AdInject(benchmark::State& state) {
  const AdCase c = ad_case(static_cast<std::size_t>(state.range(0)));
  Result<ads::Injection> check =
      ads::inject_sentence(c.html, ads::AdFormat::kHtml, c.spec, c.anchor);
  if (!check.ok() || !check->changed || check->anchor.empty())
    return state.SkipWithError("the sentence was not injected before a heading");
  for (auto _ : state) {
    Result<ads::Injection> i = ads::inject_sentence(c.html, ads::AdFormat::kHtml, c.spec, c.anchor);
    benchmark::DoNotOptimize(i);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(c.html.size()));
}
BENCHMARK(BM_AdInject)
    ->ArgName("ad_bytes")
    ->Arg(5 * 1024)
    ->Arg(100 * 1024)
    ->Unit(benchmark::kMicrosecond);

// One bare gumbo parse of the same ads: the unit the functions above are made of
// (detection parses once, injection several times).
void BM_GumboParse(benchmark::State& state) {
  const std::string html = job_ad_html(static_cast<std::size_t>(state.range(0)));
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  for (auto _ : state) {
    GumboOutput* out = gumbo_parse_with_options(&options, html.data(), html.size());
    benchmark::DoNotOptimize(out);
    gumbo_destroy_output(&options, out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(html.size()));
}
BENCHMARK(BM_GumboParse)
    ->ArgName("ad_bytes")
    ->Arg(5 * 1024)
    ->Arg(100 * 1024)
    ->Unit(benchmark::kMicrosecond);

// The same parse with a bump arena as gumbo's allocator (free is a no-op; everything is
// released at once after the parse): how much of a parse is malloc/free. A what-if for
// connector/ads, which uses the default allocator.
class Arena {
 public:
  static void* allocate(void* self, std::size_t size) {
    return static_cast<Arena*>(self)->take(size);
  }
  static void release(void*, void*) {}
  void reset() {
    chunks_.resize(1);
    used_ = 0;
  }

 private:
  static constexpr std::size_t kChunk = 1 << 20;
  void* take(std::size_t size) {
    size = (size + 15) & ~std::size_t{15};
    if (size > kChunk / 4) return big_.emplace_back(std::make_unique<char[]>(size)).get();
    if (chunks_.empty() || used_ + size > kChunk) {
      chunks_.push_back(std::make_unique<char[]>(kChunk));
      used_ = 0;
    }
    void* p = chunks_.back().get() + used_;
    used_ += size;
    return p;
  }
  std::vector<std::unique_ptr<char[]>> chunks_, big_;
  std::size_t used_ = 0;
};

void BM_GumboParseArena(benchmark::State& state) {
  const std::string html = job_ad_html(static_cast<std::size_t>(state.range(0)));
  Arena arena;
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  options.allocator = &Arena::allocate;
  options.deallocator = &Arena::release;
  options.userdata = &arena;
  for (auto _ : state) {
    GumboOutput* out = gumbo_parse_with_options(&options, html.data(), html.size());
    benchmark::DoNotOptimize(out);
    arena.reset();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(html.size()));
}
BENCHMARK(BM_GumboParseArena)
    ->ArgName("ad_bytes")
    ->Arg(5 * 1024)
    ->Arg(100 * 1024)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mangfold::bench
