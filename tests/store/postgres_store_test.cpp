// What only PostgreSQL does: several stores (connector instances) on one database. The
// contract tests shared with SQLite are the other files of store_postgres_test.
#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <thread>

#include "connector/store/postgres/postgres_store.hpp"
#include "store_test_support.hpp"

namespace mangfold::store {
namespace {

using namespace testing;
using domain::Stage;

// A plan that adds one candidate to the vacancy's stored histories: the final count shows
// whether every event saw the state its predecessor committed (no lost update).
Plan add_candidate(std::string id) {
  return [id](const StoredVacancy& prior) -> Result<Changes> {
    Changes c;
    c.vacancy = prior.exists ? prior.record : vacancy();
    c.candidates = {{id, {Stage::kApplied}}};
    c.outbox = {{"email", "mail-" + id, "", "", R"({"n":1})", 0, ""}};
    return c;
  };
}

TEST_CASE(
    "two instances: every event applies once, redeliveries to the other are duplicates, "
    "and events for one vacancy see each other") {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  auto a = open_store(path);
  auto b = open_store(path);
  constexpr int kEvents = 120;
  Collector done;
  // Each event goes to both instances at once, from two threads per instance; three
  // vacancies, so that events for the same vacancy race on different instances.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Store& s = (t % 2 == 0) ? *a : *b;
      for (int i = t / 2; i < kEvents; i += 2) {
        const std::string id = "c" + std::to_string(i);
        s.submit(submission("oslo", "e" + std::to_string(i), add_candidate(id),
                            "v" + std::to_string(i % 3)),
                 done.done(i + (t % 2) * kEvents));
      }
    });
  }
  for (auto& t : threads)
    t.join();
  REQUIRE(done.wait_for(2 * kEvents));
  int applied = 0, duplicates = 0;
  for (int n = 0; n < 2 * kEvents; ++n) {
    auto r = done.result(n);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    (r->applied == Applied::kApplied ? applied : duplicates) += 1;
  }
  CHECK(applied == kEvents);
  CHECK(duplicates == kEvents);
  std::size_t candidates = 0;
  for (int v = 0; v < 3; ++v) {
    auto stored = a->load_vacancy("oslo", "v" + std::to_string(v));
    REQUIRE(stored.ok());
    candidates += stored->candidates.size();
  }
  CHECK(candidates == kEvents);
  CHECK(*b->count_events("oslo") == kEvents);
  CHECK(*a->outbox_depth("pending") == kEvents);
}

TEST_CASE("two instances claiming the outbox at once never claim a row twice") {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  auto a = open_store(path);
  auto b = open_store(path);
  constexpr int kRows = 60;
  for (int i = 0; i < kRows; ++i)
    REQUIRE(submit_sync(
                *a, submission("oslo", "e" + std::to_string(i),
                               add_candidate("c" + std::to_string(i)), "v" + std::to_string(i % 5)))
                .ok());
  std::mutex mu;
  std::multiset<std::int64_t> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      Store& s = (w % 2 == 0) ? *a : *b;
      for (;;) {
        auto rows = s.claim_outbox("email", 2000, 3, 600);
        REQUIRE(rows.ok());
        if (rows->empty()) return;
        std::lock_guard lock(mu);
        for (const auto& c : *rows)
          claimed.insert(c.id);
      }
    });
  }
  for (auto& w : workers)
    w.join();
  CHECK(claimed.size() == kRows);
  CHECK(std::set<std::int64_t>(claimed.begin(), claimed.end()).size() == kRows);
  // A lease that ran out (the instance died) lets the other instance take the row over.
  auto again = b->claim_outbox("email", 2000 + 601, kRows, 600);
  REQUIRE(again.ok());
  CHECK(again->size() == kRows);
  CHECK(again->front().attempts == 2);
}

TEST_CASE("a digest batch is never split between two instances") {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  auto a = open_store(path);
  auto b = open_store(path);
  for (int i = 0; i < 40; ++i) {
    const std::string key = "digest-" + std::to_string(i % 4);
    REQUIRE(
        submit_sync(
            *a, submission("oslo", "e" + std::to_string(i),
                           [i, key](const StoredVacancy&) -> Result<Changes> {
                             Changes c;
                             c.vacancy = vacancy();
                             c.outbox = {{"digest", "d" + std::to_string(i), "", "", "{}", i, key}};
                             return c;
                           }))
            .ok());
  }
  std::mutex mu;
  std::vector<std::vector<std::string>> batches;
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&, w] {
      Store& s = w == 0 ? *a : *b;
      for (;;) {
        auto rows = s.claim_outbox_batch("digest", 1000, 100, 600);
        REQUIRE(rows.ok());
        if (rows->empty()) return;
        std::vector<std::string> keys;
        for (const auto& c : *rows)
          keys.push_back(c.item.batch_key);
        std::lock_guard lock(mu);
        batches.push_back(keys);
      }
    });
  }
  for (auto& w : workers)
    w.join();
  REQUIRE(batches.size() == 4);
  std::set<std::string> seen;
  for (const auto& keys : batches) {
    CHECK(keys.size() == 10);
    CHECK(std::set<std::string>(keys.begin(), keys.end()).size() == 1);
    CHECK(seen.insert(keys.front()).second);
  }
}

