// From summed figures to a published Report: the canonical year tables and their
// suppression (report.hpp explains why suppression is per calendar year).
#include <algorithm>
#include <map>
#include <set>

#include "connector/report/figures.hpp"
#include "connector/report/months.hpp"
#include "connector/report/report.hpp"

namespace mangfold::report {

namespace {

// Rows 0..11 are the months, 12..15 the quarters, 16 the year total: one pattern for every
// grouping (month, quarter, year), so that reports grouped differently cannot be
// subtracted from each other either.
constexpr int kQuarterRow = 12;
constexpr int kYearRow = 16;
constexpr int kRows = 17;
// missing − shortfall of a rule (see relate()). Never shown.
const std::string kMissingBeyond = "missing_beyond";
// New hires outside the inclusion groups: inclusion:hires − inclusion:hired. Never shown.
const std::string kInclusionOther = "inclusion:other";
constexpr int kMaxMonths = 120;

// qualified_outside: the qualified applicants not in Q (answered no, did not answer, or a
// vacancy that did not count the group), so that qualified = Q + qualified_outside. It is
// never shown, but a reader can subtract, so it is protected like the cells that are.
const char* const kGroupFields[] = {"yes",     "no",    "unknown",          "qualified",
                                    "invited", "hired", "qualified_outside"};
// not_evaluated: vacancies whose verdict had no such rule, so that the outcomes and it add
// up to the vacancies (a rule's own "evaluated" total would, in practice, equal them).
const char* const kRuleFields[] = {"compliant",         "shortfall",     "not_applicable",
                                   "insufficient_data", "not_evaluated", "missing",
                                   "missing_beyond"};

std::string outbox_email() {
  return metric::outbox_done("email");
}
std::string outbox_ad() {
  return metric::outbox_done("ad_writeback");
}

int kind_rank(std::string_view kind) {
  constexpr std::string_view order[] = {"interview_all",  "interview_minimum", "hire_justification",
                                        "moderate_quota", "ad_sentence",       "ad_mentions"};
  for (std::size_t i = 0; i < std::size(order); ++i)
    if (order[i] == kind) return static_cast<int>(i);
  return static_cast<int>(std::size(order));
}

bool rule_before(const RuleKey& a, const RuleKey& b) {
  const int ra = kind_rank(a.kind), rb = kind_rank(b.kind);
  if (ra != rb) return ra < rb;
  if (a.kind != b.kind) return a.kind < b.kind;
  return a.group < b.group;
}

// What the figures of some years contain: their groups, rule keys and departments.
struct Contents {
  bool inclusion = false;  // the inclusion figure (figures.hpp) is among them
  std::set<std::string> groups;
  std::vector<RuleKey> rules;  // sorted by rule_before
  std::set<std::string> departments;
};

Contents contents_of(const MonthlyFigures& figures, int from_year, int to_year) {
  Contents c;
  std::set<std::pair<std::string, std::string>> rules;
  const std::string lo = std::to_string(from_year) + "-01", hi = std::to_string(to_year) + "-12";
  for (auto it = figures.lower_bound(lo); it != figures.end() && it->first <= hi; ++it)
    for (const auto& [department, metrics] : it->second) {
      c.departments.insert(department);
      for (const auto& [key, value] : metrics) {
        auto p = metric::parse(key);
        if (!p) continue;
        if (p->kind == "group") c.groups.insert(p->group);
        if (key == metric::kInclusionHires) c.inclusion = true;
        if (p->kind == "rule") rules.insert({p->rule_kind, p->group});
      }
    }
  for (const auto& [kind, group] : rules)
    c.rules.push_back({kind, group});
  std::stable_sort(c.rules.begin(), c.rules.end(), rule_before);
  return c;
}

// One calendar year: months × (departments + all) × measures, suppressed together.
class YearTable {
 public:
  YearTable(int year, const MonthlyFigures& figures, int threshold) {
    contents_ = contents_of(figures, year, year);
    departments_.assign(contents_.departments.begin(), contents_.departments.end());
    columns_ = static_cast<int>(departments_.size()) + 1;  // the last column is "all"
    define_measures();
    fill(year, figures);
    relate();
    relate_equal_measures();
    hidden_ = suppress(table_, threshold);
  }

