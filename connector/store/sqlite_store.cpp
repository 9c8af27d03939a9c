#include "connector/store/sqlite_store.hpp"
#include "connector/common/thread_name.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "connector/domain/date.hpp"
#include "connector/store/rows.hpp"
#include "connector/store/sqlite_db.hpp"
#include "connector/store/sqlite_schema.hpp"
#include "connector/store/verdict_json.hpp"
#include "connector/store/wal_sync.hpp"

namespace mangfold::store {

namespace {

using rows::check_changes;
using rows::decode_stages;
using rows::encode_stages;
using rows::is_month;
using sqlite::Db;
using sqlite::Stmt;

// ---------------------------------------------------------------------------------------
// SQL. Kept as constants so each connection prepares each statement once.

constexpr std::string_view kInsertEvent =
    "INSERT INTO events (tenant, event_id, received_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kSelectVacancy =
    "SELECT tenant, vacancy_id, title, department, url, manager_name, manager_email, "
    "ad_language, status, deadline, hire_justification_given, opened_at, closed_at, updated_at "
    "FROM vacancies WHERE tenant = ?1 AND vacancy_id = ?2";
constexpr std::string_view kListVacancies =
    "SELECT tenant, vacancy_id, title, department, url, manager_name, manager_email, "
    "ad_language, status, deadline, hire_justification_given, opened_at, closed_at, updated_at "
    "FROM vacancies WHERE tenant = ?1 AND (?2 = 0 OR status = 'open') ORDER BY vacancy_id";
constexpr std::string_view kUpsertVacancy =
    "INSERT INTO vacancies (tenant, vacancy_id, title, department, url, manager_name, "
    "manager_email, ad_language, status, deadline, hire_justification_given, opened_at, "
    "closed_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
    "ON CONFLICT (tenant, vacancy_id) DO UPDATE SET title = excluded.title, "
    "department = excluded.department, url = excluded.url, manager_name = excluded.manager_name, "
    "manager_email = excluded.manager_email, ad_language = excluded.ad_language, "
    "status = excluded.status, deadline = excluded.deadline, "
    "hire_justification_given = excluded.hire_justification_given, "
    "opened_at = excluded.opened_at, closed_at = excluded.closed_at, "
    "updated_at = excluded.updated_at";
constexpr std::string_view kSelectCandidates =
    "SELECT candidate_id, stages FROM candidate_stages WHERE tenant = ?1 AND vacancy_id = ?2 "
    "ORDER BY candidate_id";
constexpr std::string_view kUpsertCandidate =
    "INSERT INTO candidate_stages (tenant, vacancy_id, candidate_id, stages) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tenant, vacancy_id, candidate_id) "
    "DO UPDATE SET stages = excluded.stages";
constexpr std::string_view kDeleteCandidate =
    "DELETE FROM candidate_stages WHERE tenant = ?1 AND vacancy_id = ?2 AND candidate_id = ?3";
constexpr std::string_view kSelectLastVerdict =
    "SELECT policy_id, policy_version, phase, overall, rules FROM current_verdicts "
    "WHERE tenant = ?1 AND vacancy_id = ?2";
// The log: outcomes and times only (DESIGN.md §4 rule 7).
constexpr std::string_view kInsertVerdict =
    "INSERT INTO verdicts (tenant, vacancy_id, created_at, policy_id, policy_version, phase, "
    "overall) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view kUpsertCurrentVerdict =
    "INSERT INTO current_verdicts (tenant, vacancy_id, created_at, policy_id, policy_version, "
    "phase, overall, rules) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (tenant, vacancy_id) DO UPDATE SET created_at = excluded.created_at, "
    "policy_id = excluded.policy_id, policy_version = excluded.policy_version, "
    "phase = excluded.phase, overall = excluded.overall, rules = excluded.rules";
constexpr std::string_view kInsertOutbox =
    "INSERT INTO outbox (kind, idempotency_key, tenant, vacancy_id, payload, not_before, "
    "created_at, batch_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (tenant, idempotency_key) DO NOTHING";
constexpr std::string_view kClaimOutbox =
    "UPDATE outbox SET state = 'inflight', lease_until = ?3, attempts = attempts + 1 "
    "WHERE id IN (SELECT id FROM outbox WHERE kind = ?1 AND "
    "((state = 'pending' AND not_before <= ?2) OR (state = 'inflight' AND lease_until <= ?2)) "
    "ORDER BY not_before, id LIMIT ?4) "
    "RETURNING id, kind, idempotency_key, tenant, vacancy_id, payload, not_before, attempts, "
    "batch_key";
// The same, restricted to the batch key of the oldest due row, in one statement so that
// two workers cannot split a batch between them.
constexpr std::string_view kClaimOutboxBatch =
    "UPDATE outbox SET state = 'inflight', lease_until = ?3, attempts = attempts + 1 "
    "WHERE id IN (SELECT id FROM outbox WHERE kind = ?1 AND "
    "((state = 'pending' AND not_before <= ?2) OR (state = 'inflight' AND lease_until <= ?2)) "
    "AND batch_key = (SELECT batch_key FROM outbox WHERE kind = ?1 AND "
    "((state = 'pending' AND not_before <= ?2) OR (state = 'inflight' AND lease_until <= ?2)) "
    "ORDER BY not_before, id LIMIT 1) "
    "ORDER BY not_before, id LIMIT ?4) "
    "RETURNING id, kind, idempotency_key, tenant, vacancy_id, payload, not_before, attempts, "
    "batch_key";
constexpr std::string_view kOutboxState = "SELECT state FROM outbox WHERE id = ?1";
// A row that is done (or dead) keeps that it was sent, not what it said: its payload (an
// email's counts) is emptied, so that finished rows are no log of counts (DESIGN.md §4
// rule 7).
constexpr std::string_view kCompleteOutbox =
    "UPDATE outbox SET state = 'done', lease_until = 0, payload = '{}' WHERE id = ?1";
constexpr std::string_view kRetryOutbox =
    "UPDATE outbox SET state = 'pending', not_before = ?2, lease_until = 0, last_error = ?3 "
    "WHERE id = ?1";
constexpr std::string_view kSkipOutbox =
    "UPDATE outbox SET state = 'done', delivered = 0, lease_until = 0, last_error = ?2, "
    "payload = '{}' "
    "WHERE id = ?1";
constexpr std::string_view kDeadLetterOutbox =
    "UPDATE outbox SET state = 'dead', lease_until = 0, last_error = ?2, payload = '{}' "
    "WHERE id = ?1";
constexpr std::string_view kOutboxDepth = "SELECT count(*) FROM outbox WHERE state = ?1";
constexpr std::string_view kPurgeEvents = "DELETE FROM events WHERE received_at < ?1";
constexpr std::string_view kCountEvents = "SELECT count(*) FROM events WHERE tenant = ?1";
// Reports and retention.
constexpr std::string_view kReportVacancies =
    "SELECT x.tenant, x.vacancy_id, x.title, x.department, x.url, x.manager_name, "
    "x.manager_email, x.ad_language, x.status, x.deadline, x.hire_justification_given, "
    "x.opened_at, x.closed_at, x.updated_at, "
    "v.policy_id, v.policy_version, v.phase, v.overall, v.rules, "
    "EXISTS (SELECT 1 FROM folded_vacancies f WHERE f.tenant = x.tenant "
    "AND f.vacancy_id = x.vacancy_id) "
    "FROM vacancies x LEFT JOIN current_verdicts v ON v.tenant = x.tenant "
    "AND v.vacancy_id = x.vacancy_id "
    "WHERE x.tenant = ?1 AND (?2 = 0 OR x.status = 'open') ORDER BY x.vacancy_id";
constexpr std::string_view kOutboxDoneByVacancy =
    "SELECT vacancy_id, kind, count(*) FROM outbox WHERE tenant = ?1 AND state = 'done' "
    "AND delivered = 1 GROUP BY vacancy_id, kind";
constexpr std::string_view kOutboxDoneOfVacancy =
    "SELECT kind, count(*) FROM outbox WHERE tenant = ?1 AND vacancy_id = ?2 AND state = 'done' "
    "AND delivered = 1 GROUP BY kind";
constexpr std::string_view kReadAggregates =
    "SELECT month, department, metric, value FROM monthly_aggregates "
    "WHERE tenant = ?1 AND month >= ?2 AND month <= ?3 ORDER BY month, department, metric";
// closed_at is 0 when the close time is unknown; updated_at is then the best bound.
constexpr std::string_view kDueVacancies =
    "SELECT tenant, vacancy_id FROM vacancies x WHERE status = 'closed' "
    "AND (?1 = '' OR tenant = ?1) "
    "AND (CASE WHEN closed_at > 0 THEN closed_at ELSE updated_at END) < ?2 "
    "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.tenant = x.tenant "
    "AND o.vacancy_id = x.vacancy_id AND o.state IN ('pending', 'inflight')) "
    "ORDER BY tenant, vacancy_id LIMIT ?3";
constexpr std::string_view kCountDeferred =
    "SELECT count(*) FROM vacancies x WHERE status = 'closed' AND (?1 = '' OR tenant = ?1) "
    "AND (CASE WHEN closed_at > 0 THEN closed_at ELSE updated_at END) < ?2 "
    "AND EXISTS (SELECT 1 FROM outbox o WHERE o.tenant = x.tenant "
    "AND o.vacancy_id = x.vacancy_id AND o.state IN ('pending', 'inflight'))";
constexpr std::string_view kIsFolded =
    "SELECT count(*) FROM folded_vacancies WHERE tenant = ?1 AND vacancy_id = ?2";
constexpr std::string_view kAddAggregate =
    "INSERT INTO monthly_aggregates (tenant, month, department, metric, value) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tenant, month, department, metric) "
    "DO UPDATE SET value = value + excluded.value";
constexpr std::string_view kRecordFolded =
    "INSERT INTO folded_vacancies (tenant, vacancy_id, folded_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (tenant, vacancy_id) DO UPDATE SET folded_at = excluded.folded_at";
constexpr std::string_view kDeleteCandidates =
    "DELETE FROM candidate_stages WHERE tenant = ?1 AND vacancy_id = ?2";
constexpr std::string_view kDeleteVerdicts =
    "DELETE FROM verdicts WHERE tenant = ?1 AND vacancy_id = ?2";
constexpr std::string_view kDeleteCurrentVerdict =
    "DELETE FROM current_verdicts WHERE tenant = ?1 AND vacancy_id = ?2";
constexpr std::string_view kDeleteFinishedOutbox =
    "DELETE FROM outbox WHERE tenant = ?1 AND vacancy_id = ?2 AND state IN ('done', 'dead')";
constexpr std::string_view kDeleteVacancy =
    "DELETE FROM vacancies WHERE tenant = ?1 AND vacancy_id = ?2";
constexpr std::string_view kForgetFolded = "DELETE FROM folded_vacancies WHERE folded_at < ?1";
constexpr std::string_view kRecordReportSend =
    "INSERT INTO report_sends (tenant, period, outbox_key, enqueued_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (tenant, period) DO NOTHING";
constexpr std::string_view kPing =
    "INSERT INTO store_meta (key, value) VALUES ('ping', 1) "
    "ON CONFLICT (key) DO UPDATE SET value = value + 1";

Status closed_status() {
  return unavailable("store closed");
}

// ---------------------------------------------------------------------------------------
// Row mapping.

VacancyRecord vacancy_from_row(const Stmt& row) {
  VacancyRecord v;
  v.tenant = row.text(0);
  v.vacancy_id = row.text(1);
  v.title = row.text(2);
  v.department = row.text(3);
  v.url = row.text(4);
  v.manager_name = row.text(5);
  v.manager_email = row.text(6);
  v.ad_language = row.text(7);
  v.status = row.text(8);
  v.deadline = row.text(9);
  v.hire_justification_given = row.int64(10) != 0;
  v.opened_at = row.int64(11);
  v.closed_at = row.int64(12);
  v.updated_at = row.int64(13);
  return v;
}

// Reads policy_id, policy_version, phase, overall and rules from columns first.. first+4.
Result<domain::Verdict> verdict_from_row(const Stmt& row, std::string_view vacancy_id,
                                         int first = 0) {
  return rows::verdict_from_columns({row.text(first), row.text(first + 1), row.text(first + 2),
                                     row.text(first + 3), row.text(first + 4)},
                                    vacancy_id);
}

// The vacancy as the connection sees it: committed state for a reader, and for the writer
// also what earlier submissions of the same batch changed.
Result<StoredVacancy> read_vacancy(Db& db, std::string_view tenant, std::string_view vacancy_id) {
  StoredVacancy out;
  out.record.tenant = std::string(tenant);
  out.record.vacancy_id = std::string(vacancy_id);
  {
    auto st = db.prepare(kSelectVacancy);
    if (!st.ok()) return st.status();
    st->bind(1, tenant).bind(2, vacancy_id);
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (*row) {
      out.exists = true;
      out.record = vacancy_from_row(*st);
    }
  }
  {
    auto st = db.prepare(kSelectCandidates);
    if (!st.ok()) return st.status();
    st->bind(1, tenant).bind(2, vacancy_id);
    for (;;) {
      auto row = st->step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      auto stages = decode_stages(st->text(1));
      if (!stages.ok()) return stages.status();
      out.candidates.push_back({st->text(0), std::move(*stages)});
    }
  }
  {
    auto st = db.prepare(kSelectLastVerdict);
    if (!st.ok()) return st.status();
    st->bind(1, tenant).bind(2, vacancy_id);
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (*row) {
      auto v = verdict_from_row(*st, vacancy_id);
      if (!v.ok()) return v.status();
      out.last_verdict = std::move(*v);
    }
  }
  return out;
}

Status write_changes(Db& db, const Submission& sub, const Changes& c) {
  const VacancyRecord& v = c.vacancy;
  {
    auto st = db.prepare(kUpsertVacancy);
    if (!st.ok()) return st.status();
    st->bind(1, v.tenant).bind(2, v.vacancy_id).bind(3, v.title).bind(4, v.department);
    st->bind(5, v.url).bind(6, v.manager_name).bind(7, v.manager_email).bind(8, v.ad_language);
    st->bind(9, v.status).bind(10, v.deadline);
    st->bind(11, std::int64_t{v.hire_justification_given ? 1 : 0});
    st->bind(12, v.opened_at).bind(13, v.closed_at).bind(14, v.updated_at);
    if (Status s = st->run(); !s) return s;
  }
  for (const std::string& id : c.retired_candidates) {
    auto st = db.prepare(kDeleteCandidate);
    if (!st.ok()) return st.status();
    if (Status s = st->bind(1, v.tenant).bind(2, v.vacancy_id).bind(3, id).run(); !s) return s;
  }
  for (const CandidateHistory& h : c.candidates) {
    auto st = db.prepare(kUpsertCandidate);
    if (!st.ok()) return st.status();
    st->bind(1, v.tenant).bind(2, v.vacancy_id).bind(3, h.candidate_id);
    st->bind(4, encode_stages(h.stages));
    if (Status s = st->run(); !s) return s;
  }
  if (c.verdict) {
    const rows::VerdictColumns verdict = rows::verdict_columns(*c.verdict);
    for (std::string_view sql : {kUpsertCurrentVerdict, kInsertVerdict}) {
      if (sql == kInsertVerdict && !c.log_verdict) continue;
      auto st = db.prepare(sql);
      if (!st.ok()) return st.status();
      st->bind(1, v.tenant).bind(2, v.vacancy_id).bind(3, sub.received_at);
      st->bind(4, verdict.policy_id).bind(5, verdict.policy_version);
      st->bind(6, verdict.phase).bind(7, verdict.overall);
      if (sql == kUpsertCurrentVerdict) st->bind(8, verdict.rules);
      if (Status s = st->run(); !s) return s;
    }
  }
  for (const OutboxItem& o : c.outbox) {
    auto st = db.prepare(kInsertOutbox);
    if (!st.ok()) return st.status();
    st->bind(1, o.kind).bind(2, o.idempotency_key).bind(3, o.tenant).bind(4, o.vacancy_id);
    st->bind(5, o.payload).bind(6, o.not_before).bind(7, sub.received_at).bind(8, o.batch_key);
    if (Status s = st->run(); !s) return s;
  }
  return Status{};
}

Result<std::int64_t> count(Db& db, std::string_view sql, std::string_view arg) {
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  st->bind(1, arg);
  auto row = st->step();
  if (!row.ok()) return row.status();
  return *row ? st->int64(0) : 0;
}

Status bind_run(Db& db, std::string_view sql, std::string_view tenant,
                std::string_view vacancy_id) {
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  return st->bind(1, tenant).bind(2, vacancy_id).run();
}

// Retention of one vacancy, inside the caller's transaction. Returns whether it was folded
// (false: it had been folded before and is only deleted).
Result<bool> fold_one(Db& db, const std::string& tenant, const std::string& vacancy_id,
                      const RetentionRequest& request) {
  auto stored = read_vacancy(db, tenant, vacancy_id);
  if (!stored.ok()) return stored.status();
  ReportVacancy rv;
  rv.record = std::move(stored->record);
  rv.last_verdict = std::move(stored->last_verdict);
  {
    auto st = db.prepare(kOutboxDoneOfVacancy);
    if (!st.ok()) return st.status();
    st->bind(1, tenant).bind(2, vacancy_id);
    for (;;) {
      auto row = st->step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      rv.outbox_done[st->text(0)] = st->int64(1);
    }
  }
  {
    auto st = db.prepare(kIsFolded);
    if (!st.ok()) return st.status();
    st->bind(1, tenant).bind(2, vacancy_id);
    auto row = st->step();
    if (!row.ok()) return row.status();
    rv.folded_before = *row && st->int64(0) > 0;
  }
  if (!rv.folded_before) {
    std::optional<Result<std::vector<AggregateRow>>> rows;
    try {
      rows.emplace(request.fold(rv));
    } catch (...) {
      return internal_error("store: the retention fold threw an exception");
    }
    if (!rows->ok()) return internal_error("store: retention fold: " + rows->status().message());
    for (const AggregateRow& r : rows->value()) {
      if (!is_month(r.month) || r.metric.empty())
        return internal_error("store: the retention fold returned a row without a month or metric");
      auto st = db.prepare(kAddAggregate);
      if (!st.ok()) return st.status();
      st->bind(1, tenant).bind(2, r.month).bind(3, r.department).bind(4, r.metric).bind(5, r.value);
      if (Status s = st->run(); !s) return s;
    }
  }
  {
    auto st = db.prepare(kRecordFolded);
    if (!st.ok()) return st.status();
    if (Status s = st->bind(1, tenant).bind(2, vacancy_id).bind(3, request.now).run(); !s) return s;
  }
  for (std::string_view sql : {kDeleteCandidates, kDeleteVerdicts, kDeleteCurrentVerdict,
                               kDeleteFinishedOutbox, kDeleteVacancy})
    if (Status s = bind_run(db, sql, tenant, vacancy_id); !s) return s;
  return !rv.folded_before;
}

// Checks that an outbox row can still change: it exists and was not delivered.
Status outbox_row_open(Db& db, std::int64_t id) {
  auto st = db.prepare(kOutboxState);
  if (!st.ok()) return st.status();
  st->bind(1, id);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!*row) return not_found("outbox row " + std::to_string(id) + " does not exist");
  if (st->text(0) == "done")
    return failed_precondition("outbox row " + std::to_string(id) + " was already delivered");
  return Status{};
}

// ---------------------------------------------------------------------------------------
// Writer jobs.

struct Counters {
  std::atomic<std::uint64_t> commits{0}, failed_batches{0}, submissions{0}, duplicates{0},
      largest_batch{0}, queued{0}, syncs{0}, sync_nanoseconds{0};
};

// One unit of work for the writer: run() inside its own savepoint in the batch
// transaction; finish() once the batch's fate is known.
class Job {
 public:
  virtual ~Job() = default;
  virtual Status run(Db& db) = 0;
  // outcome: run()'s status when the batch committed, else the batch's kUnavailable.
  virtual void finish(const Status& outcome) = 0;
};

class SubmitJob final : public Job {
 public:
  SubmitJob(Submission s, Done done, Counters& counters)
      : sub_(std::move(s)), done_(std::move(done)), counters_(counters) {}

