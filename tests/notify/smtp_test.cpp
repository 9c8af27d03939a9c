// Notifications end to end against a real SMTP server (tests/notify/smtp_server.py on
// aiosmtpd): a verdict from the policy engine, its outbox rows in a real SQLite store, the
// worker sending through libcurl, and the received bytes parsed by Python's standard
// email package (tests/notify/mail_check.py). Canary strings in the candidate ids of the
// snapshot must never reach a message.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "connector/notify/digest.hpp"
#include "connector/notify/mailer.hpp"
#include "connector/notify/outbox_worker.hpp"
#include "connector/notify/plan.hpp"
#include "connector/policy/engine.hpp"
#include "notify_test_support.hpp"
#include "tests/support/process.hpp"

namespace mangfold::notify {
namespace {

namespace fs = std::filesystem;
using namespace testing;
using nlohmann::json;

const std::string kScripts = std::string(MANGFOLD_SOURCE_DIR) + "/tests/notify/";
const std::vector<std::string> kCanaries = {"CANARY-7f3a91", "CANARY-9b1c42", "CANARY-2d4e03"};

// The SMTP server as a child process. start() waits until it listens.
class SmtpServer {
 public:
  SmtpServer(std::string folder, std::vector<std::string> extra = {})
      : folder_(std::move(folder)), extra_(std::move(extra)) {}

  void start(int port = 0) {
    const std::string log = folder_ + "/server-" + std::to_string(++starts_) + ".log";
    std::vector<std::string> argv = {MANGFOLD_PYTHON, kScripts + "smtp_server.py",
                                     "--folder",      folder_ + "/received",
                                     "--port",        std::to_string(port)};
    argv.insert(argv.end(), extra_.begin(), extra_.end());
    child_.emplace(argv, log);
    // Bounded wait for the "PORT n" line; a broken server fails the test, not hangs it.
    for (int i = 0; i < 1500 && port_ == 0; ++i) {
      const std::string out = mangfold::testing::read_file(log);
      if (const size_t at = out.find("PORT ");
          at != std::string::npos && out.find('\n', at) != std::string::npos)
        port_ = std::stoi(out.substr(at + 5));
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE_MESSAGE(port_ != 0, mangfold::testing::read_file(log));
    REQUIRE((port == 0 || port_ == port));
  }
  void stop() {
    if (!child_) return;
    child_->signal(SIGTERM);
    CHECK(child_->wait(10000) == 0);
    child_.reset();
  }
  int port() const { return port_; }
  void forget_port() { port_ = 0; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // The received messages, oldest first.
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    const fs::path dir = fs::path(folder_) / "received";
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".eml") out.push_back(e.path().string());
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
      return std::stoi(fs::path(a).stem().string()) < std::stoi(fs::path(b).stem().string());
    });
    return out;
  }

 private:
  std::string folder_;
  std::vector<std::string> extra_;
  std::optional<mangfold::testing::Child> child_;
  int port_ = 0;
  int starts_ = 0;
};

json check_message(const std::string& path) {
  const auto r = mangfold::testing::run({MANGFOLD_PYTHON, kScripts + "mail_check.py", path});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return json::parse(r.out);
}

std::shared_ptr<const policy::Policy> oslo_policy() {
  auto p = std::make_shared<policy::Policy>();
  p->id = "oslo";
  p->version = "2026.1";
  p->groups = {{"immigrant_background", "innvandrerbakgrunn", "SSB"}};
  policy::Rule rule;
  rule.name = "invite_one";
  rule.spec = policy::InterviewMinimum{"immigrant_background", 1, 0};
  p->rules = {rule};
  p->notifications = settings();
  p->notifications.remind_after_days = 0;
  return p;
}

