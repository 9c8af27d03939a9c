// Small-cell suppression (DESIGN.md §4.4). Table-driven: rows where suppressing only the
// small cells would leak, and an attacker written independently of the implementation
// (attacker.hpp: subtraction, repeated; and every ±1 combination of relations) that must
// not recover a hidden value from what is shown. qualified_test.cpp turns the same
// attacker on the qualified figures of published reports.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "attacker.hpp"
#include "connector/report/suppression.hpp"

namespace mangfold::report {
namespace {

using namespace attacker;

void check_safe(const SuppressionTable& t, const std::vector<bool>& hidden, int threshold) {
  const Published p{t, hidden};
  for (std::size_t i = 0; i < t.values.size(); ++i) {
    const bool structural = !t.structural.empty() && t.structural[i];
    if (!structural && t.values[i] < threshold)
      CHECK_MESSAGE(hidden[i], "small cell " << i << " shown");
    if (structural) CHECK_MESSAGE(!hidden[i], "structural cell " << i << " hidden");
  }
  CHECK(recover_by_subtraction(p).empty());
  if (t.relations.size() <= 12) CHECK(recover_by_combination(p).empty());
  check_hidden_sums(p, threshold);
  CHECK(derivable_cells(t, hidden).empty());
}

// One relation: total = parts (e.g. applicants = yes + no + unknown).
SuppressionTable row(std::int64_t total, const std::vector<std::int64_t>& parts) {
  SuppressionTable t;
  const int tot = t.add(total);
  SuppressionTable::Relation r{tot, {}};
  for (std::int64_t v : parts)
    r.parts.push_back(t.add(v));
  t.relations.push_back(r);
  return t;
}

// Suppressing only the cells below the threshold.
std::vector<bool> naive(const SuppressionTable& t, int threshold) {
  std::vector<bool> hidden(t.values.size());
  for (std::size_t i = 0; i < t.values.size(); ++i)
    hidden[i] = t.values[i] < threshold;
  return hidden;
}

struct RowCase {
  const char* name;
  std::int64_t total;
  std::vector<std::int64_t> parts;  // yes, no, unknown
};

TEST_CASE("one row: every case where hiding only small cells would leak is protected") {
  const RowCase cases[] = {
      {"one small answer: total minus the others gives it", 40, {2, 30, 8}},
      {"one zero", 40, {0, 30, 10}},
      {"two small answers summing below the threshold", 50, {2, 47, 1}},
      {"two zeros: the hidden sum would be exactly 0", 20, {0, 20, 0}},
      {"small hidden sum needs the largest too", 12, {3, 8, 1}},
      {"small total: everything hidden", 4, {1, 2, 1}},
      {"all large: nothing hidden", 60, {10, 40, 10}},
      {"exactly at the threshold is shown", 15, {5, 5, 5}},
  };
  for (const RowCase& c : cases) {
    CAPTURE(c.name);
    const SuppressionTable t = row(c.total, c.parts);
    const auto hidden = suppress(t, 5);
    check_safe(t, hidden, 5);
  }
  // The table really is one where the naive pattern leaks.
  const SuppressionTable leaky = row(40, {2, 30, 8});
  CHECK_FALSE(recover_by_subtraction({leaky, naive(leaky, 5)}).empty());
}

TEST_CASE("one row: complementary suppression hides the smallest cell that protects") {
  const SuppressionTable t = row(40, {2, 30, 8});
  const auto hidden = suppress(t, 5);
  CHECK(hidden == std::vector<bool>{false, true, false, true});  // 2 and 8 hidden, 30 shown

  const auto all_large = suppress(row(60, {10, 40, 10}), 5);
  CHECK(all_large == std::vector<bool>{false, false, false, false});

  // 2 + 1 < 5: hiding the 47 as well is the only way to keep "at most 3" from showing.
  const auto small_sum = suppress(row(50, {2, 47, 1}), 5);
  CHECK(small_sum == std::vector<bool>{false, true, true, true});
}

TEST_CASE("the threshold is never below 3, and structural zeros stay visible") {
  const SuppressionTable t = row(30, {2, 26, 2});
  const auto at_one = suppress(t, 1);  // clamped to 3
  CHECK(at_one[1]);
  CHECK(at_one[3]);
  check_safe(t, at_one, 3);

  SuppressionTable empty;
  const int total = empty.add(0, true);
  empty.relations.push_back({total, {empty.add(0, true), empty.add(0, true)}});
  CHECK(suppress(empty, 5) == std::vector<bool>{false, false, false});
}

// A month × answer table with row and column totals: 3 months, yes/no/unknown, and the
// year. Cells are index month*4 + answer, where answer 3 is the month's total, month 3 the
// year.
SuppressionTable grid(const std::vector<std::vector<std::int64_t>>& months) {
  SuppressionTable t;
  std::vector<std::vector<std::int64_t>> m = months;
  std::vector<std::int64_t> year(3, 0);
  for (auto& r : m) {
    std::int64_t total = 0;
    for (int a = 0; a < 3; ++a) {
      total += r[static_cast<std::size_t>(a)];
      year[static_cast<std::size_t>(a)] += r[static_cast<std::size_t>(a)];
    }
    r.push_back(total);
  }
  year.push_back(year[0] + year[1] + year[2]);
  m.push_back(year);
  for (const auto& r : m)
    for (std::int64_t v : r)
      t.add(v);
  const int rows = static_cast<int>(m.size());
  for (int r = 0; r < rows; ++r)
    t.relations.push_back({r * 4 + 3, {r * 4, r * 4 + 1, r * 4 + 2}});
  for (int a = 0; a < 4; ++a) {
    SuppressionTable::Relation col{(rows - 1) * 4 + a, {}};
    for (int r = 0; r + 1 < rows; ++r)
      col.parts.push_back(r * 4 + a);
    t.relations.push_back(col);
  }
  return t;
}

TEST_CASE("months and the year: no hidden month can be recovered from the year total") {
  const std::vector<std::vector<std::vector<std::int64_t>>> cases = {
      {{2, 30, 8}, {10, 40, 12}, {9, 35, 11}},   // one small yes: the year gives it back
      {{2, 30, 1}, {1, 40, 12}, {9, 35, 11}},    // small cells in two months
      {{0, 6, 0}, {7, 40, 12}, {9, 35, 11}},     // a small month: its total is hidden too
      {{3, 3, 3}, {3, 3, 3}, {3, 3, 3}},         // everything small
      {{20, 30, 8}, {10, 40, 12}, {9, 35, 11}},  // nothing small
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i);
    const SuppressionTable t = grid(cases[i]);
    check_safe(t, suppress(t, 5), 5);
  }
  // Per-row complementary suppression alone is not enough: the 2 and the 30 hidden in
  // January leave the yes column with one unknown, which the year total gives away.
  const SuppressionTable t = grid(cases[0]);
  std::vector<bool> row_only = naive(t, 5);
  row_only[1] = true;  // January's "no", the row's complementary cell
  CHECK_FALSE(recover_by_subtraction({t, row_only}).empty());
}

TEST_CASE(
    "a pattern with two hidden cells in every row and column can still leak: the audit finds it") {
  // Two 2×2 blocks of hidden cells joined by one more hidden cell (a bridge). Every row and
  // column has two or more hidden cells, yet the bridge follows from the rows of block A
  // minus its columns.
  //        c0  c1  c2  c3 | total
  //   r0    x   x   x   . |
  //   r1    x   x   .   . |
  //   r2    .   .   x   x |
  //   r3    .   .   x   x |
  SuppressionTable t;
  const std::int64_t v[4][4] = {{3, 4, 2, 50}, {4, 3, 60, 70}, {80, 90, 3, 4}, {60, 70, 4, 3}};
  int cell[5][5];
  for (int r = 0; r < 4; ++r) {
    std::int64_t total = 0;
    for (int c = 0; c < 4; ++c) {
      cell[r][c] = t.add(v[r][c]);
      total += v[r][c];
    }
    cell[r][4] = t.add(total);
  }
  for (int c = 0; c <= 4; ++c) {
    std::int64_t total = 0;
    for (int r = 0; r < 4; ++r)
      total += t.values[static_cast<std::size_t>(cell[r][c])];
    cell[4][c] = t.add(total);
  }
  for (int r = 0; r < 5; ++r)
    t.relations.push_back({cell[r][4], {cell[r][0], cell[r][1], cell[r][2], cell[r][3]}});
  for (int c = 0; c < 5; ++c)
    t.relations.push_back({cell[4][c], {cell[0][c], cell[1][c], cell[2][c], cell[3][c]}});

  std::vector<bool> pattern(t.values.size(), false);
  for (auto [r, c] :
       {std::pair{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}, {2, 3}, {3, 2}, {3, 3}, {0, 2}})
    pattern[static_cast<std::size_t>(cell[r][c])] = true;
  CHECK(recover_by_subtraction({t, pattern}).empty());  // subtraction alone does not see it
  CHECK(recover_by_combination({t, pattern}) == std::set<int>{cell[0][2]});
  CHECK(derivable_cells(t, pattern) == std::vector<int>{cell[0][2]});

  check_safe(t, suppress(t, 5), 5);
}

TEST_CASE("withheld cells (not measured) start hidden and are protected like small ones") {
  // A withheld total whose parts all show would be their sum: one more part is hidden.
  SuppressionTable t = row(40, {25, 15});
  t.withheld = {true, false, false};
  CHECK(suppress(t, 5) == std::vector<bool>{true, false, true});
  check_safe(t, suppress(t, 5), 5);
  // In reports the total's difference from Q is withheld with it, so Q may show.
  t.withheld = {true, false, true};
  CHECK(suppress(t, 5) == std::vector<bool>{true, false, true});

  // A withheld part with its total shown: another part is hidden with it, as for a small one.
  t.withheld = {false, true, false};
  const auto hidden = suppress(t, 5);
  CHECK(hidden == std::vector<bool>{false, true, true});
  check_safe(t, hidden, 5);

  // Whatever its value: a large withheld cell is still never shown.
  SuppressionTable g = grid({{20, 30, 8}, {10, 40, 12}, {9, 35, 11}});
  g.withheld.assign(g.values.size(), false);
  g.withheld[0] = true;  // January's "yes"
  const auto pattern = suppress(g, 5);
  CHECK(pattern[0]);
  check_safe(g, pattern, 5);
}

TEST_CASE("suppression is deterministic") {
  const SuppressionTable t = grid({{2, 30, 1}, {1, 40, 12}, {9, 35, 11}});
  CHECK(suppress(t, 5) == suppress(t, 5));
}

}  // namespace
}  // namespace mangfold::report
