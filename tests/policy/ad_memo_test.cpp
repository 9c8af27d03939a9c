// The ad memo (ad_injection.hpp): a bounded LRU that never changes an answer.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "connector/policy/ad_injection.hpp"
#include "connector/policy/ad_rules.hpp"
#include "connector/policy/engine.hpp"

using namespace mangfold;
using policy::AdMemo;
using policy::AdMemoStats;
using Table = policy::AdMemo::Table;

namespace {

Table::Key key(unsigned char n) {
  Table::Key k{};
  k[0] = n;
  k[31] = n;
  return k;
}

std::shared_ptr<const Table::Value> text(std::size_t bytes) {
  return std::make_shared<const Table::Value>(
      ads::VisibleText(std::string(bytes, 'a'), ads::AdFormat::kText));
}

policy::Policy ad_policy(std::string nb_sentence =
                             "Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å "
                             "søke.") {
  policy::Policy p;
  p.id = "test";
  p.version = "1";
  policy::AdSentence s;
  s.mode = policy::AdMode::kInject;
  s.sentences = {
      {"nb",
       {std::move(nb_sentence),
        {"Kvalifiserte kandidater med innvandrerbakgrunn oppfordres til å søke."}}},
      {"nn", {"Vi oppmodar kvalifiserte kandidatar med innvandrarbakgrunn til å søkje.", {}}},
      {"en", {"We encourage qualified candidates with an immigrant background to apply.", {}}},
  };
  s.fallback_language = "nb";
  s.before_headings = {"Slik søker du", "Slik søkjer du", "How to apply"};
  p.rules.push_back({"encourage", true, {}, s});
  policy::AdMentions m;
  m.topics = {{"diversity", {{"nb", {"mangfold*"}}, {"nn", {"mangfald*"}}, {"en", {"diversity"}}}},
              {"apply", {{"nb", {"søk*"}}, {"nn", {"søk*"}}, {"en", {"apply"}}}}};
  m.fallback_language = "nb";
  p.rules.push_back({"mentions", true, {}, m});
  return p;
}

domain::Snapshot with_ad(std::string body, domain::AdFormat format, std::string language) {
  domain::Snapshot s;
  s.vacancy.id = "v1";
  s.vacancy.ad = domain::JobAd{std::move(body), format, std::move(language)};
  return s;
}

// The corpus of tests/ads, each ad in its own language, in bokmål and in a language the
// policy does not list (so the fallback applies), and a few edge cases.
std::vector<domain::Snapshot> snapshots() {
  std::vector<domain::Snapshot> out;
  const std::filesystem::path dir =
      std::filesystem::path(MANGFOLD_SOURCE_DIR) / "tests/fixtures/ads";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename() != "manifest.txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    const auto format = f.extension() == ".txt" ? domain::AdFormat::kText : domain::AdFormat::kHtml;
    const std::string own = f.stem().extension().string().substr(1);  // "x.nb.html" → "nb"
    for (const std::string& language : {own, std::string("nb"), std::string("se")})
      out.push_back(with_ad(body.str(), format, language));
  }
  out.push_back(with_ad("<!-- alt er en kommentar", domain::AdFormat::kHtml, "nb"));
  out.push_back(with_ad("Tekst uten overskrift.", domain::AdFormat::kText, "nb"));
  return out;
}

domain::Verdict evaluate(const policy::Policy& p, const domain::Snapshot& s, AdMemo* memo) {
  policy::EvaluationContext context;
  context.ad_memo = memo;
  return policy::evaluate(p, s, context);
}

// Everything the ad rules and the plan answer, as text. Plan first, as ingest runs them.
std::string answers(const policy::Policy& p, const domain::Snapshot& s, AdMemo* memo) {
  std::ostringstream out;
  Result<std::optional<policy::AdChange>> change = policy::plan_ad_injection(p, s, memo);
  if (!change.ok()) {
    out << "error " << to_string(change.status().code()) << ": " << change.status().message();
  } else if (!change->has_value()) {
    out << "no change";
  } else {
    out << (*change)->rule << " " << (*change)->language << "\n" << (*change)->after.body;
  }
  for (const domain::RuleVerdict& r : evaluate(p, s, memo).rules) {
    out << "\n"
        << r.rule << " " << static_cast<int>(r.outcome) << " " << r.reason_code << " " << r.missing
        << " " << r.reason;
  }
  return out.str();
}

