// Every construct of the mapping language (adapters/generic/README.md), each on a small
// mapping and payload of its own.
#include <doctest/doctest.h>

#include "adapters/native/snapshot_json.hpp"
#include "generic_test_support.hpp"

using namespace generic_test;
using mangfold::StatusCode;
using mangfold::domain::Answer;
using mangfold::domain::Stage;

namespace {

mangfold::domain::InboundEvent parse_ok(const mangfold::domain::Adapter& a, const Request& r) {
  auto event = a.parse(r.view());
  REQUIRE_MESSAGE(event.ok(), event.status().message());
  return std::move(event).value();
}

mangfold::Status parse_error(const mangfold::domain::Adapter& a, const Request& r) {
  auto event = a.parse(r.view());
  REQUIRE_FALSE(event.ok());
  return event.status();
}

// One event type, a fat snapshot with every field.
constexpr const char* kFullMapping = R"(
mapping_version: 1
name: full
event:
  id: /event_id
events:
  vacancy.updated:
    snapshot:
      vacancy:
        id: /job/id
        title: /job/name
        department: /job/unit/name
        url: /job/links/public
        job_types: {each: /job/tags, where: {kind: employment}, get: /label}
        internal_only: /job/internal
        status: {pointer: /job/state, map: {published: open, archived: closed}}
        deadline: /job/closes_at
        hire_justification_given: /job/justified
        manager:
          name: {template: "{/job/owner/first} {/job/owner/last}"}
          email: /job/owner/email
        ad:
          body: /job/ad/html
          format: {value: html}
          language: /job/ad/culture
      applications:
        each: /job/applicants
        candidate_id: /id
        stage: {pointer: /step, map: {new: applied, talk: interview, done: hired}}
        history: {each: /steps_before, map: {new: applied, talk: interview}}
        qualification: {pointer: /meets_requirements, map: {true: qualified, false: not_qualified}}
        score: /points
        rank: /position
        answers:
          immigrant_background: {pointer: /form/background, map: {Ja: yes, Nei: no}}
)";

constexpr const char* kFullPayload = R"({
  "event_id": 771,
  "job": {
    "id": 4100,
    "name": "Rådgiver",
    "unit": {"name": "Avdeling for bosetting"},
    "links": {"public": "https://ats.example/jobs/4100"},
    "tags": [{"kind": "employment", "label": "Fast"}, {"kind": "place", "label": "Oslo"}],
    "internal": "false",
    "state": "published",
    "closes_at": "2026-11-01T23:59:00+01:00",
    "justified": 0,
    "owner": {"first": "Kari", "last": "Eksempel", "email": "kari@example.no"},
    "ad": {"html": "<p>Stilling</p>", "culture": "NB-NO"},
    "applicants": [
      {"id": 11, "step": "talk", "steps_before": ["new"], "meets_requirements": true,
       "points": "7.5", "position": "2", "form": {"background": "Ja"}},
      {"id": "c-12", "step": "new", "meets_requirements": false, "points": 3, "position": 1,
       "form": {"background": "nei"}},
      {"id": 13, "step": "done", "form": {}}
    ]
  }
})";

}  // namespace

