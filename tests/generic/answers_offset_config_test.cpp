// Answers fetched per application (api.answers, bounded concurrency, through the injected
// HttpClient), offset pagination, and base URLs with an account id from the tenant's config.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>

#include "connector/config/document.hpp"
#include "generic_test_support.hpp"

using namespace generic_test;
using mangfold::StatusCode;

namespace {

const std::string kAnswers = R"(
mapping_version: 1
events:
  moved: {vacancy_id: /job}
api:
  base_url: https://ats.example
  auth: {type: bearer, secret: {file: /mem/token}}
  fetch:
    requests:
      job: {url: "/jobs/{vacancy_id}"}
      apps: {url: "/jobs/{vacancy_id}/applications"}
    snapshot:
      vacancy: {id: /job/id}
      applications:
        each: /apps/items
        candidate_id: /candidate
        stage: {pointer: /stage, map: {new: applied, interview: interview, rejected: rejected}}
  answers:
    request: {url: "/applications/{application:/id}/answers?job={vacancy_id}", optional: true}
    where: {stage: {not: rejected}}
    concurrency: 2
    answers:
      immigrant_background:
        find: /questions
        where: {key: q-imm}
        get: /answer
        map: {"Ja": yes, "Nei": no}
        otherwise: unknown
)";

Files token() {
  return Files{{{"/mem/token", "tok"}}};
}

// A client that holds each request until `want` are in flight at once (or a second has
// passed), and records the most it ever saw: the concurrency is observed, not timed.
class GateHttp : public HttpClient {
 public:
  GateHttp(std::shared_ptr<FakeHttp> inner, int want) : inner_(std::move(inner)), want_(want) {}
  Result<OutboundResponse> send(const OutboundRequest& r) override {
    const bool per_application = r.url.find("/applications/") != std::string::npos;
    if (per_application) {
      std::unique_lock<std::mutex> lock(m_);
      ++in_flight_;
      max_ = std::max(max_, in_flight_);
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return in_flight_ >= want_; });
    }
    Result<OutboundResponse> out = inner_->send(r);
    if (per_application) {
      std::lock_guard<std::mutex> lock(m_);
      --in_flight_;
    }
    ++count;
    return out;
  }
  int max_in_flight() {
    std::lock_guard<std::mutex> lock(m_);
    return max_;
  }
  std::atomic<int> count{0};

 private:
  std::shared_ptr<FakeHttp> inner_;
  int want_;
  std::mutex m_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  int max_ = 0;
};

std::shared_ptr<FakeHttp> answers_ats() {
  auto http = std::make_shared<FakeHttp>();
  http->on("GET", "https://ats.example/jobs/J7", {200, R"({"id": "J7"})"});
  http->on("GET", "https://ats.example/jobs/J7/applications", {200, R"({"items": [
             {"id": "a1", "candidate": "c1", "stage": "new"},
             {"id": "a2", "candidate": "c2", "stage": "interview"},
             {"id": "a3", "candidate": "c3", "stage": "rejected"},
             {"id": "a4", "candidate": "c4", "stage": "new"},
             {"id": "a5", "candidate": "c5", "stage": "new"}]})"});
  http->on(
      "GET", "https://ats.example/applications/a1/answers?job=J7",
      {200,
       R"({"questions": [{"key": "q-other", "answer": "Ja"}, {"key": "q-imm", "answer": "Ja"}]})"});
  http->on("GET", "https://ats.example/applications/a2/answers?job=J7",
           {200, R"({"questions": [{"key": "q-imm", "answer": "Nei"}]})"});
  http->on("GET", "https://ats.example/applications/a4/answers?job=J7",
           {200, R"({"questions": [{"key": "q-imm", "answer": "Vil ikke svare"}]})"});
  // a5: 404 (optional): no answers, unknown.
  return http;
}

std::optional<domain::Answer> answer_of(const domain::Snapshot& s, const std::string& candidate) {
  for (const domain::Application& a : s.applications)
    if (a.candidate_id == candidate) {
      auto it = a.answers.find("immigrant_background");
      if (it == a.answers.end()) return std::nullopt;
      return it->second;
    }
  FAIL("no candidate " << candidate);
  return std::nullopt;
}

}  // namespace

