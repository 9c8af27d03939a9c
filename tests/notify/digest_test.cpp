// The daily digest: when it is due in Norwegian time, how notifications are batched and
// folded, the pinned text in three languages, and the worker sending one email per
// recipient from a real SQLite store.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "connector/notify/digest.hpp"
#include "connector/notify/outbox_worker.hpp"
#include "connector/notify/payload.hpp"
#include "connector/notify/plan.hpp"
#include "connector/notify/templates.hpp"
#include "notify_test_support.hpp"
#include "tests/support/process.hpp"

namespace mangfold::notify {
namespace {

using domain::Outcome;
using namespace testing;
namespace fs = std::filesystem;

// Expected instants computed independently with Python's zoneinfo (Europe/Oslo).
TEST_CASE("the digest is due at the next digest time in Norwegian time") {
  constexpr int k0700 = 7 * 60;
  // 2026-03-02 09:00 UTC is 10:00 CET: tomorrow 07:00 CET = 06:00 UTC.
  CHECK(next_digest_time(kNow, k0700) == 1772517600);
  // 05:00 UTC is 06:00 CET: today at 07:00.
  CHECK(next_digest_time(1772427600, k0700) == 1772431200);
  // At the digest time exactly: the next day's, so a batch is never due twice in a second.
  CHECK(next_digest_time(1772431200, k0700) == 1772517600);
  // Summer time: 2026-07-01 03:00 UTC (05:00 CEST) → 05:00 UTC.
  CHECK(next_digest_time(1782874800, k0700) == 1782882000);
  // Across the spring change (Sunday 29 March 2026): Saturday evening → Sunday 07:00 CEST.
  CHECK(next_digest_time(1774720800, k0700) == 1774760400);
  // ... and the autumn change (Sunday 25 October 2026): Saturday evening → 07:00 CET.
  CHECK(next_digest_time(1792864800, k0700) == 1792908000);
  // 02:30 does not exist on the spring day and happens twice on the autumn day: standard
  // time is used (01:30 UTC both times).
  CHECK(next_digest_time(1774720800, 2 * 60 + 30) == 1774747800);
  CHECK(next_digest_time(1792864800, 2 * 60 + 30) == 1792891800);
  // Midnight and one minute before it.
  CHECK(next_digest_time(kNow, 0) == 1772492400);             // 2026-03-03 00:00 CET
  CHECK(next_digest_time(kNow, 23 * 60 + 59) == 1772492340);  // 2026-03-02 23:59 CET
  CHECK(norwegian_time_text(1772517600) == "2026-03-03 07:00");
  CHECK(norwegian_time_text(1782882000) == "2026-07-01 07:00");
}

Payload payload(std::string template_name, std::string vacancy_id, std::string rule,
                std::string deadline = "2026-03-15", std::string title = "Rådgiver") {
  Payload p;
  p.template_name = std::move(template_name);
  p.language = "nb";
  p.tenant = "oslo";
  p.key = "k-" + p.template_name + "-" + vacancy_id + "-" + rule;
  p.to = {{"Kåre Ødegård", "kare.odegard@oslo.example.no"}};
  p.vacancy_id = std::move(vacancy_id);
  p.rule = std::move(rule);
  p.deadline = std::move(deadline);
  p.title = std::move(title);
  return p;
}

std::vector<std::string> summary(const std::vector<Payload>& entries) {
  std::vector<std::string> out;
  for (const Payload& p : entries)
    out.push_back(p.vacancy_id + "/" + p.rule + "/" + p.template_name);
  return out;
}

TEST_CASE("one batch per recipient and tenant, whatever the address's case, language or role") {
  const Payload a = payload("shortfall", "v-1", "invite_one");
  Payload b = payload("resolved", "v-2", "invite_one");
  b.to[0].email = "Kare.Odegard@OSLO.example.no";
  CHECK(digest_batch_key(a) == digest_batch_key(b));
  CHECK(digest_batch_key(a).rfind("oslo:", 0) == 0);
  // One recipient, one digest a day: the same person written to in another language, or
  // as HR as well as a manager, is still one batch.
  for (auto same : std::vector<void (*)(Payload&)>{
           [](Payload& p) { p.language = "nn"; },
           [](Payload& p) { p.to_manager = false; },
       }) {
    Payload c = a;
    same(c);
    CHECK(digest_batch_key(c) == digest_batch_key(a));
  }
  for (auto change : std::vector<void (*)(Payload&)>{
           [](Payload& p) { p.tenant = "bergen"; },
           [](Payload& p) { p.to[0].email = "other@oslo.example.no"; },
       }) {
    Payload c = a;
    change(c);
    CHECK(digest_batch_key(c) != digest_batch_key(a));
  }
}

TEST_CASE("digest entries: the latest current notice per rule, resolved only when alone") {
  SUBCASE("a shortfall that began and ended since the last digest says nothing") {
    CHECK(digest_entries({{payload("shortfall", "v-1", "invite_one"), false},
                          {payload("resolved", "v-1", "invite_one"), true}})
              .empty());
  }
  SUBCASE("a resolution of a shortfall mailed in an earlier digest is reported") {
    CHECK(summary(digest_entries({{payload("resolved", "v-1", "invite_one"), true}})) ==
          std::vector<std::string>{"v-1/invite_one/resolved"});
  }
  SUBCASE("resolved, then in shortfall again: only the shortfall") {
    CHECK(summary(digest_entries({{payload("resolved", "v-1", "invite_one"), true},
                                  {payload("shortfall", "v-1", "invite_one"), true}})) ==
          std::vector<std::string>{"v-1/invite_one/shortfall"});
  }
  SUBCASE("a shortfall that grew and a reminder: one line, the latest") {
    Payload grew = payload("shortfall", "v-1", "invite_one");
    grew.counts.missing = 2;
    const auto out = digest_entries({{payload("shortfall", "v-1", "invite_one"), true},
                                     {payload("reminder", "v-1", "invite_one"), true},
                                     {grew, true}});
    REQUIRE(out.size() == 1);
    CHECK(out[0].counts.missing == 2);
  }
  SUBCASE("a reminder whose shortfall is over is dropped") {
    CHECK(digest_entries({{payload("reminder", "v-1", "invite_one"), false}}).empty());
  }
  SUBCASE("vacancies by deadline (none last), actions before resolved within one") {
    const auto out = digest_entries({
        {payload("shortfall", "v-late", "invite_one", "2026-04-01"), true},
        {payload("resolved", "v-soon", "ad_sentence", "2026-03-10"), true},
        {payload("shortfall", "v-none", "invite_one", ""), true},
        {payload("justification_missing", "v-soon", "justify_hire", "2026-03-10"), true},
    });
    CHECK(summary(out) == std::vector<std::string>{"v-soon/justify_hire/justification_missing",
                                                   "v-soon/ad_sentence/resolved",
                                                   "v-late/invite_one/shortfall",
                                                   "v-none/invite_one/shortfall"});
  }
  SUBCASE("by urgency first (breach, warning, advice, the rest, resolved), then by deadline") {
    auto with = [](Payload p, const char* severity) {
      p.severity = severity;
      return p;
    };
    const auto out = digest_entries({
        {with(payload("resolved", "v-done", "invite_one", "2026-03-01"), ""), true},
        {with(payload("shortfall", "v-advice", "invite_one", "2026-03-02"), "advice"), true},
        {with(payload("ad_flagged", "v-warn-late", "ad_sentence", "2026-05-01"), "warning"), true},
        {with(payload("insufficient_data", "v-none", "invite_one", ""), "advice"), true},
        {with(payload("shortfall", "v-warn-soon", "invite_one", "2026-04-01"), "warning"), true},
        {with(payload("shortfall", "v-breach", "invite_one", "2026-06-01"), "breach"), true},
        {with(payload("quota_flagged", "v-advice", "quota", "2026-03-02"), "warning"), true},
        {with(payload("ad_flagged", "v-advice", "ad_sentence", "2026-03-02"), "advice"), true},
    });
    CHECK(summary(out) == std::vector<std::string>{
                              "v-breach/invite_one/shortfall",
                              // v-advice's most urgent item is a warning; soonest deadline
                              "v-advice/quota/quota_flagged",
                              "v-advice/ad_sentence/ad_flagged",
                              "v-advice/invite_one/shortfall",
                              "v-warn-soon/invite_one/shortfall",
                              "v-warn-late/ad_sentence/ad_flagged",
                              "v-none/invite_one/insufficient_data",
                              "v-done/invite_one/resolved",
                          });
  }
}

TEST_CASE("the digest's key does not depend on the order of its rows") {
  CHECK(digest_key({"mf-a", "mf-b"}) == digest_key({"mf-b", "mf-a"}));
  CHECK(digest_key({"mf-a", "mf-b"}) != digest_key({"mf-a"}));
  CHECK(digest_key({"mf-a"}).size() == 35);
}

policy::Notifications digest_settings() {
  policy::Notifications s = settings();
  s.daily_digest = true;
  s.digest_minute = 7 * 60;
  return s;
}

TEST_CASE("with daily_digest the planner writes the same notices as digest rows") {
  const domain::Verdict shortfall = verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)});
  const auto single = plan_notifications(vacancy(), std::nullopt, shortfall, settings(), kNow);
  const auto batched =
      plan_notifications(vacancy(), std::nullopt, shortfall, digest_settings(), kNow);
  REQUIRE(single.size() == 2);  // the shortfall and its reminder
  REQUIRE(batched.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CAPTURE(i);
    CHECK(single[i].kind == "email");
    CHECK(single[i].batch_key.empty());
    CHECK(batched[i].kind == "digest");
    CHECK(batched[i].idempotency_key == single[i].idempotency_key);
    CHECK(batched[i].payload == single[i].payload);
    CHECK(batched[i].batch_key == digest_batch_key(*parse_payload(batched[i].payload)));
  }
  CHECK(batched[0].not_before == 1772517600);  // tomorrow 07:00 CET
  // The reminder five days on, at that day's digest: 2026-03-08 07:00 CET.
  CHECK(batched[1].not_before == 1772517600 + 5 * 86400);
}

