#include "connector/ingest/schedule.hpp"

#include <algorithm>

namespace mangfold::ingest {

std::uint64_t stable_hash(std::string_view tenant, std::string_view vacancy_id) {
  std::uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(tenant);
  mix(std::string_view("\0", 1));
  mix(vacancy_id);
  return h;
}

std::int64_t next_slot(std::int64_t after_ms, std::int64_t interval_ms, std::uint64_t phase_hash) {
  if (interval_ms <= 0) return after_ms;
  const auto phase =
      static_cast<std::int64_t>(phase_hash % static_cast<std::uint64_t>(interval_ms));
  // The k with phase + k * interval > after: floor division that also works below zero.
  const std::int64_t d = after_ms - phase;
  std::int64_t k = d / interval_ms;
  if (d % interval_ms != 0 && d < 0) --k;
  return phase + (k + 1) * interval_ms;
}

Schedule::Schedule(std::string tenant, Options options)
    : tenant_(std::move(tenant)), options_(options) {}

std::uint64_t Schedule::phase(const std::string& id) const {
  return stable_hash(tenant_, id);
}

void Schedule::set_next(const std::string& id, Entry& e, std::int64_t next) {
  if (!e.in_flight) queue_.erase({e.next, id});
  e.next = next;
  if (!e.in_flight) queue_.insert({e.next, id});
}

void Schedule::follow_known(const std::string& id, std::int64_t last_visit_ms) {
  if (entries_.count(id)) return;
  Entry& e = entries_[id];
  // Without a periodic interval a stored vacancy waits for discovery or a hook.
  e.next = options_.interval_ms > 0 ? next_slot(last_visit_ms, options_.interval_ms, phase(id))
                                    : INT64_MAX;
  queue_.insert({e.next, id});
}

void Schedule::follow_new(const std::string& id, std::int64_t now_ms) {
  auto [it, added] = entries_.try_emplace(id);
  Entry& e = it->second;
  if (added) {
    e.next = now_ms;
    queue_.insert({e.next, id});
    return;
  }
  if (e.in_flight) {
    e.again = true;
  } else if (e.next > now_ms) {
    set_next(id, e, now_ms);
  }
}

void Schedule::hook(const std::string& id, std::int64_t now_ms) {
  const std::int64_t at = now_ms + options_.hook_delay_ms;
  auto [it, added] = entries_.try_emplace(id);
  Entry& e = it->second;
  if (added) {
    e.next = at;
    queue_.insert({e.next, id});
    return;
  }
  if (e.in_flight)
    e.again = true;
  else if (e.next > at)
    set_next(id, e, at);
}

void Schedule::unfollow(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  if (!it->second.in_flight) queue_.erase({it->second.next, id});
  entries_.erase(it);
}

std::optional<std::string> Schedule::take_due(std::int64_t now_ms) {
  if (queue_.empty() || queue_.begin()->first > now_ms) return std::nullopt;
  const std::string id = queue_.begin()->second;
  queue_.erase(queue_.begin());
  Entry& e = entries_.at(id);
  if (!e.due) e.due_since = e.next, e.due = true;
  e.in_flight = true;
  return id;
}

void Schedule::done(const std::string& id, std::int64_t now_ms, bool ok) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;  // unfollowed while in flight
  Entry& e = it->second;
  e.in_flight = false;
  const std::int64_t slot =
      options_.interval_ms > 0 ? next_slot(now_ms, options_.interval_ms, phase(id)) : INT64_MAX;
  std::int64_t next = slot;
  if (ok) {
    e.failures = 0;
    e.due = false;
  } else {
    // Doubling from retry_min up to retry_max: the API back, the vacancy follows soon.
    const std::int64_t cap = std::max<std::int64_t>(1, options_.retry_max_ms);
    std::int64_t backoff = std::max<std::int64_t>(1, options_.retry_min_ms);
    for (int i = 0; i < e.failures && backoff < cap; ++i)
      backoff *= 2;
    ++e.failures;
    next = std::min(slot, now_ms + std::min(backoff, cap));
  }
  if (e.again) {
    e.again = false;
    next = std::min(next, now_ms + options_.hook_delay_ms);
  }
  e.next = next;
  queue_.insert({e.next, id});
}

std::optional<std::int64_t> Schedule::next_due() const {
  if (queue_.empty() || queue_.begin()->first == INT64_MAX) return std::nullopt;
  return queue_.begin()->first;
}

std::int64_t Schedule::lag_ms(std::int64_t now_ms) const {
  std::int64_t oldest = now_ms;
  for (const auto& [id, e] : entries_) {
    const std::int64_t since = e.due ? e.due_since : e.next;
    oldest = std::min(oldest, since);
  }
  return now_ms - oldest;
}

}  // namespace mangfold::ingest
