// Every example mapping under examples/generic/ through the real server: a request signed
// the vendor's way by an independent implementation (tests/generic/vendor_sign.py, Python's
// hmac), the vendor's API played by tests/generic/fake_vendor_api.py where the event is thin,
// a stored verdict; a tampered byte and a wrong secret get 401; SmartRecruiters' activation
// handshake is answered as SmartRecruiters expects; Lever's settings test is ignored.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/mangfold_process.hpp"
#include "tests/support/process.hpp"

using namespace mangfold;
using namespace std::chrono_literals;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;
const std::string kExamples = kRoot + "/examples/generic/";

struct Vendor {
  std::string name;         // the folder under examples/generic/ and the tenant's name
  std::string signer;       // vendor_sign.py's vendor argument
  std::string secret_env;   // the environment variable the mapping reads the secret from
  std::string payload;      // under payloads/
  std::string tamper_from;  // a text in the signed part, and what it becomes
  std::string tamper_to;
  std::string signer_extra = {};  // e.g. "--style=php"
  std::string config = {};        // adapter_options.config, e.g. "{company_id: 12345}"
  // The tenant's own signature check: the mapping's by default; Greenhouse and Ashby use the
  // tenant's hmac scheme (their recipes need nothing more).
  std::string tenant_signature = "{scheme: mapping}";
};

struct Signed {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

Signed sign(const Vendor& v, const std::string& secret, const std::string& body_file) {
  std::vector<std::string> argv{"/usr/bin/python3", kRoot + "/tests/generic/vendor_sign.py",
                                v.signer, body_file, secret};
  if (!v.signer_extra.empty()) argv.push_back(v.signer_extra);
  testing::CommandResult r = testing::run(argv);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const auto j = nlohmann::json::parse(r.out);
  Signed s;
  for (const auto& [k, val] : j.at("headers").items())
    s.headers.emplace_back(k, val.get<std::string>());
  s.body = j.at("body").get<std::string>();
  return s;
}

// The fake vendor API, the example mapping pointed at it, and the server with one tenant.
struct Setup {
  testing::TempDir dir;
  std::unique_ptr<testing::Child> api;
  std::unique_ptr<testing::MangfoldProcess> server;