// Two qualified applicants who answered yes, none invited; one invited who answered no.
// Their ids are canaries.
domain::Snapshot snapshot(const std::string& vacancy_id) {
  domain::Snapshot s;
  s.vacancy.id = vacancy_id;
  s.vacancy.title = "Rådgiver i økonomiavdelingen";
  s.vacancy.department = "Bydel Grünerløkka";
  s.vacancy.url = "https://oslo.example.no/stillinger/" + vacancy_id;
  s.vacancy.manager = {"Kåre Ødegård", "kare.odegard@oslo.example.no", ""};
  s.vacancy.deadline = domain::Date{2026, 3, 15};
  s.vacancy.ad = domain::JobAd{"<p>Vi søker en rådgiver.</p>", domain::AdFormat::kHtml, "nb"};
  for (int i = 0; i < 3; ++i) {
    domain::Application a;
    a.candidate_id = kCanaries[i] + "-" + vacancy_id;
    a.qualification = domain::Qualification::kQualified;
    a.stage = i == 2 ? domain::Stage::kInterview : domain::Stage::kApplied;
    a.answers["immigrant_background"] = i == 2 ? domain::Answer::kNo : domain::Answer::kYes;
    s.applications.push_back(a);
  }
  return s;
}

// What the ingest pipeline's plan does for notifications: evaluate, keep stage histories,
// and plan the emails against the stored verdict.
store::Plan pipeline_plan(std::shared_ptr<const policy::Policy> policy, domain::Snapshot s) {
  return [policy, s](const store::StoredVacancy& prior) -> Result<store::Changes> {
    store::Changes c;
    for (const domain::Application& a : s.applications)
      c.candidates.push_back({a.candidate_id, {a.stage}});
    c.verdict = policy::evaluate(*policy, s);
    const VacancyInfo info = vacancy_info("oslo", s.vacancy);
    c.vacancy.title = info.title;
    c.vacancy.department = info.department;
    c.vacancy.url = info.url;
    c.vacancy.manager_name = info.manager_name;
    c.vacancy.manager_email = info.manager_email;
    c.vacancy.deadline = info.deadline;
    c.vacancy.ad_language = info.ad_language;
    c.outbox = plan_notifications(info, prior.last_verdict, *c.verdict, *policy, kNow);
    return c;
  };
}

WorkerOptions worker_options() {
  WorkerOptions o;
  o.from = {"Mangfold Connector", "mangfold@oslo.example.no"};
  o.backoff_base_seconds = 60;
  o.backoff_cap_seconds = 600;
  return o;
}

SmtpOptions smtp(const SmtpServer& server) {
  SmtpOptions o;
  o.url = server.url();
  o.connect_timeout_ms = 5000;
  o.timeout_ms = 20000;
  return o;
}