TEST_CASE("two instances enqueue a period's scheduled report once between them") {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  auto a = open_store(path);
  auto b = open_store(path);
  std::atomic<int> enqueued{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      Store& s = t % 2 == 0 ? *a : *b;
      OutboxItem o;
      o.kind = "report_email";
      o.idempotency_key = "r-oslo-2026-02-" + std::to_string(t);
      o.payload = R"({"v":1})";
      auto r = s.enqueue_scheduled_report("oslo", "2026-02", o, 100 + t);
      if (r.ok() && *r) ++enqueued;
    });
  for (auto& t : threads)
    t.join();
  CHECK(enqueued == 1);
  CHECK(count_rows(path, "report_sends") == 1);
  CHECK(*a->outbox_depth("pending") == 1);
}

TEST_CASE("instances starting at once migrate the schema once") {
  TempDir dir;
  const std::string path = dir.file("fresh.db");
  // The test's empty schema is made here, once: CREATE SCHEMA IF NOT EXISTS is not safe to
  // race, and it is the test's set-up, not what the instances do. The stores open on four
  // threads and report back here (a failed REQUIRE on another thread would abort the run).
  PostgresOptions options;
  options.conninfo = mangfold::testing::pg::schema_conninfo(path);
  std::vector<Result<std::unique_ptr<Store>>> stores;
  for (int i = 0; i < 4; ++i)
    stores.emplace_back(unavailable("not opened"));
  std::vector<std::thread> starters;
  for (auto& s : stores)
    starters.emplace_back([&s, &options] { s = open_postgres_store(options); });
  for (auto& t : starters)
    t.join();
  for (auto& s : stores)
    REQUIRE_MESSAGE(s.ok(), s.status().message());
  CHECK(count_rows(path, "mangfold_schema") == postgres_schema_version());
  CHECK(submit_sync(**stores[3], submission("oslo", "e1", write_vacancy())).ok());
}

TEST_CASE("retention on two instances folds each vacancy once") {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  auto a = open_store(path);
  auto b = open_store(path);
  constexpr int kVacancies = 30;
  for (int i = 0; i < kVacancies; ++i)
    REQUIRE(submit_sync(*a, submission(
                                "oslo", "e" + std::to_string(i),
                                [](const StoredVacancy&) -> Result<Changes> {
                                  Changes c;
                                  c.vacancy = vacancy();
                                  c.vacancy.status = "closed";
                                  c.vacancy.closed_at = 5000;
                                  return c;
                                },
                                "v" + std::to_string(i)))
                .ok());
  std::atomic<std::int64_t> folded{0};
  auto run = [&](Store& s) {
    for (;;) {
      RetentionRequest r;
      r.closed_before = 6000;
      r.now = 7000;
      r.limit = 4;
      r.fold = [](const ReportVacancy& v) -> Result<std::vector<AggregateRow>> {
        return std::vector<AggregateRow>{{"2025-01", v.record.department, "vacancies", 1}};
      };
      auto res = s.fold_closed_vacancies(std::move(r));
      REQUIRE(res.ok());
      folded += res->folded;
      if (!res->more) return;
    }
  };
  std::thread ta([&] { run(*a); });
  std::thread tb([&] { run(*b); });
  ta.join();
  tb.join();
  // A vacancy skipped because the other instance held it is picked up by a later call.
  run(*a);
  CHECK(folded.load() == kVacancies);
  auto rows = a->read_aggregates("oslo", "2025-01", "2025-01");
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK(rows->front().value == kVacancies);
  CHECK(a->list_vacancies("oslo", false)->empty());
}

TEST_CASE("an unreachable server is kUnavailable at open, and bad options kInvalidArgument") {
  PostgresOptions options;
  CHECK(open_postgres_store(options).status().code() == StatusCode::kInvalidArgument);
  // Port 1 on loopback: nothing listens there.
  options.conninfo = "host=127.0.0.1 port=1 dbname=x user=x connect_timeout=2";
  CHECK(open_postgres_store(options).status().code() == StatusCode::kUnavailable);
}

TEST_CASE("a server that goes away makes submissions kUnavailable, then the store reconnects") {
  TempDir dir;
  PostgresOptions options;
  // A name of its own, so that only this instance's connections are ended below.
  options.conninfo =
      mangfold::testing::pg::schema_conninfo(dir.file("m.db")) + " application_name=goes_away";
  auto opened = open_postgres_store(options);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  Store& store = **opened;
  REQUIRE(submit_sync(store, submission("oslo", "e1", write_vacancy())).ok());
  // Ends every connection of this instance, as a server restart or failover would.
  mangfold::testing::pg::admin_exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE application_name = 'goes_away'");
  auto failed = submit_sync(store, submission("oslo", "e2", write_vacancy()));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().code() == StatusCode::kUnavailable);
  // The next batch reconnects, and the retried event is applied.
  auto retried = submit_sync(store, submission("oslo", "e2", write_vacancy()));
  REQUIRE_MESSAGE(retried.ok(), retried.status().message());
  CHECK(retried->applied == Applied::kApplied);
  CHECK(*store.count_events("oslo") == 2);
}

}  // namespace
}  // namespace mangfold::store