// --- Rendering ------------------------------------------------------------------------

const fs::path kFixtures = fs::path(MANGFOLD_SOURCE_DIR) / "tests/fixtures/notify";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Two vacancies of one manager: a shortfall and a resolved ad on one, a reminder of a
// missing justification on the other.
std::vector<Payload> sample_entries(const std::string& language) {
  VacancyInfo first = vacancy();
  first.manager_language = language;
  VacancyInfo second = first;
  second.vacancy_id = "v-43";
  second.title = "Helsesykepleier";
  second.department = "";
  second.url = "";
  second.deadline = "2026-03-01";
  policy::Notifications s = digest_settings();
  s.send_on.push_back("ad_flagged");
  domain::RuleVerdict ad;
  ad.rule = "ad_sentence";
  ad.kind = "ad_sentence";
  ad.outcome = Outcome::kShortfall;
  ad.missing = 1;
  std::vector<DigestCandidate> candidates;
  auto add = [&](const VacancyInfo& v, const std::optional<domain::Verdict>& before,
                 const domain::Verdict& after, std::int64_t at) {
    for (const store::OutboxItem& row : plan_notifications(v, before, after, s, at))
      if (row.not_before == 1772517600) candidates.push_back({*parse_payload(row.payload), true});
  };
  const domain::Verdict ad_short = verdict({ad});
  ad.outcome = Outcome::kCompliant;
  ad.missing = 0;
  const domain::Verdict ad_ok = verdict({ad});
  // The ad was flagged in an earlier digest and is fixed now.
  add(first, ad_short, ad_ok, kNow);
  add(first, std::nullopt, verdict({interview_rule(Outcome::kShortfall, 3, 4, 1, 2)}), kNow);
  // A reminder planned five days ago falls due.
  add(second, std::nullopt,
      verdict({justification_rule(Outcome::kShortfall)}, domain::Phase::kRecommendation),
      kNow - 5 * 86400);
  return digest_entries(std::move(candidates));
}

