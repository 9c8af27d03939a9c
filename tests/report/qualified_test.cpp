// The qualified stage in reports: which verdicts record the qualified total, when a
// period's total is measured, the group's share among the qualified, the renderings, and
// the attacker of suppression_test.cpp turned on the qualified figures of published
// reports (qualified = Q + the qualified outside the group, months, year, departments).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <set>

#include "attacker.hpp"
#include "connector/report/figures.hpp"
#include "report_test_support.hpp"

namespace mangfold::report {
namespace {

using namespace testing;

const std::string kGroup = "immigrant_background";

domain::Counts counts(int applicants, int q_in_group, int invited, int qualified) {
  domain::Counts c;
  c.applicants = applicants;
  c.in_group = q_in_group;
  c.qualified_in_group = q_in_group;
  c.invited = invited;
  c.qualified = qualified;
  return c;
}

domain::RuleVerdict counting_rule(std::string kind, std::string group, domain::Counts c) {
  domain::RuleVerdict r;
  r.rule = r.kind = std::move(kind);
  r.group = std::move(group);
  r.outcome = domain::Outcome::kCompliant;
  r.counts = c;
  return r;
}

store::ReportVacancy closed_vacancy(const std::string& department, const std::string& day,
                                    std::vector<domain::RuleVerdict> rules) {
  store::ReportVacancy v;
  v.record.tenant = "oslo";
  v.record.vacancy_id = department + day;
  v.record.department = department;
  v.record.status = "closed";
  v.record.closed_at = unix_of(day);
  domain::Verdict verdict;
  verdict.overall = domain::Outcome::kCompliant;
  verdict.rules = std::move(rules);
  v.last_verdict = std::move(verdict);
  return v;
}

std::map<std::string, std::int64_t> rows_of(const store::ReportVacancy& v) {
  std::map<std::string, std::int64_t> out;
  for (const store::AggregateRow& r : vacancy_figures(v, 0))
    out[r.metric] += r.value;
  return out;
}

TEST_CASE("a verdict's qualified total counts as recorded unless stored before it existed") {
  struct Case {
    const char* name;
    domain::Counts c;
    bool recorded;
  };
  const Case cases[] = {
      {"made by the engine: 5 qualified, 2 of them in the group", counts(12, 2, 3, 5), true},
      {"nobody qualified and nobody invited yet: a true 0", counts(6, 0, 0, 0), true},
      {"every invitee assessed not qualified: a true 0", counts(6, 0, 3, 0), true},
      {"no applicants", counts(0, 0, 0, 0), true},
      {"stored before the total existed", counts(12, 2, 3, domain::Counts::kNotRecorded), false},
      {"stored before the total existed, nobody qualified",
       counts(12, 0, 0, domain::Counts::kNotRecorded), false},
      {"Q above the total cannot come from the engine", counts(12, 3, 3, 2), false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CHECK(qualified_recorded(c.c) == c.recorded);
  }
}

TEST_CASE("a vacancy adds the qualified total and its marker only when its verdict records it") {
  const auto recorded =
      rows_of(closed_vacancy("Oppvekst", "2025-01-10",
                             {counting_rule("interview_minimum", kGroup, counts(12, 2, 3, 5)),
                              counting_rule("hire_justification", kGroup, counts(12, 2, 3, 5))}));
  CHECK(recorded.at("qualified") == 5);  // once, not once per rule
  CHECK(recorded.at("qualified_measured") == 1);
  CHECK(recorded.at(metric::group(kGroup, "qualified")) == 2);

  // One rule's counts from an older verdict make the whole vacancy's total unknown.
  const auto old =
      rows_of(closed_vacancy("Oppvekst", "2025-01-10",
                             {counting_rule("interview_minimum", kGroup, counts(12, 2, 3, 5)),
                              counting_rule("interview_minimum", "other",
                                            counts(12, 0, 3, domain::Counts::kNotRecorded))}));
  CHECK(old.count("qualified") == 0);
  CHECK(old.count("qualified_measured") == 0);
  CHECK(old.at(metric::group(kGroup, "qualified")) == 2);  // Q was always recorded
  CHECK(old.at("vacancies") == 1);

  // No counting rule (ad rules only, or out of scope): no applicants, so 0 qualified.
  domain::RuleVerdict ad;
  ad.kind = "ad_sentence";
  domain::RuleVerdict out_of_scope = counting_rule("interview_minimum", kGroup, {});
  out_of_scope.reason_code = "out_of_scope";
  const auto none = rows_of(closed_vacancy("Oppvekst", "2025-01-10", {ad, out_of_scope}));
  CHECK(none.at("qualified_measured") == 1);
  CHECK(none.count("qualified") == 0);

  // Nobody qualified yet, in an engine-made verdict: measured, 0.
  const auto zero = rows_of(closed_vacancy(
      "Oppvekst", "2025-01-10", {counting_rule("interview_minimum", kGroup, counts(6, 0, 0, 0))}));
  CHECK(zero.at("qualified_measured") == 1);
  CHECK(zero.count("qualified") == 0);

  CHECK(metric::parse("qualified")->field == "qualified");
  CHECK(metric::parse("qualified_measured")->field == "qualified_measured");
}

struct Loaded {
  TempDir dir;
  std::unique_ptr<store::Store> store;
  Fixture fixture;
  Loaded()
      : store(store::testing::open_store(dir.file("q.db"))),
        fixture(load_fixture(*store, "verdict_logs_qualified.json")) {}
};

// The share among the qualified is Q / qualified where both are shown, hidden where one of
// them is, and "not measured" (no value, not suppressed) where the total is not measured.
void check_shares(const Report& r) {
  for (const auto* list : {&r.months, &r.years})
    for (const Period& p : *list) {
      CAPTURE(p.label);
      const GroupFigures& g = p.groups.at(0);
      if (!p.qualified) {
        CHECK_FALSE(g.qualified_share.value.has_value());
        CHECK_FALSE(g.qualified_share.suppressed);
      } else if (p.qualified->suppressed() || g.qualified.suppressed()) {
        CHECK(g.qualified_share.suppressed);
      } else if (*p.qualified->value > 0) {
        REQUIRE(g.qualified_share.value.has_value());
        CHECK(*g.qualified_share.value ==
              doctest::Approx(static_cast<double>(*g.qualified.value) /
                              static_cast<double>(*p.qualified->value)));
      }
    }
}

TEST_CASE("verdicts with the qualified total: measured periods show it and the share") {
  Loaded l;
  for (int threshold : {3, 5}) {
    CAPTURE(threshold);
    ReportQuery q = query_for(l.fixture, "2025-01", "2025-03", threshold);
    auto all = build_report(*l.store, q);
    q.department = "Oppvekst";
    auto oppvekst = build_report(*l.store, q);
    q.department = "Helse";
    auto helse = build_report(*l.store, q);
    REQUIRE((all.ok() && oppvekst.ok() && helse.ok()));
    for (const Report* r : {&*all, &*oppvekst, &*helse})
      check_shares(*r);

    // February in Helse has n06, stored before the total existed: not measured there, nor
    // in the totals that include it. Oppvekst is measured in every month and its year.
    CHECK(all->months[0].qualified.has_value());
    CHECK_FALSE(all->months[1].qualified.has_value());
    CHECK(all->months[2].qualified.has_value());
    CHECK_FALSE(all->years[0].qualified.has_value());
    CHECK_FALSE(helse->months[1].qualified.has_value());
    CHECK_FALSE(helse->years[0].qualified.has_value());
    CHECK(helse->months[0].qualified.has_value());
    for (const Period& p : oppvekst->months)
      CHECK(p.qualified.has_value());
    REQUIRE(oppvekst->years[0].qualified.has_value());
    // Q itself was always recorded: February's is known (or hidden), never "not measured".
    CHECK(all->months[1].groups[0].qualified.value == std::optional<std::int64_t>{11});

    // Oppvekst's year: 11 + 9 (n02's latest verdict) + 14 + 8 + 5 + 0 qualified, Q = 16.
    CHECK(oppvekst->years[0].qualified->value == std::optional<std::int64_t>{47});
    CHECK(oppvekst->years[0].groups[0].qualified.value == std::optional<std::int64_t>{16});
    CHECK(oppvekst->years[0].groups[0].qualified_share.value.value_or(-1) ==
          doctest::Approx(16.0 / 47.0));
    // January, all departments: 27 qualified; its Q (9) is hidden so that March's 1 cannot
    // be had from the year, and the share with it.
    CHECK(all->months[0].qualified->value == std::optional<std::int64_t>{27});
    CHECK(all->months[0].groups[0].qualified.suppressed());
    CHECK(all->months[0].groups[0].qualified_share.suppressed);
    // March: 5 qualified, Q = 1 is below the threshold, so the share is hidden too.
    CHECK(all->months[2].qualified->value == std::optional<std::int64_t>{5});
    CHECK(all->months[2].groups[0].qualified.suppressed());
    CHECK(all->months[2].groups[0].qualified_share.suppressed);
    // Helse in January: 7 qualified, Q = 2: Q hidden, and so is one more of the three.
    CHECK(helse->months[0].groups[0].qualified.suppressed());
    CHECK(helse->months[0].groups[0].qualified_share.suppressed);
  }
}

TEST_CASE("the renderings show the qualified total, its share, and 'not measured'") {
  Loaded l;
  ReportQuery q = query_for(l.fixture, "2025-01", "2025-03", 3);
  auto all = build_report(*l.store, q);
  q.department = "Oppvekst";
  auto oppvekst = build_report(*l.store, q);
  REQUIRE((all.ok() && oppvekst.ok()));

  const std::string csv = render(*all, Format::kCsv);
  CHECK(csv.find("2025-01,*,,,qualified,27,shown\r\n") != std::string::npos);
  CHECK(csv.find("2025-02,*,,,qualified,,not_measured\r\n") != std::string::npos);
  CHECK(csv.find("2025,*,,,qualified,,not_measured\r\n") != std::string::npos);
  CHECK(csv.find("2025-01,*,,immigrant_background,qualified_share,,suppressed\r\n") !=
        std::string::npos);
  CHECK(csv.find("2025-02,*,,immigrant_background,qualified_share,,not_available\r\n") !=
        std::string::npos);
  CHECK(render(*oppvekst, Format::kCsv)
            .find("2025,Oppvekst,,immigrant_background,qualified_share,0.3404,shown\r\n") !=
        std::string::npos);

  const auto json = nlohmann::json::parse(render(*all, Format::kJson));
  CHECK(json["months"][0]["qualified"] == 27);
  CHECK(json["months"][0]["not_measured"].empty());
  CHECK(json["months"][1]["qualified"].is_null());
  CHECK(json["months"][1]["not_measured"] == nlohmann::json::array({"qualified"}));
  CHECK(json["months"][1]["groups"][0]["qualified_share"].is_null());
  const auto& suppressed = json["months"][0]["suppressed"];
  CHECK(std::find(suppressed.begin(), suppressed.end(),
                  "groups.immigrant_background.qualified_share") != suppressed.end());
  CHECK(std::find(suppressed.begin(), suppressed.end(), "qualified") == suppressed.end());
  const auto by_department = nlohmann::json::parse(render(*oppvekst, Format::kJson));
  CHECK(by_department["years"][0]["qualified"] == 47);
  CHECK(by_department["years"][0]["groups"][0]["qualified_share"] == 0.3404);

  for (Language lang : {Language::kNb, Language::kEn}) {
    const bool nb = lang == Language::kNb;
    const std::string table = render(*oppvekst, Format::kTable, lang);
    CHECK(table.find(nb ? "Andel av kvalifiserte" : "Share of qualified") != std::string::npos);
    CHECK(table.find(nb ? "34 %" : "34%") != std::string::npos);
    // "Not measured" in words: "–" is a share with nothing to divide (issue 19).
    CHECK(render(*all, Format::kTable, lang).find(nb ? "  ikke målt  " : "  not measured  ") !=
          std::string::npos);
    const std::string html = render(*oppvekst, Format::kHtml, lang);
    // The stage chart draws the qualified bar where the share is shown (the year).
    CHECK(html.find(nb ? "Kvalifisert, 2025 i alt: 34\u00a0%" : "Qualified, 2025 total: 34%") !=
          std::string::npos);
    const std::string all_html = render(*all, Format::kHtml, lang);
    CHECK(all_html.find("<span class=\"na\">" + std::string(nb ? "ikke målt" : "not measured") +
                        "</span>") != std::string::npos);  // February's total
  }
}

TEST_CASE("retention keeps a month's qualified figure, measured or not") {
  Loaded l;
  const ReportQuery q = query_for(l.fixture, "2025-01", "2025-03", 3);
  auto before = render_report(*l.store, q, Format::kJson);
  REQUIRE(before.ok());
  RetentionOptions options;
  options.retention_days = 1;  // every closed vacancy, n06 (not measured) included
  auto folded = apply_retention(*l.store, l.fixture.now, options);
  REQUIRE(folded.ok());
  CHECK(folded->folded == 7);
  CHECK(*render_report(*l.store, q, Format::kJson) == *before);

  // Aggregates folded by a version without the total (no qualified_measured rows) read as
  // not measured, even when all that is left of them is plain counts.
  MonthlyFigures f;
  f["2025-01"]["Oppvekst"]["vacancies"] = 8;
  f["2025-01"]["Oppvekst"]["applicants"] = 90;
  f["2025-01"]["Oppvekst"][metric::group(kGroup, "yes")] = 20;
  f["2025-01"]["Oppvekst"][metric::group(kGroup, "qualified")] = 9;
  ReportQuery old = q;
  old.to_month = "2025-01";
  const Report r = tabulate(old, f);
  CHECK_FALSE(r.months[0].qualified.has_value());
  CHECK_FALSE(r.months[0].groups[0].qualified_share.suppressed);
  CHECK(r.months[0].groups[0].qualified.value == std::optional<std::int64_t>{9});
}

// --- The attacker. Scenarios of vacancies (some with verdicts stored before the total
// existed) go through vacancy_figures and tabulate; the published reports (every
// department and all) are then all an attacker has. Its table: per period and column,
// qualified = Q_g + outside_g for each group g, months add up to the year, departments to
// all departments. "outside" is never published, but follows from the two others where
// both are shown, so it must then not be small.

struct Rng {
  std::uint64_t state;
  int below(int n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state >> 33) % static_cast<std::uint64_t>(n));
  }
};

struct Scenario {
  std::vector<std::string> departments;
  std::vector<std::string> groups;
  MonthlyFigures figures;
  // The truth, unrecorded vacancies included: [month 0..11][department][measure].
  // measure 0 = qualified, 1 + g = Q of group g.
  std::map<int, std::map<int, std::map<int, std::int64_t>>> truth;
};

Scenario make_scenario(std::uint64_t seed, int departments, int groups,
                       const std::vector<int>& months, int max_vacancies) {
  Rng rng{seed};
  Scenario s;
  for (int d = 0; d < departments; ++d)
    s.departments.push_back("D" + std::to_string(d));
  for (int g = 0; g < groups; ++g)
    s.groups.push_back("g" + std::to_string(g));
  for (int m : months)
    for (int d = 0; d < departments; ++d) {
      const int n = 1 + rng.below(max_vacancies);
      for (int v = 0; v < n; ++v) {
        const bool recorded = rng.below(6) != 0;
        const int qualified = rng.below(9);
        const int invited = qualified == 0 ? 0 : rng.below(qualified + 1);
        std::vector<domain::RuleVerdict> rules;
        std::vector<int> q_in_group;
        for (int g = 0; g < groups; ++g)
          q_in_group.push_back(rng.below(qualified + 1));
        for (int g = 0; g < groups; ++g) {
          domain::Counts c = counts(20, q_in_group[static_cast<std::size_t>(g)], invited,
                                    recorded ? qualified : domain::Counts::kNotRecorded);
          rules.push_back(
              counting_rule("interview_minimum", s.groups[static_cast<std::size_t>(g)], c));
          s.truth[m][d][1 + g] += q_in_group[static_cast<std::size_t>(g)];
        }
        s.truth[m][d][0] += qualified;
        const std::string day = "2025-" + std::string(m < 9 ? "0" : "") + std::to_string(m + 1) +
                                "-1" + std::to_string(v);
        const auto vacancy = closed_vacancy(s.departments[static_cast<std::size_t>(d)], day, rules);
        REQUIRE(qualified_recorded(vacancy.last_verdict->rules[0].counts) == recorded);
        for (const store::AggregateRow& r : vacancy_figures(vacancy, 0))
          s.figures[r.month][r.department][r.metric] += r.value;
      }
    }
  return s;
}

struct AttackStats {
  int measured_shown = 0, not_measured = 0, q_hidden_total_shown = 0, outside_derived = 0;
};

class Attack {
 public:
  Attack(const Scenario& s, int threshold, bool all_only)
      : s_(s),
        threshold_(threshold),
        columns_(static_cast<int>(s.departments.size()) + 1),
        measures_(1 + 2 * static_cast<int>(s.groups.size())) {
    ReportQuery q;
    q.tenant = "t";
    q.from_month = "2025-01";
    q.to_month = "2025-12";
    q.threshold = threshold;
    q.now = unix_of("2026-01-15");
    std::vector<Report> reports;
    for (int c = 0; c < columns_; ++c) {
      if (c + 1 < columns_)
        q.department = s.departments[static_cast<std::size_t>(c)];
      else
        q.department.reset();
      reports.push_back(tabulate(q, s.figures));
    }
    build(reports);
    if (all_only) {
      // One department: its column is a copy of "all departments", pattern included, so
      // the brute force looks at one of them.
      REQUIRE(columns_ == 2);
      for (int row = 0; row < 13; ++row)
        for (int m = 0; m < measures_; ++m)
          CHECK(hidden_[static_cast<std::size_t>(cell(row, 0, m))] ==
                hidden_[static_cast<std::size_t>(cell(row, 1, m))]);
      keep_column_ = 1;
    }
    relate();
  }

