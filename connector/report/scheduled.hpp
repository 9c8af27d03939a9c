// The scheduled report email to HR (issue 19): which period is due, which months the
// report covers, and the email around the report in nb, nn or en. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "connector/report/report.hpp"

namespace mangfold::report {

// The month a scheduled report run at `now` covers: the calendar month before now's in
// Norwegian time ("YYYY-MM"), summer time included.
std::string scheduled_period(std::int64_t now);

// The first month of the report for `period`: the period itself by month, the first month
// of its quarter by quarter, January by year.
std::string scheduled_from_month(std::string_view period, GroupBy group_by);

struct ScheduledEmail {
  std::string subject;
  std::string text;  // the greeting, the report as a text table, and why it came
  std::string html;  // the same greeting and footer around the HTML report, inline
};

// The email for `report` (built for `period`), in `language`. Reviewed texts, pinned by
// report_test.
ScheduledEmail scheduled_email(const Report& report, Language language, std::string_view period);

// The sentences alone, for tests and the text part: {org} and {period} filled in.
std::string scheduled_subject(Language language, std::string_view organisation,
                              std::string_view period);
std::string scheduled_intro(Language language, std::string_view organisation,
                            std::string_view period);
std::string scheduled_footer(Language language);

}  // namespace mangfold::report