  Status run(Db& db) override {
    if (sub_.tenant.empty() || sub_.event_id.empty() || sub_.vacancy_id.empty())
      return invalid_argument("store: submission needs a tenant, an event id and a vacancy id");
    if (!sub_.plan) return invalid_argument("store: submission without a plan");
    {
      auto st = db.prepare(kInsertEvent);
      if (!st.ok()) return st.status();
      st->bind(1, sub_.tenant).bind(2, sub_.event_id).bind(3, sub_.received_at);
      if (Status s = st->run(); !s) return s;
    }
    if (db.changes() == 0) {
      result_ = SubmitResult{Applied::kDuplicate, std::nullopt};
      return Status{};
    }
    auto prior = read_vacancy(db, sub_.tenant, sub_.vacancy_id);
    if (!prior.ok()) return prior.status();
    std::optional<Result<Changes>> planned;
    try {
      planned.emplace(sub_.plan(*prior));
    } catch (...) {
      // what() is left out: an exception's text is not ours to vet for applicant data.
      return internal_error("store: plan for event " + sub_.event_id + " threw an exception");
    }
    if (!planned->ok()) return planned->status();
    Changes& changes = planned->value();
    if (Status s = check_changes(sub_, changes); !s) return s;
    if (Status s = write_changes(db, sub_, changes); !s) return s;
    result_ = SubmitResult{Applied::kApplied, std::move(changes.verdict)};
    return Status{};
  }

