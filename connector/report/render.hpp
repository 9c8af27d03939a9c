// Internal to connector/report: one renderer per format. report.cpp dispatches.
#pragma once

#include <string>

#include "connector/report/report.hpp"

namespace mangfold::report::detail {

std::string render_table(const Report& report, Language language);
std::string render_csv(const Report& report);
std::string render_csv_excel(const Report& report, Language language);
std::string render_json(const Report& report);
std::string render_html(const Report& report, Language language);

std::string render_table(const WhatIf& what_if, Language language);
std::string render_csv(const WhatIf& what_if);
std::string render_json(const WhatIf& what_if);
std::string render_html(const WhatIf& what_if, Language language);

// Shared by the renderers: "YYYY-MM-DDTHH:MM:SSZ".
std::string iso_time(std::int64_t unix_seconds);
// How a what-if rule reads: "at least 50 % of those invited" / "at least 1 invited".
std::string what_if_rule_text(const WhatIfRule& rule, Language language);

}  // namespace mangfold::report::detail
