// Helpers for the store tests: a temporary directory, a gate to hold the writer, a
// collector of completions, and plans.
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connector/store/sqlite_store.hpp"
#include "connector/store/store.hpp"
#ifdef MANGFOLD_STORE_TEST_POSTGRES
#include "connector/store/postgres/postgres_store.hpp"
#include "tests/support/pg_test_server.hpp"
#endif

namespace mangfold::store::testing {

// Waits in these helpers are bounded so that a bug fails a test instead of hanging it;
// no test depends on how long anything takes.
inline constexpr auto kPatience = std::chrono::seconds(30);

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mangfold-store-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Blocks whoever calls wait() (a plan, so the writer thread) until open() is called.
class Gate {
 public:
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Also tells waiting_for_entry() that the writer has arrived.
  bool wait() {
    std::unique_lock lock(mu_);
    entered_ = true;
    cv_.notify_all();
    return cv_.wait_for(lock, kPatience, [this] { return open_; });
  }
  bool wait_entered() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [this] { return entered_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false, entered_ = false;
};

// Records every completion by submission number, with the thread it ran on.
class Collector {
 public:
  Done done(int n) {
    return [this, n](Result<SubmitResult> r) {
      std::lock_guard lock(mu_);
      results_[n].push_back(std::move(r));
      threads_[n] = std::this_thread::get_id();
      ++count_;
      cv_.notify_all();
    };
  }
  bool wait_for(int total) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kPatience, [&] { return count_ >= total; });
  }
  int count() {
    std::lock_guard lock(mu_);
    return count_;
  }
  // How many times submission n completed.
  std::size_t times(int n) {
    std::lock_guard lock(mu_);
    auto it = results_.find(n);
    return it == results_.end() ? 0 : it->second.size();
  }
  // The first completion of n (REQUIREs that there is one).
  Result<SubmitResult> result(int n) {
    std::lock_guard lock(mu_);
    auto it = results_.find(n);
    REQUIRE(it != results_.end());
    return it->second.front();
  }
  std::thread::id thread(int n) {
    std::lock_guard lock(mu_);
    return threads_[n];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, std::vector<Result<SubmitResult>>> results_;
  std::map<int, std::thread::id> threads_;
  int count_ = 0;
};

inline VacancyRecord vacancy(const std::string& title = "Lærer") {
  VacancyRecord v;
  v.title = title;
  v.department = "Oppvekst";
  v.url = "https://example.org/jobb/1";
  v.manager_name = "Kari Leder";
  v.manager_email = "kari@example.org";
  v.ad_language = "nb";
  v.deadline = "2025-03-01";
  v.opened_at = 1700000000;
  v.updated_at = 1700000100;
  return v;
}

// A plan that writes the vacancy and nothing else.
inline Plan write_vacancy(const std::string& title = "Lærer") {
  return [title](const StoredVacancy&) -> Result<Changes> {
    Changes c;
    c.vacancy = vacancy(title);
    return c;
  };
}

inline Submission submission(std::string tenant, std::string event_id, Plan plan,
                             std::string vacancy_id = "v1", std::int64_t received_at = 1000) {
  return Submission{std::move(tenant), std::move(event_id), std::move(vacancy_id), received_at,
                    std::move(plan)};
}

// SQL that turns a schema 4 (or 5) file back into what schema 3 kept: each vacancy's counts in its
// verdict log rows, no current_verdicts (for tests that go back further from there).
inline constexpr const char* kUndoSchema4 =
    "DROP TABLE report_sends; "  // migration 5, undone first
    "ALTER TABLE verdicts ADD COLUMN rules TEXT NOT NULL DEFAULT '[]'; "
    "UPDATE verdicts SET rules = (SELECT c.rules FROM current_verdicts c "
    "WHERE c.tenant = verdicts.tenant AND c.vacancy_id = verdicts.vacancy_id) "
    "WHERE EXISTS (SELECT 1 FROM current_verdicts c WHERE c.tenant = verdicts.tenant "
    "AND c.vacancy_id = verdicts.vacancy_id); "
    "DROP TABLE current_verdicts; ";

#ifndef MANGFOLD_STORE_TEST_POSTGRES
// The store under test: SQLite in store_test, PostgreSQL in store_postgres_test, where the
// same contract tests are compiled with MANGFOLD_STORE_TEST_POSTGRES.
inline std::unique_ptr<Store> open_store(const std::string& path, SqliteOptions options = {}) {
  options.path = path;
  auto store = open_sqlite_store(options);
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  return std::move(*store);
}
#else
// PostgreSQL: the path names a schema of the test server (the same path, the same schema,
// so reopening finds the rows); options that both backends have are kept.
inline std::unique_ptr<Store> open_store(const std::string& path, SqliteOptions sqlite = {}) {
  PostgresOptions options;
  options.conninfo = mangfold::testing::pg::schema_conninfo(path);
  options.max_batch = sqlite.max_batch;
  options.max_queue = sqlite.max_queue;
  options.max_idle_readers = sqlite.max_idle_readers;
  auto store = open_postgres_store(options);
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  return std::move(*store);
}
#endif

// Rows in a table of the store at `path` (opened by open_store), read directly.
inline std::int64_t count_rows(const std::string& path, const std::string& table) {
#ifdef MANGFOLD_STORE_TEST_POSTGRES
  return mangfold::testing::pg::admin_int("SELECT count(*) FROM " + table,
                                          mangfold::testing::pg::schema_conninfo(path));
#else
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  const std::string sql = "SELECT count(*) FROM " + table;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  const std::int64_t n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
#endif
}

// Submits and waits for the completion.
inline Result<SubmitResult> submit_sync(Store& store, Submission s) {
  Collector c;
  store.submit(std::move(s), c.done(0));
  REQUIRE(c.wait_for(1));
  return c.result(0);
}

}  // namespace mangfold::store::testing
