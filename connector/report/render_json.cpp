// The JSON form of reports and what-ifs (also the HTTP API's default).
//
// Report: {"tenant", "organisation" (display_name, else the tenant), "from", "to",
//   "department" (null = all), "threshold", "generated_at",
//   "groups": [{"name", "label"}], "rules": [{"kind", "group"}], "departments": [...],
//   "months": [Period], "years": [Period]}
// Period: {"period", "year_total", "empty", "vacancies", "applicants", "qualified",
//   "invited", "hired", "hired_of_invited", "notifications_sent", "ads_written_back",
//   "inclusion": {"new_hires", "in_groups", "share", "goal"} (only in a report with the
//   state's inclusion figure, report.hpp),
//   "groups": [{"group", "yes", "no", "unknown", "qualified", "invited", "hired",
//               "applied_share", "qualified_share", "invited_share", "hired_share",
//               "hired_of_invited"}],
//   "rules": [{"kind", "group", "evaluated", "compliant", "shortfall", "not_applicable",
//              "insufficient_data", "missing" (not for overall), "compliance_rate"}],
//   "suppressed": ["applicants", "groups.<g>.yes", "rules.<kind>.<g>.compliant", ...],
//   "not_measured": ["qualified"] or []}
// A suppressed figure is null and listed in "suppressed"; a figure not measured (the
// period's qualified total, see figures.hpp) is null and listed in "not_measured"; a share
// with nothing to divide, or from a figure not measured, is null and in neither list.
// Shares are fractions rounded to 4 decimals.
#include <cmath>

#include <nlohmann/json.hpp>

#include "connector/report/render.hpp"

namespace mangfold::report::detail {

namespace {

using json = nlohmann::ordered_json;

class PeriodWriter {
 public:
  json cell(const Cell& c, const std::string& path) {
    if (c.value) return *c.value;
    suppressed_.push_back(path);
    return nullptr;
  }
  json cell(const std::optional<Cell>& c, const std::string& path) {
    if (c) return cell(*c, path);
    not_measured_.push_back(path);
    return nullptr;
  }
  json share(const Share& s, const std::string& path) {
    if (s.value) return std::round(*s.value * 10000.0) / 10000.0;
    if (s.suppressed) suppressed_.push_back(path);
    return nullptr;
  }
  json take_suppressed() { return std::move(suppressed_); }
  json take_not_measured() { return std::move(not_measured_); }

