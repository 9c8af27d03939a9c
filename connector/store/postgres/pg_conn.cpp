#include "connector/store/postgres/pg_conn.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cstring>

namespace mangfold::store::pg {

Rows::Rows(pg_result* r) : r_(r) {}
Rows& Rows::operator=(Rows&& o) noexcept {
  if (this != &o) {
    if (r_) PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}
Rows::~Rows() {
  if (r_) PQclear(r_);
}
int Rows::size() const {
  return r_ ? PQntuples(r_) : 0;
}
std::string Rows::text(int row, int col) const {
  return std::string(PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col)));
}
std::int64_t Rows::int64(int row, int col) const {
  const char* v = PQgetvalue(r_, row, col);
  std::int64_t out = 0;
  std::from_chars(v, v + std::strlen(v), out);
  // Booleans come back as "t"/"f".
  if (v[0] == 't' && v[1] == '\0') out = 1;
  return out;
}
bool Rows::is_null(int row, int col) const {
  return PQgetisnull(r_, row, col) != 0;
}
std::int64_t Rows::affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  std::int64_t out = 0;
  std::from_chars(n, n + std::strlen(n), out);
  return out;
}

Result<std::unique_ptr<Conn>> Conn::connect(const std::string& conninfo,
                                            const std::string& password) {
  // Keywords after dbname (which is expanded as the whole conninfo) override it; those
  // before are defaults the conninfo may override.
  std::vector<const char*> keys = {"connect_timeout", "application_name", "dbname"};
  std::vector<const char*> values = {"10", "mangfold", conninfo.c_str()};
  if (!password.empty()) {
    keys.push_back("password");
    values.push_back(password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* c = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (!c) return unavailable("postgres: out of memory connecting");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string why = PQerrorMessage(c);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.pop_back();
    PQfinish(c);
    return unavailable("postgres: cannot connect: " + why);
  }
  auto conn = std::unique_ptr<Conn>(new Conn(c));
  // A lock held by a stuck instance must not stall this one forever: the batch fails with
  // kUnavailable and its senders retry. Messages in English whatever the server's locale.
  if (Status s = conn->exec("SET lock_timeout = '10s'; SET lc_messages = 'C'"); !s) {
    // lc_messages needs superuser on some servers; the lock timeout is what matters.
    if (Status t = conn->exec("SET lock_timeout = '10s'"); !t) return t;
  }
  return conn;
}

Conn::~Conn() {
  PQfinish(c_);
}

Result<Rows> Conn::check(PGresult* r) {
  Rows rows(r);
  const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return rows;
  std::string why = r ? PQresultErrorMessage(r) : PQerrorMessage(c_);
  while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
    why.pop_back();
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view code = state ? state : "";
  // 08 connection, 40 rollback (serialization, deadlock), 53 resources, 57 operator
  // intervention (shutdown), 58 system error, 55P03 lock timeout: all worth a retry.
  const std::string_view cls = code.substr(0, 2);
  if (PQstatus(c_) != CONNECTION_OK || code.empty() || cls == "08" || cls == "40" || cls == "53" ||
      cls == "57" || cls == "58" || code == "55P03")
    return unavailable("postgres: " + why);
  return internal_error("postgres: " + why);
}

Status Conn::exec(std::string_view sql) {
  const std::string text(sql);
  auto r = check(PQexec(c_, text.c_str()));
  return r.ok() ? Status{} : r.status();
}

Result<Rows> Conn::query(const char* sql, const Params& p) {
  std::vector<const char*> values;
  values.reserve(p.values().size());
  for (std::size_t i = 0; i < p.values().size(); ++i)
    values.push_back(p.is_null(i) ? nullptr : p.values()[i].c_str());
  return check(PQexecParams(c_, sql, static_cast<int>(values.size()), nullptr, values.data(),
                            nullptr, nullptr, 0));
}

bool Conn::in_transaction() const {
  return PQtransactionStatus(c_) != PQTRANS_IDLE;
}

bool Conn::healthy() const {
  return PQstatus(c_) == CONNECTION_OK;
}

}  // namespace mangfold::store::pg
