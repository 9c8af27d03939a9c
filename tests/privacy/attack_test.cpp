// DESIGN.md §4 rule 7 through the real binary: a scripted run of events whose answers and
// candidate ids the test knows, then the attacker (attacker.hpp) gets the database file,
// the log and every HTTP answer, and must link no person to an answer.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/webhook/signature.hpp"
#include "tests/privacy/attacker.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mangfold_process.hpp"
#include "tests/support/process.hpp"

using namespace mangfold;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;
const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kToken = "oslo-api-token";

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Applicant {
  std::string id, stage, answer;  // answer "yes", "no" or "" (not answered)
  std::vector<std::string> history = {};
};

// The people of the scenario, by ATS id; the names and emails are what the ATS knows.
std::vector<privacy_attack::Person> people() {
  std::vector<privacy_attack::Person> out;
  const std::vector<std::pair<std::string, std::string>> where = {
      {"cand-1001", "v-100"}, {"cand-1002", "v-100"}, {"cand-1003", "v-100"},
      {"cand-1004", "v-100"}, {"cand-2001", "v-200"}, {"cand-2002", "v-200"},
      {"cand-2003", "v-200"}, {"cand-3001", "v-300"}, {"cand-3002", "v-300"},
      {"cand-3003", "v-300"}, {"cand-4001", "v-400"}, {"cand-5001", "v-500"}};
  for (const auto& [id, vacancy] : where)
    out.push_back({"oslo", vacancy, id, "Applicant " + id.substr(5), id + "@applicant.example"});
  return out;
}

std::string event(const std::string& id, const std::string& vacancy,
                  const std::vector<Applicant>& applicants) {
  nlohmann::json apps = nlohmann::json::array();
  for (const Applicant& a : applicants) {
    nlohmann::json j = {{"candidate_id", a.id}, {"stage", a.stage}, {"qualification", "qualified"}};
    if (!a.history.empty()) j["history"] = a.history;
    j["answers"] = {{"immigrant_background",
                     a.answer.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.answer)}};
    apps.push_back(j);
  }
  return nlohmann::json{{"event", {{"id", id}, {"type", "vacancy.updated"}}},
                        {"vacancy",
                         {{"id", vacancy},
                          {"title", "Rådgiver " + vacancy},
                          {"manager", {{"name", "Kari Leder"}, {"email", "kari@oslo.example"}}}}},
                        {"applications", apps}}
      .dump();
}

struct Run {
  testing::TempDir dir;
  std::unique_ptr<testing::MangfoldProcess> server;
  std::vector<std::string> answers;  // every HTTP answer body, in order

  explicit Run(const std::string& tenant_extra) {
    testing::write_file(path("oslo.whsec"), kSecret);
    testing::write_file(path("oslo.token"), kToken);
    testing::write_file(path("oslo.pseudonym"),
                        "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff");
    testing::write_file(path("mangfold.yaml"),
                        "listen: {address: 127.0.0.1, port: 0}\nstorage: {sqlite: db/m.db}\n"
                        "mail: {spool_dir: mail}\ntenants:\n  oslo:\n    policy: " +
                            kRoot +
                            "/policies/oslo.yaml\n    signature: {secret: {file: oslo.whsec}}\n"
                            "    api_token: {file: oslo.token}\n" +
                            tenant_extra);
    server = std::make_unique<testing::MangfoldProcess>(MANGFOLD_BINARY, path("mangfold.yaml"),
                                                        path("db/m.db"), path("server.log"));
    REQUIRE_MESSAGE(server->start(), server->log());
  }
  std::string path(const std::string& name) const { return dir.path() + "/" + name; }

  long post(const std::string& id, const std::string& body) {
    auto secret = webhook::parse_standard_webhooks_secret(kSecret);
    const std::int64_t at = now_unix();
    testing::HttpAnswer a = testing::http_request(
        "POST", server->url("/hooks/oslo"),
        {{"Content-Type", "application/json"},
         {"webhook-id", id},
         {"webhook-timestamp", std::to_string(at)},
         {"webhook-signature", webhook::sign_standard_webhooks(id, at, body, *secret)}},
        body);
    answers.push_back(a.body);
    return a.status;
  }
  std::string get(const std::string& endpoint) {
    testing::HttpAnswer a =
        testing::http_request("GET", server->url("/v1/tenants/oslo/" + endpoint),
                              {{"Authorization", "Bearer " + kToken}});
    REQUIRE(a.status == 200);
    answers.push_back(a.body);
    return a.body;
  }