TEST_CASE("a digest renders exactly as pinned in bokmål, nynorsk and English") {
  const Templates templates = Templates::builtin();
  const bool update = std::getenv("MANGFOLD_UPDATE_FIXTURES") != nullptr;
  for (const std::string lang : {"nb", "nn", "en"}) {
    CAPTURE(lang);
    const std::vector<Payload> entries = sample_entries(lang);
    REQUIRE(summary(entries) == std::vector<std::string>{"v-43/justify_hire/reminder",
                                                         "v-42/invite_one/shortfall",
                                                         "v-42/ad_sentence/resolved"});
    const Result<RenderedEmail> e = templates.render_digest(entries, 1772517600);
    REQUIRE_MESSAGE(e.ok(), e.status().message());
    const std::string pinned = "Subject: " + e->subject + "\n\n----- text/plain -----\n" + e->text +
                               "----- text/html -----\n" + e->html;
    const fs::path file = kFixtures / ("digest." + lang + ".txt");
    if (update) std::ofstream(file, std::ios::binary) << pinned;
    CHECK(pinned == read(file));
  }
}

TEST_CASE("the bokmål digest names both vacancies, the counts and what to do") {
  const Result<RenderedEmail> e =
      Templates::builtin().render_digest(sample_entries("nb"), 1772517600);
  REQUIRE(e.ok());
  CHECK(e->subject ==
        "Intervjuordningen: daglig oversikt 3. mars 2026 – 2 stillinger trenger oppfølging");
  const std::string& t = e->text;
  CHECK(t.find("Hei Kåre Ødegård,") == 0);
  CHECK(t.find("«Helsesykepleier»\n- Innstillingen mangler fortsatt en begrunnelse.") !=
        std::string::npos);
  CHECK(t.find("Søknadsfrist: 1. mars 2026 (utløpt)") != std::string::npos);
  CHECK(t.find("«Rådgiver i økonomiavdelingen» (Bydel Grünerløkka)\n- Intervjuordningen er ikke "
               "oppfylt: 3 kvalifiserte søkere med innvandrerbakgrunn, og 1 av dem er kalt inn. "
               "Kravet er nå minst 2. Kall inn enda én kvalifisert søker med innvandrerbakgrunn "
               "til intervju før innstillingen skrives. Når: Nå, før intervjulisten er endelig.") !=
        std::string::npos);
  CHECK(t.find("- I orden nå: annonsen har det den skal ha.") != std::string::npos);
  CHECK(t.find("Stillingen: https://oslo.example.no/stillinger/42") != std::string::npos);
  // The second vacancy has no department and no link: nothing of the first leaks into it.
  const std::string second =
      t.substr(t.find("«Helsesykepleier»"), t.find("«Rådgiver") - t.find("«Helsesykepleier»"));
  CHECK(second.find("Grünerløkka") == std::string::npos);
  CHECK(second.find("https://") == std::string::npos);
  CHECK(e->html.find("<h3 style=\"font-size:16px;margin:20px 0 4px;\">«Helsesykepleier»</h3>") !=
        std::string::npos);
}

