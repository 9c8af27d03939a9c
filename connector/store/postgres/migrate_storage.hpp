// `mangfold migrate-storage`: copies an SQLite database into PostgreSQL, so that a
// single-instance installation moves to several instances without losing history.
//
// Idempotent and resumable: rows go in chunks, one transaction each, and a row whose key
// is already there is left alone (ON CONFLICT DO NOTHING), so a copy that was interrupted
// is finished by running it again, and a finished one changes nothing. Verdict-log and
// outbox ids are kept (and the id sequences moved past them), so outbox rows keep their
// identity. The SQLite file is read in one read transaction (one consistent state); stop
// the single instance first, or its events after the snapshot are not copied.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "connector/common/status.hpp"
#include "connector/store/postgres/postgres_store.hpp"

namespace mangfold::store {

struct CopyReport {
  // Per table: rows read from SQLite, and of those inserted now (the rest were there).
  std::map<std::string, std::int64_t> read, inserted;
};

// The SQLite file must be at the current schema (open it once with this version, e.g. with
// `mangfold report` or `serve`, to migrate an older file first). The PostgreSQL schema is
// created or migrated as by open_postgres_store.
// Errors: kFailedPrecondition (an older or newer SQLite schema), kUnavailable (either
// database unreachable), kInternal.
Result<CopyReport> copy_sqlite_to_postgres(const std::string& sqlite_path,
                                           const PostgresOptions& to, int chunk_rows = 1000);

}  // namespace mangfold::store