TEST_CASE(
    "pointers fill every field, ids, numbers and booleans arriving as strings or numbers are "
    "converted") {
  auto a = adapter_from_text(kFullMapping);
  const auto e = parse_ok(*a, {kFullPayload, {}});
  CHECK(e.type == "vacancy.updated");  // the only event: no event.type needed
  CHECK(e.id == "771");
  CHECK(e.vacancy_id == "4100");
  REQUIRE(e.snapshot);
  const auto& v = e.snapshot->vacancy;
  CHECK(v.id == "4100");
  CHECK(v.title == "Rådgiver");
  CHECK(v.department == "Avdeling for bosetting");
  CHECK(v.url == "https://ats.example/jobs/4100");
  CHECK(v.job_types == std::vector<std::string>{"Fast"});
  CHECK_FALSE(v.internal_only);
  CHECK(v.status == mangfold::domain::VacancyStatus::kOpen);
  REQUIRE(v.deadline);
  CHECK(v.deadline->to_string() == "2026-11-01");
  CHECK_FALSE(v.hire_justification_given);
  CHECK(v.manager.name == "Kari Eksempel");
  CHECK(v.manager.email == "kari@example.no");
  REQUIRE(v.ad);
  CHECK(v.ad->body == "<p>Stilling</p>");
  CHECK(v.ad->language == "nb");
  CHECK(v.ad->format == mangfold::domain::AdFormat::kHtml);

  const auto& apps = e.snapshot->applications;
  REQUIRE(apps.size() == 3);
  CHECK(apps[0].candidate_id == "11");
  CHECK(apps[0].stage == Stage::kInterview);
  CHECK(apps[0].history == std::vector<Stage>{Stage::kApplied});
  CHECK(apps[0].qualification == mangfold::domain::Qualification::kQualified);
  CHECK(apps[0].score == doctest::Approx(7.5));
  CHECK(apps[0].rank == 2);
  CHECK(apps[0].answer("immigrant_background") == Answer::kYes);
  CHECK(apps[1].candidate_id == "c-12");
  CHECK(apps[1].qualification == mangfold::domain::Qualification::kNotQualified);
  CHECK(apps[1].answer("immigrant_background") == Answer::kNo);  // "nei": maps ignore case
  CHECK(apps[1].rank == 1);
  CHECK(apps[2].stage == Stage::kHired);
  CHECK(apps[2].qualification == mangfold::domain::Qualification::kUnknown);
  CHECK(apps[2].answer("immigrant_background") == Answer::kUnknown);  // unanswered: unknown
  CHECK(apps[2].answers.empty());
}

TEST_CASE("the event type comes from a header, a body field or is fixed") {
  const std::string shape = R"(
events:
  opened:
    snapshot: {vacancy: {id: /id, title: {value: A}}}
  changed:
    snapshot: {vacancy: {id: /id, title: {value: B}}}
)";
  SUBCASE("header") {
    auto a =
        adapter_from_text("mapping_version: 1\nevent: {type: {header: X-Ats-Event}}\n" + shape);
    const auto e = parse_ok(*a, {R"({"id": 1})", {{"x-ats-event", "changed"}}});
    CHECK(e.type == "changed");
    CHECK(e.snapshot->vacancy.title == "B");
    CHECK(
        parse_error(*a, {R"({"id": 1})", {}}).message().find("header X-Ats-Event: no event type") ==
        0);
  }
  SUBCASE("body field") {
    auto a = adapter_from_text("mapping_version: 1\nevent: {type: /meta/kind}\n" + shape);
    CHECK(parse_ok(*a, {R"({"id": 1, "meta": {"kind": "opened"}})", {}}).snapshot->vacancy.title ==
          "A");
  }
  SUBCASE("fixed") {
    auto a = adapter_from_text("mapping_version: 1\nevent: {type: {value: opened}}\n" + shape);
    CHECK(parse_ok(*a, {R"({"id": 1})", {}}).type == "opened");
  }
}

TEST_CASE("each event family has its own inner shape, shapes can be shared") {
  auto a = adapter_from_text(R"(
mapping_version: 1
event: {type: /type}
shapes:
  job_only:
    vacancy: {id: /job/id, title: /job/title}
events:
  job.created: {snapshot: job_only}
  job.published: {snapshot: job_only}
  position.changed:
    snapshot:
      vacancy: {id: /position/ref, title: /position/heading}
  application.moved: {vacancy_id: /application/position_ref}
api:
  base_url: https://ats.example
  auth: {type: bearer, secret: {file: /mem/token}}
  fetch:
    requests: {pos: {url: "/positions/{vacancy_id}"}}
    snapshot: {vacancy: {id: /pos/id}}
)",
                             Files{{{"/mem/token", "t0k3n\n"}}});
  CHECK(parse_ok(*a, {R"({"type": "job.published", "job": {"id": 5, "title": "X"}})", {}})
            .snapshot->vacancy.title == "X");
  CHECK(parse_ok(
            *a, {R"({"type": "position.changed", "position": {"ref": "P-9", "heading": "Y"}})", {}})
            .snapshot->vacancy.id == "P-9");
  const auto thin =
      parse_ok(*a, {R"({"type": "application.moved", "application": {"position_ref": 77}})", {}});
  CHECK_FALSE(thin.snapshot);  // thin: the connector fetches the state
  CHECK(thin.vacancy_id == "77");
}

