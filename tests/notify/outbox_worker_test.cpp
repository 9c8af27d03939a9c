// The outbox worker against a real SQLite store and a scripted mailer: delivery, backoff,
// dead letters, reminders that are no longer due, replays, and stopping mid-batch.
#include <doctest/doctest.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "connector/notify/outbox_worker.hpp"
#include "connector/notify/payload.hpp"
#include "notify_test_support.hpp"
#include "tests/support/process.hpp"

namespace mangfold::notify {
namespace {

using domain::Outcome;
using namespace testing;

// Answers with scripted statuses (OK once the script is used up) and records messages.
class ScriptedMailer final : public Mailer {
 public:
  Status send(const Message& m) override {
    std::unique_lock lock(mu_);
    ++calls_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !hold_; });
    Status s;
    if (!script_.empty()) {
      s = script_.front();
      script_.pop_front();
    }
    if (s.ok()) sent_.push_back(m);
    return s;
  }
  void script(std::vector<Status> s) {
    std::lock_guard lock(mu_);
    script_.assign(s.begin(), s.end());
  }
  void hold(bool h) {
    std::lock_guard lock(mu_);
    hold_ = h;
    cv_.notify_all();
  }
  bool wait_calls(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return calls_ >= n; });
  }
  std::vector<Message> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Status> script_;
  std::vector<Message> sent_;
  int calls_ = 0;
  bool hold_ = false;
};

struct Fixture {
  mangfold::testing::TempDir dir;
  std::unique_ptr<store::Store> store = open_store(dir.path() + "/m.db");
  ScriptedMailer mailer;
  std::vector<DeliveryEvent> events;
  WorkerOptions options = [] {
    WorkerOptions o;
    o.from = {"Mangfold", "mangfold@oslo.example.no"};
    o.backoff_base_seconds = 60;
    o.backoff_cap_seconds = 3600;
    o.max_attempts = 5;
    return o;
  }();
  OutboxWorker worker{*store,
                      mailer,
                      options,
                      [] { return kNow; },
                      [] { return 0.0; },
                      {},
                      [this](const DeliveryEvent& e) { events.push_back(e); }};

  std::int64_t depth(const char* state) { return *store->outbox_depth(state); }
};

const domain::Verdict kShortfall = verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)});
const domain::Verdict kCompliant = verdict({interview_rule(Outcome::kCompliant, 2, 3, 1, 1)});

TEST_CASE("a planned shortfall is sent once and completed, and its replay adds no row") {
  Fixture f;
  REQUIRE(submit_sync(*f.store, "e1", verdict_plan(kShortfall)).ok());
  CHECK(f.depth("pending") == 2);  // the email and its reminder
  // The same verdict again (another event) and a replayed plan with an empty prior: no
  // new row, the keys are the same.
  REQUIRE(submit_sync(*f.store, "e2", verdict_plan(kShortfall)).ok());
  REQUIRE(submit_sync(*f.store, "e3", [](const store::StoredVacancy&) -> Result<store::Changes> {
            store::Changes c;
            c.outbox = plan_notifications(vacancy(), std::nullopt, kShortfall, settings(), kNow);
            return c;
          }).ok());
  CHECK(f.depth("pending") == 2);

  REQUIRE(*f.worker.run_once(kNow) == 1);  // the reminder is not due yet
  const std::vector<Message> sent = f.mailer.sent();
  REQUIRE(sent.size() == 1);
  const Message& m = sent[0];
  CHECK(m.subject == "Intervjuordningen er ikke oppfylt – Rådgiver i økonomiavdelingen");
  CHECK(m.to[0].email == "kare.odegard@oslo.example.no");
  CHECK(m.message_id.find("@oslo.example.no>") != std::string::npos);
  CHECK(f.depth("done") == 1);
  CHECK(f.depth("pending") == 1);
  CHECK(f.worker.counters().sent == 1);
  REQUIRE(f.events.size() == 1);
  CHECK(f.events[0].kind == DeliveryEvent::Kind::kSent);
  CHECK(f.events[0].template_name == "shortfall");
  CHECK(*f.worker.run_once(kNow + 60) == 0);
  CHECK(f.mailer.sent().size() == 1);
}