  void finish(const Status& outcome) override {
    counters_.submissions.fetch_add(1, std::memory_order_relaxed);
    if (!outcome.ok()) {
      done_(outcome);
      return;
    }
    if (result_.applied == Applied::kDuplicate)
      counters_.duplicates.fetch_add(1, std::memory_order_relaxed);
    done_(std::move(result_));
  }

 private:
  Submission sub_;
  Done done_;
  Counters& counters_;
  SubmitResult result_;
};

// A synchronous write (outbox update, purge, ping): the caller waits on the future.
template <typename T>
class OpJob final : public Job {
 public:
  using Fn = std::function<Result<T>(Db&)>;
  explicit OpJob(Fn fn) : fn_(std::move(fn)) {}

  std::future<Result<T>> future() { return promise_.get_future(); }

  Status run(Db& db) override {
    Result<T> r = fn_(db);
    if (!r.ok()) return r.status();
    value_ = std::move(*r);
    return Status{};
  }
  void finish(const Status& outcome) override {
    if (outcome.ok())
      promise_.set_value(std::move(*value_));
    else
      promise_.set_value(outcome);
  }

 private:
  Fn fn_;
  std::optional<T> value_;
  std::promise<Result<T>> promise_;
};

struct Unit {};

Status to_status(const Result<Unit>& r) {
  return r.ok() ? Status{} : r.status();
}

int commit_hook_thunk(void* arg) {
  try {
    return (*static_cast<std::function<bool()>*>(arg))() ? 1 : 0;
  } catch (...) {
    return 1;
  }
}

// mangfold_pseudonym(tenant, vacancy_id, candidate_id) for the schema 4 migration: the
// options' pseudonymize hook. An error names the tenant, never the id.
void pseudonym_function(sqlite3_context* context, int, sqlite3_value** argv) {
  const auto* options = static_cast<const SqliteOptions*>(sqlite3_user_data(context));
  auto text = [argv](int i) {
    const unsigned char* t = sqlite3_value_text(argv[i]);
    return std::string_view(t ? reinterpret_cast<const char*>(t) : "",
                            static_cast<std::size_t>(sqlite3_value_bytes(argv[i])));
  };
  const std::string_view tenant = text(0);
  std::string error;
  if (!options->pseudonymize) {
    error =
        "the database keeps ATS candidate ids (schema 3 or older); open it with the service "
        "config, whose tenants' pseudonym keys turn them into pseudonyms";
  } else {
    Result<std::string> made = options->pseudonymize(tenant, text(1), text(2));
    if (made.ok()) {
      sqlite3_result_text(context, made->data(), static_cast<int>(made->size()), SQLITE_TRANSIENT);
      return;
    }
    error = "tenant '" + std::string(tenant) + "': " + made.status().message();
  }
  sqlite3_result_error(context, error.data(), static_cast<int>(error.size()));
}

Result<std::unique_ptr<Db>> open_reader(const SqliteOptions& o) {
  auto db = Db::open(o.path, SQLITE_OPEN_READWRITE, o.busy_timeout_ms);
  if (!db.ok()) return db.status();
  // Readers never write; query_only makes a bug that tries fail loudly instead of
  // racing the writer for the lock.
  if (Status s = (*db)->exec("PRAGMA query_only = 1"); !s) return s;
  return db;
}

// ---------------------------------------------------------------------------------------

class SqliteStore final : public Store {
 public:
  SqliteStore(SqliteOptions options, std::unique_ptr<Db> writer, std::unique_ptr<Db> reader)
      : options_(std::move(options)), writer_db_(std::move(writer)), wal_(options_.path) {
    idle_readers_.push_back(std::move(reader));
    if (options_.fail_commit_for_testing)
      sqlite3_commit_hook(writer_db_->handle(), commit_hook_thunk,
                          &options_.fail_commit_for_testing);
    syncer_ = std::thread([this] {
      name_this_thread("mf-fsync");
      syncer_loop();
    });
    syncer_id_ = syncer_.get_id();
    writer_ = std::thread([this] {
      name_this_thread("mf-writer");
      writer_loop();
    });
    writer_id_ = writer_.get_id();
  }

