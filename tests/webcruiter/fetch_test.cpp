// fetch_snapshot against a fake Webcruiter API (a real HTTP server on 127.0.0.1) through the
// real libcurl client. Time is an injected clock; nothing sleeps on the wall clock.
#include <doctest/doctest.h>

#include <atomic>
#include <ctime>
#include <thread>

#include "connector/config/policy_loader.hpp"
#include "connector/outbound/curl_http_client.hpp"
#include "connector/policy/engine.hpp"
#include "tests/webcruiter/fake_webcruiter.hpp"
#include "tests/webcruiter/support.hpp"

using namespace mangfold;
using namespace mangfold::webcruiter;
using namespace mangfold::webcruiter::testing;
using nlohmann::json;

namespace {

constexpr std::int64_t kStart = 1'790'000'000;

struct Fixture {
  FakeWebcruiter api;
  std::atomic<std::int64_t> clock{kStart};
  json fat = json::parse(read_text("examples/webcruiter/fat-event.json"));

  AdapterDeps deps() {
    AdapterDeps d;
    d.http = outbound::make_curl_http_client();
    d.now_unix = [this] { return clock.load(); };
    return d;
  }

  // The example mapping plus an api section pointing at the fake, with `auth` and `extra`.
  std::unique_ptr<domain::Adapter> adapter(const std::string& auth = oauth2_auth(),
                                           const std::string& extra = "") {
    return make_adapter("  api:\n    base_url: " + api.base_url() + "\n    auth:\n" + auth + extra,
                        deps());
  }

  static std::string oauth2_auth() {
    // make_from_yaml's fake secret files hold "s3cr3t-<path>".
    return "      oauth2: {token_url: TOKEN_URL, client_id: mangfold-oslo, client_secret: {file: "
           "client.secret}}\n";
  }
};

std::unique_ptr<domain::Adapter> with_token_url(Fixture& f, const std::string& extra = "") {
  std::string auth = Fixture::oauth2_auth();
  auth.replace(auth.find("TOKEN_URL"), 9, f.api.base_url() + "/token");
  return f.adapter(auth, extra);
}

policy::Policy oslo_policy() {
  Result<policy::Policy> p =
      config::load_policy_or_error(std::string(MANGFOLD_SOURCE_DIR) + "/policies/oslo.yaml");
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  return std::move(p).value();
}

}  // namespace

TEST_CASE("fetch: a thin event's snapshot equals the fat event's, and so does the verdict") {
  Fixture f;
  f.api.require_oauth2("mangfold-oslo", "s3cr3t-client.secret");
  Paging paging = Paging::kPageNumbers;
  SUBCASE("Page and TotalPages") {
    paging = Paging::kPageNumbers;
  }
  SUBCASE("NextPage links") {
    paging = Paging::kNextPage;
  }
  SUBCASE("one unpaged array") {
    paging = Paging::kNone;
  }
  f.api.serve_fat_event(f.fat, paging);
  auto adapter = with_token_url(f);

  const domain::Snapshot fat = *parse(*adapter, f.fat.dump())->snapshot;
  Result<domain::InboundEvent> thin =
      parse(*adapter, read_text("examples/webcruiter/thin-event.json"));
  REQUIRE(thin.ok());
  REQUIRE_FALSE(thin->snapshot);
  Result<domain::Snapshot> fetched = adapter->fetch_snapshot(thin->vacancy_id);
  REQUIRE_MESSAGE(fetched.ok(), fetched.status().message());
  CHECK(describe(*fetched) == describe(fat));

  const policy::Policy oslo = oslo_policy();
  const domain::Verdict from_fat = policy::evaluate(oslo, fat);
  const domain::Verdict from_thin = policy::evaluate(oslo, *fetched);
  CHECK(describe(from_thin) == describe(from_fat));
  // The example is a shortfall: two qualified applicants in the group, neither invited.
  CHECK(from_fat.overall == domain::Outcome::kShortfall);

  CHECK(f.api.count("token") == 1);
  CHECK(f.api.count("advert") == 1);
  CHECK(f.api.count("candidates") == (paging == Paging::kNone ? 1 : 3));  // 6 candidates, 2 a page
  CHECK(f.api.count("custom-data") == 6);
  for (const http::Request& r : f.api.requests()) {
    if (r.target == "/token") continue;
    CHECK(r.header("Authorization").value_or("") == "Bearer tok-1");
    CHECK(r.header("Accept").value_or("") == "application/json");
  }
}