  void check(AttackStats& stats) {
    const attacker::Published p{table_, hidden_};
    auto judge = [&](int c, const char* how) {
      CAPTURE(how);
      CAPTURE(describe(c));
      const auto i = static_cast<std::size_t>(c);
      if (outside_[i]) {
        CHECK(table_.values[i] >= threshold_);
        ++stats.outside_derived;
      } else {
        FAIL_CHECK("a hidden or unmeasured cell was recovered");
      }
    };
    const std::set<int> by_subtraction = attacker::recover_by_subtraction(p);
    for (int c : by_subtraction)
      judge(c, "subtraction");
    for (int c : derivable_cells(table_, hidden_))
      judge(c, "any linear combination");
    if (table_.relations.size() <= 12)
      for (int c : attacker::recover_by_combination(p))
        judge(c, "±1 combination");
    // With a total known, the unknown parts must not add up to something small.
    std::vector<bool> unknown = hidden_;
    for (int c : by_subtraction)
      unknown[static_cast<std::size_t>(c)] = false;
    for (const auto& r : table_.relations) {
      if (unknown[static_cast<std::size_t>(r.total)]) continue;
      std::int64_t sum = 0;
      int parts = 0;
      for (int part : r.parts)
        if (unknown[static_cast<std::size_t>(part)]) {
          sum += table_.values[static_cast<std::size_t>(part)];
          ++parts;
        }
      if (parts > 0) CHECK_MESSAGE(sum >= threshold_, "parts of " << describe(r.total));
    }
    stats.measured_shown += measured_shown_;
    stats.not_measured += not_measured_;
    stats.q_hidden_total_shown += q_hidden_total_shown_;
  }

