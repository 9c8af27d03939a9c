// Webhook events in Webcruiter's vocabulary → domain events, without the API.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "adapters/webcruiter/wire.hpp"
#include "tests/webcruiter/support.hpp"

using namespace mangfold;
using namespace mangfold::webcruiter;
using namespace mangfold::webcruiter::testing;
using domain::Answer;
using domain::Qualification;
using domain::Stage;
using nlohmann::json;

namespace {

domain::Snapshot fat_snapshot(const domain::Adapter& adapter, const std::string& body) {
  Result<domain::InboundEvent> e = parse(adapter, body);
  REQUIRE_MESSAGE(e.ok(), e.status().message());
  REQUIRE(e->snapshot.has_value());
  return *e->snapshot;
}

const domain::Application& candidate(const domain::Snapshot& s, const std::string& id) {
  for (const auto& a : s.applications)
    if (a.candidate_id == id) return a;
  FAIL("no candidate " << id);
  return s.applications.front();
}

}  // namespace

TEST_CASE("fat example: every field maps") {
  auto adapter = make_adapter();
  Result<domain::InboundEvent> e = parse(*adapter, read_text("examples/webcruiter/fat-event.json"));
  REQUIRE_MESSAGE(e.ok(), e.status().message());
  CHECK(e->id == "wc-evt-2026-10-000417");
  CHECK(e->type == "AdvertCandidatesSnapshot");
  CHECK(e->vacancy_id == "4100000001");
  REQUIRE(e->snapshot);
  const domain::Snapshot& s = *e->snapshot;
  const domain::Vacancy& v = s.vacancy;
  CHECK(v.id == "4100000001");
  CHECK(v.title == "Rådgiver integrering – Flyktningtjenesten");
  CHECK(v.department == "Flyktningtjenesten, Område for oppvekst og læring");
  CHECK(v.url.find("oppdragsnr=4100000001") != std::string::npos);
  CHECK(v.job_types == std::vector<std::string>{"Fast"});
  CHECK_FALSE(v.internal_only);
  CHECK(v.status == domain::VacancyStatus::kOpen);
  REQUIRE(v.deadline);
  CHECK(v.deadline->to_string() == "2026-10-24");
  CHECK(v.manager.name == "Åse Ødegård");  // the Enhetsleder, by manager_titles
  CHECK(v.manager.email == "ase.odegard@example.org");
  REQUIRE(v.ad);
  CHECK(v.ad->language == "nb");
  CHECK(v.ad->format == domain::AdFormat::kHtml);
  CHECK(v.ad->body.find("<h3>Slik søker du</h3>") != std::string::npos);

  REQUIRE(s.applications.size() == 6);
  const auto& a1 = candidate(s, "7001");
  CHECK(a1.stage == Stage::kApplied);
  CHECK(a1.qualification == Qualification::kQualified);
  CHECK(a1.answer("immigrant_background") == Answer::kYes);
  const auto& a2 = candidate(s, "7002");
  CHECK(a2.stage == Stage::kInterview);
  CHECK(a2.history == std::vector<Stage>{Stage::kApplied, Stage::kApplied});
  CHECK(a2.qualification == Qualification::kQualified);  // from status 2 in the history
  CHECK(a2.answer("immigrant_background") == Answer::kNo);
  const auto& a3 = candidate(s, "7003");
  CHECK(a3.stage == Stage::kRejected);
  CHECK(a3.qualification == Qualification::kQualified);      // qualified, then rejected uninvited
  CHECK(a3.answer("immigrant_background") == Answer::kYes);  // " ja " folds to "ja"
  CHECK(candidate(s, "7004").answer("immigrant_background") == Answer::kUnknown);
  const auto& a5 = candidate(s, "7005");
  CHECK(a5.qualification == Qualification::kNotQualified);
  CHECK(a5.answer("immigrant_background") == Answer::kYes);  // alternative id 1
  const auto& a6 = candidate(s, "7006");
  CHECK(a6.stage == Stage::kApplied);  // no status yet
  CHECK(a6.qualification == Qualification::kUnknown);
  CHECK(a6.answers.empty());  // a languages question is never read as a target group
}