  // The column of a department, the "all" column for nullopt, -1 when absent this year.
  int column(const std::optional<std::string>& department) const {
    if (!department) return columns_ - 1;
    auto it = std::find(departments_.begin(), departments_.end(), *department);
    return it == departments_.end() ? -1 : static_cast<int>(it - departments_.begin());
  }
  bool inclusion() const { return contents_.inclusion; }
  bool empty(int row, int col) const {
    return table_.values[static_cast<std::size_t>(index(row, col, measure_.at("vacancies")))] == 0;
  }
  // Whether every vacancy of the period records its qualified total (figures.hpp).
  bool qualified_measured(int row, int col) const {
    return !unmeasured_[static_cast<std::size_t>(row * columns_ + col)];
  }
  // The published cell; a measure this year does not have is hidden unless the period is
  // empty (then every figure is a true 0).
  Cell cell(int row, int col, const std::string& key) const {
    auto it = measure_.find(key);
    if (it == measure_.end()) return empty(row, col) ? Cell{0} : Cell{};
    const auto i = static_cast<std::size_t>(index(row, col, it->second));
    if (hidden_[i]) return Cell{};
    return Cell{table_.values[i]};
  }

 private:
  int index(int row, int col, int m) const {
    return (row * columns_ + col) * static_cast<int>(keys_.size()) + m;
  }

  // weight: how much readers lose when a cell of the measure is hidden, relative to the
  // others; complementary suppression hides cheap cells first (suppression.hpp). The shares
  // the report is about (in the group at each stage, compliance) need yes, Q, invited,
  // hired, compliant and shortfall; totals are needed by every share.
  void add_measure(std::string key, double weight) {
    measure_.emplace(key, static_cast<int>(keys_.size()));
    keys_.push_back(std::move(key));
    weights_.push_back(weight);
  }

  void define_measures() {
    add_measure(std::string(metric::kVacancies), 4);
    add_measure(std::string(metric::kApplicants), 4);
    add_measure(std::string(metric::kQualified), 3);
    add_measure(std::string(metric::kInvited), 3);
    add_measure(std::string(metric::kHired), 3);
    add_measure(outbox_email(), 1);
    add_measure(outbox_ad(), 1);
    const std::map<std::string_view, double> group_weights = {
        {"yes", 3},     {"no", 1},    {"unknown", 1},          {"qualified", 2},
        {"invited", 2}, {"hired", 2}, {"qualified_outside", 1}};
    for (const std::string& g : contents_.groups)
      for (const char* f : kGroupFields)
        add_measure(metric::group(g, f), group_weights.at(f));
    // The inclusion figure: new hires and those in the groups are shown; the rest only ties
    // them to the groups' hired counts (figures.hpp) and is never shown.
    if (contents_.inclusion) {
      add_measure(std::string(metric::kInclusionHires), 3);
      add_measure(std::string(metric::kInclusionHired), 3);
      add_measure(kInclusionOther, 1);
      add_measure(std::string(metric::kInclusionBoth), 1);
      for (std::string_view g : domain::kInclusionGroups) {
        add_measure(metric::inclusion("only", g), 1);
        add_measure(metric::inclusion("rest", g), 1);
      }
    }
    const std::map<std::string_view, double> rule_weights = {
        {"compliant", 3},     {"shortfall", 3}, {"not_applicable", 1}, {"insufficient_data", 1},
        {"not_evaluated", 1}, {"missing", 1},   {"missing_beyond", 1}};
    for (const RuleKey& r : contents_.rules) {
      if (r.kind == "overall") {
        for (std::string_view o : metric::kOutcomes)
          add_measure(metric::overall(o), rule_weights.at(o));
        continue;
      }
      for (const char* f : kRuleFields)
        add_measure(metric::rule(r.kind, r.group, f), rule_weights.at(f));
    }
  }

