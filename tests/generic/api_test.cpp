// The ATS API a mapping declares: fetching a thin event's vacancy (chained requests,
// pagination, optional requests, errors) and writing a job ad back, against a fake client.
#include <doctest/doctest.h>

#include "generic_test_support.hpp"

using namespace generic_test;
using mangfold::StatusCode;

namespace {

const std::string kMapping = R"(
mapping_version: 1
event: {type: /type}
events:
  application.moved: {vacancy_id: /application/job_id}
api:
  base_url: https://ats.example/api/
  auth: {type: bearer, secret: {file: /mem/token}}
  headers: {X-Api-Version: "3"}
  timeout_seconds: 5
  fetch:
    requests:
      job: {url: "/jobs/{vacancy_id}", expect: {ok: true}}
      owner: {url: "/users/{/job/owner_id}", optional: true}
      apps:
        url: "/jobs/{vacancy_id}/applications"
        paginate: {next_url: /next, items: /items}
    snapshot:
      vacancy:
        id: /job/id
        title: /job/title
        manager: {name: /owner/name, email: /owner/email}
      applications:
        each: /apps/items
        candidate_id: /id
        stage: {pointer: /stage, map: {new: applied, interview: interview}}
        answers:
          immigrant_background: {pointer: /answer, map: {Ja: yes, Nei: no}}
  write_ad:
    method: PUT
    url: "/jobs/{vacancy_id}/ad"
    body: {ad: {format: html, note: "request {request_id}"}}
    ad_at: /ad/html
    language_at: /ad/lang
    idempotency_header: Idempotency-Key
)";

Files token() {
  return Files{{{"/mem/token", "tok-123\n"}}};
}