TEST_CASE("fetch: ids with æøå are percent-encoded and come back intact") {
  Fixture f;
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
  api:
    base_url: )" + f.api.base_url() +
                                 R"(
    auth: {api_key: {header: X-Api-Key, key: {file: key}}}
)",
                             f.deps());
  REQUIRE_MESSAGE(made.adapter, made.errors());
  f.api.require_api_key("X-Api-Key", "s3cr3t-key");
  const json event = json::parse(read_text("tests/fixtures/webcruiter/unicode-fat-event.json"));
  f.api.serve_fat_event(event, Paging::kNextPage);
  const domain::Snapshot fat = *parse(*made.adapter, event.dump())->snapshot;
  Result<domain::Snapshot> fetched = made.adapter->fetch_snapshot("utlysning-Ærlig-Øst-Åsen");
  REQUIRE_MESSAGE(fetched.ok(), fetched.status().message());
  CHECK(describe(*fetched) == describe(fat));
  for (const http::Request& r : f.api.requests()) {
    CAPTURE(r.target);
    CHECK(std::all_of(r.target.begin(), r.target.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
  }
  CHECK(f.api.requests().at(0).target == "/adverts/utlysning-%C3%86rlig-%C3%98st-%C3%85sen");
}

TEST_CASE(
    "fetch: 50 concurrent thin fetches for one advert cost one request each for the advert and the "
    "candidates") {
  Fixture f;
  f.api.require_oauth2("mangfold-oslo", "s3cr3t-client.secret");
  f.api.serve_fat_event(f.fat, Paging::kNone);  // one candidates request per fetch
  auto adapter = with_token_url(f);
  // The first request is held until every thread has started, so the fetches overlap.
  f.api.hold("advert");
  std::atomic<int> started{0};
  std::vector<Result<domain::Snapshot>> results(50,
                                                Result<domain::Snapshot>(unavailable("not run")));
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i)
    threads.emplace_back([&, i] {
      ++started;
      results[static_cast<size_t>(i)] = adapter->fetch_snapshot("4100000001");
    });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((started < 50 || f.api.count("advert") < 1) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  f.api.release();
  CHECK(started == 50);
  for (auto& t : threads)
    t.join();

  CHECK(f.api.count("token") == 1);
  CHECK(f.api.count("advert") == 1);
  CHECK(f.api.count("candidates") == 1);
  CHECK(f.api.count("custom-data") == 6);
  const std::string expected = describe(*parse(*adapter, f.fat.dump())->snapshot);
  for (const auto& r : results) {
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(describe(*r) == expected);
  }
}

TEST_CASE("fetch: the cache window follows the injected clock") {
  Fixture f;
  f.api.serve_fat_event(f.fat);
  f.api.require_api_key("X-Api-Key", "s3cr3t-k");
  auto adapter = f.adapter("      api_key: {key: {file: k}}\n", "    cache_seconds: 5\n");
  REQUIRE(adapter->fetch_snapshot("4100000001").ok());
  f.clock += 4;
  REQUIRE(adapter->fetch_snapshot("4100000001").ok());
  CHECK(f.api.count("advert") == 1);
  f.clock += 1;  // 5 s after the first fetch started: the window is over
  REQUIRE(adapter->fetch_snapshot("4100000001").ok());
  CHECK(f.api.count("advert") == 2);

  SUBCASE("a changed state is seen once the window is over") {
    json advert = f.fat["Advert"];
    advert["title"] = "Ny tittel";
    advert["AdvertId"] = "4100000001";
    f.api.set_advert("4100000001", advert);
    CHECK(adapter->fetch_snapshot("4100000001")->vacancy.title != "Ny tittel");
    f.clock += 5;
    CHECK(adapter->fetch_snapshot("4100000001")->vacancy.title == "Ny tittel");
  }
  SUBCASE("cache_seconds: 0 fetches every time") {
    auto uncached = f.adapter("      api_key: {key: {file: k}}\n", "    cache_seconds: 0\n");
    const int before = f.api.count("advert");
    REQUIRE(uncached->fetch_snapshot("4100000001").ok());
    REQUIRE(uncached->fetch_snapshot("4100000001").ok());
    CHECK(f.api.count("advert") == before + 2);
  }
}

TEST_CASE("fetch: the OAuth2 token is fetched once and reused until it expires") {
  Fixture f;
  f.api.require_oauth2("mangfold-oslo", "s3cr3t-client.secret", 3600);
  f.api.serve_fat_event(f.fat);
  json other = f.fat;
  other["AdvertId"] = 4100000002;
  other["Advert"]["AdvertId"] = 4100000002;
  f.api.serve_fat_event(other);
  auto adapter = with_token_url(f);

  REQUIRE(adapter->fetch_snapshot("4100000001").ok());
  REQUIRE(adapter->fetch_snapshot("4100000002").ok());
  CHECK(f.api.count("token") == 1);
  f.clock += 3000;
  REQUIRE(adapter->fetch_snapshot("4100000001").ok());
  CHECK(f.api.count("token") == 1);
  f.clock += 600;  // past the token's renewal point (expiry less a margin)
  REQUIRE(adapter->fetch_snapshot("4100000001").ok());
  CHECK(f.api.count("token") == 2);

  SUBCASE("a revoked token is replaced once, and the request retried") {
    f.api.revoke_token();
    f.clock += 10;
    Result<domain::Snapshot> r = adapter->fetch_snapshot("4100000002");
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(f.api.count("token") == 3);
  }
  SUBCASE("the token request uses HTTP Basic and the client-credentials grant") {
    for (const http::Request& r : f.api.requests())
      if (r.target == "/token") {
        CHECK(r.method == "POST");
        CHECK(r.header("Content-Type").value_or("") == "application/x-www-form-urlencoded");
        CHECK(r.body == "grant_type=client_credentials");
        CHECK(r.header("Authorization").value_or("").rfind("Basic ", 0) == 0);
      }
  }
}

TEST_CASE("fetch: refused client credentials are kUnauthenticated") {
  Fixture f;
  f.api.require_oauth2("mangfold-oslo", "another-secret");
  f.api.serve_fat_event(f.fat);
  auto adapter = with_token_url(f);
  Result<domain::Snapshot> r = adapter->fetch_snapshot("4100000001");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnauthenticated);
  CHECK(r.status().message().find("s3cr3t") == std::string::npos);
  CHECK(f.api.count("token") == 1);
  CHECK(f.api.count("advert") == 0);

  SUBCASE("and a wrong API key too") {
    f.api.require_api_key("X-Api-Key", "right");
    auto keyed = f.adapter("      api_key: {key: {file: k}}\n");
    CHECK(keyed->fetch_snapshot("4100000001").status().code() == StatusCode::kUnauthenticated);
  }
}

