// plan_event, the store plan of one event: stage histories merged, the verdict, and what
// it does with a verdict equal to the last one (kept for events, dropped for reconciles).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "connector/config/policy_loader.hpp"
#include "connector/ingest/ingest.hpp"

using namespace mangfold;

namespace {

const std::int64_t kNow = 1'795'000'000;  // 2026-11-18

policy::Policy oslo() {
  Result<policy::Policy> p =
      config::load_policy_or_error(std::string(MANGFOLD_SOURCE_DIR) + "/policies/oslo.yaml");
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  return *p;
}

// One qualified applicant in the group, not invited; one other invited.
domain::Snapshot snapshot(domain::Stage group_member_stage = domain::Stage::kApplied) {
  domain::Snapshot s;
  s.vacancy.id = "v-1";
  s.vacancy.title = "Rådgiver";
  s.vacancy.manager = {"Kari", "kari@oslo.example.no", ""};
  domain::Application yes;
  yes.candidate_id = "c-1";
  yes.stage = group_member_stage;
  yes.qualification = domain::Qualification::kQualified;
  yes.answers["immigrant_background"] = domain::Answer::kYes;
  domain::Application no = yes;
  no.candidate_id = "c-2";
  no.stage = domain::Stage::kInterview;
  no.answers["immigrant_background"] = domain::Answer::kNo;
  s.applications = {yes, no};
  return s;
}

}  // namespace

TEST_CASE("a plan that finds the same verdict stores none, for an event as for a reconcile") {
  const policy::Policy policy = oslo();
  store::StoredVacancy prior;
  prior.record.tenant = "oslo";
  Result<store::Changes> first = app::plan_event(policy, snapshot(), prior, kNow);
  REQUIRE(first.ok());
  REQUIRE(first->verdict.has_value());
  CHECK(first->verdict->overall == domain::Outcome::kShortfall);

  prior.exists = true;
  prior.last_verdict = first->verdict;
  prior.candidates = first->candidates;
  using app::UnchangedVerdict;
  auto again = [&](UnchangedVerdict u, domain::Stage stage = domain::Stage::kApplied) {
    app::PlanOptions options;
    options.unchanged = u;
    return app::plan_event(policy, snapshot(stage), prior, kNow + 3600, options);
  };
  // Issue 22: an event's unchanged verdict is not stored either (its answer names it, see
  // Ingest::apply); the vacancy row is still refreshed.
  Result<store::Changes> event = again(UnchangedVerdict::kLog);
  REQUIRE(event.ok());
  CHECK_FALSE(event->verdict.has_value());
  CHECK(event->outbox.empty());
  CHECK(event->vacancy.title == "Rådgiver");
  Result<store::Changes> skipped = again(UnchangedVerdict::kSkip);
  REQUIRE(skipped.ok());
  CHECK_FALSE(skipped->verdict.has_value());
  CHECK(skipped->outbox.empty());               // nothing changed, nothing to mail
  CHECK(skipped->vacancy.title == "Rådgiver");  // the vacancy row is still refreshed
  // A reconcile that finds a change logs it.
  Result<store::Changes> changed = again(UnchangedVerdict::kSkip, domain::Stage::kInterview);
  REQUIRE(changed.ok());
  REQUIRE(changed->verdict.has_value());
  CHECK(changed->verdict->overall != first->verdict->overall);
  for (const domain::RuleVerdict& r : changed->verdict->rules)
    if (r.kind == "interview_minimum") CHECK(r.outcome == domain::Outcome::kCompliant);
  CHECK(changed->log_verdict);
}

TEST_CASE("a plan whose verdict changed only in its counts replaces it without a log row") {
  const policy::Policy policy = oslo();
  store::StoredVacancy prior;
  prior.record.tenant = "oslo";
  Result<store::Changes> first = app::plan_event(policy, snapshot(), prior, kNow);
  REQUIRE(first.ok());
  REQUIRE(first->verdict.has_value());
  CHECK(first->log_verdict);
  prior.exists = true;
  prior.last_verdict = first->verdict;
  prior.candidates = first->candidates;
  // One more qualified applicant in the group, not invited: the shortfall stays, the counts
  // move. A log row now would mark this event as one that changed the group's figures.
  domain::Snapshot more = snapshot();
  domain::Application another = more.applications.front();
  another.candidate_id = "c-3";
  more.applications.push_back(another);
  Result<store::Changes> next = app::plan_event(policy, more, prior, kNow + 60);
  REQUIRE(next.ok());
  REQUIRE(next->verdict.has_value());
  CHECK(next->verdict->overall == first->verdict->overall);
  CHECK_FALSE(next->log_verdict);
}

TEST_CASE("the accepted answer has the bytes the nlohmann tree made, with and without an ad") {
  auto reference = [](std::string_view event_id, std::string_view vacancy_id,
                      std::string_view verdict, const policy::AdChange* ad) {
    nlohmann::json body{{"status", "accepted"},
                        {"event_id", event_id},
                        {"vacancy_id", vacancy_id},
                        {"verdict", verdict}};
    if (ad)
      body["ad"] = {{"rule", ad->rule}, {"language", ad->after.language}, {"body", ad->after.body}};
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  policy::AdChange ad;
  ad.rule = "encourage_sentence";
  ad.after.language = "nb";
  ad.after.body = "<p>Vi oppfordrer «alle» til å søke.</p>\n<p>Tlf: \"22 00\" \\ 7/8\t\x01</p>";
  for (const auto& [event, vacancy] :
       {std::pair<std::string, std::string>{"evt-1", "v-1"}, {"ødelagt-\xff", "v\"2"}, {"", ""}}) {
    CHECK(app::accepted_answer(event, vacancy, "shortfall", nullptr) ==
          reference(event, vacancy, "shortfall", nullptr));
    CHECK(app::accepted_answer(event, vacancy, "compliant", &ad) ==
          reference(event, vacancy, "compliant", &ad));
  }
  ad.after.body = "bad \xc3 byte";
  CHECK(app::accepted_answer("e", "v", "compliant", &ad) == reference("e", "v", "compliant", &ad));
}
