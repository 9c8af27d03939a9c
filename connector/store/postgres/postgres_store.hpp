// The PostgreSQL implementation of Store, for several connector instances on one database
// (DESIGN.md §7).
//
// Each instance runs one writer thread on one connection that commits its queued jobs in
// group commits, as the SQLite store does: BEGIN, a SAVEPOINT per job, COMMIT. Across
// instances:
// - an event's dedupe key is a unique row (INSERT … ON CONFLICT DO NOTHING), so a
//   redelivery to another instance is a duplicate, and a delivery is acknowledged only
//   after the COMMIT that holds all its effects;
// - events for the same vacancy are serialised by a transaction-scoped advisory lock on
//   the vacancy, taken for all of a batch's vacancies at BEGIN in ascending key order (so
//   two instances' batches cannot deadlock on them);
// - outbox rows are claimed with FOR UPDATE SKIP LOCKED and a lease; a batch (digest) is
//   claimed under an advisory lock so that two instances never split one;
// - retention skips a vacancy whose lock another instance holds and re-reads it after
//   locking, so no vacancy is folded twice;
// - migrations run under a session advisory lock, so instances starting at once apply
//   each one once.
// Reads use a small pool of connections.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "connector/common/status.hpp"
#include "connector/store/store.hpp"

namespace mangfold::store {

struct PostgresOptions {
  // A libpq connection string ("host=db port=5432 dbname=mangfold user=mangfold") or URI
  // (postgresql://…). Required.
  std::string conninfo;
  // The password, when not in conninfo (nor in ~/.pgpass). Empty = none given.
  std::string password;
  // Most jobs committed in one transaction. >= 1.
  int max_batch = 256;
  // Most jobs waiting for the writer; beyond it submit() fails fast with kUnavailable. >= 1.
  std::size_t max_queue = 10000;
  // Read connections kept open between reads; more are opened under concurrent load. >= 0.
  int max_idle_readers = 4;
};

// Connects, migrates the schema (under an advisory lock) and starts the writer thread.
// Errors: kInvalidArgument for bad options; kUnavailable when the server cannot be reached;
// kFailedPrecondition when the schema is newer than this binary.
Result<std::unique_ptr<Store>> open_postgres_store(const PostgresOptions& options);

// The schema version open_postgres_store migrates to.
int postgres_schema_version();

}  // namespace mangfold::store
