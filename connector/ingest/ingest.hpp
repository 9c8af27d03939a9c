// POST /hooks/{tenant}: from a raw request to a durable, acknowledged verdict.
//
//   tenant → signature (before any parsing) → media type → adapter → event id →
//   store.submit(plan: merge stage history, evaluate, build changes) → 2xx after commit
//
// The answer goes out only after the store has committed (or found a duplicate). Only the
// tenant look-up, the signature and the media type are checked on the io thread; parsing
// and the ad run on a worker, the plan on the store's writer thread.
// PRIVACY: the snapshot (with answers) lives in the plan's closure until the plan has
// run, and is never logged or stored; logs carry ids, statuses, counts and latency.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "connector/app/tenants.hpp"
#include "connector/http/server.hpp"
#include "connector/policy/ad_injection.hpp"
#include "connector/store/store.hpp"

namespace mangfold::app {

class Log;
class Metrics;

// A verdict equal to the vacancy's last one is never stored again (store.hpp,
// Changes::verdict). What the caller hears of it: an event's answer and log line still
// name it (Outcome::verdict is set); a reconcile's is reported as unchanged (Outcome::verdict
// empty), since it runs for every open vacancy every interval and mostly finds nothing new.
enum class UnchangedVerdict { kLog, kSkip };

struct PlanOptions {
  std::optional<policy::AdChange> ad_change;  // queued as an ATS write-back when set
  UnchangedVerdict unchanged = UnchangedVerdict::kLog;
  policy::AdMemo* ad_memo = nullptr;  // what was read in the ad for the plan, reused
  // The snapshot's ad's digest, made once for the event's look-ups in ad_memo; optional.
  std::optional<policy::AdDigest> ad_digest;
  InputLimits limits;  // an HTML ad over these is flagged, not read
};

// The 2xx answer to an applied event: {"ad":{"body","language","rule"} when the ad was
// changed, "event_id", "status":"accepted", "vacancy_id", "verdict"}, written directly
// (no tree; the answer carries the whole changed ad) with the bytes nlohmann's dump wrote.
std::string accepted_answer(std::string_view event_id, std::string_view vacancy_id,
                            std::string_view verdict, const policy::AdChange* ad);

// The store plan for one event, as a plain function (tested on its own): merges the
// stored stage histories into the snapshot, evaluates the policy, and lists the changes,
// including the write-back of the options' ad change. Changes::verdict is left empty when
// the verdict equals prior.last_verdict (same JSON, store/verdict_json.hpp).
Result<store::Changes> plan_event(const policy::Policy& policy, domain::Snapshot snapshot,
                                  const store::StoredVacancy& prior, std::int64_t now_unix,
                                  const PlanOptions& options = {});

class WorkerPool;
class SyncRunner;

class Ingest {
 public:
  using Clock = std::function<std::int64_t()>;  // unix seconds
  // `fetchers` runs adapters' blocking fetches for thin events and reconciles; `workers`
  // parses bodies and reads ads (CPU work kept off the io threads).
  Ingest(store::Store& store, Metrics& metrics, Log& log, Clock now, WorkerPool& fetchers,
         WorkerPool& workers);

  // Replaces the tenant set atomically (SIGHUP reload). Requests in flight keep theirs.
  void set_tenants(std::shared_ptr<const TenantMap> tenants);
  std::shared_ptr<const TenantMap> tenants() const;

  // The memo shared by every tenant's ad work (policy/ad_injection.hpp), for /metrics.
  policy::AdMemoStats ad_memo_stats() const { return ad_memo_->stats(); }

  void handle(std::string_view tenant, http::Request&& request, http::Respond respond);

  // ID-only hooks (signature scheme shared_key) mark vacancies due in this runner.
  void set_sync(SyncRunner* sync) { sync_ = sync; }

  struct Outcome {
    store::Applied applied = store::Applied::kApplied;
    std::optional<domain::Verdict> verdict;
    std::optional<policy::AdChange> ad_change;
  };
  using OutcomeDone = std::function<void(Result<Outcome>)>;

  // Plans, submits and reports one event's snapshot; `done` runs on a worker once the
  // store has committed (on the store's writer if the worker pool refuses the task).
  // Webhooks and sync (sync.hpp) both come in here.
  void apply(std::shared_ptr<const TenantMap> tenants, const TenantRuntime& tenant,
             std::string event_id, domain::Snapshot snapshot, std::int64_t now, OutcomeDone done,
             UnchangedVerdict unchanged = UnchangedVerdict::kLog);

 private:
  // POST /hooks/{tenant} for a tenant with signature scheme shared_key (id_hook.hpp).
  void handle_id_hook(std::shared_ptr<const TenantMap> tenants, const TenantRuntime& tenant,
                      http::Request&& request,
                      std::function<void(http::Response, nlohmann::json)> finish);

  store::Store& store_;
  Metrics& metrics_;
  Log& log_;
  Clock now_;
  WorkerPool& fetchers_;
  WorkerPool& workers_;
  std::unique_ptr<const webhook::Verifier> decoy_;  // answers for unknown tenants
  std::atomic<std::shared_ptr<const TenantMap>> tenants_;
  std::atomic<SyncRunner*> sync_{nullptr};
  // ATSs resend unchanged ads with every event: read once, answered from here after.
  // Shared with the plans waiting in the store's queue, which may outlive this object.
  std::shared_ptr<policy::AdMemo> ad_memo_ = std::make_shared<policy::AdMemo>();
};

}  // namespace mangfold::app
