// storage: SQLite by default, or storage.postgres (issue 20). Every wrong value is a
// diagnostic with the file, line and column.
#include <doctest/doctest.h>

#include <string>

#include "connector/config/service_config.hpp"
#include "tests/config/config_test_support.hpp"

using namespace mangfold;
using namespace mangfold::config;

namespace {

ServiceConfigLoad load_with_storage(const std::string& section) {
  return testing::load_with_section(section);
}

std::string only_diagnostic(const ServiceConfigLoad& load) {
  CHECK_FALSE(load.config);
  REQUIRE(load.diagnostics.size() == 1);
  return load.diagnostics[0].to_string();
}

}  // namespace

TEST_CASE("storage: SQLite unless storage.postgres is given") {
  ServiceConfigLoad plain = load_with_storage("");
  REQUIRE(plain.config);
  CHECK_FALSE(plain.config->postgres);

  ServiceConfigLoad conninfo = load_with_storage(
      "storage:\n  postgres:\n    conninfo: \"host=db dbname=mangfold\"\n"
      "    password: {env: PGPW}\n    pool: 2\n    max_batch: 64\n");
  REQUIRE(conninfo.config);
  REQUIRE(conninfo.config->postgres);
  CHECK(conninfo.config->postgres->conninfo == "host=db dbname=mangfold");
  REQUIRE(conninfo.config->postgres->password);
  CHECK(conninfo.config->postgres->password->env == "PGPW");
  CHECK(conninfo.config->postgres->pool == 2);
  CHECK(conninfo.config->postgres->max_batch == 64);

  // Parts are quoted as libpq reads them, so a value with a space or quote stays one value.
  ServiceConfigLoad parts = load_with_storage(
      "storage: {postgres: {host: db.internal, port: 5433, dbname: \"my db\", user: "
      "\"o'neil\"}}\n");
  REQUIRE(parts.config);
  REQUIRE(parts.config->postgres);
  CHECK(parts.config->postgres->conninfo ==
        "host='db.internal' port='5433' dbname='my db' user='o\\'neil'");
  CHECK_FALSE(parts.config->postgres->password);
}

TEST_CASE("storage.postgres: mistakes are errors at their file, line and column") {
  CHECK(only_diagnostic(load_with_storage("storage:\n  sqlite: a.db\n  postgres: {conninfo: x}\n"))
            .rfind("/etc/mangfold/mangfold.yaml:3:3: storage.postgres:", 0) == 0);
  CHECK(only_diagnostic(load_with_storage("storage:\n  postgres: {conninfo: x, host: y}\n"))
            .rfind("/etc/mangfold/mangfold.yaml:2:33: storage.postgres.host:", 0) == 0);
  CHECK(only_diagnostic(load_with_storage("storage:\n  postgres: {port: 99999, host: y}\n"))
            .rfind("/etc/mangfold/mangfold.yaml:2:20: storage.postgres.port:", 0) == 0);
  CHECK(
      only_diagnostic(load_with_storage("storage:\n  postgres: {conninfo: x, password: hunter2}\n"))
          .rfind("/etc/mangfold/mangfold.yaml:2:37: storage.postgres.password:", 0) == 0);
  CHECK(only_diagnostic(load_with_storage("storage:\n  postgres: {pool: 2}\n"))
            .rfind("/etc/mangfold/mangfold.yaml:2:3: storage.postgres:", 0) == 0);
  CHECK(only_diagnostic(load_with_storage("storage:\n  postgres: {conninfo: x, pol: 2}\n"))
            .find("storage.postgres") != std::string::npos);
}