TEST_CASE("value maps, otherwise, default and null outputs") {
  auto a = adapter_from_text(R"(
mapping_version: 1
events:
  any:
    snapshot:
      vacancy:
        id: /id
        status: {pointer: /state, map: {live: open, gone: closed}, otherwise: open}
        job_types: {pointer: /kind, map: {permanent: Fast, summer: Sommerjobb, other: null}}
        title: {pointer: /title, default: Uten tittel}
        department: {value: 010}   # a YAML integer: decimal 10, kept as text for a text field
      applications:
        each: /apps
        candidate_id: /id
        stage: {pointer: /s, map: {A: applied, I: interview}}
)");
  SUBCASE("mapped, otherwise, null output, default") {
    const auto e = parse_ok(
        *a, {R"({"id": 1, "state": "paused", "kind": ["permanent", "other"], "apps": []})", {}});
    CHECK(e.snapshot->vacancy.status == mangfold::domain::VacancyStatus::kOpen);  // otherwise
    CHECK(e.snapshot->vacancy.job_types ==
          std::vector<std::string>{"Fast"});            // "other" maps to nothing
    CHECK(e.snapshot->vacancy.title == "Uten tittel");  // default
    CHECK(e.snapshot->vacancy.department == "10");
  }
  SUBCASE(
      "a value not in the map is refused, naming the pointer and the mapping key, never the "
      "value") {
    const auto s = parse_error(
        *a, {R"({"id": 1, "apps": [{"id": 1, "s": "A"}, {"id": 2, "s": "SECRET-CANARY"}]})", {}});
    CHECK(s.code() == StatusCode::kUnprocessable);
    CHECK(
        s.message() ==
        "/apps/1/s: the value is not in the map (mapping: events.any.snapshot.applications.stage)");
    CHECK(s.message().find("SECRET-CANARY") == std::string::npos);
  }
}

TEST_CASE("find picks an array element by a predicate") {
  auto a = adapter_from_text(R"(
mapping_version: 1
events:
  any:
    snapshot:
      vacancy:
        id: /id
        manager:
          email: {find: /team, where: {role: hiring_manager}, get: /email}
          name: {find: /team, where: {roles: Hiring Manager, active: {not: false}}, get: /name}
        department: {find: /custom_fields, where: {key: department_name}, get: /value}
        title: {find: /custom_fields, where: {/meta/deleted_at: null, key: [title, heading]}, get: /value}
        url: {find: /links, where: {href: {present: true}}, get: /href}
      applications:
        each: /applications
        candidate_id: /id
        answers:
          immigrant_background:
            find: /answers
            where: {question_id: 9001}
            get: {pointer: /value, map: {Ja: yes, Nei: no}}
          disability:
            find: $/survey
            where: {candidate: {same_as: /id}}
            get: {pointer: /choice, map: {Ja: yes, Nei: no}}
)");
  const auto e = parse_ok(*a, {R"({
    "id": "J1",
    "team": [{"role": "recruiter", "email": "r@example.no"}, {"role": "hiring_manager", "email": "m@example.no"}],
    "people": [],
    "custom_fields": [{"key": "department_name", "value": "Bydel Sagene"},
                      {"key": "title", "value": "Gammel", "meta": {"deleted_at": "2026-01-01"}},
                      {"key": "heading", "value": "Ny tittel", "meta": {}}],
    "links": [{"rel": "self"}, {"rel": "public", "href": "https://x.example/1"}],
    "applications": [
      {"id": 1, "answers": [{"question_id": "9000", "value": "Ja"}, {"question_id": 9001, "value": "Nei"}]},
      {"id": 2, "answers": [{"question_id": "9001", "value": ["Nei", "Ja"]}]},
      {"id": 3, "answers": [{"question_id": 9001, "value": []}]},
      {"id": 4}
    ],
    "survey": [{"candidate": "2", "choice": "Ja"}, {"candidate": 1, "choice": "Nei"}]
  })",
                               {}});
  const auto& v = e.snapshot->vacancy;
  CHECK(v.manager.email == "m@example.no");
  CHECK(v.manager.name.empty());  // nobody has `roles` listing Hiring Manager
  CHECK(v.department == "Bydel Sagene");
  CHECK(v.title == "Ny tittel");  // the deleted field is skipped; either key matches
  CHECK(v.url == "https://x.example/1");
  const auto& apps = e.snapshot->applications;
  REQUIRE(apps.size() == 4);
  CHECK(apps[0].answer("immigrant_background") ==
        Answer::kNo);  // question 9001, not 9000; "9001" == 9001
  CHECK(apps[1].answer("immigrant_background") == Answer::kYes);      // a list: any yes
  CHECK(apps[2].answer("immigrant_background") == Answer::kUnknown);  // an empty list: unknown
  CHECK(apps[3].answer("immigrant_background") == Answer::kUnknown);  // no answers at all
  CHECK(apps[0].answer("disability") == Answer::kNo);                 // joined on the candidate id
  CHECK(apps[1].answer("disability") == Answer::kYes);
  CHECK(apps[2].answer("disability") == Answer::kUnknown);
}

