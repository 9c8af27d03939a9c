// When each of a tenant's followed vacancies is fetched next (sync mode). Pure: times are
// milliseconds passed in by the caller, so the arithmetic is tested without a clock.
//
// Spread: every vacancy has a stable phase in [0, interval), a hash of the tenant and the
// vacancy id, and is visited in its own slot (phase + k * interval). Visits of a tenant's
// vacancies are so spread evenly over the interval, the same after a restart, and never all
// at :00. After a visit the next one is in the vacancy's next slot: at most one interval on.
//
// Due now: a vacancy newly found (discovery) is due at once; a hook makes it due after the
// coalescing delay, so that a burst of duplicate hooks costs one fetch. A hook that arrives
// while the vacancy is being fetched makes it due again once that fetch is done (the fetch
// may have read the state before the change the hook announces).
//
// Lag: how long the oldest due-but-unvisited vacancy has been due, i.e. how old an unsynced
// change in the ATS can be. A failed fetch keeps the vacancy due (and retries with backoff),
// so an API outage shows as a growing lag and nothing is dropped.
// Not thread-safe: the owner locks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace mangfold::ingest {

// A stable hash (FNV-1a, 64 bits) of the tenant and vacancy id: the same on every machine
// and after every restart.
std::uint64_t stable_hash(std::string_view tenant, std::string_view vacancy_id);

// The vacancy's first slot strictly after `after_ms`: phase + k * interval.
std::int64_t next_slot(std::int64_t after_ms, std::int64_t interval_ms, std::uint64_t phase_hash);

class Schedule {
 public:
  struct Options {
    std::int64_t interval_ms = 3'600'000;  // each vacancy visited once per this; 0: only on demand
    std::int64_t hook_delay_ms = 2'000;    // hooks for one vacancy within this cost one fetch
    std::int64_t retry_min_ms = 1'000;     // first retry after a failed fetch; doubles
    std::int64_t retry_max_ms = 30'000;    // up to this (and never later than the next slot)
  };
  Schedule(std::string tenant, Options options);

  void set_options(Options options) { options_ = options; }
  const Options& options() const { return options_; }

  bool follows(std::string_view id) const { return entries_.count(std::string(id)) > 0; }
  std::size_t size() const { return entries_.size(); }

  // Follows a vacancy known from before (the store): due in its first slot after
  // `last_visit_ms` (which may already have passed: then it is overdue). No-op if followed.
  void follow_known(const std::string& id, std::int64_t last_visit_ms);
  // Follows a vacancy newly found: due now. An already followed one is made due now.
  void follow_new(const std::string& id, std::int64_t now_ms);
  // A hook named the vacancy: due at now + hook delay, unless it is due earlier already.
  // Follows it when it was not followed.
  void hook(const std::string& id, std::int64_t now_ms);
  void unfollow(const std::string& id);

  // The due vacancy with the earliest time (<= now) not being fetched; marks it in flight.
  std::optional<std::string> take_due(std::int64_t now_ms);
  // A fetch taken with take_due has ended. `ok`: visited, next in its next slot. Not ok:
  // still due, retried with backoff (never later than the next slot).
  void done(const std::string& id, std::int64_t now_ms, bool ok);

  // The earliest time something becomes due (nullopt: nothing followed or all in flight).
  std::optional<std::int64_t> next_due() const;
  // now - the earliest time a not yet visited vacancy became due; 0 when none is overdue.
  std::int64_t lag_ms(std::int64_t now_ms) const;

 private:
  struct Entry {
    std::int64_t next = 0;       // when it is fetched next
    std::int64_t due_since = 0;  // when it became due and not yet visited, if `due`
    bool due = false;
    bool in_flight = false;
    bool again = false;  // a hook came during the fetch
    int failures = 0;
  };
  void set_next(const std::string& id, Entry& e, std::int64_t next);
  std::uint64_t phase(const std::string& id) const;

  std::string tenant_;
  Options options_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::set<std::pair<std::int64_t, std::string>> queue_;  // (next, id) of entries not in flight
};

}  // namespace mangfold::ingest
