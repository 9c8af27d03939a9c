// `mangfold report`: a tenant's aggregate figures (or a what-if under another policy) from
// the service's database, as a table, CSV, JSON or a self-contained HTML page.
#pragma once

#include <string>

namespace mangfold::app {

struct ReportArgs {
  std::string config = "examples/mangfold.yaml";
  std::string tenant, from, to, format = "table", language = "nb", group, department, what_if;
  std::string group_by = "month";  // month, quarter or year
  std::string csv_dialect;         // rfc4180 or excel-no; "" = excel-no under nb/nn, else rfc4180
};

int run_report(const ReportArgs& args);

}  // namespace mangfold::app
