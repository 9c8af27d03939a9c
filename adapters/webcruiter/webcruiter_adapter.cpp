#include "adapters/webcruiter/webcruiter_adapter.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <unordered_set>

#include "adapters/webcruiter/candidate_api.hpp"
#include "adapters/webcruiter/options.hpp"
#include "adapters/webcruiter/wire.hpp"
#include "connector/config/decoder.hpp"

namespace mangfold::webcruiter {

namespace {

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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
    if (out.snapshot) add_case_url(out.snapshot->vacancy);
    return out;
  }

  bool fetches() const override { return api_ != nullptr; }

  bool discovers() const override { return api_ && options_->sync; }

  // The union of the configured sources: the advert feed (public, no credentials), the API's
  // process listing, and the vacancies of hires not reported before in this process (those
  // are also due now). The feed or the listing failing fails the whole call, so that a
  // problem is never hidden behind a partial list of vacancies. The hired list (and marking
  // hires processed) failing is a problem reported beside the vacancies: no hire is then taken
  // as reported or marked, so none is lost, and the vacancies are still followed while the
  // API is down.
  Result<domain::Discovery> discover() const override {
    if (!discovers()) return domain::Adapter::discover();
    const SyncOptions& sync = *options_->sync;
    domain::Discovery found;
    if (sync.mark_hires_processed)
      if (Status s = process_fetched_hires(); !s.ok()) found.problems.push_back(s.message());
    std::set<std::string, std::less<>> seen;
    auto add = [&](std::string id) {
      if (seen.insert(id).second) found.vacancies.push_back(std::move(id));
    };
    if (sync.from_feed) {
      Result<std::vector<std::string>> feed = read_advert_feed(*http_, *options_);
      if (!feed.ok()) return feed.status();
      for (std::string& id : *feed)
        add(std::move(id));
    }
    if (sync.from_api) {
      Result<std::vector<std::string>> listed = api_->processes();
      if (!listed.ok()) return listed.status();
      for (std::string& id : *listed)
        add(std::move(id));
    }
    if (sync.read_hires) {
      Result<std::vector<Hire>> hires = api_->hired();
      if (!hires.ok()) {
        found.problems.push_back(hires.status().message());
      } else {
        for (const std::string& id : take_new_hires(std::move(*hires))) {
          add(id);
          found.due_now.push_back(id);
        }
      }
    }
    return found;
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
      if (result.ok()) add_case_url(result->vacancy);
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
      // A hire is marked processed only once its vacancy was fetched after it was seen.
      if (result.ok())
        if (auto p = pending_.find(key); p != pending_.end() && started >= p->second.seen_at)
          p->second.fetched = true;
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
  // Hires are remembered by a hash of (vacancy, candidate), never by the candidate's id: a
  // hire is reported once per process lifetime, and at most kMaxRememberedHires are kept
  // (the oldest forgotten first; a forgotten hire still unprocessed is reported once more,
  // which costs one fetch).
  static constexpr std::size_t kMaxRememberedHires = 100'000;
  // Hires waiting to be marked processed (only with hires.mark_processed), at most this many.
  static constexpr std::size_t kMaxPendingHires = 10'000;

  struct Pending {
    std::vector<std::string> candidates;  // in memory only, to name them in the POST
    std::int64_t seen_at = 0;
    bool fetched = false;
  };

  static std::uint64_t hire_key(const Hire& h) {
    return std::hash<std::string>{}(h.advert_id + '\n' + h.candidate_id);
  }

  // The vacancies of hires not reported before; remembers them.
  std::vector<std::string> take_new_hires(std::vector<Hire> hires) const {
    const bool track = options_->sync->mark_hires_processed;
    const std::int64_t now = now_();
    std::vector<std::string> out;
    std::lock_guard lock(mu_);
    for (Hire& h : hires) {
      const std::uint64_t k = hire_key(h);
      if (reported_.contains(k)) continue;
      if (track) {
        if (pending_count_ >= kMaxPendingHires) continue;  // reported on a later pass
        Pending& p = pending_[h.advert_id];
        p.candidates.push_back(std::move(h.candidate_id));
        p.seen_at = now;
        p.fetched = false;
        ++pending_count_;
      }
      reported_.insert(k);
      reported_order_.push_back(k);
      if (reported_order_.size() > kMaxRememberedHires) {
        reported_.erase(reported_order_.front());
        reported_order_.pop_front();
      }
      out.push_back(h.advert_id);
    }
    return out;
  }

  // POSTs "processed" for the hires whose vacancy has been fetched since they were seen.
  // A failure keeps the rest for the next pass and fails this one.
  Status process_fetched_hires() const {
    std::vector<std::pair<std::string, std::vector<std::string>>> ready;
    {
      std::lock_guard lock(mu_);
      for (auto it = pending_.begin(); it != pending_.end();) {
        if (!it->second.fetched) {
          ++it;
          continue;
        }
        ready.emplace_back(it->first, std::move(it->second.candidates));
        pending_count_ -= ready.back().second.size();
        it = pending_.erase(it);
      }
    }
    Status failed;
    for (auto& [advert, candidates] : ready)
      for (size_t i = 0; i < candidates.size(); ++i) {
        if (failed.ok())
          failed = api_->mark_processed(candidates[i], options_->sync->process_message);
        if (failed.ok()) continue;
        // Not done: back into the queue, still counted as fetched.
        std::lock_guard lock(mu_);
        Pending& p = pending_[advert];
        p.candidates.push_back(std::move(candidates[i]));
        p.fetched = true;
        ++pending_count_;
      }
    return failed;
  }

  void add_case_url(domain::Vacancy& v) const {
    if (options_->case_url.empty() || v.id.empty()) return;
    std::string url = options_->case_url;
    const std::string id = percent_encode(v.id);
    for (size_t at = url.find("{vacancy_id}"); at != std::string::npos;
         at = url.find("{vacancy_id}", at + id.size()))
      url.replace(at, 12, id);
    v.case_url = std::move(url);
  }

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
  mutable std::unordered_set<std::uint64_t> reported_;
  mutable std::deque<std::uint64_t> reported_order_;
  mutable std::map<std::string, Pending, std::less<>> pending_;
  mutable std::size_t pending_count_ = 0;
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
