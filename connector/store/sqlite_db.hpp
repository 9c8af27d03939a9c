// Internal to connector/store: a thin RAII layer over the sqlite3 C API.
//
// A Db is one connection with a cache of prepared statements; it is used by one thread
// at a time (connections are opened SQLITE_OPEN_NOMUTEX). Failures are Status values:
// lock, I/O, full-disk and similar codes map to kUnavailable, the rest to kInternal.
// Messages carry SQLite's text, which names tables and columns but never bound values.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "connector/common/status.hpp"

namespace mangfold::store::sqlite {

class Db;

// A cached statement borrowed from its Db; reset and unbound when this goes away.
class Stmt {
 public:
  Stmt(Db& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // Parameters are 1-based. A failed bind is reported by the next step().
  Stmt& bind(int index, std::string_view text);
  Stmt& bind(int index, std::int64_t value);

  // True when a row is ready, false when done.
  Result<bool> step();
  // Steps to completion, ignoring rows.
  Status run();

  std::int64_t int64(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  Db* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

class Db {
 public:
  // flags: SQLITE_OPEN_* (NOMUTEX is added). Sets the busy timeout and extended codes.
  static Result<std::unique_ptr<Db>> open(const std::string& path, int flags,
                                          std::int64_t busy_timeout_ms);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // A statement prepared once per connection and kept for reuse. Only one Stmt per SQL
  // text may be alive at a time.
  Result<Stmt> prepare(std::string_view sql);
  // Runs one or more statements without caching (DDL, BEGIN/COMMIT, pragmas).
  Status exec(const char* sql);
  // The first column of the first row of `sql` as text (for PRAGMA read-backs).
  Result<std::string> query_text(const char* sql);

  Status error(int rc, std::string_view what) const;
  std::int64_t changes() const;
  bool in_transaction() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}

  // Looked up by string_view (no allocation per statement run).
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const {
      return std::hash<std::string_view>{}(sql);
    }
  };
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> cache_;
};

}  // namespace mangfold::store::sqlite