  ~SqliteStore() override { close(); }

  void submit(Submission s, Done done) override {
    auto job = std::make_unique<SubmitJob>(std::move(s), std::move(done), counters_);
    SubmitJob* raw = job.get();
    std::unique_ptr<Job> base = std::move(job);
    if (Status st = enqueue(base); !st) raw->finish(st);  // still owned by base
  }

  Result<StoredVacancy> load_vacancy(std::string_view tenant,
                                     std::string_view vacancy_id) override {
    return read<StoredVacancy>([&](Db& db) -> Result<StoredVacancy> {
      // One read transaction, so the vacancy, its histories and its verdict are one commit's.
      if (Status s = db.exec("BEGIN"); !s) return s;
      auto v = read_vacancy(db, tenant, vacancy_id);
      if (Status s = db.exec("COMMIT"); !s) return s;
      return v;
    });
  }

  Status ping() override {
    return to_status(call<Unit>([](Db& db) -> Result<Unit> {
      auto st = db.prepare(kPing);
      if (!st.ok()) return st.status();
      if (Status s = st->run(); !s) return s;
      return Unit{};
    }));
  }

  Result<std::vector<Claimed>> claim_outbox(std::string_view kind, std::int64_t now, int limit,
                                            std::int64_t lease_seconds) override {
    return claim(kClaimOutbox, kind, now, limit, lease_seconds);
  }