TEST_CASE("api.answers: one request per application, answers mapped from each response") {
  auto fake = answers_ats();
  auto http = std::make_shared<GateHttp>(fake, 2);
  auto a = adapter_from_text(kAnswers, token(), http);
  const auto s = a->fetch_snapshot("J7");
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  REQUIRE(s->applications.size() == 5);
  CHECK(answer_of(*s, "c1") == domain::Answer::kYes);
  CHECK(answer_of(*s, "c2") == domain::Answer::kNo);
  CHECK(answer_of(*s, "c3") == std::nullopt);  // `where` left the rejected one out: not asked
  CHECK(answer_of(*s, "c4") == domain::Answer::kUnknown);
  CHECK(answer_of(*s, "c5") == std::nullopt);  // 404 on an optional request: unknown
  // Two listing requests and four answer requests, all through the injected client (the
  // tenant's request budget decorates exactly this client).
  CHECK(http->count == 6);
  int asked = 0;
  for (const auto& r : fake->sent) {
    if (r.url.find("/applications/") == std::string::npos) continue;
    ++asked;
    CHECK(r.url.find("/applications/a3/") == std::string::npos);
    CHECK(fake->header_of(&r - fake->sent.data(), "Authorization") == "Bearer tok");
  }
  CHECK(asked == 4);
  // Two at a time, never more (the gate holds each request until two are in flight).
  CHECK(http->max_in_flight() == 2);
}

TEST_CASE("api.answers: concurrency 1 asks one application at a time") {
  std::string yaml = kAnswers;
  yaml.replace(yaml.find("concurrency: 2"), 14, "concurrency: 1");
  auto http = std::make_shared<GateHttp>(answers_ats(), 3);
  auto a = adapter_from_text(yaml, token(), http);
  const auto s = a->fetch_snapshot("J7");
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  CHECK(http->max_in_flight() == 1);
  CHECK(answer_of(*s, "c2") == domain::Answer::kNo);
}

TEST_CASE("api.answers: a failed answer request fails the fetch (retry later), naming no one") {
  auto fake = answers_ats();
  fake->on("GET", "https://ats.example/applications/a2/answers?job=J7", {503, "{}"});
  // FakeHttp answers the first matching route: put the failure first.
  auto failing = std::make_shared<FakeHttp>();
  failing->on("GET", "https://ats.example/applications/a2/answers?job=J7", {503, "{}"});
  for (const char* id : {"a1", "a4"})
    failing->on("GET", std::string("https://ats.example/applications/") + id + "/answers?job=J7",
                {200, R"({"questions": []})"});
  failing->on("GET", "https://ats.example/jobs/J7", {200, R"({"id": "J7"})"});
  failing->on("GET", "https://ats.example/jobs/J7/applications",
              {200, R"({"items": [{"id": "a1", "candidate": "c1"}, {"id": "a2", "candidate": "c2"},
                                  {"id": "a4", "candidate": "c4"}]})"});
  auto a = adapter_from_text(kAnswers, token(), failing);
  const auto s = a->fetch_snapshot("J7");
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == StatusCode::kUnavailable);
  CHECK(s.status().message().find("'answers'") != std::string::npos);
  CHECK(s.status().message().find("a2") == std::string::npos);
  CHECK(s.status().message().find("c2") == std::string::npos);
}

TEST_CASE("api.answers: an answer that does not map names the pointer, not the value") {
  std::string yaml = kAnswers;
  yaml.replace(yaml.find("        otherwise: unknown\n"), 27, "");
  auto a = adapter_from_text(yaml, token(), answers_ats());
  const auto s = a->fetch_snapshot("J7");
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == StatusCode::kUnprocessable);
  CHECK(s.status().message().find("application 4") != std::string::npos);
  CHECK(s.status().message().find("Vil ikke svare") == std::string::npos);
}

TEST_CASE("api.answers: mistakes are load errors with file:line:column") {
  const std::string base = kAnswers;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string y = base;
    const auto at = y.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    y.replace(at, from.size(), to);
    return diagnostics_of(y);
  };
  CHECK(
      with("/applications/{application:/id}/answers", "/applications/answers")
          .find("mapping.yaml:19:5: api.answers.request: the request must name the application") !=
      std::string::npos);
  CHECK(
      with("concurrency: 2", "concurrency: 9")
          .find(
              "mapping.yaml:21:18: api.answers.concurrency: expected a whole number from 1 to 8") !=
      std::string::npos);
  CHECK(with("optional: true}", "optional: true, paginate: {page: p, items: /x}}")
            .find("api.answers.request.paginate: one application's answers come in one response") !=
        std::string::npos);
  // {application:…} only in the answers request; {/job/…} not there.
  CHECK(with("apps: {url: \"/jobs/{vacancy_id}/applications\"}",
             "apps: {url: \"/jobs/{application:/id}/applications\"}")
            .find("the placeholder {application:…} cannot be used here") != std::string::npos);
  CHECK(with("answers?job={vacancy_id}", "answers?job={/job/id}")
            .find("the placeholder {/job/id} cannot be used here") != std::string::npos);
  // One group from two places.
  const std::string both =
      with("        stage: {pointer: /stage",
           "        answers: {immigrant_background: /imm}\n        stage: {pointer: /stage");
  CHECK(both.find("mapping.yaml:24:7: api.answers.answers.immigrant_background: "
                  "'immigrant_background' is already answered by") != std::string::npos);
  // A fixed answer is refused here too (DESIGN §4).
  CHECK(with("        find: /questions\n        where: {key: q-imm}\n        get: /answer\n"
             "        map: {\"Ja\": yes, \"Nei\": no}\n        otherwise: unknown\n",
             "        value: yes\n")
            .find("api.answers.answers.immigrant_background") != std::string::npos);
}

