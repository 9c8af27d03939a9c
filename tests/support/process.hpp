// Running real processes from tests: a command to completion, or a child (e.g. the
// server) that the test controls and kills. POSIX only.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace mangfold::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;     // standard output
  std::string err;     // standard error
};

// Runs `argv` (argv[0] is a path) with `stdin_text` on its standard input and waits.
CommandResult run(const std::vector<std::string>& argv, const std::string& stdin_text = {},
                  const std::vector<std::string>& extra_env = {});

// A child process with stdout and stderr redirected to files, killed on destruction.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log_path,
        const std::vector<std::string>& extra_env = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Waits up to `timeout_ms` for the child to exit; returns its exit code, -1 when it was
  // killed by a signal, -2 on timeout.
  int wait(int timeout_ms);

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
};

// A fresh, empty temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

}  // namespace mangfold::testing