  // The measure's value from one department-month's stored metrics. "unknown" is what is
  // left of the applicants after yes and no, so that the three always add up (it then also
  // covers vacancies whose verdict had no rule on the group); "not_evaluated" is what is
  // left of the vacancies after a rule's outcomes.
  std::int64_t raw(const std::map<std::string, std::int64_t>& metrics,
                   const std::string& key) const {
    auto get = [&metrics](const std::string& k) -> std::int64_t {
      auto it = metrics.find(k);
      return it == metrics.end() ? 0 : it->second;
    };
    auto p = metric::parse(key);
    if (p && p->kind == "group" && p->field == "unknown")
      return std::max<std::int64_t>(0, get(std::string(metric::kApplicants)) -
                                           get(metric::group(p->group, "yes")) -
                                           get(metric::group(p->group, "no")));
    // Exact where the period is measured (each vacancy's Q is part of its total); elsewhere
    // the cell is withheld and its value unused.
    if (p && p->kind == "group" && p->field == "qualified_outside")
      return std::max<std::int64_t>(
          0, get(std::string(metric::kQualified)) - get(metric::group(p->group, "qualified")));
    if (key == kInclusionOther)
      return std::max<std::int64_t>(
          0, get(std::string(metric::kInclusionHires)) - get(std::string(metric::kInclusionHired)));
    if (p && p->kind == "rule" && p->field == kMissingBeyond)
      return get(metric::rule(p->rule_kind, p->group, "missing")) -
             get(metric::rule(p->rule_kind, p->group, "shortfall"));
    if (p && p->kind == "rule" && p->field == "not_evaluated") {
      std::int64_t rest = get(std::string(metric::kVacancies));
      for (std::string_view o : metric::kOutcomes)
        rest -= get(metric::rule(p->rule_kind, p->group, o));
      return std::max<std::int64_t>(0, rest);
    }
    return get(key);
  }

  // Counts of vacancies (and of emails) may show a 0: it says nothing about a person.
  // Counts of applicants may not ("none of them is in the group" is about each of them).
  static bool counts_vacancies(const std::string& key) {
    auto p = metric::parse(key);
    if (!p) return false;
    return key == metric::kVacancies || p->kind == "rule" || p->kind == "overall" ||
           p->kind == "outbox";
  }

  void fill(int year, const MonthlyFigures& figures) {
    const int measures = static_cast<int>(keys_.size());
    table_.values.assign(static_cast<std::size_t>(kRows * columns_ * measures), 0);
    unmeasured_.assign(static_cast<std::size_t>(kRows * columns_), false);
    const std::map<std::string, std::int64_t> none;
    for (int row = 0; row < 12; ++row) {
      auto month = figures.find(months::YearMonth{year, row + 1}.str());
      for (int d = 0; d + 1 < columns_; ++d) {
        const std::map<std::string, std::int64_t>* metrics = &none;
        if (month != figures.end())
          if (auto it = month->second.find(departments_[static_cast<std::size_t>(d)]);
              it != month->second.end())
            metrics = &it->second;
        const int quarter = kQuarterRow + row / 3;
        for (int m = 0; m < measures; ++m) {
          const std::int64_t v = raw(*metrics, keys_[static_cast<std::size_t>(m)]);
          for (int r : {row, quarter, kYearRow}) {
            table_.values[static_cast<std::size_t>(index(r, d, m))] += v;
            table_.values[static_cast<std::size_t>(index(r, columns_ - 1, m))] += v;
          }
        }
        // A total is measured only when all of its parts are.
        if (raw(*metrics, std::string(metric::kQualifiedMeasured)) <
            raw(*metrics, std::string(metric::kVacancies)))
          for (int r : {row, quarter, kYearRow})
            for (int c : {d, columns_ - 1})
              unmeasured_[static_cast<std::size_t>(r * columns_ + c)] = true;
      }
    }
    // Where the qualified total is not measured, it and its differences from Q are never
    // shown; their values (partial sums) are set to 0 so that none can slip out.
    table_.withheld.assign(table_.values.size(), false);
    std::vector<int> qualified_measures = {measure_.at(std::string(metric::kQualified))};
    for (const std::string& g : contents_.groups)
      qualified_measures.push_back(measure_.at(metric::group(g, "qualified_outside")));
    for (int row = 0; row < kRows; ++row)
      for (int col = 0; col < columns_; ++col)
        if (!qualified_measured(row, col))
          for (int m : qualified_measures) {
            const auto i = static_cast<std::size_t>(index(row, col, m));
            table_.values[i] = 0;
            table_.withheld[i] = true;
          }
    // All departments together and the year matter more than one department-month.
    table_.cost.resize(table_.values.size());
    for (int row = 0; row < kRows; ++row)
      for (int col = 0; col < columns_; ++col)
        for (int m = 0; m < measures; ++m) {
          const auto i = static_cast<std::size_t>(index(row, col, m));
          table_.cost[i] = (static_cast<double>(table_.values[i]) + 1) *
                           weights_[static_cast<std::size_t>(m)] * (col + 1 == columns_ ? 2 : 1) *
                           (row == kYearRow      ? 2
                            : row >= kQuarterRow ? 1.5
                                                 : 1);
        }
    table_.zero_ok.assign(table_.values.size(), false);
    for (int m = 0; m < measures; ++m)
      if (counts_vacancies(keys_[static_cast<std::size_t>(m)]))
        for (int row = 0; row < kRows; ++row)
          for (int col = 0; col < columns_; ++col)
            table_.zero_ok[static_cast<std::size_t>(index(row, col, m))] = true;
    // The number of vacancies describes no person, and job ads are public: every reader is
    // assumed to know it, so it is never hidden (and protects nothing by being hidden).
    table_.known.assign(table_.values.size(), false);
    for (int row = 0; row < kRows; ++row)
      for (int col = 0; col < columns_; ++col)
        table_.known[static_cast<std::size_t>(index(row, col, measure_.at("vacancies")))] = true;
    // A period without vacancies holds only true zeros: nobody can be singled out there.
    table_.structural.assign(table_.values.size(), false);
    for (int row = 0; row < kRows; ++row)
      for (int col = 0; col < columns_; ++col)
        if (empty(row, col))
          for (int m = 0; m < measures; ++m)
            table_.structural[static_cast<std::size_t>(index(row, col, m))] = true;
  }