TEST_CASE("offset pagination: offset and limit until a short page or the total") {
  const std::string yaml = R"(
mapping_version: 1
events:
  moved: {vacancy_id: /job}
api:
  base_url: https://ats.example
  auth: {type: bearer, secret: {file: /mem/token}}
  fetch:
    requests:
      apps:
        url: "/candidates?job={vacancy_id}"
        paginate: {offset: offset, limit: limit, page_size: 2, items: /content, total: /totalFound}
    snapshot:
      vacancy: {id: {value: "J7"}}
      applications: {each: /apps/content, candidate_id: /id}
)";
  SUBCASE("a short page ends the listing") {
    auto http = std::make_shared<FakeHttp>();
    http->on("GET", "https://ats.example/candidates?job=J7&offset=0&limit=2",
             {200, R"({"content": [{"id": 1}, {"id": 2}]})"});
    http->on("GET", "https://ats.example/candidates?job=J7&offset=2&limit=2",
             {200, R"({"content": [{"id": 3}, {"id": 4}]})"});
    http->on("GET", "https://ats.example/candidates?job=J7&offset=4&limit=2",
             {200, R"({"content": [{"id": 5}]})"});
    auto a = adapter_from_text(yaml, token(), http);
    const auto s = a->fetch_snapshot("J7");
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    CHECK(s->applications.size() == 5);
    CHECK(http->sent.size() == 3);
  }
  SUBCASE("the total ends it without asking for an empty page") {
    auto http = std::make_shared<FakeHttp>();
    http->on("GET", "https://ats.example/candidates?job=J7&offset=0&limit=2",
             {200, R"({"totalFound": 4, "content": [{"id": 1}, {"id": 2}]})"});
    http->on("GET", "https://ats.example/candidates?job=J7&offset=2&limit=2",
             {200, R"({"totalFound": 4, "content": [{"id": 3}, {"id": 4}]})"});
    auto a = adapter_from_text(yaml, token(), http);
    const auto s = a->fetch_snapshot("J7");
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    CHECK(s->applications.size() == 4);
    CHECK(http->sent.size() == 2);
  }
  SUBCASE("with a total, a page shorter than asked for (an API capping the size) is not the end") {
    auto http = std::make_shared<FakeHttp>();
    http->on("GET", "https://ats.example/candidates?job=J7&offset=0&limit=2",
             {200, R"({"totalFound": 3, "content": [{"id": 1}]})"});
    http->on("GET", "https://ats.example/candidates?job=J7&offset=1&limit=2",
             {200, R"({"totalFound": 3, "content": [{"id": 2}]})"});
    http->on("GET", "https://ats.example/candidates?job=J7&offset=2&limit=2",
             {200, R"({"totalFound": 3, "content": [{"id": 3}]})"});
    auto a = adapter_from_text(yaml, token(), http);
    const auto s = a->fetch_snapshot("J7");
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    CHECK(s->applications.size() == 3);
    CHECK(http->sent.size() == 3);
  }
  SUBCASE("without a total, a short page ends the listing") {
    std::string y = yaml;
    y.replace(y.find(", total: /totalFound"), 20, "");
    auto http = std::make_shared<FakeHttp>();
    http->on("GET", "https://ats.example/candidates?job=J7&offset=0&limit=2",
             {200, R"({"content": [{"id": 1}]})"});
    auto a = adapter_from_text(y, token(), http);
    const auto s = a->fetch_snapshot("J7");
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    CHECK(s->applications.size() == 1);
    CHECK(http->sent.size() == 1);
  }
  SUBCASE("mistakes") {
    std::string y = yaml;
    y.replace(y.find("page_size: 2, "), 14, "first_page: 1, ");
    CHECK(diagnostics_of(y).find("first_page belongs with page") != std::string::npos);
    y = yaml;
    y.replace(y.find("limit: limit"), 12, "limit: offset");
    CHECK(diagnostics_of(y).find("mapping.yaml:12:43: api.fetch.requests.apps.paginate.limit") !=
          std::string::npos);
    y = yaml;
    y.replace(y.find("?job={vacancy_id}"), 17, "?job={vacancy_id}&limit=50");
    CHECK(diagnostics_of(y).find("the URL already sets offset or limit") != std::string::npos);
  }
}