TEST_CASE("ids as numbers or strings give the same event") {
  auto adapter = make_adapter();
  const std::string numbers = R"({"EventId": 17, "AdvertId": 41, "CompanyId": 2,
    "Advert": {"AdvertId": 41, "title": "T"},
    "Candidates": [{"CandidateId": 7, "CandidateStatusId": 4, "StatusHistory": [1, {"CandidateStatusId": 2}],
                    "CustomData": [{"QuestionId": 9001, "Answer": 1}]}]})";
  const std::string strings = R"({"EventId": "17", "AdvertId": "41", "CompanyId": "2",
    "Advert": {"AdvertId": "41", "title": "T"},
    "Candidates": [{"CandidateId": "7", "CandidateStatusId": "4", "StatusHistory": ["1", {"CandidateStatusId": "2"}],
                    "CustomData": [{"QuestionId": "9001", "Answer": "1"}]}]})";
  Result<domain::InboundEvent> n = parse(*adapter, numbers);
  Result<domain::InboundEvent> s = parse(*adapter, strings);
  REQUIRE_MESSAGE(n.ok(), n.status().message());
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  CHECK(n->id == "17");
  CHECK(s->id == "17");
  CHECK(n->vacancy_id == "41");
  CHECK(describe(*n->snapshot) == describe(*s->snapshot));
  const auto& a = n->snapshot->applications.at(0);
  CHECK(a.candidate_id == "7");
  CHECK(a.stage == Stage::kInterview);
  CHECK(a.answer("immigrant_background") == Answer::kYes);

  SUBCASE("fractional, boolean and empty ids are refused") {
    for (const char* body :
         {R"({"AdvertId": 41.5})", R"({"AdvertId": true})", R"({"AdvertId": ""})"}) {
      Result<domain::InboundEvent> r = parse(*adapter, body);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kUnprocessable);
      CHECK(r.status().message().rfind("/AdvertId: ", 0) == 0);
    }
  }
}

TEST_CASE("keys match without regard to case and underscores") {
  auto adapter = make_adapter();
  const std::string canonical = read_text("examples/webcruiter/fat-event.json");
  json camel = json::parse(canonical);
  // Re-spell every key camelCase, as a JSON API might.
  std::function<json(const json&)> respell = [&](const json& j) -> json {
    if (j.is_array()) {
      json out = json::array();
      for (const auto& x : j)
        out.push_back(respell(x));
      return out;
    }
    if (!j.is_object()) return j;
    json out = json::object();
    for (const auto& [k, v] : j.items()) {
      std::string key;
      bool upper = false;
      for (size_t i = 0; i < k.size(); ++i) {
        if (k[i] == '_') {
          upper = true;
          continue;
        }
        char c = k[i];
        if (i == 0)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (upper)
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        upper = false;
        key += c;
      }
      out[key] = respell(v);
    }
    return out;
  };
  camel = respell(camel);
  CHECK(camel.contains("advertId"));
  CHECK(camel["advert"].contains("applyWithinDate"));
  CHECK(describe(fat_snapshot(*adapter, canonical)) ==
        describe(fat_snapshot(*adapter, camel.dump())));

  Result<domain::InboundEvent> twice = parse(*adapter, R"({"AdvertId": 1, "advertId": 2})");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.status().code() == StatusCode::kUnprocessable);
  CHECK(twice.status().message().find("mean the same") != std::string::npos);
}

