// The edges of the reporting module: output dispatch, the HTTP helpers and retention.
#include "connector/report/report.hpp"

#include <algorithm>
#include <cstdio>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "connector/domain/date.hpp"
#include "connector/report/figures.hpp"
#include "connector/report/labels.hpp"
#include "connector/report/months.hpp"
#include "connector/report/render.hpp"
#include "connector/store/verdict_json.hpp"

namespace mangfold::report {

namespace detail {

std::string iso_time(std::int64_t unix_seconds) {
  std::int64_t days = unix_seconds / 86400, secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02dZ", static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return domain::Date::from_days_since_epoch(static_cast<long>(days)).to_string() + buf;
}

std::string what_if_rule_text(const WhatIfRule& rule, Language language) {
  const labels::Words& w = labels::words(language);
  std::string text;
  if (rule.min_share_ppm > 0)
    text =
        labels::subst(w.rule_min_share, "p", labels::percent(language, rule.min_share_ppm / 1e6));
  if (rule.min_count > 0 || text.empty()) {
    const std::string count = labels::subst(w.rule_min_count, "n", std::to_string(rule.min_count));
    text = text.empty() ? count : text + ", " + count;
  }
  return text;
}

}  // namespace detail

std::optional<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::kTable;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  if (name == "html") return Format::kHtml;
  return std::nullopt;
}

std::optional<Language> parse_language(std::string_view name) {
  if (name == "nb" || name == "no" || name == "nb-NO") return Language::kNb;
  if (name == "nn" || name == "nn-NO") return Language::kNn;
  if (name == "en") return Language::kEn;
  return std::nullopt;
}

std::optional<CsvDialect> parse_csv_dialect(std::string_view name) {
  if (name == "rfc4180") return CsvDialect::kRfc4180;
  if (name == "excel-no") return CsvDialect::kExcelNo;
  return std::nullopt;
}

CsvDialect default_csv_dialect(Language language) {
  return language == Language::kEn ? CsvDialect::kRfc4180 : CsvDialect::kExcelNo;
}

std::string_view content_type(Format format) {
  switch (format) {
    case Format::kTable:
      return "text/plain; charset=utf-8";
    case Format::kCsv:
      return "text/csv; charset=utf-8; header=present";
    case Format::kJson:
      return "application/json";
    case Format::kHtml:
      return "text/html; charset=utf-8";
  }
  return "application/octet-stream";
}

std::string render(const Report& report, Format format, Language language, CsvDialect dialect) {
  switch (format) {
    case Format::kTable:
      return detail::render_table(report, language);
    case Format::kCsv:
      return dialect == CsvDialect::kExcelNo ? detail::render_csv_excel(report, language)
                                             : detail::render_csv(report);
    case Format::kJson:
      return detail::render_json(report);
    case Format::kHtml:
      return detail::render_html(report, language);
  }
  return {};
}

std::string render(const WhatIf& what_if, Format format, Language language) {
  switch (format) {
    case Format::kTable:
      return detail::render_table(what_if, language);
    case Format::kCsv:
      return detail::render_csv(what_if);
    case Format::kJson:
      return detail::render_json(what_if);
    case Format::kHtml:
      return detail::render_html(what_if, language);
  }
  return {};
}

Result<std::string> render_report(store::Store& store, const ReportQuery& query, Format format,
                                  Language language) {
  auto report = build_report(store, query);
  if (!report.ok()) return report.status();
  return render(*report, format, language);
}

namespace {

nlohmann::json time_or_null(std::int64_t unix_seconds) {
  return unix_seconds == 0 ? nlohmann::json(nullptr)
                           : nlohmann::json(detail::iso_time(unix_seconds));
}

// A verdict stored before counts.qualified existed has none: say null.
nlohmann::json verdict_json(const domain::Verdict& verdict) {
  nlohmann::json j = store::verdict_to_json(verdict);
  for (std::size_t i = 0; i < verdict.rules.size(); ++i)
    if (!qualified_recorded(verdict.rules[i].counts))
      j["rules"][i]["counts"]["qualified"] = nullptr;
  return j;
}

}  // namespace

// One rule's counts as /vacancies shows them: small cells (and those that would give one
// back) null, like a report's (DESIGN.md §4 rule 4 and 7).
void suppress_counts(nlohmann::json& rule, const domain::Counts& c, int threshold) {
  SuppressionTable t;
  const auto others = [](int total, int part) { return std::max<std::int64_t>(0, total - part); };
  const int applicants = t.add(c.applicants), in_group = t.add(c.in_group),
            unknown = t.add(c.unknown_answer),
            not_in_group = t.add(others(c.applicants, c.in_group + c.unknown_answer));
  t.relations.push_back({applicants, {in_group, unknown, not_in_group}});
  const int qualified_in_group = t.add(c.qualified_in_group);
  int qualified = -1;
  if (qualified_recorded(c)) {
    qualified = t.add(c.qualified);
    const int rest = t.add(others(c.qualified, c.qualified_in_group));
    t.relations.push_back({qualified, {qualified_in_group, rest}});
  }
  const int unassessed = t.add(c.unassessed_in_group);
  const int invited = t.add(c.invited), invited_in_group = t.add(c.invited_in_group);
  t.relations.push_back(
      {invited, {invited_in_group, t.add(others(c.invited, c.invited_in_group))}});
  const int hired = t.add(c.hired), hired_in_group = t.add(c.hired_in_group);
  t.relations.push_back({hired, {hired_in_group, t.add(others(c.hired, c.hired_in_group))}});
  const std::vector<bool> hidden = suppress(t, threshold);
  nlohmann::json& counts = rule["counts"];
  bool any = false;
  for (const auto& [key, cell] : std::initializer_list<std::pair<const char*, int>>{
           {"applicants", applicants},
           {"in_group", in_group},
           {"unknown_answer", unknown},
           {"qualified_in_group", qualified_in_group},
           {"qualified", qualified},
           {"unassessed_in_group", unassessed},
           {"invited", invited},
           {"invited_in_group", invited_in_group},
           {"hired", hired},
           {"hired_in_group", hired_in_group}}) {
    if (cell < 0 || !hidden[static_cast<std::size_t>(cell)]) continue;
    counts[key] = nullptr;
    any = true;
  }
  if (hidden[static_cast<std::size_t>(qualified_in_group)]) counts["required"] = nullptr;
  if (any) rule["reason"] = nullptr;
}

