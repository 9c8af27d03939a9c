// Reports and retention in the store (SQLite, and PostgreSQL in store_postgres_test):
// report_vacancies, monthly aggregates, and fold_closed_vacancies (delete vacancy-level rows, fold
// their figures, in one transaction).
#include <doctest/doctest.h>
#include <sqlite3.h>

#include "store_test_support.hpp"

namespace mangfold::store {
namespace {

using namespace testing;

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kMarch2025 = 1740787200;  // 2025-03-01T00:00:00Z

domain::Verdict verdict(const std::string& vacancy_id, int applicants, int invited) {
  domain::Verdict v;
  v.policy_id = "oslo";
  v.policy_version = "1";
  v.vacancy_id = vacancy_id;
  v.overall = domain::Outcome::kCompliant;
  domain::RuleVerdict r;
  r.rule = "min_one";
  r.kind = "interview_minimum";
  r.group = "immigrant_background";
  r.outcome = domain::Outcome::kCompliant;
  r.reason_code = "requirement_met";
  r.counts.applicants = applicants;
  r.counts.invited = invited;
  v.rules.push_back(r);
  return v;
}

struct VacancySpec {
  std::string id;
  bool closed = false;
  std::int64_t closed_at = 0;
  int applicants = 0;
  int invited = 0;
  std::vector<OutboxItem> outbox;
};

Plan plan_for(const VacancySpec& spec) {
  return [spec](const StoredVacancy&) -> Result<Changes> {
    Changes c;
    c.vacancy = vacancy();
    c.vacancy.status = spec.closed ? "closed" : "open";
    c.vacancy.closed_at = spec.closed_at;
    c.vacancy.updated_at = spec.closed_at ? spec.closed_at : kMarch2025;
    c.candidates.push_back({"c1", {domain::Stage::kApplied, domain::Stage::kInterview}});
    c.verdict = verdict(spec.id, spec.applicants, spec.invited);
    c.outbox = spec.outbox;
    return c;
  };
}

void put(Store& store, const VacancySpec& spec, const std::string& event) {
  auto r = submit_sync(store, submission("oslo", event, plan_for(spec), spec.id));
  REQUIRE_MESSAGE(r.ok(), r.status().message());
}

OutboxItem email(const std::string& key) {
  return OutboxItem{"email", key, "", "", "{}", 0, ""};
}

// A fold that counts the vacancy and its applicants in March 2025, and how often it ran.
struct CountingFold {
  int calls = 0;
  Fold fold() {
    return [this](const ReportVacancy& v) -> Result<std::vector<AggregateRow>> {
      ++calls;
      std::vector<AggregateRow> rows = {{"2025-03", v.record.department, "vacancies", 1}};
      if (v.last_verdict && !v.last_verdict->rules.empty())
        rows.push_back({"2025-03", v.record.department, "applicants",
                        v.last_verdict->rules.front().counts.applicants});
      for (const auto& [kind, n] : v.outbox_done)
        rows.push_back({"2025-03", v.record.department, "outbox:" + kind, n});
      return rows;
    };
  }
};

RetentionRequest retention(Fold fold, std::int64_t closed_before) {
  RetentionRequest r;
  r.closed_before = closed_before;
  r.now = closed_before + kDay;
  r.fold = std::move(fold);
  return r;
}

std::int64_t rows_in(const std::string& path, const std::string& table) {
  return count_rows(path, table);
}

std::map<std::string, std::int64_t> aggregates(Store& store) {
  auto rows = store.read_aggregates("oslo", "2000-01", "2999-12");
  REQUIRE(rows.ok());
  std::map<std::string, std::int64_t> out;
  for (const AggregateRow& r : *rows)
    out[r.month + "|" + r.department + "|" + r.metric] = r.value;
  return out;
}

TEST_CASE("report_vacancies gives each vacancy's latest verdict and delivered outbox rows") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  put(*store, {"v1", false, 0, 3, 1, {email("a"), email("b")}}, "e1");
  put(*store, {"v1", false, 0, 7, 2, {}}, "e2");  // the latest verdict wins
  put(*store, {"v2", true, kMarch2025, 4, 0, {}}, "e3");
  REQUIRE(submit_sync(*store, submission("oslo", "e4", write_vacancy(), "v3")).ok());  // no verdict
  REQUIRE(
      submit_sync(*store, submission("bergen", "e5", plan_for({"b1", false, 0, 0, 0, {}}), "b1"))
          .ok());

