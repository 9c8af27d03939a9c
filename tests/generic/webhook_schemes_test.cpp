// The webhook schemes real ATSs use (issue 14): structured and base64-wrapped signature
// values, signed content that is a re-serialisation or a template over headers, signatures
// over an id only (trust: sender_only), activation handshakes, events ignored by predicate,
// event types outside the body, page-number pagination and the lookup step. Expected MACs
// come from published vectors or are written out literally, never from the adapter's signer.
#include <doctest/doctest.h>

#include "adapters/generic/json_style.hpp"
#include "connector/webhook/codec.hpp"
#include "generic_test_support.hpp"

using namespace generic_test;
using mangfold::StatusCode;
using Style = mangfold::generic::TemplatePart::JsonStyle;

namespace {

std::string hmac_hex(const std::string& key, const std::string& content) {
  return mangfold::webhook::hex_encode(
      *mangfold::webhook::hmac(mangfold::webhook::HmacAlgorithm::kSha256, key, content));
}

Files key(const std::string& value) {
  return Files{{{"/mem/key", value}}};
}

}  // namespace

TEST_CASE("SmartRecruiters' published test vector: v1 over timestamp, body and four headers") {
  // From SmartRecruiters' "generate a secret key for a webhook subscription" reference: the
  // key, headers and body below sign to 2e9291f1…ce1f.
  const std::string mapping = R"(
mapping_version: 1
signature:
  secret: {file: /mem/key}
  signature: {header: smartrecruiters-signature}
  separators: ";"
  prefix: "v1="
  timestamp: {header: smartrecruiters-timestamp}
  signed_content: "{timestamp}.{body}.{header?:event-id}.{header?:event-name}.{header?:event-version}.{header?:link}"
events:
  application.created: {snapshot: {vacancy: {id: /job_id}}}
event: {type: {header: event-name}}
)";
  auto a = adapter_from_text(mapping, key("HeBVky2bccvvkcXPimH8c"), nullptr, 1574080897);
  const std::string published = "2e9291f10d44ca10204a4cd81b05d73b6a316b2b605d4e2e0e0b37b40198ce1f";
  Request r{R"({"job_id":"jid","candidate_id":"cid"})",
            {{"smartrecruiters-signature", "v1=" + published},
             {"smartrecruiters-timestamp", "1574080897"},
             {"event-id", "123"},
             {"link", "<http://smartrecruiters.com/endpoint>; rel=self"},
             {"event-name", "application.created"},
             {"event-version", "v201910"}}};
  SUBCASE("accepted, the event type from a header") {
    const auto e = a->parse(r.view());
    REQUIRE_MESSAGE(e.ok(), e.status().message());
    CHECK(e->vacancy_id == "jid");
  }
  SUBCASE("several signatures separated by semicolons (a key rotation): any one may match") {
    r.headers["smartrecruiters-signature"] = "v1=" + std::string(64, 'a') + ";v1=" + published;
    CHECK(a->parse(r.view()).ok());
  }
  SUBCASE("a header that is part of the signed content, changed: 401") {
    r.headers["event-version"] = "v201911";
    CHECK(a->parse(r.view()).status().code() == StatusCode::kUnauthenticated);
  }
  SUBCASE("a tampered body byte: 401") {
    r.body[10] = 'J';
    CHECK(a->parse(r.view()).status().code() == StatusCode::kUnauthenticated);
  }
  SUBCASE("another secret: 401") {
    auto b = adapter_from_text(mapping, key("HeBVky2bccvvkcXPimH8d"), nullptr, 1574080897);
    CHECK(b->parse(r.view()).status().code() == StatusCode::kUnauthenticated);
  }
}