  std::size_t relations() const { return table_.relations.size(); }

 private:
  int cell(int row, int col, int m) const { return (row * columns_ + col) * measures_ + m; }
  std::string describe(int c) const {
    const int m = c % measures_, rc = c / measures_;
    return "row " + std::to_string(rc / columns_) + " column " + std::to_string(rc % columns_) +
           " measure " + std::to_string(m);
  }

  // Measures: 0 qualified, 1 + g Q of group g, 1 + G + g outside of group g.
  void build(const std::vector<Report>& reports) {
    const int groups = static_cast<int>(s_.groups.size());
    const std::size_t n = static_cast<std::size_t>(13 * columns_ * measures_);
    table_.values.assign(n, 0);
    hidden_.assign(n, true);
    outside_.assign(n, false);
    for (int row = 0; row < 13; ++row)
      for (int col = 0; col < columns_; ++col) {
        // The truth, summed over the months and departments the cell covers.
        std::vector<std::int64_t> t(static_cast<std::size_t>(1 + groups), 0);
        for (int m = 0; m < 12; ++m) {
          if (row < 12 && m != row) continue;
          for (int d = 0; d + 1 < columns_; ++d) {
            if (col + 1 < columns_ && d != col) continue;
            auto mi = s_.truth.find(m);
            if (mi == s_.truth.end()) continue;
            auto di = mi->second.find(d);
            if (di == mi->second.end()) continue;
            for (const auto& [k, v] : di->second)
              t[static_cast<std::size_t>(k)] += v;
          }
        }
        const Report& r = reports[static_cast<std::size_t>(col)];
        const Period& p = row < 12 ? r.months[static_cast<std::size_t>(row)] : r.years[0];
        auto set = [&](int m, std::int64_t truth, std::optional<std::int64_t> shown) {
          const auto i = static_cast<std::size_t>(cell(row, col, m));
          table_.values[i] = truth;
          if (shown) {
            CHECK(*shown == truth);  // what is shown is the true sum
            hidden_[i] = false;
          }
        };
        std::optional<std::int64_t> q_shown;
        if (p.qualified) {
          q_shown = p.qualified->value;
          if (q_shown) ++measured_shown_;
        } else {
          ++not_measured_;
          CHECK_FALSE(p.empty);
        }
        set(0, t[0], q_shown);
        for (int g = 0; g < groups; ++g) {
          const GroupFigures& f = p.groups.at(static_cast<std::size_t>(g));
          CHECK(r.groups.at(static_cast<std::size_t>(g)).name ==
                s_.groups[static_cast<std::size_t>(g)]);
          set(1 + g, t[static_cast<std::size_t>(1 + g)], f.qualified.value);
          // Never published; known outright only in a period without vacancies (all 0).
          set(1 + groups + g, t[0] - t[static_cast<std::size_t>(1 + g)],
              p.empty ? std::optional<std::int64_t>{0} : std::nullopt);
          outside_[static_cast<std::size_t>(cell(row, col, 1 + groups + g))] = true;
          if (q_shown && f.qualified.suppressed()) ++q_hidden_total_shown_;
          if (q_shown && f.qualified.value && *q_shown > 0)
            CHECK(*f.qualified_share.value ==
                  doctest::Approx(static_cast<double>(*f.qualified.value) /
                                  static_cast<double>(*q_shown)));
        }
      }
  }

