// The ad rules' answers from the ad memo (ad_injection.hpp): the shipped policies on the ad
// corpus answer byte for byte the same with the memo off, cold and warm; a rule whose
// parameters change is never answered from an entry made for other parameters.
#include <doctest/doctest.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "connector/config/policy_loader.hpp"
#include "connector/policy/ad_injection.hpp"
#include "connector/policy/ad_rules.hpp"
#include "connector/policy/engine.hpp"
#include "connector/store/verdict_json.hpp"

using namespace mangfold;
using policy::AdMemo;
using policy::AdMemoStats;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct NamedPolicy {
  std::string file;
  policy::Policy policy;
};

// Every shipped policy, and Oslo's with the opt-in excluding-wording check.
std::vector<NamedPolicy> policies() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kRoot + "/policies"))
    if (e.path().extension() == ".yaml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  files.push_back(kRoot + "/tests/fixtures/policies/ad_language.yaml");
  std::vector<NamedPolicy> out;
  for (const std::string& f : files) {
    auto loaded = config::load_policy_or_error(f);
    REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
    out.push_back({std::filesystem::path(f).filename().string(), std::move(*loaded)});
  }
  return out;
}

domain::Snapshot with_ad(std::string body, domain::AdFormat format, std::string language) {
  domain::Snapshot s;
  s.vacancy.id = "v1";
  s.vacancy.ad = domain::JobAd{std::move(body), format, std::move(language)};
  return s;
}

// The ad corpus of tests/ads, each ad in its own language, in bokmål and in a language no
// policy lists; the encouragement tables of tests/fixtures/ad_sentences (present, absent and
// uncertain sentences); ads with excluding wordings; and edge cases: an ad nested too deep
// to read, an unterminated comment, a text ad, an empty body, no ad at all.
std::vector<domain::Snapshot> corpus() {
  std::vector<domain::Snapshot> out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(kRoot + "/tests/fixtures/ads"))
    if (e.path().filename() != "manifest.txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const std::string body = slurp(f);
    const auto format = f.extension() == ".txt" ? domain::AdFormat::kText : domain::AdFormat::kHtml;
    const std::string own = f.stem().extension().string().substr(1);  // "x.nb.html" → "nb"
    for (const std::string& language : {own, std::string("nb"), std::string("se")})
      out.push_back(with_ad(body, format, language));
  }
  for (const std::string language : {"nb", "nn", "en"}) {
    std::istringstream in(slurp(kRoot + "/tests/fixtures/ad_sentences/" + language + ".tsv"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::string html = line.substr(line.find('\t') + 1);
      for (std::size_t p; (p = html.find("\\n")) != std::string::npos;)
        html.replace(p, 2, "\n");
      out.push_back(with_ad(html, domain::AdFormat::kHtml, language));
    }
  }
  out.push_back(
      with_ad("<p>Du har norsk som morsmål og blir del av et ungt og dynamisk miljø. "
              "Vi søker en fagmann.</p><h2>Slik søker du</h2><p>Send søknad.</p>",
              domain::AdFormat::kHtml, "nb"));
  out.push_back(with_ad("Vi søkjer ein etnisk norsk medarbeidar med perfekte norskkunnskapar.\n",
                        domain::AdFormat::kText, "nn"));
  out.push_back(with_ad("<p>You are a native Norwegian speaker in our young and dynamic team.</p>",
                        domain::AdFormat::kHtml, "en"));
  std::string deep;
  for (int i = 0; i < 400; ++i)
    deep += "<div>";
  out.push_back(with_ad(deep + "Vi oppfordrer alle til å søke.", domain::AdFormat::kHtml, "nb"));
  out.push_back(with_ad("<!-- alt er en kommentar", domain::AdFormat::kHtml, "nb"));
  out.push_back(with_ad("Tekst uten overskrift.", domain::AdFormat::kText, "nb"));
  out.push_back(with_ad("", domain::AdFormat::kHtml, "nb"));
  domain::Snapshot no_ad;
  no_ad.vacancy.id = "v2";
  out.push_back(no_ad);
  return out;
}

