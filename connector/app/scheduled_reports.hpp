// The monthly report email to HR (issue 19): for each tenant with `report_email:`, once the
// month has turned, the report for the month before is built and enqueued through the
// outbox as a "report_email" row (notify/report_email.hpp). Store::enqueue_scheduled_report
// records the tenant and period in the same transaction, so a period is sent once, across
// restarts and instances.
//
// Thread-safety: run_once() from one thread (the maintenance thread).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "connector/app/tenants.hpp"

namespace mangfold::store {
class Store;
}

namespace mangfold::app {

class Log;

class ScheduledReports {
 public:
  using Clock = std::function<std::int64_t()>;
  ScheduledReports(store::Store& store, std::function<std::shared_ptr<const TenantMap>()> tenants,
                   int suppression_threshold, Clock clock, Log& log,
                   std::function<void()> enqueued = {});

  // Enqueues the due period of every tenant that has none recorded yet; returns how many
  // emails it enqueued. A tenant whose report cannot be built now is tried at the next call.
  int run_once();

 private:
  store::Store& store_;
  std::function<std::shared_ptr<const TenantMap>()> tenants_;
  int threshold_;
  Clock clock_;
  Log& log_;
  std::function<void()> enqueued_;
  std::map<std::string, std::string, std::less<>> done_;  // tenant → period known recorded
};

}  // namespace mangfold::app