  void relate() {
    const int measures = static_cast<int>(keys_.size());
    auto m = [this](const std::string& key) { return measure_.at(key); };
    // Within each department-month (and totals): the parts of each family.
    std::vector<std::pair<int, std::vector<int>>> families;
    for (const std::string& g : contents_.groups) {
      families.push_back({m(std::string(metric::kApplicants)),
                          {m(metric::group(g, "yes")), m(metric::group(g, "no")),
                           m(metric::group(g, "unknown"))}});
      families.push_back(
          {m(std::string(metric::kQualified)),
           {m(metric::group(g, "qualified")), m(metric::group(g, "qualified_outside"))}});
    }
    if (contents_.inclusion) {
      families.push_back({m(std::string(metric::kInclusionHires)),
                          {m(std::string(metric::kInclusionHired)), m(kInclusionOther)}});
      std::vector<int> parts = {m(std::string(metric::kInclusionBoth))};
      for (std::string_view g : domain::kInclusionGroups) {
        parts.push_back(m(metric::inclusion("only", g)));
        if (contents_.groups.count(std::string(g)))
          families.push_back(
              {m(metric::group(g, "hired")),
               {m(metric::inclusion("only", g)), m(std::string(metric::kInclusionBoth)),
                m(metric::inclusion("rest", g))}});
      }
      families.push_back({m(std::string(metric::kInclusionHired)), std::move(parts)});
    }
    // Every rule's outcomes (with the vacancies it was not evaluated on) add up to the
    // vacancies, and so does the verdicts' overall outcome.
    for (const RuleKey& r : contents_.rules) {
      if (r.kind != "overall") relate_missing(r);
      std::vector<int> parts;
      for (std::string_view o : metric::kOutcomes)
        parts.push_back(r.kind == "overall" ? m(metric::overall(o))
                                            : m(metric::rule(r.kind, r.group, o)));
      if (r.kind != "overall") parts.push_back(m(metric::rule(r.kind, r.group, "not_evaluated")));
      families.push_back({m(std::string(metric::kVacancies)), std::move(parts)});
    }
    for (int row = 0; row < kRows; ++row)
      for (int col = 0; col < columns_; ++col)
        for (const auto& [total, parts] : families) {
          SuppressionTable::Relation rel{index(row, col, total), {}};
          for (int p : parts)
            rel.parts.push_back(index(row, col, p));
          table_.relations.push_back(std::move(rel));
        }
    for (int measure = 0; measure < measures; ++measure) {
      // The year is the sum of its months and of its quarters, a quarter that of its
      // months, in every column.
      for (int col = 0; col < columns_; ++col) {
        SuppressionTable::Relation rel{index(kYearRow, col, measure), {}};
        for (int row = 0; row < 12; ++row)
          rel.parts.push_back(index(row, col, measure));
        table_.relations.push_back(std::move(rel));
        SuppressionTable::Relation by_quarter{index(kYearRow, col, measure), {}};
        for (int q = 0; q < 4; ++q) {
          by_quarter.parts.push_back(index(kQuarterRow + q, col, measure));
          SuppressionTable::Relation quarter{index(kQuarterRow + q, col, measure), {}};
          for (int row = 3 * q; row < 3 * q + 3; ++row)
            quarter.parts.push_back(index(row, col, measure));
          table_.relations.push_back(std::move(quarter));
        }
        table_.relations.push_back(std::move(by_quarter));
      }
      // "All departments" is the sum of the departments, in every row.
      for (int row = 0; row < kRows; ++row) {
        SuppressionTable::Relation rel{index(row, columns_ - 1, measure), {}};
        for (int col = 0; col + 1 < columns_; ++col)
          rel.parts.push_back(index(row, col, measure));
        table_.relations.push_back(std::move(rel));
      }
    }
  }