TEST_CASE(
    "a shortfall reaches the manager as exactly one well-formed message without applicant data") {
  mangfold::testing::TempDir dir;
  SmtpServer server(dir.path());
  server.start();
  auto store = open_store(dir.path() + "/mangfold.db");
  SmtpMailer mailer(smtp(server));
  OutboxWorker worker(
      *store, mailer, worker_options(), [] { return kNow; }, [] { return 0.5; });

  const auto policy = oslo_policy();
  REQUIRE(
      submit_sync(*store, "e1", pipeline_plan(policy, snapshot("v-100")), "oslo", "v-100").ok());
  REQUIRE(*worker.run_once(kNow) == 1);
  // The same state again (a re-sent event): no second message.
  REQUIRE(
      submit_sync(*store, "e2", pipeline_plan(policy, snapshot("v-100")), "oslo", "v-100").ok());
  CHECK(*worker.run_once(kNow + 3600) == 0);
  CHECK(worker.counters().sent == 1);
  const std::vector<std::string> received = server.messages();
  REQUIRE(received.size() == 1);

  const json m = check_message(received[0]);
  INFO(m.dump(2));
  CHECK(m["defects"].empty());
  CHECK(m["ascii_only"] == true);  // every non-ASCII letter is encoded
  CHECK(m["bare_lf"] == 0);
  CHECK(m["max_line"] <= 998);
  const json& h = m["headers"];
  CHECK(h["Subject"] == "Intervjuordningen er ikke oppfylt – Rådgiver i økonomiavdelingen");
  CHECK(m["raw_subject"].get<std::string>().rfind("=?UTF-8?B?", 0) == 0);
  CHECK(h["From"] == "Mangfold Connector <mangfold@oslo.example.no>");
  CHECK(m["to"] ==
        json::parse(R"([{"name":"Kåre Ødegård","email":"kare.odegard@oslo.example.no"}])"));
  CHECK(m["cc"] == json::parse(R"(["mangfold@oslo.example.no"])"));
  CHECK(m["reply_to"] == json::parse(R"(["hr@oslo.example.no"])"));
  CHECK(h["MIME-Version"] == "1.0");
  CHECK(h["Content-Language"] == "nb");
  CHECK(m["date_unix"] == kNow);
  const std::string id = h["Message-ID"];
  CHECK(id.rfind("<mf-", 0) == 0);
  CHECK(id.size() == std::string("<mf-@oslo.example.no>").size() + 32);
  CHECK(m["content_type"] == "multipart/alternative");
  REQUIRE(m["parts"].size() == 2);
  const json& text = m["parts"][0];
  const json& html = m["parts"][1];
  CHECK(text["content_type"] == "text/plain");
  CHECK(html["content_type"] == "text/html");
  for (const json* part : {&text, &html}) {
    CHECK((*part)["charset"] == "utf-8");
    CHECK((*part)["transfer_encoding"] == "quoted-printable");
  }
  const std::string body = text["content"];
  CHECK(body.find("Regelen: Når det finnes kvalifiserte søkere med innvandrerbakgrunn, skal minst "
                  "én av dem kalles inn til intervju.") != std::string::npos);
  CHECK(body.find("2 kvalifiserte søkere med innvandrerbakgrunn, og ingen av dem er kalt inn.") !=
        std::string::npos);
  CHECK(body.find("Søknadsfrist: 15. mars 2026") != std::string::npos);
  CHECK(html["content"].get<std::string>().find(
            "<a href=\"https://oslo.example.no/stillinger/v-100\">") != std::string::npos);
  // The envelope: the manager and the cc; Reply-To is a header only.
  const json envelope = json::parse(mangfold::testing::read_file(
      (fs::path(received[0]).parent_path() / (fs::path(received[0]).stem().string() + ".json"))
          .string()));
  CHECK(envelope["mail_from"] == "mangfold@oslo.example.no");
  CHECK(envelope["rcpt_tos"] ==
        json::parse(R"(["kare.odegard@oslo.example.no","mangfold@oslo.example.no"])"));
  // PRIVACY: no candidate id in the raw bytes or in any decoded part.
  const std::string raw = mangfold::testing::read_file(received[0]);
  for (const std::string& canary : kCanaries) {
    CHECK(raw.find(canary) == std::string::npos);
    CHECK(m.dump().find(canary) == std::string::npos);
  }
  server.stop();
}

TEST_CASE("a daily digest reaches the manager as one well-formed message for three vacancies") {
  mangfold::testing::TempDir dir;
  SmtpServer server(dir.path());
  server.start();
  auto store = open_store(dir.path() + "/mangfold.db");
  SmtpMailer mailer(smtp(server));
  constexpr std::int64_t kDigestTime = 1772517600;  // 2026-03-03 07:00 CET
  std::int64_t now = kNow;
  OutboxWorker worker(
      *store, mailer, worker_options(), [&now] { return now; }, [] { return 0.5; });
  auto digest_policy = std::make_shared<policy::Policy>(*oslo_policy());
  digest_policy->notifications.daily_digest = true;
  for (int i = 0; i < 3; ++i) {
    const std::string v = "v-" + std::to_string(300 + i);
    REQUIRE(submit_sync(*store, "e" + std::to_string(i), pipeline_plan(digest_policy, snapshot(v)),
                        "oslo", v)
                .ok());
  }
  CHECK(*worker.run_once(kDigestTime - 1) == 0);
  CHECK(server.messages().empty());
  REQUIRE(*worker.run_once(kDigestTime) == 3);
  CHECK(*worker.run_once(kDigestTime + 86400) == 0);
  const std::vector<std::string> received = server.messages();
  REQUIRE(received.size() == 1);
  const json m = check_message(received[0]);
  INFO(m.dump(2));
  CHECK(m["defects"].empty());
  CHECK(m["ascii_only"] == true);
  CHECK(m["max_line"] <= 998);
  CHECK(m["headers"]["Subject"] ==
        "Intervjuordningen: daglig oversikt 3. mars 2026 – 3 stillinger trenger oppfølging");
  CHECK(m["date_unix"] == kDigestTime);
  CHECK(m["to"][0]["email"] == "kare.odegard@oslo.example.no");
  CHECK(m["cc"] == json::parse(R"(["mangfold@oslo.example.no"])"));
  CHECK(m["reply_to"] == json::parse(R"(["hr@oslo.example.no"])"));
  REQUIRE(m["parts"].size() == 2);
  const std::string text = m["parts"][0]["content"];
  const std::string html = m["parts"][1]["content"];
  for (int i = 0; i < 3; ++i) {
    const std::string link = "https://oslo.example.no/stillinger/v-" + std::to_string(300 + i);
    CHECK(text.find("Stillingen: " + link + "\r\n") != std::string::npos);
    CHECK(html.find("<a href=\"" + link + "\">") != std::string::npos);
  }
  const std::string raw = mangfold::testing::read_file(received[0]);
  for (const std::string& canary : kCanaries) {
    CHECK(raw.find(canary) == std::string::npos);
    CHECK(m.dump().find(canary) == std::string::npos);
  }
  server.stop();
}