TEST_CASE("a digest to HR names each vacancy's manager, and one that only resolves asks nothing") {
  VacancyInfo v = vacancy();
  v.manager_email = "not an address";
  const auto rows = plan_notifications(
      v, verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)}),
      verdict({interview_rule(Outcome::kCompliant, 2, 3, 1, 1)}), digest_settings(), kNow);
  REQUIRE(rows.size() == 1);
  const Payload p = *parse_payload(rows[0].payload);
  CHECK_FALSE(p.to_manager);
  const Result<RenderedEmail> e = Templates::builtin().render_digest({p}, 1772517600);
  REQUIRE(e.ok());
  CHECK(e->subject == "Intervjuordningen: daglig oversikt 3. mars 2026");
  CHECK(e->text.find("Hei,\n\nDenne e-posten går til HR") == 0);
  CHECK(e->text.find("Leder: Kåre Ødegård") != std::string::npos);
  CHECK(e->text.find("- I orden nå: intervjuordningen er oppfylt. 1 kvalifisert søker med "
                     "innvandrerbakgrunn er kalt inn, og kravet er minst 1.") != std::string::npos);
  CHECK_FALSE(Templates::builtin().render_digest({}, 1772517600).ok());
}

TEST_CASE("compose_digest: cc from every notice once, Message-ID from the digest key") {
  std::vector<Payload> entries = sample_entries("en");
  entries[1].cc = {{"", "MANGFOLD@oslo.example.no"}, {"", "kare.odegard@oslo.example.no"}};
  const Result<Message> m = compose_digest(entries, "mf-d1", 1772517600, Templates::builtin(),
                                           {"Mangfold", "mangfold@oslo.example.no"});
  REQUIRE(m.ok());
  CHECK(m->message_id == "<mf-d1@oslo.example.no>");
  CHECK(m->date == 1772517600);
  REQUIRE(m->to.size() == 1);
  REQUIRE(m->cc.size() == 1);  // the same cc twice (case aside) and the recipient: once
  CHECK(m->cc[0].email == "mangfold@oslo.example.no");
  CHECK(m->subject == "Interview scheme: daily overview 3 March 2026 – 2 vacancies need attention");
}