TEST_CASE("a structured value t=…,v1=…,v0=… over the timestamp and an id (Teamtailor partner)") {
  const std::string mapping = R"(
mapping_version: 1
signature:
  secret: {file: /mem/key}
  signature: {header: Teamtailor-Signature}
  structure: {timestamp: t, keys: [v1]}
  signed_content: "{timestamp}.{/partner-event/id}"
  trust: sender_only
events:
  trigger: {vacancy_id: /partner-event/candidate/job/id}
api:
  auth: {type: bearer, secret: {file: /mem/key}}
  fetch:
    requests: {job: {url: "https://api.example/jobs/{vacancy_id}"}}
    snapshot: {vacancy: {id: /job/id}}
)";
  auto a = adapter_from_text(mapping, key("partner-secret"), nullptr, 1539756759);
  const std::string body =
      R"({"partner-event": {"id": "f3d7e8e2", "candidate": {"id": 1, "job": {"id": 12345}}}})";
  const std::string v1 = hmac_hex("partner-secret", "1539756759.f3d7e8e2");
  Request r{body, {{"teamtailor-signature", "t=1539756759,\n  v1=" + v1 + ",\n  v0=" + v1}}};
  SUBCASE("accepted: the thin event's vacancy id may come from the unsigned part") {
    const auto e = a->parse(r.view());
    REQUIRE_MESSAGE(e.ok(), e.status().message());
    CHECK(e->vacancy_id == "12345");
    CHECK_FALSE(e->snapshot);
  }
  SUBCASE("a v0 (older scheme) alone is not accepted") {
    r.headers["teamtailor-signature"] = "t=1539756759,v0=" + v1;
    CHECK(a->parse(r.view()).status().code() == StatusCode::kUnauthenticated);
  }
  SUBCASE("another event id: 401") {
    r.body = R"({"partner-event": {"id": "f3d7e8e3", "candidate": {"job": {"id": 12345}}}})";
    CHECK(a->parse(r.view()).status().code() == StatusCode::kUnauthenticated);
  }
  SUBCASE("a timestamp outside the tolerance: 401 naming it") {
    auto late = adapter_from_text(mapping, key("partner-secret"), nullptr, 1539756759 + 301);
    const auto s = late->parse(r.view()).status();
    CHECK(s.code() == StatusCode::kUnauthenticated);
    CHECK(s.message() ==
          "timestamp outside the tolerance of 300 seconds (header Teamtailor-Signature (t=))");
  }
}

TEST_CASE("JSON re-serialised as JavaScript's JSON.stringify and as PHP's json_encode") {
  const std::string raw =
      "{ \"b\": \"a/b </script>\",\n  \"a\": [1, 2.5, 3.0, true, null],\n  \"æøå\": \"Ærlig "
      "søknad 😀\", \"tab\": \"x\\ty\\u0001\", \"q\": \"\\\"\\\\\", \"o\": {} }";
  SUBCASE("JavaScript: key order kept, no spaces, / and non-ASCII as they are") {
    CHECK(*mangfold::generic::reserialise_json(raw, Style::kJavaScript) ==
          "{\"b\":\"a/b </script>\",\"a\":[1,2.5,3,true,null],\"æøå\":\"Ærlig søknad 😀\","
          "\"tab\":\"x\\ty\\u0001\",\"q\":\"\\\"\\\\\",\"o\":{}}");
  }
  SUBCASE("PHP: / escaped, non-ASCII as \\u escapes (an emoji as a surrogate pair)") {
    CHECK(*mangfold::generic::reserialise_json(raw, Style::kPhp) ==
          "{\"b\":\"a\\/b <\\/script>\",\"a\":[1,2.5,3.0,true,null],"
          "\"\\u00e6\\u00f8\\u00e5\":\"\\u00c6rlig s\\u00f8knad \\ud83d\\ude00\","
          "\"tab\":\"x\\ty\\u0001\",\"q\":\"\\\"\\\\\",\"o\":[]}");
  }
  SUBCASE("not JSON") {
    CHECK(mangfold::generic::reserialise_json("{\"a\":", Style::kPhp).status().code() ==
          StatusCode::kInvalidArgument);
  }
}