TEST_CASE("a list-valued field matches a predicate when any item does") {
  auto a = adapter_from_text(R"(
mapping_version: 1
events:
  any:
    snapshot:
      vacancy:
        id: /id
        manager: {email: {find: /team, where: {roles: Hiring Manager}, get: /email}}
)");
  const auto e = parse_ok(*a, {R"({"id": 1, "team": [{"roles": ["Recruiter"], "email": "a@x.no"},
                                                       {"roles": ["Interviewer", "Hiring Manager"], "email": "b@x.no"}]})",
                               {}});
  CHECK(e.snapshot->vacancy.manager.email == "b@x.no");
}

TEST_CASE(
    "first_of takes the first alternative with a value, when makes an alternative conditional") {
  auto a = adapter_from_text(R"(
mapping_version: 1
events:
  any:
    snapshot:
      vacancy: {id: {first_of: [/job/uuid, /job/id]}}
      applications:
        each: /apps
        candidate_id: /id
        stage:
          first_of:
            - {when: {rejected_at: {present: true}}, value: rejected}
            - {pointer: /status, map: {hired: hired}, otherwise: null}
            - {pointer: /stage, map: {Intervju: interview, Ny: applied}}
)");
  const auto e = parse_ok(*a, {R"({"job": {"id": 3}, "apps": [
      {"id": 1, "rejected_at": "2026-01-02", "status": "active", "stage": "Intervju"},
      {"id": 2, "rejected_at": null, "status": "hired", "stage": "Intervju"},
      {"id": 3, "status": "active", "stage": "Intervju"}]})",
                               {}});
  CHECK(e.vacancy_id == "3");
  const auto& apps = e.snapshot->applications;
  CHECK(apps[0].stage == Stage::kRejected);
  CHECK(apps[1].stage == Stage::kHired);
  CHECK(apps[2].stage == Stage::kInterview);
}

TEST_CASE(
    "applications: one object counts as one application, where filters, a missing id names its "
    "pointer") {
  auto a = adapter_from_text(R"(
mapping_version: 1
events:
  any:
    snapshot:
      vacancy: {id: /job_id}
      applications:
        each: /application
        where: {prospect: false}
        candidate_id: /candidate/id
)");
  CHECK(
      parse_ok(*a,
               {R"({"job_id": 1, "application": {"prospect": false, "candidate": {"id": 5}}})", {}})
          .snapshot->applications.size() == 1);
  CHECK(parse_ok(
            *a, {R"({"job_id": 1, "application": {"prospect": true, "candidate": {"id": 5}}})", {}})
            .snapshot->applications.empty());
  const auto s = parse_error(
      *a, {R"({"job_id": 1, "application": [{"prospect": false, "candidate": {}}]})", {}});
  CHECK(s.message() ==
        "/application/0/candidate/id: missing (mapping: "
        "events.any.snapshot.applications.candidate_id)");
  CHECK(parse_error(*a, {R"({"application": []})", {}}).message() ==
        "/job_id: missing (mapping: events.any.snapshot.vacancy.id)");
}

