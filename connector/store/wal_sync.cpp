#include "connector/store/wal_sync.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace mangfold::store::sqlite {

namespace {

Status io_error(const std::string& what, const std::string& path, int err) {
  return unavailable("sqlite: " + what + " " + path + ": " + std::strerror(err));
}

// fdatasync, again when a signal interrupted it.
int datasync(int fd) {
  int rc;
  do {
    rc = ::fdatasync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

}  // namespace

WalFile::WalFile(std::string database_path) : path_(std::move(database_path) + "-wal") {}

WalFile::~WalFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status WalFile::open_log() {
  const int fd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open the write-ahead log", path_, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return io_error("cannot stat the write-ahead log", path_, err);
  }
  // The log's directory entry must survive a power loss too (SQLite syncs it only when it
  // syncs the log itself, which synchronous=NORMAL leaves to us).
  std::string dir = std::filesystem::path(path_).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || datasync(dir_fd) != 0) {
    const int err = errno;
    if (dir_fd >= 0) ::close(dir_fd);
    ::close(fd);
    return io_error("cannot sync the directory of", path_, err);
  }
  ::close(dir_fd);
  fd_ = fd;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  return Status{};
}

Status WalFile::sync() {
  if (fd_ < 0) {
    if (Status s = open_log(); !s) return s;
  }
  if (datasync(fd_) != 0) return io_error("fdatasync failed on", path_, errno);
  // SQLite keeps the log open and never replaces it while a connection is open, so a
  // different file under the name means someone else did: what was synced is not the log.
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0)
    return io_error("the write-ahead log is gone:", path_, errno);
  if (st.st_dev != dev_ || st.st_ino != ino_)
    return unavailable("sqlite: the write-ahead log " + path_ +
                       " was replaced while the database was open");
  return Status{};
}

}  // namespace mangfold::store::sqlite