TEST_CASE(
    "base64-wrapped t=…,v2=… over the timestamp and the re-serialised payload (Teamtailor v2)") {
  const std::string mapping = R"(
mapping_version: 1
signature:
  secret: {file: /mem/key}
  signature: {header: TT-Signature}
  structure: {base64: true, timestamp: t, keys: [v2]}
  signed_content: ["{timestamp}.{json:/payload}", "{timestamp}.{json_php:/payload}"]
event: {type: /payload/event_name}
events:
  job.update: {snapshot: {vacancy: {id: /payload/data/id, title: /payload/data/attributes/title}}}
)";
  auto a = adapter_from_text(mapping, key("tt-key"), nullptr, 1701234567);
  const std::string payload =
      R"({"event_name": "job.update", "data": {"id": "2", "attributes": {"title": "Rådgiver </script> 😀", "body": "<p>a/b</p>"}}})";
  const std::string js =
      R"({"event_name":"job.update","data":{"id":"2","attributes":{"title":"Rådgiver </script> 😀","body":"<p>a/b</p>"}}})";
  const std::string php =
      R"({"event_name":"job.update","data":{"id":"2","attributes":{"title":"R\u00e5dgiver <\/script> \ud83d\ude00","body":"<p>a\/b<\/p>"}}})";
  const std::string body = "{\"payload\": " + payload + ", \"signature\": \"ignored\"}";
  auto header = [](const std::string& signed_text) {
    return mangfold::webhook::base64_encode("t=1701234567,v2=" + hmac_hex("tt-key", signed_text));
  };
  SUBCASE("signed as a JavaScript sender prints it") {
    const auto e = a->parse(Request{body, {{"tt-signature", header("1701234567." + js)}}}.view());
    REQUIRE_MESSAGE(e.ok(), e.status().message());
    CHECK(e->snapshot->vacancy.title == "Rådgiver </script> 😀");
  }
  SUBCASE("signed as a PHP sender prints it") {
    CHECK(a->parse(Request{body, {{"tt-signature", header("1701234567." + php)}}}.view()).ok());
  }
  SUBCASE("signed over the bytes as sent (not what the sender documents): 401") {
    CHECK(a->parse(Request{body, {{"tt-signature", header("1701234567." + payload)}}}.view())
              .status()
              .code() == StatusCode::kUnauthenticated);
  }
  SUBCASE("a changed title: 401") {
    std::string forged = body;
    forged.replace(forged.find("Rådgiver"), 3, "RXd");
    CHECK(a->parse(Request{forged, {{"tt-signature", header("1701234567." + js)}}}.view())
              .status()
              .code() == StatusCode::kUnauthenticated);
  }
}

TEST_CASE("check refuses trust: sender_only for snapshot events, with file:line:column") {
  const std::string all = diagnostics_of(R"(mapping_version: 1
signature:
  secret: {env: S}
  signature: /signature
  signed_content: "{/token}{/triggeredAt}"
  trust: sender_only
event: {type: /event}
events:
  candidateStageChange:
    snapshot: {vacancy: {id: /data/postingId}}
)");
  CHECK(all ==
        "/mem/mapping.yaml:10:5: events.candidateStageChange.snapshot: signature.trust is "
        "sender_only (the sender signs an id or a token, not the data): a snapshot would be taken "
        "from unsigned data. Map this event as thin (vacancy_id: …, the state is then fetched "
        "from the ATS's API) or ignore it\n");
}