// --- The worker -----------------------------------------------------------------------

class RecordingMailer final : public Mailer {
 public:
  Status send(const Message& m) override {
    ++calls;
    Status s;
    if (!script.empty()) {
      s = script.front();
      script.erase(script.begin());
    }
    if (s.ok()) sent.push_back(m);
    return s;
  }
  std::vector<Status> script;
  std::vector<Message> sent;
  int calls = 0;
};

struct Fixture {
  mangfold::testing::TempDir dir;
  std::unique_ptr<store::Store> store = open_store(dir.path() + "/m.db");
  RecordingMailer mailer;
  std::vector<DeliveryEvent> events;
  OutboxWorker worker{*store,
                      mailer,
                      [] {
                        WorkerOptions o;
                        o.from = {"Mangfold", "mangfold@oslo.example.no"};
                        o.backoff_base_seconds = 60;
                        o.max_attempts = 3;
                        return o;
                      }(),
                      [] { return kNow; },
                      [] { return 0.0; },
                      {},
                      [this](const DeliveryEvent& e) { events.push_back(e); }};
  std::int64_t depth(const char* state) { return *store->outbox_depth(state); }

  void submit(const std::string& event, const std::string& vacancy_id, domain::Verdict v,
              VacancyInfo info = vacancy(), policy::Notifications s = digest_settings()) {
    info.vacancy_id = vacancy_id;
    v.vacancy_id = vacancy_id;
    REQUIRE(
        submit_sync(*store, event, verdict_plan(std::move(v), s, info), "oslo", vacancy_id).ok());
  }
};

constexpr std::int64_t kDigestTime = 1772517600;  // 2026-03-03 07:00 CET

