// Helpers for the report tests: a store filled from a fixture of verdict logs.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "connector/domain/date.hpp"
#include "connector/report/report.hpp"
#include "tests/store/store_test_support.hpp"

namespace mangfold::report::testing {

using store::testing::TempDir;

inline std::string fixture_path(const std::string& name) {
  return std::string(MANGFOLD_SOURCE_DIR) + "/tests/fixtures/report/" + name;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Noon UTC of a "YYYY-MM-DD" day.
inline std::int64_t unix_of(const std::string& day) {
  auto d = domain::Date::parse(day);
  REQUIRE(d.has_value());
  return static_cast<std::int64_t>(d->days_since_epoch()) * 86400 + 12 * 3600;
}

inline domain::Outcome outcome_of(const std::string& s) {
  for (auto o : {domain::Outcome::kCompliant, domain::Outcome::kShortfall,
                 domain::Outcome::kNotApplicable, domain::Outcome::kInsufficientData})
    if (domain::to_string(o) == s) return o;
  FAIL("unknown outcome " << s);
  return domain::Outcome::kNotApplicable;
}

inline domain::Verdict verdict_of(const nlohmann::json& j, const std::string& vacancy_id) {
  domain::Verdict v;
  v.policy_id = "oslo";
  v.policy_version = "1";
  v.vacancy_id = vacancy_id;
  v.overall = outcome_of(j.at("overall"));
  for (const auto& r : j.at("rules")) {
    domain::RuleVerdict rv;
    rv.kind = r.at("kind");
    rv.rule = rv.kind;
    rv.group = r.value("group", "");
    rv.outcome = outcome_of(r.at("outcome"));
    rv.missing = r.value("missing", 0);
    rv.reason_code = r.value("reason_code", "");
    // 11 counts: a verdict as stored before Counts::qualified existed (it reads 0); 12: with
    // the qualified total last.
    if (r.contains("counts")) {
      const auto& c = r.at("counts");
      REQUIRE((c.size() == 11 || c.size() == 12));
      int* fields[] = {&rv.counts.applicants,
                       &rv.counts.in_group,
                       &rv.counts.unknown_answer,
                       &rv.counts.qualified_in_group,
                       &rv.counts.unassessed_in_group,
                       &rv.counts.invited,
                       &rv.counts.invited_in_group,
                       &rv.counts.required,
                       &rv.counts.proposed,
                       &rv.counts.hired,
                       &rv.counts.hired_in_group,
                       &rv.counts.qualified};
      for (std::size_t i = 0; i < c.size(); ++i)
        *fields[i] = c[i].get<int>();
    }
    v.rules.push_back(std::move(rv));
  }
  return v;
}

struct Fixture {
  std::string tenant;
  std::int64_t now = 0;
};

// Every verdict of a vacancy's log is one event, oldest first, so the store keeps the
// whole log and the report must pick the latest. Delivered emails are completed.
inline Fixture load_fixture(store::Store& s, const std::string& name) {
  const nlohmann::json j = nlohmann::json::parse(read_text(fixture_path(name)));
  Fixture f{j.at("tenant"), unix_of(j.at("now"))};
  int event = 0;
  for (const auto& v : j.at("vacancies")) {
    const std::string id = v.at("id");
    const bool closed = v.contains("closed");
    const std::int64_t closed_at = closed ? unix_of(v.at("closed")) : 0;
    const auto& log = v.at("log");
    const std::size_t events = std::max<std::size_t>(1, log.size());
    for (std::size_t i = 0; i < events; ++i) {
      const bool last = i + 1 == events;
      const std::int64_t at =
          (closed ? closed_at : f.now) - static_cast<std::int64_t>(events - i) * 3600;
      store::Changes c;
      c.vacancy.title = "Stilling " + id;
      c.vacancy.department = v.at("department");
      c.vacancy.manager_name = "Kari Leder";
      c.vacancy.manager_email = "kari@example.org";
      c.vacancy.status = last && closed ? "closed" : "open";
      c.vacancy.opened_at = at;
      c.vacancy.closed_at = last && closed ? closed_at : 0;
      c.vacancy.updated_at = last && closed ? closed_at : at;
      if (!log.empty()) c.verdict = verdict_of(log[i], id);
      if (last)
        for (int e = 0; e < v.value("emails_delivered", 0); ++e) {
          store::OutboxItem mail;
          mail.kind = "email";
          mail.idempotency_key = id + "-mail-" + std::to_string(e);
          mail.payload = "{}";
          c.outbox.push_back(std::move(mail));
        }
      auto r = store::testing::submit_sync(
          s, store::testing::submission(
                 f.tenant, "e" + std::to_string(++event),
                 [c](const store::StoredVacancy&) -> Result<store::Changes> { return c; }, id, at));
      REQUIRE_MESSAGE(r.ok(), r.status().message());
    }
  }
  auto claimed = s.claim_outbox("email", f.now, 1000, 60);
  REQUIRE(claimed.ok());
  for (const auto& c : *claimed)
    REQUIRE(s.complete_outbox(c.id).ok());
  return f;
}

inline ReportQuery query_for(const Fixture& f, const std::string& from, const std::string& to,
                             int threshold) {
  ReportQuery q;
  q.tenant = f.tenant;
  q.from_month = from;
  q.to_month = to;
  q.threshold = threshold;
  q.now = f.now;
  q.group_labels = {{"immigrant_background", "innvandrerbakgrunn"}};
  return q;
}

}  // namespace mangfold::report::testing
