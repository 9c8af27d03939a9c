// The privacy migration (schema 4) and key rotation, on the same scripted events as the
// attacker test: a database as schema 3 wrote it is linkable; upgraded, it is not, and
// it gives reports, what-if and retention the same figures as a database the new code
// filled from the same events. A rotated key keeps every stage history.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/app/pseudonyms.hpp"
#include "connector/config/policy_loader.hpp"
#include "connector/ingest/ingest.hpp"
#include "connector/report/report.hpp"
#include "connector/store/sqlite_store.hpp"
#include "connector/store/verdict_json.hpp"
#include "tests/privacy/attacker.hpp"
#include "tests/support/process.hpp"

using namespace mangfold;

namespace {

const std::int64_t kStart = 1'773'532'800;  // 2026-03-15
const std::string kKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff";
const std::string kNewKey = "ffeeddccbbaa99887766554433221100f0e1d2c3b4a5968778695a4b3c2d1e0f";

policy::Policy oslo() {
  Result<policy::Policy> p =
      config::load_policy_or_error(std::string(MANGFOLD_SOURCE_DIR) + "/policies/oslo.yaml");
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  return *p;
}

struct Applicant {
  std::string id;
  domain::Stage stage;
  domain::Answer answer;
  std::vector<domain::Stage> history = {};
};

domain::Snapshot snapshot(const std::string& vacancy, const std::vector<Applicant>& applicants,
                          bool closed = false) {
  domain::Snapshot s;
  s.vacancy.id = vacancy;
  s.vacancy.title = "Rådgiver " + vacancy;
  s.vacancy.department = "Bydel Frogner";
  s.vacancy.manager = {"Kari Leder", "kari@oslo.example", ""};
  s.vacancy.status = closed ? domain::VacancyStatus::kClosed : domain::VacancyStatus::kOpen;
  for (const Applicant& a : applicants) {
    domain::Application app;
    app.candidate_id = a.id;
    app.stage = a.stage;
    app.history = a.history;
    app.qualification = domain::Qualification::kQualified;
    if (a.answer != domain::Answer::kUnknown) app.answers["immigrant_background"] = a.answer;
    s.applications.push_back(app);
  }
  return s;
}

// The attacker test's events, plus a larger vacancy so that reports show figures, and a
// close so that retention has work.
std::vector<domain::Snapshot> events() {
  using domain::Answer;
  using domain::Stage;
  const Answer yes = Answer::kYes, no = Answer::kNo, unknown = Answer::kUnknown;
  std::vector<domain::Snapshot> out = {
      snapshot("v-100", {{"cand-1001", Stage::kApplied, yes}}),
      snapshot("v-100", {{"cand-1001", Stage::kApplied, yes}, {"cand-1002", Stage::kApplied, no}}),
      snapshot("v-100", {{"cand-1001", Stage::kInterview, yes},
                         {"cand-1002", Stage::kApplied, no},
                         {"cand-1003", Stage::kApplied, unknown}}),
      snapshot("v-100", {{"cand-1001", Stage::kInterview, yes},
                         {"cand-1002", Stage::kInterview, no},
                         {"cand-1003", Stage::kApplied, unknown},
                         {"cand-1004", Stage::kApplied, yes}}),
      snapshot("v-200", {{"cand-2001", Stage::kInterview, yes},
                         {"cand-2002", Stage::kApplied, no},
                         {"cand-2003", Stage::kApplied, no}}),
      snapshot("v-300", {{"cand-3001", Stage::kHired, yes, {Stage::kInterview}},
                         {"cand-3002", Stage::kRejected, no, {Stage::kInterview}},
                         {"cand-3003", Stage::kApplied, yes}}),
      snapshot("v-400", {{"cand-2001", Stage::kApplied, yes}, {"cand-4001", Stage::kApplied, no}}),
  };
  std::vector<Applicant> many;
  for (int i = 0; i < 14; ++i)
    many.push_back({"cand-60" + std::to_string(10 + i), i < 6 ? Stage::kInterview : Stage::kApplied,
                    i % 2 ? yes : no});
  out.push_back(snapshot("v-600", many));
  // v-300 closes with its hire (then retention folds it).
  out.push_back(snapshot("v-300",
                         {{"cand-3001", Stage::kHired, yes, {Stage::kInterview}},
                          {"cand-3002", Stage::kRejected, no, {Stage::kInterview}},
                          {"cand-3003", Stage::kApplied, yes}},
                         /*closed=*/true));
  return out;
}

std::vector<privacy_attack::Person> people() {
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<privacy_attack::Person> out;
  for (const domain::Snapshot& s : events())
    for (const domain::Application& a : s.applications)
      if (seen.insert({s.vacancy.id, a.candidate_id}).second)
        out.push_back({"oslo", s.vacancy.id, a.candidate_id, "", ""});
  return out;
}

void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  REQUIRE_MESSAGE(rc == SQLITE_OK, (error ? error : ""));
}

