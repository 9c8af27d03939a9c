// Internal to connector/store: the SQLite schema, its migrations and the durability
// settings the store relies on.
#pragma once

#include <string>

#include "connector/common/status.hpp"
#include "connector/store/sqlite_db.hpp"

namespace mangfold::store::sqlite {

// Sets journal_mode=WAL and synchronous=FULL on the connection and reads both back;
// kFailedPrecondition naming `path` when either did not take.
Status require_durability(Db& db, const std::string& path);

// Sets synchronous=NORMAL on the writer's connection once migrations are done and reads it
// back: from then on COMMIT does not sync, and the store syncs the log itself (WalFile)
// before it acknowledges anything.
Status hand_sync_to_store(Db& db, const std::string& path);

// The version the newest migration brings the schema to (PRAGMA user_version).
int latest_schema_version();

// Applies every migration newer than the file's user_version, in order, in one
// transaction, so a crash leaves the old schema. kFailedPrecondition when the file was
// written by a newer binary.
Status migrate(Db& db);

}  // namespace mangfold::store::sqlite
