#include "connector/app/cli.hpp"

int main(int argc, char** argv) {
  return mangfold::app::run_cli(argc, argv);
}
