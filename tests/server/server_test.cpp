// `mangfold serve` as the ATS sees it: the real binary on a free port, real HTTP
// (libcurl and raw sockets), a real SQLite file, real signals.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/webhook/signature.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mangfold_process.hpp"
#include "tests/support/process.hpp"

using namespace mangfold;
using namespace std::chrono_literals;
using testing::http_request;
using testing::HttpAnswer;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;
const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kHmacSecret = "bergen-test-secret";

// Invite at least one; self-contained so that tests can rewrite it for reloads.
std::string invite_policy(int min_count) {
  return "id: test-oslo\nversion: \"" + std::to_string(min_count) +
         "\"\nlanguages: [nb]\ntarget_groups:\n  immigrant_background: {}\nrules:\n  invite:\n"
         "    type: interview_minimum\n    group: immigrant_background\n    min_count: " +
         std::to_string(min_count) + "\n";
}

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A native event: two qualified applicants in the group, `invited` of them invited.
std::string event_body(const std::string& id, const std::string& vacancy, int invited = 0) {
  nlohmann::json apps = nlohmann::json::array();
  for (int i = 0; i < 2; ++i)
    apps.push_back({{"candidate_id", vacancy + "-g" + std::to_string(i)},
                    {"stage", i < invited ? "interview" : "applied"},
                    {"qualification", "qualified"},
                    {"answers", {{"immigrant_background", "yes"}}}});
  apps.push_back({{"candidate_id", vacancy + "-n"},
                  {"stage", "interview"},
                  {"qualification", "qualified"},
                  {"answers", {{"immigrant_background", "no"}}}});
  return nlohmann::json{{"event", {{"id", id}, {"type", "vacancy.updated"}}},
                        {"vacancy", {{"id", vacancy}, {"title", "Rådgiver"}}},
                        {"applications", apps}}
      .dump();
}

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers signed_headers(const std::string& id, const std::string& body,
                       std::int64_t at = now_unix()) {
  auto secret = webhook::parse_standard_webhooks_secret(kSecret);
  return {{"Content-Type", "application/json"},
          {"webhook-id", id},
          {"webhook-timestamp", std::to_string(at)},
          {"webhook-signature", webhook::sign_standard_webhooks(id, at, body, *secret)}};
}

// The real binary with a config in a temporary folder.
class Connector {
 public:
  explicit Connector(bool tls = false) : tls_(tls) {
    testing::write_file(path("oslo.whsec"), kSecret + "\n");
    testing::write_file(path("bergen.key"), kHmacSecret);
    testing::write_file(path("p.key"), "0123456789abcdef0123456789abcdef0123456789abcdef");
    testing::write_file(path("policy.yaml"), invite_policy(1));
    std::string tls_section;
    if (tls) {
      auto made = testing::run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                "-days", "1", "-subj", "/CN=localhost", "-addext",
                                "subjectAltName=IP:127.0.0.1", "-keyout", path("key.pem"), "-out",
                                path("cert.pem")});
      REQUIRE(made.exit_code == 0);
      tls_section = "tls: {certificate: cert.pem, private_key: key.pem}\n";
    }
    testing::write_file(
        path("mangfold.yaml"),
        tls_section +
            R"(listen: {address: 127.0.0.1, port: 0, threads: 2, header_timeout_seconds: 1}
storage: {sqlite: db/mangfold.db}
mail: {spool_dir: mail}
tenants:
  oslo:
    policy: policy.yaml
    signature: {scheme: standard_webhooks, secret: {file: oslo.whsec}}
    pseudonyms: {key: {file: p.key}}
  imdi:
    policy: )" +
            kRoot + R"(/policies/imdi.yaml
    success_status: 202
    body_limit: 4096
    signature: {scheme: standard_webhooks, secret: {file: oslo.whsec}}
    pseudonyms: {key: {file: p.key}}
  bergen:
    policy: )" +
            kRoot + R"(/policies/bergen.yaml
    signature: {scheme: hmac, secret: {file: bergen.key}}
    pseudonyms: {key: {file: p.key}}
)");
    start();
  }

  std::string path(const std::string& name) const { return dir_.path() + "/" + name; }
  std::string url(const std::string& p) const { return process_.url(p, tls_); }
  testing::Child& child() { return process_.child(); }
  int port() const { return process_.port(); }
  std::string log() const { return process_.log(); }
  void start() { REQUIRE_MESSAGE(process_.start(), process_.log()); }
  bool wait_for_log(const std::string& needle) { return process_.wait_for_log(needle); }

  HttpAnswer post(const std::string& tenant, const std::string& body, const Headers& headers) {
    return http_request("POST", url("/hooks/" + tenant), headers, body);
  }
  HttpAnswer post_event(const std::string& id, const std::string& vacancy, int invited = 0) {
    const std::string body = event_body(id, vacancy, invited);
    return post("oslo", body, signed_headers(id, body));
  }

  long long count(const std::string& sql) { return process_.count(sql); }

 private:
  bool tls_ = false;
  testing::TempDir dir_;
  testing::MangfoldProcess process_{MANGFOLD_BINARY, path("mangfold.yaml"), path("db/mangfold.db"),
                                    path("server.log")};
};

