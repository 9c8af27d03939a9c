#include "connector/store/sqlite_schema.hpp"

#include <charconv>
#include <string>

namespace mangfold::store::sqlite {

namespace {

struct Migration {
  int version;
  const char* sql;
};

// Append only: a released migration is never edited, since files in the field have run it.
// PRIVACY (DESIGN.md §4): no table has a column for a target-group answer, an applicant's
// name or contact, or a raw webhook body; tests check the schema for this.
constexpr Migration kMigrations[] = {
    {1, R"sql(
-- Dedupe keys: one per delivered event, kept for the retention window.
CREATE TABLE events (
  tenant      TEXT NOT NULL,
  event_id    TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, event_id)
) WITHOUT ROWID;
CREATE INDEX events_received_at ON events (received_at);

CREATE TABLE vacancies (
  tenant                   TEXT NOT NULL,
  vacancy_id               TEXT NOT NULL,
  title                    TEXT NOT NULL,
  department               TEXT NOT NULL,
  url                      TEXT NOT NULL,
  manager_name             TEXT NOT NULL,
  manager_email            TEXT NOT NULL,
  ad_language              TEXT NOT NULL,
  status                   TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  deadline                 TEXT NOT NULL,
  hire_justification_given INTEGER NOT NULL,
  opened_at                INTEGER NOT NULL,
  closed_at                INTEGER NOT NULL,
  updated_at               INTEGER NOT NULL,
  PRIMARY KEY (tenant, vacancy_id)
) WITHOUT ROWID;
CREATE INDEX vacancies_status ON vacancies (tenant, status);

-- Stage names, comma-separated, oldest first.
CREATE TABLE candidate_stages (
  tenant       TEXT NOT NULL,
  vacancy_id   TEXT NOT NULL,
  candidate_id TEXT NOT NULL,
  stages       TEXT NOT NULL,
  PRIMARY KEY (tenant, vacancy_id, candidate_id)
) WITHOUT ROWID;

-- The verdict log; rules is a JSON array of rule verdicts (counts and reason codes).
CREATE TABLE verdicts (
  id             INTEGER PRIMARY KEY,
  tenant         TEXT NOT NULL,
  vacancy_id     TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  policy_id      TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  phase          TEXT NOT NULL,
  overall        TEXT NOT NULL,
  rules          TEXT NOT NULL
);
CREATE INDEX verdicts_vacancy ON verdicts (tenant, vacancy_id, id);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  tenant          TEXT NOT NULL,
  vacancy_id      TEXT NOT NULL,
  payload         TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'inflight', 'done', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  not_before      INTEGER NOT NULL,
  lease_until     INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  UNIQUE (tenant, idempotency_key)
);
-- Partial indexes: the claim query looks only at due and expired rows, and done rows
-- (the bulk over time) stay out of them.
CREATE INDEX outbox_due ON outbox (kind, not_before) WHERE state = 'pending';
CREATE INDEX outbox_leased ON outbox (kind, lease_until) WHERE state = 'inflight';
CREATE INDEX outbox_state ON outbox (state);

-- Small bookkeeping values (the readiness probe's write).
CREATE TABLE store_meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    {2, R"sql(
-- Monthly aggregates (DESIGN.md §4.5): what stays of a vacancy once retention deletes it.
-- Each row is one additive figure for a tenant, month (YYYY-MM) and department, summed
-- over the vacancies folded into it; connector/report names the metrics. A value is a
-- count over vacancies or over a vacancy's applicants, never one person's answer.
CREATE TABLE monthly_aggregates (
  tenant     TEXT NOT NULL,
  month      TEXT NOT NULL,
  department TEXT NOT NULL,
  metric     TEXT NOT NULL,
  value      INTEGER NOT NULL,
  PRIMARY KEY (tenant, month, department, metric)
) WITHOUT ROWID;

-- Vacancy ids already folded, so that a late event for one is not counted a second time.
CREATE TABLE folded_vacancies (
  tenant     TEXT NOT NULL,
  vacancy_id TEXT NOT NULL,
  folded_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant, vacancy_id)
) WITHOUT ROWID;
CREATE INDEX folded_vacancies_at ON folded_vacancies (folded_at);

-- Retention finds closed vacancies by age; reports count a vacancy's outbox rows.
CREATE INDEX vacancies_closed ON vacancies (status, closed_at);
CREATE INDEX outbox_vacancy ON outbox (tenant, vacancy_id);
)sql"},
    {3, R"sql(
-- Rows with the same batch key go out together (the daily digest: one email per manager).
-- The key names a tenant, a recipient and a language, never an applicant.
ALTER TABLE outbox ADD COLUMN batch_key TEXT NOT NULL DEFAULT '';
-- A done row that was completed without being delivered (a reminder no longer due) has 0,
-- so that reports count only what was sent. Rows done before this column read 1.
ALTER TABLE outbox ADD COLUMN delivered INTEGER NOT NULL DEFAULT 1;
CREATE INDEX outbox_batch ON outbox (kind, batch_key, not_before) WHERE state = 'pending';
)sql"},
    {4, R"sql(
-- DESIGN.md §4 rule 7: nothing kept may link a person to an answer.
-- A vacancy's per-stage group counts are kept only as its current figures, replaced by
-- each verdict, so that no series of them can be differenced.
CREATE TABLE current_verdicts (
  tenant         TEXT NOT NULL,
  vacancy_id     TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  policy_id      TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  phase          TEXT NOT NULL,
  overall        TEXT NOT NULL,
  rules          TEXT NOT NULL,
  PRIMARY KEY (tenant, vacancy_id)
) WITHOUT ROWID;
INSERT INTO current_verdicts
  SELECT v.tenant, v.vacancy_id, v.created_at, v.policy_id, v.policy_version, v.phase, v.overall,
         v.rules
  FROM verdicts v
  WHERE v.id = (SELECT max(w.id) FROM verdicts w
                WHERE w.tenant = v.tenant AND w.vacancy_id = v.vacancy_id);
-- The verdict log keeps outcomes and times only.
ALTER TABLE verdicts DROP COLUMN rules;
-- Candidate ids become keyed pseudonyms (the function is the store's, see sqlite_store.cpp).
UPDATE candidate_stages SET candidate_id = mangfold_pseudonym(tenant, vacancy_id, candidate_id);
)sql"},
    {5, R"sql(
-- Scheduled report emails (issue 19): one row per tenant and period, written in the same
-- transaction that puts the email into the outbox, so that a period is never sent twice.
CREATE TABLE report_sends (
  tenant      TEXT NOT NULL,
  period      TEXT NOT NULL,
  outbox_key  TEXT NOT NULL,
  enqueued_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, period)
) WITHOUT ROWID;
)sql"},
};

}  // namespace