// Everything the ad rules answer for one ad, as text, in the order ingest asks: the plan,
// the verdict as stored (its JSON), the excluding wordings of the notification payload.
// With `digest`, every call is given it (as ingest does).
std::string answers(const policy::Policy& p, const domain::Snapshot& s, AdMemo* memo,
                    const InputLimits& limits = {}, const policy::AdDigest* digest = nullptr) {
  std::ostringstream out;
  Result<std::optional<policy::AdChange>> change =
      policy::plan_ad_injection(p, s, memo, limits, digest);
  if (!change.ok()) {
    out << "error " << to_string(change.status().code()) << ": " << change.status().message();
  } else if (!change->has_value()) {
    out << "no change";
  } else {
    out << (*change)->rule << " " << (*change)->language << "\n" << (*change)->after.body;
  }
  policy::EvaluationContext context;
  context.today = domain::Date{2026, 6, 1};
  context.ad_memo = memo;
  context.limits = limits;
  context.ad_digest = digest;
  out << "\n" << store::verdict_to_json_text(policy::evaluate(p, s, context));
  if (s.vacancy.ad) {
    for (const policy::WordingHit& hit :
         policy::excluding_wording(p, *s.vacancy.ad, limits, memo, digest))
      out << "\n" << hit.rule << " " << hit.language << " " << hit.wording->id << " " << hit.found;
  }
  return out.str();
}

std::size_t count_containing(const std::vector<std::string>& all, std::string_view what) {
  return static_cast<std::size_t>(std::count_if(
      all.begin(), all.end(), [&](const auto& a) { return a.find(what) != std::string::npos; }));
}

const policy::Policy& named(const std::vector<NamedPolicy>& ps, std::string_view file) {
  for (const NamedPolicy& p : ps)
    if (p.file == file) return p.policy;
  FAIL("no policy " << file);
  throw 0;
}

template <class Spec>
Spec& rule_of(policy::Policy& p) {
  for (policy::Rule& r : p.rules)
    if (auto* s = std::get_if<Spec>(&r.spec)) return *s;
  FAIL("no such rule");
  throw 0;
}

}  // namespace

TEST_CASE("the shipped policies answer the ad corpus the same with the memo off, cold and warm") {
  const std::vector<NamedPolicy> ps = policies();
  const std::vector<domain::Snapshot> ss = corpus();
  REQUIRE(ps.size() >= 6);
  REQUIRE(ss.size() > 300);
  AdMemo shared(std::size_t{64} << 20);  // every policy, every ad: nothing is evicted
  std::vector<std::string> all;
  for (const NamedPolicy& p : ps) {
    CAPTURE(p.file);
    std::vector<std::string> expected;
    for (const domain::Snapshot& s : ss)
      expected.push_back(answers(p.policy, s, nullptr));
    all.insert(all.end(), expected.begin(), expected.end());

    AdMemo own;
    for (int round = 0; round < 2; ++round) {  // cold, then warm
      CAPTURE(round);
      const AdMemoStats before = shared.stats();
      for (std::size_t i = 0; i < ss.size(); ++i) {
        CAPTURE(i);
        CHECK(answers(p.policy, ss[i], &own) == expected[i]);
        // As ingest asks: the ad digested once for the plan, the rules and the wordings.
        std::optional<policy::AdDigest> digest;
        if (ss[i].vacancy.ad) digest = policy::AdDigest::of(*ss[i].vacancy.ad);
        CHECK(answers(p.policy, ss[i], &shared, {}, digest ? &*digest : nullptr) == expected[i]);
      }
      // Warm: every answer is found, none is worked out again.
      if (round == 1) CHECK(shared.stats().misses == before.misses);
    }
    CHECK(own.stats().hits > 0);
  }
  // The corpus reaches every kind of answer the memo keeps.
  CHECK(count_containing(all, "\"reason_code\":\"sentence_missing\"") > 100);
  CHECK(count_containing(all, "\"reason_code\":\"sentence_present\"") > 100);
  CHECK(count_containing(all, "\"reason_code\":\"sentence_uncertain\"") > 50);
  CHECK(count_containing(all, "\"reason_code\":\"topics_missing\"") > 10);
  CHECK(count_containing(all, "\"reason_code\":\"topics_mentioned\"") > 10);
  CHECK(count_containing(all, "\"reason_code\":\"excluding_wording\"") >= 3);
  CHECK(count_containing(all, "\"reason_code\":\"no_excluding_wording\"") > 10);
  CHECK(count_containing(all, "\"reason_code\":\"ad_unreadable\"") >= ps.size());
  CHECK(count_containing(all, "error unprocessable") >= 1);
  CHECK(count_containing(all, "\nexcluding_wording nn ethnic_norwegian") == 1);
  const AdMemoStats stats = shared.stats();
  CHECK(stats.bytes <= stats.capacity_bytes);
  CHECK(stats.entries > ss.size());
}