nlohmann::json json_of(const HttpAnswer& a) {
  return nlohmann::json::parse(a.body, nullptr, false);
}

}  // namespace

TEST_CASE("a valid event is stored and answered with its verdict") {
  Connector c;
  HttpAnswer a = c.post_event("evt-1", "v-1");
  CHECK(a.status == 200);
  CHECK(a.header("Content-Type") == "application/json");
  const auto j = json_of(a);
  CHECK(j.at("status") == "accepted");
  CHECK(j.at("event_id") == "evt-1");
  CHECK(j.at("verdict") == "shortfall");
  CHECK(c.count("SELECT count(*) FROM verdicts WHERE tenant='oslo' AND vacancy_id='v-1' AND "
                "overall='shortfall'") == 1);
  CHECK(c.count("SELECT count(*) FROM events WHERE tenant='oslo' AND event_id='evt-1'") == 1);

  // The next event for the vacancy invites one of them: compliant, and both verdicts are logged.
  a = c.post_event("evt-2", "v-1", 1);
  CHECK(json_of(a).at("verdict") == "compliant");
  CHECK(c.count("SELECT count(*) FROM verdicts WHERE vacancy_id='v-1'") == 2);

  // An event that changes nothing in the verdict is stored (its dedupe key) and answered
  // with the verdict, but adds no verdict row (issue 22).
  a = c.post_event("evt-3", "v-1", 1);
  CHECK(a.status == 200);
  CHECK(json_of(a).at("status") == "accepted");
  CHECK(json_of(a).at("verdict") == "compliant");
  CHECK(c.count("SELECT count(*) FROM events WHERE tenant='oslo' AND event_id='evt-3'") == 1);
  CHECK(c.count("SELECT count(*) FROM verdicts WHERE vacancy_id='v-1'") == 2);
  CHECK(c.count("SELECT count(*) FROM current_verdicts WHERE vacancy_id='v-1' AND "
                "overall='compliant'") == 1);
}

TEST_CASE("an invitee later dropped from the snapshot's history still counts as invited") {
  Connector c;
  CHECK(json_of(c.post_event("evt-1", "v-1", 1)).at("verdict") == "compliant");
  // The ATS now reports the invitee as merely applied again (status moved back).
  CHECK(json_of(c.post_event("evt-2", "v-1", 0)).at("verdict") == "compliant");
}

TEST_CASE("a wrong signature or a stale timestamp is refused with 401") {
  Connector c;
  const std::string body = event_body("evt-1", "v-1");
  Headers h = signed_headers("evt-1", body);
  h[3].second = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  HttpAnswer a = c.post("oslo", body, h);
  CHECK(a.status == 401);
  CHECK(json_of(a).at("error") == "bad_signature");

  a = c.post("oslo", body, signed_headers("evt-1", body, now_unix() - 3600));
  CHECK(a.status == 401);
  CHECK(json_of(a).at("detail").get<std::string>().find("too old") != std::string::npos);

  Headers unsigned_headers = {{"Content-Type", "application/json"}};
  CHECK(c.post("oslo", body, unsigned_headers).status == 401);
  CHECK(c.count("SELECT count(*) FROM events") == 0);
}