  void relate() {
    const int groups = static_cast<int>(s_.groups.size());
    std::vector<SuppressionTable::Relation> all;
    auto use_column = [&](int col) { return keep_column_ < 0 || col == keep_column_; };
    for (int row = 0; row < 13; ++row)
      for (int col = 0; col < columns_; ++col)
        if (use_column(col))
          for (int g = 0; g < groups; ++g)
            all.push_back(
                {cell(row, col, 0), {cell(row, col, 1 + g), cell(row, col, 1 + groups + g)}});
    for (int m = 0; m < measures_; ++m) {
      for (int col = 0; col < columns_; ++col) {
        if (!use_column(col)) continue;
        SuppressionTable::Relation year{cell(12, col, m), {}};
        for (int row = 0; row < 12; ++row)
          year.parts.push_back(cell(row, col, m));
        all.push_back(year);
      }
      if (keep_column_ < 0)
        for (int row = 0; row < 13; ++row) {
          SuppressionTable::Relation departments{cell(row, columns_ - 1, m), {}};
          for (int col = 0; col + 1 < columns_; ++col)
            departments.parts.push_back(cell(row, col, m));
          all.push_back(departments);
        }
    }
    // Relations among known cells only tell nothing; leaving them out keeps the brute
    // force within reach.
    for (auto& r : all) {
      bool any_hidden = hidden_[static_cast<std::size_t>(r.total)];
      for (int part : r.parts)
        any_hidden = any_hidden || hidden_[static_cast<std::size_t>(part)];
      if (any_hidden) table_.relations.push_back(std::move(r));
    }
  }

