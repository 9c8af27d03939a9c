// Webcruiter's public advert feed (adapters/webcruiter_feed, `mangfold audit-feed`): RSS from the
// internet. Each ad found then goes through the ad rules of the shipped IMDi policy, as
// audit-feed does, and its fields must be writable as JSON (`audit-feed --json`).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "adapters/webcruiter_feed/feed.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mangfold;
  Result<std::vector<webcruiter_feed::FeedAd>> ads =
      webcruiter_feed::parse_feed(fuzz::as_text(data, size));
  if (!ads.ok()) {
    fuzz::require_client_error(ads.status(), "parse_feed");
    return 0;
  }
  for (const webcruiter_feed::FeedAd& ad : *ads) {
    domain::Snapshot snapshot;
    snapshot.vacancy.id = ad.advert_id;
    snapshot.vacancy.job_types = ad.job_types;
    snapshot.vacancy.ad = ad.ad;
    fuzz::evaluate_like_the_server(fuzz::shipped_policy("policies/imdi.yaml"), snapshot);
    try {
      (void)nlohmann::json{{"advert_id", ad.advert_id},
                           {"title", ad.title},
                           {"link", ad.link},
                           {"language", ad.ad.language}}
          .dump(2);
    } catch (const nlohmann::json::exception& e) {
      std::fprintf(stderr, "fuzz: a feed ad cannot be written as JSON: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