TEST_CASE("a replayed event id is acknowledged and changes nothing") {
  Connector c;
  CHECK(c.post_event("evt-1", "v-1").status == 200);
  HttpAnswer again = c.post_event("evt-1", "v-1", 1);  // same id, even with other content
  CHECK(again.status == 200);
  CHECK(json_of(again).at("status") == "duplicate");
  CHECK(c.count("SELECT count(*) FROM verdicts") == 1);
  CHECK(c.count("SELECT count(*) FROM verdicts WHERE overall='shortfall'") == 1);
}

TEST_CASE("bad requests get JSON errors with the right status") {
  Connector c;
  SUBCASE("unknown tenant: 401, as a wrong signature (tenant names cannot be probed)") {
    const std::string body = event_body("e", "v");
    HttpAnswer a = c.post("trondheim", body, signed_headers("e", body));
    CHECK(a.status == 401);
    CHECK(json_of(a).at("error") == "bad_signature");
  }
  SUBCASE("wrong content type: 415") {
    const std::string body = event_body("e", "v");
    Headers h = signed_headers("e", body);
    h[0].second = "text/plain";
    CHECK(c.post("oslo", body, h).status == 415);
  }
  SUBCASE("malformed JSON: 400 with its position") {
    const std::string body = "{\"vacancy\": {\"id\": 1},\n \"applications\": [";
    HttpAnswer a = c.post("oslo", body, signed_headers("e", body));
    CHECK(a.status == 400);
    CHECK(json_of(a).at("error") == "malformed");
    CHECK(json_of(a).at("detail").get<std::string>().find("line 2") != std::string::npos);
  }
  SUBCASE("valid JSON that does not map: 422 naming the pointer") {
    const std::string body =
        R"({"vacancy": {"id": 1}, "applications": [{"candidate_id": 1, "stage": "intervju"}]})";
    HttpAnswer a = c.post("oslo", body, signed_headers("e", body));
    CHECK(a.status == 422);
    CHECK(json_of(a).at("detail").get<std::string>().find("/applications/0/stage") !=
          std::string::npos);
  }
  SUBCASE("body over the tenant's limit: 413") {
    const std::string body = event_body("e", std::string(5000, 'x'));
    HttpAnswer a = c.post("imdi", body, signed_headers("e", body));
    CHECK(a.status == 413);
    CHECK(json_of(a).contains("error"));
  }
  SUBCASE("wrong method: 405") {
    HttpAnswer a = http_request("GET", c.url("/hooks/oslo"));
    CHECK(a.status == 405);
    CHECK(a.header("Allow") == "POST");
  }
  SUBCASE("unknown path: 404 JSON") {
    HttpAnswer a = http_request("GET", c.url("/nope"));
    CHECK(a.status == 404);
    CHECK(json_of(a).contains("detail"));
  }
  CHECK(c.count("SELECT count(*) FROM events") == 0);
}

TEST_CASE("each tenant's success status is used") {
  Connector c;
  const std::string body = event_body("evt-9", "v-9");
  CHECK(c.post("imdi", body, signed_headers("evt-9", body)).status == 202);
  CHECK(c.post("imdi", body, signed_headers("evt-9", body)).status == 202);  // duplicate too
}