TEST_CASE("a rule whose parameters changed is not answered from the memo made for the old ones") {
  const std::vector<NamedPolicy> ps = policies();
  const policy::Policy& oslo = named(ps, "ad_language.yaml");
  const domain::Snapshot s = with_ad(
      "<p>Vi er opptatt av mangfold. Du har norsk som morsmål.</p>"
      "<p>Søk hos oss, du som har innvandrerbakgrunn.</p><h2>Slik søker du</h2><p>Send CV.</p>",
      domain::AdFormat::kHtml, "nb");
  AdMemo memo;
  // `base` answered from the memo first; then `changed` must change an answer, be answered
  // from the memo as without it, and leave `base` its own answers.
  auto check_changed = [&](const policy::Policy& base, const policy::Policy& changed,
                           const InputLimits& limits = {}) {
    const std::string original = answers(base, s, nullptr);
    for (int round = 0; round < 2; ++round)  // then every answer of `base` is remembered
      REQUIRE(answers(base, s, &memo) == original);
    const std::string expected = answers(changed, s, nullptr, limits);
    CHECK(expected != original);
    for (int round = 0; round < 2; ++round)
      CHECK(answers(changed, s, &memo, limits) == expected);
    CHECK(answers(base, s, &memo) == original);
  };
  SUBCASE("the sentence") {
    policy::Policy p = oslo;
    rule_of<policy::AdSentence>(p).sentences.at("nb").sentence =
        "Søk hos oss, du som har innvandrerbakgrunn.";
    check_changed(oslo, p);
  }
  SUBCASE("an equivalent of the sentence") {
    policy::Policy p = oslo;
    rule_of<policy::AdSentence>(p).sentences.at("nb").equivalents.push_back(
        "du som har innvandrerbakgrunn");
    check_changed(oslo, p);
  }
  SUBCASE("the encouraging words") {
    policy::Policy p = oslo;
    auto& words = rule_of<policy::AdSentence>(p).detection.at("nb");
    REQUIRE_FALSE(words.encourage.empty());
    words.encourage = {"søk*"};  // «Søk hos oss» now encourages
    check_changed(oslo, p);
  }
  SUBCASE("the anchor") {
    policy::Policy base = oslo;
    rule_of<policy::AdSentence>(base).mode = policy::AdMode::kInject;
    rule_of<policy::AdSentence>(base).detection.clear();  // the sentence only: it is missing
    policy::Policy p = base;
    rule_of<policy::AdSentence>(p).before_headings = {"Ingen slik overskrift"};
    check_changed(base, p);
  }
  SUBCASE("a topic's keywords") {
    policy::Policy base = oslo;
    policy::AdMentions m;
    m.topics = {{"diversity", {{"nb", {"mangfold*"}}}}};
    m.fallback_language = "nb";
    base.rules.push_back({"mentions", true, {}, m});
    policy::Policy p = base;
    rule_of<policy::AdMentions>(p).topics.at(0).keywords.at("nb") = {"inkludering*"};
    check_changed(base, p);
  }
  SUBCASE("a wording's patterns") {
    policy::Policy p = oslo;
    auto& wording = rule_of<policy::AdLanguage>(p).wording.at("nb");
    REQUIRE_FALSE(wording.empty());
    for (policy::WordingRule& w : wording)
      w.patterns = {"opptatt av mangfold"};
    check_changed(oslo, p);
  }
  SUBCASE("the limits") {
    InputLimits strict;
    strict.html_max_tags = 4;
    check_changed(oslo, oslo, strict);
  }
  SUBCASE("the same policy loaded again, edited in place") {
    // As after a SIGHUP reload: a new policy object, the same id and version, another sentence.
    policy::Policy reloaded = oslo;
    rule_of<policy::AdSentence>(reloaded).sentences.at("nb").sentence =
        "Vi er opptatt av mangfold.";
    REQUIRE(reloaded.id == oslo.id);
    REQUIRE(reloaded.version == oslo.version);
    check_changed(oslo, reloaded);
  }
}

