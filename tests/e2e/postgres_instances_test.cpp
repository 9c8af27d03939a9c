// Two `mangfold serve` instances on one PostgreSQL database (issue 20): events posted to
// both at once for the same vacancies, then one instance killed with SIGKILL under load
// while a real SMTP server (tests/notify/smtp_server.py) counts the emails. Every
// acknowledged event is stored once, the verdicts equal those of one instance that saw
// the same events, and every email is delivered once.
#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/webhook/signature.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mangfold_process.hpp"
#include "tests/support/pg_test_server.hpp"
#include "tests/support/process.hpp"

using namespace mangfold;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;
const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::vector<std::pair<std::string, std::string>> headers(const std::string& id,
                                                         const std::string& body) {
  auto secret = webhook::parse_standard_webhooks_secret(kSecret);
  const std::int64_t at = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  return {{"Content-Type", "application/json"},
          {"webhook-id", id},
          {"webhook-timestamp", std::to_string(at)},
          {"webhook-signature", webhook::sign_standard_webhooks(id, at, body, *secret)}};
}

// A native event for vacancy `v` that falls short (Oslo: invite one; none invited): one
// email to its manager. Every event of a vacancy carries the same state, so the stored
// verdict does not depend on the order in which the instances apply them.
std::string event(const std::string& id, int v) {
  const std::string vid = "v" + std::to_string(v);
  return nlohmann::json{
      {"event", {{"id", id}}},
      {"vacancy",
       {{"id", vid},
        {"title", "Rådgiver " + vid},
        {"manager", {{"name", "Åse Ødegård"}, {"email", "leder-" + vid + "@oslo.example.no"}}},
        {"ad",
         {{"language", "nb"},
          {"body",
           "<p>Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke "
           "stillingen.</p>"}}}}},
      {"applications",
       {{{"candidate_id", "cand-" + vid + "-1"},
         {"stage", "applied"},
         {"qualification", "qualified"},
         {"answers", {{"immigrant_background", "yes"}}}},
        {{"candidate_id", "cand-" + vid + "-2"},
         {"stage", "interview"},
         {"qualification", "qualified"},
         {"answers", {{"immigrant_background", "no"}}}}}}}
      .dump();
}

struct Event {
  std::string id;
  int vacancy;
};

std::string config(const std::string& conninfo, const std::string& mail) {
  return "listen: {address: 127.0.0.1, port: 0}\n"
         "storage: {postgres: {conninfo: \"" +
         conninfo + "\", pool: 2}}\nmail: " + mail + "\ntenants:\n  oslo:\n    policy: " + kRoot +
         "/policies/oslo.yaml\n    signature: {secret: {file: oslo.whsec}}\n"
         "    pseudonyms: {key: {file: p.key}}\n";
}

std::vector<fs::path> emails(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".eml") out.push_back(e.path());
  return out;
}

std::string message_id(const fs::path& eml) {
  std::ifstream in(eml);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Message-ID:", 0) == 0 || line.rfind("Message-Id:", 0) == 0) return line;
  return "";
}

