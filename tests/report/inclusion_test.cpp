// The state's yearly figure (inkluderingsdugnaden): new hires and those of them with a
// disability or gaps in the CV, against the 5 % goal. What a vacancy adds, the published
// cells and shares, the renderings, and the attacker of suppression_test.cpp turned on the
// figure and the groups' hired counts it overlaps with (a person can be in both groups).
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <set>

#include "attacker.hpp"
#include "connector/report/figures.hpp"
#include "report_test_support.hpp"

namespace mangfold::report {
namespace {

using namespace testing;

const std::string kDisability = "disability";
const std::string kCvGap = "cv_gap";

domain::RuleVerdict hired_rule(const std::string& group, int hired, int hired_in_group) {
  domain::RuleVerdict r;
  r.rule = r.kind = "interview_minimum";
  r.group = group;
  r.outcome = domain::Outcome::kCompliant;
  r.counts.applicants = 10;
  r.counts.hired = hired;
  r.counts.hired_in_group = hired_in_group;
  r.counts.in_group = hired_in_group;
  r.counts.qualified = 0;
  return r;
}

// A closed vacancy with `hired` hires: h_d with a disability, h_c with a CV gap, `u` in
// either (kNotRecorded: a verdict without the figure).
store::ReportVacancy vacancy(const std::string& department, const std::string& day, int hired,
                             int h_d, int h_c, int u) {
  store::ReportVacancy v;
  v.record.tenant = "staten";
  v.record.vacancy_id = department + day;
  v.record.department = department;
  v.record.status = "closed";
  v.record.closed_at = unix_of(day);
  domain::Verdict verdict;
  verdict.overall = domain::Outcome::kCompliant;
  verdict.rules = {hired_rule(kDisability, hired, h_d), hired_rule(kCvGap, hired, h_c)};
  verdict.inclusion_hired = u;
  v.last_verdict = std::move(verdict);
  return v;
}

std::map<std::string, std::int64_t> rows_of(const store::ReportVacancy& v) {
  std::map<std::string, std::int64_t> out;
  for (const store::AggregateRow& r : vacancy_figures(v, 0))
    out[r.metric] += r.value;
  return out;
}

std::int64_t get(const std::map<std::string, std::int64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

ReportQuery year_query() {
  ReportQuery q;
  q.tenant = "staten";
  q.from_month = "2025-01";
  q.to_month = "2025-12";
  q.now = unix_of("2026-01-15");
  return q;
}

}  // namespace

TEST_CASE("a vacancy adds its new hires, those in the groups, and how the groups overlap") {
  struct Row {
    const char* name;
    int hired, h_d, h_c, u;
    std::int64_t both, only_d, only_c, rest_d, rest_c;
    bool with_figure;
  };
  const Row rows[] = {
      {"one hire in both groups counts once", 3, 1, 1, 1, 1, 0, 0, 0, 0, true},
      {"one in each group", 4, 1, 1, 2, 0, 1, 1, 0, 0, true},
      {"two with a disability, one of them also a CV gap", 5, 2, 1, 2, 1, 1, 0, 0, 0, true},
      {"nobody in the groups", 2, 0, 0, 0, 0, 0, 0, 0, 0, true},
      {"a verdict without the figure: the groups' hires are set aside", 3, 1, 2,
       domain::Counts::kNotRecorded, 0, 0, 0, 1, 2, false},
      {"inconsistent counts (a union above the hires) are set aside", 1, 1, 0, 2, 0, 0, 0, 1, 0,
       false},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const auto m = rows_of(vacancy("IT", "2025-03-10", row.hired, row.h_d, row.h_c, row.u));
    CHECK(get(m, std::string(metric::kInclusionHires)) == (row.with_figure ? row.hired : 0));
    CHECK(get(m, std::string(metric::kInclusionHired)) == (row.with_figure ? row.u : 0));
    CHECK(get(m, std::string(metric::kInclusionBoth)) == row.both);
    CHECK(get(m, metric::inclusion("only", kDisability)) == row.only_d);
    CHECK(get(m, metric::inclusion("only", kCvGap)) == row.only_c);
    CHECK(get(m, metric::inclusion("rest", kDisability)) == row.rest_d);
    CHECK(get(m, metric::inclusion("rest", kCvGap)) == row.rest_c);
    // The identities suppression relies on hold for every vacancy.
    CHECK(get(m, metric::group(kDisability, "hired")) ==
          get(m, metric::inclusion("only", kDisability)) +
              get(m, std::string(metric::kInclusionBoth)) +
              get(m, metric::inclusion("rest", kDisability)));
    CHECK(get(m, std::string(metric::kInclusionHired)) ==
          get(m, metric::inclusion("only", kDisability)) +
              get(m, metric::inclusion("only", kCvGap)) +
              get(m, std::string(metric::kInclusionBoth)));
  }
  // A policy without the groups: no figure, and no report section.
  store::ReportVacancy v = vacancy("IT", "2025-03-10", 2, 0, 0, domain::Counts::kNotRecorded);
  v.last_verdict->rules = {hired_rule("immigrant_background", 2, 1)};
  for (const auto& [key, value] : rows_of(v))
    CHECK(key.rfind("inclusion:", 0) == std::string::npos);
}

TEST_CASE("the report shows new hires and the share in the groups, suppressed like the rest") {
  MonthlyFigures figures;
  auto add = [&figures](const store::ReportVacancy& v) {
    for (const store::AggregateRow& r : vacancy_figures(v, 0))
      figures[r.month][r.department][r.metric] += r.value;
  };
  // March: 46 hires; 6 in the groups: 4 with a disability alone, 2 with both.
  for (int k = 0; k < 10; ++k)
    add(vacancy("IT", "2025-03-1" + std::to_string(k), 4, 0, 0, 0));
  for (int k = 0; k < 2; ++k)
    add(vacancy("IT", "2025-03-2" + std::to_string(k + 1), 1, 1, 1, 1));
  for (int k = 0; k < 4; ++k)
    add(vacancy("IT", "2025-03-2" + std::to_string(k + 3), 1, 1, 0, 1));

  const Report r = tabulate(year_query(), figures);
  REQUIRE(r.inclusion);
  const Period& march = r.months.at(2);
  REQUIRE(march.inclusion);
  CHECK(march.inclusion->new_hires.value == 46);
  CHECK(march.inclusion->in_groups.value == 6);
  REQUIRE(march.inclusion->share.value);
  CHECK(*march.inclusion->share.value == doctest::Approx(6.0 / 46.0));
  CHECK(march.groups.size() == 2);
  CHECK(march.groups.at(0).hired.suppressed());  // 2 with a CV gap: small
  const Period& year = r.years.at(0);
  REQUIRE(year.inclusion);
  CHECK(year.inclusion->new_hires.value == 46);
  CHECK(r.months.at(5).inclusion->new_hires.value == 0);  // a month without vacancies

  // June elsewhere: 2 hires, 1 in the groups: small cells are hidden, and so is the share.
  MonthlyFigures small;
  for (const store::AggregateRow& row : vacancy_figures(vacancy("IT", "2025-06-10", 2, 1, 0, 1), 0))
    small[row.month][row.department][row.metric] += row.value;
  const Report rs = tabulate(year_query(), small);
  const Period& june = rs.months.at(5);
  REQUIRE(june.inclusion);
  CHECK(june.inclusion->in_groups.suppressed());
  CHECK(june.inclusion->new_hires.suppressed());
  CHECK(june.inclusion->share.suppressed);
  CHECK_FALSE(june.inclusion->share.value);

  // Every rendering carries it, in Norwegian and English.
  const std::string nb = render(r, Format::kTable, Language::kNb);
  CHECK(nb.find("Nyansatte – inkluderingsdugnaden (mål: 5 %)") != std::string::npos);
  CHECK(nb.find("Med nedsatt funksjonsevne eller hull i CV-en") != std::string::npos);
  const std::string en = render(r, Format::kTable, Language::kEn);
  CHECK(en.find("New hires – the inclusion effort (inkluderingsdugnaden, goal: 5%)") !=
        std::string::npos);
  CHECK(render(r, Format::kHtml, Language::kNb).find("id=\"inclusion\"") != std::string::npos);
  const std::string csv = render(r, Format::kCsv);
  CHECK(csv.find("2025-03,*,,,inclusion_new_hires,46,shown") != std::string::npos);
  CHECK(render(rs, Format::kCsv).find("2025-06,*,,,inclusion_hired,,suppressed") !=
        std::string::npos);
  const std::string json = render(r, Format::kJson);
  CHECK(json.find("\"inclusion\": {") != std::string::npos);
  CHECK(json.find("\"new_hires\": 46,") != std::string::npos);
  CHECK(json.find("\"in_groups\": 6,") != std::string::npos);
  CHECK(json.find("\"goal\": 0.05") != std::string::npos);
  CHECK(render(rs, Format::kJson).find("\"inclusion.in_groups\"") !=
        std::string::npos);  // listed as suppressed

  // A tenant without the groups has no such section.
  MonthlyFigures other;
  other["2025-03"]["IT"][std::string(metric::kVacancies)] = 1;
  const Report plain = tabulate(year_query(), other);
  CHECK_FALSE(plain.inclusion);
  CHECK_FALSE(plain.months.at(2).inclusion);
  CHECK(render(plain, Format::kTable, Language::kNb).find("inkluderingsdugnaden") ==
        std::string::npos);
}

// --- The attacker: random vacancies with hires in neither, one or both groups go through
// vacancy_figures and tabulate; the published reports (every department and all) are all
// it has. Its table per period and column: new hires = in the groups + other; in the groups
// = alone in disability + alone in CV gap + both; each group's hired = alone + both + rest
// (vacancies without the figure); months add up to the year, departments to all. Only the
// new hires, those in the groups and each group's hired are ever shown; what follows from
// them must not be small.
namespace {

struct Rng {
  std::uint64_t state;
  int below(int n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state >> 33) % static_cast<std::uint64_t>(n));
  }
};

// Measures of the attacker's table.
enum Measure {
  kHires,
  kUnion,
  kHiredD,
  kHiredC,
  kOther,
  kBoth,
  kOnlyD,
  kOnlyC,
  kRestD,
  kRestC,
  kN
};

struct Scenario {
  int departments = 0;
  MonthlyFigures figures;
  std::map<int, std::map<int, std::array<std::int64_t, kN>>> truth;  // [month][department]
};

Scenario make_scenario(std::uint64_t seed, int departments, int max_vacancies) {
  Rng rng{seed};
  Scenario s;
  s.departments = departments;
  for (int m = 0; m < 12; ++m)
    for (int d = 0; d < departments; ++d) {
      const int n = 1 + rng.below(max_vacancies);  // no period without vacancies: no true zeros
      for (int v = 0; v < n; ++v) {
        std::array<std::int64_t, kN> t{};
        const int hires = rng.below(5);
        for (int h = 0; h < hires; ++h) {
          const bool dis = rng.below(5) == 0, cv = rng.below(4) == 0;
          t[kHiredD] += dis;
          t[kHiredC] += cv;
          t[kBoth] += dis && cv;
          t[kOnlyD] += dis && !cv;
          t[kOnlyC] += cv && !dis;
          t[kUnion] += dis || cv;
        }
        const bool recorded = rng.below(6) != 0;
        if (recorded) {
          t[kHires] = hires;
          t[kOther] = hires - t[kUnion];
        } else {
          t[kRestD] = t[kHiredD];
          t[kRestC] = t[kHiredC];
          t[kBoth] = t[kOnlyD] = t[kOnlyC] = t[kUnion] = 0;
        }
        auto& cell = s.truth[m][d];
        for (int k = 0; k < kN; ++k)
          cell[static_cast<std::size_t>(k)] += t[static_cast<std::size_t>(k)];
        const std::string day = "2025-" + std::string(m < 9 ? "0" : "") + std::to_string(m + 1) +
                                "-1" + std::to_string(v);
        const int u = recorded ? static_cast<int>(t[kUnion]) : domain::Counts::kNotRecorded;
        const auto vac = vacancy("D" + std::to_string(d), day, hires, static_cast<int>(t[kHiredD]),
                                 static_cast<int>(t[kHiredC]), u);
        for (const store::AggregateRow& r : vacancy_figures(vac, 0))
          s.figures[r.month][r.department][r.metric] += r.value;
      }
    }
  return s;
}

void attack(const Scenario& s, int threshold, int& shown_union, int& derived) {
  const int columns = s.departments + 1;
  auto cell = [&](int row, int col, int m) { return (row * columns + col) * kN + m; };
  SuppressionTable table;
  std::vector<bool> hidden(static_cast<std::size_t>(13 * columns * kN), true);
  table.values.assign(hidden.size(), 0);
  ReportQuery q = year_query();
  q.threshold = threshold;
  for (int col = 0; col < columns; ++col) {
    if (col + 1 < columns)
      q.department = "D" + std::to_string(col);
    else
      q.department.reset();
    const Report r = tabulate(q, s.figures);
    std::size_t gd = 0, gc = 0;
    for (std::size_t g = 0; g < r.groups.size(); ++g) {
      if (r.groups[g].name == kDisability) gd = g;
      if (r.groups[g].name == kCvGap) gc = g;
    }
    for (int row = 0; row < 13; ++row) {
      const Period& p = row < 12 ? r.months.at(static_cast<std::size_t>(row)) : r.years.at(0);
      std::array<std::int64_t, kN> t{};
      for (const auto& [m, by_department] : s.truth)
        for (const auto& [d, values] : by_department)
          if ((row == 12 || m == row) && (col + 1 == columns || d == col))
            for (int k = 0; k < kN; ++k)
              t[static_cast<std::size_t>(k)] += values[static_cast<std::size_t>(k)];
      for (int k = 0; k < kN; ++k)
        table.values[static_cast<std::size_t>(cell(row, col, k))] = t[static_cast<std::size_t>(k)];
      auto show = [&](int k, const Cell& c) {
        if (!c.value) return;
        CHECK(*c.value == t[static_cast<std::size_t>(k)]);  // what is shown is the truth
        hidden[static_cast<std::size_t>(cell(row, col, k))] = false;
      };
      if (r.inclusion) {
        REQUIRE(p.inclusion);
        show(kHires, p.inclusion->new_hires);
        show(kUnion, p.inclusion->in_groups);
        if (p.inclusion->in_groups.value && *p.inclusion->in_groups.value > 0) ++shown_union;
      }
      if (!r.groups.empty()) {
        show(kHiredD, p.groups.at(gd).hired);
        show(kHiredC, p.groups.at(gc).hired);
      }
    }
  }
  for (int row = 0; row < 13; ++row)
    for (int col = 0; col < columns; ++col) {
      auto c = [&](int k) { return cell(row, col, k); };
      table.relations.push_back({c(kHires), {c(kUnion), c(kOther)}});
      table.relations.push_back({c(kUnion), {c(kOnlyD), c(kOnlyC), c(kBoth)}});
      table.relations.push_back({c(kHiredD), {c(kOnlyD), c(kBoth), c(kRestD)}});
      table.relations.push_back({c(kHiredC), {c(kOnlyC), c(kBoth), c(kRestC)}});
    }
  for (int k = 0; k < kN; ++k) {
    for (int col = 0; col < columns; ++col) {
      SuppressionTable::Relation year{cell(12, col, k), {}};
      for (int row = 0; row < 12; ++row)
        year.parts.push_back(cell(row, col, k));
      table.relations.push_back(year);
    }
    for (int row = 0; row < 13; ++row) {
      SuppressionTable::Relation all{cell(row, columns - 1, k), {}};
      for (int col = 0; col + 1 < columns; ++col)
        all.parts.push_back(cell(row, col, k));
      table.relations.push_back(all);
    }
  }
  const attacker::Published p{table, hidden};
  std::set<int> recovered = attacker::recover_by_subtraction(p);
  for (int c : derivable_cells(table, hidden))
    recovered.insert(c);
  for (int c : recovered) {
    CAPTURE(c % kN);
    CHECK(table.values[static_cast<std::size_t>(c)] >= threshold);
    ++derived;
  }
  for (std::size_t i = 0; i < hidden.size(); ++i)
    if (!hidden[i]) CHECK(table.values[i] >= threshold);  // shown: never small
}

}  // namespace

TEST_CASE("no small inclusion figure, nor how the groups overlap, follows from published reports") {
  int shown_union = 0, derived = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed)
    for (int threshold : {3, 5}) {
      CAPTURE(seed);
      CAPTURE(threshold);
      attack(make_scenario(seed, 2, 6), threshold, shown_union, derived);
    }
  // Not vacuous: the figure is shown, and a reader can take differences.
  CHECK(shown_union > 20);
  CHECK(derived > 0);
}

}  // namespace mangfold::report