// Schema 3 as released (the tables and columns; indexes left out, nothing reads them here).
const char* kSchema3 = R"sql(
CREATE TABLE events (tenant TEXT NOT NULL, event_id TEXT NOT NULL, received_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, event_id)) WITHOUT ROWID;
CREATE TABLE vacancies (tenant TEXT NOT NULL, vacancy_id TEXT NOT NULL, title TEXT NOT NULL,
  department TEXT NOT NULL, url TEXT NOT NULL, manager_name TEXT NOT NULL,
  manager_email TEXT NOT NULL, ad_language TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')), deadline TEXT NOT NULL,
  hire_justification_given INTEGER NOT NULL, opened_at INTEGER NOT NULL,
  closed_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, vacancy_id)) WITHOUT ROWID;
CREATE TABLE candidate_stages (tenant TEXT NOT NULL, vacancy_id TEXT NOT NULL,
  candidate_id TEXT NOT NULL, stages TEXT NOT NULL,
  PRIMARY KEY (tenant, vacancy_id, candidate_id)) WITHOUT ROWID;
CREATE TABLE verdicts (id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, vacancy_id TEXT NOT NULL,
  created_at INTEGER NOT NULL, policy_id TEXT NOT NULL, policy_version TEXT NOT NULL,
  phase TEXT NOT NULL, overall TEXT NOT NULL, rules TEXT NOT NULL);
CREATE TABLE outbox (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, idempotency_key TEXT NOT NULL,
  tenant TEXT NOT NULL, vacancy_id TEXT NOT NULL, payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL, lease_until INTEGER NOT NULL DEFAULT 0, last_error TEXT,
  created_at INTEGER NOT NULL, batch_key TEXT NOT NULL DEFAULT '',
  delivered INTEGER NOT NULL DEFAULT 1, UNIQUE (tenant, idempotency_key));
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE monthly_aggregates (tenant TEXT NOT NULL, month TEXT NOT NULL,
  department TEXT NOT NULL, metric TEXT NOT NULL, value INTEGER NOT NULL,
  PRIMARY KEY (tenant, month, department, metric)) WITHOUT ROWID;
CREATE TABLE folded_vacancies (tenant TEXT NOT NULL, vacancy_id TEXT NOT NULL,
  folded_at INTEGER NOT NULL, PRIMARY KEY (tenant, vacancy_id)) WITHOUT ROWID;
PRAGMA journal_mode = WAL;
PRAGMA user_version = 3;
)sql";