  Result<std::vector<Claimed>> claim_outbox_batch(std::string_view kind, std::int64_t now,
                                                  int limit, std::int64_t lease_seconds) override {
    return claim(kClaimOutboxBatch, kind, now, limit, lease_seconds);
  }

  Result<std::vector<Claimed>> claim(std::string_view sql, std::string_view kind, std::int64_t now,
                                     int limit, std::int64_t lease_seconds) {
    if (limit <= 0) return std::vector<Claimed>{};
    if (lease_seconds <= 0) return invalid_argument("claim_outbox: lease_seconds must be > 0");
    const std::string kind_copy(kind);
    return call<std::vector<Claimed>>(
        [sql, &kind_copy, now, limit, lease_seconds](Db& db) -> Result<std::vector<Claimed>> {
          auto st = db.prepare(sql);
          if (!st.ok()) return st.status();
          st->bind(1, kind_copy).bind(2, now).bind(3, now + lease_seconds);
          st->bind(4, std::int64_t{limit});
          std::vector<Claimed> out;
          for (;;) {
            auto row = st->step();
            if (!row.ok()) return row.status();
            if (!*row) break;
            Claimed c;
            c.id = st->int64(0);
            c.item.kind = st->text(1);
            c.item.idempotency_key = st->text(2);
            c.item.tenant = st->text(3);
            c.item.vacancy_id = st->text(4);
            c.item.payload = st->text(5);
            c.item.not_before = st->int64(6);
            c.attempts = static_cast<int>(st->int64(7));
            c.item.batch_key = st->text(8);
            out.push_back(std::move(c));
          }
          // RETURNING gives rows in no promised order.
          std::sort(out.begin(), out.end(), [](const Claimed& a, const Claimed& b) {
            return a.item.not_before != b.item.not_before ? a.item.not_before < b.item.not_before
                                                          : a.id < b.id;
          });
          return out;
        });
  }

  Status complete_outbox(std::int64_t id) override {
    return to_status(call<Unit>([id](Db& db) -> Result<Unit> {
      auto st = db.prepare(kCompleteOutbox);
      if (!st.ok()) return st.status();
      if (Status s = st->bind(1, id).run(); !s) return s;
      if (db.changes() == 0)
        return not_found("outbox row " + std::to_string(id) + " does not exist");
      return Unit{};
    }));
  }

  Status retry_outbox(std::int64_t id, std::int64_t not_before, std::string_view error) override {
    const std::string error_copy(error);
    return to_status(call<Unit>([id, not_before, &error_copy](Db& db) -> Result<Unit> {
      if (Status s = outbox_row_open(db, id); !s) return s;
      auto st = db.prepare(kRetryOutbox);
      if (!st.ok()) return st.status();
      if (Status s = st->bind(1, id).bind(2, not_before).bind(3, error_copy).run(); !s) return s;
      return Unit{};
    }));
  }

  Status skip_outbox(std::int64_t id, std::string_view why) override {
    return end_open_row(kSkipOutbox, id, why);
  }

  Status dead_letter_outbox(std::int64_t id, std::string_view error) override {
    return end_open_row(kDeadLetterOutbox, id, error);
  }

  // Runs `sql` (?1 the row id, ?2 the reason kept as last_error) on a row not yet done.
  Status end_open_row(std::string_view sql, std::int64_t id, std::string_view reason) {
    const std::string reason_copy(reason);
    return to_status(call<Unit>([sql, id, &reason_copy](Db& db) -> Result<Unit> {
      if (Status s = outbox_row_open(db, id); !s) return s;
      auto st = db.prepare(sql);
      if (!st.ok()) return st.status();
      if (Status s = st->bind(1, id).bind(2, reason_copy).run(); !s) return s;
      return Unit{};
    }));
  }

  Result<std::int64_t> outbox_depth(std::string_view state) override {
    if (state != "pending" && state != "inflight" && state != "done" && state != "dead")
      return invalid_argument("outbox_depth: state must be pending, inflight, done or dead");
    return read<std::int64_t>([&](Db& db) { return count(db, kOutboxDepth, state); });
  }

  Result<std::int64_t> purge_events(std::int64_t received_before) override {
    return call<std::int64_t>([received_before](Db& db) -> Result<std::int64_t> {
      auto st = db.prepare(kPurgeEvents);
      if (!st.ok()) return st.status();
      if (Status s = st->bind(1, received_before).run(); !s) return s;
      return db.changes();
    });
  }

