#include "connector/store/postgres/postgres_store.hpp"
#include "connector/common/thread_name.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "connector/store/postgres/pg_conn.hpp"
#include "connector/store/postgres/pg_schema.hpp"
#include "connector/store/rows.hpp"

namespace mangfold::store {

namespace {

using pg::Conn;
using pg::params;
using pg::Rows;

// ---------------------------------------------------------------------------------------
// SQL: the SQLite store's statements in PostgreSQL's dialect.

constexpr const char* kInsertEvent =
    "INSERT INTO events (tenant, event_id, received_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";
constexpr const char* kVacancyColumns =
    "tenant, vacancy_id, title, department, url, manager_name, manager_email, "
    "ad_language, status, deadline, hire_justification_given, opened_at, closed_at, updated_at";
constexpr const char* kSelectVacancy =
    "SELECT tenant, vacancy_id, title, department, url, manager_name, manager_email, "
    "ad_language, status, deadline, hire_justification_given, opened_at, closed_at, updated_at "
    "FROM vacancies WHERE tenant = $1 AND vacancy_id = $2";
constexpr const char* kListVacancies =
    "SELECT tenant, vacancy_id, title, department, url, manager_name, manager_email, "
    "ad_language, status, deadline, hire_justification_given, opened_at, closed_at, updated_at "
    "FROM vacancies WHERE tenant = $1 AND ($2 = 0 OR status = 'open') ORDER BY vacancy_id";
constexpr const char* kUpsertVacancy =
    "INSERT INTO vacancies (tenant, vacancy_id, title, department, url, manager_name, "
    "manager_email, ad_language, status, deadline, hire_justification_given, opened_at, "
    "closed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) "
    "ON CONFLICT (tenant, vacancy_id) DO UPDATE SET title = excluded.title, "
    "department = excluded.department, url = excluded.url, manager_name = excluded.manager_name, "
    "manager_email = excluded.manager_email, ad_language = excluded.ad_language, "
    "status = excluded.status, deadline = excluded.deadline, "
    "hire_justification_given = excluded.hire_justification_given, "
    "opened_at = excluded.opened_at, closed_at = excluded.closed_at, "
    "updated_at = excluded.updated_at";
constexpr const char* kSelectCandidates =
    "SELECT candidate_id, stages FROM candidate_stages WHERE tenant = $1 AND vacancy_id = $2 "
    "ORDER BY candidate_id COLLATE \"C\"";
constexpr const char* kUpsertCandidate =
    "INSERT INTO candidate_stages (tenant, vacancy_id, candidate_id, stages) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (tenant, vacancy_id, candidate_id) "
    "DO UPDATE SET stages = excluded.stages";
constexpr const char* kDeleteCandidate =
    "DELETE FROM candidate_stages WHERE tenant = $1 AND vacancy_id = $2 AND candidate_id = $3";
constexpr const char* kSelectLastVerdict =
    "SELECT policy_id, policy_version, phase, overall, rules FROM current_verdicts "
    "WHERE tenant = $1 AND vacancy_id = $2";
constexpr const char* kInsertVerdict =
    "INSERT INTO verdicts (tenant, vacancy_id, created_at, policy_id, policy_version, phase, "
    "overall) VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr const char* kUpsertCurrentVerdict =
    "INSERT INTO current_verdicts (tenant, vacancy_id, created_at, policy_id, policy_version, "
    "phase, overall, rules) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT (tenant, vacancy_id) DO UPDATE SET created_at = excluded.created_at, "
    "policy_id = excluded.policy_id, policy_version = excluded.policy_version, "
    "phase = excluded.phase, overall = excluded.overall, rules = excluded.rules";
constexpr const char* kInsertOutbox =
    "INSERT INTO outbox (kind, idempotency_key, tenant, vacancy_id, payload, not_before, "
    "created_at, batch_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT (tenant, idempotency_key) DO NOTHING";
// SKIP LOCKED: a row another instance is claiming right now is left to it; the WHERE is
// re-checked on the locked row's newest version, so a row claimed and committed since
// this statement's snapshot is not claimed again.
constexpr const char* kDue =
    "kind = $1 AND ((state = 'pending' AND not_before <= $2) OR "
    "(state = 'inflight' AND lease_until <= $2))";
constexpr const char* kClaimReturning =
    " RETURNING id, kind, idempotency_key, tenant, vacancy_id, payload, not_before, attempts, "
    "batch_key";
// Batch claims of one kind are serialised (two-key advisory lock 1296125511, 2), so that
// two instances cannot split a batch: the second waits and then finds it claimed.
constexpr const char* kLockBatchClaims = "SELECT pg_advisory_xact_lock(1296125511, 2)";
constexpr const char* kOutboxState = "SELECT state FROM outbox WHERE id = $1 FOR UPDATE";
constexpr const char* kCompleteOutbox =
    "UPDATE outbox SET state = 'done', lease_until = 0, payload = '{}' WHERE id = $1";
constexpr const char* kRetryOutbox =
    "UPDATE outbox SET state = 'pending', not_before = $2, lease_until = 0, last_error = $3 "
    "WHERE id = $1";
constexpr const char* kSkipOutbox =
    "UPDATE outbox SET state = 'done', delivered = 0, lease_until = 0, last_error = $2, "
    "payload = '{}' WHERE id = $1";
constexpr const char* kDeadLetterOutbox =
    "UPDATE outbox SET state = 'dead', lease_until = 0, last_error = $2, payload = '{}' "
    "WHERE id = $1";
constexpr const char* kOutboxDepth = "SELECT count(*) FROM outbox WHERE state = $1";
constexpr const char* kPurgeEvents = "DELETE FROM events WHERE received_at < $1";
constexpr const char* kCountEvents = "SELECT count(*) FROM events WHERE tenant = $1";
constexpr const char* kReportVacancies =
    "SELECT x.tenant, x.vacancy_id, x.title, x.department, x.url, x.manager_name, "
    "x.manager_email, x.ad_language, x.status, x.deadline, x.hire_justification_given, "
    "x.opened_at, x.closed_at, x.updated_at, "
    "v.policy_id, v.policy_version, v.phase, v.overall, v.rules, "
    "EXISTS (SELECT 1 FROM folded_vacancies f WHERE f.tenant = x.tenant "
    "AND f.vacancy_id = x.vacancy_id) "
    "FROM vacancies x LEFT JOIN current_verdicts v ON v.tenant = x.tenant "
    "AND v.vacancy_id = x.vacancy_id "
    "WHERE x.tenant = $1 AND ($2 = 0 OR x.status = 'open') ORDER BY x.vacancy_id COLLATE \"C\"";
constexpr const char* kOutboxDoneByVacancy =
    "SELECT vacancy_id, kind, count(*) FROM outbox WHERE tenant = $1 AND state = 'done' "
    "AND delivered = 1 GROUP BY vacancy_id, kind";
constexpr const char* kOutboxDoneOfVacancy =
    "SELECT kind, count(*) FROM outbox WHERE tenant = $1 AND vacancy_id = $2 AND state = 'done' "
    "AND delivered = 1 GROUP BY kind";
constexpr const char* kReadAggregates =
    "SELECT month, department, metric, value FROM monthly_aggregates "
    "WHERE tenant = $1 AND month >= $2 AND month <= $3 "
    "ORDER BY month, department COLLATE \"C\", metric COLLATE \"C\"";
constexpr const char* kDueVacancies =
    "SELECT tenant, vacancy_id FROM vacancies x WHERE status = 'closed' "
    "AND ($1 = '' OR tenant = $1) "
    "AND (CASE WHEN closed_at > 0 THEN closed_at ELSE updated_at END) < $2 "
    "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.tenant = x.tenant "
    "AND o.vacancy_id = x.vacancy_id AND o.state IN ('pending', 'inflight')) "
    "ORDER BY tenant COLLATE \"C\", vacancy_id COLLATE \"C\" LIMIT $3";
constexpr const char* kCountDeferred =
    "SELECT count(*) FROM vacancies x WHERE status = 'closed' AND ($1 = '' OR tenant = $1) "
    "AND (CASE WHEN closed_at > 0 THEN closed_at ELSE updated_at END) < $2 "
    "AND EXISTS (SELECT 1 FROM outbox o WHERE o.tenant = x.tenant "
    "AND o.vacancy_id = x.vacancy_id AND o.state IN ('pending', 'inflight'))";
constexpr const char* kIsFolded =
    "SELECT count(*) FROM folded_vacancies WHERE tenant = $1 AND vacancy_id = $2";
constexpr const char* kAddAggregate =
    "INSERT INTO monthly_aggregates AS m (tenant, month, department, metric, value) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant, month, department, metric) "
    "DO UPDATE SET value = m.value + excluded.value";
constexpr const char* kRecordFolded =
    "INSERT INTO folded_vacancies (tenant, vacancy_id, folded_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (tenant, vacancy_id) DO UPDATE SET folded_at = excluded.folded_at";
constexpr const char* kDeleteVacancyRows[] = {
    "DELETE FROM candidate_stages WHERE tenant = $1 AND vacancy_id = $2",
    "DELETE FROM verdicts WHERE tenant = $1 AND vacancy_id = $2",
    "DELETE FROM current_verdicts WHERE tenant = $1 AND vacancy_id = $2",
    "DELETE FROM outbox WHERE tenant = $1 AND vacancy_id = $2 AND state IN ('done', 'dead')",
    "DELETE FROM vacancies WHERE tenant = $1 AND vacancy_id = $2"};
constexpr const char* kForgetFolded = "DELETE FROM folded_vacancies WHERE folded_at < $1";
constexpr const char* kRecordReportSend =
    "INSERT INTO report_sends (tenant, period, outbox_key, enqueued_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (tenant, period) DO NOTHING";
constexpr const char* kPing =
    "INSERT INTO store_meta AS m (key, value) VALUES ('ping', 1) "
    "ON CONFLICT (key) DO UPDATE SET value = m.value + 1";

Status closed_status() {
  return unavailable("store closed");
}

// The advisory lock key of a vacancy (FNV-1a over tenant, a separator and the id): two
// vacancies sharing a key only serialise more than needed.
// Advisory locks are per database; the schema (current_schema at open) is mixed in so that
// deployments in different schemas of one database do not serialise on each other.
std::int64_t vacancy_lock_key(std::string_view schema, std::string_view tenant,
                              std::string_view vacancy_id) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(schema);
  mix(std::string_view("\x1f", 1));
  mix(tenant);
  mix(std::string_view("\x1f", 1));
  mix(vacancy_id);
  return static_cast<std::int64_t>(h);
}

VacancyRecord vacancy_from_row(const Rows& r, int i) {
  VacancyRecord v;
  v.tenant = r.text(i, 0);
  v.vacancy_id = r.text(i, 1);
  v.title = r.text(i, 2);
  v.department = r.text(i, 3);
  v.url = r.text(i, 4);
  v.manager_name = r.text(i, 5);
  v.manager_email = r.text(i, 6);
  v.ad_language = r.text(i, 7);
  v.status = r.text(i, 8);
  v.deadline = r.text(i, 9);
  v.hire_justification_given = r.int64(i, 10) != 0;
  v.opened_at = r.int64(i, 11);
  v.closed_at = r.int64(i, 12);
  v.updated_at = r.int64(i, 13);
  return v;
}

Result<domain::Verdict> verdict_from_row(const Rows& r, int i, std::string_view vacancy_id,
                                         int first) {
  return rows::verdict_from_columns({r.text(i, first), r.text(i, first + 1), r.text(i, first + 2),
                                     r.text(i, first + 3), r.text(i, first + 4)},
                                    vacancy_id);
}

Result<StoredVacancy> read_vacancy(Conn& db, std::string_view tenant, std::string_view vacancy_id) {
  StoredVacancy out;
  out.record.tenant = std::string(tenant);
  out.record.vacancy_id = std::string(vacancy_id);
  auto v = db.query(kSelectVacancy, params(tenant, vacancy_id));
  if (!v.ok()) return v.status();
  if (v->size() > 0) {
    out.exists = true;
    out.record = vacancy_from_row(*v, 0);
  }
  auto c = db.query(kSelectCandidates, params(tenant, vacancy_id));
  if (!c.ok()) return c.status();
  for (int i = 0; i < c->size(); ++i) {
    auto stages = rows::decode_stages(c->text(i, 1));
    if (!stages.ok()) return stages.status();
    out.candidates.push_back({c->text(i, 0), std::move(*stages)});
  }
  auto l = db.query(kSelectLastVerdict, params(tenant, vacancy_id));
  if (!l.ok()) return l.status();
  if (l->size() > 0) {
    auto verdict = verdict_from_row(*l, 0, vacancy_id, 0);
    if (!verdict.ok()) return verdict.status();
    out.last_verdict = std::move(*verdict);
  }
  return out;
}

Status run(Conn& db, const char* sql, const pg::Params& p) {
  auto r = db.query(sql, p);
  return r.ok() ? Status{} : r.status();
}

Status write_changes(Conn& db, const Submission& sub, const Changes& c) {
  const VacancyRecord& v = c.vacancy;
  if (Status s = run(db, kUpsertVacancy,
                     params(v.tenant, v.vacancy_id, v.title, v.department, v.url, v.manager_name,
                            v.manager_email, v.ad_language, v.status, v.deadline,
                            v.hire_justification_given, v.opened_at, v.closed_at, v.updated_at));
      !s)
    return s;
  for (const std::string& id : c.retired_candidates)
    if (Status s = run(db, kDeleteCandidate, params(v.tenant, v.vacancy_id, id)); !s) return s;
  for (const CandidateHistory& h : c.candidates)
    if (Status s =
            run(db, kUpsertCandidate,
                params(v.tenant, v.vacancy_id, h.candidate_id, rows::encode_stages(h.stages)));
        !s)
      return s;
  if (c.verdict) {
    const rows::VerdictColumns verdict = rows::verdict_columns(*c.verdict);
    if (Status s =
            run(db, kUpsertCurrentVerdict,
                params(v.tenant, v.vacancy_id, sub.received_at, verdict.policy_id,
                       verdict.policy_version, verdict.phase, verdict.overall, verdict.rules));
        !s)
      return s;
    // Only the counts changed (log_verdict false): the current verdict is updated, no log row.
    if (c.log_verdict)
      if (Status s = run(db, kInsertVerdict,
                         params(v.tenant, v.vacancy_id, sub.received_at, verdict.policy_id,
                                verdict.policy_version, verdict.phase, verdict.overall));
          !s)
        return s;
  }
  for (const OutboxItem& o : c.outbox)
    if (Status s = run(db, kInsertOutbox,
                       params(o.kind, o.idempotency_key, o.tenant, o.vacancy_id, o.payload,
                              o.not_before, sub.received_at, o.batch_key));
        !s)
      return s;
  return Status{};
}

Result<std::int64_t> count(Conn& db, const char* sql, std::string_view arg) {
  auto r = db.query(sql, params(arg));
  if (!r.ok()) return r.status();
  return r->size() > 0 ? r->int64(0, 0) : 0;
}

// Retention of one vacancy inside the caller's transaction: nullopt when it was skipped
// (another instance holds it, or already deleted it), else whether it was folded.
Result<std::optional<bool>> fold_one(Conn& db, const std::string& schema, const std::string& tenant,
                                     const std::string& vacancy_id,
                                     const RetentionRequest& request) {
  // Never wait here: a submission on another instance may hold the vacancy; it is left
  // for a later call rather than risking a deadlock with that instance's batch.
  auto locked = db.query("SELECT pg_try_advisory_xact_lock($1)",
                         params(vacancy_lock_key(schema, tenant, vacancy_id)));
  if (!locked.ok()) return locked.status();
  if (locked->int64(0, 0) == 0) return std::optional<bool>{};
  // Read again under the lock: another instance may have folded it since the query.
  auto stored = read_vacancy(db, tenant, vacancy_id);
  if (!stored.ok()) return stored.status();
  if (!stored->exists) return std::optional<bool>{};
  ReportVacancy rv;
  rv.record = std::move(stored->record);
  rv.last_verdict = std::move(stored->last_verdict);
  {
    auto r = db.query(kOutboxDoneOfVacancy, params(tenant, vacancy_id));
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i)
      rv.outbox_done[r->text(i, 0)] = r->int64(i, 1);
  }
  {
    auto r = db.query(kIsFolded, params(tenant, vacancy_id));
    if (!r.ok()) return r.status();
    rv.folded_before = r->int64(0, 0) > 0;
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
      if (!rows::is_month(r.month) || r.metric.empty())
        return internal_error("store: the retention fold returned a row without a month or metric");
      if (Status s =
              run(db, kAddAggregate, params(tenant, r.month, r.department, r.metric, r.value));
          !s)
        return s;
    }
  }
  if (Status s = run(db, kRecordFolded, params(tenant, vacancy_id, request.now)); !s) return s;
  for (const char* sql : kDeleteVacancyRows)
    if (Status s = run(db, sql, params(tenant, vacancy_id)); !s) return s;
  return std::optional<bool>{!rv.folded_before};
}