TEST_CASE("type errors name the pointer and never the value") {
  auto a = adapter_from_text(R"(
mapping_version: 1
events:
  any:
    snapshot:
      vacancy: {id: /id, internal_only: /internal, deadline: /deadline}
      applications: {each: /apps, candidate_id: /id, score: /score}
)");
  CHECK(parse_error(*a, {R"({"id": {"nested": 1}})", {}}).message() ==
        "/id: expected a single value, got an object (mapping: events.any.snapshot.vacancy.id)");
  CHECK(parse_error(*a, {R"({"id": 1, "internal": "maybe"})", {}}).message() ==
        "/internal: expected true or false, got a string (mapping: "
        "events.any.snapshot.vacancy.internal_only)");
  CHECK(parse_error(*a, {R"({"id": 1, "deadline": "1. november"})", {}})
            .message()
            .find("/deadline: expected a date") == 0);
  const auto s = parse_error(*a, {R"({"id": 1, "apps": [{"id": 1, "score": "high-CANARY"}]})", {}});
  CHECK(s.message() ==
        "/apps/0/score: expected a number, got a string (mapping: "
        "events.any.snapshot.applications.score)");
}

TEST_CASE(
    "answers are only ever read from the applicant's answer, unmapped answers are not echoed") {
  auto a = adapter_from_text(R"(
mapping_version: 1
events:
  any:
    snapshot:
      vacancy: {id: /id}
      applications:
        each: /apps
        candidate_id: /id
        answers:
          immigrant_background: {pointer: /a, map: {Ja: yes, Nei: no}}
)");
  const auto s = parse_error(*a, {R"({"id": 1, "apps": [{"id": 1, "a": "CANARY-7731"}]})", {}});
  CHECK(s.code() == StatusCode::kUnprocessable);
  CHECK(s.message().find("CANARY-7731") == std::string::npos);
  CHECK(s.message() ==
        "/apps/0/a: the value is not in the map (mapping: "
        "events.any.snapshot.applications.answers.immigrant_background)");
}

TEST_CASE("ignored and unknown event types, the catch-all entry, malformed JSON") {
  const std::string base = R"(
mapping_version: 1
event: {type: /action}
events:
  ping: {ignore: true}
  job.created: {snapshot: {vacancy: {id: /id}}}
)";
  auto a = adapter_from_text(base);
  CHECK(parse_error(*a, {R"({"action": "ping"})", {}}).code() == StatusCode::kAlreadyExists);
  const auto unknown = parse_error(*a, {R"({"action": "job.CANARY"})", {}});
  CHECK(unknown.code() == StatusCode::kUnprocessable);
  CHECK(unknown.message().find("CANARY") == std::string::npos);
  CHECK(unknown.message().rfind("/action: this event type has no entry under events", 0) == 0);

  auto with_default = adapter_from_text(
      base +
          "  \"*\": {vacancy_id: /id}\napi:\n  auth: {type: bearer, secret: {file: /mem/t}}\n"
          "  fetch: {requests: {j: {url: \"https://ats.example/{vacancy_id}\"}}, snapshot: "
          "{vacancy: {id: /j/id}}}\n",
      Files{{{"/mem/t", "x"}}});
  CHECK(parse_ok(*with_default, {R"({"action": "anything", "id": 4})", {}}).vacancy_id == "4");

  const auto bad = parse_error(*a, {"{\n  \"action\": \"ping\",\n  oops\n}", {}});
  CHECK(bad.code() == StatusCode::kInvalidArgument);
  CHECK(bad.message() == "malformed JSON at line 3, column 3");
}

