// Internal to connector/store: makes an SQLite database's write-ahead log durable from a
// thread other than the one writing it.
//
// The SQLite store commits with synchronous=NORMAL (no sync at COMMIT) and acknowledges a
// batch only after this has run fdatasync on the WAL file, through a descriptor of its own:
// fdatasync flushes the file, whichever descriptor wrote it, and the WAL is written in commit
// order, so one successful sync makes every commit before it durable.
#pragma once

#include <sys/types.h>

#include <string>

#include "connector/common/status.hpp"

namespace mangfold::store::sqlite {

class WalFile {
 public:
  // `database_path` is the database file; its log is `database_path + "-wal"`.
  explicit WalFile(std::string database_path);
  ~WalFile();
  WalFile(const WalFile&) = delete;
  WalFile& operator=(const WalFile&) = delete;

  // Flushes the log to stable storage. The first call opens it (a commit has created it by
  // then) and also syncs its directory, so the file's name is durable too. kUnavailable
  // naming the file and the system's reason when the log cannot be opened or synced, or is
  // no longer the file this descriptor has open (it was removed or replaced behind SQLite's
  // back): then commits since the last successful call may not be on the disk.
  Status sync();

 private:
  Status open_log();

  std::string path_;  // the log's path
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace mangfold::store::sqlite
