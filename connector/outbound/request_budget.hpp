// A tenant's request budget for its ATS API: every request of the tenant's adapter (fetches,
// discovery, write-backs) goes through one BudgetedHttpClient sharing one RequestBudget.
//
// The budget is a token bucket in its GCRA form (a "theoretical arrival time"): at most
// `burst` requests at once and `requests_per_minute` on average, so in any window of W
// seconds at most burst + W * rate / 60 requests are sent. A 429 (or a 503 with
// Retry-After) pauses the whole tenant until the time the API named.
//
// send() blocks the calling thread until the budget allows the request (never call it on an
// io thread; the HttpClient contract already says so). A wait longer than `max_wait` is not
// taken: the request fails at once with kUnavailable, nothing sent, nothing reserved.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "connector/common/http_client.hpp"
#include "connector/common/retry_after.hpp"

namespace mangfold::outbound {

struct BudgetLimits {
  int requests_per_minute = 0;  // 0: no limit (429s are still honoured)
  int burst = 10;               // requests that may go at once
  std::chrono::milliseconds max_wait{60'000};
};

// The bucket's arithmetic, on milliseconds from any fixed origin. Not thread-safe: the
// RequestBudget below holds the lock. Pure, so that it is tested with made-up times.
class TokenBucket {
 public:
  explicit TokenBucket(BudgetLimits limits = {}) { set_limits(limits); }
  void set_limits(BudgetLimits limits);

  // The earliest time a request could be sent, now or later.
  std::int64_t ready_at(std::int64_t now_ms) const;
  // Reserves the next slot and returns when the request may go; nullopt (nothing reserved)
  // when that is more than max_wait away.
  std::optional<std::int64_t> reserve(std::int64_t now_ms);
  // No request goes before `until_ms` (a 429's Retry-After).
  void pause_until(std::int64_t until_ms);
  std::int64_t paused_until() const { return paused_until_; }

 private:
  BudgetLimits limits_;
  std::int64_t emission_ms_ = 0;   // 60000 / rate; 0 without a limit
  std::int64_t tolerance_ms_ = 0;  // (burst - 1) * emission
  std::int64_t tat_ = 0;           // theoretical arrival time of the next request
  std::int64_t paused_until_ = 0;
};

using mangfold::retry_after_seconds;  // connector/common/retry_after.hpp

// What /metrics shows per tenant.
struct BudgetCounters {
  std::atomic<std::uint64_t> requests{0};          // sent (a response or a transport failure)
  std::atomic<std::uint64_t> rate_limited{0};      // 429 answers
  std::atomic<std::uint64_t> server_errors{0};     // 5xx answers
  std::atomic<std::uint64_t> transport_errors{0};  // refused, reset, timeout, TLS
  std::atomic<std::uint64_t> refused{0};           // not sent: the wait was over max_wait
};

// One tenant's budget, shared by every client of that tenant; thread-safe. Kept across
// config reloads (RequestBudgets), so a reload neither refills the bucket nor lifts a pause.
class RequestBudget {
 public:
  using Clock = std::function<std::int64_t()>;  // milliseconds, e.g. system time
  explicit RequestBudget(BudgetLimits limits, Clock now_ms = {});

  void set_limits(BudgetLimits limits);
  std::int64_t now_ms() const { return now_(); }
  // When the next request could go without waiting (>= now).
  std::int64_t ready_at() const;
  std::optional<std::int64_t> reserve();
  void pause_until(std::int64_t until_ms);
  BudgetCounters& counters() { return counters_; }
  const BudgetCounters& counters() const { return counters_; }

 private:
  Clock now_;
  mutable std::mutex mu_;
  TokenBucket bucket_;
  BudgetCounters counters_;
};

// The tenants' budgets by name, living as long as the process.
class RequestBudgets {
 public:
  std::shared_ptr<RequestBudget> get(const std::string& tenant, BudgetLimits limits);
  std::map<std::string, std::shared_ptr<RequestBudget>> all() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<RequestBudget>> budgets_;
};

// `inner` with the budget in front. `sleep` waits (std::this_thread::sleep_for by default).
std::shared_ptr<HttpClient> make_budgeted_client(
    std::shared_ptr<HttpClient> inner, std::shared_ptr<RequestBudget> budget,
    std::function<void(std::chrono::milliseconds)> sleep = {});

}  // namespace mangfold::outbound