TEST_CASE(
    "fetch: 429 with Retry-After is kUnavailable with the wait, and nothing is sent until it is "
    "over") {
  Fixture f;
  f.api.serve_fat_event(f.fat);
  auto adapter = f.adapter("      api_key: {key: {file: k}}\n");
  f.api.fail_next("candidates", 429, "30");
  Result<domain::Snapshot> r = adapter->fetch_snapshot("4100000001");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK(retry_after_seconds(r.status()) == 30);
  CHECK(f.api.count("candidates") == 1);

  const size_t sent = f.api.requests().size();
  f.clock += 10;
  r = adapter->fetch_snapshot("4100000001");
  REQUIRE_FALSE(r.ok());
  CHECK(retry_after_seconds(r.status()) == 20);
  CHECK(f.api.requests().size() == sent);  // no request while the limit lasts

  f.clock += 20;
  r = adapter->fetch_snapshot("4100000001");
  REQUIRE_MESSAGE(r.ok(), r.status().message());

  SUBCASE("Retry-After as an HTTP date") {
    const std::time_t when = static_cast<std::time_t>(f.clock.load() + 120);
    char date[64];
    std::tm tm{};
    gmtime_r(&when, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    f.api.fail_next("advert", 429, date);
    f.clock += 100;  // past the cache window
    CHECK(retry_after_seconds(adapter->fetch_snapshot("4100000001").status()) == 20);
  }
  SUBCASE("without Retry-After a default wait applies") {
    f.api.fail_next("advert", 429);
    f.clock += 100;
    CHECK(retry_after_seconds(adapter->fetch_snapshot("4100000001").status()) == 30);
  }
}

TEST_CASE(
    "fetch: server errors and transport failures are kUnavailable, a missing advert kNotFound") {
  Fixture f;
  f.api.serve_fat_event(f.fat);
  auto adapter = f.adapter("      api_key: {key: {file: k}}\n", "    cache_seconds: 0\n");
  f.api.fail_next("advert", 503);
  Result<domain::Snapshot> r = adapter->fetch_snapshot("4100000001");
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK_FALSE(retry_after_seconds(r.status()).has_value());
  f.api.fail_next("candidates", 500);
  CHECK(adapter->fetch_snapshot("4100000001").status().code() == StatusCode::kUnavailable);
  f.api.fail_next("custom-data", 502);
  CHECK(adapter->fetch_snapshot("4100000001").status().code() == StatusCode::kUnavailable);
  CHECK(adapter->fetch_snapshot("4100000001").ok());  // and recovers

  r = adapter->fetch_snapshot("4199999999");
  CHECK(r.status().code() == StatusCode::kNotFound);
  CHECK(f.api.count("candidates") == 1 + 1 + 3);  // none for the unknown advert

  f.api.fail_next("advert", 400);
  CHECK(adapter->fetch_snapshot("4100000001").status().code() == StatusCode::kFailedPrecondition);

  SUBCASE("connection refused") {
    Made made = make_from_yaml(
        "adapter_options:\n" + base_mapping() +
            "  api: {base_url: 'http://127.0.0.1:1', auth: {api_key: {key: {file: k}}}}\n",
        f.deps());
    REQUIRE(made.adapter);
    CHECK(made.adapter->fetch_snapshot("1").status().code() == StatusCode::kUnavailable);
  }
}

TEST_CASE("fetch: a candidate without custom data has unknown answers") {
  Fixture f;
  json event = f.fat;
  event["Candidates"][0].erase("CustomData");  // the fake then answers 404 for it
  f.api.serve_fat_event(event);
  auto adapter = f.adapter("      api_key: {key: {file: k}}\n");
  Result<domain::Snapshot> r = adapter->fetch_snapshot("4100000001");
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->applications.at(0).candidate_id == "7001");
  CHECK(r->applications.at(0).answers.empty());
  CHECK(r->applications.at(1).answer("immigrant_background") == domain::Answer::kNo);
  CHECK(r->answers_unavailable.empty());  // the form exists: others answered it
}