TEST_CASE("missing and null optional fields") {
  auto adapter = make_adapter();
  SUBCASE("missing") {
    const domain::Snapshot s = fat_snapshot(
        *adapter, R"({"AdvertId": 1, "Advert": {}, "Candidates": [{"CandidateId": 1}]})");
    CHECK(s.vacancy.id == "1");
    CHECK(s.vacancy.title.empty());
    CHECK_FALSE(s.vacancy.ad.has_value());  // no description: ad rules are not evaluated
    CHECK_FALSE(s.vacancy.deadline.has_value());
    CHECK(s.vacancy.manager.name.empty());
    CHECK(s.vacancy.manager.email.empty());
    CHECK(s.vacancy.job_types.empty());
    const auto& a = s.applications.at(0);
    CHECK(a.stage == Stage::kApplied);
    CHECK(a.qualification == Qualification::kUnknown);
    CHECK(a.answers.empty());
    CHECK_FALSE(a.score.has_value());
    CHECK_FALSE(a.rank.has_value());
  }
  SUBCASE("null") {
    const domain::Snapshot s =
        fat_snapshot(*adapter, R"({"EventId": null, "EventType": null, "CompanyId": null,
      "CandidateId": null, "CandidateStatusId": null, "AdvertId": 1,
      "Advert": {"AdvertId": null, "title": null, "link": null, "company_name": null, "description": null,
                 "Culture_Id": null, "apply_within_date": null, "WePubDateFrom": null, "IntranetPubDateFrom": null,
                 "JOB_TYPE_COLLECTION": null, "CONTACTINFO": null, "IsClosed": null, "HireJustificationGiven": null},
      "Candidates": [{"CandidateId": 1, "AdvertId": null, "CandidateStatusId": null, "StatusHistory": null,
                      "CustomData": null, "Score": null, "Rank": null}]})");
    CHECK(s.vacancy.id == "1");
    CHECK_FALSE(s.vacancy.ad.has_value());
    CHECK(s.applications.at(0).stage == Stage::kApplied);
  }
  SUBCASE("an ad without Culture_Id has no language (the policy's fallback applies)") {
    const domain::Snapshot s = fat_snapshot(
        *adapter, R"({"AdvertId": 1, "Advert": {"description": "<p>x</p>"}, "Candidates": []})");
    REQUIRE(s.vacancy.ad);
    CHECK(s.vacancy.ad->language.empty());
  }
}

TEST_CASE("empty collections") {
  auto adapter = make_adapter();
  for (const char* collections : {
           R"("JOB_TYPE_COLLECTION": [], "CONTACTINFO": [])",
           R"("JOB_TYPE_COLLECTION": {"Item": []}, "CONTACTINFO": {"Contact": []})",
           R"("JOB_TYPE_COLLECTION": {}, "CONTACTINFO": {"Contact": null})",
           R"("JOB_TYPE_COLLECTION": [""], "CONTACTINFO": {})",
       }) {
    CAPTURE(collections);
    const std::string body =
        std::string(R"({"AdvertId": 5, "Advert": {)") + collections + R"(}, "Candidates": [
        {"CandidateId": 1, "StatusHistory": [], "CustomData": []},
        {"CandidateId": 2, "CustomData": {}}]})";
    const domain::Snapshot s = fat_snapshot(*adapter, body);
    CHECK(s.vacancy.job_types.empty());
    CHECK(s.vacancy.manager.email.empty());
    REQUIRE(s.applications.size() == 2);
    CHECK(s.applications[0].history.empty());
    CHECK(s.applications[0].answers.empty());
    CHECK(s.applications[1].answers.empty());
  }
  const domain::Snapshot none =
      fat_snapshot(*adapter, R"({"AdvertId": 5, "Advert": {}, "Candidates": []})");
  CHECK(none.applications.empty());
}

TEST_CASE("unknown status ids: a clear error naming the id, or the configured default") {
  auto strict = make_adapter();
  const std::string body = R"({"AdvertId": 5, "Advert": {}, "Candidates": [
      {"CandidateId": 1, "CandidateStatusId": 4},
      {"CandidateId": 2, "CandidateStatusId": 77, "CustomData": [{"QuestionId": 9001, "Answer": "Ja"}]}]})";
  Result<domain::InboundEvent> r = parse(*strict, body);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnprocessable);
  CHECK(r.status().message() ==
        "/Candidates/1/CandidateStatusId: unknown CandidateStatusId 77: map it in "
        "adapter_options.statuses, or set "
        "adapter_options.unknown_status");

  SUBCASE("in the history too") {
    Result<domain::InboundEvent> h = parse(
        *strict,
        R"({"AdvertId": 5, "Advert": {}, "Candidates": [{"CandidateId": 1, "StatusHistory": [1, "x9"]}]})");
    REQUIRE_FALSE(h.ok());
    CHECK(h.status().message().find(
              "/Candidates/0/StatusHistory/1: unknown CandidateStatusId x9") == 0);
  }
  SUBCASE("on a thin status event, at once") {
    auto with_api = make_adapter(
        "  api:\n    base_url: http://127.0.0.1:9\n    auth: {api_key: {key: {file: k}}}\n");
    Result<domain::InboundEvent> t =
        parse(*with_api, R"({"AdvertId": 5, "CandidateId": 1, "CandidateStatusId": 77})");
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().message().find("/CandidateStatusId: unknown CandidateStatusId 77") == 0);
  }
  SUBCASE("a configured default") {
    auto lenient = make_adapter("  unknown_status: {stage: applied, qualification: unknown}\n");
    const domain::Snapshot s = fat_snapshot(*lenient, body);
    CHECK(s.applications[1].stage == Stage::kApplied);
    CHECK(s.applications[1].answer("immigrant_background") == Answer::kYes);
    auto as_stage = make_adapter("  unknown_status: rejected\n");
    CHECK(fat_snapshot(*as_stage, body).applications[1].stage == Stage::kRejected);
  }
}