// What schema 3's store wrote for one event: raw ATS ids, and a verdict log row with counts.
void write_as_schema3(sqlite3* db, const store::Changes& c, std::int64_t at) {
  auto run = [db](const std::string& sql, const std::vector<nlohmann::json>& args) {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    for (std::size_t i = 0; i < args.size(); ++i) {
      const int n = static_cast<int>(i) + 1;
      if (args[i].is_string())
        sqlite3_bind_text(st, n, args[i].get<std::string>().c_str(), -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_int64(st, n, args[i].get<std::int64_t>());
    }
    REQUIRE(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_finalize(st);
  };
  const store::VacancyRecord& v = c.vacancy;
  run("INSERT OR REPLACE INTO vacancies VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
      {"oslo", v.vacancy_id, v.title, v.department, v.url, v.manager_name, v.manager_email,
       v.ad_language, v.status, v.deadline, v.hire_justification_given ? 1 : 0, v.opened_at,
       v.closed_at, v.updated_at});
  for (const store::CandidateHistory& h : c.candidates) {
    std::string stages;
    for (domain::Stage s : h.stages)
      stages += (stages.empty() ? "" : ",") + std::string(domain::to_string(s));
    run("INSERT OR REPLACE INTO candidate_stages VALUES (?1, ?2, ?3, ?4)",
        {"oslo", v.vacancy_id, h.candidate_id, stages});
  }
  for (const store::OutboxItem& o : c.outbox)
    run("INSERT OR IGNORE INTO outbox (kind, idempotency_key, tenant, vacancy_id, payload, "
        "not_before, created_at, batch_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        {o.kind, o.idempotency_key, "oslo", v.vacancy_id, o.payload, o.not_before, at,
         o.batch_key});
  if (c.verdict) {
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& r : c.verdict->rules)
      rules.push_back(store::rule_verdict_to_json(r));
    run("INSERT INTO verdicts (tenant, vacancy_id, created_at, policy_id, policy_version, phase, "
        "overall, rules) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        {"oslo", v.vacancy_id, at, c.verdict->policy_id, c.verdict->policy_version,
         std::string(domain::to_string(c.verdict->phase)),
         std::string(domain::to_string(c.verdict->overall)), rules.dump()});
  }
}

store::StoredVacancy load(store::Store& s, const std::string& vacancy) {
  auto v = s.load_vacancy("oslo", vacancy);
  REQUIRE(v.ok());
  return *v;
}

// An event as Ingest applies it: pseudonyms first, then the plan (ingest.cpp).
void apply(store::Store& s, const policy::Policy& policy, const app::Pseudonyms& keys,
           domain::Snapshot snapshot, const std::string& event_id, std::int64_t at) {
  store::Submission sub;
  sub.tenant = "oslo";
  sub.event_id = event_id;
  sub.vacancy_id = snapshot.vacancy.id;
  sub.received_at = at;
  sub.plan = [&](const store::StoredVacancy& stored) -> Result<store::Changes> {
    store::StoredVacancy prior = stored;
    app::Rekeyed rekeyed = app::pseudonymise(keys, "oslo", snapshot, prior);
    Result<store::Changes> c = app::plan_event(policy, snapshot, prior, at);
    if (c.ok()) app::finish_rekeying(rekeyed, prior, *c);
    return c;
  };
  std::promise<Result<store::SubmitResult>> done;
  s.submit(std::move(sub),
           [&done](Result<store::SubmitResult> r) { done.set_value(std::move(r)); });
  Result<store::SubmitResult> r = done.get_future().get();
  REQUIRE_MESSAGE(r.ok(), r.status().message());
}

std::unique_ptr<store::Store> open(const std::string& path, const app::PseudonymMap& keys) {
  store::SqliteOptions o;
  o.path = path;
  o.pseudonymize = app::store_pseudonymizer(keys);
  auto s = store::open_sqlite_store(o);
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  return std::move(*s);
}

// Everything reports read, rendered: the report, the what-if, and the aggregates after
// retention has folded what closed.
struct Figures {
  std::string report, what_if, vacancies, aggregates;
};

