// `mangfold report`: a tenant's aggregate figures (or a what-if under another policy) from
// the service's database, as a table, CSV, JSON or a self-contained HTML page.
#pragma once

#include <string>

namespace mangfold::app {

struct ReportArgs {
  std::string config = "examples/mangfold.yaml";
  std::string tenant, from, to, format = "table", language = "nb", group, department, what_if;
};

int run_report(const ReportArgs& args);

}  // namespace mangfold::app