  explicit Setup(const Vendor& v) {
    const std::string api_routes = kExamples + v.name + "/api/routes.json";
    api = std::make_unique<testing::Child>(
        std::vector<std::string>{"/usr/bin/python3", kRoot + "/tests/generic/fake_vendor_api.py",
                                 api_routes},
        path("api.log"));
    std::string port;
    for (int i = 0; i < 200 && port.empty(); ++i) {
      const std::string out = testing::read_file(path("api.log"));
      if (const auto nl = out.find('\n'); nl != std::string::npos) port = out.substr(0, nl);
      if (port.empty()) std::this_thread::sleep_for(25ms);
    }
    REQUIRE_MESSAGE(!port.empty(), "the fake API did not start");
    // The example mapping, its API's base URL pointed at the fake. The path and the
    // {config:…} placeholders stay: a placeholder in the host becomes the first path segment
    // (https://{config:subdomain}.workable.com/spi/v3 →
    // http://127.0.0.1:P/{config:subdomain}/spi/v3), so the tenant's value is seen in every request
    // the fake answers.
    std::string mapping = testing::read_file(kExamples + v.name + "/mapping.yaml");
    const auto at = mapping.find("base_url: ");
    REQUIRE(at != std::string::npos);
    const std::string url = mapping.substr(at + 10, mapping.find('\n', at) - at - 10);
    const auto host = url.find("://") + 3;
    const auto path_at = url.find('/', host);
    const std::string host_part =
        url.substr(host, path_at == std::string::npos ? std::string::npos : path_at - host);
    std::string local = "http://127.0.0.1:" + port;
    if (const auto c = host_part.find("{config:"); c != std::string::npos)
      local += "/" + host_part.substr(c, host_part.find('}', c) - c + 1);
    if (path_at != std::string::npos) local += url.substr(path_at);
    mapping.replace(at, mapping.find('\n', at) - at, "base_url: " + local);
    testing::write_file(path("mapping.yaml"), mapping);
    testing::write_file(path("p.key"), "0123456789abcdef0123456789abcdef0123456789abcdef");
    testing::write_file(
        path("mangfold.yaml"),
        "listen: {address: 127.0.0.1, port: 0}\nstorage: {sqlite: db/m.db}\n"
        "mail: {spool_dir: mail}\ntenants:\n  " +
            v.name +
            ":\n    adapter: generic\n    adapter_options: {mapping: " + path("mapping.yaml") +
            (v.config.empty() ? "" : ", config: " + v.config) + "}\n    policy: " + kRoot +
            "/policies/oslo.yaml\n    signature: " + v.tenant_signature +
            "\n    pseudonyms: {key: {file: p.key}}\n");
    std::vector<std::string> env{v.secret_env + "=vendor-secret-1",
                                 "TEAMTAILOR_API_KEY=k",
                                 "SMARTRECRUITERS_API_KEY=k",
                                 "LEVER_API_KEY=k",
                                 "WORKABLE_API_TOKEN=k",
                                 "RECRUITEE_API_TOKEN=k",
                                 "HUNTFLOW_API_TOKEN=k",
                                 "GREENHOUSE_HARVEST_KEY=k",
                                 "ASHBY_API_KEY=k"};
    server = std::make_unique<testing::MangfoldProcess>(MANGFOLD_BINARY, path("mangfold.yaml"),
                                                        path("db/m.db"), path("server.log"), env);
    REQUIRE_MESSAGE(server->start(), server->log());
  }
  std::string path(const std::string& name) const { return dir.path() + "/" + name; }
  testing::HttpAnswer post(const std::string& tenant, const Signed& s) {
    return testing::http_request("POST", server->url("/hooks/" + tenant), s.headers, s.body);
  }
};

// The fake API's log: one "METHOD /path" line per request it answered.
int requests_to(Setup& s, const std::string& part) {
  const std::string log = testing::read_file(s.path("api.log"));
  int n = 0;
  for (auto at = log.find(part); at != std::string::npos; at = log.find(part, at + 1))
    ++n;
  return n;
}

void run_vendor(const Vendor& v, Setup* given = nullptr) {
  std::unique_ptr<Setup> own;
  if (!given) own = std::make_unique<Setup>(v);
  Setup& s = given ? *given : *own;
  const std::string payload = kExamples + v.name + "/payloads/" + v.payload;

  const Signed good = sign(v, "vendor-secret-1", payload);
  const testing::HttpAnswer a = s.post(v.name, good);
  CHECK_MESSAGE(a.status == 200, a.body << "\n" << s.server->log());
  CHECK(nlohmann::json::parse(a.body, nullptr, false).value("status", "") == "accepted");
  CHECK(s.server->count("SELECT count(*) FROM verdicts WHERE tenant='" + v.name + "'") == 1);

  Signed tampered = good;
  const auto at = tampered.body.find(v.tamper_from);
  REQUIRE_MESSAGE(at != std::string::npos, v.tamper_from);
  tampered.body.replace(at, v.tamper_from.size(), v.tamper_to);
  const testing::HttpAnswer t = s.post(v.name, tampered);
  CHECK_MESSAGE(t.status == 401, t.body);
  CHECK(t.body.find("bad_signature") != std::string::npos);

  const Signed wrong = sign(v, "another-secret", payload);
  CHECK(s.post(v.name, wrong).status == 401);
  CHECK(s.server->count("SELECT count(*) FROM verdicts WHERE tenant='" + v.name + "'") == 1);
}

}  // namespace