 private:
  json suppressed_ = json::array();
  json not_measured_ = json::array();
};

json period_json(const Report& r, const Period& p) {
  PeriodWriter w;
  json j = {{"period", p.label}, {"year_total", p.year_total}, {"empty", p.empty}};
  j["vacancies"] = w.cell(p.vacancies, "vacancies");
  j["applicants"] = w.cell(p.applicants, "applicants");
  j["qualified"] = w.cell(p.qualified, "qualified");
  j["invited"] = w.cell(p.invited, "invited");
  j["hired"] = w.cell(p.hired, "hired");
  j["hired_of_invited"] = w.share(p.hired_of_invited, "hired_of_invited");
  j["notifications_sent"] = w.cell(p.notifications_sent, "notifications_sent");
  j["ads_written_back"] = w.cell(p.ads_written_back, "ads_written_back");
  if (p.inclusion)
    j["inclusion"] = {{"new_hires", w.cell(p.inclusion->new_hires, "inclusion.new_hires")},
                      {"in_groups", w.cell(p.inclusion->in_groups, "inclusion.in_groups")},
                      {"share", w.share(p.inclusion->share, "inclusion.share")},
                      {"goal", kInclusionGoal}};
  json groups = json::array();
  for (std::size_t g = 0; g < r.groups.size(); ++g) {
    const GroupFigures& f = p.groups[g];
    const std::string at = "groups." + r.groups[g].name + ".";
    groups.push_back({{"group", r.groups[g].name},
                      {"yes", w.cell(f.yes, at + "yes")},
                      {"no", w.cell(f.no, at + "no")},
                      {"unknown", w.cell(f.unknown, at + "unknown")},
                      {"qualified", w.cell(f.qualified, at + "qualified")},
                      {"invited", w.cell(f.invited, at + "invited")},
                      {"hired", w.cell(f.hired, at + "hired")},
                      {"applied_share", w.share(f.applied_share, at + "applied_share")},
                      {"qualified_share", w.share(f.qualified_share, at + "qualified_share")},
                      {"invited_share", w.share(f.invited_share, at + "invited_share")},
                      {"hired_share", w.share(f.hired_share, at + "hired_share")},
                      {"hired_of_invited", w.share(f.hired_of_invited, at + "hired_of_invited")}});
  }
  j["groups"] = std::move(groups);
  json rules = json::array();
  for (std::size_t k = 0; k < r.rules.size(); ++k) {
    const RuleFigures& f = p.rules[k];
    const RuleKey& key = r.rules[k];
    const std::string at = "rules." + key.kind + "." + key.group + ".";
    json rule = {{"kind", key.kind},
                 {"group", key.group},
                 {"evaluated", w.cell(f.evaluated, at + "evaluated")},
                 {"compliant", w.cell(f.compliant, at + "compliant")},
                 {"shortfall", w.cell(f.shortfall, at + "shortfall")},
                 {"not_applicable", w.cell(f.not_applicable, at + "not_applicable")},
                 {"insufficient_data", w.cell(f.insufficient_data, at + "insufficient_data")}};
    if (f.missing) rule["missing"] = w.cell(*f.missing, at + "missing");
    rule["compliance_rate"] = w.share(f.compliance_rate, at + "compliance_rate");
    rules.push_back(std::move(rule));
  }
  j["rules"] = std::move(rules);
  j["suppressed"] = w.take_suppressed();
  j["not_measured"] = w.take_not_measured();
  return j;
}

json cell_json(const Cell& c) {
  return c.value ? json(*c.value) : json(nullptr);
}

std::string dump(const json& j) {
  // Department and group names come from outside; replace invalid UTF-8 rather than throw.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string render_json(const Report& r) {
  json j = {{"tenant", r.tenant},
            {"organisation", r.organisation.empty() ? r.tenant : r.organisation},
            {"from", r.from_month},
            {"to", r.to_month},
            {"department", r.department ? json(*r.department) : json(nullptr)},
            {"threshold", r.threshold},
            {"generated_at", iso_time(r.generated_at)}};
  json groups = json::array();
  for (const GroupInfo& g : r.groups)
    groups.push_back({{"name", g.name}, {"label", g.label}});
  j["groups"] = std::move(groups);
  json rules = json::array();
  for (const RuleKey& k : r.rules)
    rules.push_back({{"kind", k.kind}, {"group", k.group}});
  j["rules"] = std::move(rules);
  j["departments"] = r.departments;
  json months = json::array(), years = json::array();
  for (const Period& p : r.months)
    months.push_back(period_json(r, p));
  for (const Period& p : r.years)
    years.push_back(period_json(r, p));
  j["months"] = std::move(months);
  j["years"] = std::move(years);
  return dump(j);
}

std::string render_json(const WhatIf& wi) {
  json j = {{"tenant", wi.tenant},
            {"from", wi.from_month},
            {"to", wi.to_month},
            {"department", wi.department ? json(*wi.department) : json(nullptr)},
            {"policy_id", wi.policy_id},
            {"policy_version", wi.policy_version},
            {"threshold", wi.threshold},
            {"generated_at", iso_time(wi.generated_at)}};
  json rules = json::array();
  for (const WhatIfRule& r : wi.rules)
    rules.push_back({{"rule", r.rule},
                     {"group", r.group},
                     {"min_count", r.min_count},
                     {"min_share", r.min_share_ppm / 1e6},
                     {"what_if",
                      {{"evaluated", cell_json(r.vacancies)},
                       {"compliant", cell_json(r.compliant)},
                       {"shortfall", cell_json(r.shortfall)},
                       {"not_applicable", cell_json(r.not_applicable)},
                       {"missing", cell_json(r.missing)}}},
                     {"recorded",
                      {{"evaluated", cell_json(r.recorded_evaluated)},
                       {"compliant", cell_json(r.recorded_compliant)},
                       {"shortfall", cell_json(r.recorded_shortfall)},
                       {"other", cell_json(r.recorded_other)},
                       {"missing", cell_json(r.recorded_missing)}}}});
  j["rules"] = std::move(rules);
  return dump(j);
}

}  // namespace mangfold::report::detail
