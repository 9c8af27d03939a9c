// migrate-storage: an SQLite database copied into PostgreSQL reads the same through the
// Store interface; copying again changes nothing, and an interrupted copy is finished by
// running it again.
#include <doctest/doctest.h>

#include "connector/store/postgres/migrate_storage.hpp"
#include "store_test_support.hpp"

namespace mangfold::store {
namespace {

using namespace testing;
using domain::Stage;

domain::Verdict shortfall(const std::string& vacancy_id) {
  domain::Verdict v;
  v.policy_id = "oslo";
  v.policy_version = "2";
  v.vacancy_id = vacancy_id;
  v.phase = domain::Phase::kInterviewing;
  v.overall = domain::Outcome::kShortfall;
  domain::RuleVerdict r;
  r.rule = "min_one";
  r.kind = "interview_minimum";
  r.group = "immigrant_background";
  r.outcome = domain::Outcome::kShortfall;
  r.reason_code = "none_invited";
  r.counts.applicants = 4;
  r.counts.invited = 0;
  v.rules.push_back(r);
  return v;
}

// A single instance's history in SQLite: open and closed vacancies with histories and
// verdicts, outbox rows in every state, and closed vacancies already folded by retention.
void fill(const std::string& path) {
  SqliteOptions options;
  options.path = path;
  auto opened = open_sqlite_store(options);
  REQUIRE(opened.ok());
  Store& s = **opened;
  for (int i = 0; i < 12; ++i) {
    const std::string id = "v" + std::to_string(i);
    REQUIRE(
        submit_sync(
            s,
            submission(
                "oslo", "e" + std::to_string(i),
                [i, id](const StoredVacancy&) -> Result<Changes> {
                  Changes c;
                  c.vacancy = vacancy("Lærer " + std::to_string(i));
                  if (i < 3) {
                    c.vacancy.status = "closed";
                    c.vacancy.closed_at = 2000;
                  }
                  c.candidates = {{"p" + std::to_string(i), {Stage::kApplied, Stage::kInterview}}};
                  c.verdict = shortfall(id);
                  c.outbox = {
                      {"email", "mail-" + id, "", "", R"({"to":"kari@example.org"})", 0, ""}};
                  return c;
                },
                id, 1000 + i))
            ->applied == Applied::kApplied);
  }
  auto claimed = s.claim_outbox("email", 5000, 5, 60);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 5);
  REQUIRE(s.complete_outbox((*claimed)[0].id).ok());
  REQUIRE(s.complete_outbox((*claimed)[1].id).ok());
  REQUIRE(s.complete_outbox((*claimed)[2].id).ok());
  REQUIRE(s.dead_letter_outbox((*claimed)[3].id, "mailbox full").ok());
  RetentionRequest r;
  r.closed_before = 3000;
  r.now = 4000;
  r.fold = [](const ReportVacancy&) -> Result<std::vector<AggregateRow>> {
    return std::vector<AggregateRow>{{"2025-02", "Oppvekst", "vacancies", 1}};
  };
  auto folded = s.fold_closed_vacancies(std::move(r));
  REQUIRE(folded.ok());
  REQUIRE(folded->folded == 3);  // v0..v2, whose rows were delivered
  s.close();
}

std::string describe(Store& s) {
  std::string out;
  auto report = s.report_vacancies("oslo", false);
  REQUIRE(report.ok());
  for (const ReportVacancy& v : *report) {
    out += v.record.vacancy_id + " " + v.record.title + " " + v.record.status + " " +
           std::to_string(v.record.closed_at) + " " +
           (v.last_verdict ? std::string(domain::to_string(v.last_verdict->overall)) : "-") + " " +
           std::to_string(v.outbox_done.count("email") ? v.outbox_done.at("email") : 0) + "\n";
    auto stored = s.load_vacancy("oslo", v.record.vacancy_id);
    REQUIRE(stored.ok());
    for (const auto& c : stored->candidates)
      out += "  " + c.candidate_id + " " + std::to_string(c.stages.size()) + "\n";
  }
  for (const char* state : {"pending", "inflight", "done", "dead"})
    out += std::string(state) + " " + std::to_string(*s.outbox_depth(state)) + "\n";
  out += "events " + std::to_string(*s.count_events("oslo")) + "\n";
  auto aggregates = s.read_aggregates("oslo", "2000-01", "2999-12");
  REQUIRE(aggregates.ok());
  for (const AggregateRow& a : *aggregates)
    out += a.month + " " + a.department + " " + a.metric + " " + std::to_string(a.value) + "\n";
  return out;
}

TEST_CASE(
    "migrate-storage copies an SQLite database into PostgreSQL, idempotently and "
    "resumably") {
  TempDir dir;
  const std::string file = dir.file("single.db");
  fill(file);
  std::string before;
  {
    SqliteOptions options;
    options.path = file;
    auto s = open_sqlite_store(options);
    REQUIRE(s.ok());
    before = describe(**s);
  }
  PostgresOptions to;
  to.conninfo = mangfold::testing::pg::schema_conninfo(dir.file("target"));
  auto first = copy_sqlite_to_postgres(file, to, 4);
  REQUIRE_MESSAGE(first.ok(), first.status().message());
  CHECK(first->read.at("events") == 12);
  CHECK(first->inserted.at("events") == 12);
  CHECK(first->inserted.at("outbox") == 9);  // three went with retention
  {
    auto pg = open_postgres_store(to);
    REQUIRE(pg.ok());
    CHECK(describe(**pg) == before);
    // The copied dedupe keys hold: a redelivery is a duplicate on PostgreSQL too.
    CHECK(submit_sync(**pg, submission("oslo", "e5", write_vacancy()))->applied ==
          Applied::kDuplicate);
  }

  // Again: nothing new.
  auto second = copy_sqlite_to_postgres(file, to, 4);
  REQUIRE(second.ok());
  for (const auto& [table, n] : second->inserted)
    CHECK_MESSAGE(n == 0, table);

  // An interrupted copy (rows missing from some tables) is finished by running it again.
  mangfold::testing::pg::admin_exec(
      "DELETE FROM events WHERE event_id > 'e5'; DELETE FROM outbox WHERE id % 2 = 0; "
      "DELETE FROM current_verdicts WHERE vacancy_id = 'v7'",
      to.conninfo);
  auto third = copy_sqlite_to_postgres(file, to, 4);
  REQUIRE(third.ok());
  CHECK(third->inserted.at("current_verdicts") == 1);
  CHECK(third->inserted.at("outbox") == 5);
  auto pg = open_postgres_store(to);
  REQUIRE(pg.ok());
  CHECK(describe(**pg) == before);
  // New rows get ids after the copied ones: a new outbox row is claimable on its own.
  REQUIRE(submit_sync(**pg, submission(
                                "oslo", "e-new",
                                [](const StoredVacancy&) -> Result<Changes> {
                                  Changes c;
                                  c.vacancy = vacancy();
                                  c.outbox = {{"email", "mail-new", "", "", "{}", 0, ""}};
                                  return c;
                                },
                                "v-new"))
              .ok());
  CHECK(*(*pg)->outbox_depth("pending") == 8);
}

TEST_CASE("migrate-storage refuses a missing file and an unreachable server") {
  TempDir dir;
  PostgresOptions to;
  to.conninfo = "host=127.0.0.1 port=1 dbname=x user=x connect_timeout=2";
  CHECK(copy_sqlite_to_postgres(dir.file("none.db"), to).status().code() == StatusCode::kNotFound);
  fill(dir.file("m.db"));
  CHECK(copy_sqlite_to_postgres(dir.file("m.db"), to).status().code() == StatusCode::kUnavailable);
}

}  // namespace
}  // namespace mangfold::store
