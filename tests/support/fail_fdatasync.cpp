// An LD_PRELOAD shim for end-to-end tests of a failing disk: while the file named by
// $MANGFOLD_TEST_FAIL_SYNC_FILE exists, fdatasync on any file whose name ends in "-wal"
// (SQLite's write-ahead log) fails with EIO, as it does when a disk or a network volume
// loses writes. Every other call goes to the C library's fdatasync.
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

bool failing(int fd) {
  const char* trigger = std::getenv("MANGFOLD_TEST_FAIL_SYNC_FILE");
  if (trigger == nullptr || ::access(trigger, F_OK) != 0) return false;
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char target[4096];
  const ssize_t n = ::readlink(link, target, sizeof target);
  return n >= 4 && std::memcmp(target + n - 4, "-wal", 4) == 0;
}

}  // namespace

extern "C" int fdatasync(int fd) {
  using Fn = int (*)(int);
  static const Fn real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "fdatasync"));
  if (failing(fd)) {
    errno = EIO;
    return -1;
  }
  return real(fd);
}
