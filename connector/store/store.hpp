// The storage interface: durable vacancy state, verdicts, dedupe keys and the outbox.
//
// The HTTP server acknowledges a webhook only after Store::submit has completed it
// (DESIGN.md §3): the dedupe key, the vacancy state, candidate stage histories, the
// verdict and the outbox rows of one event commit in one transaction, shared with
// concurrent events (group commit). Level-triggered evaluation needs the prior state,
// so a submission carries a Plan that the store's writer runs on the stored vacancy
// inside that transaction.
//
// PRIVACY (DESIGN.md §4): nothing here can hold a target-group answer or a raw webhook
// body. Candidate histories are stages only, under the pseudonyms the caller made of the
// ATS ids (connector/app/pseudonyms.hpp); verdicts are counts and reason codes, and only
// a vacancy's current verdict keeps its counts.
//
// This header names no database library; implementations (SQLite in sqlite_store.hpp,
// PostgreSQL later) hide behind it. Errors are Status values, never exceptions.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/domain/vacancy.hpp"
#include "connector/domain/verdict.hpp"

namespace mangfold::store {

// What is kept per vacancy. No applicant data; the manager is the employer's contact.
struct VacancyRecord {
  std::string tenant, vacancy_id, title, department, url, manager_name, manager_email, ad_language;
  std::string status = "open";  // "open" | "closed"
  std::string deadline;         // YYYY-MM-DD or empty
  bool hire_justification_given = false;
  std::int64_t opened_at = 0, closed_at = 0, updated_at = 0;  // unix seconds, 0 = unknown
};

// Every stage a candidate was ever seen in for one vacancy, oldest first. Kept so that an
// invitee who later withdrew still counts as invited.
struct CandidateHistory {
  std::string candidate_id;  // a keyed pseudonym of the ATS's id, never the id itself
  std::vector<domain::Stage> stages;
};

// A vacancy as stored. When exists is false, record carries only tenant and vacancy_id.
struct StoredVacancy {
  bool exists = false;
  VacancyRecord record;
  std::vector<CandidateHistory> candidates;  // ordered by candidate_id
  std::optional<domain::Verdict> last_verdict;
};

// A side effect for the outbox workers (an email, an ATS write-back).
struct OutboxItem {
  std::string kind;             // "email", "ad_writeback", …
  std::string idempotency_key;  // unique per tenant; a second insert with the same key is ignored
  std::string tenant;           // empty = the submission's tenant
  std::string vacancy_id;
  std::string payload;          // JSON text built by the caller; never applicant data
  std::int64_t not_before = 0;  // unix seconds; not claimed before then
  // Rows of one kind with the same non-empty batch key are delivered together (a daily
  // digest: one email for several notifications); see claim_outbox_batch. Empty = alone.
  std::string batch_key;
};

// What one event changes. The vacancy row is replaced as a whole; each listed candidate's
// history is replaced; candidates not listed keep theirs.
struct Changes {
  VacancyRecord vacancy;  // tenant/vacancy_id may be left empty: the submission's are used
  std::vector<CandidateHistory> candidates;
  // Stored candidate ids whose histories are deleted: a history re-keyed under a new
  // pseudonym (key rotation) is listed in `candidates` under its new id and here under its old.
  std::vector<std::string> retired_candidates;
  // Becomes the vacancy's current verdict (with its counts); its outcome and time are
  // appended to the verdict log, which keeps no counts (DESIGN.md §4 rule 7). Plans set it
  // only when the verdict changed (differs from StoredVacancy::last_verdict), so a store
  // writes what it is given: the events table has a row per event, the verdict tables a
  // row per change, and an unchanged event adds only its dedupe key (issue 22).
  std::optional<domain::Verdict> verdict;
  // Whether `verdict` also appends a row to the verdict log. Plans clear it when only the
  // counts changed (policy, version, phase and overall as before): a log row that appeared
  // exactly when an event moved a count would tell anyone who knows which candidate the event
  // was about something about that person's answer (DESIGN.md §4). The current verdict is
  // still updated in place.
  bool log_verdict = true;
  std::vector<OutboxItem> outbox;
};

// --- Reports and retention (DESIGN.md §4.4–4.5).

// One additive monthly figure: a count summed over vacancies (never a person's answer).
// Folding adds `value` to the row with the same tenant, month, department and metric.
struct AggregateRow {
  std::string month;       // "YYYY-MM"
  std::string department;  // "" when the ATS names none
  std::string metric;      // a key chosen by connector/report, e.g. "vacancies"; non-empty
  std::int64_t value = 0;
};

// A vacancy as reports see it: its record, its latest verdict (its current state) and how
// many of its outbox rows were delivered, by kind.
struct ReportVacancy {
  VacancyRecord record;
  std::optional<domain::Verdict> last_verdict;
  std::map<std::string, std::int64_t, std::less<>> outbox_done;
  // The id was folded into the aggregates earlier and an event brought it back; its
  // figures are already counted (retention keeps the first fold, see fold_closed_vacancies).
  bool folded_before = false;
};

// The aggregate rows a vacancy adds when retention deletes it. Runs on the writer thread
// inside the retention transaction, like a Plan: pure and quick. An error (or an
// exception, which becomes kInternal) rolls the whole retention call back.
using Fold = std::function<Result<std::vector<AggregateRow>>(const ReportVacancy&)>;

struct RetentionRequest {
  std::string tenant;              // empty: every tenant
  std::int64_t closed_before = 0;  // unix seconds: vacancies closed before this go
  std::int64_t now = 0;            // unix seconds, stamped on the fold record
  int limit = 500;                 // most vacancies per call (one transaction); >= 1
  Fold fold;                       // required
};

struct RetentionResult {
  std::int64_t folded = 0;    // vacancies whose figures were added to the aggregates
  std::int64_t deleted = 0;   // vacancies deleted (folded now, or folded before and back)
  std::int64_t deferred = 0;  // due but kept: an outbox row is still pending or inflight
  bool more = false;          // the limit was reached: call again
};

// Computes an event's changes from the vacancy's prior stored state. Runs on the writer
// thread inside the batch transaction, so it must be pure and quick: no I/O, no locks
// that a Done callback or another submitter could hold. An error (or an exception, which
// becomes kInternal) rolls back that submission alone.
using Plan = std::function<Result<Changes>(const StoredVacancy& prior)>;

struct Submission {
  std::string tenant, event_id, vacancy_id;  // all non-empty
  std::int64_t received_at = 0;              // unix seconds; dedupe retention and created_at
  Plan plan;
};

enum class Applied { kApplied, kDuplicate };

struct SubmitResult {
  Applied applied = Applied::kApplied;
  // The verdict stored; nullopt for a duplicate and when the plan stored none (unchanged).
  std::optional<domain::Verdict> verdict;
};

// Called exactly once per submission, on one of the store's own threads once the batch's
// outcome is durable (or known failed), after the plan returned; except where submit() says
// otherwise. (SQLite: mf-fsync, after the fdatasync of its log; PostgreSQL: the writer.)
// Must not block, throw, destroy the Store or call its synchronous methods (they fail from
// the store's threads).
// Errors: kUnavailable (storage failed or the store is closed or overloaded: answer 503,
// the sender retries; nothing of the event was kept), the plan's own error,
// kInvalidArgument (a submission without ids or plan), kInternal (the plan threw, or its
// Changes are malformed: bad status or deadline, foreign tenant, outbox payload not JSON).
using Done = std::function<void(Result<SubmitResult>)>;

// Counters for /metrics and tests. Monotonic since open, except queued.
struct StoreStats {
  std::uint64_t commits = 0;         // transactions committed by the writer
  std::uint64_t failed_batches = 0;  // transactions that failed as a whole (all got kUnavailable)
  std::uint64_t submissions = 0;     // submissions completed, any outcome
  std::uint64_t duplicates = 0;      // of which were duplicates
  std::uint64_t largest_batch = 0;   // most jobs in one transaction
  std::uint64_t queued = 0;          // jobs waiting for the writer right now
  // SQLite only (0 for PostgreSQL, whose server syncs inside COMMIT): the fdatasyncs of the
  // log that made commits durable, and the seconds spent in them.
  std::uint64_t syncs = 0;
  double sync_seconds = 0;
};

// Thread-safety: every method may be called from any thread, except that synchronous
// methods must not be called from the store's own threads (a Plan or a Done); they then
// fail with kFailedPrecondition instead of deadlocking. After close(), every method but stats()
// returns kUnavailable("store closed").
class Store {
 public:
  virtual ~Store() = default;