  auto claimed = store->claim_outbox("email", kMarch2025 * 2, 10, 60);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 2);
  REQUIRE(store->complete_outbox(claimed->front().id).ok());

  auto all = store->report_vacancies("oslo", false);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].record.vacancy_id == "v1");
  REQUIRE((*all)[0].last_verdict.has_value());
  CHECK((*all)[0].last_verdict->rules.front().counts.applicants == 7);
  CHECK((*all)[0].last_verdict->vacancy_id == "v1");
  CHECK((*all)[0].outbox_done.at("email") == 1);  // one done, one still inflight
  CHECK_FALSE((*all)[0].folded_before);
  CHECK((*all)[1].record.status == "closed");
  CHECK((*all)[1].outbox_done.empty());
  CHECK((*all)[2].record.vacancy_id == "v3");
  CHECK_FALSE((*all)[2].last_verdict.has_value());

  auto open = store->report_vacancies("oslo", true);
  REQUIRE(open.ok());
  CHECK(open->size() == 2);
  CHECK(store->report_vacancies("nobody", false)->empty());
}

TEST_CASE("retention folds closed vacancies past the cut-off and deletes their rows") {
  TempDir dir;
  const std::string path = dir.file("m.db");
  auto store = open_store(path);
  put(*store, {"old1", true, kMarch2025, 10, 2, {email("m1")}}, "e1");
  put(*store, {"old2", true, kMarch2025 + kDay, 6, 1, {}}, "e2");
  put(*store, {"recent", true, kMarch2025 + 100 * kDay, 5, 1, {}}, "e3");
  put(*store, {"open", false, 0, 8, 0, {}}, "e4");
  auto claimed = store->claim_outbox("email", kMarch2025 * 2, 10, 60);
  REQUIRE(claimed.ok());
  REQUIRE(store->complete_outbox(claimed->front().id).ok());

  CountingFold fold;
  auto r = store->fold_closed_vacancies(retention(fold.fold(), kMarch2025 + 10 * kDay));
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->folded == 2);
  CHECK(r->deleted == 2);
  CHECK(r->deferred == 0);
  CHECK_FALSE(r->more);
  CHECK(fold.calls == 2);

  const auto agg = aggregates(*store);
  CHECK(agg.at("2025-03|Oppvekst|vacancies") == 2);
  CHECK(agg.at("2025-03|Oppvekst|applicants") == 16);
  CHECK(agg.at("2025-03|Oppvekst|outbox:email") == 1);

  auto left = store->report_vacancies("oslo", false);
  REQUIRE(left.ok());
  REQUIRE(left->size() == 2);
  CHECK((*left)[0].record.vacancy_id == "open");
  CHECK((*left)[1].record.vacancy_id == "recent");
  CHECK_FALSE(store->load_vacancy("oslo", "old1")->exists);
  store->close();
  // Only the two kept vacancies' rows remain; the delivered email went with its vacancy.
  CHECK(rows_in(path, "vacancies") == 2);
  CHECK(rows_in(path, "candidate_stages") == 2);
  CHECK(rows_in(path, "verdicts") == 2);
  CHECK(rows_in(path, "current_verdicts") == 2);
  CHECK(rows_in(path, "outbox") == 0);
  CHECK(rows_in(path, "folded_vacancies") == 2);
}