std::shared_ptr<FakeHttp> ats() {
  auto http = std::make_shared<FakeHttp>();
  http->on("GET", "https://ats.example/api/jobs/J%201",
           {200, R"({"ok": true, "id": "J 1", "title": "Rådgiver", "owner_id": 9})"});
  http->on("GET", "https://ats.example/api/users/9",
           {200, R"({"name": "Kari", "email": "kari@example.no"})"});
  http->on(
      "GET", "https://ats.example/api/jobs/J%201/applications",
      {200,
       R"({"items": [{"id": 1, "stage": "new", "answer": "Ja"}], "next": "https://ats.example/api/p2"})"});
  http->on("GET", "https://ats.example/api/p2",
           {200, R"({"items": [{"id": 2, "stage": "interview", "answer": "Nei"}], "next": null})"});
  return http;
}

}  // namespace

TEST_CASE("a thin event names the vacancy, fetch_snapshot gets its whole state from the ATS") {
  auto http = ats();
  auto a = adapter_from_text(kMapping, token(), http);
  const auto e = a->parse(
      Request{R"({"type": "application.moved", "application": {"job_id": "J 1"}})", {}}.view());
  REQUIRE(e.ok());
  CHECK_FALSE(e->snapshot);
  CHECK(e->vacancy_id == "J 1");

  const auto s = a->fetch_snapshot("J 1");
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  CHECK(s->vacancy.title == "Rådgiver");
  CHECK(s->vacancy.manager.email ==
        "kari@example.no");              // from a request that used the first one's answer
  REQUIRE(s->applications.size() == 2);  // two pages, concatenated
  CHECK(s->applications[1].stage == mangfold::domain::Stage::kInterview);
  CHECK(s->applications[0].answer("immigrant_background") == mangfold::domain::Answer::kYes);

  REQUIRE(http->sent.size() == 4);
  CHECK(http->sent[0].url ==
        "https://ats.example/api/jobs/J%201");  // placeholders are percent-encoded
  CHECK(http->header_of(0, "Authorization") ==
        "Bearer tok-123");  // the secret's trailing newline dropped
  CHECK(http->header_of(0, "X-Api-Version") == "3");
  CHECK(http->header_of(0, "Accept") == "application/json");
  CHECK(http->sent[0].timeout == std::chrono::seconds(5));
}

TEST_CASE("fetch: optional requests, failures and their status codes") {
  SUBCASE(
      "an optional request whose placeholder has no value is skipped, a 404 on it is no document") {
    auto http = ats();
    http->on("GET", "https://ats.example/api/jobs/J2", {200, R"({"ok": true, "id": "J2"})"});
    http->on("GET", "https://ats.example/api/jobs/J2/applications", {200, R"({"items": []})"});
    auto a = adapter_from_text(kMapping, token(), http);
    const auto s = a->fetch_snapshot("J2");
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    CHECK(s->vacancy.manager.name.empty());
    CHECK(http->sent.size() == 2);
  }
  struct Case {
    const char* what;
    FakeHttp::Canned job;
    StatusCode code;
    std::string message;
  };
  const Case cases[] = {
      {"transport failure",
       {0, "", {}, true},
       StatusCode::kUnavailable,
       "the ATS request 'job' failed: connection refused"},
      {"503",
       {503, "down"},
       StatusCode::kUnavailable,
       "the ATS request 'job' answered HTTP 503; try again later"},
      {"429",
       {429, ""},
       StatusCode::kUnavailable,
       "the ATS request 'job' answered HTTP 429; try again later"},
      {"401",
       {401, ""},
       StatusCode::kFailedPrecondition,
       "the ATS request 'job' was refused (HTTP 401): check api.auth"},
      {"404", {404, ""}, StatusCode::kNotFound, "the ATS request 'job' answered HTTP 404"},
      {"not JSON",
       {200, "<html>"},
       StatusCode::kUnavailable,
       "the ATS request 'job' did not answer with JSON"},
      {"fails expect",
       {200, R"({"ok": false})"},
       StatusCode::kFailedPrecondition,
       "the ATS request 'job' answered, but not as api.fetch.requests.job.expect requires"},
      {"another vacancy",
       {200, R"({"ok": true, "id": "J9"})"},
       StatusCode::kUnprocessable,
       "the fetched vacancy's id differs from the one asked for (mapping: "
       "api.fetch.snapshot.vacancy.id)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    auto http = std::make_shared<FakeHttp>();
    http->on("GET", "https://ats.example/api/jobs/J3", c.job);
    http->on("GET", "https://ats.example/api/jobs/J3/applications", {200, R"({"items": []})"});
    auto a = adapter_from_text(kMapping, token(), http);
    const auto s = a->fetch_snapshot("J3");
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == c.code);
    CHECK(s.status().message() == c.message);
  }
  SUBCASE("a fetched document that does not map names the pointer") {
    auto http = std::make_shared<FakeHttp>();
    http->on("GET", "https://ats.example/api/jobs/J4", {200, R"({"ok": true, "id": "J4"})"});
    http->on("GET", "https://ats.example/api/jobs/J4/applications",
             {200, R"({"items": [{"stage": "new"}]})"});
    auto a = adapter_from_text(kMapping, token(), http);
    CHECK(a->fetch_snapshot("J4").status().message() ==
          "in the fetched documents: /apps/items/0/id: missing (mapping: "
          "api.fetch.snapshot.applications.candidate_id)");
  }
}

TEST_CASE("pagination: a next page on another host is refused, too many pages are refused") {
  const std::string mapping = R"(
mapping_version: 1
events:
  any: {vacancy_id: /id}
api:
  auth: {type: header, header: X-Key, format: "Key {secret}", secret: {file: /mem/token}}
  fetch:
    requests:
      apps: {url: "https://ats.example/apps?job={vacancy_id}", paginate: {link_header: true, max_pages: 2}}
    snapshot:
      vacancy: {id: {value: V}}
      applications: {each: /apps, candidate_id: /id}
)";
  SUBCASE("Link: rel=next pages are followed and concatenated") {
    auto http = std::make_shared<FakeHttp>();
    http->on("GET", "https://ats.example/apps?job=V",
             {200,
              R"([{"id": 1}])",
              {{"Link",
                "<https://ats.example/apps?job=V&page=2>; rel=\"next\", "
                "<https://ats.example/apps?job=V&page=9>; rel=\"last\""}}});
    http->on("GET", "https://ats.example/apps?job=V&page=2", {200, R"([{"id": 2}])"});
    auto a = adapter_from_text(mapping, token(), http);
    const auto s = a->fetch_snapshot("V");
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    CHECK(s->applications.size() == 2);
    CHECK(http->header_of(0, "X-Key") == "Key tok-123");
  }
  SUBCASE("elsewhere") {
    auto http = std::make_shared<FakeHttp>();
    http->on("GET", "https://ats.example/apps?job=V",
             {200, "[]", {{"Link", "<https://evil.example/steal>; rel=\"next\""}}});
    auto a = adapter_from_text(mapping, token(), http);
    CHECK(a->fetch_snapshot("V").status().message() ==
          "the ATS request 'apps': the next page is on another host");
    CHECK(http->sent.size() == 1);
  }
  SUBCASE("too many") {
    auto http = std::make_shared<FakeHttp>();
    http->on("GET", "https://ats.example/apps?job=V",
             {200, "[]", {{"Link", "</apps?job=V&p=2>; rel=\"next\""}}});
    http->on("GET", "https://ats.example/apps?job=V&p=2",
             {200, "[]", {{"Link", "</apps?job=V&p=3>; rel=\"next\""}}});
    auto a = adapter_from_text(mapping, token(), http);
    const auto s = a->fetch_snapshot("V");
    CHECK(s.status().code() == StatusCode::kFailedPrecondition);
    CHECK(s.status().message() ==
          "the ATS request 'apps' has more than 2 pages; raise paginate.max_pages");
  }
}

