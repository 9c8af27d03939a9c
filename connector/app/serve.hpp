// `mangfold serve`: wires configuration, storage, tenants, the ingest pipeline and the
// HTTP server, and runs until SIGTERM or SIGINT (drain, exit 0). SIGHUP reloads the
// config's tenants and policies atomically; an invalid new set keeps the old one. SIGHUP also
// re-reads the TLS certificate and key; a bad pair keeps the old one.
#pragma once

#include <string>

namespace mangfold::app {

int run_serve(const std::string& config_path);

}  // namespace mangfold::app