Status outbox_row_open(Conn& db, std::int64_t id) {
  auto r = db.query(kOutboxState, params(id));
  if (!r.ok()) return r.status();
  if (r->size() == 0) return not_found("outbox row " + std::to_string(id) + " does not exist");
  if (r->text(0, 0) == "done")
    return failed_precondition("outbox row " + std::to_string(id) + " was already delivered");
  return Status{};
}

// ---------------------------------------------------------------------------------------
// Writer jobs, as in the SQLite store.

struct Counters {
  std::atomic<std::uint64_t> commits{0}, failed_batches{0}, submissions{0}, duplicates{0},
      largest_batch{0}, queued{0};
};

class Job {
 public:
  virtual ~Job() = default;
  // The vacancy this job will read and write, if any (locked at BEGIN).
  virtual std::optional<std::int64_t> lock_key() const { return std::nullopt; }
  virtual Status run(Conn& db) = 0;
  virtual void finish(const Status& outcome) = 0;
};

class SubmitJob final : public Job {
 public:
  SubmitJob(Submission s, Done done, Counters& counters, const std::string& schema)
      : sub_(std::move(s)), done_(std::move(done)), counters_(counters), schema_(schema) {}

  std::optional<std::int64_t> lock_key() const override {
    if (sub_.tenant.empty() || sub_.vacancy_id.empty()) return std::nullopt;
    return vacancy_lock_key(schema_, sub_.tenant, sub_.vacancy_id);
  }

