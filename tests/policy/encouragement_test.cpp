// Issue 18: the encouragement sentence read for its meaning (three-way: present, absent,
// uncertain), never injected twice, and the excluding-wording check (ad_language). Uses the
// shipped policies, so that the words the tests pin are the words tenants get.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "connector/ads/ad_text.hpp"
#include "connector/ads/wording.hpp"
#include "connector/config/policy_loader.hpp"
#include "connector/policy/ad_injection.hpp"
#include "connector/policy/ad_rules.hpp"
#include "connector/policy/engine.hpp"

namespace ads = mangfold::ads;
namespace config = mangfold::config;
namespace policy = mangfold::policy;
namespace domain = mangfold::domain;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

const policy::Policy& load(const std::string& relative) {
  static std::map<std::string, policy::Policy> cache;
  if (auto it = cache.find(relative); it != cache.end()) return it->second;
  auto loaded = config::load_policy_or_error(kRoot + "/" + relative);
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  return cache.emplace(relative, std::move(*loaded)).first->second;
}

const policy::AdSentence& sentence_rule(const policy::Policy& p) {
  for (const policy::Rule& r : p.rules)
    if (const auto* s = std::get_if<policy::AdSentence>(&r.spec)) return *s;
  FAIL("no ad_sentence rule");
  throw 0;
}

struct Row {
  int line = 0;
  std::string expected;
  std::string html;
};

// tests/fixtures/ad_sentences/<lang>.tsv: "decision<TAB>html", "\n" for a line break.
std::vector<Row> table(const std::string& lang) {
  std::vector<Row> rows;
  std::istringstream in(slurp(kRoot + "/tests/fixtures/ad_sentences/" + lang + ".tsv"));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    REQUIRE_MESSAGE(tab != std::string::npos, lang << ".tsv:" << n);
    Row r{n, line.substr(0, tab), line.substr(tab + 1)};
    for (std::size_t p; (p = r.html.find("\\n")) != std::string::npos;)
      r.html.replace(p, 2, "\n");
    rows.push_back(std::move(r));
  }
  return rows;
}

ads::SentenceSpec spec_of(const policy::AdSentence& rule, const std::string& lang) {
  const policy::LanguageSentence& s = rule.sentences.at(lang);
  return ads::SentenceSpec{s.sentence, s.equivalents};
}

domain::Snapshot snapshot_with(std::string body, const std::string& lang,
                               domain::AdFormat format = domain::AdFormat::kHtml) {
  domain::Snapshot s;
  s.vacancy.id = "v-18";
  domain::JobAd ad;
  ad.language = lang;
  ad.format = format;
  ad.body = std::move(body);
  s.vacancy.ad = std::move(ad);
  return s;
}

const char* kLanguages[] = {"nb", "nn", "en"};

}  // namespace

TEST_CASE(
    "each language's table: at least 60 sentences, every kind of case, every decision right") {
  const policy::Policy& oslo = load("policies/oslo.yaml");
  const policy::AdSentence& rule = sentence_rule(oslo);
  for (const std::string lang : kLanguages) {
    CAPTURE(lang);
    const std::vector<Row> rows = table(lang);
    CHECK(rows.size() >= 60);
    std::map<std::string, int> by_decision;
    const ads::EncouragementWords words = policy::encouragement_words(oslo, rule, lang);
    REQUIRE_FALSE(words.empty());
    const ads::SentenceSpec spec = spec_of(rule, lang);
    int wrong = 0;
    for (const Row& row : rows) {
      CAPTURE(row.line);
      CAPTURE(row.html);
      ++by_decision[row.expected];
      const ads::ParsedAd ad(row.html, ads::AdFormat::kHtml);
      const ads::Assessment a = ads::assess_encouragement(ad.visible_text(), spec, words);
      CHECK(std::string(ads::to_string(a.presence)) == row.expected);
      wrong += std::string(ads::to_string(a.presence)) != row.expected;
      if (a.presence == ads::Presence::kUncertain) {
        CHECK_FALSE(a.reason.empty());
        CHECK_FALSE(a.evidence.empty());
      }
      // Only a sure absence lets the sentence in.
      auto inj = ads::inject_sentence(ad, spec, ads::Anchor{rule.before_headings}, words);
      REQUIRE(inj.ok());
      CHECK(inj->changed == (a.presence == ads::Presence::kAbsent));
      if (!inj->changed) CHECK(inj->body == row.html);
    }
    CHECK(wrong == 0);
    CHECK(by_decision["present"] >= 30);
    CHECK(by_decision["absent"] >= 10);
    CHECK(by_decision["uncertain"] >= 10);
    CHECK(by_decision.size() == 3);
  }
}