TEST_CASE("Teamtailor company webhooks, signature v2 as JavaScript prints the payload") {
  run_vendor({"teamtailor", "teamtailor", "TEAMTAILOR_WEBHOOK_KEY", "job_application.update.json",
              "\"55001\"", "\"55009\""});
}

TEST_CASE("Teamtailor company webhooks, signature v2 as PHP prints the payload") {
  run_vendor({"teamtailor", "teamtailor", "TEAMTAILOR_WEBHOOK_KEY", "job.create.json",
              "Miljøterapeut", "Miljoterapeut", "--style=php"});
}

TEST_CASE("Teamtailor company webhooks, the older signature v1 over the resource id") {
  run_vendor({"teamtailor-v1", "teamtailor-v1", "TEAMTAILOR_WEBHOOK_KEY",
              "job_application.update.json", "\"55001\"", "\"55009\""});
}

TEST_CASE("Teamtailor partner webhooks: t=…,v1=… over the timestamp and the event id") {
  run_vendor({"teamtailor-partner", "teamtailor-partner", "TEAMTAILOR_PARTNER_SECRET",
              "trigger.json", "5b0c2d4e", "5b0c2d4f"});
}

TEST_CASE("SmartRecruiters: v1 signatures over timestamp, body and headers, thin events") {
  run_vendor({"smartrecruiters", "smartrecruiters", "SMARTRECRUITERS_WEBHOOK_SECRET",
              "application.created.json", "a9e8d7c6", "a9e8d7c7"});
}

TEST_CASE("SmartRecruiters: the activation handshake echoes X-Hook-Secret with HTTP 200") {
  const Vendor v{
      "smartrecruiters", "smartrecruiters", "SMARTRECRUITERS_WEBHOOK_SECRET", "", "", ""};
  Setup s(v);
  const testing::HttpAnswer a = testing::http_request(
      "POST", s.server->url("/hooks/smartrecruiters"), {{"X-Hook-Secret", "4jn8fs9011jj8"}}, "");
  CHECK_MESSAGE(a.status == 200, a.body);
  CHECK(a.header("X-Hook-Secret") == "4jn8fs9011jj8");
  CHECK(s.server->count("SELECT count(*) FROM verdicts") == 0);
}

TEST_CASE("Lever: token signatures, the opportunity looked up, the posting fetched") {
  run_vendor({"lever", "lever", "LEVER_SIGNATURE_TOKEN", "candidateStageChange.json",
              "3f2a9c1e5b7d4e8f", "3f2a9c1e5b7d4e8e"});
}

TEST_CASE("Lever: the settings page's test delivery (empty data) is acknowledged and ignored") {
  const Vendor v{"lever", "lever", "LEVER_SIGNATURE_TOKEN", "settings_test.json", "", ""};
  Setup s(v);
  const Signed test = sign(v, "vendor-secret-1", kExamples + "lever/payloads/settings_test.json");
  const testing::HttpAnswer a = s.post("lever", test);
  CHECK_MESSAGE(a.status == 200, a.body);
  CHECK(nlohmann::json::parse(a.body, nullptr, false).value("status", "") == "ignored");
  CHECK(s.server->count("SELECT count(*) FROM verdicts") == 0);
}

TEST_CASE("SmartRecruiters: the candidate list paginated by offset and limit") {
  const Vendor v{"smartrecruiters",          "smartrecruiters", "SMARTRECRUITERS_WEBHOOK_SECRET",
                 "application.created.json", "a9e8d7c6",        "a9e8d7c7"};
  Setup s(v);
  run_vendor(v, &s);
  CHECK(requests_to(
            s, "GET /candidates?jobId=3c2bd7f6-1e34-4a7b-9d3f-6c2b0e1a9f10&offset=0&limit=100") ==
        1);
}