TEST_CASE("mail queued while the SMTP server is down is delivered exactly once after it starts") {
  mangfold::testing::TempDir dir;
  SmtpServer server(dir.path());
  server.start();  // learn a free port, then take the server down
  const int port = server.port();
  server.stop();
  auto store = open_store(dir.path() + "/mangfold.db");
  SmtpMailer mailer(smtp(server));
  OutboxWorker worker(
      *store, mailer, worker_options(), [] { return kNow; }, [] { return 0.0; });
  const auto policy = oslo_policy();
  for (int i = 0; i < 3; ++i) {
    const std::string v = "v-" + std::to_string(200 + i);
    REQUIRE(
        submit_sync(*store, "e" + std::to_string(i), pipeline_plan(policy, snapshot(v)), "oslo", v)
            .ok());
  }
  CHECK(*store->outbox_depth("pending") == 3);
  REQUIRE(*worker.run_once(kNow) == 3);
  CHECK(worker.counters().retried == 3);
  CHECK(worker.counters().sent == 0);
  CHECK(*store->outbox_depth("pending") == 3);
  CHECK(*worker.run_once(kNow + 29) == 0);  // backing off (random 0: half of 60 s)

  server.forget_port();
  server.start(port);
  REQUIRE(*worker.run_once(kNow + 30) == 3);
  CHECK(*worker.run_once(kNow + 7200) == 0);
  CHECK(worker.counters().sent == 3);
  CHECK(*store->outbox_depth("done") == 3);
  const std::vector<std::string> received = server.messages();
  REQUIRE(received.size() == 3);
  std::set<std::string> ids, vacancies;
  for (const std::string& path : received) {
    const json m = check_message(path);
    ids.insert(m["headers"]["Message-ID"].get<std::string>());
    const std::string html = m["parts"][1]["content"];
    for (int i = 0; i < 3; ++i)
      if (html.find("stillinger/v-" + std::to_string(200 + i) + "\"") != std::string::npos)
        vacancies.insert(std::to_string(i));
  }
  CHECK(ids.size() == 3);
  CHECK(vacancies.size() == 3);
  server.stop();
}

TEST_CASE("a 550 from the server dead-letters the mail and counts it, a 451 retries it") {
  mangfold::testing::TempDir dir;
  SmtpServer server(dir.path(), {"--reject", "kare.odegard@oslo.example.no", "--tempfail",
                                 "tempfail@oslo.example.no"});
  server.start();
  auto store = open_store(dir.path() + "/mangfold.db");
  SmtpMailer mailer(smtp(server));
  std::vector<DeliveryEvent> events;
  OutboxWorker worker(
      *store, mailer, worker_options(), [] { return kNow; }, [] { return 0.0; }, {},
      [&](const DeliveryEvent& e) { events.push_back(e); });
  auto policy = std::make_shared<policy::Policy>(*oslo_policy());
  policy->notifications.cc.clear();
  REQUIRE(
      submit_sync(*store, "e1", pipeline_plan(policy, snapshot("v-300")), "oslo", "v-300").ok());
  REQUIRE(*worker.run_once(kNow) == 1);
  CHECK(worker.counters().dead == 1);
  CHECK(*store->outbox_depth("dead") == 1);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == DeliveryEvent::Kind::kDead);
  CHECK(events[0].error.find("550") != std::string::npos);
  CHECK(*worker.run_once(kNow + 86400) == 0);  // never retried
  CHECK(server.messages().empty());

  domain::Snapshot temp = snapshot("v-301");
  temp.vacancy.manager.email = "tempfail@oslo.example.no";
  REQUIRE(submit_sync(*store, "e2", pipeline_plan(policy, temp), "oslo", "v-301").ok());
  REQUIRE(*worker.run_once(kNow) == 1);
  CHECK(worker.counters().retried == 1);
  CHECK(events.back().kind == DeliveryEvent::Kind::kRetried);
  CHECK(events.back().error.find("451") != std::string::npos);
  CHECK(*store->outbox_depth("pending") == 1);
  server.stop();
}