TEST_CASE("retention defers a vacancy whose outbox row is still pending") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  put(*store, {"v1", true, kMarch2025, 4, 1, {email("m1")}}, "e1");
  CountingFold fold;
  auto first = store->fold_closed_vacancies(retention(fold.fold(), kMarch2025 + kDay));
  REQUIRE(first.ok());
  CHECK(first->folded == 0);
  CHECK(first->deferred == 1);
  CHECK(store->load_vacancy("oslo", "v1")->exists);

  auto claimed = store->claim_outbox("email", kMarch2025 * 2, 10, 60);
  REQUIRE(claimed->size() == 1);
  REQUIRE(store->dead_letter_outbox(claimed->front().id, "smtp refused").ok());
  auto second = store->fold_closed_vacancies(retention(fold.fold(), kMarch2025 + kDay));
  REQUIRE(second.ok());
  CHECK(second->folded == 1);
  CHECK(second->deferred == 0);
  CHECK(*store->outbox_depth("dead") == 0);
  // A dead email was not delivered, so it is not counted as sent.
  CHECK(aggregates(*store).count("2025-03|Oppvekst|outbox:email") == 0);
}

TEST_CASE("a folded vacancy that comes back is not counted twice") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  put(*store, {"v1", true, kMarch2025, 9, 3, {}}, "e1");
  CountingFold fold;
  REQUIRE(store->fold_closed_vacancies(retention(fold.fold(), kMarch2025 + kDay))->folded == 1);
  const auto before = aggregates(*store);

  // A late event for the same id recreates the vacancy with fresh rows.
  put(*store, {"v1", true, kMarch2025 + 2 * kDay, 12, 4, {}}, "e2");
  auto back = store->report_vacancies("oslo", false);
  REQUIRE(back->size() == 1);
  CHECK(back->front().folded_before);

  auto r = store->fold_closed_vacancies(retention(fold.fold(), kMarch2025 + 5 * kDay));
  REQUIRE(r.ok());
  CHECK(r->folded == 0);
  CHECK(r->deleted == 1);
  CHECK(fold.calls == 1);
  CHECK(aggregates(*store) == before);
  CHECK(store->report_vacancies("oslo", false)->empty());

  // Once the fold record is forgotten, the id counts as new.
  CHECK(*store->forget_folded(kMarch2025 + 100 * kDay) == 1);
  put(*store, {"v1", true, kMarch2025 + 3 * kDay, 1, 0, {}}, "e3");
  CHECK_FALSE(store->report_vacancies("oslo", false)->front().folded_before);
}

TEST_CASE("a failing fold changes nothing") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  put(*store, {"a", true, kMarch2025, 2, 1, {}}, "e1");
  put(*store, {"b", true, kMarch2025, 2, 1, {}}, "e2");
  int calls = 0;
  Fold failing = [&calls](const ReportVacancy&) -> Result<std::vector<AggregateRow>> {
    if (++calls == 2) return invalid_argument("no");
    return std::vector<AggregateRow>{{"2025-03", "", "vacancies", 1}};
  };
  auto r = store->fold_closed_vacancies(retention(failing, kMarch2025 + kDay));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInternal);
  CHECK(aggregates(*store).empty());
  CHECK(store->report_vacancies("oslo", false)->size() == 2);

  Fold bad_month = [](const ReportVacancy&) -> Result<std::vector<AggregateRow>> {
    return std::vector<AggregateRow>{{"2025-13", "", "vacancies", 1}};
  };
  CHECK(store->fold_closed_vacancies(retention(bad_month, kMarch2025 + kDay)).status().code() ==
        StatusCode::kInternal);
  Fold throwing = [](const ReportVacancy&) -> Result<std::vector<AggregateRow>> {
    throw std::runtime_error("boom");
  };
  CHECK(store->fold_closed_vacancies(retention(throwing, kMarch2025 + kDay)).status().code() ==
        StatusCode::kInternal);
  CHECK(store->report_vacancies("oslo", false)->size() == 2);
  CHECK(store->fold_closed_vacancies(retention(nullptr, 1)).status().code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("retention works in batches of `limit` and per tenant") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  for (int i = 0; i < 5; ++i)
    put(*store, {"v" + std::to_string(i), true, kMarch2025, 1, 0, {}}, "e" + std::to_string(i));
  REQUIRE(submit_sync(*store,
                      submission("bergen", "b", plan_for({"b1", true, kMarch2025, 0, 0, {}}), "b1"))
              .ok());
  CountingFold fold;
  RetentionRequest req = retention(fold.fold(), kMarch2025 + kDay);
  req.tenant = "oslo";
  req.limit = 2;
  int calls = 0;
  std::int64_t folded = 0;
  for (;;) {
    auto r = store->fold_closed_vacancies(req);
    REQUIRE(r.ok());
    folded += r->folded;
    ++calls;
    if (!r->more) break;
  }
  CHECK(folded == 5);
  CHECK(calls == 3);
  CHECK(store->report_vacancies("bergen", false)->size() == 1);
}

