// The store's submission path (SQLite, and PostgreSQL in store_postgres_test): dedupe, prior state,
// group commit, failure isolation, commit failures, durability settings, reopening and closing.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "connector/store/sqlite_db.hpp"
#include "connector/store/sqlite_schema.hpp"
#include "store_test_support.hpp"

namespace mangfold::store {
namespace {

using namespace testing;
using domain::Stage;

domain::Verdict verdict_with(int invited) {
  domain::Verdict v;
  v.policy_id = "oslo";
  v.policy_version = "3";
  v.vacancy_id = "v1";
  v.phase = domain::Phase::kInterviewing;
  v.overall = domain::Outcome::kCompliant;
  domain::RuleVerdict r;
  r.rule = "min_one";
  r.kind = "interview_minimum";
  r.group = "disability";
  r.outcome = domain::Outcome::kCompliant;
  r.reason_code = "met";
  r.counts.invited = invited;
  v.rules.push_back(r);
  return v;
}

TEST_CASE("a submission applies once and a redelivery is a duplicate and skips the plan") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  int calls = 0;
  Plan plan = [&calls](const StoredVacancy&) -> Result<Changes> {
    ++calls;
    Changes c;
    c.vacancy = vacancy();
    return c;
  };

  auto first = submit_sync(*store, submission("oslo", "evt-1", plan));
  REQUIRE(first.ok());
  CHECK(first->applied == Applied::kApplied);
  CHECK(calls == 1);

  auto again = submit_sync(*store, submission("oslo", "evt-1", plan));
  REQUIRE(again.ok());
  CHECK(again->applied == Applied::kDuplicate);
  CHECK_FALSE(again->verdict.has_value());
  CHECK(calls == 1);

  auto other_tenant = submit_sync(*store, submission("bergen", "evt-1", plan));
  REQUIRE(other_tenant.ok());
  CHECK(other_tenant->applied == Applied::kApplied);
  CHECK(calls == 2);

  CHECK(*store->count_events("oslo") == 1);
  CHECK(*store->count_events("bergen") == 1);
  CHECK(*store->count_events("sarpsborg") == 0);
  CHECK(store->stats().duplicates == 1);
  CHECK(store->stats().submissions == 3);
}

TEST_CASE("the plan runs on a thread named mf-writer (top -H shows the writer's load)") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  std::string name;
  Plan plan = [&name](const StoredVacancy&) -> Result<Changes> {
    std::ifstream comm("/proc/thread-self/comm");
    std::getline(comm, name);
    Changes c;
    c.vacancy = vacancy();
    return c;
  };
  REQUIRE(submit_sync(*store, submission("oslo", "evt-1", plan)).ok());
  CHECK(name == "mf-writer");
  // Listed among the process's threads while the store is open.
  bool listed = false;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string n;
    std::getline(comm, n);
    listed = listed || n == "mf-writer";
  }
  CHECK(listed);
}