TEST_CASE("AUTH: the right credentials deliver, wrong ones wait for a configuration fix") {
  mangfold::testing::TempDir dir;
  SmtpServer server(dir.path(), {"--user", "mangfold", "--password", "s3cret-æ"});
  server.start();
  auto store = open_store(dir.path() + "/mangfold.db");
  SmtpOptions wrong = smtp(server);
  wrong.username = "mangfold";
  wrong.password = "wrong";
  wrong.allow_plain_auth = true;  // this test server has no TLS: AUTH in clear, explicitly
  SmtpMailer bad(wrong);
  REQUIRE(
      submit_sync(*store, "e1", pipeline_plan(oslo_policy(), snapshot("v-400")), "oslo", "v-400")
          .ok());
  std::vector<DeliveryEvent> events;
  OutboxWorker bad_worker(
      *store, bad, worker_options(), [] { return kNow; }, [] { return 0.0; }, {},
      [&](const DeliveryEvent& e) { events.push_back(e); });
  REQUIRE(*bad_worker.run_once(kNow) == 1);
  CHECK(bad_worker.counters().retried == 1);
  REQUIRE(events.size() == 1);
  CHECK(events[0].error.find("check the SMTP credentials") != std::string::npos);  // not a timeout
  CHECK(server.messages().empty());

  SmtpOptions right = wrong;
  right.password = "s3cret-æ";
  SmtpMailer good(right);
  OutboxWorker good_worker(
      *store, good, worker_options(), [] { return kNow; }, [] { return 0.0; });
  REQUIRE(*good_worker.run_once(kNow + 600) == 1);
  CHECK(good_worker.counters().sent == 1);
  CHECK(server.messages().size() == 1);
  CHECK(mangfold::testing::read_file(dir.path() + "/received/auth.log") == "clear\nclear\n");
  server.stop();
}

// A self-signed certificate for 127.0.0.1 in `dir`: cert.pem, key.pem.
void make_certificate(const std::string& dir) {
  const auto made = mangfold::testing::run(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
       "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir + "/key.pem",
       "-out", dir + "/cert.pem"});
  REQUIRE_MESSAGE(made.exit_code == 0, made.err);
}

Message tls_message() {
  Message m;
  m.from = {"Mangfold Connector", "mangfold@oslo.example.no"};
  m.to = {{"Kari Nordmann", "kari@oslo.example.no"}};
  m.subject = "TLS";
  m.text = "Hello over TLS\n";
  m.message_id = "<mf-tls@oslo.example.no>";
  m.date = kNow;
  return m;
}

TEST_CASE(
    "SMTP over TLS: the server's certificate is always verified, against ca_file when given") {
  for (const std::string mode : {"implicit", "starttls"}) {
    CAPTURE(mode);
    mangfold::testing::TempDir dir;
    make_certificate(dir.path());
    SmtpServer server(dir.path(), {"--cert", dir.path() + "/cert.pem", "--key",
                                   dir.path() + "/key.pem", "--tls", mode});
    server.start();
    SmtpOptions options = smtp(server);
    if (mode == "implicit") options.url = "smtps://127.0.0.1:" + std::to_string(server.port());

    // The system's CA store does not know a self-signed certificate: refused, and not sent in
    // clear instead (STARTTLS is only offered here, not required).
    const Status untrusted = SmtpMailer(options).send(tls_message());
    CHECK(untrusted.code() == StatusCode::kUnavailable);
    CHECK(untrusted.message().find("certificate") != std::string::npos);
    CHECK(server.messages().empty());

    options.ca_file = dir.path() + "/cert.pem";
    const Status trusted = SmtpMailer(options).send(tls_message());
    CHECK_MESSAGE(trusted.ok(), trusted.message());
    CHECK(server.messages().size() == 1);
    server.stop();
  }
}

