#include "connector/outbound/request_budget.hpp"

#include <algorithm>
#include <ctime>
#include <thread>

namespace mangfold::outbound {

namespace {

std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void TokenBucket::set_limits(BudgetLimits limits) {
  limits.burst = std::max(1, limits.burst);
  limits_ = limits;
  emission_ms_ = limits.requests_per_minute > 0 ? 60'000 / limits.requests_per_minute : 0;
  if (limits.requests_per_minute > 0 && emission_ms_ == 0) emission_ms_ = 1;
  tolerance_ms_ = (limits.burst - 1) * emission_ms_;
}

std::int64_t TokenBucket::ready_at(std::int64_t now_ms) const {
  std::int64_t at = std::max(now_ms, paused_until_);
  if (emission_ms_ > 0) at = std::max(at, tat_ - tolerance_ms_);
  return at;
}

std::optional<std::int64_t> TokenBucket::reserve(std::int64_t now_ms) {
  const std::int64_t at = ready_at(now_ms);
  if (at - now_ms > limits_.max_wait.count()) return std::nullopt;
  if (emission_ms_ > 0) tat_ = std::max(tat_, at) + emission_ms_;
  return at;
}

void TokenBucket::pause_until(std::int64_t until_ms) {
  paused_until_ = std::max(paused_until_, until_ms);
}

RequestBudget::RequestBudget(BudgetLimits limits, Clock now_ms)
    : now_(now_ms ? std::move(now_ms) : Clock(system_ms)), bucket_(limits) {}

void RequestBudget::set_limits(BudgetLimits limits) {
  std::lock_guard lock(mu_);
  bucket_.set_limits(limits);
}

std::int64_t RequestBudget::ready_at() const {
  const std::int64_t now = now_();
  std::lock_guard lock(mu_);
  return bucket_.ready_at(now);
}

std::optional<std::int64_t> RequestBudget::reserve() {
  const std::int64_t now = now_();
  std::lock_guard lock(mu_);
  return bucket_.reserve(now);
}

void RequestBudget::pause_until(std::int64_t until_ms) {
  std::lock_guard lock(mu_);
  bucket_.pause_until(until_ms);
}

std::shared_ptr<RequestBudget> RequestBudgets::get(const std::string& tenant, BudgetLimits limits) {
  std::lock_guard lock(mu_);
  std::shared_ptr<RequestBudget>& b = budgets_[tenant];
  if (!b)
    b = std::make_shared<RequestBudget>(limits);
  else
    b->set_limits(limits);
  return b;
}

std::map<std::string, std::shared_ptr<RequestBudget>> RequestBudgets::all() const {
  std::lock_guard lock(mu_);
  return budgets_;
}

namespace {

class BudgetedHttpClient final : public HttpClient {
 public:
  BudgetedHttpClient(std::shared_ptr<HttpClient> inner, std::shared_ptr<RequestBudget> budget,
                     std::function<void(std::chrono::milliseconds)> sleep)
      : inner_(std::move(inner)), budget_(std::move(budget)), sleep_(std::move(sleep)) {
    if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }

  Result<OutboundResponse> send(const OutboundRequest& request) override {
    BudgetCounters& c = budget_->counters();
    const std::optional<std::int64_t> at = budget_->reserve();
    if (!at) {
      ++c.refused;
      return unavailable("the tenant's API request budget is spent for now (retry after " +
                         std::to_string(std::max<std::int64_t>(
                             1, (budget_->ready_at() - budget_->now_ms() + 999) / 1000)) +
                         " s)");
    }
    if (const std::int64_t wait = *at - budget_->now_ms(); wait > 0)
      sleep_(std::chrono::milliseconds(wait));
    ++c.requests;
    Result<OutboundResponse> r = inner_->send(request);
    if (!r.ok()) {
      ++c.transport_errors;
      return r;
    }
    const std::string retry = r->header("Retry-After");
    if (r->status == 429 || (r->status == 503 && !retry.empty())) {
      const std::int64_t now = budget_->now_ms();
      budget_->pause_until(now + 1000 * retry_after_seconds(retry, now / 1000));
    }
    if (r->status == 429)
      ++c.rate_limited;
    else if (r->status >= 500)
      ++c.server_errors;
    return r;
  }

 private:
  std::shared_ptr<HttpClient> inner_;
  std::shared_ptr<RequestBudget> budget_;
  std::function<void(std::chrono::milliseconds)> sleep_;
};

}  // namespace

std::shared_ptr<HttpClient> make_budgeted_client(
    std::shared_ptr<HttpClient> inner, std::shared_ptr<RequestBudget> budget,
    std::function<void(std::chrono::milliseconds)> sleep) {
  return std::make_shared<BudgetedHttpClient>(std::move(inner), std::move(budget),
                                              std::move(sleep));
}

}  // namespace mangfold::outbound
