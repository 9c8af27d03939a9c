// `mangfold webcruiter probe`: checks a Webcruiter tenant's connection to Talentech as it is
// configured, read-only, and prints a report for the operator.
//
// It authenticates, reads the customer's candidate statuses and compares them with
// `statuses`, lists what sync mode would discover (the advert feed, the process listing, the
// unprocessed hires: counted, never marked processed), and fetches a few vacancies to see
// that the integration form carries the configured self-declaration questions. It stores
// nothing and prints no candidate id, answer or name: vacancy ids and titles, status ids and
// names, and counts.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "adapters/webcruiter/webcruiter_adapter.hpp"

namespace mangfold::webcruiter {

struct ProbeRequest {
  // Vacancies to fetch; empty: the first `sample` ones discovery finds.
  std::vector<std::string> vacancies;
  int sample = 3;
};

// Returns the number of problems found (0: the connection works as configured). `options` is
// the tenant's adapter_options, `path` its key path for messages.
int probe(const config::Node& options, const std::string& path, AdapterDeps deps,
          const ProbeRequest& request, std::ostream& out);

}  // namespace mangfold::webcruiter