TEST_CASE("the HMAC header scheme accepts the signed bytes only") {
  Connector c;
  webhook::HmacHeaderScheme scheme = webhook::github_scheme();
  const std::string body = event_body("evt-b1", "v-b");
  const std::string signature =
      webhook::sign_hmac_header(scheme, body, webhook::Secret{kHmacSecret});
  const Headers h = {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", signature}};
  CHECK(c.post("bergen", body, h).status == 200);
  // The same JSON re-serialised by a proxy (other whitespace) no longer matches.
  const std::string reserialised = nlohmann::json::parse(body).dump(2);
  HttpAnswer a = c.post("bergen", reserialised, h);
  CHECK(a.status == 401);
}

TEST_CASE("a slow client that never finishes its headers is cut off") {
  Connector c;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(c.port()));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string partial = "POST /hooks/oslo HTTP/1.1\r\nHost: x\r\n";
  REQUIRE(write(fd, partial.data(), partial.size()) == static_cast<ssize_t>(partial.size()));
  timeval limit{5, 0};  // the server's header timeout is 1 s
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  const auto started = std::chrono::steady_clock::now();
  char buf[256];
  const ssize_t r = read(fd, buf, sizeof buf);
  const auto waited = std::chrono::steady_clock::now() - started;
  close(fd);
  CHECK(r == 0);  // closed by the server, not our 5 s receive timeout
  CHECK(waited < 4s);
}

TEST_CASE("SIGHUP with a broken policy keeps the old one, and a valid one takes over") {
  Connector c;
  testing::write_file(
      c.path("policy.yaml"),
      "id: test-oslo\nversion: \"2\"\nrules:\n  invite: {type: interview_minimum, min_cout: 2}\n");
  c.child().signal(SIGHUP);
  REQUIRE(c.wait_for_log("reload failed"));
  CHECK(c.log().find("min_cout") != std::string::npos);  // the log says why
  HttpAnswer a = c.post_event("evt-1", "v-1", 1);
  CHECK(a.status == 200);
  CHECK(json_of(a).at("verdict") == "compliant");  // still min_count 1

  testing::write_file(c.path("policy.yaml"), invite_policy(2));
  c.child().signal(SIGHUP);
  REQUIRE(c.wait_for_log("\"msg\":\"reloaded\""));
  a = c.post_event("evt-2", "v-1", 1);
  CHECK(json_of(a).at("verdict") == "shortfall");  // now two are required
  CHECK(c.count("SELECT count(*) FROM verdicts WHERE policy_version='2'") == 1);
}

TEST_CASE("SIGTERM drains and exits 0") {
  Connector c;
  CHECK(c.post_event("evt-1", "v-1").status == 200);
  c.child().signal(SIGTERM);
  CHECK(c.child().wait(15000) == 0);
  CHECK(c.log().find("\"msg\":\"stopped\"") != std::string::npos);
}

TEST_CASE("health, readiness and metrics") {
  Connector c;
  CHECK(http_request("GET", c.url("/healthz")).status == 200);
  HttpAnswer ready;
  for (int i = 0; i < 100 && ready.status != 200; ++i) {
    ready = http_request("GET", c.url("/readyz"));
    if (ready.status != 200) std::this_thread::sleep_for(50ms);
  }
  CHECK(ready.status == 200);
  CHECK(json_of(ready).at("tenants") == 3);
  c.post_event("evt-1", "v-1");
  c.post_event("evt-1", "v-1");
  const HttpAnswer m = http_request("GET", c.url("/metrics"));
  CHECK(m.status == 200);
  CHECK(m.header("Content-Type").rfind("text/plain", 0) == 0);
  CHECK(m.body.find("mangfold_webhook_requests_total{tenant=\"oslo\",status=\"200\"} 2") !=
        std::string::npos);
  CHECK(m.body.find("mangfold_verdicts_total{tenant=\"oslo\",outcome=\"shortfall\"} 1") !=
        std::string::npos);
  CHECK(m.body.find("mangfold_duplicate_events_total{tenant=\"oslo\"} 1") != std::string::npos);
  CHECK(m.body.find("mangfold_webhook_duration_seconds_count{tenant=\"oslo\"} 2") !=
        std::string::npos);
  CHECK(m.body.find("mangfold_outbox_pending") != std::string::npos);
  // The SQLite log's syncs: at least one per acknowledged event here (each waited for one).
  const std::string syncs_line = "\nmangfold_store_syncs_total ";
  const auto syncs = m.body.find(syncs_line);
  REQUIRE(syncs != std::string::npos);
  CHECK(std::stod(m.body.substr(syncs + syncs_line.size())) >= 1);
  CHECK(m.body.find("\nmangfold_store_sync_seconds_total ") != std::string::npos);
}