  // A rule's "missing" (invitations or justifications) and its shortfalls move together:
  // under §7 and under a min_count of 1 each shortfall misses exactly one, so the two
  // columns are equal and a shown "missing" would give a hidden shortfall away (and with
  // it, through the vacancies, the last hidden outcome). missing = shortfall + beyond, with
  // beyond (never shown) taken as known to every reader, who may know the policy: so
  // hiding either hides the other. A rule that never records missing (all 0), or where a
  // shortfall can miss none (beyond < 0 somewhere), has no such link.
  void relate_missing(const RuleKey& r) {
    const int missing = measure_.at(metric::rule(r.kind, r.group, "missing"));
    const int shortfall = measure_.at(metric::rule(r.kind, r.group, "shortfall"));
    const int beyond = measure_.at(metric::rule(r.kind, r.group, kMissingBeyond));
    bool any = false, negative = false;
    for (int row = 0; row < kRows; ++row)
      for (int col = 0; col < columns_; ++col) {
        any = any || table_.values[static_cast<std::size_t>(index(row, col, missing))] != 0;
        negative = negative || table_.values[static_cast<std::size_t>(index(row, col, beyond))] < 0;
      }
    for (int row = 0; row < kRows; ++row)
      for (int col = 0; col < columns_; ++col) {
        const auto b = static_cast<std::size_t>(index(row, col, beyond));
        table_.known[b] = true;  // never hidden, never shown
        if (!any || negative) continue;
        table_.relations.push_back(
            {index(row, col, missing), {index(row, col, shortfall), index(row, col, beyond)}});
      }
  }

  // Two outcome measures (of rules or overall) equal in every cell of the year are taken
  // as equal by construction (a policy with one rule: its outcomes are the overall ones;
  // two rules that always agree), and a reader who knows the policy knows it: each pair of
  // such cells is one more relation (a = b). Counts of people are left out: equal there is
  // a coincidence of the data, not something the policy tells.
  void relate_equal_measures() {
    const int measures = static_cast<int>(keys_.size());
    auto known = [this](int m) {
      auto p = metric::parse(keys_[static_cast<std::size_t>(m)]);
      return table_.known[static_cast<std::size_t>(index(0, 0, m))] || !p ||
             (p->kind != "rule" && p->kind != "overall");
    };
    for (int a = 0; a < measures; ++a) {
      if (known(a)) continue;
      for (int b = a + 1; b < measures; ++b) {
        if (known(b)) continue;
        bool equal = true, nonzero = false;
        for (int row = 0; row < kRows && equal; ++row)
          for (int col = 0; col < columns_ && equal; ++col) {
            const std::int64_t va = table_.values[static_cast<std::size_t>(index(row, col, a))];
            equal = va == table_.values[static_cast<std::size_t>(index(row, col, b))];
            nonzero = nonzero || va != 0;
          }
        if (!equal || !nonzero) continue;
        for (int row = 0; row < kRows; ++row)
          for (int col = 0; col < columns_; ++col)
            table_.relations.push_back({index(row, col, a), {index(row, col, b)}});
      }
    }
  }