  // Queues the submission and returns at once (never blocks on I/O). A duplicate (same
  // tenant + event_id still within retention) completes as kDuplicate without calling
  // the plan. When the store is closed or its queue is full, done is called at once on
  // the caller's thread with kUnavailable.
  virtual void submit(Submission s, Done done) = 0;

  // The last committed state of a vacancy; exists=false when unknown.
  virtual Result<StoredVacancy> load_vacancy(std::string_view tenant,
                                             std::string_view vacancy_id) = 0;

  // OK when storage is writable: a probe write commits through the writer. Blocks for
  // one commit (longer while another process holds the database's write lock).
  virtual Status ping() = 0;

  // --- The outbox, for the workers. Each write commits before the call returns.
  struct Claimed {
    std::int64_t id = 0;
    OutboxItem item;
    int attempts = 0;  // claims so far, this one included (1 on the first delivery)
  };
  // Claims up to `limit` due rows of `kind`: pending with not_before <= now, or inflight
  // whose lease ran out (a worker died). Claimed rows are inflight until now+lease_seconds
  // and are not claimed again before then. Oldest not_before first.
  virtual Result<std::vector<Claimed>> claim_outbox(std::string_view kind, std::int64_t now,
                                                    int limit, std::int64_t lease_seconds) = 0;
  // Claims the due rows of `kind` (as claim_outbox, up to `limit`) that share the batch key
  // of the oldest due one, so that a batch is handled whole. Empty when none is due.
  virtual Result<std::vector<Claimed>> claim_outbox_batch(std::string_view kind, std::int64_t now,
                                                          int limit,
                                                          std::int64_t lease_seconds) = 0;
  // Marks a row delivered. kNotFound for an unknown id.
  virtual Status complete_outbox(std::int64_t id) = 0;
  // Puts a row back to pending, due at not_before. `error` is kept as last_error and must
  // carry no applicant data. kNotFound for an unknown id, kFailedPrecondition when done.
  virtual Status retry_outbox(std::int64_t id, std::int64_t not_before, std::string_view error) = 0;
  // Ends a row without delivering it (state done, not counted as delivered: a reminder
  // that is no longer due). `why` is kept as last_error. Same errors as retry_outbox.
  virtual Status skip_outbox(std::int64_t id, std::string_view why) = 0;
  // Gives up on a row (state dead). Same errors as retry_outbox.
  virtual Status dead_letter_outbox(std::int64_t id, std::string_view error) = 0;
  // Rows in exactly that state: "pending", "inflight", "done" or "dead".
  virtual Result<std::int64_t> outbox_depth(std::string_view state) = 0;