TEST_CASE("the worker sends one digest per manager at the digest time, each row once") {
  Fixture f;
  policy::Notifications s = digest_settings();
  s.remind_after_days = 0;
  VacancyInfo other = vacancy();
  other.manager_name = "Siri Haugen";
  other.manager_email = "siri.haugen@oslo.example.no";
  f.submit("e1", "v-1", verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)}), vacancy(), s);
  f.submit("e2", "v-2", verdict({interview_rule(Outcome::kShortfall, 1, 2, 0, 1)}), vacancy(), s);
  f.submit("e3", "v-3", verdict({interview_rule(Outcome::kShortfall, 1, 2, 0, 1)}), other, s);
  CHECK(f.depth("pending") == 3);

  // Before the digest time nothing is due, also not as a single email.
  CHECK(*f.worker.run_once(kDigestTime - 1) == 0);
  CHECK(f.mailer.calls == 0);

  CHECK(*f.worker.run_once(kDigestTime) == 3);
  REQUIRE(f.mailer.sent.size() == 2);
  const Message& kare = f.mailer.sent[0].to[0].email == "kare.odegard@oslo.example.no"
                            ? f.mailer.sent[0]
                            : f.mailer.sent[1];
  const Message& siri = &kare == &f.mailer.sent[0] ? f.mailer.sent[1] : f.mailer.sent[0];
  CHECK(siri.to[0].email == "siri.haugen@oslo.example.no");
  CHECK(kare.subject.find("2 stillinger trenger oppfølging") != std::string::npos);
  CHECK(siri.subject.find("1 stilling trenger oppfølging") != std::string::npos);
  CHECK(kare.text.find("Hei Kåre Ødegård,") == 0);
  CHECK(kare.date == kDigestTime);
  CHECK(f.depth("done") == 3);
  CHECK(f.depth("pending") == 0);
  const WorkerCounters c = f.worker.counters();
  CHECK(c.sent == 2);
  CHECK(c.digested == 3);
  // Reports count each vacancy's notice as sent.
  const Result<std::vector<store::ReportVacancy>> vacancies =
      f.store->report_vacancies("oslo", false);
  REQUIRE(vacancies->size() == 3);
  for (const store::ReportVacancy& v : *vacancies)
    CHECK(v.outbox_done == std::map<std::string, std::int64_t, std::less<>>{{"digest", 1}});
  CHECK(*f.worker.run_once(kDigestTime + 3600) == 0);
  CHECK(f.mailer.sent.size() == 2);
}

TEST_CASE("each recipient gets one digest a day, in their own language, most urgent first") {
  Fixture f;
  policy::Notifications s = digest_settings();
  s.remind_after_days = 0;
  s.language = "nb";
  VacancyInfo kare = vacancy();
  kare.manager_language = "nn";  // the ATS says Kåre reads nynorsk
  kare.ad_language = "en";       // whatever the ads are written in
  VacancyInfo early = kare, late = kare, mid = kare;
  early.deadline = "2026-03-05";
  early.title = "Tidleg frist";
  mid.deadline = "2026-03-20";
  mid.title = "Middels frist";
  late.deadline = "2026-04-30";
  late.title = "Sein frist";
  VacancyInfo no_address = vacancy();
  no_address.manager_email = "";
  no_address.manager_name = "Siri Haugen";
  no_address.title = "Uten adresse";
  // Advice (nobody invited yet), with the earliest deadline.
  f.submit("e1", "v-advice",
           verdict({interview_rule(Outcome::kShortfall, 2, 0, 0, 1)}, domain::Phase::kScreening),
           early, s);
  // A breach (a hire already proposed), with the latest deadline, and a quota flag for HR.
  domain::RuleVerdict breach = interview_rule(Outcome::kShortfall, 2, 3, 0, 1);
  breach.severity = domain::Severity::kBreach;
  domain::RuleVerdict quota;
  quota.rule = "equal_merit";
  quota.kind = "moderate_quota";
  quota.group = "immigrant_background";
  quota.outcome = Outcome::kShortfall;
  quota.severity = domain::Severity::kWarning;
  quota.missing = 1;
  quota.reason_code = "equal_candidate_in_group";
  f.submit("e2", "v-breach", verdict({breach, quota}, domain::Phase::kRecommendation), late, s);
  // A warning (interviews under way).
  f.submit("e3", "v-warning", verdict({interview_rule(Outcome::kShortfall, 2, 3, 1, 2)}), mid, s);
  // HR stands in for a manager without an address.
  f.submit("e4", "v-hr", verdict({interview_rule(Outcome::kShortfall, 1, 2, 0, 1)}), no_address, s);
  CHECK(f.depth("pending") == 5);

  CHECK(*f.worker.run_once(kDigestTime) == 5);
  REQUIRE(f.mailer.sent.size() == 2);  // one to Kåre, one to HR
  const Message* to_kare = nullptr;
  const Message* to_hr = nullptr;
  for (const Message& m : f.mailer.sent)
    (m.to.at(0).email == "kare.odegard@oslo.example.no" ? to_kare : to_hr) = &m;
  REQUIRE(to_kare);
  REQUIRE(to_hr);
  CHECK(to_hr->to.at(0).email == "hr@oslo.example.no");
  constexpr size_t npos = std::string::npos;

  // Kåre's, in nynorsk: the breach, then the warning, then the advice, whatever the deadlines.
  CHECK(to_kare->language == "nn");
  CHECK(to_kare->subject.rfind("Intervjuordninga: dagleg oversikt 3. mars 2026 – 3 stillingar",
                               0) == 0);
  const size_t b = to_kare->text.find("«Sein frist»");
  const size_t w = to_kare->text.find("«Middels frist»");
  const size_t a = to_kare->text.find("«Tidleg frist»");
  REQUIRE(b != npos);
  REQUIRE(w != npos);
  REQUIRE(a != npos);
  CHECK(b < w);
  CHECK(w < a);
  CHECK(to_kare->text.find("Moderat kvotering") == npos);  // HR's business, not the manager's
  CHECK(to_kare->text.find("«Uten adresse»") == npos);

  // HR's, in the policy's language: the vacancy it stands in for and the quota flag, both
  // warnings, by deadline (15 March before 30 April).
  CHECK(to_hr->language == "nb");
  const size_t stand_in = to_hr->text.find("«Uten adresse»");
  const size_t flag = to_hr->text.find("Moderat kvotering");
  REQUIRE(stand_in != npos);
  REQUIRE(flag != npos);
  CHECK(stand_in < flag);
  CHECK(to_hr->text.find("Leder: Siri Haugen") != npos);
  CHECK(to_hr->text.find("Denne e-posten går til HR fordi") != npos);

  // Nothing new the next morning: no second digest.
  CHECK(*f.worker.run_once(kDigestTime + 86400) == 0);
  CHECK(f.mailer.sent.size() == 2);
}

