// Small-cell suppression with complementary suppression (DESIGN.md §4.4), over plain values.
//
// A table is a list of count cells and additive relations between them (total = sum of
// parts, e.g. applicants = yes + no + unknown, or a year = the sum of its months). Cells
// below the threshold are hidden (primary suppression); then more cells are hidden until
// what is shown cannot give a hidden value back:
//   - in every relation with a hidden cell, at least two cells are hidden, and when the
//     total is shown, the hidden parts sum to at least the threshold (so "total minus
//     what is shown" neither equals one hidden cell nor pins a group below the threshold);
//     the cell hidden to get there is the cheapest one (see cost), possibly the total;
//   - an audit solves the whole system of relations (Gaussian elimination over the hidden
//     cells) and hides more wherever some combination of relations would still determine
//     a hidden cell exactly.
// Zero counts are below the threshold and hidden too ("none of the 3 hired is in the
// group" says as much as "one is"), except in cells marked zero_ok (counts of vacancies,
// where 0 says nothing about a person: "no vacancy lacked data") and cells marked
// structural (a month in which no vacancy was evaluated: every figure a true 0). Cells
// marked withheld (a figure not measured for that period) are never shown: they start
// hidden, like small cells, and are protected like them, whatever their value.
// Cells marked known are what every reader knows anyway (the number of vacancies: job ads
// are public; a difference between two measures that a reader can tell from the policy,
// such as missing − shortfall when each shortfall misses exactly one): never hidden, also
// below the threshold, and treated as shown by the audit. A relation whose total is known
// and below the threshold cannot keep its hidden parts' sum at the threshold; there the
// hidden parts must cover the whole total (at least two of them, zeros if need be), so that
// the reader learns no more than the total itself says.
// Pure and deterministic: the same table gives the same pattern. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <vector>

namespace mangfold::report {

// The lowest threshold accepted anywhere, and the default.
inline constexpr int kMinThreshold = 3;
inline constexpr int kDefaultThreshold = 5;

struct SuppressionTable {
  struct Relation {
    int total = 0;           // index of the total cell
    std::vector<int> parts;  // indexes of the parts; total = sum of parts
  };
  std::vector<std::int64_t> values;  // counts (non-negative, except known differences)
  std::vector<bool> structural;      // same size as values (or empty: none)
  std::vector<bool> zero_ok;         // same size as values (or empty: none)
  std::vector<bool> withheld;        // same size as values (or empty: none)
  std::vector<bool> known;           // same size as values (or empty: none); see above
  // What hiding a cell costs the reader; complementary suppression hides the cheapest cell
  // that protects. Same size as values, or empty: the value + 1 (hide small cells first).
  std::vector<double> cost;
  std::vector<Relation> relations;

  int add(std::int64_t value, bool is_structural = false, bool zero_may_show = false) {
    values.push_back(value);
    structural.push_back(is_structural);
    zero_ok.push_back(zero_may_show);
    if (!cost.empty()) cost.push_back(static_cast<double>(value) + 1);
    if (!known.empty()) known.push_back(false);
    return static_cast<int>(values.size()) - 1;
  }
};

// Which cells to hide: true = suppressed. `threshold` is clamped to at least kMinThreshold.
// A relation whose values do not add up is still honoured (its cells are protected as if
// it held); callers build relations from sums, so it always holds in practice.
std::vector<bool> suppress(const SuppressionTable& table, int threshold);

// For tests and audits: the hidden cells whose value follows exactly from the shown cells
// through the relations (by any linear combination). Empty for a safe pattern.
std::vector<int> derivable_cells(const SuppressionTable& table, const std::vector<bool>& hidden);

}  // namespace mangfold::report
