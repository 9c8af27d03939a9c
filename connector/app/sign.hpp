// `mangfold sign`: a correctly signed request for a tenant, for testing an installation.
// Prints it as a curl command, or sends it and prints the answer.
#pragma once

#include <string>

namespace mangfold::app {

struct SignArgs {
  std::string config_path;
  std::string tenant;
  std::string body_file;
  std::string event_id;  // empty: the body's event.id, else a random one
  std::string url;       // empty: from the config's listen address
  bool send = false;
};

int run_sign(const SignArgs& args);

}  // namespace mangfold::app