TEST_CASE("a digest reports today's figures, and a shortfall over by morning sends nothing") {
  Fixture f;
  policy::Notifications s = digest_settings();
  s.remind_after_days = 0;
  SUBCASE("the shortfall changed but stayed: today's figures") {
    f.submit("e1", "v-1", verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 2)}), vacancy(), s);
    // One invited since: still short by one, so no new row (missing did not grow).
    f.submit("e2", "v-1", verdict({interview_rule(Outcome::kShortfall, 3, 4, 1, 2)}), vacancy(), s);
    CHECK(f.depth("pending") == 1);
    CHECK(*f.worker.run_once(kDigestTime) == 1);
    REQUIRE(f.mailer.sent.size() == 1);
    CHECK(f.mailer.sent[0].text.find("3 kvalifiserte søkere med innvandrerbakgrunn, og 1 av dem "
                                     "er kalt inn") != std::string::npos);
  }
  SUBCASE("fixed before the digest: the rows are completed without a send") {
    f.submit("e1", "v-1", verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)}), vacancy(), s);
    f.submit("e2", "v-1", verdict({interview_rule(Outcome::kCompliant, 2, 3, 1, 1)}), vacancy(), s);
    CHECK(f.depth("pending") == 2);  // the shortfall and the resolved note
    CHECK(*f.worker.run_once(kDigestTime) == 2);
    CHECK(f.mailer.calls == 0);
    CHECK(f.depth("done") == 2);
    CHECK(f.worker.counters().skipped == 1);
    // Done, but not counted as notifications sent.
    CHECK(f.store->report_vacancies("oslo", false)->at(0).outbox_done.empty());
    REQUIRE(f.events.size() == 1);
    CHECK(f.events[0].kind == DeliveryEvent::Kind::kSkipped);
    CHECK(f.events[0].template_name == "digest");
  }
}