  Result<std::vector<VacancyRecord>> list_vacancies(std::string_view tenant,
                                                    bool open_only) override {
    return read<std::vector<VacancyRecord>>([&](Db& db) -> Result<std::vector<VacancyRecord>> {
      auto st = db.prepare(kListVacancies);
      if (!st.ok()) return st.status();
      st->bind(1, tenant).bind(2, std::int64_t{open_only ? 1 : 0});
      std::vector<VacancyRecord> out;
      for (;;) {
        auto row = st->step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        out.push_back(vacancy_from_row(*st));
      }
      return out;
    });
  }

  Result<std::int64_t> count_events(std::string_view tenant) override {
    return read<std::int64_t>([&](Db& db) { return count(db, kCountEvents, tenant); });
  }

  Result<std::vector<ReportVacancy>> report_vacancies(std::string_view tenant,
                                                      bool open_only) override {
    return read<std::vector<ReportVacancy>>([&](Db& db) -> Result<std::vector<ReportVacancy>> {
      if (Status s = db.exec("BEGIN"); !s) return s;
      std::vector<ReportVacancy> out;
      {
        auto st = db.prepare(kReportVacancies);
        if (!st.ok()) return st.status();
        st->bind(1, tenant).bind(2, std::int64_t{open_only ? 1 : 0});
        for (;;) {
          auto row = st->step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          ReportVacancy rv;
          rv.record = vacancy_from_row(*st);
          if (!st->is_null(14)) {
            auto v = verdict_from_row(*st, rv.record.vacancy_id, 14);
            if (!v.ok()) return v.status();
            rv.last_verdict = std::move(*v);
          }
          rv.folded_before = st->int64(19) != 0;
          out.push_back(std::move(rv));
        }
      }
      {
        auto st = db.prepare(kOutboxDoneByVacancy);
        if (!st.ok()) return st.status();
        st->bind(1, tenant);
        for (;;) {
          auto row = st->step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          const std::string id = st->text(0);
          auto it = std::lower_bound(
              out.begin(), out.end(), id,
              [](const ReportVacancy& a, const std::string& b) { return a.record.vacancy_id < b; });
          if (it != out.end() && it->record.vacancy_id == id)
            it->outbox_done[st->text(1)] = st->int64(2);
        }
      }
      if (Status s = db.exec("COMMIT"); !s) return s;
      return out;
    });
  }

  Result<std::vector<AggregateRow>> read_aggregates(std::string_view tenant,
                                                    std::string_view from_month,
                                                    std::string_view to_month) override {
    if (!is_month(from_month) || !is_month(to_month))
      return invalid_argument("read_aggregates: months must be YYYY-MM");
    return read<std::vector<AggregateRow>>([&](Db& db) -> Result<std::vector<AggregateRow>> {
      auto st = db.prepare(kReadAggregates);
      if (!st.ok()) return st.status();
      st->bind(1, tenant).bind(2, from_month).bind(3, to_month);
      std::vector<AggregateRow> out;
      for (;;) {
        auto row = st->step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        out.push_back({st->text(0), st->text(1), st->text(2), st->int64(3)});
      }
      return out;
    });
  }

  Result<RetentionResult> fold_closed_vacancies(RetentionRequest request) override {
    if (!request.fold) return invalid_argument("retention: no fold function");
    if (request.limit < 1) return invalid_argument("retention: limit must be >= 1");
    auto req = std::make_shared<RetentionRequest>(std::move(request));
    return call<RetentionResult>([req](Db& db) -> Result<RetentionResult> {
      RetentionResult result;
      std::vector<std::pair<std::string, std::string>> due;
      {
        auto st = db.prepare(kDueVacancies);
        if (!st.ok()) return st.status();
        st->bind(1, req->tenant).bind(2, req->closed_before).bind(3, std::int64_t{req->limit});
        for (;;) {
          auto row = st->step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          due.emplace_back(st->text(0), st->text(1));
        }
      }
      for (const auto& [tenant, vacancy_id] : due) {
        auto folded = fold_one(db, tenant, vacancy_id, *req);
        if (!folded.ok()) return folded.status();
        if (*folded) ++result.folded;
        ++result.deleted;
      }
      {
        auto st = db.prepare(kCountDeferred);
        if (!st.ok()) return st.status();
        st->bind(1, req->tenant).bind(2, req->closed_before);
        auto row = st->step();
        if (!row.ok()) return row.status();
        result.deferred = *row ? st->int64(0) : 0;
      }
      result.more = static_cast<std::int64_t>(due.size()) == req->limit;
      return result;
    });
  }

  Result<bool> enqueue_scheduled_report(std::string_view tenant, std::string_view period,
                                        OutboxItem email, std::int64_t now) override {
    if (tenant.empty() || period.empty())
      return invalid_argument("scheduled report: tenant and period are required");
    email.tenant = std::string(tenant);
    return call<bool>([tenant = std::string(tenant), period = std::string(period),
                       email = std::move(email), now](Db& db) -> Result<bool> {
      {
        auto st = db.prepare(kRecordReportSend);
        if (!st.ok()) return st.status();
        st->bind(1, tenant).bind(2, period).bind(3, email.idempotency_key).bind(4, now);
        if (Status s = st->run(); !s) return s;
      }
      if (db.changes() == 0) return false;  // this period was enqueued before
      auto st = db.prepare(kInsertOutbox);
      if (!st.ok()) return st.status();
      st->bind(1, email.kind).bind(2, email.idempotency_key).bind(3, email.tenant);
      st->bind(4, email.vacancy_id).bind(5, email.payload).bind(6, email.not_before);
      st->bind(7, now).bind(8, email.batch_key);
      if (Status s = st->run(); !s) return s;
      return true;
    });
  }

  Result<std::int64_t> forget_folded(std::int64_t folded_before) override {
    return call<std::int64_t>([folded_before](Db& db) -> Result<std::int64_t> {
      auto st = db.prepare(kForgetFolded);
      if (!st.ok()) return st.status();
      if (Status s = st->bind(1, folded_before).run(); !s) return s;
      return db.changes();
    });
  }

  StoreStats stats() const override {
    StoreStats s;
    s.commits = counters_.commits.load();
    s.failed_batches = counters_.failed_batches.load();
    s.submissions = counters_.submissions.load();
    s.duplicates = counters_.duplicates.load();
    s.largest_batch = counters_.largest_batch.load();
    s.queued = counters_.queued.load();
    s.syncs = counters_.syncs.load();
    s.sync_seconds = static_cast<double>(counters_.sync_nanoseconds.load()) / 1e9;
    return s;
  }