  // The scripted sequence: each vacancy shaped to give one attack something to find.
  void script() {
    // v-100: applicants arrive one by one, ids rising (differencing a verdict log).
    CHECK(post("e1", event("e1", "v-100", {{"cand-1001", "applied", "yes"}})) == 200);
    CHECK(post("e2", event("e2", "v-100",
                           {{"cand-1001", "applied", "yes"}, {"cand-1002", "applied", "no"}})) ==
          200);
    CHECK(post("e3", event("e3", "v-100",
                           {{"cand-1001", "interview", "yes"},
                            {"cand-1002", "applied", "no"},
                            {"cand-1003", "applied", ""}})) == 200);
    CHECK(post("e4", event("e4", "v-100",
                           {{"cand-1001", "interview", "yes"},
                            {"cand-1002", "interview", "no"},
                            {"cand-1003", "applied", ""},
                            {"cand-1004", "applied", "yes"}})) == 200);
    // v-200: one invitee, in the group (a single-member cell).
    CHECK(post("e5", event("e5", "v-200",
                           {{"cand-2001", "interview", "yes"},
                            {"cand-2002", "applied", "no"},
                            {"cand-2003", "applied", "no"}})) == 200);
    // v-300: one hire, in the group; the other invitee is not.
    CHECK(post("e6", event("e6", "v-300",
                           {{"cand-3001", "hired", "yes", {"interview", "recommended"}},
                            {"cand-3002", "rejected", "no", {"interview"}},
                            {"cand-3003", "applied", "yes"}})) == 200);
    // v-400: cand-2001 applies again (a join across vacancies), beside one other.
    CHECK(post("e7", event("e7", "v-400",
                           {{"cand-2001", "applied", "yes"}, {"cand-4001", "applied", "no"}})) ==
          200);
    // v-500: a malformed event naming a candidate: its 422 must not name them.
    CHECK(post("e8", event("e8", "v-500", {{"cand-5001", "promoted", "yes"}})) == 422);
    get("vacancies");
    get("report");
    get("report?format=csv");
  }

  privacy_attack::Evidence evidence() {
    privacy_attack::Evidence e;
    e.database = path("db/m.db");
    e.texts = answers;
    e.texts.push_back(server->log());
    for (const std::string& a : answers)
      if (a.find("\"vacancies\"") != std::string::npos) e.vacancies_answers.push_back(a);
    return e;
  }
};

// The answers the scenario sent: what a link would have to match.
const std::map<std::string, bool> kInGroup = {
    {"cand-1001", true},  {"cand-1002", false}, {"cand-1003", false}, {"cand-1004", true},
    {"cand-2001", true},  {"cand-2002", false}, {"cand-2003", false}, {"cand-3001", true},
    {"cand-3002", false}, {"cand-3003", true},  {"cand-4001", false}, {"cand-5001", true}};

void report(const privacy_attack::Result& r) {
  for (const auto& f : r.named)
    MESSAGE("named: " << f.identifier << " in " << f.where);
  for (const auto& l : r.links) {
    const std::string claim = l.yes ? "yes" : "not yes";
    MESSAGE("linked: " << l.candidate_id << " " << l.group << " = " << claim << " by " << l.how);
    CHECK(kInGroup.at(l.candidate_id) == l.yes);  // the attack claims only what is true
  }
}

}  // namespace

TEST_CASE("after a scripted run, nothing kept or answered links a person to an answer") {
  Run run("    pseudonyms: {key: {file: oslo.pseudonym}}\n");
  run.script();
  // The evidence is read as it lies after a clean stop, WAL included.
  run.server->child().signal(SIGTERM);
  CHECK(run.server->child().wait(10000) == 0);
  const privacy_attack::Result found = privacy_attack::attack(run.evidence(), people());
  report(found);
  CHECK(found.named.empty());
  CHECK(found.links.empty());
}