TEST_CASE("the issue's three reported wordings are present, and inject leaves those ads alone") {
  const policy::Policy& oslo = load("policies/oslo.yaml");
  const std::pair<const char*, const char*> cases[] = {
      {"nb", "<p>Kvalifiserte kandidater med innvandrerbakgrunn oppfordres til å søke.</p>"},
      {"nn", "<p>Vi oppfordrar kvalifiserte kandidatar med innvandrarbakgrunn til å søkje.</p>"},
      {"nb",
       "<p>Vi oppfordrer alle kvalifiserte kandidater, uavhengig av kjønn, alder, "
       "funksjonsevne eller innvandrerbakgrunn, til å søke.</p>"},
  };
  for (const auto& [lang, html] : cases) {
    CAPTURE(html);
    const domain::Snapshot s = snapshot_with(html, lang);
    const domain::Verdict v = policy::evaluate(oslo, s);
    bool seen = false;
    for (const auto& r : v.rules)
      if (r.kind == "ad_sentence") {
        seen = true;
        CHECK(r.outcome == domain::Outcome::kCompliant);
      }
    CHECK(seen);
    auto plan = policy::plan_ad_injection(oslo, s);
    REQUIRE(plan.ok());
    CHECK_FALSE(plan->has_value());
  }
}

TEST_CASE("uncertain: the rule asks a person, says why, and nothing is inserted") {
  const policy::Policy& oslo = load("policies/oslo.yaml");
  const domain::Snapshot s =
      snapshot_with("<p>Søkere med innvandrerbakgrunn må legge ved godkjent vitnemål.</p>", "nb");
  const domain::Verdict v = policy::evaluate(oslo, s);
  const domain::RuleVerdict* r = nullptr;
  for (const auto& x : v.rules)
    if (x.kind == "ad_sentence") r = &x;
  REQUIRE(r != nullptr);
  CHECK(r->outcome == domain::Outcome::kInsufficientData);
  CHECK(r->severity == domain::Severity::kWarning);
  CHECK(r->reason_code == "sentence_uncertain");
  CHECK(r->reason.find("encourages no one") != std::string::npos);
  CHECK(r->reason.find("søkere med innvandrerbakgrunn") != std::string::npos);
  CHECK(r->reason.find("nothing was inserted") != std::string::npos);
  auto plan = policy::plan_ad_injection(oslo, s);
  REQUIRE(plan.ok());
  CHECK_FALSE(plan->has_value());
  // The same with a memo, twice (the second answer comes from it).
  policy::AdMemo memo;
  for (int i = 0; i < 2; ++i) {
    auto again = policy::plan_ad_injection(oslo, s, &memo);
    REQUIRE(again.ok());
    CHECK_FALSE(again->has_value());
  }
}

