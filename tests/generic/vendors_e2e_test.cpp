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
    // The example mapping, its API's base URL pointed at the fake.
    std::string mapping = testing::read_file(kExamples + v.name + "/mapping.yaml");
    const auto at = mapping.find("base_url: ");
    REQUIRE(at != std::string::npos);
    mapping.replace(at, mapping.find('\n', at) - at, "base_url: http://127.0.0.1:" + port);
    testing::write_file(path("mapping.yaml"), mapping);
    testing::write_file(path("p.key"), "0123456789abcdef0123456789abcdef0123456789abcdef");
    testing::write_file(path("mangfold.yaml"),
                        "listen: {address: 127.0.0.1, port: 0}\nstorage: {sqlite: db/m.db}\n"
                        "mail: {spool_dir: mail}\ntenants:\n  " +
                            v.name + ":\n    adapter: generic\n    adapter_options: {mapping: " +
                            path("mapping.yaml") + "}\n    policy: " + kRoot +
                            "/policies/oslo.yaml\n    signature: {scheme: mapping}\n"
                            "    pseudonyms: {key: {file: p.key}}\n");
    std::vector<std::string> env{v.secret_env + "=vendor-secret-1", "TEAMTAILOR_API_KEY=k",
                                 "SMARTRECRUITERS_API_KEY=k", "LEVER_API_KEY=k"};
    server = std::make_unique<testing::MangfoldProcess>(MANGFOLD_BINARY, path("mangfold.yaml"),
                                                        path("db/m.db"), path("server.log"), env);
    REQUIRE_MESSAGE(server->start(), server->log());
  }
  std::string path(const std::string& name) const { return dir.path() + "/" + name; }
  testing::HttpAnswer post(const std::string& tenant, const Signed& s) {
    return testing::http_request("POST", server->url("/hooks/" + tenant), s.headers, s.body);
  }
};

void run_vendor(const Vendor& v) {
  Setup s(v);
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