// The integration form is set up per customer by Talentech's support. Without the
// self-declaration question on it, "nobody in the group" would be a false finding.
TEST_CASE("fetch: no integration form: the verdict is insufficient_data naming the form") {
  Fixture f;
  json event = f.fat;
  std::string question;
  SUBCASE("custom-data answers 404 for everyone") {
    for (json& c : event["Candidates"])
      c.erase("CustomData");
  }
  SUBCASE("custom-data has the customer's other questions only") {
    for (json& c : event["Candidates"])
      c["CustomData"] = json::array({{{"QuestionId", 5555}, {"Answer", "Ja"}}});
  }
  f.api.serve_fat_event(event);
  auto adapter = f.adapter("      api_key: {key: {file: k}}\n");
  Result<domain::Snapshot> r = adapter->fetch_snapshot("4100000001");
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  REQUIRE(r->answers_unavailable.count("immigrant_background") == 1);

  const domain::Verdict v = policy::evaluate(oslo_policy(), *r);
  CHECK(v.overall != domain::Outcome::kCompliant);
  bool named = false;
  for (const domain::RuleVerdict& rule : v.rules)
    if (rule.group == "immigrant_background") {
      CHECK(rule.outcome == domain::Outcome::kInsufficientData);
      CHECK(rule.reason_code == "answers_unavailable");
      CHECK(rule.reason.find("integration form") != std::string::npos);
      CHECK(rule.reason.find("9001") != std::string::npos);
      named = true;
    }
  CHECK(named);
}

