// The shipped example mappings (examples/generic/) against their sample payloads and sample
// API answers: each payload maps to the expected event, each vacancy to the expected
// snapshot, and the snapshot to the expected verdict under policies/oslo.yaml.
#include <doctest/doctest.h>

#include <cstdlib>

#include "adapters/generic/json_style.hpp"
#include "connector/config/policy_loader.hpp"
#include "connector/policy/engine.hpp"
#include "connector/webhook/codec.hpp"
#include "generic_test_support.hpp"

#include <ctime>

using namespace generic_test;
using mangfold::StatusCode;
using mangfold::domain::Answer;
using mangfold::domain::Outcome;
using mangfold::domain::Qualification;
using mangfold::domain::Stage;

namespace {

const mangfold::policy::Policy& oslo() {
  static const mangfold::policy::Policy policy = [] {
    auto p = mangfold::config::load_policy_or_error(source_path("policies/oslo.yaml"));
    REQUIRE_MESSAGE(p.ok(), p.status().message());
    return std::move(p).value();
  }();
  return policy;
}

const mangfold::domain::RuleVerdict& rule(const mangfold::domain::Verdict& v,
                                          const std::string& name) {
  for (const auto& r : v.rules)
    if (r.rule == name) return r;
  FAIL("no rule " << name);
  return v.rules.front();
}

std::unique_ptr<mangfold::domain::Adapter> example(const std::string& name,
                                                   std::shared_ptr<FakeHttp> http) {
  // Development values for the secrets the example mappings name; never real ones.
  setenv("GREENHOUSE_HARVEST_KEY", "example-harvest-key", 1);
  setenv("ASHBY_API_KEY", "example-ashby-key", 1);
  setenv("TEAMTAILOR_API_KEY", "example-teamtailor-api-key", 1);
  setenv("TEAMTAILOR_WEBHOOK_KEY", "mangfold-example-teamtailor-key", 1);
  std::vector<mangfold::config::Diagnostic> diags;
  const std::string path = source_path("examples/generic/" + name + "/mapping.yaml");
  CHECK(mangfold::generic::check_mapping_file(path, mangfold::config::read_file).empty());
  auto adapter = mangfold::generic::load_generic_adapter(
      path, {std::move(http), mangfold::config::read_file, nullptr}, diags);
  std::string all;
  for (const auto& d : diags)
    all += d.to_string() + "\n";
  REQUIRE_MESSAGE(adapter, all);
  return adapter;
}

FakeHttp::Canned file(const std::string& relative,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  return {200, read_source("examples/generic/" + relative), std::move(headers)};
}

mangfold::domain::InboundEvent parse(const mangfold::domain::Adapter& a, const std::string& payload,
                                     std::map<std::string, std::string> headers = {}) {
  const auto e =
      a.parse(Request{read_source("examples/generic/" + payload), std::move(headers)}.view());
  REQUIRE_MESSAGE(e.ok(), payload << ": " << e.status().message());
  return e.value();
}

const mangfold::domain::Application& candidate(const mangfold::domain::Snapshot& s,
                                               const std::string& id) {
  for (const auto& a : s.applications)
    if (a.candidate_id == id) return a;
  FAIL("no candidate " << id);
  return s.applications.front();
}

}  // namespace

