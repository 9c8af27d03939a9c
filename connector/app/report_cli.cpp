#include "connector/app/report_cli.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "connector/app/pseudonyms.hpp"
#include "connector/app/storage.hpp"
#include "connector/config/policy_loader.hpp"
#include "connector/config/service_config.hpp"
#include "connector/report/report.hpp"
#include "connector/store/sqlite_store.hpp"

namespace mangfold::app {

int run_report(const ReportArgs& args) {
  config::ServiceConfigLoad loaded = config::load_service_config(args.config);
  if (!loaded.config) {
    for (const auto& d : loaded.diagnostics)
      std::cerr << d.to_string() << "\n";
    return 2;
  }
  const config::TenantConfig* tenant = loaded.config->tenant(args.tenant);
  if (!tenant) {
    std::cerr << "mangfold report: no tenant '" << args.tenant << "' in " << args.config << "\n";
    return 2;
  }
  const std::optional<report::Format> format = report::parse_format(args.format);
  const std::optional<report::Language> language = report::parse_language(args.language);
  if (!format || !language) {
    std::cerr << "mangfold report: --format is table, csv, json or html; --lang is nb, nn or en\n";
    return 2;
  }
  const std::optional<report::GroupBy> group_by = report::parse_group_by(args.group_by);
  const std::optional<report::CsvDialect> dialect =
      args.csv_dialect.empty() ? report::default_csv_dialect(*language)
                               : report::parse_csv_dialect(args.csv_dialect);
  if (!group_by || !dialect) {
    std::cerr << "mangfold report: --group-by is month, quarter or year; --csv-dialect is "
                 "rfc4180 or excel-no\n";
    return 2;
  }
  if (!loaded.config->postgres && !std::filesystem::exists(loaded.config->sqlite_path)) {
    std::cerr << "mangfold report: no database at " << loaded.config->sqlite_path
              << " (has the service run?)\n";
    return 2;
  }
  // Opening a database from before schema 4 turns its ATS ids into pseudonyms.
  Result<PseudonymMap> keys = load_all_pseudonyms(*loaded.config);
  if (!keys.ok()) {
    std::cerr << "mangfold report: " << keys.status().message() << "\n";
    return 2;
  }
  Result<std::unique_ptr<store::Store>> store = open_storage(*loaded.config, std::move(*keys));
  if (!store.ok()) {
    std::cerr << "mangfold report: " << store.status().message() << "\n";
    return 2;
  }

  report::ReportQuery query;
  query.tenant = args.tenant;
  query.from_month = args.from;
  query.to_month = args.to;
  if (!args.group.empty()) query.group = args.group;
  if (!args.department.empty()) query.department = args.department;
  query.threshold = loaded.config->suppression_threshold;
  query.group_by = *group_by;
  query.organisation = tenant->display_name;
  query.now = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  if (Result<policy::Policy> p = config::load_policy_or_error(tenant->policy_path); p.ok())
    for (const policy::TargetGroup& g : p->groups)
      query.group_labels[g.name] = g.label.empty() ? g.name : g.label;

  if (!args.what_if.empty()) {
    Result<policy::Policy> other = config::load_policy_or_error(args.what_if);
    if (!other.ok()) {
      std::cerr << other.status().message() << "\n";
      return 2;
    }
    Result<report::WhatIf> w = report::what_if(**store, query, *other);
    if (!w.ok()) {
      std::cerr << "mangfold report: " << w.status().message() << "\n";
      return 2;
    }
    std::cout << report::render(*w, *format, *language);
    return 0;
  }
  Result<report::Report> r = report::build_report(**store, query);
  if (!r.ok()) {
    std::cerr << "mangfold report: " << r.status().message() << "\n";
    return 2;
  }
  std::cout << report::render(*r, *format, *language, *dialect);
  return 0;
}

}  // namespace mangfold::app