  void close() override {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
    // From a Done callback (on mf-fsync) or a plan (on mf-writer) a thread cannot wait for
    // itself; both drain and stop on their own, and the destructor (on another thread)
    // joins them.
    if (std::this_thread::get_id() == writer_id_ || std::this_thread::get_id() == syncer_id_)
      return;
    {
      std::lock_guard lock(join_mu_);
      if (writer_.joinable()) writer_.join();
      if (syncer_.joinable()) syncer_.join();
      writer_db_.reset();
    }
    std::lock_guard lock(pool_mu_);
    idle_readers_.clear();
  }

 private:
  Status enqueue(std::unique_ptr<Job>& job) {
    {
      std::lock_guard lock(mu_);
      if (closed_) return closed_status();
      if (!sync_failure_.ok()) return sync_failure_;
      if (queue_.size() >= options_.max_queue) return unavailable("store: write queue is full");
      queue_.push_back(std::move(job));
      counters_.queued.store(queue_.size(), std::memory_order_relaxed);
    }
    cv_.notify_one();
    return Status{};
  }

  template <typename T>
  Result<T> call(typename OpJob<T>::Fn fn) {
    if (std::this_thread::get_id() == writer_id_ || std::this_thread::get_id() == syncer_id_)
      return failed_precondition("store: synchronous call from the store's own thread");
    auto job = std::make_unique<OpJob<T>>(std::move(fn));
    auto result = job->future();
    std::unique_ptr<Job> base = std::move(job);
    if (Status s = enqueue(base); !s) return s;
    return result.get();
  }

  template <typename T>
  Result<T> read(const std::function<Result<T>(Db&)>& fn) {
    if (closed_.load()) return closed_status();
    std::unique_ptr<Db> db;
    {
      std::lock_guard lock(pool_mu_);
      if (!idle_readers_.empty()) {
        db = std::move(idle_readers_.back());
        idle_readers_.pop_back();
      }
    }
    if (!db) {
      auto opened = open_reader(options_);
      if (!opened.ok()) return opened.status();
      db = std::move(*opened);
    }
    Result<T> r = fn(*db);
    if (db->in_transaction()) db->exec("ROLLBACK");
    std::lock_guard lock(pool_mu_);
    if (!closed_.load() &&
        idle_readers_.size() < static_cast<std::size_t>(options_.max_idle_readers))
      idle_readers_.push_back(std::move(db));
    return r;
  }

  // A batch the writer has finished: committed (waiting for its sync) or failed.
  struct Finished {
    std::vector<std::unique_ptr<Job>> jobs;
    std::vector<Status> outcomes;  // each job's own status, when the batch committed
    Status batch;                  // the COMMIT's: not ok means nothing of it is kept
  };

  void writer_loop() {
    for (;;) {
      Finished done;
      {
        std::unique_lock lock(mu_);
        // Ahead of the syncer by at most max_unsynced_batches: a stalled disk stops the
        // commits, and then the queue's bound turns submissions away.
        cv_.wait(lock, [this] {
          return (!queue_.empty() || closed_) &&
                 unsynced_.size() < static_cast<std::size_t>(options_.max_unsynced_batches);
        });
        if (queue_.empty()) {  // closed and drained: the syncer finishes what is left
          writer_done_ = true;
          sync_cv_.notify_one();
          return;
        }
        const auto n = std::min(queue_.size(), static_cast<std::size_t>(options_.max_batch));
        done.jobs.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
          done.jobs.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        counters_.queued.store(queue_.size(), std::memory_order_relaxed);
        if (!sync_failure_.ok()) done.batch = sync_failure_;
      }
      // After a failed sync nothing more is committed: the jobs fail with its status.
      if (done.batch.ok()) run_batch(done);
      {
        std::lock_guard lock(mu_);
        unsynced_.push_back(std::move(done));
      }
      sync_cv_.notify_one();
    }
  }