TEST_CASE("æøå in every field") {
  Made made = make_from_yaml(R"(adapter_options:
  statuses:
    Innkalt-å: interview
    Vurdert-ø: {stage: applied, qualification: qualified}
  target_groups:
    immigrant_background:
      question: spørsmål-æ
      yes: ["Ja, ønsker å oppgi"]
      no: ["NEI – ÆRLIG TALT"]
  manager_titles: [AVDELINGSLEIAR]
)");
  REQUIRE_MESSAGE(made.adapter, made.errors());
  Result<domain::InboundEvent> e =
      parse(*made.adapter, read_text("tests/fixtures/webcruiter/unicode-fat-event.json"));
  REQUIRE_MESSAGE(e.ok(), e.status().message());
  CHECK(e->id == "hendelse-æøå-1");
  CHECK(e->type == "Søknadsstatus endret");
  CHECK(e->vacancy_id == "utlysning-Ærlig-Øst-Åsen");
  const domain::Snapshot& s = *e->snapshot;
  CHECK(s.vacancy.title == "Spesialsykepleier – Ålesund, Ørsta og Bø");
  CHECK(s.vacancy.url == "https://www.webcruiter.no/annonse/ærlig?å=ø");
  CHECK(s.vacancy.department == "Helse- og omsorgsetaten, Øvre Årdal");
  CHECK(s.vacancy.job_types == std::vector<std::string>{"Fast", "Vikariat – Åpen"});
  CHECK(s.vacancy.internal_only);                          // intranet only
  CHECK(s.vacancy.deadline->to_string() == "2026-10-24");  // from 24.10.2026
  CHECK(s.vacancy.manager.name == "Øystein Ærø");
  CHECK(s.vacancy.manager.email == "øystein.ærø@bø.kommune.example");
  CHECK(s.vacancy.ad->language == "nn");
  CHECK(s.vacancy.ad->body.find("Ørsta") != std::string::npos);
  REQUIRE(s.applications.size() == 3);
  CHECK(s.applications[0].candidate_id == "kandidat-ø-1");
  CHECK(s.applications[0].stage == Stage::kInterview);
  CHECK(s.applications[0].answer("immigrant_background") == Answer::kYes);  // case folded, Ø/ø too
  CHECK(s.applications[1].qualification == Qualification::kQualified);
  CHECK(s.applications[1].answer("immigrant_background") == Answer::kNo);
  CHECK(s.applications[2].answer("immigrant_background") ==
        Answer::kUnknown);  // declined to answer
}

TEST_CASE("contact email is validated: a malformed address is empty, never mailed") {
  auto adapter = make_adapter();
  auto email_of = [&](const std::string& address) {
    const std::string body =
        R"({"AdvertId": 1, "Advert": {"CONTACTINFO": {"Contact": {"Name": "N", "Email": )" +
        json(address).dump() + R"(}}}, "Candidates": []})";
    return fat_snapshot(*adapter, body).vacancy.manager.email;
  };
  CHECK(email_of("ola.dome@example.org") == "ola.dome@example.org");
  CHECK(email_of("  ola.dome@example.org ") == "ola.dome@example.org");
  CHECK(email_of("ola.dome@example.org.").empty());  // the trailing dot seen in real feeds
  CHECK(email_of("").empty());
  CHECK(email_of("ola.dome").empty());

  struct Case {
    const char* address;
    bool valid;
  };
  for (const Case& c :
       {Case{"a@b.no", true}, Case{"kari.eksempel+jobb@kommune.example.no", true},
        Case{"a@b", false}, Case{"@b.no", false}, Case{"a@@b.no", false}, Case{"a@b..no", false},
        Case{"a@.b.no", false}, Case{"a.@b.no", false}, Case{".a@b.no", false},
        Case{"a b@c.no", false}, Case{"a@b.no.", false}, Case{"<a@b.no>", false},
        Case{"a@-b.no", false}, Case{"a,b@c.no", false}, Case{"a@b_c.no", false}}) {
    CAPTURE(c.address);
    CHECK(is_valid_email(c.address) == c.valid);
  }
}