TEST_CASE("logs are JSON lines with ids and counts, never bodies") {
  Connector c;
  c.post_event("evt-canary", "v-canary");
  REQUIRE(c.wait_for_log("evt-canary"));
  std::istringstream lines(c.log());
  std::string line;
  while (std::getline(lines, line)) {
    CHECK(nlohmann::json::accept(line));
    CHECK(line.find("immigrant_background") == std::string::npos);
    CHECK(line.find("Rådgiver") == std::string::npos);
  }
}

TEST_CASE("kill -9 loses no acknowledged event and applies none twice") {
  Connector c;
  constexpr int kEvents = 400;
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<int> next{0};
  std::atomic<bool> killed{false};
  auto client = [&] {
    for (int i = next++; i < kEvents; i = next++) {
      const std::string id = "evt-" + std::to_string(i);
      HttpAnswer a = c.post_event(id, "v-" + std::to_string(i % 17));
      if (a.status == 200) {
        std::lock_guard lock(mu);
        acknowledged.insert(id);
      }
      if (killed) break;
    }
  };
  std::thread t1(client), t2(client);
  // Kill mid-stream, once some events are through.
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(mu);
      if (acknowledged.size() >= 60) break;
    }
    std::this_thread::sleep_for(5ms);
  }
  c.child().signal(SIGKILL);
  killed = true;
  c.child().wait(5000);
  t1.join();
  t2.join();
  INFO("acknowledged before the kill: " << acknowledged.size());
  REQUIRE(acknowledged.size() >= 60);
  REQUIRE(acknowledged.size() < kEvents);  // the kill landed mid-stream

  // Every acknowledged event is in the database after the kill.
  for (const std::string& id : acknowledged)
    CHECK(c.count("SELECT count(*) FROM events WHERE tenant='oslo' AND event_id='" + id + "'") ==
          1);
  // Each stored event was applied whole: the vacancy of every stored event (evt-i is about
  // v-(i % 17), and all of a vacancy's events have the same content) has its row and exactly
  // one verdict row, since a verdict is stored only when it changes (issue 22).
  const long long events = c.count("SELECT count(*) FROM events");
  const long long vacancies =
      c.count("SELECT count(DISTINCT CAST(substr(event_id, 5) AS INTEGER) % 17) FROM events");
  CHECK(c.count("SELECT count(*) FROM vacancies") == vacancies);
  CHECK(c.count("SELECT count(*) FROM current_verdicts") == vacancies);
  CHECK(c.count("SELECT count(*) FROM verdicts") == vacancies);

  // After a restart, the ATS retries everything: acknowledged ones are duplicates.
  c.start();
  int duplicates = 0;
  for (int i = 0; i < kEvents; ++i) {
    const std::string id = "evt-" + std::to_string(i);
    HttpAnswer a = c.post_event(id, "v-" + std::to_string(i % 17));
    REQUIRE(a.status == 200);
    if (json_of(a).at("status") == "duplicate") ++duplicates;
    if (acknowledged.count(id)) CHECK(json_of(a).at("status") == "duplicate");
  }
  CHECK(duplicates == events);
  CHECK(c.count("SELECT count(*) FROM events") == kEvents);
  CHECK(c.count("SELECT count(*) FROM verdicts") == 17);
  CHECK(c.count("SELECT count(*) FROM current_verdicts") == 17);
}

