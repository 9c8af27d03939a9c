// The email templates: pinned text for one shortfall in bokmål, nynorsk and English
// (tests/fixtures/notify/), every template rendering in every language, escaping, and
// per-tenant overrides. Set MANGFOLD_UPDATE_FIXTURES=1 to rewrite the pinned files after
// a deliberate wording change, then review the diff.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bad_phrases.hpp"
#include "connector/notify/payload.hpp"
#include "connector/notify/plan.hpp"
#include "connector/notify/templates.hpp"
#include "notify_test_support.hpp"
#include "tests/support/process.hpp"

namespace mangfold::notify {
namespace {

using namespace testing;
namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(MANGFOLD_SOURCE_DIR) / "tests/fixtures/notify";

Payload shortfall_payload(const std::string& language) {
  VacancyInfo v = vacancy();
  v.manager_language = language;
  const auto rows = plan_notifications(
      v, std::nullopt, verdict({interview_rule(domain::Outcome::kShortfall, 2, 3, 0, 1)}),
      settings(), kNow);
  REQUIRE(!rows.empty());
  return *parse_payload(rows[0].payload);
}

std::string pinned_form(const RenderedEmail& e) {
  return "Subject: " + e.subject + "\n\n----- text/plain -----\n" + e.text +
         "----- text/html -----\n" + e.html;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_CASE("a shortfall renders exactly as pinned in bokmål, nynorsk and English") {
  const Templates templates = Templates::builtin();
  const bool update = std::getenv("MANGFOLD_UPDATE_FIXTURES") != nullptr;
  for (const std::string lang : {"nb", "nn", "en"}) {
    CAPTURE(lang);
    const Result<RenderedEmail> rendered = templates.render(shortfall_payload(lang));
    REQUIRE_MESSAGE(rendered.ok(), rendered.status().message());
    const fs::path file = kFixtures / ("shortfall." + lang + ".txt");
    if (update) std::ofstream(file, std::ios::binary) << pinned_form(*rendered);
    CHECK(pinned_form(*rendered) == read(file));
  }
}

TEST_CASE("the bokmål shortfall says the rule, the figures and what to do") {
  const RenderedEmail e = *Templates::builtin().render(shortfall_payload("nb"));
  CHECK(e.subject == "Intervjuordningen er ikke oppfylt – Rådgiver i økonomiavdelingen");
  for (const char* phrase :
       {"Hei Kåre Ødegård,",
        "Regelen: Når det finnes kvalifiserte søkere med innvandrerbakgrunn, skal minst én av "
        "dem kalles inn til intervju.",
        "2 kvalifiserte søkere med innvandrerbakgrunn, og ingen av dem er kalt inn.",
        "Kall inn minst én kvalifisert søker med innvandrerbakgrunn til intervju før "
        "innstillingen skrives.",
        "Når: Nå, før intervjulisten er endelig.", "Søknadsfrist: 15. mars 2026",
        "https://oslo.example.no/stillinger/42"})
    CHECK_MESSAGE(e.text.find(phrase) != std::string::npos, phrase);
  CHECK(e.html.find("<a href=\"https://oslo.example.no/stillinger/42\">") != std::string::npos);
  CHECK(e.html.find("<html lang=\"nb\">") != std::string::npos);
}

TEST_CASE("every template renders in every language for every severity") {
  const Templates templates = Templates::builtin();
  const char* names[] = {
      "shortfall", "justification_missing", "insufficient_data", "ad_flagged", "reminder",
      "resolved",  "quota_flagged"};
  for (const std::string lang : {"nb", "nn", "en"})
    for (const char* name : names)
      for (const char* severity : {"advice", "warning", "breach"})
        for (int n : {1, 2}) {
          const std::string context = lang + "/" + name + "/" + severity + "/" + std::to_string(n);
          CAPTURE(context);
          Payload p = shortfall_payload(lang);
          p.template_name = name;
          p.severity = severity;
          p.counts = {n, n, n - 1, n, n, n, n};
          if (std::string(name) == "reminder")
            p.reminds = n == 1 ? "shortfall" : "justification_missing";
          if (std::string(name) == "justification_missing") p.kind = "hire_justification";
          if (std::string(name) == "ad_flagged") p.kind = n == 1 ? "ad_sentence" : "ad_mentions";
          if (std::string(name) == "insufficient_data")
            p.reason_code = n == 1 ? "not_yet_assessed" : "merit_missing";
          if (std::string(name) == "resolved")
            p.kind = n == 1 ? "interview_minimum" : "hire_justification";
          if (std::string(name) == "quota_flagged") p.kind = "moderate_quota";
          if (p.kind == "ad_sentence" && n == 1) {
            p.sentence = "Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke.";
            p.sentence_language = "nb";
            p.sentence_before = {"Slik søker du"};
          }
          p.min_share_ppm = n == 2 ? 500'000 : 0;
          p.min_count = 1;
          p.to_manager = n == 1;
          const Result<RenderedEmail> e = templates.render(p);
          REQUIRE_MESSAGE(e.ok(), e.status().message());
          CHECK(e->subject.find(" – Rådgiver i økonomiavdelingen") != std::string::npos);
          CHECK(e->subject.find('\n') == std::string::npos);
          CHECK(e->subject.rfind(" – ", 0) != 0);  // a subject never starts empty
          for (const std::string* part : {&e->text, &e->html}) {
            CHECK(part->find("{{") == std::string::npos);
            CHECK(part->find("Rådgiver i økonomiavdelingen") != std::string::npos);
            CHECK(part->find("\n\n\n") == std::string::npos);
          }
          if (std::string(name) != "quota_flagged")
            CHECK(e->text.find(p.to_manager ? "Kåre Ødegård," : "HR") != std::string::npos);
          for (const std::string* part : {&e->subject, &e->text, &e->html})
            for (const std::string& bad : mangfold::testing::bad_phrases_in(*part))
              FAIL_CHECK(bad);
          // Every email that asks for something says by when.
          const bool asks = std::string(name) != "resolved" &&
                            !(std::string(name) == "insufficient_data" && n == 2);
          if (asks) CHECK(e->text.find(lang == "en" ? "When: " : "Når: ") != std::string::npos);
        }
}

TEST_CASE("values are HTML-escaped in the HTML part only, and only web links are linked") {
  Payload p = shortfall_payload("en");
  p.title = "Lærer <script>alert(1)</script> & co";
  p.url = "javascript:alert(1)";
  const RenderedEmail e = *Templates::builtin().render(p);
  CHECK(e.html.find("<script>") == std::string::npos);
  CHECK(e.html.find("Lærer &lt;script&gt;alert(1)&lt;/script&gt; &amp; co") != std::string::npos);
  CHECK(e.text.find("Lærer <script>alert(1)</script> & co") != std::string::npos);
  CHECK(e.subject.find("Lærer <script>alert(1)</script> & co") != std::string::npos);
  CHECK(e.html.find("javascript:") == std::string::npos);
  CHECK(e.text.find("javascript:") == std::string::npos);
}

TEST_CASE("an unknown language falls back to bokmål, an unknown template is refused") {
  Payload p = shortfall_payload("nb");
  p.language = "de";
  CHECK(Templates::builtin().render(p)->subject.rfind("Intervjuordningen", 0) == 0);
  p.template_name = "birthday";
  CHECK(Templates::builtin().render(p).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a tenant's override directory replaces single files and keeps the rest") {
  mangfold::testing::TempDir dir;
  fs::create_directories(fs::path(dir.path()) / "nb");
  mangfold::testing::write_file(dir.path() + "/nb/shortfall.subject",
                                "Oslo: {{title}} trenger flere intervjuer");
  auto loaded = Templates::load(dir.path());
  REQUIRE(loaded.ok());
  CHECK(loaded->overridden() == std::vector<std::string>{"nb/shortfall.subject"});
  const RenderedEmail e = *loaded->render(shortfall_payload("nb"));
  CHECK(e.subject == "Oslo: Rådgiver i økonomiavdelingen trenger flere intervjuer");
  CHECK(e.text == Templates::builtin().render(shortfall_payload("nb"))->text);

  mangfold::testing::write_file(dir.path() + "/nb/shortfall.txt", "{{#broken}}never closed");
  auto bad = Templates::load(dir.path());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("nb/shortfall.txt") != std::string::npos);
  CHECK(Templates::load(dir.path() + "/missing").status().code() == StatusCode::kNotFound);
  CHECK(Templates::load("").ok());
}

TEST_CASE("compose: recipients from the payload, Message-ID from the key and the sender") {
  const Payload p = shortfall_payload("nb");
  const Address from{"Mangfold", "mangfold@oslo.example.no"};
  const Result<Message> m = compose(p, Templates::builtin(), from);
  REQUIRE(m.ok());
  CHECK(m->message_id == "<" + p.key + "@oslo.example.no>");
  CHECK(m->date == kNow);
  REQUIRE(m->to.size() == 1);
  CHECK(m->to[0].email == "kare.odegard@oslo.example.no");
  CHECK(m->cc.size() == 1);
  CHECK(m->reply_to->email == "hr@oslo.example.no");
  CHECK(m->language == "nb");
  CHECK(message_id("mf-1", {"", "x"}) == "<mf-1@mangfold.invalid>");
}

}  // namespace
TEST_CASE("counts of one take the singular in every language") {
  const std::map<std::string, std::string> singular = {{"nb", "1 kvalifisert søker med"},
                                                       {"nn", "1 kvalifisert søkjar med"},
                                                       {"en", "1 qualified applicant"}};
  for (const auto& [lang, phrase] : singular) {
    CAPTURE(lang);
    Payload p = shortfall_payload(lang);
    p.counts.qualified_in_group = 1;
    const RenderedEmail e = *Templates::builtin().render(p);
    CHECK(e.text.find(phrase) != std::string::npos);
  }
}

TEST_CASE("an adapter's case-handler link is the email's vacancy link, and the public ad is kept") {
  const Templates templates = Templates::builtin();
  VacancyInfo v = vacancy();
  v.case_url = "https://oslo.webcruiter.example/case?advert=42&view=handler";
  const auto rows = plan_notifications(
      v, std::nullopt, verdict({interview_rule(domain::Outcome::kShortfall, 2, 3, 0, 1)}),
      settings(), kNow);
  REQUIRE(!rows.empty());
  const Result<Payload> payload = parse_payload(rows[0].payload);
  REQUIRE(payload.ok());
  CHECK(payload->case_url == v.case_url);
  CHECK(payload->url == "https://oslo.example.no/stillinger/42");
  const Result<RenderedEmail> e = templates.render(*payload);
  REQUIRE(e.ok());
  CHECK(e->text.find(v.case_url) != std::string::npos);
  CHECK(e->html.find("href=\"https://oslo.webcruiter.example/case?advert=42&amp;view=handler\"") !=
        std::string::npos);
  CHECK(e->text.find("https://oslo.example.no/stillinger/42") == std::string::npos);

  SUBCASE("without a case URL the public ad is the link, as before") {
    const auto plain = plan_notifications(
        vacancy(), std::nullopt, verdict({interview_rule(domain::Outcome::kShortfall, 2, 3, 0, 1)}),
        settings(), kNow);
    REQUIRE(!plain.empty());
    CHECK(plain[0].payload.find("case_url") == std::string::npos);
    const Result<RenderedEmail> p = templates.render(*parse_payload(plain[0].payload));
    REQUIRE(p.ok());
    CHECK(p->text.find("https://oslo.example.no/stillinger/42") != std::string::npos);
  }
}

}  // namespace mangfold::notify