TEST_CASE("the first contact is the manager unless a title matches") {
  auto by_title = make_adapter();
  const std::string body = R"({"AdvertId": 1, "Advert": {"CONTACTINFO": [
      {"Name": "HR", "Title": "HR-rådgiver", "Email": "hr@example.org"},
      {"Name": "Leder", "Title": " enhetsleder ", "Email": "leder@example.org"}]}, "Candidates": []})";
  CHECK(fat_snapshot(*by_title, body).vacancy.manager.email == "leder@example.org");
  Made first = make_from_yaml("adapter_options:\n" +
                              base_mapping().substr(0, base_mapping().find("  manager_titles")));
  REQUIRE_MESSAGE(first.adapter, first.errors());
  CHECK(fat_snapshot(*first.adapter, body).vacancy.manager.email == "hr@example.org");
}

TEST_CASE("answers: only configured questions and values count, never inferred") {
  auto adapter = make_adapter();
  auto answer = [&](const std::string& custom_data, const std::string& extra = "") {
    const std::string body = R"({"AdvertId": 1, "Advert": {}, "Candidates": [{"CandidateId": 1)" +
                             extra + R"(, "CustomData": )" + custom_data + "}]}";
    return fat_snapshot(*adapter, body).applications.at(0).answer("immigrant_background");
  };
  CHECK(answer(R"([{"QuestionId": 9001, "Answer": "JA"}])") == Answer::kYes);
  CHECK(answer(R"([{"QuestionId": 9001, "Answer": 2}])") == Answer::kNo);
  CHECK(answer(R"([{"QuestionId": 9001, "Answer": ["1"]}])") == Answer::kYes);
  CHECK(answer(R"([{"QuestionId": 9001, "Answer": {"Id": 2, "Text": "Nei"}}])") == Answer::kNo);
  CHECK(answer(R"([{"QuestionId": 9001, "Answer": ["Ja", "Nei"]}])") ==
        Answer::kUnknown);  // contradiction
  CHECK(answer(R"([{"QuestionId": 9001, "Answer": "Kanskje"}])") == Answer::kUnknown);
  CHECK(answer(R"([{"QuestionId": 9001, "Answer": null}])") == Answer::kUnknown);
  CHECK(answer(R"([{"QuestionId": 9001}])") == Answer::kUnknown);
  CHECK(answer(R"({"CustomData": {"9001": "Ja"}})") == Answer::kYes);
  // Name, nationality and languages are never read, whatever they say.
  CHECK(
      answer(
          R"([{"QuestionId": 9002, "Answer": "Arabisk"}, {"QuestionId": 9003, "Answer": "Syria"}])",
          R"(, "Name": "Mohammed Ali", "Nationality": "Syria", "Languages": ["Arabisk"])") ==
      Answer::kUnknown);
}