TEST_CASE("a digest that fails is retried whole, dead-lettered whole, with the same Message-ID") {
  Fixture f;
  policy::Notifications s = digest_settings();
  s.remind_after_days = 0;
  f.submit("e1", "v-1", verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)}), vacancy(), s);
  f.submit("e2", "v-2", verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)}), vacancy(), s);
  f.mailer.script = {Status(StatusCode::kUnavailable, "451 try later")};
  CHECK(*f.worker.run_once(kDigestTime) == 2);
  CHECK(f.mailer.sent.empty());
  CHECK(f.depth("pending") == 2);
  CHECK(f.worker.counters().retried == 1);
  REQUIRE(f.events.size() == 1);
  const std::string key = f.events[0].key;
  // Both rows wait for the same moment: 60 s × (0.5 + 0 × 0.5) = 30 s.
  CHECK(*f.worker.run_once(kDigestTime + 29) == 0);
  SUBCASE("then accepted") {
    CHECK(*f.worker.run_once(kDigestTime + 30) == 2);
    REQUIRE(f.mailer.sent.size() == 1);
    CHECK(f.mailer.sent[0].message_id == "<" + key + "@oslo.example.no>");
    CHECK(f.depth("done") == 2);
  }
  SUBCASE("then refused for good") {
    f.mailer.script = {Status(StatusCode::kInvalidArgument, "550 mailbox unavailable")};
    CHECK(*f.worker.run_once(kDigestTime + 30) == 2);
    CHECK(f.depth("dead") == 2);
    CHECK(f.worker.counters().dead == 1);
  }
}

TEST_CASE("a deadline reminder joins the digest of its morning, or of the new deadline's") {
  Fixture f;
  policy::Notifications s = digest_settings();
  s.remind_after_days = 0;
  s.send_on.push_back("deadline_passed");
  constexpr std::int64_t kMorningAfter = 1773640800;  // 2026-03-16 07:00 CET
  f.submit("e1", "v-1", verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)}), vacancy(), s);
  CHECK(f.depth("pending") == 2);
  CHECK(*f.worker.run_once(kDigestTime) == 1);
  REQUIRE(f.mailer.sent.size() == 1);
  CHECK(f.mailer.sent[0].text.find("Søknadsfristen er ute") == std::string::npos);
  SUBCASE("the deadline stands") {
    CHECK(*f.worker.run_once(kMorningAfter - 1) == 0);
    CHECK(*f.worker.run_once(kMorningAfter) == 1);
    REQUIRE(f.mailer.sent.size() == 2);
    CHECK(f.mailer.sent[1].text.find("- Søknadsfristen er ute. Intervjuordningen er fortsatt ikke "
                                     "oppfylt:") != std::string::npos);
  }
  SUBCASE("the deadline moved a week") {
    VacancyInfo later = vacancy();
    later.deadline = "2026-03-22";
    f.submit("e2", "v-1", verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)}), later, s);
    CHECK(*f.worker.run_once(kMorningAfter) == 1);
    CHECK(f.mailer.sent.size() == 1);
    CHECK(f.events.back().kind == DeliveryEvent::Kind::kPostponed);
    CHECK(f.events.back().next_attempt == kMorningAfter + 7 * 86400);
    CHECK(*f.worker.run_once(kMorningAfter + 7 * 86400) == 1);
    REQUIRE(f.mailer.sent.size() == 2);
    CHECK(f.mailer.sent[1].text.find("Søknadsfrist: 22. mars 2026") != std::string::npos);
  }
}

TEST_CASE("a digest row whose payload cannot be read is dead-lettered alone") {
  Fixture f;
  policy::Notifications s = digest_settings();
  s.remind_after_days = 0;
  f.submit("e1", "v-1", verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)}), vacancy(), s);
  const std::string batch =
      plan_notifications(vacancy(), std::nullopt,
                         verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)}), s, kNow)[0]
          .batch_key;
  REQUIRE(submit_sync(*f.store, "e2", [&](const store::StoredVacancy&) -> Result<store::Changes> {
            store::Changes c;
            store::OutboxItem bad;
            bad.kind = "digest";
            bad.idempotency_key = "mf-broken";
            bad.vacancy_id = "v-42";
            bad.payload = R"({"v": 99})";
            bad.not_before = kDigestTime;
            bad.batch_key = batch;
            c.outbox.push_back(bad);
            return c;
          }).ok());
  CHECK(*f.worker.run_once(kDigestTime) == 2);
  CHECK(f.mailer.sent.size() == 1);
  CHECK(f.depth("dead") == 1);
  CHECK(f.depth("done") == 1);
}

}  // namespace
}  // namespace mangfold::notify