TEST_CASE("event ids from a header, a body field, a digest of the body, an event may override") {
  auto a = adapter_from_text(R"(
mapping_version: 1
event: {type: /t, id: {header: X-Delivery}}
events:
  a: {snapshot: {vacancy: {id: /id}}}
  b: {snapshot: {vacancy: {id: /id}}, id: /delivery/uuid}
  c: {snapshot: {vacancy: {id: /id}}, id: {body_digest: sha256}}
)");
  CHECK(parse_ok(*a, {R"({"t": "a", "id": 1})", {{"x-delivery", "d-1"}}}).id == "d-1");
  CHECK(parse_ok(*a, {R"({"t": "a", "id": 1})", {}})
            .id.empty());  // no id: the app asks the signature scheme
  CHECK(parse_ok(*a, {R"({"t": "b", "id": 1, "delivery": {"uuid": "u-9"}})", {}}).id == "u-9");
  const std::string body = R"({"t": "c", "id": 1})";
  CHECK(parse_ok(*a, {body, {}}).id ==
        "ff43923ec1a8e97414a759ca880d48193d5439c7c4b93a858666ad5c32adcb01");  // SHA-256 of the raw
                                                                              // body
  CHECK(parse_ok(*a, {body, {}}).id != parse_ok(*a, {R"({"t": "c", "id": 2})", {}}).id);
}

TEST_CASE("required values and the JSON Pointer escapes ~0 and ~1") {
  auto a = adapter_from_text(R"(
mapping_version: 1
events:
  any:
    snapshot:
      vacancy:
        id: "/a~1b/c~0d"
        title: {pointer: /title, required: true}
)");
  CHECK(parse_ok(*a, {R"({"a/b": {"c~d": 12}, "title": "T"})", {}}).vacancy_id == "12");
  CHECK(parse_error(*a, {R"({"a/b": {"c~d": 12}})", {}}).message() ==
        "/title: missing (mapping: events.any.snapshot.vacancy.title)");
}

namespace {

// A snapshot as comparable text (only for tests).
std::string describe(const mangfold::domain::Snapshot& s) {
  const auto& v = s.vacancy;
  std::string out = "vacancy " + v.id + "|" + v.title + "|" + v.department + "|" + v.url + "|";
  for (const auto& t : v.job_types)
    out += t + ",";
  out += std::string("|") + (v.internal_only ? "internal" : "") + "|" +
         std::string(mangfold::domain::to_string(v.status)) + "|" +
         (v.deadline ? v.deadline->to_string() : "") + "|" + v.manager.name + "|" +
         v.manager.email + "|";
  if (v.ad)
    out += v.ad->body + "|" + v.ad->language + "|" +
           (v.ad->format == mangfold::domain::AdFormat::kHtml ? "html" : "text");
  for (const auto& a : s.applications) {
    out += "\napplication " + a.candidate_id + "|" +
           std::string(mangfold::domain::to_string(a.stage)) + "|" +
           std::string(mangfold::domain::to_string(a.qualification)) + "|";
    for (const auto& [g, ans] : a.answers)
      out += g + "=" + std::string(mangfold::domain::to_string(ans)) + ",";
  }
  return out;
}

}  // namespace

TEST_CASE("the worked example of the README maps to the snapshot it shows") {
  const std::string dir = "tests/fixtures/generic/";
  auto a = adapter_from_text(read_source(dir + "rekrutt_mapping.yaml"));
  const auto e = parse_ok(
      *a, {read_source(dir + "rekrutt_payload.json"), {{"x-rekrutt-event", "vacancy.state"}}});
  auto expected = mangfold::native::parse_event(read_source(dir + "rekrutt_snapshot.json"));
  REQUIRE_MESSAGE(expected.ok(), expected.status().message());
  CHECK(e.id == expected->id);
  CHECK(e.type == expected->type);
  REQUIRE(e.snapshot);
  CHECK(describe(*e.snapshot) == describe(expected->snapshot));

  std::string waiting = read_source(dir + "rekrutt_payload.json");
  const std::string rejected = "\"Avslått\"";
  waiting.replace(waiting.find(rejected), rejected.size(), "\"Venteliste\"");
  CHECK(parse_error(*a, {waiting, {{"x-rekrutt-event", "vacancy.state"}}}).message() ==
        "/candidates/2/step: the value is not in the map (mapping: "
        "events.vacancy.state.snapshot.applications.stage)");
}
