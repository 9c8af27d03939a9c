// Opens the store the service config names: the SQLite file (the default), or the
// PostgreSQL database shared by several instances (storage.postgres).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "connector/app/pseudonyms.hpp"
#include "connector/common/status.hpp"
#include "connector/config/service_config.hpp"
#include "connector/store/store.hpp"

namespace mangfold::app {

// `keys` turn candidate ids kept by an SQLite file from before schema 4 into pseudonyms
// (unused for PostgreSQL, which never held them). `on_failure` is called once when the
// store stops for good (SQLite: a failed fdatasync, SqliteOptions::on_sync_failure;
// PostgreSQL never calls it: its server owns durability). Errors as open_sqlite_store /
// open_postgres_store; kUnavailable when the PostgreSQL password cannot be read.
Result<std::unique_ptr<store::Store>> open_storage(
    const config::ServiceConfig& cfg, PseudonymMap keys,
    std::function<void(const Status&)> on_failure = {});

// Where the store lives, for messages: the file, or "postgres" and the conninfo without
// its password.
std::string describe_storage(const config::ServiceConfig& cfg);

// `mangfold migrate-storage --from sqlite:FILE --to postgres:CONNINFO`: copies the SQLite
// database into PostgreSQL (idempotent, resumable: see store/postgres/migrate_storage.hpp).
// The password, when not in CONNINFO or ~/.pgpass, comes from $PGPASSWORD (libpq's own).
// Prints rows read and inserted per table. Exit 0 done, 1 failed, 2 usage.
int run_migrate_storage(const std::string& from, const std::string& to);

}  // namespace mangfold::app