std::vector<std::string> reference_answers(const policy::Policy& p,
                                           const std::vector<domain::Snapshot>& ss) {
  std::vector<std::string> out;
  for (const auto& s : ss)
    out.push_back(answers(p, s, nullptr));
  return out;
}

}  // namespace

TEST_CASE("the memo's table drops the least recently used entries beyond its capacity") {
  const std::size_t entry = 100 + Table::kEntryOverhead;
  Table memo(2 * entry);
  CHECK(memo.enabled());
  CHECK(memo.find(key(1)) == nullptr);
  memo.insert(key(1), text(100));
  memo.insert(key(2), text(100));
  CHECK(memo.stats().entries == 2);
  CHECK(memo.stats().bytes == 2 * entry);

  const auto one = memo.find(key(1));  // 1 is now more recent than 2
  REQUIRE(one != nullptr);
  memo.insert(key(3), text(100));
  CHECK(memo.find(key(2)) == nullptr);
  CHECK(memo.find(key(1)) != nullptr);
  CHECK(memo.find(key(3)) != nullptr);

  const AdMemoStats stats = memo.stats();
  CHECK(stats.entries == 2);
  CHECK(stats.bytes == 2 * entry);
  CHECK(stats.hits == 3);
  CHECK(stats.misses == 2);
  CHECK(stats.capacity_bytes == 2 * entry);
}

TEST_CASE("the memo's table replaces an entry, refuses one larger than itself, turns off") {
  const std::size_t entry = 100 + Table::kEntryOverhead;
  Table memo(3 * entry);
  memo.insert(key(1), text(100));
  memo.insert(key(1), text(50));
  CHECK(memo.stats().entries == 1);
  CHECK(memo.stats().bytes == 50 + Table::kEntryOverhead);

  memo.insert(key(2), text(3 * entry));  // would not fit even alone
  CHECK(memo.find(key(2)) == nullptr);
  CHECK(memo.find(key(1)) != nullptr);

  const auto kept = memo.find(key(1));
  memo.set_capacity(0);
  CHECK_FALSE(memo.enabled());
  CHECK(memo.stats().entries == 0);
  CHECK(memo.stats().bytes == 0);
  memo.insert(key(3), text(1));
  CHECK(memo.find(key(3)) == nullptr);
  // A value handed out earlier outlives its eviction.
  CHECK(std::get<ads::VisibleText>(*kept).folded() == std::string(50, 'a'));
}

TEST_CASE("with the memo, plan and rules answer byte for byte as without it") {
  const policy::Policy p = ad_policy();
  const std::vector<domain::Snapshot> ss = snapshots();
  const std::vector<std::string> expected = reference_answers(p, ss);
  REQUIRE(ss.size() > 90);
  CHECK(std::count_if(expected.begin(), expected.end(), [](const std::string& a) {
          return a.starts_with("encourage ");
        }) > 40);  // most of the corpus gets an injection; some ads already comply
  CHECK(std::count_if(expected.begin(), expected.end(), [](const std::string& a) {
          return a.starts_with("error unprocessable");
        }) == 1);

  AdMemo memo;
  for (int round = 0; round < 2; ++round) {  // first sight, then every answer from the memo
    CAPTURE(round);
    for (std::size_t i = 0; i < ss.size(); ++i) {
      CAPTURE(i);
      CHECK(answers(p, ss[i], &memo) == expected[i]);
    }
  }
  CHECK(memo.stats().hits > 0);
  // Evaluating before planning (the memo then holds text before the injection).
  AdMemo fresh;
  for (std::size_t i = 0; i < ss.size(); ++i) {
    CAPTURE(i);
    const domain::Verdict first = evaluate(p, ss[i], &fresh);
    CHECK(answers(p, ss[i], &fresh) == expected[i]);
    CHECK(first.rules.size() == 2);
  }
}

