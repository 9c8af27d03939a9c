#include "connector/app/cli.hpp"

#include <cstdio>

namespace mangfold::app {

int run_cli(int, char**) {
  std::puts("mangfold");
  return 0;
}

}  // namespace mangfold::app