TEST_CASE("SMTP over TLS: a server that offers only TLS 1.1 is refused") {
  mangfold::testing::TempDir dir;
  make_certificate(dir.path());
  SmtpServer server(dir.path(), {"--cert", dir.path() + "/cert.pem", "--key",
                                 dir.path() + "/key.pem", "--tls", "implicit", "--max-tls", "1.1"});
  server.start();
  SmtpOptions options = smtp(server);
  options.url = "smtps://127.0.0.1:" + std::to_string(server.port());
  options.ca_file = dir.path() + "/cert.pem";
  const Status refused = SmtpMailer(options).send(tls_message());
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK(server.messages().empty());
  server.stop();
}

json envelope(const std::string& eml) {
  return json::parse(mangfold::testing::read_file(eml.substr(0, eml.size() - 4) + ".json"));
}

TEST_CASE("require_starttls: a server that does not offer STARTTLS gets nothing") {
  mangfold::testing::TempDir dir;
  SmtpServer server(dir.path());
  server.start();
  SmtpOptions options = smtp(server);
  options.require_starttls = true;
  const Status refused = SmtpMailer(options).send(tls_message());
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK(refused.message().find("STARTTLS") != std::string::npos);
  CHECK(server.messages().empty());

  options.require_starttls = false;  // opportunistic: in clear when not offered
  CHECK(SmtpMailer(options).send(tls_message()).ok());
  REQUIRE(server.messages().size() == 1);
  CHECK(envelope(server.messages()[0]).at("tls") == false);
  server.stop();
}

TEST_CASE("AUTH is never sent in clear: credentials make STARTTLS required") {
  mangfold::testing::TempDir dir;
  const std::vector<std::string> auth = {"--user", "mangfold", "--password", "s3cret"};
  fs::create_directories(dir.path() + "/plain");
  fs::create_directories(dir.path() + "/secure");
  SmtpServer plain(dir.path() + "/plain", auth);
  plain.start();
  SmtpOptions options = smtp(plain);
  options.username = "mangfold";
  options.password = "s3cret";
  const Status refused = SmtpMailer(options).send(tls_message());
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK(refused.message().find("STARTTLS") != std::string::npos);
  CHECK(plain.messages().empty());
  CHECK_FALSE(fs::exists(dir.path() + "/plain/received/auth.log"));  // no AUTH attempted
  plain.stop();

  make_certificate(dir.path());
  std::vector<std::string> tls = auth;
  tls.insert(tls.end(), {"--cert", dir.path() + "/cert.pem", "--key", dir.path() + "/key.pem",
                         "--tls", "starttls"});
  SmtpServer secure(dir.path() + "/secure", tls);
  secure.start();
  options.url = secure.url();
  options.ca_file = dir.path() + "/cert.pem";
  const Status sent = SmtpMailer(options).send(tls_message());
  CHECK_MESSAGE(sent.ok(), sent.message());
  REQUIRE(secure.messages().size() == 1);
  CHECK(envelope(secure.messages()[0]).at("tls") == true);
  CHECK(mangfold::testing::read_file(dir.path() + "/secure/received/auth.log") == "tls\n");
  secure.stop();
}

TEST_CASE("STARTTLS off: the session stays in clear, and credentials need allow_plain_auth") {
  mangfold::testing::TempDir dir;
  make_certificate(dir.path());
  SmtpServer server(dir.path(), {"--cert", dir.path() + "/cert.pem", "--key",
                                 dir.path() + "/key.pem", "--tls", "starttls"});
  server.start();
  SmtpOptions options = smtp(server);
  options.starttls = false;
  CHECK(SmtpMailer(options).send(tls_message()).ok());
  REQUIRE(server.messages().size() == 1);
  CHECK(envelope(server.messages()[0]).at("tls") == false);  // offered, not used

  options.username = "mangfold";
  options.password = "s3cret";
  const Status refused = SmtpMailer::validate(options);
  CHECK(refused.code() == StatusCode::kInvalidArgument);
  CHECK(refused.message().find("unencrypted") != std::string::npos);
  options.allow_plain_auth = true;
  CHECK(SmtpMailer::validate(options).ok());
  options.require_starttls = true;
  CHECK(SmtpMailer::validate(options).code() == StatusCode::kInvalidArgument);
  server.stop();
}

}  // namespace
}  // namespace mangfold::notify