TEST_CASE("the next plan sees the prior state: record, histories and last verdict") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));

  auto first = submit_sync(
      *store, submission("oslo", "e1", [](const StoredVacancy& prior) -> Result<Changes> {
        CHECK_FALSE(prior.exists);
        CHECK(prior.record.tenant == "oslo");
        CHECK(prior.record.vacancy_id == "v1");
        CHECK(prior.candidates.empty());
        CHECK_FALSE(prior.last_verdict.has_value());
        Changes c;
        c.vacancy = vacancy();
        c.candidates = {{"c1", {Stage::kApplied, Stage::kInterview}}, {"c2", {Stage::kApplied}}};
        c.verdict = verdict_with(1);
        return c;
      }));
  REQUIRE(first.ok());
  REQUIRE(first->verdict.has_value());
  CHECK(first->verdict->rules.at(0).counts.invited == 1);

  bool saw_prior = false;
  auto second = submit_sync(
      *store, submission("oslo", "e2", [&](const StoredVacancy& prior) -> Result<Changes> {
        saw_prior = true;
        CHECK(prior.exists);
        CHECK(prior.record.title == "Lærer");
        CHECK(prior.record.manager_email == "kari@example.org");
        REQUIRE(prior.candidates.size() == 2);
        CHECK(prior.candidates[0].candidate_id == "c1");
        CHECK(prior.candidates[0].stages == std::vector<Stage>{Stage::kApplied, Stage::kInterview});
        REQUIRE(prior.last_verdict.has_value());
        CHECK(prior.last_verdict->policy_version == "3");
        CHECK(prior.last_verdict->rules.at(0).counts.invited == 1);
        // c1 withdraws: the full history is written back, so the invitation is kept.
        Changes c;
        c.vacancy = prior.record;
        c.candidates = {{"c1", {Stage::kApplied, Stage::kInterview, Stage::kWithdrawn}}};
        c.verdict = verdict_with(2);
        return c;
      }));
  REQUIRE(second.ok());
  CHECK(saw_prior);

  // Another thread reads the committed state.
  Result<StoredVacancy> loaded = not_found("not read");
  std::thread reader([&] { loaded = store->load_vacancy("oslo", "v1"); });
  reader.join();
  REQUIRE(loaded.ok());
  CHECK(loaded->exists);
  REQUIRE(loaded->candidates.size() == 2);
  CHECK(loaded->candidates[0].stages ==
        std::vector<Stage>{Stage::kApplied, Stage::kInterview, Stage::kWithdrawn});
  CHECK(loaded->candidates[1].stages == std::vector<Stage>{Stage::kApplied});
  REQUIRE(loaded->last_verdict.has_value());
  CHECK(loaded->last_verdict->rules.at(0).counts.invited == 2);
  CHECK(loaded->last_verdict->vacancy_id == "v1");

  auto missing = store->load_vacancy("oslo", "nope");
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->exists);
}

TEST_CASE("a verdict whose counts alone changed replaces the current one and adds no log row") {
  TempDir dir;
  const std::string path = dir.file("m.db");
  auto store = open_store(path);
  auto with_verdict = [](int invited, bool log) {
    return [invited, log](const StoredVacancy&) -> Result<Changes> {
      Changes c;
      c.vacancy = vacancy();
      c.verdict = verdict_with(invited);
      c.log_verdict = log;
      return c;
    };
  };
  REQUIRE(submit_sync(*store, submission("oslo", "e1", with_verdict(1, true))).ok());
  CHECK(count_rows(path, "verdicts") == 1);
  REQUIRE(submit_sync(*store, submission("oslo", "e2", with_verdict(2, false))).ok());
  CHECK(count_rows(path, "verdicts") == 1);
  CHECK(count_rows(path, "current_verdicts") == 1);
  Result<StoredVacancy> loaded = store->load_vacancy("oslo", "v1");
  REQUIRE(loaded.ok());
  REQUIRE(loaded->last_verdict.has_value());
  CHECK(loaded->last_verdict->rules.at(0).counts.invited == 2);
  REQUIRE(submit_sync(*store, submission("oslo", "e3", with_verdict(3, true))).ok());
  CHECK(count_rows(path, "verdicts") == 2);
}

TEST_CASE("Norwegian letters in a vacancy survive the round trip") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  const std::string title = "Spesialsykepleier, Ørland – ÆØÅ æøå (100 %)";
  REQUIRE(submit_sync(*store, submission("oslo", "e1", write_vacancy(title))).ok());
  auto v = store->load_vacancy("oslo", "v1");
  REQUIRE(v.ok());
  CHECK(v->record.title == title);
  CHECK(v->record.department == "Oppvekst");
  CHECK(v->record.deadline == "2025-03-01");
  CHECK(v->record.opened_at == 1700000000);
}

TEST_CASE("list_vacancies filters by tenant and open status") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  auto closing = [](const StoredVacancy&) -> Result<Changes> {
    Changes c;
    c.vacancy = vacancy("Avsluttet");
    c.vacancy.status = "closed";
    c.vacancy.closed_at = 1700009999;
    return c;
  };
  REQUIRE(submit_sync(*store, submission("oslo", "e1", write_vacancy("B"), "b")).ok());
  REQUIRE(submit_sync(*store, submission("oslo", "e2", write_vacancy("A"), "a")).ok());
  REQUIRE(submit_sync(*store, submission("oslo", "e3", closing, "c")).ok());
  REQUIRE(submit_sync(*store, submission("bergen", "e1", write_vacancy("X"), "x")).ok());

  auto all = store->list_vacancies("oslo", false);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].vacancy_id == "a");
  CHECK((*all)[2].status == "closed");
  CHECK((*all)[2].closed_at == 1700009999);
  auto open = store->list_vacancies("oslo", true);
  REQUIRE(open.ok());
  CHECK(open->size() == 2);
}