TEST_CASE("an ad's digest is the SHA-256 of its length-prefixed kind, format and body") {
  // Pinned so that gathering short fields before digesting them never changes a key.
  auto field = [](std::string_view f) {
    const std::uint64_t size = f.size();
    std::string out(sizeof size, '\0');
    std::memcpy(out.data(), &size, sizeof size);
    return out + std::string(f);
  };
  for (const std::size_t n : {std::size_t{0}, std::size_t{5}, std::size_t{1023}, std::size_t{1024},
                              std::size_t{70'000}}) {
    CAPTURE(n);
    std::string body;
    for (std::size_t i = 0; i < n; ++i)
      body += static_cast<char>('a' + i % 26);
    for (const auto format : {domain::AdFormat::kHtml, domain::AdFormat::kText}) {
      const domain::JobAd ad{body, format, "nb"};
      const std::string serial =
          field("ad/1") + field(format == domain::AdFormat::kHtml ? "html" : "text") + field(body);
      std::array<unsigned char, 32> expected{};
      SHA256(reinterpret_cast<const unsigned char*>(serial.data()), serial.size(), expected.data());
      const std::optional<policy::AdDigest> digest = policy::AdDigest::of(ad);
      REQUIRE(digest.has_value());
      CHECK(digest->bytes() == expected);
    }
  }
}

TEST_CASE("a digest of another ad of another size is not used") {
  const std::vector<NamedPolicy> ps = policies();
  const policy::Policy& p = named(ps, "imdi.yaml");
  const domain::Snapshot present =
      with_ad("<p>Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke.</p>",
              domain::AdFormat::kHtml, "nb");
  const domain::Snapshot missing = with_ad("<p>Kort annonse.</p>", domain::AdFormat::kHtml, "nb");
  AdMemo memo;
  const std::optional<policy::AdDigest> of_present = policy::AdDigest::of(*present.vacancy.ad);
  REQUIRE(of_present.has_value());
  CHECK(of_present->agrees_with(*present.vacancy.ad));
  CHECK_FALSE(of_present->agrees_with(*missing.vacancy.ad));
  const std::string expected_present = answers(p, present, nullptr);
  const std::string expected_missing = answers(p, missing, nullptr);
  REQUIRE(expected_present != expected_missing);
  for (int round = 0; round < 2; ++round) {
    CHECK(answers(p, present, &memo, {}, &*of_present) == expected_present);
    CHECK(answers(p, missing, &memo, {}, &*of_present) == expected_missing);
  }
  domain::JobAd as_text = *present.vacancy.ad;
  as_text.format = domain::AdFormat::kText;
  CHECK_FALSE(of_present->agrees_with(as_text));
}

TEST_CASE("a memo of capacity 0, or emptied between events, answers as no memo") {
  const std::vector<NamedPolicy> ps = policies();
  const std::vector<domain::Snapshot> ss = corpus();
  const policy::Policy& p = named(ps, "ad_language.yaml");
  AdMemo off(0);
  AdMemo emptied;
  for (std::size_t i = 0; i < ss.size(); ++i) {
    CAPTURE(i);
    const std::string expected = answers(p, ss[i], nullptr);
    CHECK(answers(p, ss[i], &off) == expected);
    CHECK(answers(p, ss[i], &emptied) == expected);
    emptied.set_capacity(i % 2 == 0 ? 0 : policy::kDefaultAdMemoBytes);
    CHECK(answers(p, ss[i], &emptied) == expected);
  }
  const AdMemoStats stats = off.stats();
  CHECK(stats.entries == 0);
  CHECK(stats.bytes == 0);
  CHECK(stats.hits == 0);
  CHECK(stats.misses == 0);
  CHECK(emptied.stats().hits > 0);
}