TEST_CASE("the state's sentence: all three groups encouraged is present, only some is uncertain") {
  const policy::Policy& staten = load("policies/staten.yaml");
  auto outcome_of = [&](const std::string& html, const std::string& lang) {
    for (const auto& r : policy::evaluate(staten, snapshot_with(html, lang)).rules)
      if (r.kind == "ad_sentence") return r.reason_code;
    return std::string("none");
  };
  CHECK(outcome_of("<p>Vi oppfordrer alle kvalifiserte, også personer med "
                   "funksjonsnedsettelse, hull i CV-en eller innvandrerbakgrunn, til å søke.</p>",
                   "nb") == "sentence_present");
  CHECK(outcome_of("<p>Vi oppmodar personar med innvandrarbakgrunn til å søkje.</p>", "nn") ==
        "sentence_uncertain");
  CHECK(outcome_of("<p>We encourage people with a disability, gaps in their CV or an immigrant "
                   "background to apply.</p>",
                   "en") == "sentence_present");
  CHECK(outcome_of("<p>Vi har et godt arbeidsmiljø.</p>", "nb") == "sentence_missing");
}

// The property: for every ad in the corpus and every positive sentence of its language,
// the ad with that sentence in it is left unchanged by the injection a policy plans.
TEST_CASE("property: an ad with any positive sentence is never injected into") {
  const policy::Policy& oslo = load("policies/oslo.yaml");
  const std::string dir = kRoot + "/tests/fixtures/ads/";
  std::map<std::string, std::vector<std::string>> positives;
  for (const std::string lang : kLanguages)
    for (const Row& r : table(lang))
      if (r.expected == "present") positives[lang].push_back(r.html);
  int ads_checked = 0;
  int combinations = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name == "manifest.txt") continue;
    const bool text = name.ends_with(".txt");
    const std::string lang = name.substr(name.size() - (text ? 6 : 7), 2);
    REQUIRE_MESSAGE(positives.count(lang), name);
    const std::string body = slurp(entry.path().string());
    ++ads_checked;
    for (const std::string& sentence : positives[lang]) {
      CAPTURE(name);
      CAPTURE(sentence);
      std::string ad;
      if (text) {
        ad = ads::visible_text(sentence, ads::AdFormat::kHtml) + "\n\n" + body;
      } else if (const auto b = body.find("<body>"); b != std::string::npos) {
        ad = body.substr(0, b + 6) + sentence + body.substr(b + 6);
      } else {
        ad = sentence + body;
      }
      const domain::Snapshot s =
          snapshot_with(ad, lang, text ? domain::AdFormat::kText : domain::AdFormat::kHtml);
      auto plan = policy::plan_ad_injection(oslo, s);
      REQUIRE(plan.ok());
      CHECK_FALSE(plan->has_value());
      ++combinations;
    }
  }
  CHECK(ads_checked >= 30);
  CHECK(combinations >= 30 * 30);
}

// ---- ad_language ------------------------------------------------------------------------

namespace {

std::vector<std::string> findings(const policy::Policy& p, const std::string& html,
                                  const std::string& lang) {
  std::vector<std::string> ids;
  for (const auto& r : policy::evaluate(p, snapshot_with(html, lang)).rules) {
    if (r.kind != "ad_language") continue;
    if (r.outcome == domain::Outcome::kShortfall) {
      CHECK(r.reason_code == "excluding_wording");
      CHECK(r.missing >= 1);
    }
    // The ids appear as "(id)" in the reason, in the rule file's order.
    for (std::size_t open = r.reason.find(" ("); open != std::string::npos;
         open = r.reason.find(" (", open + 1)) {
      const auto close = r.reason.find(")", open);
      const std::string id = r.reason.substr(open + 2, close - open - 2);
      if (id.find(' ') == std::string::npos && r.reason.compare(close + 1, 1, ":") == 0)
        ids.push_back(id);
    }
  }
  return ids;
}

}  // namespace