TEST_CASE("the rules evaluated after a plan read the ad from the memo") {
  AdMemo memo;
  const policy::Policy p = ad_policy();
  const domain::Snapshot s =
      with_ad("<p>Vi er opptatt av mangfold.</p><h2>Slik søker du</h2><p>Søk her.</p>",
              domain::AdFormat::kHtml, "nb");
  const AdMemoStats before = memo.stats();
  REQUIRE(policy::plan_ad_injection(p, s, &memo).ok());
  const AdMemoStats planned = memo.stats();
  // The HTML's shape and the injection; the text is stored unasked.
  CHECK(planned.misses - before.misses == 2);
  CHECK(planned.entries - before.entries == 3);

  // The rules find the shape and the text, and read the sentence and topics in that text.
  const domain::Verdict v = evaluate(p, s, &memo);
  const AdMemoStats evaluated = memo.stats();
  CHECK(evaluated.hits - planned.hits == 2);      // the shape, the text (read once for both)
  CHECK(evaluated.misses - planned.misses == 2);  // the assessment, the topics
  CHECK(evaluated.entries - planned.entries == 2);
  CHECK(v.rules.at(0).reason_code == "sentence_missing");
  CHECK(v.rules.at(1).reason_code == "topics_mentioned");

  // Seen before: every answer comes from the memo, nothing is read.
  const domain::Verdict again = evaluate(p, s, &memo);
  CHECK(memo.stats().misses == evaluated.misses);
  CHECK(memo.stats().hits - evaluated.hits == 3);  // the shape, the assessment, the topics
  REQUIRE(again.rules.size() == v.rules.size());
  for (std::size_t i = 0; i < v.rules.size(); ++i)
    CHECK(again.rules[i].reason == v.rules[i].reason);
  REQUIRE(policy::plan_ad_injection(p, s, &memo).ok());
  CHECK(memo.stats().misses == evaluated.misses);
  // Without a memo nothing is remembered anywhere.
  REQUIRE(policy::plan_ad_injection(p, s).ok());
  CHECK(memo.stats().misses == evaluated.misses);
}

TEST_CASE("policies that share an id and version but not a sentence get their own answers") {
  AdMemo memo;
  const policy::Policy a = ad_policy();
  const policy::Policy b = ad_policy("Søk hos oss, du som har innvandrerbakgrunn.");
  REQUIRE(a.id == b.id);
  REQUIRE(a.version == b.version);
  const domain::Snapshot s =
      with_ad("<p>Søk hos oss, du som har innvandrerbakgrunn.</p>", domain::AdFormat::kHtml, "nb");
  for (int round = 0; round < 2; ++round) {
    CHECK(evaluate(a, s, &memo).rules.at(0).reason_code == "sentence_missing");
    CHECK(evaluate(b, s, &memo).rules.at(0).reason_code == "sentence_present");
    auto change_a = policy::plan_ad_injection(a, s, &memo);
    auto change_b = policy::plan_ad_injection(b, s, &memo);
    REQUIRE(change_a.ok());
    REQUIRE(change_b.ok());
    CHECK(change_a->has_value());
    CHECK_FALSE(change_b->has_value());
  }
}

TEST_CASE("threads sharing a small memo get the answers of a single thread") {
  const policy::Policy p = ad_policy();
  const std::vector<domain::Snapshot> ss = snapshots();
  const std::vector<std::string> expected = reference_answers(p, ss);
  // Room for a handful of ads: entries are stored, found and evicted all the time.
  AdMemo small(8 * 1024);
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (std::size_t k = 0; k < ss.size(); ++k) {
          const std::size_t i = (k * (t + 1) + round) % ss.size();  // a different order each
          if (answers(p, ss[i], &small) != expected[i]) ++wrong[t];
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  CHECK(wrong == std::vector<int>(4, 0));
  const AdMemoStats stats = small.stats();
  CHECK(stats.bytes <= 8 * 1024);
  CHECK(stats.hits > 0);
}
