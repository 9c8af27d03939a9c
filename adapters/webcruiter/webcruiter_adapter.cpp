#include "adapters/webcruiter/webcruiter_adapter.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "adapters/webcruiter/candidate_api.hpp"
#include "adapters/webcruiter/options.hpp"
#include "adapters/webcruiter/wire.hpp"
#include "adapters/webcruiter_feed/feed.hpp"
#include "connector/config/decoder.hpp"

namespace mangfold::webcruiter {

namespace {

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A municipality's feed of all its published ads is a few hundred kilobytes.
constexpr std::size_t kMaxFeedBytes = 32 * 1024 * 1024;

// One fetch in progress; callers for the same advert wait for its result instead of
// sending their own requests.
struct Flight {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  std::optional<Result<domain::Snapshot>> result;
};

class WebcruiterAdapter final : public domain::Adapter {
 public:
  WebcruiterAdapter(std::shared_ptr<const Options> options, std::shared_ptr<HttpClient> http,
                    std::function<std::int64_t()> now)
      : options_(std::move(options)), now_(std::move(now)), http_(http) {
    if (options_->api) {
      api_ = std::make_unique<CandidateApi>(options_, std::move(http), now_);
      cache_seconds_ = options_->api->cache_seconds;
    }
  }

  std::string_view name() const override { return "webcruiter"; }

  Result<domain::InboundEvent> parse(const domain::InboundRequest& request) const override {
    Result<Event> event = parse_event(request.body, *options_);
    if (!event.ok()) return event.status();
    domain::InboundEvent out;
    out.id = std::move(event->id);
    out.type = std::move(event->type);
    out.vacancy_id = std::move(event->advert_id);
    out.snapshot = std::move(event->snapshot);
    return out;
  }

  bool fetches() const override { return api_ != nullptr; }

  bool discovers() const override { return api_ && options_->sync; }

  // The advert feed is public: no credentials go with it, and it counts against nobody's
  // API budget. It names vacancies only; everything else comes from the Candidate API.
  Result<std::vector<std::string>> discover() const override {
    if (!discovers()) return domain::Adapter::discover();
    OutboundRequest req;
    req.url = options_->sync->feed_url;
    req.timeout = std::chrono::seconds(options_->api->timeout_seconds);
    req.headers.emplace_back("Accept", "application/rss+xml, application/xml, text/xml");
    Result<OutboundResponse> r = http_->send(req);
    if (!r.ok())
      return Status(r.status().code(), "Webcruiter advert feed: " + r.status().message());
    if (r->status >= 500 || r->status == 429)
      return unavailable("Webcruiter advert feed answered HTTP " + std::to_string(r->status));
    if (r->status != 200)
      return failed_precondition("Webcruiter advert feed answered HTTP " +
                                 std::to_string(r->status) +
                                 " (check adapter_options.sync.feed_url)");
    if (r->body.size() > kMaxFeedBytes)
      return unprocessable("Webcruiter advert feed is larger than 32 MiB");
    Result<std::vector<webcruiter_feed::FeedAd>> ads = webcruiter_feed::parse_feed(r->body);
    if (!ads.ok()) return unprocessable("Webcruiter advert feed: " + ads.status().message());
    std::vector<std::string> ids;
    for (const webcruiter_feed::FeedAd& ad : *ads)
      if (!ad.advert_id.empty() && ad.advert_id.size() <= 200) ids.push_back(ad.advert_id);
    return ids;
  }

  Result<domain::Snapshot> fetch_snapshot(std::string_view vacancy_id) const override {
    if (!api_) return domain::Adapter::fetch_snapshot(vacancy_id);
    const std::string key(vacancy_id);
    std::shared_ptr<Flight> flight;
    bool leader = false;
    const std::int64_t started = now_();
    {
      std::lock_guard lock(mu_);
      evict_expired(started);
      if (auto hit = cache_.find(key); hit != cache_.end()) return hit->second.snapshot;
      if (auto f = flights_.find(key); f != flights_.end()) {
        flight = f->second;
      } else {
        // Fail fast while rate-limited: nothing is sent, so nothing is hammered.
        if (Status s = api_->check_rate_limit(); !s.ok()) return s;
        flight = std::make_shared<Flight>();
        flights_.emplace(key, flight);
        leader = true;
      }
    }
    if (!leader) {
      std::unique_lock lock(flight->mu);
      flight->done_cv.wait(lock, [&] { return flight->done; });
      return *flight->result;
    }

    Result<domain::Snapshot> result = internal_error("webcruiter fetch did not complete");
    try {
      result = api_->fetch(key);
    } catch (const std::exception&) {
      // Waiters must be released whatever happens; the exception's text may carry data.
      result = internal_error("webcruiter fetch failed unexpectedly");
    }
    {
      std::lock_guard lock(mu_);
      // The window starts when the fetch started: the data is at least that old.
      if (result.ok() && cache_seconds_ > 0)
        cache_[key] = Cached{started + cache_seconds_, *result};
      flights_.erase(key);
    }
    {
      std::lock_guard lock(flight->mu);
      flight->result = result;
      flight->done = true;
    }
    flight->done_cv.notify_all();
    return result;
  }

 private:
  struct Cached {
    std::int64_t expires = 0;
    domain::Snapshot snapshot;
  };

  // Cached snapshots hold answers: drop them as soon as their window is over.
  void evict_expired(std::int64_t now) const {
    for (auto it = cache_.begin(); it != cache_.end();)
      it = now >= it->second.expires ? cache_.erase(it) : std::next(it);
  }

  const std::shared_ptr<const Options> options_;
  const std::function<std::int64_t()> now_;
  const std::shared_ptr<HttpClient> http_;
  std::unique_ptr<CandidateApi> api_;
  int cache_seconds_ = 0;

  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<Flight>, std::less<>> flights_;
  mutable std::map<std::string, Cached, std::less<>> cache_;
};

}  // namespace

std::unique_ptr<domain::Adapter> make_webcruiter_adapter(
    const config::Node& options, const std::string& path, AdapterDeps deps,
    std::vector<config::Diagnostic>& diagnostics) {
  const config::ReadFile read =
      deps.read_file ? deps.read_file : config::ReadFile(config::read_file);
  std::optional<Options> decoded = decode_options(options, path, read, diagnostics);
  if (!decoded) return nullptr;
  decoded->limits = deps.limits;
  if (decoded->api && !deps.http) {
    diagnostics.push_back(
        {options.mark, config::join_path(path, "api"),
         "the webcruiter adapter was given no HTTP client for its API (a wiring bug)"});
    return nullptr;
  }
  auto now = deps.now_unix ? std::move(deps.now_unix) : std::function<std::int64_t()>(system_now);
  return std::make_unique<WebcruiterAdapter>(std::make_shared<const Options>(std::move(*decoded)),
                                             std::move(deps.http), std::move(now));
}

std::optional<std::int64_t> retry_after_seconds(const Status& status) {
  if (status.code() != StatusCode::kUnavailable) return std::nullopt;
  static constexpr std::string_view kMarker = "retry after ";
  const std::string& m = status.message();
  const size_t at = m.rfind(kMarker);
  if (at == std::string::npos) return std::nullopt;
  std::int64_t value = 0;
  size_t i = at + kMarker.size();
  if (i >= m.size() || m[i] < '0' || m[i] > '9') return std::nullopt;
  for (; i < m.size() && m[i] >= '0' && m[i] <= '9' && value < 1'000'000; ++i)
    value = value * 10 + (m[i] - '0');
  return value;
}

}  // namespace mangfold::webcruiter