Result<std::string> vacancies_json(store::Store& store, std::string_view tenant, int threshold) {
  auto vacancies = store.report_vacancies(tenant, /*open_only=*/true);
  if (!vacancies.ok()) return vacancies.status();
  nlohmann::json list = nlohmann::json::array();
  for (const store::ReportVacancy& v : *vacancies) {
    const store::VacancyRecord& r = v.record;
    list.push_back(
        {{"vacancy_id", r.vacancy_id},
         {"title", r.title},
         {"department", r.department},
         {"url", r.url},
         {"status", r.status},
         {"deadline", r.deadline.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.deadline)},
         {"opened_at", time_or_null(r.opened_at)},
         {"updated_at", time_or_null(r.updated_at)},
         {"verdict", v.last_verdict ? verdict_json(*v.last_verdict) : nlohmann::json(nullptr)}});
    if (v.last_verdict)
      for (std::size_t i = 0; i < v.last_verdict->rules.size(); ++i)
        if (!v.last_verdict->rules[i].group.empty())  // ad rules count no group
          suppress_counts(list.back()["verdict"]["rules"][i], v.last_verdict->rules[i].counts,
                          threshold);
  }
  nlohmann::json body = {{"tenant", std::string(tenant)},
                         {"suppression_threshold", std::max(threshold, kMinThreshold)},
                         {"vacancies", std::move(list)}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<HttpReport> http_report(store::Store& store, std::string_view tenant,
                               const ParamLookup& param, std::int64_t now, int threshold,
                               const std::map<std::string, std::string, std::less<>>& group_labels,
                               std::string_view organisation) {
  ReportQuery q;
  q.tenant = std::string(tenant);
  q.organisation = std::string(organisation);
  q.now = now;
  q.threshold = threshold;
  q.group_labels = group_labels;
  q.to_month = param("to").value_or(month_of_time(now));
  if (auto from = param("from")) {
    q.from_month = *from;
  } else if (auto to = months::parse(q.to_month)) {
    q.from_month = months::YearMonth::from_index(to->index() - 11).str();
  } else {
    return invalid_argument("report: to must be a month YYYY-MM");
  }
  q.group = param("group");
  q.department = param("department");
  Format format = Format::kJson;
  if (auto f = param("format")) {
    auto parsed = parse_format(*f);
    if (!parsed) return invalid_argument("report: format must be table, csv, json or html");
    format = *parsed;
  }
  Language language = Language::kNb;
  if (auto l = param("lang")) {
    auto parsed = parse_language(*l);
    if (!parsed) return invalid_argument("report: lang must be nb, nn or en");
    language = *parsed;
  }
  CsvDialect dialect = default_csv_dialect(language);
  if (auto d = param("csv_dialect")) {
    auto parsed = parse_csv_dialect(*d);
    if (!parsed) return invalid_argument("report: csv_dialect must be rfc4180 or excel-no");
    dialect = *parsed;
  }
  if (auto g = param("group_by")) {
    auto parsed = parse_group_by(*g);
    if (!parsed) return invalid_argument("report: group_by must be month, quarter or year");
    q.group_by = *parsed;
  }
  auto report = build_report(store, q);
  if (!report.ok()) return report.status();
  Result<std::string> body = render(*report, format, language, dialect);
  return HttpReport{std::string(content_type(format)), std::move(*body)};
}

Result<store::RetentionResult> apply_retention(store::Store& store, std::int64_t now,
                                               const RetentionOptions& options,
                                               std::string_view tenant) {
  if (options.retention_days < 1) return invalid_argument("retention: retention_days must be >= 1");
  if (options.batch < 1) return invalid_argument("retention: batch must be >= 1");
  if (options.forget_folded_days < 0)
    return invalid_argument("retention: forget_folded_days must be >= 0");
  store::RetentionRequest request;
  request.tenant = std::string(tenant);
  request.closed_before = now - static_cast<std::int64_t>(options.retention_days) * 86400;
  request.now = now;
  request.limit = options.batch;
  request.fold = retention_fold();
  store::RetentionResult total;
  // Each call deletes what it selected, so the loop ends; batches keep each transaction short.
  for (;;) {
    auto r = store.fold_closed_vacancies(request);
    if (!r.ok()) return r.status();
    total.folded += r->folded;
    total.deleted += r->deleted;
    total.deferred = r->deferred;
    if (!r->more) break;
  }
  if (options.forget_folded_days > 0) {
    auto forgotten =
        store.forget_folded(now - static_cast<std::int64_t>(options.forget_folded_days) * 86400);
    if (!forgotten.ok()) return forgotten.status();
  }
  return total;
}

}  // namespace mangfold::report
