// The command line: `mangfold <command> …`. Returns the process exit code.
#pragma once

namespace mangfold::app {

int run_cli(int argc, char** argv);

}  // namespace mangfold::app