TEST_CASE("check refuses signed content that covers neither the body nor what the mapping reads") {
  SUBCASE("only an id is signed, and no trust: sender_only") {
    const std::string all = diagnostics_of(R"(mapping_version: 1
signature:
  secret: {env: S}
  signature: {header: TT-Signature}
  signed_content: "{timestamp}.{header:X-Id}"
  timestamp: {header: X-T}
events:
  any: {snapshot: {vacancy: {id: /id}}}
)");
    CHECK(all.rfind("/mem/mapping.yaml:5:19: signature.signed_content: the signed content covers "
                    "neither the body",
                    0) == 0);
  }
  SUBCASE("a part is signed, but the mapping reads elsewhere") {
    const std::string all = diagnostics_of(R"(mapping_version: 1
signature:
  secret: {env: S}
  signature: /signature
  signed_content: "{raw:/payload}"
event: {type: /event_name}
events:
  job.update: {snapshot: {vacancy: {id: /payload/id}}}
)");
    CHECK(all ==
          "/mem/mapping.yaml:6:15: event.type: reads /event_name, which the signed content "
          "(signature.signed_content) does not cover: every delivery would be refused. Read "
          "inside the signed part, or sign what is read\n");
  }
}

TEST_CASE("check warns, without refusing, when a signature has no timestamp") {
  Files files;
  files.files["/mem/mapping.yaml"] = R"(mapping_version: 1
name: no-clock
signature:
  secret: {env: S}
  signature: {header: X-Sig}
events:
  any: {snapshot: {vacancy: {id: /id}}}
)";
  CHECK(mangfold::generic::check_mapping_file("/mem/mapping.yaml", files.reader()).empty());
  auto summary = mangfold::generic::describe_mapping_file("/mem/mapping.yaml", files.reader());
  REQUIRE(summary.ok());
  REQUIRE(summary->warnings.size() == 1);
  CHECK(summary->warnings[0].to_string().rfind(
            "/mem/mapping.yaml:3:1: signature: no timestamp: a captured request can be replayed",
            0) == 0);
}

TEST_CASE(
    "an activation handshake is answered before any signature, events are ignored by predicate") {
  const std::string mapping = R"(
mapping_version: 1
handshake: {header: X-Hook-Secret, status: 200}
signature:
  secret: {file: /mem/key}
  signature: /signature
  signed_content: "{/token}{/triggeredAt}"
  trust: sender_only
event:
  type: /event
  ignore_when: {/data/opportunityId: {present: false}}
events:
  candidateStageChange: {vacancy_id: /data/postingId}
api:
  auth: {type: basic, secret: {file: /mem/key}}
  fetch:
    requests: {job: {url: "https://api.example/postings/{vacancy_id}"}}
    snapshot: {vacancy: {id: /job/data/id}}
)";
  auto a = adapter_from_text(mapping, key("lever-key"));
  SUBCASE("the handshake header is echoed with the status asked for, nothing else is done") {
    const auto e = a->parse(Request{"", {{"x-hook-secret", "4jn8fs9011jj8"}}}.view());
    REQUIRE_MESSAGE(e.ok(), e.status().message());
    REQUIRE(e->reply);
    CHECK(e->reply->status == 200);
    REQUIRE(e->reply->headers.size() == 1);
    CHECK(e->reply->headers[0] ==
          std::pair<std::string, std::string>{"X-Hook-Secret", "4jn8fs9011jj8"});
    CHECK(e->vacancy_id.empty());
  }
  SUBCASE("a handshake value that is not printable ASCII is refused (no header injection)") {
    const auto e = a->parse(Request{"", {{"x-hook-secret", "a\r\nSet-Cookie: x"}}}.view());
    CHECK(e.status().code() == StatusCode::kInvalidArgument);
  }
  const std::string sig = hmac_hex("lever-key", "tok-11501504000000");
  SUBCASE("a settings test (a real event name, empty data) is acknowledged and ignored") {
    const auto e = a->parse(Request{
        R"({"event": "candidateStageChange", "data": {}, "token": "tok-1", "triggeredAt": 1501504000000, "signature": ")" +
            sig + "\"}",
        {}}.view());
    CHECK(e.status().code() == StatusCode::kAlreadyExists);
  }
  SUBCASE("the real event passes, a wrong signature does not") {
    const std::string body =
        R"({"event": "candidateStageChange", "data": {"opportunityId": "o1", "postingId": "p9"}, "token": "tok-1", "triggeredAt": 1501504000000, "signature": ")";
    const auto e = a->parse(Request{body + sig + "\"}", {}}.view());
    REQUIRE_MESSAGE(e.ok(), e.status().message());
    CHECK(e->vacancy_id == "p9");
    CHECK(a->parse(Request{body + std::string(64, '0') + "\"}", {}}.view()).status().code() ==
          StatusCode::kUnauthenticated);
  }
}