TEST_CASE("a temporary failure is retried after the backoff, then delivered") {
  Fixture f;
  policy::Notifications s = settings();
  s.remind_after_days = 0;
  REQUIRE(submit_sync(*f.store, "e1", verdict_plan(kShortfall, s)).ok());
  f.mailer.script({unavailable("smtp: connection refused"), unavailable("smtp: 451")});
  CHECK(*f.worker.run_once(kNow) == 1);
  CHECK(f.worker.counters().retried == 1);
  REQUIRE(f.events.back().kind == DeliveryEvent::Kind::kRetried);
  // random = 0: half the base delay.
  CHECK(f.events.back().next_attempt == kNow + 30);
  CHECK(f.events.back().error == "smtp: connection refused");
  CHECK(*f.worker.run_once(kNow + 29) == 0);
  CHECK(*f.worker.run_once(kNow + 30) == 1);  // second attempt: delay 120 → 60
  CHECK(f.events.back().next_attempt == kNow + 30 + 60);
  CHECK(*f.worker.run_once(kNow + 90) == 1);
  CHECK(f.mailer.sent().size() == 1);
  CHECK(f.depth("done") == 1);
  CHECK(f.worker.counters().sent == 1);
  CHECK(f.worker.counters().retried == 2);
}

TEST_CASE("a permanent failure is dead-lettered and counted") {
  Fixture f;
  policy::Notifications s = settings();
  s.remind_after_days = 0;
  REQUIRE(submit_sync(*f.store, "e1", verdict_plan(kShortfall, s)).ok());
  f.mailer.script({failed_precondition("smtp: RCPT failed: 550 (reply 550)")});
  CHECK(*f.worker.run_once(kNow) == 1);
  CHECK(f.depth("dead") == 1);
  CHECK(f.worker.counters().dead == 1);
  CHECK(f.worker.counters().sent == 0);
  CHECK(f.events.back().kind == DeliveryEvent::Kind::kDead);
  CHECK(*f.worker.run_once(kNow + 86400) == 0);
  CHECK(f.mailer.calls() == 1);
}

TEST_CASE("temporary failures end in the dead letters after max_attempts") {
  Fixture f;
  policy::Notifications s = settings();
  s.remind_after_days = 0;
  REQUIRE(submit_sync(*f.store, "e1", verdict_plan(kShortfall, s)).ok());
  f.mailer.script(std::vector<Status>(10, unavailable("smtp: timeout")));
  std::int64_t now = kNow;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(*f.worker.run_once(now) == 1);
    now += 3600;
  }
  CHECK(f.worker.counters().retried == 4);
  CHECK(f.worker.counters().dead == 1);
  CHECK(f.depth("dead") == 1);
  CHECK(f.events.back().error == "gave up after 5 attempts: smtp: timeout");
}

TEST_CASE("a payload that cannot render is dead-lettered without a send") {
  Fixture f;
  REQUIRE(submit_sync(*f.store, "e1", [](const store::StoredVacancy&) -> Result<store::Changes> {
            store::Changes c;
            c.outbox.push_back({"email", "k1", "", "", R"({"v":1,"template":"shortfall"})", 0, ""});
            c.outbox.push_back({"ad_writeback", "k2", "", "", "{}", 0, ""});  // not ours
            return c;
          }).ok());
  CHECK(*f.worker.run_once(kNow) == 1);
  CHECK(f.mailer.calls() == 0);
  CHECK(f.worker.counters().dead == 1);
  CHECK(f.depth("pending") == 1);  // the write-back is left alone
}