  // Syncs the log for every batch committed so far, then completes them in commit order.
  void syncer_loop() {
    std::deque<Finished> taken;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        sync_cv_.wait(lock, [this] { return !unsynced_.empty() || writer_done_; });
        if (unsynced_.empty()) return;  // the writer stopped and everything is completed
        taken.swap(unsynced_);
      }
      cv_.notify_all();  // room for the writer again
      const bool committed =
          std::any_of(taken.begin(), taken.end(), [](const Finished& f) { return f.batch.ok(); });
      Status synced = committed ? sync_log() : Status{};
      for (Finished& f : taken)
        complete(f, f.batch.ok() ? synced : f.batch);
      taken.clear();
    }
  }

  // One fdatasync of the log; a failure is kept, so that every later write fails too.
  Status sync_log() {
    Status s;
    {
      std::lock_guard lock(mu_);
      s = sync_failure_;
    }
    if (s.ok() && options_.before_sync_for_testing) s = options_.before_sync_for_testing();
    if (s.ok()) {
      const auto started = std::chrono::steady_clock::now();
      s = wal_.sync();
      const auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now() - started);
      if (s.ok()) {
        counters_.syncs.fetch_add(1, std::memory_order_relaxed);
        counters_.sync_nanoseconds.fetch_add(static_cast<std::uint64_t>(took.count()),
                                             std::memory_order_relaxed);
        return s;
      }
    }
    // Whether the commits since the last sync reached the disk is unknown (and after a
    // failed fdatasync the kernel may already have dropped the pages), so the store stops
    // acknowledging anything: a restart recovers from what the disk really holds.
    s = unavailable(
        "store: the database could not be synced to disk, so no write is "
        "acknowledged any more; restart the connector (" +
        s.message() + ")");
    bool first = false;
    {
      std::lock_guard lock(mu_);
      first = sync_failure_.ok();
      if (first) sync_failure_ = s;
      s = sync_failure_;
    }
    if (first && options_.on_sync_failure) {
      try {
        options_.on_sync_failure(s);
      } catch (...) {
        // The store has stopped either way; a throwing callback must not take the thread.
      }
    }
    return s;
  }

  // A statement run through the connection's cache: parsed once, not once per job.
  static Status run_cached(Db& db, std::string_view sql) {
    Result<Stmt> st = db.prepare(sql);
    return st.ok() ? st->run() : st.status();
  }

  void run_batch(Finished& done) {
    Db& db = *writer_db_;
    std::vector<std::unique_ptr<Job>>& jobs = done.jobs;
    std::vector<Status>& outcomes = done.outcomes;
    outcomes.resize(jobs.size());
    Status& batch = done.batch;
    batch = db.exec("BEGIN IMMEDIATE");
    for (std::size_t i = 0; batch.ok() && i < jobs.size(); ++i) {
      batch = run_cached(db, "SAVEPOINT job");
      if (!batch) break;
      Status st;
      try {
        st = jobs[i]->run(db);
      } catch (...) {
        st = internal_error("store: a write job threw an exception");
      }
      // Some errors (full disk, I/O) make SQLite roll back the whole transaction; then
      // the jobs that ran before this one are lost too.
      if (!db.in_transaction()) {
        batch = unavailable("store: transaction rolled back: " + st.message());
        break;
      }
      batch = st.ok() ? run_cached(db, "RELEASE job") : db.exec("ROLLBACK TO job; RELEASE job");
      outcomes[i] = std::move(st);
    }
    if (batch.ok()) batch = db.exec("COMMIT");
    if (!batch.ok()) {
      if (db.in_transaction()) db.exec("ROLLBACK");
      // Nothing of the batch is durable, whatever the reason: every sender must retry.
      if (batch.code() != StatusCode::kUnavailable) batch = unavailable(batch.message());
      counters_.failed_batches.fetch_add(1, std::memory_order_relaxed);
    } else {
      counters_.commits.fetch_add(1, std::memory_order_relaxed);
    }
    std::uint64_t largest = counters_.largest_batch.load(std::memory_order_relaxed);
    while (jobs.size() > largest &&
           !counters_.largest_batch.compare_exchange_weak(largest, jobs.size())) {
    }
  }

  // Completes a batch's jobs: with their own outcomes when `fate` is ok (committed and
  // synced), else all with `fate`.
  static void complete(Finished& f, const Status& fate) {
    for (std::size_t i = 0; i < f.jobs.size(); ++i) {
      try {
        f.jobs[i]->finish(fate.ok() ? f.outcomes[i] : fate);
      } catch (...) {
        // A Done must not throw (store.hpp); if one does, the syncer must live on for the
        // other submissions.
      }
    }
  }

  SqliteOptions options_;
  std::unique_ptr<Db> writer_db_;  // used only by the writer thread once it runs
  Counters counters_;

  std::mutex mu_;  // guards queue_, unsynced_, sync_failure_, writer_done_, closed_ changes
  std::condition_variable cv_;       // the writer waits here
  std::condition_variable sync_cv_;  // the syncer waits here
  std::deque<std::unique_ptr<Job>> queue_;
  std::deque<Finished> unsynced_;  // batches the writer is done with, oldest first
  Status sync_failure_;            // not ok once a sync failed: the store acknowledges nothing
  bool writer_done_ = false;
  std::atomic<bool> closed_{false};
  sqlite::WalFile wal_;  // used only by the syncer thread

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Db>> idle_readers_;

  std::mutex join_mu_;
  std::thread writer_;
  std::thread::id writer_id_;
  std::thread syncer_;
  std::thread::id syncer_id_;
};

Status check_options(const SqliteOptions& o) {
  if (o.path.empty()) return invalid_argument("sqlite: path is empty");
  if (o.max_batch < 1) return invalid_argument("sqlite: max_batch must be >= 1");
  if (o.busy_timeout_ms < 0) return invalid_argument("sqlite: busy_timeout_ms must be >= 0");
  if (o.max_queue < 1) return invalid_argument("sqlite: max_queue must be >= 1");
  if (o.max_unsynced_batches < 1)
    return invalid_argument("sqlite: max_unsynced_batches must be >= 1");
  if (o.max_idle_readers < 0) return invalid_argument("sqlite: max_idle_readers must be >= 0");
  return Status{};
}

}  // namespace

int sqlite_schema_version() {
  return sqlite::latest_schema_version();
}

Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteOptions& options) {
  if (Status s = check_options(options); !s) return s;
  // Each connection is used by one thread at a time but not always the same thread, which
  // a single-thread build of SQLite does not allow.
  if (sqlite3_threadsafe() == 0)
    return failed_precondition("sqlite: the SQLite library was built without thread support");
  const std::filesystem::path file(options.path);
  if (options.path != ":memory:" && file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec)
      return unavailable("sqlite: cannot create " + file.parent_path().string() + ": " +
                         ec.message());
  }
  auto writer =
      Db::open(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options.busy_timeout_ms);
  if (!writer.ok()) return writer.status();
  if (Status s = sqlite::require_durability(**writer, options.path); !s) return s;
  // Deleted rows (retention, re-keyed histories, what a migration replaces) are overwritten
  // with zeros, not merely unlinked, so the file's free pages keep nothing of them.
  if (Status s = (*writer)->exec("PRAGMA secure_delete = ON"); !s) return s;
  if (sqlite3_create_function_v2((*writer)->handle(), "mangfold_pseudonym", 3, SQLITE_UTF8,
                                 const_cast<SqliteOptions*>(&options), pseudonym_function, nullptr,
                                 nullptr, nullptr) != SQLITE_OK)
    return internal_error("sqlite: cannot register mangfold_pseudonym");
  auto before = (*writer)->query_text("PRAGMA user_version");
  if (!before.ok()) return before.status();
  Status migrated = sqlite::migrate(**writer);
  // The function points at `options`, which the store does not keep: gone after the migration.
  sqlite3_create_function_v2((*writer)->handle(), "mangfold_pseudonym", 3, SQLITE_UTF8, nullptr,
                             nullptr, nullptr, nullptr, nullptr);
  if (!migrated) return migrated;
  // A file that kept ATS ids or counted verdict logs before schema 4 is rewritten whole, and
  // its WAL emptied, so that nothing of the old rows survives in free space.
  if (*before != "0" && std::stoi(*before) < 4) {
    if (Status s = (*writer)->exec("VACUUM"); !s) return s;
    if (Status s = (*writer)->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !s) return s;
  }
  // From here on COMMIT does not sync; the store's mf-fsync thread syncs the log before
  // anything is acknowledged.
  if (Status s = sqlite::hand_sync_to_store(**writer, options.path); !s) return s;
  // A reader is opened now so that a path readers cannot open fails at start, not later.
  auto reader = open_reader(options);
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<Store>(
      std::make_unique<SqliteStore>(options, std::move(*writer), std::move(*reader)));
}

}  // namespace mangfold::store
