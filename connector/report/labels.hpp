// Internal to connector/report: the words and number formats of the human-readable
// outputs (table and HTML), in Norwegian bokmål, Norwegian nynorsk and English.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connector/report/report.hpp"

namespace mangfold::report::labels {

struct Words {
  const char* lang;  // BCP 47
  const char* title;
  const char* what_if_title;
  const char* tenant;
  const char* period;
  const char* department;
  const char* all_departments;
  const char* no_department;
  const char* generated;
  const char* month;
  const char* vacancies;
  const char* applicants;
  const char* invited;
  const char* hired;
  const char* hired_of_invited;
  const char* notifications_sent;
  const char* ads_written_back;
  const char* overview;
  const char* target_group;
  const char* yes;
  const char* no;
  const char* unknown;
  const char* qualified_q;
  const char* invited_i;
  const char* hired_in_group;
  const char* share_applicants;
  const char* share_qualified;
  const char* share_invited;
  const char* share_hired;
  const char* hired_of_invited_group;
  const char* rule;
  const char* evaluated;
  const char* compliant;
  const char* shortfall;
  const char* not_applicable;
  const char* insufficient_data;
  const char* missing;
  const char* compliance;
  const char* stage_applied;
  const char* stage_qualified;
  const char* stage_invited;
  const char* stage_hired;
  const char* suppressed_marker_title;
  const char* not_measured;
  const char* key_figures;
  const char* compliance_over_time;
  const char* stages_chart;  // "Share with {group} at each stage"
  const char* stages_desc;
  const char* compliance_desc;
  const char* table_alternative;
  const char* year_total;  // "{year} total"
  const char* notes;
  const char* note_suppression;  // {t}
  const char* note_month;
  const char* note_unknown;
  const char* note_qualified;  // what "qualified" counts, and "–" for not measured
  const char* note_totals;
  const char* with_policy;
  const char* as_recorded;
  const char* missing_invitations;
  const char* other_outcome;
  const char* rule_min_count;  // "at least {n} invited"
  const char* rule_min_share;  // "at least {p} of those invited"
  const char* no_data;
  const char* inclusion_title;  // the state's inclusion goal, "{p}" = the goal
  const char* new_hires;
  const char* inclusion_hired;
  const char* inclusion_share;
  const char* inclusion_goal;
  const char* note_inclusion;
  const char* key_interview;           // the key figure (report.hpp: key_rule)
  const char* missing_justifications;  // "missing" of hire_justification
  const char* local_time;              // "{time} norsk tid"
};

const Words& words(Language language);

// "interview_minimum" → "Innkalling til intervju"; unknown kinds come back as given.
std::string rule_name(Language language, std::string_view kind);
// A rule key with its group's label: "Innkalling til intervju – innvandrerbakgrunn".
std::string rule_title(Language language, const RuleKey& key, const Report& report);

// "2025-03" → "mars 2025" / "March 2025"; short: "mar. 2025" / "Mar 2025".
std::string month_name(Language language, std::string_view month, bool short_form);
// A period's label: a month's name, or "2025 i alt" for a year total.
std::string period_label(Language language, const Period& period, bool short_form);

// 1234 → "1 234" (nb, with the given space) / "1,234" (en).
std::string number(Language language, std::int64_t value, std::string_view space = " ");
// 0.333 → "33 %" (nb) / "33%" (en); whole percents.
std::string percent(Language language, double share, std::string_view space = " ");

// "2025-04-02 10:00 UTC".
std::string timestamp(std::int64_t unix_seconds);
// The time in Norway (Europe/Oslo: CET, CEST from the last Sunday of March 01:00 UTC to the
// last Sunday of October 01:00 UTC, as in the EU since 1996): "2. april 2025 kl. 12.00"
// (nb, nn) / "2 April 2025, 12:00 Norwegian time" (en).
std::string local_timestamp(Language language, std::int64_t unix_seconds);
// Norwegian time's offset from UTC at `unix_seconds`: 3600, or 7200 in summer time.
std::int64_t norway_utc_offset(std::int64_t unix_seconds);
// The column heading of a rule's "missing" figure, by its kind.
const char* missing_heading(Language language, std::string_view kind);

// Replaces "{key}" with value.
std::string subst(std::string_view text, std::string_view key, std::string_view value);
// Fills {each} in a chart's description with "for each month", "… quarter" or "… year" as
// the report is grouped (issue 19: the note followed the months whatever the grouping).
std::string each_period(Language language, GroupBy group_by, std::string_view text);

}  // namespace mangfold::report::labels
