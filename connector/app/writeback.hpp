// Delivers queued ad write-backs (outbox kind "ad_writeback", planned by the ingest
// pipeline) through the tenant's adapter. The row's idempotency key is the request id the
// adapter sends, so a retry after a crash cannot change the ad twice. Temporary failures
// back off like the mail worker; permanent ones are dead letters (counted in /metrics).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "connector/app/tenants.hpp"
#include "connector/store/store.hpp"

namespace mangfold::app {

class Log;

class WritebackWorker {
 public:
  using Clock = std::function<std::int64_t()>;
  using Random = std::function<double()>;
  using Tenants = std::function<std::shared_ptr<const TenantMap>()>;

  WritebackWorker(store::Store& store, Tenants tenants, Clock clock, Random random,
                  Log* log = nullptr);
  ~WritebackWorker();

  void start();
  void stop();
  // One pass at `now`; returns how many rows were claimed.
  Result<int> run_once(std::int64_t now);

  std::uint64_t written() const { return written_; }
  std::uint64_t retried() const { return retried_; }
  std::uint64_t dead() const { return dead_; }

 private:
  void handle(const store::Store::Claimed& row, std::int64_t now);

  store::Store& store_;
  Tenants tenants_;
  Clock clock_;
  Random random_;
  Log* log_;
  std::atomic<std::uint64_t> written_{0}, retried_{0}, dead_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mangfold::app
