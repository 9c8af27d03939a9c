// Internal to connector/store/postgres: a thin RAII wrapper over one libpq connection.
// Statements are sent with text parameters (PQexecParams); results are read as text.
// Errors become Status: connection loss, serialization failures, deadlocks, lock timeouts
// and resource shortages are kUnavailable (retry), anything else kInternal (a bug).
// Not thread-safe: one connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"

struct pg_conn;
struct pg_result;

namespace mangfold::store::pg {

class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* r);
  Rows(Rows&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Rows& operator=(Rows&& o) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  int size() const;
  std::string text(int row, int col) const;
  std::int64_t int64(int row, int col) const;
  bool is_null(int row, int col) const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  std::int64_t affected() const;

 private:
  pg_result* r_ = nullptr;
};

// One parameter: text, or SQL NULL.
class Params {
 public:
  Params& add(std::string_view v) {
    values_.emplace_back(v);
    return *this;
  }
  Params& add(std::int64_t v) {
    values_.push_back(std::to_string(v));
    return *this;
  }
  Params& add(int v) { return add(static_cast<std::int64_t>(v)); }
  Params& add(bool v) { return add(std::int64_t{v ? 1 : 0}); }
  Params& add(const char* v) { return add(std::string_view(v)); }
  Params& add(const std::string& v) { return add(std::string_view(v)); }
  Params& add_null() {
    values_.emplace_back();
    nulls_.resize(values_.size());
    nulls_.back() = true;
    return *this;
  }
  const std::vector<std::string>& values() const { return values_; }
  bool is_null(std::size_t i) const { return i < nulls_.size() && nulls_[i]; }

 private:
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
};

template <typename... A>
Params params(const A&... a) {
  Params p;
  (p.add(a), ...);
  return p;
}

class Conn {
 public:
  // conninfo: a libpq connection string or URI; password (when not empty) overrides one in it.
  // kUnavailable when the server cannot be reached or refuses the login.
  static Result<std::unique_ptr<Conn>> connect(const std::string& conninfo,
                                               const std::string& password);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // One or more statements without parameters.
  Status exec(std::string_view sql);
  // One statement with $1.. parameters.
  Result<Rows> query(const char* sql, const Params& p = {});
  // True inside a transaction block (also a failed one).
  bool in_transaction() const;
  // False once the connection to the server is lost.
  bool healthy() const;

 private:
  explicit Conn(pg_conn* c) : c_(c) {}
  Result<Rows> check(pg_result* r);
  pg_conn* c_;
};

}  // namespace mangfold::store::pg