  Contents contents_;
  std::vector<std::string> departments_;
  int columns_ = 1;
  std::vector<std::string> keys_;
  std::vector<double> weights_;
  std::map<std::string, int, std::less<>> measure_;
  std::vector<bool> unmeasured_;  // (row * columns_ + col): the qualified total is not known
  SuppressionTable table_;
  std::vector<bool> hidden_;
};

Share ratio(const Cell& num, const Cell& den) {
  if (num.suppressed() || den.suppressed()) return Share{std::nullopt, true};
  if (*den.value == 0) return Share{};
  return Share{static_cast<double>(*num.value) / static_cast<double>(*den.value), false};
}

Share compliance(const Cell& compliant, const Cell& shortfall) {
  if (compliant.suppressed() || shortfall.suppressed()) return Share{std::nullopt, true};
  return ratio(compliant, Cell{*compliant.value + *shortfall.value});
}

Period make_period(const Report& report, const YearTable& t, std::string label, bool year_total,
                   int row, int col) {
  Period p;
  p.label = std::move(label);
  p.year_total = year_total;
  const bool absent = col < 0;  // the department has no figures this year
  p.empty = absent || t.empty(row, col);
  auto cell = [&](const std::string& key) { return absent ? Cell{0} : t.cell(row, col, key); };
  p.vacancies = cell(std::string(metric::kVacancies));
  p.applicants = cell(std::string(metric::kApplicants));
  if (absent || t.qualified_measured(row, col)) p.qualified = cell(std::string(metric::kQualified));
  p.invited = cell(std::string(metric::kInvited));
  p.hired = cell(std::string(metric::kHired));
  p.hired_of_invited = ratio(p.hired, p.invited);
  p.notifications_sent = cell(outbox_email());
  p.ads_written_back = cell(outbox_ad());
  for (const GroupInfo& g : report.groups) {
    GroupFigures f;
    f.yes = cell(metric::group(g.name, "yes"));
    f.no = cell(metric::group(g.name, "no"));
    f.unknown = cell(metric::group(g.name, "unknown"));
    f.qualified = cell(metric::group(g.name, "qualified"));
    f.invited = cell(metric::group(g.name, "invited"));
    f.hired = cell(metric::group(g.name, "hired"));
    f.applied_share = ratio(f.yes, p.applicants);
    if (p.qualified) f.qualified_share = ratio(f.qualified, *p.qualified);
    f.invited_share = ratio(f.invited, p.invited);
    f.hired_share = ratio(f.hired, p.hired);
    f.hired_of_invited = ratio(f.hired, f.invited);
    p.groups.push_back(f);
  }
  if (report.inclusion) {
    InclusionFigures f;
    f.new_hires = cell(std::string(metric::kInclusionHires));
    f.in_groups = cell(std::string(metric::kInclusionHired));
    f.share = ratio(f.in_groups, f.new_hires);
    p.inclusion = f;
  }
  for (const RuleKey& r : report.rules) {
    RuleFigures f;
    if (r.kind == "overall") {
      f.evaluated = p.vacancies;
      f.compliant = cell(metric::overall("compliant"));
      f.shortfall = cell(metric::overall("shortfall"));
      f.not_applicable = cell(metric::overall("not_applicable"));
      f.insufficient_data = cell(metric::overall("insufficient_data"));
    } else {
      f.compliant = cell(metric::rule(r.kind, r.group, "compliant"));
      f.shortfall = cell(metric::rule(r.kind, r.group, "shortfall"));
      f.not_applicable = cell(metric::rule(r.kind, r.group, "not_applicable"));
      f.insufficient_data = cell(metric::rule(r.kind, r.group, "insufficient_data"));
      if (r.kind != metric::kInterviewAll)
        f.missing = cell(metric::rule(r.kind, r.group, "missing"));
      // Shown only when it follows from shown cells, so it tells nothing new.
      const Cell rest = cell(metric::rule(r.kind, r.group, "not_evaluated"));
      if (p.vacancies.value && rest.value)
        f.evaluated = Cell{*p.vacancies.value - *rest.value};
      else if (f.compliant.value && f.shortfall.value && f.not_applicable.value &&
               f.insufficient_data.value)
        f.evaluated = Cell{*f.compliant.value + *f.shortfall.value + *f.not_applicable.value +
                           *f.insufficient_data.value};
    }
    f.compliance_rate = compliance(f.compliant, f.shortfall);
    p.rules.push_back(f);
  }
  return p;
}

}  // namespace

std::optional<GroupBy> parse_group_by(std::string_view name) {
  if (name == "month") return GroupBy::kMonth;
  if (name == "quarter") return GroupBy::kQuarter;
  if (name == "year") return GroupBy::kYear;
  return std::nullopt;
}

std::optional<std::size_t> key_rule(const Report& report) {
  std::optional<std::size_t> single;
  int interview_rules = 0;
  for (std::size_t k = 0; k < report.rules.size(); ++k) {
    if (report.rules[k].kind == metric::kInterviewAll) return k;
    if (report.rules[k].kind == "interview_minimum") {
      ++interview_rules;
      single = k;
    }
  }
  return interview_rules == 1 ? single : std::nullopt;
}

Status check_query(const ReportQuery& q) {
  if (q.tenant.empty()) return invalid_argument("report: no tenant");
  auto from = months::parse(q.from_month);
  if (!from) return invalid_argument("report: from must be a month YYYY-MM");
  auto to = months::parse(q.to_month);
  if (!to) return invalid_argument("report: to must be a month YYYY-MM");
  if (to->index() < from->index()) return invalid_argument("report: to is before from");
  if (to->index() - from->index() >= kMaxMonths)
    return invalid_argument("report: the range spans more than " + std::to_string(kMaxMonths) +
                            " months");
  if (q.threshold < kMinThreshold)
    return invalid_argument("report: the suppression threshold must be at least " +
                            std::to_string(kMinThreshold));
  return Status{};
}

Report tabulate(const ReportQuery& q, const MonthlyFigures& figures) {
  const months::YearMonth from = *months::parse(q.from_month);
  const months::YearMonth to = *months::parse(q.to_month);
  Report report;
  report.tenant = q.tenant;
  report.from_month = q.from_month;
  report.to_month = q.to_month;
  report.department = q.department;
  report.threshold = q.threshold;
  report.generated_at = q.now;
  report.group_by = q.group_by;
  report.organisation = q.organisation;

  const Contents all = contents_of(figures, from.year, to.year);
  report.departments.assign(all.departments.begin(), all.departments.end());
  report.inclusion = all.inclusion;
  std::set<std::string> groups = all.groups;
  if (q.group) groups = {*q.group};
  for (const std::string& g : groups) {
    auto label = q.group_labels.find(g);
    report.groups.push_back({g, label == q.group_labels.end() ? g : label->second});
  }
  for (const RuleKey& r : all.rules)
    if (!q.group || r.group.empty() || r.group == *q.group) report.rules.push_back(r);

  for (int year = from.year; year <= to.year; ++year) {
    const YearTable table(year, figures, q.threshold);
    const int col = table.column(q.department);
    const int first = year == from.year ? from.month : 1;
    const int last = year == to.year ? to.month : 12;
    if (q.group_by == GroupBy::kMonth)
      for (int month = first; month <= last; ++month)
        report.months.push_back(make_period(report, table, months::YearMonth{year, month}.str(),
                                            false, month - 1, col));
    if (q.group_by == GroupBy::kQuarter)
      for (int quarter = (first - 1) / 3; quarter <= (last - 1) / 3; ++quarter)
        report.months.push_back(
            make_period(report, table, std::to_string(year) + "-Q" + std::to_string(quarter + 1),
                        false, kQuarterRow + quarter, col));
    report.years.push_back(make_period(report, table, std::to_string(year), true, kYearRow, col));
  }
  return report;
}

Result<MonthlyFigures> load_figures(store::Store& store, std::string_view tenant, int from_year,
                                    int to_year, std::int64_t now) {
  const std::string lo = months::YearMonth{from_year, 1}.str();
  const std::string hi = months::YearMonth{to_year, 12}.str();
  MonthlyFigures figures;
  auto folded = store.read_aggregates(tenant, lo, hi);
  if (!folded.ok()) return folded.status();
  for (const store::AggregateRow& r : *folded)
    figures[r.month][r.department][r.metric] += r.value;
  auto live = store.report_vacancies(tenant, false);
  if (!live.ok()) return live.status();
  for (const store::ReportVacancy& v : *live) {
    if (v.folded_before) continue;  // its first fold is already in the aggregates
    for (store::AggregateRow& r : vacancy_figures(v, now))
      if (r.month >= lo && r.month <= hi) figures[r.month][r.department][r.metric] += r.value;
  }
  return figures;
}

Result<Report> build_report(store::Store& store, const ReportQuery& query) {
  if (Status s = check_query(query); !s) return s;
  auto figures = load_figures(store, query.tenant, months::parse(query.from_month)->year,
                              months::parse(query.to_month)->year, query.now);
  if (!figures.ok()) return figures.status();
  return tabulate(query, *figures);
}

}  // namespace mangfold::report