TEST_CASE("ad_language finds each listed pattern in bokmål, nynorsk and English, and only flags") {
  const policy::Policy& p = load("tests/fixtures/policies/ad_language.yaml");
  struct Case {
    const char* lang;
    const char* id;
    const char* html;
  };
  const Case cases[] = {
      {"nb", "mother_tongue", "<p>Du har norsk som morsmål.</p>"},
      {"nb", "mother_tongue", "<p>Krav: morsmål norsk.</p>"},
      {"nb", "mother_tongue", "<p>Du snakker norsk på morsmålsnivå.</p>"},
      {"nb", "perfect_norwegian", "<p>Du har perfekte norskkunnskaper.</p>"},
      {"nb", "perfect_norwegian", "<p>Du skriver <b>perfekt</b> norsk.</p>"},
      {"nb", "ethnic_norwegian", "<p>Vi søker en etnisk norsk medarbeider.</p>"},
      {"nb", "young_environment", "<p>Vi har et ungt og dynamisk miljø.</p>"},
      {"nb", "young_environment", "<p>Du blir del av et ungt miljø.</p>"},
      {"nb", "young_environment", "<p>Vi er et ungdommelig team.</p>"},
      {"nb", "gendered_title", "<p>Vi søker en fagmann til verkstedet.</p>"},
      {"nb", "gendered_title", "<p>Du blir kontaktmann for leverandørene.</p>"},
      {"nn", "mother_tongue", "<p>Du har norsk som morsmål.</p>"},
      {"nn", "mother_tongue", "<p>Du snakkar norsk på morsmålsnivå.</p>"},
      {"nn", "perfect_norwegian", "<p>Du har perfekte norskkunnskapar.</p>"},
      {"nn", "ethnic_norwegian", "<p>Vi søkjer ein etnisk norsk medarbeidar.</p>"},
      {"nn", "young_environment", "<p>Vi har eit ungt og dynamisk miljø.</p>"},
      {"nn", "young_environment", "<p>Vi er eit ungdommeleg team.</p>"},
      {"nn", "gendered_title", "<p>Vi søkjer ein fagmann til verkstaden.</p>"},
      {"nn", "gendered_title", "<p>Du blir kontaktmann for leverandørane.</p>"},
      {"en", "mother_tongue", "<p>You are a native Norwegian speaker.</p>"},
      {"en", "mother_tongue", "<p>You have Norwegian as your mother tongue.</p>"},
      {"en", "perfect_norwegian", "<p>You speak perfect Norwegian.</p>"},
      {"en", "ethnic_norwegian", "<p>We are looking for an ethnic Norwegian.</p>"},
      {"en", "young_environment", "<p>Join our young and dynamic team.</p>"},
      {"en", "young_environment", "<p>We offer a youthful workplace.</p>"},
      {"en", "gendered_title", "<p>We are hiring a foreman for the depot.</p>"},
      {"en", "gendered_title", "<p>You will act as spokesman for the unit.</p>"},
  };
  std::map<std::string, std::map<std::string, int>> seen;  // lang → id → count
  for (const Case& c : cases) {
    CAPTURE(c.html);
    const std::vector<std::string> ids = findings(p, c.html, c.lang);
    REQUIRE(ids.size() == 1);
    CHECK(ids[0] == c.id);
    ++seen[c.lang][c.id];
    // Flag only: the ad is never changed for wording.
    auto plan = policy::plan_ad_injection(p, snapshot_with(c.html, c.lang));
    REQUIRE(plan.ok());
    if (plan->has_value()) CHECK((*plan)->rule != "excluding_wording");
  }
  // Every rule of every language is exercised.
  const policy::AdLanguage* rule = nullptr;
  for (const auto& r : p.rules)
    if (const auto* a = std::get_if<policy::AdLanguage>(&r.spec)) rule = a;
  REQUIRE(rule != nullptr);
  for (const std::string lang : kLanguages)
    for (const policy::WordingRule& w : rule->wording.at(lang))
      CHECK_MESSAGE(seen[lang][w.id] >= 1, lang << " " << w.id);
}