TEST_CASE("Greenhouse: web hook payloads") {
  auto a = example("greenhouse", nullptr);
  const auto created =
      parse(*a, "greenhouse/payloads/job_created.json", {{"greenhouse-event-id", "gh-evt-1"}});
  CHECK(created.type == "job_created");
  CHECK(created.id == "gh-evt-1");
  REQUIRE(created.snapshot);
  CHECK(created.snapshot->vacancy.id == "4410023");
  CHECK(created.snapshot->vacancy.title == "Saksbehandler, barneverntjenesten");
  CHECK(created.snapshot->vacancy.department == "Bydel Grünerløkka");
  CHECK(created.snapshot->vacancy.job_types == std::vector<std::string>{"Fast"});
  CHECK(created.snapshot->applications.empty());
  const auto verdict = mangfold::policy::evaluate(oslo(), *created.snapshot);
  CHECK(rule(verdict, "invite_one").outcome == Outcome::kNotApplicable);  // no applications yet
  CHECK(rule(verdict, "encourage_applicants").outcome ==
        Outcome::kInsufficientData);  // no ad in the event

  for (const char* thin :
       {"job_updated", "candidate_stage_change", "reject_candidate", "hire_candidate"}) {
    CAPTURE(thin);
    const auto e = parse(*a, std::string("greenhouse/payloads/") + thin + ".json");
    CHECK(e.type == thin);
    CHECK_FALSE(e.snapshot);
    CHECK(e.vacancy_id == "4410023");
  }
  CHECK(a->parse(Request{read_source("examples/generic/greenhouse/payloads/ping.json"), {}}.view())
            .status()
            .code() == StatusCode::kAlreadyExists);
}

TEST_CASE(
    "Greenhouse: the vacancy's state from the Harvest API, and its verdict under Oslo's policy") {
  auto http = std::make_shared<FakeHttp>();
  const std::string harvest = "https://harvest.greenhouse.io/v1";
  http->on("GET", harvest + "/jobs/4410023", file("greenhouse/api/job.json"));
  http->on("GET", harvest + "/users/52001", file("greenhouse/api/user.json"));
  http->on("GET", harvest + "/jobs/4410023/job_posts", file("greenhouse/api/job_posts.json"));
  http->on("GET", harvest + "/applications?job_id=4410023&per_page=500",
           file("greenhouse/api/applications-1.json",
                {{"Link", "<" + harvest +
                              "/applications?job_id=4410023&per_page=500&page=2>; rel=\"next\""}}));
  http->on("GET", harvest + "/applications?job_id=4410023&per_page=500&page=2",
           file("greenhouse/api/applications-2.json"));
  auto a = example("greenhouse", http);
  const auto e = parse(*a, "greenhouse/payloads/candidate_stage_change.json");
  const auto s = a->fetch_snapshot(e.vacancy_id);
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  CHECK(http->header_of(0, "Authorization") ==
        "Basic ZXhhbXBsZS1oYXJ2ZXN0LWtleTo=");  // "example-harvest-key:"

  const auto& v = s->vacancy;
  CHECK(v.id == "4410023");
  CHECK(v.status == mangfold::domain::VacancyStatus::kOpen);
  CHECK(v.job_types == std::vector<std::string>{"Fast"});
  CHECK(v.manager.name == "Kari Eksempel");
  CHECK(v.manager.email == "kari.eksempel@grunerlokka.oslo.example.no");
  REQUIRE(v.ad);
  CHECK(v.ad->language == "nb");
  CHECK(v.ad->body.find("Bydel Grünerløkka søker") !=
        std::string::npos);  // the live post, not the draft

  REQUIRE(s->applications.size() == 4);  // the prospect is left out
  CHECK(candidate(*s, "81000001").stage == Stage::kInterview);
  CHECK(candidate(*s, "81000001").answer("immigrant_background") == Answer::kNo);
  CHECK(candidate(*s, "81000002").stage == Stage::kApplied);
  CHECK(candidate(*s, "81000002").answer("immigrant_background") == Answer::kYes);
  CHECK(candidate(*s, "81000002").qualification == Qualification::kQualified);
  CHECK(candidate(*s, "81000003").stage == Stage::kRejected);
  CHECK(candidate(*s, "81000003").answer("immigrant_background") == Answer::kUnknown);
  CHECK(candidate(*s, "81000003").qualification == Qualification::kNotQualified);
  CHECK(candidate(*s, "81000005").stage == Stage::kInterview);  // from the second page
  CHECK(candidate(*s, "81000005").answer("immigrant_background") == Answer::kUnknown);

  // One qualified applicant with immigrant background, not invited: one more to invite.
  const auto verdict = mangfold::policy::evaluate(oslo(), *s);
  const auto& invite = rule(verdict, "invite_one");
  CHECK(invite.outcome == Outcome::kShortfall);
  CHECK(invite.missing == 1);
  CHECK(invite.counts.qualified_in_group == 1);
  CHECK(invite.counts.invited == 2);
  CHECK(invite.counts.invited_in_group == 0);
  CHECK(verdict.phase == mangfold::domain::Phase::kInterviewing);
  CHECK(rule(verdict, "encourage_applicants").outcome ==
        Outcome::kShortfall);  // the ad lacks the sentence
  CHECK(verdict.overall == Outcome::kShortfall);
}

