// The /metrics text: the build's version, and this process's own figures from /proc.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "connector/app/metrics.hpp"

using namespace mangfold;

TEST_CASE("build info is one constant series labelled with the version") {
  app::Metrics metrics;
  CHECK(metrics.render().find("mangfold_build_info") == std::string::npos);
  metrics.set_build_info("1.2.3");
  const std::string text = metrics.render();
  CHECK(text.find("# TYPE mangfold_build_info gauge\nmangfold_build_info{version=\"1.2.3\"} 1\n") !=
        std::string::npos);
}

TEST_CASE("process stats count this process's memory and descriptors") {
  const app::ProcessStats before = app::read_process_stats();
  CHECK(before.resident_bytes > 1024 * 1024);  // a running test binary holds more than 1 MiB
  CHECK(before.max_fds >= before.open_fds);
  const int fd = ::open("/dev/null", O_RDONLY);
  REQUIRE(fd >= 0);
  const app::ProcessStats after = app::read_process_stats();
  ::close(fd);
  CHECK(after.open_fds == before.open_fds + 1);
}