TEST_CASE("ad_language finds nothing in the clean corpus nor in the sentence tables") {
  const policy::Policy& p = load("tests/fixtures/policies/ad_language.yaml");
  const std::string dir = kRoot + "/tests/fixtures/ads/";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name == "manifest.txt") continue;
    const bool text = name.ends_with(".txt");
    const std::string lang = name.substr(name.size() - (text ? 6 : 7), 2);
    CAPTURE(name);
    domain::Snapshot s = snapshot_with(slurp(entry.path().string()), lang,
                                       text ? domain::AdFormat::kText : domain::AdFormat::kHtml);
    for (const auto& r : policy::evaluate(p, s).rules)
      if (r.kind == "ad_language") CHECK(r.reason_code == "no_excluding_wording");
    ++checked;
  }
  CHECK(checked >= 30);
  for (const std::string lang : kLanguages)
    for (const Row& row : table(lang)) {
      CAPTURE(row.html);
      CHECK(findings(p, row.html, lang).empty());
    }
}

TEST_CASE("patterns: prefix, suffix, gaps of at most three words, whole words only") {
  const ads::WordingPattern w{"x", {"ungt ... miljø", "*verksted", "perfekt* norsk*"}, "", "", ""};
  auto ids = [&](const std::string& text) {
    return ads::find_excluding_wording(ads::VisibleText(text, ads::AdFormat::kText), {w}).size();
  };
  CHECK(ids("Et ungt miljø.") == 1);
  CHECK(ids("Et ungt, lite og sprekt miljø.") == 1);
  CHECK(ids("Et ungt, lite, sprekt og trivelig miljø.") == 0);  // four words between
  CHECK(ids("Et ungt team. Et godt miljø.") == 0);              // not in one sentence
  CHECK(ids("Bilverksted i sentrum.") == 1);
  CHECK(ids("Perfekte norskkunnskaper.") == 1);
  CHECK(ids("Uperfekt norsk.") == 0);
  CHECK(ids("") == 0);
}

TEST_CASE("bad detection and wording keys are reported with file, line and key") {
  const std::map<std::string, std::string> files = {
      {"p.yaml",
       "id: p\n"
       "version: \"1\"\n"
       "languages: [nb, en]\n"
       "target_groups:\n"
       "  g:\n"
       "    words:\n"
       "      nb: [innvandrer*]\n"
       "rules:\n"
       "  s:\n"
       "    type: ad_sentence\n"
       "    sentences: {nb: Vi oppfordrer deg., en: We encourage you.}\n"
       "    detection:\n"
       "      groups: [g, nobody]\n"
       "      words:\n"
       "        nb: {encourage: [\"*\"], apply: [a ... b ... c ... d ... e]}\n"
       "  w:\n"
       "    type: ad_language\n"
       "    wording:\n"
       "      nb:\n"
       "        x: {patterns: [norsk som morsmål], suggestion: s, source: t}\n"}};
  const config::PolicyLoad load = config::load_policy(
      "p.yaml",
      [&](const std::string& path) -> mangfold::Result<std::string> { return files.at(path); });
  CHECK_FALSE(load.policy.has_value());
  std::string all;
  for (const auto& d : load.diagnostics)
    all += d.to_string() + "\n";
  CAPTURE(all);
  CHECK(all.find("p.yaml:13:7: rules.s.detection.groups: target group 'g' has no words for "
                 "language 'en'") != std::string::npos);
  CHECK(all.find("rules.s.detection.groups: unknown target group 'nobody'") != std::string::npos);
  CHECK(all.find("p.yaml:15:") != std::string::npos);
  CHECK(all.find("rules.s.detection.words.nb.encourage: the pattern '*' has no word in it") !=
        std::string::npos);
  CHECK(all.find("rules.s.detection.words.nb.apply: the pattern 'a ... b ... c ... d ... e' has "
                 "more than three '...'") != std::string::npos);
  CHECK(all.find("rules.s.detection.words: no detection words for declared language 'en'") !=
        std::string::npos);
  CHECK(all.find("p.yaml:20:9: rules.w.wording.nb.x.reason: missing required key") !=
        std::string::npos);
  CHECK(all.find("rules.w.wording: no wording rules for declared language 'en'") !=
        std::string::npos);
}