TEST_CASE("a reminder goes out with today's figures only while the shortfall lasts") {
  const std::int64_t due = kNow + 5 * 86400;
  SUBCASE("still in shortfall: sent with the current counts") {
    Fixture f;
    REQUIRE(submit_sync(*f.store, "e1", verdict_plan(kShortfall)).ok());
    const auto worse = verdict({interview_rule(Outcome::kShortfall, 4, 6, 0, 1)});
    REQUIRE(submit_sync(*f.store, "e2", verdict_plan(worse)).ok());  // Q grew, missing did not
    REQUIRE(*f.worker.run_once(kNow) == 1);
    REQUIRE(*f.worker.run_once(due) == 1);
    const std::vector<Message> sent = f.mailer.sent();
    REQUIRE(sent.size() == 2);
    const Message& reminder = sent[1];
    CHECK(reminder.subject.rfind("Påminnelse: intervjuordningen er fortsatt ikke oppfylt", 0) == 0);
    CHECK(reminder.text.find("4 kvalifiserte søkere med innvandrerbakgrunn") != std::string::npos);
    CHECK(reminder.date == due);
  }
  SUBCASE("resolved before it was due: completed without sending") {
    Fixture f;
    REQUIRE(submit_sync(*f.store, "e1", verdict_plan(kShortfall)).ok());
    REQUIRE(submit_sync(*f.store, "e2", verdict_plan(kCompliant)).ok());
    REQUIRE(*f.worker.run_once(kNow) == 2);  // the shortfall and the resolved note
    REQUIRE(*f.worker.run_once(due) == 1);
    CHECK(f.mailer.sent().size() == 2);
    CHECK(f.worker.counters().skipped == 1);
    CHECK(f.events.back().kind == DeliveryEvent::Kind::kSkipped);
    CHECK(f.depth("done") == 3);
  }
}

TEST_CASE("the deadline reminder waits for a moved deadline, then says the deadline passed") {
  policy::Notifications s = settings();
  s.send_on.push_back("deadline_passed");
  s.remind_after_days = 0;
  constexpr std::int64_t kMorningAfter = 1773640800;  // 2026-03-16 07:00 CET
  Fixture f;
  REQUIRE(submit_sync(*f.store, "e1", verdict_plan(kShortfall, s)).ok());
  REQUIRE(*f.worker.run_once(kNow) == 1);  // the shortfall email
  CHECK(*f.worker.run_once(kMorningAfter - 1) == 0);
  SUBCASE("the deadline stands: sent that morning") {
    REQUIRE(*f.worker.run_once(kMorningAfter) == 1);
    REQUIRE(f.mailer.sent().size() == 2);
    const Message m = f.mailer.sent()[1];
    CHECK(m.subject ==
          "Påminnelse: søknadsfristen er ute, og intervjuordningen er fortsatt ikke oppfylt – "
          "Rådgiver i økonomiavdelingen");
    CHECK(m.text.find("Dette er en påminnelse: søknadsfristen gikk ut 15. mars 2026, og nå er "
                      "det tid for å sette opp intervjulisten.") != std::string::npos);
  }
  SUBCASE("the ATS moved the deadline a week: postponed, then sent") {
    VacancyInfo later = vacancy();
    later.deadline = "2026-03-22";
    // Same state, new deadline: no new notice, the vacancy row has the new deadline.
    REQUIRE(submit_sync(*f.store, "e2", verdict_plan(kShortfall, s, later)).ok());
    CHECK(f.depth("pending") == 1);
    REQUIRE(*f.worker.run_once(kMorningAfter) == 1);
    CHECK(f.mailer.sent().size() == 1);
    CHECK(f.events.back().kind == DeliveryEvent::Kind::kPostponed);
    CHECK(f.events.back().next_attempt == kMorningAfter + 7 * 86400);
    CHECK(f.depth("pending") == 1);
    CHECK(*f.worker.run_once(kMorningAfter + 7 * 86400 - 1) == 0);
    REQUIRE(*f.worker.run_once(kMorningAfter + 7 * 86400) == 1);
    REQUIRE(f.mailer.sent().size() == 2);
    CHECK(f.mailer.sent()[1].text.find("søknadsfristen gikk ut 22. mars 2026") !=
          std::string::npos);
  }
  SUBCASE("invited before the deadline: nothing more") {
    REQUIRE(submit_sync(*f.store, "e2", verdict_plan(kCompliant, s)).ok());
    REQUIRE(*f.worker.run_once(kMorningAfter) == 2);  // the resolved note; the reminder skipped
    CHECK(f.mailer.sent().size() == 2);
    CHECK(f.worker.counters().skipped == 1);
  }
}