TEST_CASE("Ashby: web hook payloads") {
  auto a = example("ashby", nullptr);
  const auto created = parse(*a, "ashby/payloads/jobCreate.json");
  CHECK(created.type == "jobCreate");
  CHECK(created.id == "3c0e6c1e-5a7b-4f5e-8d7c-000000000101");
  REQUIRE(created.snapshot);
  const auto& v = created.snapshot->vacancy;
  CHECK(v.id == "5f3c1e2a-7d41-4c55-9d0e-2b7a61c0a001");
  CHECK(v.title == "Seniorrådgiver, integrering");
  CHECK(v.job_types == std::vector<std::string>{"Fast"});
  CHECK(v.manager.name == "Ingrid Leder");  // the hiring-team member whose role is Hiring Manager
  CHECK(v.manager.email == "ingrid.leder@nav-eksempel.example.no");
  const auto verdict = mangfold::policy::evaluate(oslo(), *created.snapshot);
  CHECK(rule(verdict, "invite_one").outcome == Outcome::kNotApplicable);
  CHECK(rule(verdict, "encourage_applicants").outcome == Outcome::kInsufficientData);

  for (const char* thin :
       {"jobUpdate", "candidateStageChange", "applicationUpdate_archived", "candidateHire"}) {
    CAPTURE(thin);
    const auto e = parse(*a, std::string("ashby/payloads/") + thin + ".json");
    CHECK_FALSE(e.snapshot);
    CHECK(e.vacancy_id == "5f3c1e2a-7d41-4c55-9d0e-2b7a61c0a001");
    CHECK(e.id.size() == 36);
  }
  CHECK(a->parse(Request{read_source("examples/generic/ashby/payloads/ping.json"), {}}.view())
            .status()
            .code() == StatusCode::kAlreadyExists);
}

