// SQLite: an acknowledgement rests on an fdatasync of the write-ahead log made by the
// store's mf-fsync thread after the COMMIT, while mf-writer already commits the next batch.
// The test hook before_sync_for_testing holds or fails that sync.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <string>
#include <thread>

#include "connector/store/wal_sync.hpp"
#include "store_test_support.hpp"

namespace mangfold::store {
namespace {

using namespace testing;

// Holds every sync of the log while closed; counts the syncs that were asked for.
struct SyncValve {
  std::mutex mu;
  std::condition_variable cv;
  bool closed = false;
  int calls = 0;
  int fail_from = 0;  // > 0: the calls from this one on fail

  Status hook() {
    std::unique_lock lock(mu);
    ++calls;
    cv.notify_all();
    cv.wait_for(lock, kPatience, [this] { return !closed; });
    if (fail_from > 0 && calls >= fail_from) return unavailable("disk unplugged");
    return Status{};
  }
  void close() {
    std::lock_guard lock(mu);
    closed = true;
  }
  void open() {
    std::lock_guard lock(mu);
    closed = false;
    cv.notify_all();
  }
  int count() {
    std::lock_guard lock(mu);
    return calls;
  }
  void fail_after_now() {
    std::lock_guard lock(mu);
    fail_from = calls + 1;
  }
  bool wait_calls(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, kPatience, [&] { return calls >= n; });
  }
};

SqliteOptions with_valve(SyncValve& valve) {
  SqliteOptions o;
  o.before_sync_for_testing = [&valve] { return valve.hook(); };
  return o;
}

// Waits until a reader sees the vacancy: its batch is committed (synced or not).
bool committed(Store& store, const std::string& vacancy_id) {
  const auto until = std::chrono::steady_clock::now() + kPatience;
  while (std::chrono::steady_clock::now() < until) {
    auto v = store.load_vacancy("oslo", vacancy_id);
    if (v.ok() && v->exists) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

TEST_CASE("every acknowledgement waits for a sync of the log made after its commit") {
  TempDir dir;
  SyncValve valve;
  auto store = open_store(dir.file("m.db"), with_valve(valve));
  for (int n = 0; n < 5; ++n) {
    const int before = valve.count();
    auto r = submit_sync(*store, submission("oslo", "e" + std::to_string(n), write_vacancy()));
    REQUIRE(r.ok());
    CHECK(r->applied == Applied::kApplied);
    CHECK(valve.count() > before);
  }
  // The synchronous writes wait for it too.
  const int before = valve.count();
  REQUIRE(store->ping().ok());
  CHECK(valve.count() > before);
  // Counted for /metrics: every one of those syncs, and the time spent in them.
  CHECK(store->stats().syncs >= 6);
  CHECK(store->stats().sync_seconds > 0);
}

TEST_CASE("while the log's sync is held, nothing is acknowledged and the writer commits on") {
  TempDir dir;
  SyncValve valve;
  auto store = open_store(dir.file("m.db"), with_valve(valve));
  valve.close();
  Collector done;
  store->submit(submission("oslo", "e1", write_vacancy(), "v1"), done.done(1));
  REQUIRE(committed(*store, "v1"));
  REQUIRE(valve.wait_calls(1));
  // The first batch's sync is held; the writer takes and commits the next one meanwhile.
  store->submit(submission("oslo", "e2", write_vacancy(), "v2"), done.done(2));
  REQUIRE(committed(*store, "v2"));
  CHECK(done.count() == 0);
  valve.open();
  REQUIRE(done.wait_for(2));
  CHECK(done.result(1)->applied == Applied::kApplied);
  CHECK(done.result(2)->applied == Applied::kApplied);
  // The sync thread is named for top -H.
  bool listed = false;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string n;
    std::getline(comm, n);
    listed = listed || n == "mf-fsync";
  }
  CHECK(listed);
}

TEST_CASE("the writer stays at most max_unsynced_batches ahead of the sync") {
  TempDir dir;
  SyncValve valve;
  SqliteOptions options = with_valve(valve);
  options.max_unsynced_batches = 2;
  auto store = open_store(dir.file("m.db"), options);
  valve.close();
  Collector done;
  // v1 is being synced (held); v2 and v3 wait for their sync: the limit.
  for (int n = 1; n <= 3; ++n) {
    store->submit(
        submission("oslo", "e" + std::to_string(n), write_vacancy(), "v" + std::to_string(n)),
        done.done(n));
    REQUIRE(committed(*store, "v" + std::to_string(n)));
    if (n == 1) REQUIRE(valve.wait_calls(1));
  }
  store->submit(submission("oslo", "e4", write_vacancy(), "v4"), done.done(4));
  // Not committed: the writer waits for room instead of taking it from the queue.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(store->load_vacancy("oslo", "v4")->exists);
  CHECK(store->stats().queued == 1);
  CHECK(done.count() == 0);
  valve.open();
  REQUIRE(done.wait_for(4));
  for (int n = 1; n <= 4; ++n) {
    CAPTURE(n);
    REQUIRE(done.result(n).ok());
    CHECK(done.result(n)->applied == Applied::kApplied);
  }
  CHECK(store->load_vacancy("oslo", "v4")->exists);
}

TEST_CASE("a failed sync fails its batches and every write after it, until a restart") {
  TempDir dir;
  const std::string path = dir.file("m.db");
  {
    SyncValve valve;
    auto store = open_store(path, with_valve(valve));
    REQUIRE(submit_sync(*store, submission("oslo", "e1", write_vacancy(), "v1")).ok());
    valve.fail_after_now();
    auto lost = submit_sync(*store, submission("oslo", "e2", write_vacancy(), "v2"));
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.status().code() == StatusCode::kUnavailable);
    const std::string why = lost.status().message();
    CHECK(why.find("could not be synced") != std::string::npos);
    CHECK(why.find("disk unplugged") != std::string::npos);
    // Everything after it fails the same way, without another attempt.
    const int calls = valve.count();
    auto after = submit_sync(*store, submission("oslo", "e3", write_vacancy(), "v3"));
    REQUIRE_FALSE(after.ok());
    CHECK(after.status().message() == why);
    CHECK(store->ping().message() == why);
    CHECK(store->complete_outbox(1).message() == why);
    CHECK(valve.count() == calls);
    // Reads go on: e2 was committed before its sync failed, e3 never was.
    CHECK(store->load_vacancy("oslo", "v2")->exists);
    CHECK_FALSE(store->load_vacancy("oslo", "v3")->exists);
  }
  // After the restart the senders' retries land: what was acknowledged is there, what was
  // committed but refused is a duplicate, what was refused before its commit applies now.
  auto store = open_store(path);
  CHECK(submit_sync(*store, submission("oslo", "e1", write_vacancy(), "v1"))->applied ==
        Applied::kDuplicate);
  CHECK(submit_sync(*store, submission("oslo", "e2", write_vacancy(), "v2"))->applied ==
        Applied::kDuplicate);
  CHECK(submit_sync(*store, submission("oslo", "e3", write_vacancy(), "v3"))->applied ==
        Applied::kApplied);
  CHECK(store->ping().ok());
}

TEST_CASE("a synchronous call from a completion fails instead of waiting for itself") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  std::promise<Status> from_done;
  store->submit(submission("oslo", "e1", write_vacancy()),
                [&](Result<SubmitResult>) { from_done.set_value(store->ping()); });
  auto f = from_done.get_future();
  REQUIRE(f.wait_for(kPatience) == std::future_status::ready);
  CHECK(f.get().code() == StatusCode::kFailedPrecondition);
  CHECK(store->ping().ok());
}

TEST_CASE("WalFile syncs the log and notices when it is missing or was replaced") {
  TempDir dir;
  const std::string db = dir.file("w.db");
  {
    sqlite::WalFile missing(db);
    Status s = missing.sync();
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK(s.message().find(db + "-wal") != std::string::npos);
  }
  { std::ofstream(db + "-wal") << "frames"; }
  sqlite::WalFile wal(db);
  CHECK(wal.sync().ok());
  CHECK(wal.sync().ok());
  std::filesystem::rename(db + "-wal", db + "-wal.old");
  { std::ofstream(db + "-wal") << "other"; }
  Status replaced = wal.sync();
  CHECK(replaced.code() == StatusCode::kUnavailable);
  CHECK(replaced.message().find("was replaced") != std::string::npos);
  std::filesystem::remove(db + "-wal");
  CHECK(wal.sync().code() == StatusCode::kUnavailable);
}

}  // namespace
}  // namespace mangfold::store