  // Deletes dedupe keys received before `received_before`; returns how many.
  virtual Result<std::int64_t> purge_events(std::int64_t received_before) = 0;
  // A tenant's vacancies ordered by vacancy_id.
  virtual Result<std::vector<VacancyRecord>> list_vacancies(std::string_view tenant,
                                                            bool open_only) = 0;
  // Dedupe keys held for a tenant.
  virtual Result<std::int64_t> count_events(std::string_view tenant) = 0;

  // --- Reports and retention. Reads see one commit; writes commit before returning.

  // A tenant's vacancies (open ones only when open_only) with their latest verdicts and
  // delivered outbox counts, ordered by vacancy_id.
  virtual Result<std::vector<ReportVacancy>> report_vacancies(std::string_view tenant,
                                                              bool open_only) = 0;
  // A tenant's folded aggregate rows with from_month <= month <= to_month ("YYYY-MM"),
  // ordered by month, department, metric. kInvalidArgument for a malformed month.
  virtual Result<std::vector<AggregateRow>> read_aggregates(std::string_view tenant,
                                                            std::string_view from_month,
                                                            std::string_view to_month) = 0;
  // Retention: deletes every vacancy closed before request.closed_before (closed_at, or
  // updated_at when closed_at is unknown) with its candidate histories, verdict log and
  // delivered or dead outbox rows, and in the same transaction adds request.fold's rows
  // to the monthly aggregates and records the id as folded. A vacancy with an outbox row
  // still pending or inflight is deferred to a later call. A vacancy folded before (its
  // id came back through a later event) is deleted without folding again: the first
  // fold's figures stand, so no vacancy is counted twice.
  // Errors: kInvalidArgument (no fold, limit < 1), kInternal (the fold failed or returned
  // a malformed row), kUnavailable (storage); nothing is changed then.
  virtual Result<RetentionResult> fold_closed_vacancies(RetentionRequest request) = 0;
  // --- Scheduled reports (issue 19): exactly one email per tenant and period.
  // Records that `tenant`'s report for `period` (e.g. "2026-11") was enqueued and inserts
  // `email` into the outbox, in one transaction. true: recorded and enqueued now; false:
  // the period was recorded before (nothing is changed), so a restart, a second instance
  // or a retry never sends a period twice. kInvalidArgument for an empty tenant or period.
  virtual Result<bool> enqueue_scheduled_report(std::string_view tenant, std::string_view period,
                                                OutboxItem email, std::int64_t now) = 0;

  // Forgets fold records made before `folded_before` (unix seconds); returns how many.
  // An id forgotten this way counts again if it ever comes back.
  virtual Result<std::int64_t> forget_folded(std::int64_t folded_before) = 0;

  virtual StoreStats stats() const = 0;

  // Completes every queued submission (committing them), stops the writer and releases
  // the database. Idempotent; also done by the destructor.
  virtual void close() = 0;
};

}  // namespace mangfold::store