// WAL lets readers run beside the writer; synchronous=FULL syncs the WAL at every commit
// (migrations run so; the running store then syncs the WAL itself, hand_sync_to_store).
// Some filesystems or paths silently refuse WAL, so the settings are read back rather than
// trusted.
Status require_durability(Db& db, const std::string& path) {
  auto mode = db.query_text("PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  if (Status s = db.exec("PRAGMA synchronous = FULL"); !s) return s;
  auto sync = db.query_text("PRAGMA synchronous");
  if (!sync.ok()) return sync.status();
  auto mode_now = db.query_text("PRAGMA journal_mode");
  if (!mode_now.ok()) return mode_now.status();
  if (*mode != "wal" || *mode_now != "wal")
    return failed_precondition("sqlite: " + path + ": journal_mode is '" + *mode_now +
                               "', not 'wal' (the file system or path does not support WAL)");
  if (*sync != "2")
    return failed_precondition("sqlite: " + path + ": synchronous is " + *sync + ", not 2 (FULL)");
  return Status{};
}

Status hand_sync_to_store(Db& db, const std::string& path) {
  if (Status s = db.exec("PRAGMA synchronous = NORMAL"); !s) return s;
  auto sync = db.query_text("PRAGMA synchronous");
  if (!sync.ok()) return sync.status();
  if (*sync != "1")
    return failed_precondition("sqlite: " + path + ": synchronous is " + *sync +
                               ", not 1 (NORMAL)");
  return Status{};
}

int latest_schema_version() {
  return std::end(kMigrations)[-1].version;
}

Status migrate(Db& db) {
  if (Status s = db.exec("BEGIN IMMEDIATE"); !s) return s;
  auto fail = [&db](Status s) {
    if (db.in_transaction()) db.exec("ROLLBACK");
    return s;
  };
  auto current = db.query_text("PRAGMA user_version");
  if (!current.ok()) return fail(current.status());
  int version = 0;
  const std::string& text = *current;
  if (std::from_chars(text.data(), text.data() + text.size(), version).ec != std::errc{})
    return fail(internal_error("sqlite: unreadable user_version '" + text + "'"));
  if (version > latest_schema_version())
    return fail(failed_precondition("database schema version " + std::to_string(version) +
                                    " is newer than this binary's " +
                                    std::to_string(latest_schema_version())));
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    if (Status s = db.exec(m.sql); !s)
      return fail(Status(s.code(), "migration " + std::to_string(m.version) + ": " + s.message()));
    // user_version lives in the file header, which is written in the same transaction.
    const std::string set = "PRAGMA user_version = " + std::to_string(m.version);
    if (Status s = db.exec(set.c_str()); !s) return fail(s);
  }
  if (Status s = db.exec("COMMIT"); !s) return fail(s);
  return Status{};
}

}  // namespace mangfold::store::sqlite