TEST_CASE("Ashby: the vacancy's state from the Ashby API, and its verdict under Oslo's policy") {
  auto http = std::make_shared<FakeHttp>();
  const std::string api = "https://api.ashbyhq.com";
  http->on("POST", api + "/job.info", file("ashby/api/job.info.json"),
           "5f3c1e2a-7d41-4c55-9d0e-2b7a61c0a001");
  http->on("POST", api + "/department.info", file("ashby/api/department.info.json"));
  http->on("POST", api + "/jobPosting.info", file("ashby/api/jobPosting.info.json"),
           "9a8b7c6d-0000-4000-8000-000000000041");
  http->on("POST", api + "/application.list", file("ashby/api/application.list-2.json"),
           "c3VyZS10aGlzLWlzLXBhZ2UtMg");
  http->on("POST", api + "/application.list", file("ashby/api/application.list-1.json"));
  auto a = example("ashby", http);
  const auto e = parse(*a, "ashby/payloads/candidateStageChange.json");
  const auto s = a->fetch_snapshot(e.vacancy_id);
  REQUIRE_MESSAGE(s.ok(), s.status().message());

  const auto& v = s->vacancy;
  CHECK(v.department == "Avdeling for bosetting og integrering");
  REQUIRE(v.deadline);
  CHECK(v.deadline->to_string() == "2026-10-15");
  CHECK(v.manager.email == "ingrid.leder@nav-eksempel.example.no");
  REQUIRE(v.ad);

  REQUIRE(s->applications.size() == 4);  // the lead is left out
  CHECK(candidate(*s, "cand-0001").stage == Stage::kInterview);
  CHECK(candidate(*s, "cand-0001").answer("immigrant_background") ==
        Answer::kYes);  // ["Ja"]: a list
  CHECK(candidate(*s, "cand-0001").qualification == Qualification::kQualified);
  CHECK(candidate(*s, "cand-0002").stage == Stage::kApplied);
  CHECK(candidate(*s, "cand-0002").answer("immigrant_background") == Answer::kNo);
  CHECK(candidate(*s, "cand-0003").stage == Stage::kRejected);
  CHECK(candidate(*s, "cand-0003").qualification == Qualification::kNotQualified);
  CHECK(candidate(*s, "cand-0004").stage == Stage::kOffered);  // from the second page
  CHECK(candidate(*s, "cand-0004").answer("immigrant_background") == Answer::kUnknown);

  // The one qualified applicant with immigrant background was invited: compliant.
  const auto verdict = mangfold::policy::evaluate(oslo(), *s);
  CHECK(rule(verdict, "invite_one").outcome == Outcome::kCompliant);
  CHECK(rule(verdict, "encourage_applicants").outcome ==
        Outcome::kCompliant);  // the ad has the sentence
  CHECK(verdict.phase == mangfold::domain::Phase::kRecommendation);
  CHECK(verdict.overall == Outcome::kCompliant);
}

// Teamtailor's signature v2 for a payload file: TT-Signature = base64("t=<now>,v2=<hex>") over
// the timestamp and the payload as JSON.stringify prints it. (The e2e test signs with an
// independent implementation, tests/generic/vendor_sign.py.)
std::map<std::string, std::string> teamtailor_v2(const std::string& body) {
  const auto doc = nlohmann::ordered_json::parse(body);  // key order as sent
  const std::string ts = std::to_string(std::time(nullptr));
  const std::string payload = *mangfold::generic::reserialise_json(
      doc.at("payload").dump(), mangfold::generic::TemplatePart::JsonStyle::kJavaScript);
  const std::string mac = mangfold::webhook::hex_encode(
      *mangfold::webhook::hmac(mangfold::webhook::HmacAlgorithm::kSha256,
                               "mangfold-example-teamtailor-key", ts + "." + payload));
  return {{"tt-signature", mangfold::webhook::base64_encode("t=" + ts + ",v2=" + mac)}};
}

TEST_CASE("Teamtailor: signed web hook payloads") {
  auto a = example("teamtailor", nullptr);
  auto signed_parse = [&](const std::string& file) {
    const std::string body = read_source("examples/generic/" + file);
    return parse(*a, file, teamtailor_v2(body));
  };
  const auto created = signed_parse("teamtailor/payloads/job.create.json");
  CHECK(created.type == "job.create");
  CHECK(created.id.size() == 64);  // a digest of the body: Teamtailor sends no delivery id
  REQUIRE(created.snapshot);
  const auto& v = created.snapshot->vacancy;
  CHECK(v.id == "1187442");
  CHECK(v.title == "Miljøterapeut, bofellesskap");
  CHECK_FALSE(v.internal_only);
  REQUIRE(v.ad);
  CHECK(v.ad->language == "nb");
  const auto verdict = mangfold::policy::evaluate(oslo(), *created.snapshot);
  CHECK(rule(verdict, "encourage_applicants").outcome == Outcome::kShortfall);

  for (const char* thin : {"job.update", "job_application.create", "job_application.update"}) {
    CAPTURE(thin);
    const auto e = signed_parse(std::string("teamtailor/payloads/") + thin + ".json");
    CHECK(e.type == thin);
    CHECK_FALSE(e.snapshot);
    CHECK(e.vacancy_id == "1187442");
  }

  // One byte changed inside the signed payload: refused.
  const std::string body =
      read_source("examples/generic/teamtailor/payloads/job_application.update.json");
  std::string forged = body;
  forged.replace(forged.find("\"55001\""), 7, "\"55009\"");
  const auto s = a->parse(Request{forged, teamtailor_v2(body)}.view()).status();
  CHECK(s.code() == StatusCode::kUnauthenticated);
}

