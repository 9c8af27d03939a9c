// The PostgreSQL server started by the ctest fixture `postgres_server` (tests/support/pg_server),
// as tests see it: its conninfo, and a fresh schema per test so that tests sharing the
// server never see each other's rows. A test run without the fixture fails, never skips.
#pragma once

#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace mangfold::testing::pg {

// The server's base conninfo, from the file named by $MANGFOLD_TEST_PG.
inline std::string server_conninfo() {
  const char* state = std::getenv("MANGFOLD_TEST_PG");
  REQUIRE_MESSAGE(state != nullptr,
                  "MANGFOLD_TEST_PG is not set: run this test through ctest, whose fixture "
                  "postgres_server starts the PostgreSQL server");
  std::ifstream in(state);
  REQUIRE_MESSAGE(in.good(),
                  "no PostgreSQL test server: cannot read " << state << " (the fixture failed?)");
  std::string line;
  std::getline(in, line);
  REQUIRE(!line.empty());
  return line;
}

// Runs SQL on the server's default database; REQUIREs success.
inline void admin_exec(const std::string& sql, const std::string& conninfo = server_conninfo()) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  REQUIRE_MESSAGE(PQstatus(c) == CONNECTION_OK, "PostgreSQL test server: " << PQerrorMessage(c));
  PGresult* r = PQexec(c, sql.c_str());
  const auto st = PQresultStatus(r);
  const std::string why = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  REQUIRE_MESSAGE((st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK), why);
}

// One integer from a query; REQUIREs success.
inline long long admin_int(const std::string& sql, const std::string& conninfo) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  REQUIRE_MESSAGE(PQstatus(c) == CONNECTION_OK, "PostgreSQL test server: " << PQerrorMessage(c));
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
  const std::string why = PQresultErrorMessage(r);
  const long long v = ok ? std::atoll(PQgetvalue(r, 0, 0)) : 0;
  PQclear(r);
  PQfinish(c);
  REQUIRE_MESSAGE(ok, why);
  return v;
}

// A schema named after `key` (a test's temporary path), created when missing; returns the
// conninfo whose search_path is that schema.
inline std::string schema_conninfo(const std::string& key) {
  std::ostringstream name;
  name << "t_" << std::hex << std::hash<std::string>{}(key);
  admin_exec("CREATE SCHEMA IF NOT EXISTS " + name.str());
  return server_conninfo() + " options='-c search_path=" + name.str() + "'";
}

}  // namespace mangfold::testing::pg

namespace mangfold::testing::pg {

// Every row of a query as text: columns joined by '|', rows by '\n'; REQUIREs success.
inline std::string admin_text(const std::string& sql, const std::string& conninfo) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  REQUIRE_MESSAGE(PQstatus(c) == CONNECTION_OK, "PostgreSQL test server: " << PQerrorMessage(c));
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
  const std::string why = PQresultErrorMessage(r);
  std::string out;
  for (int i = 0; ok && i < PQntuples(r); ++i) {
    for (int j = 0; j < PQnfields(r); ++j)
      out += (j ? "|" : "") + std::string(PQgetvalue(r, i, j));
    out += '\n';
  }
  PQclear(r);
  PQfinish(c);
  REQUIRE_MESSAGE(ok, why);
  return out;
}

}  // namespace mangfold::testing::pg