TEST_CASE("thin events: ids only, no snapshot") {
  auto adapter = make_adapter(
      "  api:\n    base_url: http://127.0.0.1:9\n    auth: {api_key: {key: {file: k}}}\n");
  Result<domain::InboundEvent> thin =
      parse(*adapter, read_text("examples/webcruiter/thin-event.json"));
  REQUIRE_MESSAGE(thin.ok(), thin.status().message());
  CHECK(thin->id == "wc-evt-2026-10-000418");
  CHECK(thin->type == "CandidateRegistered");
  CHECK(thin->vacancy_id == "4100000001");
  CHECK_FALSE(thin->snapshot.has_value());

  Result<domain::InboundEvent> status =
      parse(*adapter, read_text("examples/webcruiter/candidate-status-event.json"));
  REQUIRE_MESSAGE(status.ok(), status.status().message());
  CHECK(status->vacancy_id == "4100000001");
  CHECK(status->type == "CandidateStatusChanged");
  CHECK_FALSE(status->snapshot.has_value());

  // An Advert without Candidates (or the reverse) is not the whole state: fetch it.
  Result<domain::InboundEvent> partial =
      parse(*adapter, R"({"Advert": {"AdvertId": 8, "title": "x"}})");
  REQUIRE(partial.ok());
  CHECK(partial->vacancy_id == "8");
  CHECK_FALSE(partial->snapshot.has_value());

  Result<domain::InboundEvent> no_id = parse(*adapter, R"({"AdvertId": 8})");
  REQUIRE(no_id.ok());
  CHECK(no_id->id.empty());  // the caller decides what an event without EventId means

  SUBCASE("without an API a thin event cannot be used") {
    auto fat_only = make_adapter();
    Result<domain::InboundEvent> r =
        parse(*fat_only, read_text("examples/webcruiter/thin-event.json"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kUnprocessable);
    CHECK(r.status().message().find("adapter_options.api is not configured") != std::string::npos);
    CHECK(fat_only->fetch_snapshot("4100000001").status().code() ==
          StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("malformed and unmappable bodies") {
  auto adapter = make_adapter();
  Result<domain::InboundEvent> bad = parse(*adapter, "{\n  \"AdvertId\": 1,\n  oops\n}");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("line 3, column 3") != std::string::npos);

  struct Case {
    const char* body;
    const char* message_start;
  };
  for (
      const Case& c : {
          Case{R"([1, 2])", "/: expected an object"},
          Case{R"({"EventType": "X"})", "/AdvertId: missing required key"},
          Case{R"({"AdvertId": 1, "Advert": {"AdvertId": 2}, "Candidates": []})",
               "/Advert/AdvertId: differs from /AdvertId"},
          Case{R"({"AdvertId": 1, "Advert": [], "Candidates": []})", "/Advert: expected an object"},
          Case{R"({"AdvertId": 1, "Advert": {}, "Candidates": {}})",
               "/Candidates: expected an array"},
          Case{R"({"AdvertId": 1, "Advert": {}, "Candidates": [{"CandidateStatusId": 1}]})",
               "/Candidates/0/CandidateId: missing"},
          Case{
              R"({"AdvertId": 1, "Advert": {}, "Candidates": [{"CandidateId": 1}, {"CandidateId": "1"}]})",
              "/Candidates/1/CandidateId: the same candidate appears twice"},
          Case{R"({"AdvertId": 1, "Advert": {"apply_within_date": "next week"}, "Candidates": []})",
               "/Advert/apply_within_date: expected a date"},
          Case{R"({"AdvertId": 1, "Advert": {"title": 5}, "Candidates": []})",
               "/Advert/title: expected a string"},
          Case{R"({"AdvertId": 1, "Advert": {"IsClosed": "maybe"}, "Candidates": []})",
               "/Advert/IsClosed: expected true or false"},
          Case{R"({"AdvertId": 1, "Advert": {}, "Candidates": [{"CandidateId": 1, "Rank": 0}]})",
               "/Candidates/0/Rank: expected"},
          Case{
              R"({"AdvertId": 1, "Advert": {}, "Candidates": [{"CandidateId": 1, "CustomData": [{"Answer": "x"}]}]})",
              "/Candidates/0/CustomData/0/QuestionId: missing required key"},
          Case{
              R"({"AdvertId": 1, "Advert": {}, "Candidates": [{"CandidateId": 1, "CustomData": "Ja"}]})",
              "/Candidates/0/CustomData: expected a list of {QuestionId, Answer}"},
      }) {
    CAPTURE(c.body);
    Result<domain::InboundEvent> r = parse(*adapter, c.body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kUnprocessable);
    CHECK_MESSAGE(r.status().message().rfind(c.message_start, 0) == 0, r.status().message());
  }
}

TEST_CASE("privacy: errors never quote answers or other values") {
  auto adapter = make_adapter();
  const std::string canary = "CANARY-ÆØÅ-7741";
  for (
      const std::string& failing : {
          std::string(R"({"CandidateId": 2, "Rank": "best"})"),
          std::string(
              R"({"CandidateId": 2, "CustomData": [{"QuestionId": 9001, "Answer": {"a": {"b": {"c": ")") +
              canary + R"("}}}}]})",
          std::string(R"({"CandidateId": 2, "CustomData": [{"QuestionId": 9001, "Answer": ")") +
              canary + R"("}], "Score": ")" + canary + R"("})",
      }) {
    const std::string body = R"({"AdvertId": 1, "Advert": {"title": ")" + canary +
                             R"("}, "Candidates": [
        {"CandidateId": 1, "Name": ")" +
                             canary + R"(", "CustomData": [{"QuestionId": 9001, "Answer": ")" +
                             canary + R"("}]}, )" + failing + "]}";
    Result<domain::InboundEvent> r = parse(*adapter, body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("CANARY") == std::string::npos);
  }
}

