#include "connector/app/storage.hpp"

#include <iostream>

#include "connector/store/postgres/migrate_storage.hpp"
#include "connector/store/postgres/postgres_store.hpp"
#include "connector/store/sqlite_store.hpp"

namespace mangfold::app {

Result<std::unique_ptr<store::Store>> open_storage(const config::ServiceConfig& cfg,
                                                   PseudonymMap keys,
                                                   std::function<void(const Status&)> on_failure) {
  if (cfg.postgres) {
    store::PostgresOptions options;
    options.conninfo = cfg.postgres->conninfo;
    options.max_batch = cfg.postgres->max_batch;
    options.max_idle_readers = cfg.postgres->pool;
    if (cfg.postgres->password) {
      Result<std::string> password = config::resolve_secret(*cfg.postgres->password);
      if (!password.ok())
        return unavailable("storage.postgres.password (" + cfg.postgres->password->describe() +
                           "): " + password.status().message());
      options.password = std::move(*password);
    }
    return store::open_postgres_store(options);
  }
  store::SqliteOptions options;
  options.path = cfg.sqlite_path;
  options.pseudonymize = store_pseudonymizer(std::move(keys));
  options.on_sync_failure = std::move(on_failure);
  return store::open_sqlite_store(options);
}

std::string describe_storage(const config::ServiceConfig& cfg) {
  // The conninfo holds no password: the config keeps it in a secret reference.
  return cfg.postgres ? "postgres " + cfg.postgres->conninfo : cfg.sqlite_path;
}

int run_migrate_storage(const std::string& from, const std::string& to) {
  constexpr std::string_view kSqlite = "sqlite:", kPostgres = "postgres:";
  if (from.rfind(kSqlite, 0) != 0 || from.size() == kSqlite.size() || to.rfind(kPostgres, 0) != 0 ||
      to.size() == kPostgres.size()) {
    std::cerr << "mangfold migrate-storage: --from sqlite:FILE --to postgres:CONNINFO\n";
    return 2;
  }
  store::PostgresOptions options;
  options.conninfo = to.substr(kPostgres.size());
  Result<store::CopyReport> copied =
      store::copy_sqlite_to_postgres(from.substr(kSqlite.size()), options);
  if (!copied.ok()) {
    std::cerr << "mangfold migrate-storage: " << copied.status().message()
              << "\n(nothing is lost: run it again to finish the copy)\n";
    return 1;
  }
  for (const auto& [table, read] : copied->read)
    std::cout << table << ": " << read << " rows, " << copied->inserted.at(table) << " new\n";
  return 0;
}

}  // namespace mangfold::app
