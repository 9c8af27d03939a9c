// Sync mode's runtime: follows every tenant's vacancies through its ATS API, on a schedule,
// within the tenant's request budget, into the same pipeline as webhooks (Ingest::apply:
// plan → store transaction → outbox).
//
// Per tenant whose adapter can fetch:
//   - the followed set: the store's open vacancies (re-read every discover interval; a
//     vacancy past its deadline by more than follow_days_after_deadline is left out), plus
//     what discover() names (e.g. the advert feed) and what ID-only hooks name;
//   - each followed vacancy is fetched once per visit interval, in its own slot (schedule.hpp);
//     an id new in a discover() result, and one named by a hook, is due at once (a hook after
//     the coalescing delay: duplicates cost one fetch);
//   - one fetch at a time per tenant, and only when the tenant's budget has room (a 429's
//     Retry-After pauses the tenant); fetches run on the fetcher pool, never an io thread;
//   - a vacancy is no longer followed once the ATS closes it, it is gone (404), or its
//     deadline is further back than follow_days_after_deadline.
// A failed fetch (API down) keeps the vacancy due and retries with backoff: verdicts are
// delayed, none lost; the lag metric shows how long.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "connector/ingest/schedule.hpp"

namespace mangfold::store {
class Store;
}

namespace mangfold::app {

class Ingest;
class Log;
class WorkerPool;

class SyncRunner {
 public:
  using ClockMs = std::function<std::int64_t()>;  // unix milliseconds
  SyncRunner(Ingest& ingest, store::Store& store, Log& log, WorkerPool& fetchers, ClockMs now_ms);
  ~SyncRunner();  // stops
  SyncRunner(const SyncRunner&) = delete;
  SyncRunner& operator=(const SyncRunner&) = delete;

  void start();
  // Waits for the loop to end; fetches already queued on the pool may still complete.
  void stop();

  // A hook named these vacancies of the tenant. Any thread; takes a short lock only.
  // Returns false when the tenant is not followed by sync (its adapter cannot fetch).
  bool hook(std::string_view tenant, const std::vector<std::string>& vacancy_ids);

  struct TenantStats {
    std::string tenant;
    double lag_seconds = 0;
    std::size_t followed = 0;
    std::uint64_t fetched = 0, failed = 0;
  };
  std::vector<TenantStats> stats() const;

 private:
  struct State;
  void loop();
  // One pass over the tenants; returns when it wants to run again (unix ms).
  std::int64_t tick(std::int64_t now);
  State& state_of(const std::string& tenant);

  Ingest& ingest_;
  store::Store& store_;
  Log& log_;
  WorkerPool& fetchers_;
  ClockMs now_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poked_ = false;  // something changed (a fetch ended, a hook came): look again now
  bool started_ = false;
  std::map<std::string, std::shared_ptr<State>, std::less<>> states_;
  std::thread thread_;
};

}  // namespace mangfold::app
