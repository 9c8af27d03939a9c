// Reports: privacy-preserving monthly statistics on the interview scheme (DESIGN.md §1, §4).
//
// A report counts vacancies by calendar month (see figures.hpp for which month) from two
// sources: the monthly aggregates that retention folded vacancies into, and the vacancies
// still stored (each with its latest verdict). Every count is over vacancies or over a
// vacancy's applicants, never about a person, and every published cell is run through
// small-cell suppression with complementary suppression (suppression.hpp).
//
// Suppression is computed once per calendar year over one canonical table — every month
// and the year total, every department and all departments together — and a report shows
// a slice of it. So two reports (one department and all, or two month ranges within a
// year) show cells of the same pattern, and cannot be subtracted from each other to
// reveal a hidden cell. Totals are therefore whole calendar years (the year so far), not
// the requested range. What suppression cannot prevent: comparing a report with one made
// later, after new figures arrived (DESIGN.md §4.4 protects each published table).
//
// Functions taking a Store read it (read-only) and are thread-safe as the Store is; the
// rest are pure. Errors are Status values: kInvalidArgument for a bad query, the store's
// errors (kUnavailable: retry) otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/policy/policy.hpp"
#include "connector/report/suppression.hpp"
#include "connector/store/store.hpp"

namespace mangfold::report {

// How the periods of a report are grouped: by month, by quarter or by year.
enum class GroupBy { kMonth, kQuarter, kYear };
std::optional<GroupBy> parse_group_by(std::string_view name);  // month|quarter|year

struct ReportQuery {
  std::string tenant;
  std::string from_month;                 // "YYYY-MM", inclusive
  std::string to_month;                   // "YYYY-MM", inclusive; >= from, at most 10 years on
  std::optional<std::string> group;       // show only this target group
  std::optional<std::string> department;  // only this department ("" = none given by the ATS)
  int threshold = kDefaultThreshold;      // cells below it are hidden; >= kMinThreshold
  std::int64_t now = 0;                   // unix seconds: open vacancies count in its month
  std::map<std::string, std::string, std::less<>> group_labels;  // group name → display label
  GroupBy group_by = GroupBy::kMonth;  // Report::months holds periods of this kind
  std::string organisation;            // the employer's name for headers; "" = the tenant id
};

// A published count: its value, or nullopt when suppressed.
struct Cell {
  std::optional<std::int64_t> value;
  bool suppressed() const { return !value.has_value(); }
};

// A share in [0, 1] computed from published cells only. nullopt with suppressed=true: a
// cell it needs is hidden; nullopt with suppressed=false: not measured or nothing to divide.
struct Share {
  std::optional<double> value;
  bool suppressed = false;
};

// One target group in one period. yes + no + unknown = the period's applicants.
struct GroupFigures {
  Cell yes, no, unknown;   // self-declared answers; unknown: unanswered or not counted
  Cell qualified;          // Q: qualified applicants in the group
  Cell invited;            // I: invited to interview, in the group
  Cell hired;              // hired, in the group
  Share applied_share;     // yes / applicants
  Share qualified_share;   // Q / Period::qualified; not measured when that is not
  Share invited_share;     // I / all invited
  Share hired_share;       // hired in the group / all hired
  Share hired_of_invited;  // hired in the group / I
};

// A rule kind on a group (group empty for ad rules); kind "overall" is the verdict's
// overall outcome over all rules.
struct RuleKey {
  std::string kind;
  std::string group;
  bool operator==(const RuleKey&) const = default;
};

// Vacancies by the outcome of one rule. evaluated = the sum of the four outcomes (shown
// only when it follows from shown cells: the vacancies not evaluated under the rule are the
// fifth part of the vacancies in the suppression table). Counts of vacancies may show 0.
struct RuleFigures {
  Cell evaluated, compliant, shortfall, not_applicable, insufficient_data;
  std::optional<Cell> missing;  // invitations (or justifications) missing; not for "overall"
  Share compliance_rate;        // compliant / (compliant + shortfall)
};

// The state's yearly figure (inkluderingsdugnaden): new hires, and those of them with a
// disability or gaps in the CV (domain::kInclusionGroups), against a goal of 5 %. Counted
// over the vacancies whose verdicts record it (a policy with both groups, figures.hpp).
inline constexpr double kInclusionGoal = 0.05;
struct InclusionFigures {
  Cell new_hires;  // hired
  Cell in_groups;  // of them with a disability, gaps in the CV or both
  Share share;     // in_groups / new_hires, against kInclusionGoal
};

struct Period {
  std::string label;        // "YYYY-MM", "YYYY-Qn" for a quarter, or "YYYY" for a year total
  bool year_total = false;  // the whole calendar year (so far)
  bool empty = false;       // no vacancy was counted in it: every cell is a true 0
  Cell vacancies;           // vacancies evaluated
  Cell applicants, invited, hired;
  // All qualified applicants (assessed qualified, or invited without an assessment; Q is
  // the part in a group). nullopt: not measured, because a vacancy of the period has a
  // verdict stored before the figure was recorded (figures.hpp).
  std::optional<Cell> qualified;
  Share hired_of_invited;   // hired / invited (the state survey found 33 %)
  Cell notifications_sent;  // notifications delivered (outbox kinds "email" and "digest")
  Cell ads_written_back;    // ad texts written back to the ATS (outbox kind "ad_writeback")
  std::optional<InclusionFigures> inclusion;  // set when Report::inclusion
  std::vector<GroupFigures> groups;           // parallel to Report::groups
  std::vector<RuleFigures> rules;             // parallel to Report::rules
};

struct GroupInfo {
  std::string name;
  std::string label;  // from ReportQuery::group_labels; the name when none is given
};

struct Report {
  std::string tenant, from_month, to_month;
  std::optional<std::string> department;
  int threshold = kDefaultThreshold;
  std::int64_t generated_at = 0;  // ReportQuery::now
  bool inclusion = false;         // the inclusion figure is among the figures of those years
  std::vector<GroupInfo> groups;
  // By kind ("interview_all" first, then interview_minimum, hire_justification, …) and
  // group. The verdicts' overall outcome is not among them: it mixes ad-text rules with
  // interview rules.
  std::vector<RuleKey> rules;
  GroupBy group_by = GroupBy::kMonth;
  std::string organisation;  // ReportQuery::organisation
  // Every month from..to in order; by quarter, every quarter the range touches; by year,
  // none (the years below are the periods).
  std::vector<Period> months;
  std::vector<Period> years;             // each calendar year the range touches
  std::vector<std::string> departments;  // departments with figures in those years
};

// Month → department → metric → value (figures.hpp's keys), summed over vacancies.
using MonthlyFigures =
    std::map<std::string, std::map<std::string, std::map<std::string, std::int64_t>>>;

// The key figure's rule (issue 19): the share of vacancies where the interview rule was met
// is its compliance_rate. "interview_all" where the policy has several interview_minimum
// rules, else the one interview_minimum rule; nullopt when there is none.
std::optional<std::size_t> key_rule(const Report& report);

// Checks a query: months well-formed and ordered, span, threshold.
Status check_query(const ReportQuery& query);

// Pure: the report for `query` from figures covering (at least) every month of the
// calendar years the range touches. Assumes check_query passed.
Report tabulate(const ReportQuery& query, const MonthlyFigures& figures);

// The figures of a tenant's calendar years from_year..to_year: folded aggregates plus
// every stored vacancy not folded before (at `now`).
Result<MonthlyFigures> load_figures(store::Store& store, std::string_view tenant, int from_year,
                                    int to_year, std::int64_t now);

// load_figures + tabulate.
Result<Report> build_report(store::Store& store, const ReportQuery& query);

// --- Output.

enum class Format { kTable, kCsv, kJson, kHtml };
enum class Language { kNb, kEn, kNn };  // table, HTML, CSV excel-no; JSON keys are English
// rfc4180: `,`, `.`, English keys (for programs). excel-no: what Norwegian Excel opens as
// it should — a UTF-8 BOM, `;`, a decimal comma, and the names of the report's language.
enum class CsvDialect { kRfc4180, kExcelNo };

std::optional<Format> parse_format(std::string_view name);           // table|csv|json|html
std::optional<Language> parse_language(std::string_view name);       // nb|no|nn|en
std::optional<CsvDialect> parse_csv_dialect(std::string_view name);  // rfc4180|excel-no
// The dialect when none is asked for: excel-no under nb and nn, rfc4180 under en.
CsvDialect default_csv_dialect(Language language);
std::string_view content_type(Format format);  // with charset=utf-8

// table: aligned text; csv: RFC 4180, one figure per line (period, department, rule,
// group, measure, value, status), shares as fractions; json: see render_json.cpp;
// html: one self-contained page with inline SVG charts and table alternatives.
// Suppressed cells show as ":" (table, HTML), empty with status "suppressed" (CSV) or null
// (JSON). Never throws.
std::string render(const Report& report, Format format, Language language = Language::kNb,
                   CsvDialect dialect = CsvDialect::kRfc4180);

// build_report + render.
Result<std::string> render_report(store::Store& store, const ReportQuery& query, Format format,
                                  Language language = Language::kNb);

// --- What-if: past interview_minimum verdicts recomputed under another policy.

struct WhatIfRule {
  std::string rule;  // the rule's name in the other policy
  std::string group;
  std::string label;  // group label from that policy
  int min_count = 0;
  std::uint32_t min_share_ppm = 0;
  // Under the other policy, over the vacancies whose counts for the group are known:
  Cell vacancies, compliant, shortfall, not_applicable;
  Cell missing;  // invitations that would have been missing, summed over shortfalls
  // As recorded by the policy in force then (interview_minimum on the same group):
  Cell recorded_evaluated, recorded_compliant, recorded_shortfall, recorded_other;
  Cell recorded_missing;
};

struct WhatIf {
  std::string tenant, from_month, to_month;
  std::optional<std::string> department;
  std::string policy_id, policy_version;
  int threshold = kDefaultThreshold;
  std::int64_t generated_at = 0;
  std::vector<WhatIfRule> rules;  // one per enabled interview_minimum rule of the policy
};

// Pure: the raw outcome of one interview_minimum rule over a histogram of per-vacancy
// counts ((Q, N, I) → number of vacancies), as in policy::evaluate: R = min(Q, max(
// min_count, ceil(min_share × N))); Q = 0 is not applicable, I >= R compliant, else a
// shortfall with policy::invitations_needed missing (as the engine advises). Scope filters are not
// applied (the counts do not carry them).
struct WhatIfCounts {
  std::int64_t vacancies = 0, compliant = 0, shortfall = 0, not_applicable = 0, missing = 0;
};
struct QniCounts {
  std::int64_t q = 0, n = 0, i = 0;
  auto operator<=>(const QniCounts&) const = default;
};
WhatIfCounts evaluate_what_if(const std::map<QniCounts, std::int64_t>& histogram,
                              const policy::InterviewMinimum& rule);

// Pure: the what-if for `query` (range, department, threshold) from figures as above.
// Suppression is per rule over the whole range (vacancies = compliant + shortfall + not
// applicable; recorded likewise).
WhatIf tabulate_what_if(const ReportQuery& query, const MonthlyFigures& figures,
                        const policy::Policy& policy);
Result<WhatIf> what_if(store::Store& store, const ReportQuery& query, const policy::Policy& policy);
std::string render(const WhatIf& what_if, Format format, Language language = Language::kNb);

// --- The vacancies endpoint: GET /v1/tenants/{tenant}/vacancies.
// {"tenant": T, "vacancies": [{"vacancy_id", "title", "department", "url", "status",
//  "deadline", "opened_at", "updated_at" (ISO 8601 or null), "verdict": <verdict JSON, see
//  store/verdict_json.hpp, or null before the first evaluation; a rule's counts.qualified
//  is null where the verdict does not record it (figures.hpp)>}]}, open
// vacancies only, ordered by id, and "suppression_threshold": the threshold used. Operational
// data for the tenant's own staff, who are not all the vacancy's case handlers: each rule's
// counts are suppressed as reports suppress cells (suppression.hpp: below `threshold`, and
// complementary cells over applicants = in group + unknown + not in group, and likewise
// for qualified, invited and hired); a hidden count is null, and so are `required` when
// qualified_in_group is hidden and `reason` (a sentence with the figures) when any is.
// No applicant data, no manager contact.
Result<std::string> vacancies_json(store::Store& store, std::string_view tenant,
                                   int threshold = kDefaultThreshold);

// --- HTTP: GET
// /v1/tenants/{tenant}/report?from=YYYY-MM&to=YYYY-MM&format=&lang=&group=&department=
struct HttpReport {
  std::string content_type;
  std::string body;
};
// Reads the query parameters through `param` (nullopt when absent). Defaults: to = the
// month of `now`, from = 11 months before `to`, format json, lang nb. `organisation` is the
// tenant's display_name for the headers ("" = the tenant id). kInvalidArgument
// (→ 400) naming the bad parameter.
using ParamLookup = std::function<std::optional<std::string>(std::string_view name)>;
Result<HttpReport> http_report(
    store::Store& store, std::string_view tenant, const ParamLookup& param, std::int64_t now,
    int threshold = kDefaultThreshold,
    const std::map<std::string, std::string, std::less<>>& group_labels = {},
    std::string_view organisation = {});

// --- Retention (DESIGN.md §4.5).
struct RetentionOptions {
  int retention_days = 365;    // vacancy-level rows go this long after the vacancy closed; >= 1
  int batch = 500;             // vacancies per transaction; >= 1
  int forget_folded_days = 0;  // fold records older than this are forgotten; 0 = keep
};
// Folds and deletes every vacancy closed more than retention_days before `now`, in
// batches, for one tenant (or all when tenant is empty). Returns the summed result.
Result<store::RetentionResult> apply_retention(store::Store& store, std::int64_t now,
                                               const RetentionOptions& options,
                                               std::string_view tenant = {});

}  // namespace mangfold::report