Figures figures(store::Store& s, const policy::Policy& policy) {
  // Every queued email goes out first, as the workers would send it.
  for (;;) {
    auto claimed = s.claim_outbox("email", kStart + 1000 * 86400, 100, 60);
    REQUIRE(claimed.ok());
    if (claimed->empty()) break;
    for (const store::Store::Claimed& c : *claimed)
      REQUIRE(s.complete_outbox(c.id).ok());
  }
  CHECK(*s.outbox_depth("pending") == 0);
  report::ReportQuery q;
  q.tenant = "oslo";
  q.from_month = "2026-01";
  q.to_month = "2026-12";
  q.threshold = report::kMinThreshold;
  q.now = kStart + 86400;
  Figures f;
  auto r = report::build_report(s, q);
  REQUIRE(r.ok());
  f.report = report::render(*r, report::Format::kJson);
  auto w = report::what_if(s, q, policy);
  REQUIRE(w.ok());
  f.what_if = report::render(*w, report::Format::kJson);
  f.vacancies = *report::vacancies_json(s, "oslo", report::kMinThreshold);
  report::RetentionOptions retention{1, 500, 0};
  REQUIRE(report::apply_retention(s, kStart + 400 * 86400, retention).ok());
  auto rows = s.read_aggregates("oslo", "2026-01", "2026-12");
  REQUIRE(rows.ok());
  for (const store::AggregateRow& a : *rows)
    f.aggregates +=
        a.month + " " + a.department + " " + a.metric + " " + std::to_string(a.value) + "\n";
  return f;
}

}  // namespace

TEST_CASE("a schema 3 database is linkable, upgraded it is not, and its figures do not change") {
  const policy::Policy policy = oslo();
  auto keys = app::Pseudonyms::make(kKey);
  REQUIRE(keys.ok());
  const app::PseudonymMap key_map = {{"oslo", *keys}};
  testing::TempDir dir;
  const std::string old_path = dir.path() + "/old.db", new_path = dir.path() + "/new.db";

  // What the previous version made of the events, planned as it planned them.
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(old_path.c_str(), &db) == SQLITE_OK);
    exec(db, kSchema3);
    std::map<std::string, store::StoredVacancy> state;
    std::int64_t at = kStart;
    for (const domain::Snapshot& s : events()) {
      store::StoredVacancy& prior = state[s.vacancy.id];
      prior.record.tenant = "oslo";
      Result<store::Changes> c = app::plan_event(policy, s, prior, at);
      REQUIRE(c.ok());
      c->vacancy.tenant = "oslo";
      write_as_schema3(db, *c, at);
      prior.exists = true;
      prior.record = c->vacancy;
      for (const store::CandidateHistory& h : c->candidates) {
        auto it = std::find_if(prior.candidates.begin(), prior.candidates.end(),
                               [&](const auto& x) { return x.candidate_id == h.candidate_id; });
        if (it == prior.candidates.end())
          prior.candidates.push_back(h);
        else
          *it = h;
      }
      prior.last_verdict = c->verdict;
      at += 3600;
    }
    REQUIRE(sqlite3_close(db) == SQLITE_OK);
  }
  // The attacker would have caught it: schema 3 names every candidate and links answers.
  const privacy_attack::Result before = privacy_attack::attack({old_path, {}, {}}, people());
  CHECK(before.named.size() == people().size());
  CHECK(before.links.size() >= 6);

  // Opening without the keys refuses to upgrade, and changes nothing.
  {
    store::SqliteOptions o;
    o.path = old_path;
    auto refused = store::open_sqlite_store(o);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().message().find("pseudonym") != std::string::npos);
    CHECK(privacy_attack::attack({old_path, {}, {}}, people()).links.size() == before.links.size());
  }

  // The same events through the new code, into a new database.
  auto fresh = open(new_path, key_map);
  {
    std::int64_t at = kStart;
    int n = 0;
    for (const domain::Snapshot& s : events()) {
      apply(*fresh, policy, **keys, s, "e" + std::to_string(++n), at);
      at += 3600;
    }
  }
  auto upgraded = open(old_path, key_map);

  // The upgraded file and the new one keep the same: histories under the same pseudonyms,
  // the same current verdicts.
  for (const char* v : {"v-100", "v-200", "v-300", "v-400", "v-600"}) {
    CAPTURE(v);
    const store::StoredVacancy a = load(*upgraded, v), b = load(*fresh, v);
    REQUIRE(a.candidates.size() == b.candidates.size());
    for (std::size_t i = 0; i < a.candidates.size(); ++i) {
      CHECK(a.candidates[i].candidate_id == b.candidates[i].candidate_id);
      CHECK(a.candidates[i].stages == b.candidates[i].stages);
    }
    REQUIRE(a.last_verdict.has_value());
    CHECK(store::verdict_to_json(*a.last_verdict) == store::verdict_to_json(*b.last_verdict));
  }
  const Figures from_old = figures(*upgraded, policy), from_new = figures(*fresh, policy);
  CHECK(from_old.report == from_new.report);
  CHECK(from_old.what_if == from_new.what_if);
  CHECK(from_old.vacancies == from_new.vacancies);
  CHECK(from_old.aggregates == from_new.aggregates);
  CHECK_FALSE(from_old.aggregates.empty());
  upgraded->close();
  fresh->close();

  // And the attacker finds nothing in either, raw bytes of the file and WAL included.
  for (const std::string& path : {old_path, new_path}) {
    CAPTURE(path);
    const privacy_attack::Result after = privacy_attack::attack({path, {}, {}}, people());
    for (const auto& f : after.named)
      MESSAGE("named: " << f.identifier << " in " << f.where);
    CHECK(after.named.empty());
    CHECK(after.links.empty());
  }
}