TEST_CASE("group commit: 200 submissions from 4 threads complete once each in few commits") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  constexpr int kThreads = 4, kPerThread = 50, kTotal = kThreads * kPerThread;
  Collector done;
  std::atomic<int> submitted{0};
  Gate all_submitted;
  std::atomic<bool> first{true};

  // The first plan to run holds the writer until every submission is queued, so batching
  // does not depend on how fast this machine's fsync is.
  auto plan = [&](const StoredVacancy& prior) -> Result<Changes> {
    if (first.exchange(false)) all_submitted.wait();
    Changes c;
    c.vacancy = prior.exists ? prior.record : vacancy();
    c.vacancy.updated_at += 1;
    return c;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int n = t * kPerThread + i;
        // Ten vacancies, so batches hold several events for the same vacancy.
        store->submit(
            submission("oslo", "evt-" + std::to_string(n), plan, "v" + std::to_string(n % 10)),
            done.done(n));
        if (++submitted == kTotal) all_submitted.open();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  REQUIRE(done.wait_for(kTotal));

  for (int n = 0; n < kTotal; ++n) {
    CAPTURE(n);
    CHECK(done.times(n) == 1);
    auto r = done.result(n);
    REQUIRE(r.ok());
    CHECK(r->applied == Applied::kApplied);
  }
  const StoreStats stats = store->stats();
  CHECK(stats.submissions == kTotal);
  CHECK(stats.commits < static_cast<std::uint64_t>(kTotal));
  CHECK(stats.largest_batch > 1);
  CHECK(stats.failed_batches == 0);
  CHECK(*store->count_events("oslo") == kTotal);
  // Every one of the 20 events per vacancy saw the one before it in the same batch.
  auto v3 = store->load_vacancy("oslo", "v3");
  REQUIRE(v3.ok());
  CHECK(v3->record.updated_at == vacancy().updated_at + kTotal / 10);
}

TEST_CASE("a failing or throwing plan fails only its own submission") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  Gate gate;
  Collector done;
  store->submit(submission(
                    "oslo", "hold",
                    [&](const StoredVacancy&) -> Result<Changes> {
                      gate.wait();
                      Changes c;
                      c.vacancy = vacancy();
                      return c;
                    },
                    "v0"),
                done.done(0));
  REQUIRE(gate.wait_entered());
  const auto commits_before = store->stats().commits;

  // Queued behind the held writer, these four run in one batch.
  store->submit(submission("oslo", "ok-1", write_vacancy("A"), "va"), done.done(1));
  store->submit(submission(
                    "oslo", "fails",
                    [](const StoredVacancy&) -> Result<Changes> {
                      return unprocessable("no mapping for status 'X'");
                    },
                    "vb"),
                done.done(2));
  store->submit(
      submission(
          "oslo", "throws",
          [](const StoredVacancy&) -> Result<Changes> { throw std::runtime_error("boom"); }, "vc"),
      done.done(3));
  store->submit(submission(
                    "oslo", "bad-status",
                    [](const StoredVacancy&) -> Result<Changes> {
                      Changes c;
                      c.vacancy = vacancy();
                      c.vacancy.status = "archived";
                      return c;
                    },
                    "vd"),
                done.done(4));
  store->submit(submission("oslo", "ok-2", write_vacancy("E"), "ve"), done.done(5));
  gate.open();
  REQUIRE(done.wait_for(6));

  CHECK(store->stats().commits == commits_before + 2);
  CHECK(store->stats().largest_batch == 5);
  CHECK(done.result(1)->applied == Applied::kApplied);
  CHECK(done.result(5)->applied == Applied::kApplied);
  CHECK(done.result(2).status().code() == StatusCode::kUnprocessable);
  CHECK(done.result(2).status().message() == "no mapping for status 'X'");
  CHECK(done.result(3).status().code() == StatusCode::kInternal);
  CHECK(done.result(3).status().message().find("boom") == std::string::npos);
  CHECK(done.result(4).status().code() == StatusCode::kInternal);

  // The failed ones left nothing behind, not even their dedupe keys.
  CHECK(*store->count_events("oslo") == 3);
  CHECK_FALSE(store->load_vacancy("oslo", "vb")->exists);
  CHECK_FALSE(store->load_vacancy("oslo", "vd")->exists);
  CHECK(store->load_vacancy("oslo", "ve")->exists);
  auto retried = submit_sync(*store, submission("oslo", "fails", write_vacancy("B"), "vb"));
  REQUIRE(retried.ok());
  CHECK(retried->applied == Applied::kApplied);
}