TEST_CASE("UserData, when configured, must match") {
  auto adapter = make_adapter("  user_data: {file: userdata}\n");
  const std::string body = R"({"AdvertId": 1, "Advert": {}, "Candidates": []})";
  CHECK(parse(*adapter, body).status().code() == StatusCode::kUnauthenticated);
  CHECK(parse(*adapter, R"({"UserData": "wrong", "AdvertId": 1, "Advert": {}, "Candidates": []})")
            .status()
            .code() == StatusCode::kUnauthenticated);
  // make_from_yaml's fake secret files hold "s3cr3t-<path>\n".
  CHECK(parse(*adapter,
              R"({"UserData": "s3cr3t-userdata", "AdvertId": 1, "Advert": {}, "Candidates": []})")
            .ok());
}

TEST_CASE("closed, internal-only and §7 flags") {
  auto adapter = make_adapter();
  const domain::Snapshot s = fat_snapshot(*adapter, R"({"AdvertId": 1, "Advert": {"IsClosed": true,
      "HireJustificationGiven": "True", "WePubDateFrom": "", "IntranetPubDateFrom": "2026-01-01",
      "apply_within_date": "2026-10-24T12:00:00"}, "Candidates": [{"CandidateId": 1, "Score": 7.5, "Rank": 2}]})");
  CHECK(s.vacancy.status == domain::VacancyStatus::kClosed);
  CHECK(s.vacancy.hire_justification_given);
  CHECK(s.vacancy.internal_only);
  CHECK(s.vacancy.deadline->to_string() == "2026-10-24");
  CHECK(s.applications[0].score == 7.5);
  CHECK(s.applications[0].rank == 2);
}

TEST_CASE("error details never echo anything found inside an answer object") {
  auto adapter = make_adapter();
  // Each CustomData below is refused or ignored; what the message may say is checked.
  auto message = [&](const std::string& custom_data) -> std::string {
    const std::string body = R"({"AdvertId": 1, "Advert": {}, "Candidates": [{"CandidateId": 1,)"
                             R"( "CustomData": )" +
                             custom_data + "}]}";
    Result<domain::InboundEvent> r = parse(*adapter, body);
    return r.ok() ? std::string() : r.status().message();
  };
  const std::vector<std::string> refused = {
      // Nested deeper than an answer may be: keys and values inside it.
      R"([{"QuestionId": 9001, "Answer": {"KEYCANARY": {"KEYCANARY2": {"x": "VALUECANARY"}}}}])",
      R"([{"QuestionId": 9001, "Answer": [["VALUECANARY", ["VALUECANARY"]]]}])",
      R"({"9001": {"KEYCANARY": {"KEYCANARY2": ["VALUECANARY"]}}})",
      // Two spellings of one key inside the answer entry: named by our spelling only.
      R"([{"QuestionId": 9001, "Answer": "Ja", "AN_SW_ER": "VALUECANARY"}])",
  };
  for (const std::string& cd : refused) {
    CAPTURE(cd);
    const std::string m = message(cd);
    CHECK_FALSE(m.empty());
    for (const char* canary : {"KEYCANARY", "VALUECANARY", "AN_SW_ER"})
      CHECK(m.find(canary) == std::string::npos);
  }
  // A question no target group maps is not read at all, however it is shaped.
  CHECK(message(R"([{"QuestionId": 9002, "Answer": {"KEYCANARY": {"a": {"b": [1]}}}}])").empty());
  CHECK(message(R"({"9002": {"KEYCANARY": {"a": {"b": [1]}}}})").empty());
}