TEST_CASE("an event type split over a header and a body field") {
  auto a = adapter_from_text(R"(
mapping_version: 1
event: {type: {template: "{header:X-Resource}.{/action}"}}
events:
  job.created: {snapshot: {vacancy: {id: /id}}}
  "*": {ignore: true}
)");
  CHECK(a->parse(Request{R"({"action": "created", "id": 5})", {{"x-resource", "job"}}}.view())
            ->vacancy_id == "5");
  CHECK(a->parse(Request{R"({"action": "created", "id": 5})", {{"x-resource", "candidate"}}}.view())
            .status()
            .code() == StatusCode::kAlreadyExists);
}

TEST_CASE(
    "page-number pagination until an empty page or the total, a lookup step finds the vacancy") {
  const std::string mapping = R"(
mapping_version: 1
events:
  application.moved: {lookup: /application_id}
api:
  base_url: https://ats.example
  auth: {type: bearer, secret: {file: /mem/key}}
  lookup:
    requests: {application: {url: "/applications/{lookup_id}"}}
    vacancy_id: /application/job/id
  fetch:
    requests:
      job: {url: "/jobs/{vacancy_id}"}
      apps: {url: "/jobs/{vacancy_id}/applications?per_page=2", paginate: {page: page, total: /meta/total, items: /data}}
    snapshot:
      vacancy: {id: /job/id}
      applications: {each: /apps/data, candidate_id: /id}
)";
  auto http = std::make_shared<FakeHttp>();
  http->on("GET", "https://ats.example/applications/A%207", {200, R"({"job": {"id": 42}})"});
  http->on("GET", "https://ats.example/jobs/42", {200, R"({"id": 42})"});
  http->on("GET", "https://ats.example/jobs/42/applications?per_page=2&page=1",
           {200, R"({"data": [{"id": 1}, {"id": 2}], "meta": {"total": 3}})"});
  http->on("GET", "https://ats.example/jobs/42/applications?per_page=2&page=2",
           {200, R"({"data": [{"id": 3}], "meta": {"total": 3}})"});
  auto a = adapter_from_text(mapping, key("tok"), http);
  const auto e = a->parse(Request{R"({"type": "x", "application_id": "A 7"})", {}}.view());
  REQUIRE_MESSAGE(e.ok(), e.status().message());
  CHECK(e->vacancy_id.find("A 7") == std::string::npos);  // the application id stays inside
  const auto s = a->fetch_snapshot(e->vacancy_id);
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  CHECK(s->vacancy.id == "42");
  CHECK(s->applications.size() == 3);
  CHECK(http->sent.size() == 4);  // lookup, job, two pages: the total stopped a third
  SUBCASE("without a total, an empty page ends the listing") {
    auto http2 = std::make_shared<FakeHttp>();
    http2->on("GET", "https://ats.example/jobs/42", {200, R"({"id": 42})"});
    http2->on("GET", "https://ats.example/jobs/42/applications?per_page=2&page=1",
              {200, R"({"data": [{"id": 1}]})"});
    http2->on("GET", "https://ats.example/jobs/42/applications?per_page=2&page=2",
              {200, R"({"data": []})"});
    std::string no_total = mapping;
    no_total.replace(no_total.find(", total: /meta/total"), 20, "");
    auto b = adapter_from_text(no_total, key("tok"), http2);
    const auto s2 = b->fetch_snapshot("42");
    REQUIRE_MESSAGE(s2.ok(), s2.status().message());
    CHECK(s2->applications.size() == 1);
    CHECK(http2->sent.size() == 3);
  }
}