TEST_CASE("a rotated key keeps every stage history, re-keyed as candidates are seen") {
  const policy::Policy policy = oslo();
  auto old_keys = app::Pseudonyms::make(kKey);
  auto rotated = app::Pseudonyms::make(kNewKey, {kKey});
  REQUIRE(old_keys.ok());
  REQUIRE(rotated.ok());
  CHECK((*old_keys)->key_id() != (*rotated)->key_id());
  testing::TempDir dir;
  auto s = open(dir.path() + "/m.db", {{"oslo", *old_keys}});
  using domain::Stage;
  const domain::Answer yes = domain::Answer::kYes, no = domain::Answer::kNo;
  apply(*s, policy, **old_keys,
        snapshot("v-1", {{"c-1", Stage::kInterview, yes}, {"c-2", Stage::kApplied, no}}), "e1",
        kStart);
  // After the rotation the ATS reports c-1 back at "applied" (status moved back) and c-2
  // invited: c-1 must still count as invited, which only its stored history can say.
  apply(*s, policy, **rotated,
        snapshot("v-1", {{"c-1", Stage::kApplied, yes}, {"c-2", Stage::kInterview, no}}), "e2",
        kStart + 60);
  const store::StoredVacancy v = load(*s, "v-1");
  REQUIRE(v.candidates.size() == 2);  // re-keyed, not doubled
  for (const store::CandidateHistory& h : v.candidates)
    CHECK(h.candidate_id.rfind((*rotated)->key_id() + ".", 0) == 0);
  const std::string c1 = (*rotated)->make_pseudonym("oslo", "v-1", "c-1");
  const auto it = std::find_if(v.candidates.begin(), v.candidates.end(),
                               [&](const auto& h) { return h.candidate_id == c1; });
  REQUIRE(it != v.candidates.end());
  CHECK(it->stages == std::vector<Stage>{Stage::kInterview, Stage::kApplied});
  REQUIRE(v.last_verdict.has_value());
  const auto invite = std::find_if(v.last_verdict->rules.begin(), v.last_verdict->rules.end(),
                                   [](const auto& r) { return r.kind == "interview_minimum"; });
  REQUIRE(invite != v.last_verdict->rules.end());
  CHECK(invite->counts.invited == 2);
  CHECK(invite->counts.invited_in_group == 1);
  // The same id is another pseudonym in another vacancy and under another key.
  CHECK((*rotated)->make_pseudonym("oslo", "v-2", "c-1") != c1);
  CHECK((*old_keys)->make_pseudonym("oslo", "v-1", "c-1") != c1);
  CHECK_FALSE(app::Pseudonyms::make("too short").ok());
  CHECK_FALSE(app::Pseudonyms::make(kKey, {kKey}).ok());
}
