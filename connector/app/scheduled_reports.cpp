#include "connector/app/scheduled_reports.hpp"

#include <nlohmann/json.hpp>

#include "connector/app/log.hpp"
#include "connector/notify/report_email.hpp"
#include "connector/report/report.hpp"
#include "connector/report/scheduled.hpp"
#include "connector/store/store.hpp"

namespace mangfold::app {

ScheduledReports::ScheduledReports(store::Store& store,
                                   std::function<std::shared_ptr<const TenantMap>()> tenants,
                                   int suppression_threshold, Clock clock, Log& log,
                                   std::function<void()> enqueued)
    : store_(store),
      tenants_(std::move(tenants)),
      threshold_(suppression_threshold),
      clock_(std::move(clock)),
      log_(log),
      enqueued_(std::move(enqueued)) {}

int ScheduledReports::run_once() {
  const std::int64_t now = clock_();
  const std::string period = report::scheduled_period(now);
  std::shared_ptr<const TenantMap> tenants = tenants_();
  if (!tenants) return 0;
  int enqueued = 0;
  for (const auto& [name, tenant] : *tenants) {
    const std::optional<config::ReportEmailConfig>& settings = tenant.config.report_email;
    if (!settings) continue;
    if (auto it = done_.find(name); it != done_.end() && it->second == period) continue;

    report::ReportQuery query;
    query.tenant = name;
    query.group_by = report::parse_group_by(settings->group_by).value_or(report::GroupBy::kMonth);
    query.from_month = report::scheduled_from_month(period, query.group_by);
    query.to_month = period;
    query.threshold = threshold_;
    query.now = now;
    query.organisation = tenant.config.display_name;
    if (tenant.policy)
      for (const policy::TargetGroup& g : tenant.policy->groups)
        query.group_labels[g.name] = g.label.empty() ? g.name : g.label;
    Result<report::Report> built = report::build_report(store_, query);
    if (!built.ok()) {
      log_.warn("scheduled report not built; trying again later",
                {{"tenant", name}, {"period", period}, {"detail", built.status().message()}});
      continue;
    }
    const report::Language language =
        report::parse_language(settings->language).value_or(report::Language::kNb);
    report::ScheduledEmail email = report::scheduled_email(*built, language, period);

    notify::ReportEmailPayload payload;
    payload.key = "mf-report-" + name + "-" + period;
    payload.tenant = name;
    payload.period = period;
    payload.language = settings->language;
    payload.date = now;
    for (const std::string& to : settings->recipients)
      payload.to.push_back({"", to});
    payload.subject = std::move(email.subject);
    payload.text = std::move(email.text);
    payload.html = std::move(email.html);

    store::OutboxItem item;
    item.kind = std::string(notify::kReportEmailKind);
    item.idempotency_key = payload.key;
    item.tenant = name;
    item.payload = notify::to_json(payload);
    item.not_before = now;
    Result<bool> r = store_.enqueue_scheduled_report(name, period, std::move(item), now);
    if (!r.ok()) {
      log_.warn("scheduled report not enqueued; trying again later",
                {{"tenant", name}, {"period", period}, {"detail", r.status().message()}});
      continue;
    }
    done_[name] = period;
    if (*r) {
      ++enqueued;
      log_.info(
          "scheduled report enqueued",
          {{"tenant", name}, {"period", period}, {"recipients", settings->recipients.size()}});
    }
  }
  if (enqueued > 0 && enqueued_) enqueued_();
  return enqueued;
}

}  // namespace mangfold::app
