#include "connector/app/writeback.hpp"
#include "connector/common/thread_name.hpp"

#include <nlohmann/json.hpp>

#include "connector/app/log.hpp"
#include "connector/notify/outbox_worker.hpp"

namespace mangfold::app {

namespace {

constexpr int kBatch = 10;
constexpr std::int64_t kLeaseSeconds = 300;
constexpr int kMaxAttempts = 40;

// A write-back's payload as planned by plan_event: the vacancy and the ad to write.
Result<std::pair<std::string, domain::JobAd>> parse(const std::string& payload) {
  const nlohmann::json j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object() || !j.contains("vacancy_id") || !j.contains("body"))
    return invalid_argument("not an ad_writeback payload");
  domain::JobAd ad;
  ad.body = j.value("body", "");
  ad.language = j.value("language", "");
  ad.format =
      j.value("format", "html") == "text" ? domain::AdFormat::kText : domain::AdFormat::kHtml;
  return std::make_pair(j.value("vacancy_id", ""), std::move(ad));
}

}  // namespace

WritebackWorker::WritebackWorker(store::Store& store, Tenants tenants, Clock clock, Random random,
                                 Log* log)
    : store_(store),
      tenants_(std::move(tenants)),
      clock_(std::move(clock)),
      random_(std::move(random)),
      log_(log) {}

WritebackWorker::~WritebackWorker() {
  stop();
}

void WritebackWorker::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    name_this_thread("mf-writeback");
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      Result<int> claimed = run_once(clock_());
      lock.lock();
      if (claimed.ok() && *claimed == kBatch) continue;  // more may be due
      cv_.wait_for(lock, std::chrono::seconds(2), [this] { return stopping_; });
    }
  });
}

void WritebackWorker::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<int> WritebackWorker::run_once(std::int64_t now) {
  Result<std::vector<store::Store::Claimed>> rows =
      store_.claim_outbox("ad_writeback", now, kBatch, kLeaseSeconds);
  if (!rows.ok()) return rows.status();
  for (const store::Store::Claimed& row : *rows)
    handle(row, now);
  return static_cast<int>(rows->size());
}

void WritebackWorker::handle(const store::Store::Claimed& row, std::int64_t now) {
  std::shared_ptr<const TenantMap> tenants = tenants_();
  const auto tenant = tenants->find(row.item.tenant);
  Result<std::pair<std::string, domain::JobAd>> ad = parse(row.item.payload);
  Status result;
  if (!ad.ok())
    result = ad.status();
  else if (tenant == tenants->end())
    result = not_found("tenant " + row.item.tenant + " is no longer configured");
  else if (!tenant->second.adapter->writes_ads())
    result = failed_precondition("the tenant's adapter no longer writes ads back");
  else
    result = tenant->second.adapter->write_ad(ad->first, ad->second, row.item.idempotency_key);

  nlohmann::json fields{
      {"tenant", row.item.tenant}, {"vacancy_id", row.item.vacancy_id}, {"attempts", row.attempts}};
  if (result.ok()) {
    store_.complete_outbox(row.id);
    ++written_;
    if (log_) log_->info("ad written back", fields);
    return;
  }
  fields["detail"] = result.message();
  if (result.retryable() && row.attempts < kMaxAttempts) {
    notify::WorkerOptions backoff;  // the same schedule as mail: 30 s doubling up to 6 h, jittered
    const std::int64_t next =
        now + notify::OutboxWorker::backoff_seconds(backoff, row.attempts, random_());
    store_.retry_outbox(row.id, next, result.message());
    ++retried_;
    fields["next_attempt"] = next;
    if (log_) log_->warn("ad write-back failed; retrying", fields);
    return;
  }
  store_.dead_letter_outbox(row.id, result.message());
  ++dead_;
  if (log_) log_->error("ad write-back given up", fields);
}

}  // namespace mangfold::app
