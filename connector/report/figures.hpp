// What one vacancy adds to the monthly aggregates, as additive figures (pure functions).
//
// Live reports and retention use the same function, so a month's figures are the same
// before and after its vacancies are folded. A vacancy counts once, with its latest
// verdict (its current state), in one month:
//   - a closed vacancy in the calendar month (UTC) it closed (closed_at; updated_at when
//     the close time is unknown);
//   - an open vacancy in the current month (`now`), so it moves along until it closes.
// Figures are counts over the vacancy's applicants or over vacancies, taken from the
// verdict's counts (DESIGN.md §4.3); nothing here sees a person.
//
// Metric keys (stored in monthly_aggregates; stable once released):
//   vacancies | applicants | invited | hired | proposed
//   qualified | qualified_measured   all qualified applicants, and the vacancies whose
//                                    verdict records that figure (see below)
//   group:<g>:{yes,no,unknown,qualified,unassessed,invited,hired,measured}
//   rule:<kind>:<g>:{compliant,shortfall,not_applicable,insufficient_data,missing}
//   rule:interview_all::<outcome>   all interview_minimum rules of a verdict together
//                               (the most pressing outcome), when it has two or more
//   overall:{compliant,shortfall,not_applicable,insufficient_data}   stored, not reported
//                               (it mixes ad rules with interview rules)
//   outbox:<kind>:done          delivered outbox rows (email = notifications sent)
//   whatif:<g>:<Q>:<N>:<I>      vacancies with these interview_minimum counts (for what-if)
//   inclusion:{hires,hired}     the state's inclusion goal (domain::kInclusionGroups): new
//                               hires, and those of them with a disability or gaps in the
//                               CV; only from vacancies whose verdict records the figure and
//                               counted every one of those groups
//   inclusion:only:<g>, inclusion:both, inclusion:rest:<g>   never shown: the hires in
//                               group g alone, in both, and in g in vacancies without the
//                               figure, so that group:<g>:hired = only + both + rest and
//                               inclusion:hired = the onlys + both (suppression relates them)
// <g> is a target group's name ("" for ad rules), with '%' and ':' percent-encoded.
// "unknown" also counts the applicants of a vacancy for which no rule counted the group
// (out of scope), so that yes + no + unknown = applicants for every group.
//
// The qualified total (domain::Counts::qualified) is newer than stored verdicts: a verdict
// stored before it existed reads Counts::kNotRecorded there. Such a vacancy adds neither
// `qualified` nor `qualified_measured`, and a period is measured only when every vacancy in
// it added `qualified_measured` (folded rows from before the change have no such row
// either).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/store/store.hpp"

namespace mangfold::report {

// "YYYY-MM" of a unix time (UTC).
std::string month_of_time(std::int64_t unix_seconds);
// The month a vacancy is counted in (see above).
std::string month_of(const store::VacancyRecord& vacancy, std::int64_t now);

// The figures a vacancy adds (month and department filled in). Empty when it has no
// verdict yet: a vacancy never evaluated is not counted.
std::vector<store::AggregateRow> vacancy_figures(const store::ReportVacancy& vacancy,
                                                 std::int64_t now);

// The store::Fold that retention uses: vacancy_figures of a closed vacancy.
store::Fold retention_fold();

// Whether a counting rule's counts carry the qualified total (see above): true for every
// verdict the engine makes.
bool qualified_recorded(const domain::Counts& counts);

namespace metric {
inline constexpr std::string_view kVacancies = "vacancies";
inline constexpr std::string_view kApplicants = "applicants";
inline constexpr std::string_view kInvited = "invited";
inline constexpr std::string_view kHired = "hired";
inline constexpr std::string_view kProposed = "proposed";
inline constexpr std::string_view kQualified = "qualified";
inline constexpr std::string_view kQualifiedMeasured = "qualified_measured";
inline constexpr std::string_view kOverall = "overall";
inline constexpr std::string_view kInterviewAll = "interview_all";
inline constexpr std::string_view kInclusionHires = "inclusion:hires";
inline constexpr std::string_view kInclusionHired = "inclusion:hired";
inline constexpr std::string_view kInclusionBoth = "inclusion:both";

inline constexpr std::string_view kOutcomes[] = {"compliant", "shortfall", "not_applicable",
                                                 "insufficient_data"};

std::string group(std::string_view group_name, std::string_view field);
std::string rule(std::string_view kind, std::string_view group_name, std::string_view field);
std::string overall(std::string_view outcome);
std::string outbox_done(std::string_view kind);
std::string what_if(std::string_view group_name, std::int64_t q, std::int64_t n, std::int64_t i);
// "inclusion:only:<g>", "inclusion:rest:<g>".
std::string inclusion(std::string_view field, std::string_view group_name);

// A metric key split into its parts: kind is "vacancies", "group", "rule", "overall",
// "outbox", "whatif", "inclusion"; the rest is filled as it applies. nullopt for an unknown key.
struct Parsed {
  std::string kind;
  std::string rule_kind;  // rule: the rule's kind; outbox: the outbox kind
  std::string group;
  std::string field;                 // group/rule/overall field, or the plain metric's name
  std::int64_t q = 0, n = 0, i = 0;  // whatif
};
std::optional<Parsed> parse(std::string_view key);
}  // namespace metric

}  // namespace mangfold::report