TEST_CASE("backoff doubles up to the cap, with equal jitter") {
  WorkerOptions o;
  o.backoff_base_seconds = 30;
  o.backoff_cap_seconds = 600;
  struct Row {
    int attempts;
    double random;
    std::int64_t expected;
  };
  for (const Row& row :
       {Row{1, 0.0, 15}, Row{1, 1.0, 30}, Row{1, 0.5, 23}, Row{2, 0.0, 30}, Row{3, 1.0, 120},
        Row{5, 1.0, 480}, Row{6, 1.0, 600}, Row{6, 0.0, 300}, Row{1000, 1.0, 600}}) {
    CAPTURE(row.attempts);
    CAPTURE(row.random);
    CHECK(OutboxWorker::backoff_seconds(o, row.attempts, row.random) == row.expected);
  }
  o.backoff_base_seconds = 1;
  CHECK(OutboxWorker::backoff_seconds(o, 1, 0.0) == 1);  // never 0
}

TEST_CASE("the thread delivers woken rows, and stop() finishes the message in hand") {
  Fixture f;
  policy::Notifications s = settings();
  s.remind_after_days = 0;
  for (int i = 0; i < 3; ++i) {
    VacancyInfo v = vacancy();
    v.vacancy_id = "v-" + std::to_string(i);
    REQUIRE(submit_sync(*f.store, "e" + std::to_string(i), verdict_plan(kShortfall, s, v), "oslo",
                        v.vacancy_id)
                .ok());
  }
  f.mailer.hold(true);
  f.worker.start();
  REQUIRE(f.mailer.wait_calls(1));  // the first message is in hand
  std::thread stopper([&] { f.worker.stop(); });
  for (int i = 0; i < 3000 && !f.worker.stop_requested(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(f.worker.stop_requested());
  // stop() waits for the message in hand; let it finish.
  f.mailer.hold(false);
  stopper.join();
  CHECK(f.mailer.sent().size() == 1);
  CHECK(f.depth("done") == 1);
  CHECK(f.depth("pending") == 2);  // handed back, due at once
  CHECK(f.depth("inflight") == 0);

  // Started again, it delivers the rest.
  f.worker.start();
  f.worker.wake();
  for (int i = 0; i < 3000 && f.depth("done") < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  f.worker.stop();
  CHECK(f.depth("done") == 3);
  CHECK(f.mailer.sent().size() == 3);
}

TEST_CASE("per-tenant templates are used when given") {
  mangfold::testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/nb");
  mangfold::testing::write_file(dir.path() + "/nb/shortfall.subject", "Egen tekst: {{title}}");
  auto oslo = std::make_shared<const Templates>(*Templates::load(dir.path()));
  Fixture f;
  OutboxWorker worker(
      *f.store, f.mailer, f.options, [] { return kNow; }, [] { return 0.0; },
      [oslo](std::string_view tenant) { return tenant == "oslo" ? oslo : nullptr; });
  policy::Notifications s = settings();
  s.remind_after_days = 0;
  REQUIRE(submit_sync(*f.store, "e1", verdict_plan(kShortfall, s)).ok());
  REQUIRE(*worker.run_once(kNow) == 1);
  CHECK(f.mailer.sent().at(0).subject == "Egen tekst: Rådgiver i økonomiavdelingen");
}

}  // namespace
}  // namespace mangfold::notify
