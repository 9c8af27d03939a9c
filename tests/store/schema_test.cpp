// PRIVACY (DESIGN.md §4): the schema has nowhere to put a target-group answer. The
// column list is pinned, so a migration that adds a column has to come past this test
// and say why the column carries no applicant data.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <map>
#include <set>

#include "store_test_support.hpp"

namespace mangfold::store {
namespace {

using namespace testing;

std::map<std::string, std::set<std::string>> read_schema(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::map<std::string, std::set<std::string>> schema;
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT m.name, p.name FROM sqlite_schema m "
                             "JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
                             -1, &st, nullptr) == SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW)
    schema[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))].insert(
        reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return schema;
}

TEST_CASE("the schema is exactly the pinned tables and columns") {
  TempDir dir;
  open_store(dir.file("m.db"))->close();
  const std::map<std::string, std::set<std::string>> expected = {
      {"events", {"tenant", "event_id", "received_at"}},
      {"vacancies",
       {"tenant", "vacancy_id", "title", "department", "url", "manager_name", "manager_email",
        "ad_language", "status", "deadline", "hire_justification_given", "opened_at", "closed_at",
        "updated_at"}},
      {"candidate_stages", {"tenant", "vacancy_id", "candidate_id", "stages"}},
      // Migration 4 (DESIGN.md §4 rule 7): the log keeps outcomes and times, no counts; a
      // vacancy's counts are only its current verdict's. candidate_id holds pseudonyms.
      {"verdicts",
       {"id", "tenant", "vacancy_id", "created_at", "policy_id", "policy_version", "phase",
        "overall"}},
      {"current_verdicts",
       {"tenant", "vacancy_id", "created_at", "policy_id", "policy_version", "phase", "overall",
        "rules"}},
      {"outbox",
       {"id", "kind", "idempotency_key", "tenant", "vacancy_id", "payload", "state", "attempts",
        "not_before", "lease_until", "last_error", "created_at",
        // Migration 3: the daily digest's batch: the tenant and a hash of the recipient's
        // address (the employer's contact person) and language.
        "batch_key",
        // ... and whether a done row was delivered (0: a reminder no longer due).
        "delivered"}},
      {"store_meta", {"key", "value"}},
      // Migration 2 (retention, DESIGN.md §4.5). A monthly_aggregates value is a count summed
      // over vacancies; `metric` names the figure (e.g. how many applicants answered yes for a
      // group, over all the month's vacancies), so no row describes one person.
      {"monthly_aggregates", {"tenant", "month", "department", "metric", "value"}},
      {"folded_vacancies", {"tenant", "vacancy_id", "folded_at"}},
      // Migration 5 (issue 19): the scheduled report emails enqueued, one per tenant and month.
      {"report_sends", {"tenant", "period", "outbox_key", "enqueued_at"}},
  };
  CHECK(read_schema(dir.file("m.db")) == expected);
}

TEST_CASE("a file at schema version 2 is migrated to 3, its outbox rows unbatched") {
  TempDir dir;
  const std::string path = dir.file("m.db");
  {
    auto store = open_store(path);
    OutboxItem o;
    o.kind = "email";
    o.idempotency_key = "mail-1";
    o.payload = "{}";
    REQUIRE(
        submit_sync(*store, submission("oslo", "e1", [o](const StoredVacancy&) -> Result<Changes> {
          Changes c;
          c.vacancy = vacancy();
          c.outbox = {o};
          return c;
        })).ok());
    store->close();
  }
  // Turn the file back into what version 2 wrote.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       (std::string(kUndoSchema4) +
                        "DROP INDEX outbox_batch; ALTER TABLE outbox DROP COLUMN batch_key; "
                        "ALTER TABLE outbox DROP COLUMN delivered; PRAGMA user_version = 2;")
                           .c_str(),
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK(read_schema(path).at("outbox").count("batch_key") == 0);

  auto store = open_store(path);
  CHECK(read_schema(path).at("outbox").count("batch_key") == 1);
  auto claimed = store->claim_outbox("email", 0, 10, 60);
  REQUIRE(claimed->size() == 1);
  CHECK((*claimed)[0].item.batch_key.empty());
}

TEST_CASE("no column anywhere is named for answers, groups or applicant identity") {
  TempDir dir;
  open_store(dir.file("m.db"))->close();
  for (const auto& [table, columns] : read_schema(dir.file("m.db")))
    for (const std::string& column : columns) {
      CAPTURE(table);
      CAPTURE(column);
      for (const char* word :
           {"answer", "group", "background", "disab", "ethnic", "applicant", "birth", "body"})
        CHECK(column.find(word) == std::string::npos);
    }
}

}  // namespace
}  // namespace mangfold::store