TEST_CASE(
    "Workable: HMAC of the body, the account's subdomain from config, answers per candidate") {
  const Vendor v{"workable",
                 "workable",
                 "WORKABLE_WEBHOOK_KEY",
                 "candidate_moved.json",
                 "\"Interview\"",
                 "\"Interviex\"",
                 "",
                 "{subdomain: oslo-kommune}"};
  Setup s(v);
  run_vendor(v, &s);
  // The job and its candidates from the account's API, then one request per candidate that
  // is not disqualified (two of three), through the server's HTTP client.
  CHECK(requests_to(s, "GET /oslo-kommune/spi/v3/jobs/A1B2C3D4E5") == 2);  // job + list
  CHECK(requests_to(s, "GET /oslo-kommune/spi/v3/candidates/ce7a11") == 1);
  CHECK(requests_to(s, "GET /oslo-kommune/spi/v3/candidates/ce7a12") == 1);
  CHECK(requests_to(s, "GET /oslo-kommune/spi/v3/candidates/ce7a13") == 0);
  // The answers themselves are nowhere in what the server keeps or logs (DESIGN §4).
  CHECK(s.server->log().find("innvandrerbakgrunn") == std::string::npos);
}

TEST_CASE("Recruitee: HMAC of the body, the company id from config, offset pagination") {
  const Vendor v{
      "recruitee", "recruitee", "RECRUITEE_WEBHOOK_SECRET", "candidate_moved.json", "770042",
      "770043",    "",          "{company_id: 12345}"};
  Setup s(v);
  run_vendor(v, &s);
  CHECK(requests_to(s, "GET /c/12345/offers/770042") == 1);
  CHECK(requests_to(s, "GET /c/12345/candidates?offer_id=770042&offset=0&limit=100") == 1);
}

TEST_CASE(
    "Recruitee: the Test button's {\"test\": true} and test payloads are acknowledged and "
    "ignored") {
  const Vendor v{"recruitee", "recruitee", "RECRUITEE_WEBHOOK_SECRET", "test.json", "",
                 "",          "",          "{company_id: 12345}"};
  Setup s(v);
  for (const std::string body_file : {"test.json", "candidate_moved.json"}) {
    std::string file = kExamples + "recruitee/payloads/" + body_file;
    if (body_file != "test.json") {
      // An example event with "test": true beside it, as the "Test payload" buttons send.
      std::string text = testing::read_file(file);
      text.insert(text.find('{') + 1, "\n  \"test\": true,");
      file = s.path("test-payload.json");
      testing::write_file(file, text);
    }
    const Signed test = sign(v, "vendor-secret-1", file);
    const testing::HttpAnswer a = s.post("recruitee", test);
    CHECK_MESSAGE(a.status == 200, a.body);
    CHECK(nlohmann::json::parse(a.body, nullptr, false).value("status", "") == "ignored");
  }
  CHECK(s.server->count("SELECT count(*) FROM verdicts") == 0);
  CHECK(requests_to(s, "GET /c/12345") == 0);
}

TEST_CASE(
    "Huntflow: HMAC of the body, event type and delivery id in headers, account id from config") {
  const Vendor v{
      "huntflow",   "huntflow", "HUNTFLOW_WEBHOOK_SECRET", "applicant.status.json", "\"STATUS\"",
      "\"STATUX\"", "",         "{account_id: 6}"};
  Setup s(v);
  run_vendor(v, &s);
  CHECK(requests_to(s, "GET /v2/accounts/6/vacancies/28") == 1);
  CHECK(requests_to(s, "GET /v2/accounts/6/applicants?vacancy=28&count=50&page=2") == 1);
}

