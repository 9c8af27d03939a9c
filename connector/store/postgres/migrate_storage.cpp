#include "connector/store/postgres/migrate_storage.hpp"

#include <filesystem>
#include <vector>

#include "connector/store/postgres/pg_conn.hpp"
#include "connector/store/postgres/pg_schema.hpp"
#include "connector/store/sqlite_db.hpp"
#include "connector/store/sqlite_store.hpp"

namespace mangfold::store {

namespace {

struct Table {
  const char* name;
  const char* columns;  // the same in both schemas
  const char* key;      // what ON CONFLICT checks, and the copy order
  int count;            // columns
};

// Parents before children is not needed (no foreign keys); the order is the schema's.
constexpr Table kTables[] = {
    {"events", "tenant, event_id, received_at", "tenant, event_id", 3},
    {"vacancies",
     "tenant, vacancy_id, title, department, url, manager_name, manager_email, ad_language, "
     "status, deadline, hire_justification_given, opened_at, closed_at, updated_at",
     "tenant, vacancy_id", 14},
    {"candidate_stages", "tenant, vacancy_id, candidate_id, stages",
     "tenant, vacancy_id, candidate_id", 4},
    {"verdicts", "id, tenant, vacancy_id, created_at, policy_id, policy_version, phase, overall",
     "id", 8},
    {"current_verdicts",
     "tenant, vacancy_id, created_at, policy_id, policy_version, phase, overall, rules",
     "tenant, vacancy_id", 8},
    {"outbox",
     "id, kind, idempotency_key, tenant, vacancy_id, payload, state, attempts, not_before, "
     "lease_until, last_error, created_at, batch_key, delivered",
     "id", 14},
    {"monthly_aggregates", "tenant, month, department, metric, value",
     "tenant, month, department, metric", 5},
    {"folded_vacancies", "tenant, vacancy_id, folded_at", "tenant, vacancy_id", 3},
    // Scheduled reports already sent: without them the new database would send them again.
    {"report_sends", "tenant, period, outbox_key, enqueued_at", "tenant, period", 4},
};

Status copy_table(sqlite::Db& from, pg::Conn& to, const Table& t, int chunk_rows,
                  CopyReport& report) {
  std::string insert = std::string("INSERT INTO ") + t.name + " (" + t.columns + ") VALUES (";
  for (int i = 1; i <= t.count; ++i)
    insert += (i > 1 ? ", $" : "$") + std::to_string(i);
  insert += ") ON CONFLICT DO NOTHING";
  const std::string select =
      std::string("SELECT ") + t.columns + " FROM " + t.name + " ORDER BY " + t.key;
  auto st = from.prepare(select);
  if (!st.ok()) return st.status();
  std::int64_t read = 0, inserted = 0;
  int in_chunk = 0;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (in_chunk == 0)
      if (Status s = to.exec("BEGIN"); !s) return s;
    pg::Params p;
    for (int i = 0; i < t.count; ++i)
      if (st->is_null(i))
        p.add_null();
      else
        p.add(st->text(i));
    auto r = to.query(insert.c_str(), p);
    if (!r.ok()) return r.status();
    ++read;
    inserted += r->affected();
    if (++in_chunk == chunk_rows) {
      if (Status s = to.exec("COMMIT"); !s) return s;
      in_chunk = 0;
    }
  }
  if (in_chunk > 0)
    if (Status s = to.exec("COMMIT"); !s) return s;
  report.read[t.name] = read;
  report.inserted[t.name] = inserted;
  return Status{};
}

}  // namespace

Result<CopyReport> copy_sqlite_to_postgres(const std::string& sqlite_path,
                                           const PostgresOptions& to, int chunk_rows) {
  if (chunk_rows < 1) return invalid_argument("migrate-storage: chunk_rows must be >= 1");
  if (!std::filesystem::exists(sqlite_path))
    return not_found("migrate-storage: no SQLite database at " + sqlite_path);
  auto from = sqlite::Db::open(sqlite_path, SQLITE_OPEN_READONLY, 5000);
  if (!from.ok()) return from.status();
  auto version = (*from)->query_text("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version != std::to_string(sqlite_schema_version()))
    return failed_precondition("migrate-storage: " + sqlite_path + " is at schema " + *version +
                               ", not " + std::to_string(sqlite_schema_version()) +
                               ": open it once with this version (mangfold serve) first");
  auto conn = pg::Conn::connect(to.conninfo, to.password);
  if (!conn.ok()) return conn.status();
  if (Status s = pg::migrate(**conn); !s) return s;
  // One read transaction: every table from the same commit.
  if (Status s = (*from)->exec("BEGIN"); !s) return s;
  CopyReport report;
  for (const Table& t : kTables) {
    if (Status s = copy_table(**from, **conn, t, chunk_rows, report); !s) {
      if ((*conn)->in_transaction()) (*conn)->exec("ROLLBACK");
      return Status(s.code(), std::string("migrate-storage: ") + t.name + ": " + s.message());
    }
  }
  (*from)->exec("COMMIT");
  // New rows get ids after the copied ones.
  for (const char* table : {"verdicts", "outbox"}) {
    const std::string sql = std::string("SELECT setval(pg_get_serial_sequence('") + table +
                            "', 'id'), greatest((SELECT max(id) FROM " + table +
                            "), 1), (SELECT max(id) IS NOT NULL FROM " + table + "))";
    if (auto r = (*conn)->query(sql.c_str()); !r.ok()) return r.status();
  }
  return report;
}

}  // namespace mangfold::store