TEST_CASE(
    "Teamtailor: the vacancy's state from the JSON:API, its verdict, and the ad written back") {
  auto http = std::make_shared<FakeHttp>();
  const std::string api = "https://api.teamtailor.com/v1";
  http->on("GET", api + "/jobs/1187442?include=user", file("teamtailor/api/job.json"));
  http->on(
      "GET",
      api + "/job-applications?filter%5Bjob%5D=1187442&include=candidate,stage&page%5Bsize%5D=30",
      file("teamtailor/api/job-applications-1.json"));
  http->on("GET",
           api +
               "/job-applications?filter%5Bjob%5D=1187442&include=candidate%2Cstage&page%5Bnumber%"
               "5D=2&page%5Bsize%5D=30",
           file("teamtailor/api/job-applications-2.json"));
  http->on("GET", api + "/answers?filter%5Bjob%5D=1187442&include=question&page%5Bsize%5D=30",
           file("teamtailor/api/answers-1.json"));
  http->on("PATCH", api + "/jobs/1187442", {200, "{}"});
  auto a = example("teamtailor", http);
  const auto s = a->fetch_snapshot("1187442");
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  CHECK(http->header_of(0, "Authorization") == "Token token=example-teamtailor-api-key");
  CHECK(http->header_of(0, "X-Api-Version") == "20240404");

  CHECK(s->vacancy.manager.name == "Hanne Avdelingsleder");  // the included user the job points to
  CHECK(s->vacancy.manager.email == "hanne.avdelingsleder@bergen.example.no");
  REQUIRE(s->applications.size() == 4);
  CHECK(candidate(*s, "88001").stage == Stage::kInterview);
  CHECK(candidate(*s, "88001").answer("immigrant_background") ==
        Answer::kYes);  // joined on the candidate
  CHECK(candidate(*s, "88002").stage == Stage::kApplied);
  CHECK(candidate(*s, "88002").answer("immigrant_background") == Answer::kNo);
  CHECK(candidate(*s, "88003").stage == Stage::kRejected);  // rejected-at is set
  CHECK(candidate(*s, "88003").answer("immigrant_background") == Answer::kUnknown);
  CHECK(candidate(*s, "88004").stage ==
        Stage::kApplied);  // second page; its stage from that page's `included`
  CHECK(candidate(*s, "88004").answer("immigrant_background") == Answer::kYes);

  const auto verdict = mangfold::policy::evaluate(oslo(), *s);
  const auto& invite = rule(verdict, "invite_one");
  CHECK(invite.outcome == Outcome::kCompliant);  // the invitee counts as qualified
  CHECK(invite.counts.unassessed_in_group == 1);
  CHECK(rule(verdict, "encourage_applicants").outcome == Outcome::kShortfall);

  mangfold::domain::JobAd ad = *s->vacancy.ad;
  ad.body +=
      "<p>Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke stillingen.</p>";
  REQUIRE(a->write_ad("1187442", ad, "wb-1187442-1").ok());
  const auto& patch = http->sent.back();
  CHECK(patch.method == "PATCH");
  CHECK(http->header_of(http->sent.size() - 1, "Idempotency-Key") == "wb-1187442-1");
  CHECK(http->header_of(http->sent.size() - 1, "Content-Type") == "application/vnd.api+json");
  const auto body = nlohmann::json::parse(patch.body);
  CHECK(body["data"]["id"] == "1187442");
  CHECK(body["data"]["type"] == "jobs");
  CHECK(body["data"]["attributes"]["body"] == ad.body);
}
