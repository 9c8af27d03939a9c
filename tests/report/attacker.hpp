// The attacker of the suppression tests, written independently of the implementation:
// from the shown cells of a table and its additive relations, it recovers what it can of
// the hidden ones. Shared by suppression_test.cpp (plain tables) and qualified_test.cpp
// (tables rebuilt from published reports).
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "connector/report/suppression.hpp"

namespace mangfold::report::attacker {

// The attacker's view: shown values, and which cells are hidden.
struct Published {
  const SuppressionTable& table;
  const std::vector<bool>& hidden;
};

// Subtraction, repeated: any relation with one unknown left gives it away; what was
// recovered is then used in the other relations. Returns the cells recovered.
inline std::set<int> recover_by_subtraction(const Published& p) {
  std::map<int, std::int64_t> known;
  for (std::size_t i = 0; i < p.table.values.size(); ++i)
    if (!p.hidden[i]) known[static_cast<int>(i)] = p.table.values[i];
  std::set<int> recovered;
  for (bool progress = true; progress;) {
    progress = false;
    for (const auto& r : p.table.relations) {
      std::vector<int> unknown;
      if (!known.count(r.total)) unknown.push_back(r.total);
      for (int part : r.parts)
        if (!known.count(part)) unknown.push_back(part);
      if (unknown.size() != 1) continue;
      const int x = unknown.front();
      std::int64_t value = 0;
      if (x == r.total) {
        for (int part : r.parts)
          value += known.at(part);
      } else {
        value = known.at(r.total);
        for (int part : r.parts)
          if (part != x) value -= known.at(part);
      }
      CHECK(value == p.table.values[static_cast<std::size_t>(x)]);  // the attack is sound
      known[x] = value;
      recovered.insert(x);
      progress = true;
    }
  }
  return recovered;
}

// Every combination of relations with coefficients -1, 0 or +1 (so sums and differences of
// rows and columns): if one leaves exactly one hidden cell, that cell is recovered.
inline std::set<int> recover_by_combination(const Published& p) {
  const std::size_t n = p.table.relations.size();
  REQUIRE(n <= 12);  // 3^12 combinations at most
  std::set<int> recovered;
  std::vector<int> coef(n, -1);
  for (;;) {
    std::map<int, int> sum;  // hidden cell → coefficient
    for (std::size_t r = 0; r < n; ++r) {
      if (coef[r] == 0) continue;
      const auto& rel = p.table.relations[r];
      if (p.hidden[static_cast<std::size_t>(rel.total)]) sum[rel.total] += coef[r];
      for (int part : rel.parts)
        if (p.hidden[static_cast<std::size_t>(part)]) sum[part] -= coef[r];
    }
    int nonzero = 0, cell = -1;
    for (const auto& [c, k] : sum)
      if (k != 0) {
        ++nonzero;
        cell = c;
      }
    if (nonzero == 1) recovered.insert(cell);
    std::size_t i = 0;
    while (i < n && coef[i] == 1)
      coef[i++] = -1;
    if (i == n) break;
    ++coef[i];
  }
  return recovered;
}

// With the total shown, the hidden parts sum to at least the threshold: otherwise the
// reader learns that each of them is small (or, at 0, exactly what each one is).
inline void check_hidden_sums(const Published& p, std::int64_t threshold) {
  for (const auto& r : p.table.relations) {
    if (p.hidden[static_cast<std::size_t>(r.total)]) continue;
    std::int64_t sum = 0;
    int hidden = 0;
    for (int part : r.parts)
      if (p.hidden[static_cast<std::size_t>(part)]) {
        sum += p.table.values[static_cast<std::size_t>(part)];
        ++hidden;
      }
    if (hidden > 0) {
      CHECK(hidden >= 2);
      CHECK(sum >= threshold);
    }
  }
}

}  // namespace mangfold::report::attacker
