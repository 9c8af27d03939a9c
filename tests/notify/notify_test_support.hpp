// Builders shared by the notify tests: verdicts, settings, a vacancy with Norwegian
// letters, a real SQLite store in a temporary folder, and a synchronous submit.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connector/domain/verdict.hpp"
#include "connector/notify/plan.hpp"
#include "connector/policy/policy.hpp"
#include "connector/store/sqlite_store.hpp"
#include "connector/store/store.hpp"

namespace mangfold::notify::testing {

// 2026-03-02 09:00:00 UTC.
inline constexpr std::int64_t kNow = 1772442000;

inline domain::RuleVerdict interview_rule(domain::Outcome outcome, int q, int n, int i, int r,
                                          std::string name = "invite_one") {
  domain::RuleVerdict v;
  v.rule = std::move(name);
  v.kind = "interview_minimum";
  v.group = "immigrant_background";
  v.outcome = outcome;
  v.counts.applicants = 12;
  v.counts.in_group = q + 1;
  v.counts.qualified_in_group = q;
  v.counts.invited = n;
  v.counts.invited_in_group = i;
  v.counts.required = r;
  if (outcome == domain::Outcome::kShortfall) {
    v.missing = r - i;
    v.severity = n == 0 ? domain::Severity::kAdvice : domain::Severity::kWarning;
    v.reason_code = "below_required";
  } else if (outcome == domain::Outcome::kCompliant) {
    v.reason_code = "requirement_met";
  }
  return v;
}

inline domain::RuleVerdict justification_rule(domain::Outcome outcome) {
  domain::RuleVerdict v;
  v.rule = "justify_hire";
  v.kind = "hire_justification";
  v.group = "immigrant_background";
  v.outcome = outcome;
  v.counts.qualified_in_group = 2;
  v.counts.proposed = 1;
  if (outcome == domain::Outcome::kShortfall) {
    v.missing = 1;
    v.severity = domain::Severity::kBreach;
    v.reason_code = "justification_missing";
  } else {
    v.reason_code = "justification_given";
  }
  return v;
}

inline domain::Verdict verdict(std::vector<domain::RuleVerdict> rules,
                               domain::Phase phase = domain::Phase::kInterviewing) {
  domain::Verdict v;
  v.policy_id = "oslo";
  v.policy_version = "2026.1";
  v.vacancy_id = "v-42";
  v.phase = phase;
  v.rules = std::move(rules);
  for (const auto& r : v.rules)
    v.overall = domain::most_pressing(v.overall, r.outcome);
  return v;
}

inline policy::Notifications settings() {
  policy::Notifications s;
  s.hr_email = "hr@oslo.example.no";
  s.cc = {"mangfold@oslo.example.no"};
  // Without deadline_passed, so that a test sees only the rows it is about; the deadline
  // reminder has tests of its own (plan_test.cpp, outbox_worker_test.cpp).
  s.send_on = {"shortfall", "justification_missing", "resolved"};
  return s;
}

inline VacancyInfo vacancy() {
  VacancyInfo v;
  v.tenant = "oslo";
  v.vacancy_id = "v-42";
  v.title = "Rådgiver i økonomiavdelingen";
  v.department = "Bydel Grünerløkka";
  v.url = "https://oslo.example.no/stillinger/42";
  v.manager_name = "Kåre Ødegård";
  v.manager_email = "kare.odegard@oslo.example.no";
  v.deadline = "2026-03-15";
  v.ad_language = "nb";
  return v;
}

inline std::unique_ptr<store::Store> open_store(const std::string& path) {
  store::SqliteOptions options;
  options.path = path;
  auto opened = store::open_sqlite_store(options);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  return std::move(*opened);
}

inline Result<store::SubmitResult> submit_sync(store::Store& store, std::string event_id,
                                               store::Plan plan, std::string tenant = "oslo",
                                               std::string vacancy_id = "v-42") {
  auto promise = std::make_shared<std::promise<Result<store::SubmitResult>>>();
  auto future = promise->get_future();
  store.submit(store::Submission{std::move(tenant), std::move(event_id), std::move(vacancy_id),
                                 kNow, std::move(plan)},
               [promise](Result<store::SubmitResult> r) { promise->set_value(std::move(r)); });
  REQUIRE(future.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  return future.get();
}

// The plan the ingest pipeline runs, reduced to what notifications need: store the
// verdict and the rows plan_notifications asks for, given the prior verdict.
inline store::Plan verdict_plan(domain::Verdict v, policy::Notifications s = settings(),
                                VacancyInfo info = vacancy(), std::int64_t now = kNow) {
  return [v, s, info, now](const store::StoredVacancy& prior) -> Result<store::Changes> {
    store::Changes c;
    c.vacancy.title = info.title;
    c.vacancy.department = info.department;
    c.vacancy.url = info.url;
    c.vacancy.manager_name = info.manager_name;
    c.vacancy.manager_email = info.manager_email;
    c.vacancy.deadline = info.deadline;
    c.vacancy.ad_language = info.ad_language;
    c.verdict = v;
    c.outbox = plan_notifications(info, prior.last_verdict, v, s, now);
    return c;
  };
}

}  // namespace mangfold::notify::testing