TEST_CASE("read_aggregates filters by month and refuses malformed months") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  put(*store, {"v1", true, kMarch2025, 2, 1, {}}, "e1");
  put(*store, {"v2", true, kMarch2025, 2, 1, {}}, "e2");
  Fold by_id = [](const ReportVacancy& v) -> Result<std::vector<AggregateRow>> {
    return std::vector<AggregateRow>{
        {v.record.vacancy_id == "v1" ? "2025-01" : "2025-04", "", "vacancies", 1}};
  };
  REQUIRE(store->fold_closed_vacancies(retention(by_id, kMarch2025 + kDay)).ok());
  auto feb_to_apr = store->read_aggregates("oslo", "2025-02", "2025-04");
  REQUIRE(feb_to_apr.ok());
  REQUIRE(feb_to_apr->size() == 1);
  CHECK(feb_to_apr->front().month == "2025-04");
  CHECK(store->read_aggregates("oslo", "2025-01", "2025-12")->size() == 2);
  CHECK(store->read_aggregates("bergen", "2025-01", "2025-12")->empty());
  CHECK(store->read_aggregates("oslo", "2025-1", "2025-12").status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(store->read_aggregates("oslo", "2025-01", "2025-00").status().code() ==
        StatusCode::kInvalidArgument);
}

#ifndef MANGFOLD_STORE_TEST_POSTGRES  // SQLite's own migrations
TEST_CASE("a version-1 database is migrated with its data") {
  TempDir dir;
  const std::string path = dir.file("m.db");
  {
    auto store = open_store(path);
    put(*store, {"v1", false, 0, 3, 1, {}}, "e1");
    store->close();
  }
  // Turn the file back into what version 1 left: no migration-2 (or later) tables,
  // indexes or columns.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw,
                       (std::string(kUndoSchema4) +
                        "DROP TABLE monthly_aggregates; DROP TABLE folded_vacancies; "
                        "DROP INDEX vacancies_closed; DROP INDEX outbox_vacancy; "
                        "DROP INDEX outbox_batch; ALTER TABLE outbox DROP COLUMN batch_key; "
                        "ALTER TABLE outbox DROP COLUMN delivered; PRAGMA user_version = 1;")
                           .c_str(),
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);

  // Schema 4 turns the kept candidate ids into pseudonyms with the caller's keys.
  SqliteOptions options;
  options.pseudonymize = [](std::string_view, std::string_view,
                            std::string_view id) -> Result<std::string> {
    return "pseudonym-of-" + std::string(id);
  };
  auto store = open_store(path, options);
  const Result<StoredVacancy> kept = store->load_vacancy("oslo", "v1");
  REQUIRE(kept.ok());
  CHECK_FALSE(kept->candidates.empty());
  for (const CandidateHistory& h : kept->candidates)
    CHECK(h.candidate_id.rfind("pseudonym-of-", 0) == 0);
  auto v = store->report_vacancies("oslo", false);
  REQUIRE(v.ok());
  REQUIRE(v->size() == 1);
  CHECK(v->front().last_verdict->rules.front().counts.applicants == 3);
  CHECK(store->read_aggregates("oslo", "2025-01", "2025-12").ok());
}

#endif

}  // namespace
}  // namespace mangfold::store
