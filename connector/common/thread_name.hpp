// Names the calling thread for `top -H`, `ps -L`, perf and /proc/<pid>/task/*/comm, so an
// operator (and bench/ingest/run_ingest) can see which of the connector's threads is
// busy: mf-io (HTTP), mf-worker (parsing, ad planning, answers), mf-fetch (ATS requests),
// mf-writer (the store's single writer), mf-fsync (makes the writer's commits durable),
// mf-outbox, mf-sync, mf-writeback, mf-maint, mf-signals. The main thread, which also
// serves HTTP, keeps the process's name (renaming it would rename the process). Linux
// keeps 15 bytes; longer names are cut.
#pragma once

#include <pthread.h>

#include <string>
#include <string_view>

namespace mangfold {

inline void name_this_thread(std::string_view name) {
  const std::string cut(name.substr(0, 15));
  pthread_setname_np(pthread_self(), cut.c_str());  // best effort: a name is only a label
}

}  // namespace mangfold