// Posts until an instance acknowledges: to `first`, and to `other` when `first` gives no
// answer or a 5xx (as a load balancer retries on another backend). True when acknowledged.
bool deliver(testing::MangfoldProcess* first, testing::MangfoldProcess* other,
             const std::string& id, const std::string& body) {
  for (int attempt = 0; attempt < 40; ++attempt) {
    testing::MangfoldProcess* to = attempt % 2 == 0 ? first : other;
    auto answer =
        testing::http_request("POST", to->url("/hooks/oslo"), headers(id, body), body, 5000);
    if (answer.status == 200) return true;
    if (answer.status != 0 && answer.status < 500) return false;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("two instances on one database, one killed under load: events once, emails once") {
  testing::TempDir dir;
  auto path = [&](const std::string& name) { return dir.path() + "/" + name; };
  testing::write_file(path("oslo.whsec"), kSecret);
  testing::write_file(path("p.key"), "0123456789abcdef0123456789abcdef0123456789abcdef");

  fs::create_directories(path("smtp"));
  testing::Child smtp({"/usr/bin/python3", kRoot + "/tests/notify/smtp_server.py", "--folder",
                       path("smtp"), "--port", "0"},
                      path("smtp.out"));
  int smtp_port = 0;
  for (int i = 0; i < 400 && smtp_port == 0; ++i) {
    const std::string out = testing::read_file(path("smtp.out"));
    if (auto at = out.find("PORT "); at != std::string::npos)
      smtp_port = std::stoi(out.substr(at + 5));
    std::this_thread::sleep_for(25ms);
  }
  REQUIRE(smtp_port > 0);

  const std::string shared = testing::pg::schema_conninfo(path("shared"));
  const std::string single = testing::pg::schema_conninfo(path("single"));
  testing::write_file(path("shared.yaml"),
                      config(shared, "{smtp_url: \"smtp://127.0.0.1:" + std::to_string(smtp_port) +
                                         "\", from: \"Mangfold <mangfold@oslo.example.no>\"}"));
  testing::write_file(path("single.yaml"), config(single, "{spool_dir: spool}"));

  testing::MangfoldProcess a(MANGFOLD_BINARY, path("shared.yaml"), path("unused.db"),
                             path("a.log"));
  testing::MangfoldProcess b(MANGFOLD_BINARY, path("shared.yaml"), path("unused.db"),
                             path("b.log"));
  // Both start at once: the schema is migrated once, under the advisory lock.
  std::thread start_a([&] { CHECK_MESSAGE(a.start(), a.log()); });
  REQUIRE_MESSAGE(b.start(), b.log());
  start_a.join();
  REQUIRE(a.port() > 0);

  // Phase 1: 10 vacancies, 6 events each; every event posted to both instances at once
  // (the second delivery is a redelivery: a duplicate wherever it lands).
  std::vector<Event> events;
  for (int i = 0; i < 60; ++i)
    events.push_back({"evt-" + std::to_string(i), i % 10});
  {
    std::atomic<int> ok{0};
    auto post_all = [&](testing::MangfoldProcess& to, testing::MangfoldProcess& other) {
      for (const Event& e : events)
        if (deliver(&to, &other, e.id, event(e.id, e.vacancy))) ++ok;
    };
    std::thread t1([&] { post_all(a, b); });
    std::thread t2([&] { post_all(b, a); });
    t1.join();
    t2.join();
    CHECK(ok.load() == 2 * static_cast<int>(events.size()));
  }
  CHECK(testing::pg::admin_int("SELECT count(*) FROM events", shared) == 60);

  // Phase 2: 20 more vacancies; two senders alternate between the instances, and A is
  // killed with SIGKILL a third of the way through. Deliveries A does not answer go to B.
  std::vector<Event> more;
  for (int i = 0; i < 200; ++i)
    more.push_back({"evt-k-" + std::to_string(i), 10 + i % 20});
  std::atomic<int> sent{0}, acked{0};
  auto sender = [&](int part) {
    for (std::size_t i = part; i < more.size(); i += 2) {
      const bool to_a = (i / 2) % 2 == 0;
      if (deliver(to_a ? &a : &b, to_a ? &b : &a, more[i].id, event(more[i].id, more[i].vacancy)))
        ++acked;
      ++sent;
    }
  };
  std::thread s1([&] { sender(0); });
  std::thread s2([&] { sender(1); });
  while (sent.load() < 70)
    std::this_thread::sleep_for(5ms);
  a.child().signal(SIGKILL);
  CHECK(a.child().wait(10000) == -1);
  s1.join();
  s2.join();
  CHECK(acked.load() == static_cast<int>(more.size()));
  for (const Event& e : more)
    events.push_back(e);

  // Every acknowledged event is stored once.
  CHECK(testing::pg::admin_int("SELECT count(*) FROM events", shared) == 260);

  // Rows A had claimed stay inflight until their lease (300 s) runs out. Once B has sent
  // everything else and is idle, those leases are ended here instead of waiting: B then
  // takes the rows over, as it would after the lease.
  // (Reminders for later stay pending: only the emails due now count.)
  const std::string due = " AND not_before <= extract(epoch FROM now())";
  const std::string pending =
      "SELECT count(*) FROM outbox WHERE kind = 'email' AND state = 'pending'" + due;
  const std::string inflight =
      "SELECT count(*) FROM outbox WHERE kind = 'email' AND state = 'inflight'";
  for (int i = 0; i < 300 && testing::pg::admin_int(pending, shared) > 0; ++i)
    std::this_thread::sleep_for(100ms);
  long long stable = -1;
  for (int i = 0; i < 60; ++i) {
    const long long now = testing::pg::admin_int(inflight, shared);
    if (now == stable) break;
    stable = now;
    std::this_thread::sleep_for(1s);
  }
  testing::pg::admin_exec(
      "UPDATE outbox SET lease_until = 0 WHERE kind = 'email' AND state = 'inflight'", shared);
  const std::string done = "SELECT count(*) FROM outbox WHERE kind = 'email' AND state = 'done'";
  for (int i = 0; i < 300 && testing::pg::admin_int(done, shared) < 30; ++i)
    std::this_thread::sleep_for(100ms);
  CHECK(testing::pg::admin_int(done, shared) == 30);
  CHECK(testing::pg::admin_int(
            "SELECT count(*) FROM outbox WHERE kind = 'email' AND state <> 'done'" + due, shared) ==
        0);

  // One email per vacancy reached the SMTP server, none twice.
  std::this_thread::sleep_for(3s);  // longer than a worker's poll: a second copy would be here
  const auto mails = emails(path("smtp"));
  std::set<std::string> ids;
  for (const auto& m : mails)
    ids.insert(message_id(m));
  CHECK(ids.size() == 30);
  CHECK(mails.size() == 30);

  // The same events through one instance give the same verdicts.
  testing::MangfoldProcess one(MANGFOLD_BINARY, path("single.yaml"), path("unused.db"),
                               path("single.log"));
  REQUIRE_MESSAGE(one.start(), one.log());
  for (const Event& e : events)
    REQUIRE(deliver(&one, &one, e.id, event(e.id, e.vacancy)));
  const std::string verdicts =
      "SELECT vacancy_id, policy_id, phase, overall, rules FROM current_verdicts "
      "ORDER BY vacancy_id";
  const std::string multi = testing::pg::admin_text(verdicts, shared);
  CHECK(std::count(multi.begin(), multi.end(), '\n') == 30);
  CHECK(multi == testing::pg::admin_text(verdicts, single));
  const std::string stages =
      "SELECT vacancy_id, stages FROM candidate_stages ORDER BY vacancy_id, stages";
  CHECK(testing::pg::admin_text(stages, shared) == testing::pg::admin_text(stages, single));
  CHECK(testing::pg::admin_int("SELECT count(*) FROM events", single) == 260);
  b.child().signal(SIGTERM);
  one.child().signal(SIGTERM);
}