TEST_CASE("within one batch a redelivery is a duplicate unless the first delivery failed") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  Gate gate;
  Collector done;
  store->submit(submission("oslo", "hold",
                           [&](const StoredVacancy&) -> Result<Changes> {
                             gate.wait();
                             Changes c;
                             c.vacancy = vacancy();
                             return c;
                           }),
                done.done(0));
  REQUIRE(gate.wait_entered());
  auto failing = [](const StoredVacancy&) -> Result<Changes> { return unavailable("ATS down"); };
  store->submit(submission("oslo", "a", write_vacancy()), done.done(1));
  store->submit(submission("oslo", "a", write_vacancy()), done.done(2));
  store->submit(submission("oslo", "b", failing), done.done(3));
  store->submit(submission("oslo", "b", write_vacancy()), done.done(4));
  gate.open();
  REQUIRE(done.wait_for(5));
  CHECK(done.result(1)->applied == Applied::kApplied);
  CHECK(done.result(2)->applied == Applied::kDuplicate);
  CHECK(done.result(3).status().code() == StatusCode::kUnavailable);
  CHECK(done.result(4)->applied == Applied::kApplied);
  CHECK(*store->count_events("oslo") == 3);
}

TEST_CASE("a submission without ids or plan is kInvalidArgument") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  CHECK(submit_sync(*store, submission("", "e", write_vacancy())).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(submit_sync(*store, submission("oslo", "", write_vacancy())).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(submit_sync(*store, submission("oslo", "e", write_vacancy(), "")).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(submit_sync(*store, submission("oslo", "e", nullptr)).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(*store->count_events("oslo") == 0);
}

// SQLite only: its commit hook, file locks, pragmas and paths.
#ifndef MANGFOLD_STORE_TEST_POSTGRES
TEST_CASE("a failed COMMIT fails every submission of the batch with kUnavailable") {
  TempDir dir;
  std::atomic<bool> fail{false};
  SqliteOptions options;
  options.fail_commit_for_testing = [&fail] { return fail.load(); };
  auto store = open_store(dir.file("m.db"), options);

  Gate gate;
  Collector done;
  store->submit(submission("oslo", "hold",
                           [&](const StoredVacancy&) -> Result<Changes> {
                             gate.wait();
                             Changes c;
                             c.vacancy = vacancy();
                             return c;
                           }),
                done.done(0));
  REQUIRE(gate.wait_entered());
  for (int n = 1; n <= 5; ++n)
    store->submit(submission("oslo", "e" + std::to_string(n), write_vacancy()), done.done(n));
  fail = true;
  gate.open();
  REQUIRE(done.wait_for(6));
  for (int n = 0; n <= 5; ++n) {
    CAPTURE(n);
    CHECK(done.result(n).status().code() == StatusCode::kUnavailable);
  }
  CHECK(store->stats().failed_batches == 2);
  CHECK(*store->count_events("oslo") == 0);
  CHECK_FALSE(store->load_vacancy("oslo", "v1")->exists);

  // Nothing was acknowledged, so the redelivery applies.
  fail = false;
  auto again = submit_sync(*store, submission("oslo", "e1", write_vacancy()));
  REQUIRE(again.ok());
  CHECK(again->applied == Applied::kApplied);
}

TEST_CASE("another process holding the write lock makes submissions kUnavailable, reads go on") {
  TempDir dir;
  const std::string path = dir.file("m.db");
  SqliteOptions options;
  options.busy_timeout_ms = 20;
  auto store = open_store(path, options);
  REQUIRE(submit_sync(*store, submission("oslo", "before", write_vacancy())).ok());

  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);

  Collector done;
  for (int n = 0; n < 5; ++n)
    store->submit(submission("oslo", "e" + std::to_string(n), write_vacancy()), done.done(n));
  REQUIRE(done.wait_for(5));
  for (int n = 0; n < 5; ++n) {
    CAPTURE(n);
    CHECK(done.result(n).status().code() == StatusCode::kUnavailable);
  }
  CHECK(store->ping().code() == StatusCode::kUnavailable);
  // WAL: readers do not wait for the writer's lock.
  CHECK(store->load_vacancy("oslo", "v1")->exists);

  REQUIRE(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  CHECK(store->ping().ok());
  auto after = submit_sync(*store, submission("oslo", "e0", write_vacancy()));
  REQUIRE(after.ok());
  CHECK(after->applied == Applied::kApplied);
  CHECK(*store->count_events("oslo") == 2);
}

TEST_CASE("durability: WAL and synchronous=FULL are set and read back") {
  TempDir dir;
  const std::string path = dir.file("m.db");
  {
    auto db = sqlite::Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
    REQUIRE(db.ok());
    REQUIRE(sqlite::require_durability(**db, path).ok());
    CHECK(*(*db)->query_text("PRAGMA journal_mode") == "wal");
    CHECK(*(*db)->query_text("PRAGMA synchronous") == "2");
  }
  // The store's own file is in WAL mode (journal_mode is persistent in the file).
  auto store = open_store(dir.file("s.db"));
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(dir.file("s.db").c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "wal");
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST_CASE("a database that cannot do WAL is refused with a clear status") {
  SqliteOptions options;
  options.path = ":memory:";
  auto store = open_sqlite_store(options);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == StatusCode::kFailedPrecondition);
  CHECK(store.status().message().find("wal") != std::string::npos);
}

TEST_CASE("bad options and unusable paths fail at open") {
  TempDir dir;
  SqliteOptions options;
  options.path = dir.file("m.db");
  options.max_batch = 0;
  CHECK(open_sqlite_store(options).status().code() == StatusCode::kInvalidArgument);
  options.max_batch = 1;
  options.path = "";
  CHECK(open_sqlite_store(options).status().code() == StatusCode::kInvalidArgument);
  // A directory where the file should be.
  options.path = dir.file("");
  CHECK(open_sqlite_store(options).status().code() == StatusCode::kUnavailable);
}

TEST_CASE("the parent directory is created on first run") {
  TempDir dir;
  auto store = open_store(dir.file("var/sub/mangfold.db"));
  CHECK(store->ping().ok());
  CHECK(std::filesystem::exists(dir.file("var/sub/mangfold.db")));
}

#endif

TEST_CASE("reopening finds everything, and migrations are not applied again") {
  TempDir dir;
  const std::string path = dir.file("m.db");
  {
    auto store = open_store(path);
    auto r =
        submit_sync(*store, submission("oslo", "e1", [](const StoredVacancy&) -> Result<Changes> {
          Changes c;
          c.vacancy = vacancy("Rådgiver");
          c.candidates = {{"c1", {Stage::kApplied, Stage::kInterview}}};
          c.verdict = verdict_with(1);
          c.outbox = {{"email", "k1", "", "", R"({"to":"kari@example.org"})", 0, ""}};
          return c;
        }));
    REQUIRE(r.ok());
    store->close();
  }
  auto store = open_store(path);
  auto v = store->load_vacancy("oslo", "v1");
  REQUIRE(v.ok());
  CHECK(v->record.title == "Rådgiver");
  REQUIRE(v->candidates.size() == 1);
  REQUIRE(v->last_verdict.has_value());
  CHECK(*store->count_events("oslo") == 1);
  CHECK(*store->outbox_depth("pending") == 1);
  // The dedupe key survived too.
  CHECK(submit_sync(*store, submission("oslo", "e1", write_vacancy()))->applied ==
        Applied::kDuplicate);
  store->close();

#ifdef MANGFOLD_STORE_TEST_POSTGRES
  CHECK(count_rows(path, "mangfold_schema") == postgres_schema_version());
#else
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == sqlite_schema_version());
  sqlite3_finalize(st);
  sqlite3_close(raw);
#endif
}

#ifndef MANGFOLD_STORE_TEST_POSTGRES
TEST_CASE("a database from a newer binary is refused") {
  TempDir dir;
  const std::string path = dir.file("m.db");
  open_store(path)->close();
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  const std::string set = "PRAGMA user_version = " + std::to_string(sqlite_schema_version() + 1);
  REQUIRE(sqlite3_exec(raw, set.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  SqliteOptions options;
  options.path = path;
  auto store = open_sqlite_store(options);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == StatusCode::kFailedPrecondition);
}

#endif

TEST_CASE("close() completes every queued submission, and later calls are kUnavailable") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  Gate gate;
  Collector done;
  store->submit(submission("oslo", "hold",
                           [&](const StoredVacancy&) -> Result<Changes> {
                             gate.wait();
                             Changes c;
                             c.vacancy = vacancy();
                             return c;
                           }),
                done.done(0));
  REQUIRE(gate.wait_entered());
  constexpr int kQueued = 50;
  for (int n = 1; n <= kQueued; ++n)
    store->submit(submission("oslo", "e" + std::to_string(n), write_vacancy()), done.done(n));

  std::thread closer([&] { store->close(); });
  // Probe until close() has taken effect: a probe submitted after it completes at once,
  // on this thread. Probes that were still queued are drained like the rest.
  int probes = 0;
  for (;;) {
    const int n = 1000 + probes++;
    store->submit(submission("oslo", "probe" + std::to_string(n), write_vacancy()), done.done(n));
    if (done.times(n) == 1 && done.thread(n) == std::this_thread::get_id() &&
        done.result(n).status().message() == "store closed")
      break;
    std::this_thread::yield();
  }
  gate.open();
  closer.join();

  // close() returned: everything queued before it has completed, without waiting here.
  CHECK(done.count() == 1 + kQueued + probes);
  for (int n = 0; n <= kQueued; ++n) {
    CAPTURE(n);
    REQUIRE(done.times(n) == 1);
    CHECK(done.result(n).ok());
  }
  const int last_probe = 1000 + probes - 1;
  CHECK(done.result(last_probe).status().code() == StatusCode::kUnavailable);
  CHECK(done.result(last_probe).status().message() == "store closed");

  CHECK(store->ping().code() == StatusCode::kUnavailable);
  CHECK(store->load_vacancy("oslo", "v1").status().code() == StatusCode::kUnavailable);
  CHECK(store->purge_events(0).status().code() == StatusCode::kUnavailable);
  store->close();  // idempotent
}

TEST_CASE("synchronous calls from the writer thread fail instead of deadlocking") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  Status from_plan;
  auto r =
      submit_sync(*store, submission("oslo", "e1", [&](const StoredVacancy&) -> Result<Changes> {
        from_plan = store->ping();
        Changes c;
        c.vacancy = vacancy();
        return c;
      }));
  REQUIRE(r.ok());
  CHECK(from_plan.code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("purge_events removes old dedupe keys only") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  for (int t : {100, 200, 300})
    REQUIRE(
        submit_sync(*store, submission("oslo", "e" + std::to_string(t), write_vacancy(), "v1", t))
            .ok());
  auto purged = store->purge_events(250);
  REQUIRE(purged.ok());
  CHECK(*purged == 2);
  CHECK(*store->count_events("oslo") == 1);
  CHECK(*store->purge_events(250) == 0);
  // Within retention still a duplicate; past it the key is gone.
  CHECK(submit_sync(*store, submission("oslo", "e300", write_vacancy()))->applied ==
        Applied::kDuplicate);
  CHECK(submit_sync(*store, submission("oslo", "e100", write_vacancy()))->applied ==
        Applied::kApplied);
}

TEST_CASE("ping writes through the writer") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  const auto before = store->stats().commits;
  CHECK(store->ping().ok());
  CHECK(store->stats().commits == before + 1);
}

}  // namespace
}  // namespace mangfold::store
