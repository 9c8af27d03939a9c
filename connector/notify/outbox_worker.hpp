// The email outbox worker: claims due "email" rows from the store with a lease, renders
// and sends them, and records the outcome (DESIGN.md §3 "side effects through the outbox").
//
//   sent OK                 → complete_outbox
//   temporary (kUnavailable) → retry_outbox, due after an exponential backoff with jitter;
//                             dead after max_attempts claims
//   permanent (any other)   → dead_letter_outbox (e.g. SMTP 550, a payload or template
//                             that cannot render)
//   reminder no longer due  → skip_outbox, not sent (the vacancy is closed or the rule it
//                             reminds of is not in shortfall any more)
//   deadline moved later    → a deadline reminder is put back, due after the new deadline
// A reminder that is still due is sent with the vacancy's current figures.
//
// Scheduled report emails (kind "report_email", report_email.hpp) are sent as written.
//
// Daily digests (kind "digest", digest.hpp): after the emails, each pass claims whole
// batches (one recipient's due notifications), brings each up to date with the stored
// verdict, and sends one email for the batch; the outcomes above apply to all its rows at
// once (a payload that cannot be read is dead-lettered alone). A batch with nothing left
// to say is completed without sending (skipped).
//
// Delivery is at least once: if the process dies after the server accepted a message but
// before complete_outbox committed, the row is claimed again when its lease runs out and
// sent again with the same Message-ID (the spool mailer then writes nothing new).
// last_error and DeliveryEvent::error carry mailer and store messages only, never
// applicant data (there is none in a payload).
//
// Thread-safety: start()/stop() from one owning thread. run_once() must not run on two
// threads at once (use it in tests instead of start()). counters() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/notify/mailer.hpp"
#include "connector/notify/templates.hpp"
#include "connector/store/store.hpp"

namespace mangfold::notify {

struct WorkerOptions {
  Address from{"Mangfold Connector", "mangfold@localhost"};  // From; its domain ends Message-IDs
  int batch = 20;                                            // rows claimed per pass; >= 1
  std::int64_t lease_seconds = 300;          // a claimed row is claimable again after this (crash)
  std::int64_t backoff_base_seconds = 30;    // the first retry's delay, before jitter
  std::int64_t backoff_cap_seconds = 21600;  // no retry waits longer than this (6 h)
  int max_attempts = 40;  // claims before a temporary failure is given up; 0 = never
  std::chrono::milliseconds poll_interval{2000};  // start(): idle wait between passes
  int digest_max_rows = 1000;                     // notifications in one digest email at most; >= 1
};

// Monotonic since construction. Each counts emails: a digest counts once however many
// notifications it carries (those are `digested`).
struct WorkerCounters {
  std::uint64_t sent = 0;          // accepted by the mailer
  std::uint64_t retried = 0;       // temporary failures put back with a delay
  std::uint64_t dead = 0;          // dead-lettered (permanent failure or attempts used up)
  std::uint64_t skipped = 0;       // reminders completed without sending
  std::uint64_t store_errors = 0;  // claim/complete/retry/dead-letter calls that failed
  std::uint64_t digested = 0;      // notifications delivered inside a digest (each digest
                                   // email also counts once in `sent`)
};

// One outcome, for the log. Ids, template name and codes only.
struct DeliveryEvent {
  enum class Kind { kSent, kRetried, kDead, kSkipped, kPostponed, kStoreError };
  Kind kind = Kind::kSent;
  std::string tenant, vacancy_id, template_name, key;
  int attempts = 0;
  std::string error;              // why (empty for kSent)
  std::int64_t next_attempt = 0;  // kRetried: unix seconds
};
std::string_view to_string(DeliveryEvent::Kind kind);

class OutboxWorker {
 public:
  using Clock = std::function<std::int64_t()>;  // unix seconds
  using Random = std::function<double()>;       // uniform in [0, 1)
  // The templates for a tenant; nullptr (or an empty function) means the built-ins.
  using TemplatesFor = std::function<std::shared_ptr<const Templates>(std::string_view tenant)>;
  // Called on the worker's thread after each outcome; must not block for long or throw.
  using Observer = std::function<void(const DeliveryEvent&)>;

  // `store` and `mailer` must outlive the worker.
  OutboxWorker(store::Store& store, Mailer& mailer, WorkerOptions options, Clock clock,
               Random random, TemplatesFor templates = {}, Observer observer = {});
  ~OutboxWorker();  // stop()
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  // Starts the thread: a pass at once, then one whenever the previous pass found a full
  // batch, wake() is called or poll_interval has passed. Idempotent.
  void start();
  // Finishes the message in hand, puts the rest of its claimed batch back (due at once)
  // and joins the thread. Idempotent.
  void stop();
  // Asks the thread for a pass now (e.g. after a submission that queued mail).
  void wake();
  // True from stop() until the next start().
  bool stop_requested() const { return stopping_; }

  // One pass at time `now`: claims up to `batch` due email rows and handles each, then up
  // to `batch` digest batches. Returns how many rows were claimed; the store's error when
  // the first claim failed.
  Result<int> run_once(std::int64_t now);

  WorkerCounters counters() const;

  // The delay before the next attempt after `attempts` claims (1 = the first delivery
  // failed): min(cap, base × 2^(attempts−1)), then "equal jitter": half of it plus
  // random × half, so retries spread out but never come sooner than half the delay. >= 1.
  static std::int64_t backoff_seconds(const WorkerOptions& options, int attempts, double random);

 private:
  void loop();
  void handle(const store::Store::Claimed& row, std::int64_t now);
  void handle_digest(const std::vector<store::Store::Claimed>& rows, std::int64_t now);
  // A scheduled report email (report_email.hpp): sent as written.
  void handle_report_email(const store::Store::Claimed& row, std::int64_t now);
  // Ends rows the same way: runs `store_call` on each (counting and reporting failures),
  // then reports `event` as `kind`.
  void settle_rows(DeliveryEvent& event, DeliveryEvent::Kind kind,
                   const std::vector<std::int64_t>& ids,
                   const std::function<Status(std::int64_t)>& store_call);
  void dead_letter(DeliveryEvent& event, const std::vector<std::int64_t>& ids,
                   const std::string& why);
  // Backs off after event.attempts claims; dead letters once max_attempts are used up.
  void retry_later(DeliveryEvent& event, const std::vector<std::int64_t>& ids, std::int64_t now,
                   const std::string& why);
  void report(DeliveryEvent event);

  store::Store& store_;
  Mailer& mailer_;
  WorkerOptions options_;
  Clock clock_;
  Random random_;
  TemplatesFor templates_;
  Observer observer_;
  std::shared_ptr<const Templates> builtin_;

  std::atomic<std::uint64_t> sent_{0}, retried_{0}, dead_{0}, skipped_{0}, store_errors_{0},
      digested_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace mangfold::notify