TEST_CASE("fetch: answers included in the candidate list need no custom-data request") {
  Fixture f;
  json advert = f.fat["Advert"];
  f.api.set_advert("4100000001", advert);
  f.api.set_candidates("4100000001", f.fat["Candidates"]);  // CustomData left in
  auto adapter = f.adapter("      api_key: {key: {file: k}}\n");
  Result<domain::Snapshot> r = adapter->fetch_snapshot("4100000001");
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(f.api.count("custom-data") == 0);
  CHECK(describe(*r) == describe(*parse(*adapter, f.fat.dump())->snapshot));
}

TEST_CASE("fetch: responses that do not map are kUnprocessable") {
  Fixture f;
  f.api.set_advert("41", {{"AdvertId", 41}, {"title", "x"}});
  auto adapter =
      f.adapter("      api_key: {key: {file: k}}\n", "    cache_seconds: 0\n    max_pages: 2\n");
  SUBCASE("an unknown status id is named") {
    f.api.set_candidates(
        "41",
        json::array(
            {{{"CandidateId", 1}, {"CandidateStatusId", 99}, {"CustomData", json::array()}}}));
    Result<domain::Snapshot> r = adapter->fetch_snapshot("41");
    CHECK(r.status().code() == StatusCode::kUnprocessable);
    CHECK(r.status().message() ==
          "Webcruiter API, candidates page 1: /0/CandidateStatusId: unknown CandidateStatusId "
          "99: map it in adapter_options.statuses, or set adapter_options.unknown_status");
  }
  SUBCASE("more pages than max_pages") {
    json many = json::array();
    for (int i = 0; i < 5; ++i)
      many.push_back({{"CandidateId", i}, {"CustomData", json::array()}});
    f.api.set_candidates("41", many, 1, Paging::kPageNumbers);
    Result<domain::Snapshot> r = adapter->fetch_snapshot("41");
    CHECK(r.status().code() == StatusCode::kUnprocessable);
    CHECK(r.status().message().find("more than 2 pages") != std::string::npos);
  }
  SUBCASE("the advert of another id") {
    f.api.set_advert("42", {{"AdvertId", 41}});
    CHECK(adapter->fetch_snapshot("42").status().code() == StatusCode::kUnprocessable);
  }
}

TEST_CASE("fetch: a NextPage link to another host is never followed") {
  Fixture f;
  FakeWebcruiter elsewhere;  // plays the other host: it must see no request
  elsewhere.set_candidates("41", json::array());
  f.api.set_advert("41", {{"AdvertId", 41}});
  f.api.set_candidates("41",
                       {{"Candidates", json::array()},
                        {"NextPage", elsewhere.base_url() + "/candidates?advertId=41"}},
                       1, Paging::kVerbatim);
  auto adapter = f.adapter("      api_key: {key: {file: k}}\n");
  Result<domain::Snapshot> r = adapter->fetch_snapshot("41");
  CHECK(r.status().code() == StatusCode::kUnprocessable);
  CHECK(r.status().message().find("NextPage points to another host") != std::string::npos);
  CHECK(elsewhere.count("candidates") == 0);

  // A URL the operator configured is trusted.
  auto configured = f.adapter(
      "      api_key: {key: {file: k}}\n",
      "    paths: {candidates: '" + elsewhere.base_url() + "/candidates?advertId={advertId}'}\n");
  CHECK(configured->fetch_snapshot("41").ok());
  CHECK(elsewhere.count("candidates") == 1);
}