TEST_CASE("pagination by a cursor in a POST body (RPC-style APIs)") {
  auto http = std::make_shared<FakeHttp>();
  // The page with the cursor first: the first page's body is part of the second's.
  http->on("POST", "https://ats.example/application.list",
           {200, R"({"results": [{"id": 2}], "moreDataAvailable": false, "nextCursor": "c3"})"},
           "\"cursor\":\"c2\"");
  http->on("POST", "https://ats.example/application.list",
           {200, R"({"results": [{"id": 1}], "moreDataAvailable": true, "nextCursor": "c2"})"},
           "\"jobId\":\"V\",\"limit\":2}");
  auto a = adapter_from_text(R"(
mapping_version: 1
events:
  any: {vacancy_id: /id}
api:
  base_url: https://ats.example
  auth: {type: basic, secret: {file: /mem/token}}
  fetch:
    requests:
      apps:
        method: POST
        url: /application.list
        body: {jobId: "{vacancy_id}", limit: 2}
        paginate: {cursor: /nextCursor, more: /moreDataAvailable, into_body: /cursor, items: /results}
    snapshot:
      vacancy: {id: {value: V}}
      applications: {each: /apps/results, candidate_id: /id}
)",
                             token(), http);
  const auto s = a->fetch_snapshot("V");
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  CHECK(s->applications.size() == 2);
  REQUIRE(http->sent.size() == 2);
  CHECK(http->header_of(0, "Authorization") == "Basic dG9rLTEyMzo=");  // base64("tok-123:")
  CHECK(http->header_of(0, "Content-Type") == "application/json");
}

TEST_CASE("write_ad sends the ad at its pointer with the request id as the idempotency key") {
  auto http = std::make_shared<FakeHttp>();
  http->on("PUT", "https://ats.example/api/jobs/J%201/ad", {204, ""});
  auto a = adapter_from_text(kMapping, token(), http);
  mangfold::domain::JobAd ad;
  ad.body = "<p>Vi oppfordrer …</p>";
  ad.language = "nb";
  REQUIRE(a->write_ad("J 1", ad, "wb-42").ok());
  REQUIRE(http->sent.size() == 1);
  CHECK(http->header_of(0, "Idempotency-Key") == "wb-42");
  CHECK(http->header_of(0, "Authorization") == "Bearer tok-123");
  CHECK(
      nlohmann::json::parse(http->sent[0].body) ==
      nlohmann::json::parse(
          R"({"ad": {"format": "html", "note": "request wb-42", "html": "<p>Vi oppfordrer …</p>", "lang": "nb"}})"));

  SUBCASE("failures keep the adapter's codes") {
    auto down = std::make_shared<FakeHttp>();
    down->on("PUT", "https://ats.example/api/jobs/J%201/ad", {502, ""});
    auto b = adapter_from_text(kMapping, token(), down);
    CHECK(b->write_ad("J 1", ad, "wb-43").code() == StatusCode::kUnavailable);
  }
}

TEST_CASE("without an API, fetch and write-back say so") {
  auto a =
      adapter_from_text("mapping_version: 1\nevents:\n  any: {snapshot: {vacancy: {id: /id}}}\n");
  CHECK(a->fetch_snapshot("1").status().code() == StatusCode::kFailedPrecondition);
  CHECK(a->write_ad("1", {}, "r").code() == StatusCode::kFailedPrecondition);
}
