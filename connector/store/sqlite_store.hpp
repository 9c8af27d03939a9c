// The SQLite implementation of Store: one file, WAL journal, every acknowledgement after
// an fdatasync of the journal.
//
// One writer thread (mf-writer) owns one connection and runs every write (submissions and
// outbox updates) in group commits: it takes all jobs queued so far (up to max_batch), runs
// each in its own SAVEPOINT inside one BEGIN IMMEDIATE … COMMIT, and hands the committed
// batch to a second thread (mf-fsync). That one fdatasyncs the write-ahead log and only
// then completes the batch's jobs, while the writer already runs the next batch: the
// connection uses synchronous=NORMAL (no sync inside COMMIT), and the sync of the log is
// what every acknowledgement, outbox claim and synchronous write waits for. One sync covers
// every batch committed before it. A failed sync stops the store: every write after it
// fails with kUnavailable, and so does ping(), until the connector is restarted.
// Reads use a small pool of read-only connections, so they run concurrently with the
// writer; they may see a batch whose sync has not finished yet.
// Schema migrations are applied at open, in order, in one transaction (PRAGMA user_version),
// with synchronous=FULL.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "connector/common/status.hpp"
#include "connector/store/store.hpp"

namespace mangfold::store {

struct SqliteOptions {
  // The database file. Its parent directory is created when missing. Must be a real file
  // on a filesystem that supports WAL (":memory:" and some network filesystems fail to open).
  std::string path = "var/mangfold.db";
  // Most jobs (submissions and outbox writes) committed in one transaction. >= 1.
  int max_batch = 256;
  // How long a statement waits for a lock held by another connection or process before
  // failing with kUnavailable. >= 0.
  std::int64_t busy_timeout_ms = 5000;
  // Most jobs waiting for the writer; beyond it submit() fails fast with kUnavailable so
  // the sender backs off instead of the queue growing without bound. >= 1.
  std::size_t max_queue = 10000;
  // Read connections kept open between reads; more are opened under concurrent load.
  int max_idle_readers = 4;
  // Turns a stored ATS candidate id into its pseudonym, for the migration that stops
  // keeping ATS ids (schema 4). Needed only to open a file that holds candidate rows from
  // before; without it (or when it fails, e.g. for a tenant with no key) opening such a
  // file fails and leaves it unchanged. Runs at open, on the opening thread.
  std::function<Result<std::string>(std::string_view tenant, std::string_view vacancy_id,
                                    std::string_view candidate_id)>
      pseudonymize;
  // Most committed batches waiting for their sync; beyond it the writer waits before it
  // commits another, so a stalled disk holds the queue (and then submit() fails fast)
  // instead of piling up unacknowledged commits. >= 1.
  int max_unsynced_batches = 8;
  // Called once, on the mf-fsync thread, when a failed sync stops the store (the status is
  // what every write fails with from then on). `serve` stops the process with exit status 1
  // there, so that systemd starts it again and SQLite recovers from what the disk holds.
  // Must not block or call the store's synchronous methods.
  std::function<void(const Status&)> on_sync_failure;
  // Test hook, empty in production: called on the writer thread at each COMMIT; returning
  // true makes SQLite turn that COMMIT into a rollback (as an I/O error would).
  std::function<bool()> fail_commit_for_testing;
  // Test hook, empty in production: called on the mf-fsync thread before each sync of the
  // log. It may block (holding back the acknowledgements); a status other than ok is taken
  // as the sync's failure.
  std::function<Status()> before_sync_for_testing;
};

// Opens (creating if needed) and migrates the database, checks that WAL and the
// synchronous settings took effect, and starts the writer and sync threads.
// Errors: kInvalidArgument for bad options; kUnavailable when the file cannot be opened,
// created or written; kFailedPrecondition when the durability pragmas did not take or the
// schema is newer than this binary.
Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteOptions& options);

// The schema version open_sqlite_store migrates to.
int sqlite_schema_version();

}  // namespace mangfold::store