  const Scenario& s_;
  int threshold_;
  int columns_;
  int measures_;
  int keep_column_ = -1;
  SuppressionTable table_;
  std::vector<bool> hidden_;   // not known to the reader
  std::vector<bool> outside_;  // an "outside" cell: derivable is fine when not small
  int measured_shown_ = 0, not_measured_ = 0, q_hidden_total_shown_ = 0;
};

TEST_CASE("no hidden qualified figure can be recovered from published reports") {
  AttackStats stats;
  for (std::uint64_t seed = 1; seed <= 12; ++seed)
    for (int threshold : {3, 5}) {
      CAPTURE(seed);
      CAPTURE(threshold);
      const Scenario s = make_scenario(seed, 3, 2, {0, 1, 2, 3, 4, 5, 6, 7, 8}, 3);
      Attack(s, threshold, false).check(stats);
    }
  // The scenarios are not vacuous: totals shown and not measured, Q hidden under a shown
  // total, and differences a reader can take.
  CHECK(stats.measured_shown > 50);
  CHECK(stats.not_measured > 20);
  CHECK(stats.q_hidden_total_shown > 10);
  CHECK(stats.outside_derived > 20);
}

TEST_CASE("the brute-force attacker (every ±1 combination) finds nothing in small reports") {
  AttackStats stats;
  std::size_t brute_forced = 0;
  // Two groups make up to 11 relations (3^11 combinations each): fewer of those.
  for (int groups : {1, 2})
    for (std::uint64_t seed = 1; seed <= (groups == 1 ? 30u : 6u); ++seed)
      for (int threshold : {3, 5}) {
        CAPTURE(seed);
        CAPTURE(threshold);
        CAPTURE(groups);
        const Scenario s = make_scenario(seed * 7919, 1, groups, {1, 4}, 4);
        Attack attack(s, threshold, true);
        brute_forced += attack.relations() <= 12;
        attack.check(stats);
      }
  CHECK(brute_forced >= 60);
  CHECK(stats.q_hidden_total_shown > 5);
  CHECK(stats.outside_derived > 5);
}

}  // namespace
}  // namespace mangfold::report