  Status run(Conn& db) override {
    if (sub_.tenant.empty() || sub_.event_id.empty() || sub_.vacancy_id.empty())
      return invalid_argument("store: submission needs a tenant, an event id and a vacancy id");
    if (!sub_.plan) return invalid_argument("store: submission without a plan");
    // Another instance inserting the same key right now makes this wait for its commit
    // and then do nothing (a duplicate), or insert when that one rolled back.
    auto inserted = db.query(kInsertEvent, params(sub_.tenant, sub_.event_id, sub_.received_at));
    if (!inserted.ok()) return inserted.status();
    if (inserted->affected() == 0) {
      result_ = SubmitResult{Applied::kDuplicate, std::nullopt};
      return Status{};
    }
    auto prior = read_vacancy(db, sub_.tenant, sub_.vacancy_id);
    if (!prior.ok()) return prior.status();
    std::optional<Result<Changes>> planned;
    try {
      planned.emplace(sub_.plan(*prior));
    } catch (...) {
      return internal_error("store: plan for event " + sub_.event_id + " threw an exception");
    }
    if (!planned->ok()) return planned->status();
    Changes& changes = planned->value();
    if (Status s = rows::check_changes(sub_, changes); !s) return s;
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
  const std::string& schema_;
  SubmitResult result_;
};

template <typename T>
class OpJob final : public Job {
 public:
  using Fn = std::function<Result<T>(Conn&)>;
  explicit OpJob(Fn fn) : fn_(std::move(fn)) {}
  std::future<Result<T>> future() { return promise_.get_future(); }
  Status run(Conn& db) override {
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

// ---------------------------------------------------------------------------------------

class PostgresStore final : public Store {
 public:
  PostgresStore(PostgresOptions options, std::string schema, std::unique_ptr<Conn> writer,
                std::unique_ptr<Conn> reader)
      : options_(std::move(options)), schema_(std::move(schema)), writer_db_(std::move(writer)) {
    idle_readers_.push_back(std::move(reader));
    writer_ = std::thread([this] {
      name_this_thread("mf-writer");
      writer_loop();
    });
    writer_id_ = writer_.get_id();
  }

  ~PostgresStore() override { close(); }

  void submit(Submission s, Done done) override {
    auto job = std::make_unique<SubmitJob>(std::move(s), std::move(done), counters_, schema_);
    SubmitJob* raw = job.get();
    std::unique_ptr<Job> base = std::move(job);
    if (Status st = enqueue(base); !st) raw->finish(st);
  }

  Result<StoredVacancy> load_vacancy(std::string_view tenant,
                                     std::string_view vacancy_id) override {
    return read<StoredVacancy>([&](Conn& db) -> Result<StoredVacancy> {
      // One snapshot, so the vacancy, its histories and its verdict are one commit's.
      if (Status s = db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s) return s;
      auto v = read_vacancy(db, tenant, vacancy_id);
      if (Status s = db.exec("COMMIT"); !s) return s;
      return v;
    });
  }

  Status ping() override {
    return to_status(call<Unit>([](Conn& db) -> Result<Unit> {
      if (Status s = run(db, kPing, {}); !s) return s;
      return Unit{};
    }));
  }

  Result<std::vector<Claimed>> claim_outbox(std::string_view kind, std::int64_t now, int limit,
                                            std::int64_t lease_seconds) override {
    return claim(false, kind, now, limit, lease_seconds);
  }

  Result<std::vector<Claimed>> claim_outbox_batch(std::string_view kind, std::int64_t now,
                                                  int limit, std::int64_t lease_seconds) override {
    return claim(true, kind, now, limit, lease_seconds);
  }

  Result<std::vector<Claimed>> claim(bool batch, std::string_view kind, std::int64_t now, int limit,
                                     std::int64_t lease_seconds) {
    if (limit <= 0) return std::vector<Claimed>{};
    if (lease_seconds <= 0) return invalid_argument("claim_outbox: lease_seconds must be > 0");
    const std::string kind_copy(kind);
    return call<std::vector<Claimed>>(
        [batch, &kind_copy, now, limit, lease_seconds](Conn& db) -> Result<std::vector<Claimed>> {
          std::string sql =
              "UPDATE outbox SET state = 'inflight', lease_until = $3, "
              "attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox WHERE ";
          sql += kDue;
          if (batch) {
            if (auto locked = db.query(kLockBatchClaims); !locked.ok()) return locked.status();
            sql += " AND batch_key = (SELECT batch_key FROM outbox WHERE ";
            sql += kDue;
            sql += " ORDER BY not_before, id LIMIT 1)";
          }
          sql += " ORDER BY not_before, id LIMIT $4 FOR UPDATE SKIP LOCKED)";
          sql += kClaimReturning;
          auto r = db.query(sql.c_str(), params(kind_copy, now, now + lease_seconds, limit));
          if (!r.ok()) return r.status();
          std::vector<Claimed> out;
          for (int i = 0; i < r->size(); ++i) {
            Claimed c;
            c.id = r->int64(i, 0);
            c.item.kind = r->text(i, 1);
            c.item.idempotency_key = r->text(i, 2);
            c.item.tenant = r->text(i, 3);
            c.item.vacancy_id = r->text(i, 4);
            c.item.payload = r->text(i, 5);
            c.item.not_before = r->int64(i, 6);
            c.attempts = static_cast<int>(r->int64(i, 7));
            c.item.batch_key = r->text(i, 8);
            out.push_back(std::move(c));
          }
          std::sort(out.begin(), out.end(), [](const Claimed& a, const Claimed& b) {
            return a.item.not_before != b.item.not_before ? a.item.not_before < b.item.not_before
                                                          : a.id < b.id;
          });
          return out;
        });
  }

  Status complete_outbox(std::int64_t id) override {
    return to_status(call<Unit>([id](Conn& db) -> Result<Unit> {
      auto r = db.query(kCompleteOutbox, params(id));
      if (!r.ok()) return r.status();
      if (r->affected() == 0)
        return not_found("outbox row " + std::to_string(id) + " does not exist");
      return Unit{};
    }));
  }

  Status retry_outbox(std::int64_t id, std::int64_t not_before, std::string_view error) override {
    const std::string error_copy(error);
    return to_status(call<Unit>([id, not_before, &error_copy](Conn& db) -> Result<Unit> {
      if (Status s = outbox_row_open(db, id); !s) return s;
      if (Status s = run(db, kRetryOutbox, params(id, not_before, error_copy)); !s) return s;
      return Unit{};
    }));
  }

  Status skip_outbox(std::int64_t id, std::string_view why) override {
    return end_open_row(kSkipOutbox, id, why);
  }

  Status dead_letter_outbox(std::int64_t id, std::string_view error) override {
    return end_open_row(kDeadLetterOutbox, id, error);
  }

  Status end_open_row(const char* sql, std::int64_t id, std::string_view reason) {
    const std::string reason_copy(reason);
    return to_status(call<Unit>([sql, id, &reason_copy](Conn& db) -> Result<Unit> {
      if (Status s = outbox_row_open(db, id); !s) return s;
      if (Status s = run(db, sql, params(id, reason_copy)); !s) return s;
      return Unit{};
    }));
  }

  Result<std::int64_t> outbox_depth(std::string_view state) override {
    if (state != "pending" && state != "inflight" && state != "done" && state != "dead")
      return invalid_argument("outbox_depth: state must be pending, inflight, done or dead");
    return read<std::int64_t>([&](Conn& db) { return count(db, kOutboxDepth, state); });
  }

  Result<std::int64_t> purge_events(std::int64_t received_before) override {
    return call<std::int64_t>([received_before](Conn& db) -> Result<std::int64_t> {
      auto r = db.query(kPurgeEvents, params(received_before));
      if (!r.ok()) return r.status();
      return r->affected();
    });
  }

  Result<std::vector<VacancyRecord>> list_vacancies(std::string_view tenant,
                                                    bool open_only) override {
    return read<std::vector<VacancyRecord>>([&](Conn& db) -> Result<std::vector<VacancyRecord>> {
      std::string sql = kListVacancies;
      sql += " COLLATE \"C\"";
      auto r = db.query(sql.c_str(), params(tenant, open_only));
      if (!r.ok()) return r.status();
      std::vector<VacancyRecord> out;
      for (int i = 0; i < r->size(); ++i)
        out.push_back(vacancy_from_row(*r, i));
      return out;
    });
  }

  Result<std::int64_t> count_events(std::string_view tenant) override {
    return read<std::int64_t>([&](Conn& db) { return count(db, kCountEvents, tenant); });
  }

  Result<std::vector<ReportVacancy>> report_vacancies(std::string_view tenant,
                                                      bool open_only) override {
    return read<std::vector<ReportVacancy>>([&](Conn& db) -> Result<std::vector<ReportVacancy>> {
      if (Status s = db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s) return s;
      std::vector<ReportVacancy> out;
      {
        auto r = db.query(kReportVacancies, params(tenant, open_only));
        if (!r.ok()) return r.status();
        for (int i = 0; i < r->size(); ++i) {
          ReportVacancy rv;
          rv.record = vacancy_from_row(*r, i);
          if (!r->is_null(i, 14)) {
            auto v = verdict_from_row(*r, i, rv.record.vacancy_id, 14);
            if (!v.ok()) return v.status();
            rv.last_verdict = std::move(*v);
          }
          rv.folded_before = r->int64(i, 19) != 0;
          out.push_back(std::move(rv));
        }
      }
      {
        auto r = db.query(kOutboxDoneByVacancy, params(tenant));
        if (!r.ok()) return r.status();
        for (int i = 0; i < r->size(); ++i) {
          const std::string id = r->text(i, 0);
          auto it = std::lower_bound(
              out.begin(), out.end(), id,
              [](const ReportVacancy& a, const std::string& b) { return a.record.vacancy_id < b; });
          if (it != out.end() && it->record.vacancy_id == id)
            it->outbox_done[r->text(i, 1)] = r->int64(i, 2);
        }
      }
      if (Status s = db.exec("COMMIT"); !s) return s;
      return out;
    });
  }

  Result<std::vector<AggregateRow>> read_aggregates(std::string_view tenant,
                                                    std::string_view from_month,
                                                    std::string_view to_month) override {
    if (!rows::is_month(from_month) || !rows::is_month(to_month))
      return invalid_argument("read_aggregates: months must be YYYY-MM");
    return read<std::vector<AggregateRow>>([&](Conn& db) -> Result<std::vector<AggregateRow>> {
      auto r = db.query(kReadAggregates, params(tenant, from_month, to_month));
      if (!r.ok()) return r.status();
      std::vector<AggregateRow> out;
      for (int i = 0; i < r->size(); ++i)
        out.push_back({r->text(i, 0), r->text(i, 1), r->text(i, 2), r->int64(i, 3)});
      return out;
    });
  }

  Result<RetentionResult> fold_closed_vacancies(RetentionRequest request) override {
    if (!request.fold) return invalid_argument("retention: no fold function");
    if (request.limit < 1) return invalid_argument("retention: limit must be >= 1");
    auto req = std::make_shared<RetentionRequest>(std::move(request));
    return call<RetentionResult>([req, this](Conn& db) -> Result<RetentionResult> {
      RetentionResult result;
      std::vector<std::pair<std::string, std::string>> due;
      {
        auto r = db.query(kDueVacancies, params(req->tenant, req->closed_before, req->limit));
        if (!r.ok()) return r.status();
        for (int i = 0; i < r->size(); ++i)
          due.emplace_back(r->text(i, 0), r->text(i, 1));
      }
      for (const auto& [tenant, vacancy_id] : due) {
        auto folded = fold_one(db, schema_, tenant, vacancy_id, *req);
        if (!folded.ok()) return folded.status();
        if (!*folded) continue;
        if (**folded) ++result.folded;
        ++result.deleted;
      }
      {
        auto r = db.query(kCountDeferred, params(req->tenant, req->closed_before));
        if (!r.ok()) return r.status();
        result.deferred = r->int64(0, 0);
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
                       email = std::move(email), now](Conn& db) -> Result<bool> {
      auto r = db.query(kRecordReportSend, params(tenant, period, email.idempotency_key, now));
      if (!r.ok()) return r.status();
      if (r->affected() == 0) return false;  // this period was enqueued before
      if (Status s = run(db, kInsertOutbox,
                         params(email.kind, email.idempotency_key, email.tenant, email.vacancy_id,
                                email.payload, email.not_before, now, email.batch_key));
          !s)
        return s;
      return true;
    });
  }

  Result<std::int64_t> forget_folded(std::int64_t folded_before) override {
    return call<std::int64_t>([folded_before](Conn& db) -> Result<std::int64_t> {
      auto r = db.query(kForgetFolded, params(folded_before));
      if (!r.ok()) return r.status();
      return r->affected();
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
    return s;
  }

  void close() override {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
    if (std::this_thread::get_id() == writer_id_) return;
    {
      std::lock_guard lock(join_mu_);
      if (writer_.joinable()) writer_.join();
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
      if (queue_.size() >= options_.max_queue) return unavailable("store: write queue is full");
      queue_.push_back(std::move(job));
      counters_.queued.store(queue_.size(), std::memory_order_relaxed);
    }
    cv_.notify_one();
    return Status{};
  }

  template <typename T>
  Result<T> call(typename OpJob<T>::Fn fn) {
    if (std::this_thread::get_id() == writer_id_)
      return failed_precondition("store: synchronous call from the writer thread");
    auto job = std::make_unique<OpJob<T>>(std::move(fn));
    auto result = job->future();
    std::unique_ptr<Job> base = std::move(job);
    if (Status s = enqueue(base); !s) return s;
    return result.get();
  }

  template <typename T>
  Result<T> read(const std::function<Result<T>(Conn&)>& fn) {
    if (closed_.load()) return closed_status();
    std::unique_ptr<Conn> db;
    {
      std::lock_guard lock(pool_mu_);
      if (!idle_readers_.empty()) {
        db = std::move(idle_readers_.back());
        idle_readers_.pop_back();
      }
    }
    if (!db || !db->healthy()) {
      auto opened = Conn::connect(options_.conninfo, options_.password);
      if (!opened.ok()) return opened.status();
      db = std::move(*opened);
    }
    Result<T> r = fn(*db);
    if (!r.ok() && !db->healthy()) {
      // An idle connection the server dropped (restart, failover) shows only when used:
      // a read is safe to run again, once, on a fresh one.
      auto opened = Conn::connect(options_.conninfo, options_.password);
      if (!opened.ok()) return opened.status();
      db = std::move(*opened);
      r = fn(*db);
    }
    if (db->in_transaction()) db->exec("ROLLBACK");
    std::lock_guard lock(pool_mu_);
    if (!closed_.load() && db->healthy() &&
        idle_readers_.size() < static_cast<std::size_t>(options_.max_idle_readers))
      idle_readers_.push_back(std::move(db));
    return r;
  }

  void writer_loop() {
    std::vector<std::unique_ptr<Job>> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty() || closed_; });
        if (queue_.empty()) return;
        const auto n = std::min(queue_.size(), static_cast<std::size_t>(options_.max_batch));
        for (std::size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        counters_.queued.store(queue_.size(), std::memory_order_relaxed);
      }
      run_batch(batch);
      batch.clear();
    }
  }

  // The writer's connection, reconnected after a loss (the server restarted, failed over).
  Status writer_connection() {
    if (writer_db_ && writer_db_->healthy()) return Status{};
    writer_db_.reset();
    auto opened = Conn::connect(options_.conninfo, options_.password);
    if (!opened.ok()) return opened.status();
    writer_db_ = std::move(*opened);
    return Status{};
  }

  void run_batch(std::vector<std::unique_ptr<Job>>& jobs) {
    std::vector<Status> outcomes(jobs.size());
    Status batch = writer_connection();
    if (batch.ok()) batch = writer_db_->exec("BEGIN");
    if (batch.ok()) {
      // Every vacancy the batch touches, locked now in ascending order: an instance never
      // waits for a vacancy while holding one that a waiting instance wants later.
      std::set<std::int64_t> keys;
      for (const auto& job : jobs)
        if (auto key = job->lock_key()) keys.insert(*key);
      if (!keys.empty()) {
        std::string sql = "SELECT ";
        for (auto it = keys.begin(); it != keys.end(); ++it) {
          if (it != keys.begin()) sql += ", ";
          sql += "pg_advisory_xact_lock(" + std::to_string(*it) + ")";
        }
        batch = writer_db_->exec(sql);
      }
    }
    Conn* db = writer_db_.get();
    for (std::size_t i = 0; batch.ok() && i < jobs.size(); ++i) {
      batch = db->exec("SAVEPOINT job");
      if (!batch) break;
      Status st;
      try {
        st = jobs[i]->run(*db);
      } catch (...) {
        st = internal_error("store: a write job threw an exception");
      }
      // A lost connection ends the whole batch: every sender retries, as for a failed
      // COMMIT. A deadlock or lock timeout fails only its job (kUnavailable: that sender
      // retries): rolling back to the savepoint releases what the job took.
      if (!st.ok() && !db->healthy()) {
        batch = unavailable("store: transaction failed: " + st.message());
        break;
      }
      batch = db->exec(st.ok() ? "RELEASE SAVEPOINT job"
                               : "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job");
      outcomes[i] = std::move(st);
    }
    if (batch.ok()) {
      // A COMMIT of an aborted transaction "succeeds" as a ROLLBACK; COMMIT AND CHAIN is
      // not wanted, so check the transaction state afterwards instead.
      batch = db->exec("COMMIT");
      if (batch.ok() && db->in_transaction()) batch = unavailable("store: COMMIT did not commit");
    }
    if (!batch.ok()) {
      if (db && db->healthy() && db->in_transaction()) db->exec("ROLLBACK");
      // Nothing of the batch is known durable: every sender must retry (a redelivery of an
      // event whose COMMIT did reach the server is then a duplicate).
      if (batch.code() != StatusCode::kUnavailable) batch = unavailable(batch.message());
      counters_.failed_batches.fetch_add(1, std::memory_order_relaxed);
    } else {
      counters_.commits.fetch_add(1, std::memory_order_relaxed);
    }
    std::uint64_t largest = counters_.largest_batch.load(std::memory_order_relaxed);
    while (jobs.size() > largest &&
           !counters_.largest_batch.compare_exchange_weak(largest, jobs.size())) {
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      try {
        jobs[i]->finish(batch.ok() ? outcomes[i] : batch);
      } catch (...) {
      }
    }
  }

  PostgresOptions options_;
  const std::string schema_;
  std::unique_ptr<Conn> writer_db_;
  Counters counters_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Job>> queue_;
  std::atomic<bool> closed_{false};

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Conn>> idle_readers_;

  std::mutex join_mu_;
  std::thread writer_;
  std::thread::id writer_id_;
};

Status check_options(const PostgresOptions& o) {
  if (o.conninfo.empty()) return invalid_argument("postgres: conninfo is empty");
  if (o.max_batch < 1) return invalid_argument("postgres: max_batch must be >= 1");
  if (o.max_queue < 1) return invalid_argument("postgres: max_queue must be >= 1");
  if (o.max_idle_readers < 0) return invalid_argument("postgres: max_idle_readers must be >= 0");
  return Status{};
}

}  // namespace

int postgres_schema_version() {
  return pg::latest_schema_version();
}

Result<std::unique_ptr<Store>> open_postgres_store(const PostgresOptions& options) {
  if (Status s = check_options(options); !s) return s;
  auto writer = Conn::connect(options.conninfo, options.password);
  if (!writer.ok()) return writer.status();
  if (Status s = pg::migrate(**writer); !s) return s;
  auto schema = (*writer)->query("SELECT current_schema()");
  if (!schema.ok()) return schema.status();
  auto reader = Conn::connect(options.conninfo, options.password);
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<Store>(std::make_unique<PostgresStore>(
      options, schema->text(0, 0), std::move(*writer), std::move(*reader)));
}

}  // namespace mangfold::store