TEST_CASE("mangfold sign --send produces a request the server accepts") {
  Connector c;
  const std::string event_file = c.path("event.json");
  testing::write_file(event_file, event_body("evt-signed", "v-s"));
  auto r = testing::run({MANGFOLD_BINARY, "sign", "--config", c.path("mangfold.yaml"), "--tenant",
                         "oslo", "--url", c.url("/hooks/oslo"), "--send", event_file});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("200 ", 0) == 0);
  CHECK(c.count("SELECT count(*) FROM events WHERE event_id='evt-signed'") == 1);

  auto printed = testing::run({MANGFOLD_BINARY, "sign", "--config", c.path("mangfold.yaml"),
                               "--tenant", "oslo", event_file});
  CHECK(printed.exit_code == 0);
  CHECK(printed.out.find("webhook-signature: v1,") != std::string::npos);
  CHECK(printed.out.find("webhook-id: evt-signed") != std::string::npos);
}

TEST_CASE("an ad without the sentence comes back with it inserted, in the answer") {
  Connector c;
  nlohmann::json event = nlohmann::json::parse(event_body("evt-ad", "v-ad"));
  event["vacancy"]["ad"] = {
      {"language", "NB-NO"},
      {"body", "<p>Vi søker en rådgiver.</p><h3>Slik søker du</h3><p>Søk innen fristen.</p>"}};
  const std::string body = event.dump();
  HttpAnswer a = c.post("imdi", body, signed_headers("evt-ad", body));
  CHECK(a.status == 202);
  const auto j = json_of(a);
  REQUIRE(j.contains("ad"));
  CHECK(j.at("ad").at("rule") == "encourage_applicants");
  CHECK(j.at("ad").at("body") ==
        "<p>Vi søker en rådgiver.</p><p>Vi oppfordrer kvalifiserte kandidater med "
        "innvandrerbakgrunn til å søke "
        "stillingen.</p><h3>Slik søker du</h3><p>Søk innen fristen.</p>");
  // The native adapter has no API to write to: nothing is queued for a write-back.
  CHECK(c.count("SELECT count(*) FROM outbox WHERE kind='ad_writeback'") == 0);

  // An ad that already carries it gets no "ad" in the answer.
  event["event"]["id"] = "evt-ad-2";
  event["vacancy"]["ad"]["body"] = j.at("ad").at("body");
  const std::string again = event.dump();
  CHECK_FALSE(json_of(c.post("imdi", again, signed_headers("evt-ad-2", again))).contains("ad"));
}

TEST_CASE("without any event id, the body's fingerprint deduplicates identical states") {
  Connector c;
  webhook::HmacHeaderScheme scheme = webhook::github_scheme();
  nlohmann::json event = nlohmann::json::parse(event_body("unused", "v-noid"));
  event.erase("event");
  const std::string body = event.dump();
  const Headers h = {{"Content-Type", "application/json"},
                     {"X-Hub-Signature-256",
                      webhook::sign_hmac_header(scheme, body, webhook::Secret{kHmacSecret})}};
  HttpAnswer first = c.post("bergen", body, h);
  CHECK(first.status == 200);
  CHECK(json_of(first).at("event_id").get<std::string>().rfind("sha256:", 0) == 0);
  CHECK(json_of(c.post("bergen", body, h)).at("status") == "duplicate");
  CHECK(c.count("SELECT count(*) FROM verdicts WHERE vacancy_id='v-noid'") == 1);
}

TEST_CASE("TLS from the service config: a real client verifies the certificate") {
  Connector c(/*tls=*/true);
  const std::string body = event_body("evt-tls", "v-tls");
  const Headers h = signed_headers("evt-tls", body);
  std::vector<std::string> args = {"/usr/bin/curl",    "-sS", "--cacert",
                                   c.path("cert.pem"), "-X",  "POST"};
  for (const auto& [name, value] : h) {
    args.push_back("-H");
    args.push_back(name + ": " + value);
  }
  args.insert(args.end(), {"--data-binary", body, "-w", "\n%{http_code}", c.url("/hooks/oslo")});
  auto r = testing::run(args);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("\"status\":\"accepted\"") != std::string::npos);
  CHECK(r.out.substr(r.out.size() - 3) == "200");
  // Plain HTTP to the TLS port gets no answer.
  CHECK(http_request("GET", "http://127.0.0.1:" + std::to_string(c.port()) + "/healthz").status ==
        0);
}