namespace {

const std::string kAccount = R"(
mapping_version: 1
events:
  moved: {vacancy_id: /job}
api:
  base_url: https://{config:subdomain}.ats.example/v2/accounts/{config:account_id}
  auth: {type: bearer, secret: {file: /mem/token}}
  fetch:
    requests:
      job: {url: "/jobs/{vacancy_id}"}
    snapshot:
      vacancy: {id: /job/id}
)";

// make_generic_adapter from tenant options written as YAML.
std::pair<std::unique_ptr<domain::Adapter>, std::string> from_options(
    const std::string& options_yaml, std::shared_ptr<HttpClient> http = nullptr,
    const std::string& mapping = kAccount) {
  Files files = token();
  files.files["/mem/mapping.yaml"] = mapping;
  std::vector<config::Diagnostic> diagnostics;
  std::optional<config::Node> options =
      config::parse_document(options_yaml, "/mem/mangfold.yaml", diagnostics);
  REQUIRE(options);
  generic::AdapterDeps deps{std::move(http), files.reader(), [] { return 1'800'000'000; }};
  auto adapter = generic::make_generic_adapter(*options, "tenants.t.adapter_options", "/mem",
                                               std::move(deps), diagnostics);
  std::string all;
  for (const auto& d : diagnostics)
    all += d.to_string() + "\n";
  return {std::move(adapter), all};
}

}  // namespace

TEST_CASE("base_url with an account id from the tenant's adapter_options.config") {
  SUBCASE("the values go into the host label and the path") {
    auto http = std::make_shared<FakeHttp>();
    http->on("GET", "https://oslo-kommune.ats.example/v2/accounts/123/jobs/J7",
             {200, R"({"id": "J7"})"});
    auto [a, errors] = from_options(
        "mapping: mapping.yaml\nconfig: {subdomain: oslo-kommune, account_id: 123}\n", http);
    REQUIRE_MESSAGE(a, errors);
    const auto s = a->fetch_snapshot("J7");
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    CHECK(http->sent.size() == 1);
  }
  SUBCASE("a value that would change the URL's meaning is refused where it is written") {
    auto [a, errors] = from_options(
        "mapping: mapping.yaml\nconfig:\n  subdomain: evil.example/x\n  account_id: 1\n");
    CHECK_FALSE(a);
    CHECK(errors.find("/mem/mangfold.yaml:3:14: tenants.t.adapter_options.config.subdomain: "
                      "expected 1 to 128 letters") != std::string::npos);
  }
  SUBCASE("a missing value names the placeholder at the base_url") {
    auto [a, errors] = from_options("mapping: mapping.yaml\nconfig: {subdomain: oslo}\n");
    CHECK_FALSE(a);
    CHECK(errors.find("/mem/mapping.yaml:6:13: api.base_url: uses {config:account_id}") !=
          std::string::npos);
  }
  SUBCASE("a value the mapping does not use is refused (a typo)") {
    auto [a, errors] = from_options(
        "mapping: mapping.yaml\nconfig: {subdomain: oslo, account_id: 1, acount_id: 2}\n");
    CHECK_FALSE(a);
    CHECK(errors.find("tenants.t.adapter_options.config.acount_id: the mapping's api.base_url uses "
                      "no {config:acount_id}") != std::string::npos);
  }
  SUBCASE("in the host only as a label before the vendor's domain") {
    std::string y = kAccount;
    y.replace(y.find("https://{config:subdomain}.ats.example"), 38, "https://{config:subdomain}");
    CHECK(diagnostics_of(y).find("mapping.yaml:6:13: api.base_url: in the host, {config:…} may "
                                 "only be a label") != std::string::npos);
    y = kAccount;
    y.replace(y.find("{config:account_id}"), 19, "{vacancy_id}");
    CHECK(diagnostics_of(y).find("the placeholder {vacancy_id} cannot be used here") !=
          std::string::npos);
  }
}