TEST_CASE(
    "Huntflow: the PING sent when the webhook is added, and an applicant action outside a vacancy, "
    "are ignored") {
  const Vendor v{"huntflow", "huntflow", "HUNTFLOW_WEBHOOK_SECRET", "", "",
                 "",         "",         "{account_id: 6}"};
  Setup s(v);
  testing::write_file(s.path("ping.json"), "{}");
  const std::vector<std::pair<std::string, std::string>> cases{
      {s.path("ping.json"), "--event=PING"},
      {kExamples + "huntflow/payloads/applicant.add.json", "--event=APPLICANT"}};
  for (const auto& [file, event] : cases) {
    Vendor with = v;
    with.signer_extra = event;
    const testing::HttpAnswer a = s.post("huntflow", sign(with, "vendor-secret-1", file));
    CHECK_MESSAGE(a.status == 200, a.body);
    CHECK(nlohmann::json::parse(a.body, nullptr, false).value("status", "") == "ignored");
  }
  CHECK(s.server->count("SELECT count(*) FROM verdicts") == 0);
  CHECK(requests_to(s, "GET /v2/") == 0);
}

namespace {

const std::string kGreenhouseSignature =
    "{scheme: hmac, header: Signature, encoding: hex, prefix: \"\", secret: {env: "
    "GREENHOUSE_WEBHOOK_SECRET}}";
const std::string kAshbySignature =
    "{scheme: hmac, header: Ashby-Signature, encoding: hex, prefix: \"sha256=\", secret: {env: "
    "ASHBY_WEBHOOK_SECRET}}";

}  // namespace

TEST_CASE(
    "Greenhouse: sha256 <hex> by the tenant's hmac scheme, a thin event fetched from Harvest") {
  const Vendor v{"greenhouse",
                 "greenhouse",
                 "GREENHOUSE_WEBHOOK_SECRET",
                 "candidate_stage_change.json",
                 "4410023",
                 "4410024",
                 "",
                 "",
                 kGreenhouseSignature};
  Setup s(v);
  run_vendor(v, &s);
  CHECK(requests_to(s, "GET /v1/jobs/4410023") == 2);  // the job and its posts
  CHECK(requests_to(s, "GET /v1/users/52001") == 1);
  // Both pages of applications: the second by the Link header's rel="next".
  CHECK(requests_to(s, "GET /v1/applications?job_id=4410023&per_page=500&page=2") == 1);
}

TEST_CASE("Greenhouse: a fat job_created event, no API call") {
  const Vendor v{"greenhouse",
                 "greenhouse",
                 "GREENHOUSE_WEBHOOK_SECRET",
                 "job_created.json",
                 "\"job_created\"",
                 "\"job_createe\"",
                 "",
                 "",
                 kGreenhouseSignature};
  Setup s(v);
  run_vendor(v, &s);
  CHECK(requests_to(s, "GET /v1/") == 0);
}

TEST_CASE(
    "Ashby: sha256=<hex> by the tenant's hmac scheme, a thin event from the RPC API (cursor in the "
    "body)") {
  const Vendor v{"ashby",
                 "ashby",
                 "ASHBY_WEBHOOK_SECRET",
                 "candidateStageChange.json",
                 "candidateStageChange",
                 "candidateStageChangf",
                 "",
                 "",
                 kAshbySignature};
  Setup s(v);
  run_vendor(v, &s);
  CHECK(requests_to(s, "POST /job.info") == 1);
  CHECK(requests_to(s, "POST /application.list") == 2);  // two pages
}

TEST_CASE("Ashby: a fat jobCreate event, and the ping ignored") {
  const Vendor v{
      "ashby", "ashby", "ASHBY_WEBHOOK_SECRET", "jobCreate.json", "\"jobCreate\"", "\"jobCreatf\"",
      "",      "",      kAshbySignature};
  Setup s(v);
  run_vendor(v, &s);
  const Signed ping = sign(v, "vendor-secret-1", kExamples + "ashby/payloads/ping.json");
  const testing::HttpAnswer a = s.post("ashby", ping);
  CHECK_MESSAGE(a.status == 200, a.body);
  CHECK(nlohmann::json::parse(a.body, nullptr, false).value("status", "") == "ignored");
  CHECK(requests_to(s, "POST /") == 0);
}
