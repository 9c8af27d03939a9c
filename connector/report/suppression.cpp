#include "connector/report/suppression.hpp"

#include <algorithm>
#include <cstdint>

namespace mangfold::report {

namespace {

bool is_structural(const SuppressionTable& t, int i) {
  return !t.structural.empty() && t.structural[static_cast<std::size_t>(i)];
}
bool is_known(const SuppressionTable& t, int i) {
  return !t.known.empty() && t.known[static_cast<std::size_t>(i)];
}
// Cells that are never hidden.
bool is_fixed(const SuppressionTable& t, int i) {
  return is_structural(t, i) || is_known(t, i);
}

double cost_of(const SuppressionTable& t, int i) {
  const auto u = static_cast<std::size_t>(i);
  return t.cost.empty() ? static_cast<double>(t.values[u]) + 1 : t.cost[u];
}

// Hides the cheapest shown cell among `candidates` that adds at least `need` to what is
// hidden (lowest index on ties, so the pattern is deterministic); when none does, the
// cheapest that adds anything; when none does, and `zeros` allows, the cheapest 0 (with a
// known total every part of it may have to be hidden, a 0 included: "the others are 0"
// would give the last hidden part away).
// Returns the cell hidden, or -1 when there was none to hide.
int hide_cheapest(const SuppressionTable& t, const std::vector<int>& candidates,
                  std::vector<bool>& hidden, std::int64_t need = 1, bool zeros = false) {
  std::vector<std::int64_t> passes = {std::max<std::int64_t>(need, 1), 1};
  if (zeros) passes.push_back(0);
  for (std::int64_t least : passes) {
    int best = -1;
    for (int c : candidates) {
      const auto u = static_cast<std::size_t>(c);
      if (hidden[u] || is_fixed(t, c) || t.values[u] < least) continue;
      if (best < 0 || cost_of(t, c) < cost_of(t, best) ||
          (cost_of(t, c) == cost_of(t, best) && c < best))
        best = c;
    }
    if (best >= 0) {
      hidden[static_cast<std::size_t>(best)] = true;
      return best;
    }
  }
  return -1;
}

// The per-relation rules; true when a cell was hidden.
bool enforce(const SuppressionTable& t, const SuppressionTable::Relation& r, std::int64_t threshold,
             std::vector<bool>& hidden) {
  int hidden_parts = 0;
  std::int64_t hidden_sum = 0;
  for (int p : r.parts)
    if (hidden[static_cast<std::size_t>(p)]) {
      ++hidden_parts;
      hidden_sum += t.values[static_cast<std::size_t>(p)];
    }
  if (hidden[static_cast<std::size_t>(r.total)]) {
    // A hidden total with every part shown is just their sum.
    if (hidden_parts > 0) return false;
    return hide_cheapest(t, r.parts, hidden, 1, true) >= 0;
  }
  if (hidden_parts == 0) return false;
  // total − shown parts = the hidden parts' sum: it must neither be one cell's value nor
  // small enough to say that each hidden part is below the threshold. Hiding one more part
  // or the total itself both stop that; the cheaper is hidden. A known total cannot be
  // hidden: below the threshold, its hidden parts must then make up all of it.
  const std::int64_t total = t.values[static_cast<std::size_t>(r.total)];
  const std::int64_t enough =
      is_known(t, r.total) ? std::min<std::int64_t>(threshold, total) : threshold;
  if (hidden_parts >= 2 && hidden_sum >= enough) return false;
  std::vector<int> candidates = r.parts;
  candidates.push_back(r.total);
  // Zeros only where nothing else can be hidden: a known total, or a relation whose other
  // cells are all fixed.
  return hide_cheapest(t, candidates, hidden, enough - hidden_sum, true) >= 0;
}

// Exact linear algebra over the prime field of p = 2^61 − 1: the relations' coefficients are
// ±1, and a combination that isolates a cell over the rationals does so modulo p too (a
// miss would need p to divide a minor of the relation matrix). Floating point would need a
// tolerance; this needs none.
using Mod = std::uint64_t;
constexpr Mod kP = (Mod{1} << 61) - 1;

Mod mul(Mod a, Mod b) {
  const unsigned __int128 z = static_cast<unsigned __int128>(a) * b;
  Mod r = static_cast<Mod>(z & kP) + static_cast<Mod>(z >> 61);
  r = (r & kP) + (r >> 61);
  return r >= kP ? r - kP : r;
}
Mod sub(Mod a, Mod b) {
  return a >= b ? a - b : a + kP - b;
}
Mod inverse(Mod a) {
  Mod result = 1, base = a;
  for (Mod e = kP - 2; e != 0; e >>= 1) {
    if (e & 1) result = mul(result, base);
    base = mul(base, base);
  }
  return result;
}

// A sparse row: (variable, coefficient) by increasing variable, no zero coefficients.
using Row = std::vector<std::pair<int, Mod>>;

// row − f × other.
Row minus(const Row& row, Mod f, const Row& other) {
  Row out;
  out.reserve(row.size() + other.size());
  std::size_t i = 0, j = 0;
  while (i < row.size() || j < other.size()) {
    if (j == other.size() || (i < row.size() && row[i].first < other[j].first)) {
      out.push_back(row[i++]);
    } else if (i == row.size() || other[j].first < row[i].first) {
      out.push_back({other[j].first, sub(0, mul(f, other[j].second))});
      ++j;
    } else {
      const Mod v = sub(row[i].second, mul(f, other[j].second));
      if (v != 0) out.push_back({row[i].first, v});
      ++i;
      ++j;
    }
  }
  return out;
}

}  // namespace

std::vector<int> derivable_cells(const SuppressionTable& table, const std::vector<bool>& hidden) {
  // The unknowns are the hidden cells, numbered so that those in fewer relations come first:
  // eliminating them first keeps the rows sparse (a minimum-degree ordering, done once).
  const std::size_t n = table.values.size();
  std::vector<int> degree(n, 0);
  for (const auto& r : table.relations) {
    ++degree[static_cast<std::size_t>(r.total)];
    for (int p : r.parts)
      ++degree[static_cast<std::size_t>(p)];
  }
  std::vector<int> cells;
  for (std::size_t i = 0; i < n; ++i)
    if (hidden[i]) cells.push_back(static_cast<int>(i));
  if (cells.empty()) return {};
  std::stable_sort(cells.begin(), cells.end(), [&degree](int a, int b) {
    return degree[static_cast<std::size_t>(a)] < degree[static_cast<std::size_t>(b)];
  });
  std::vector<int> var_of(n, -1);
  for (std::size_t v = 0; v < cells.size(); ++v)
    var_of[static_cast<std::size_t>(cells[v])] = static_cast<int>(v);

  // Each relation restricted to its hidden cells is one equation: total − Σ parts = known.
  std::vector<Row> equations;
  for (const auto& r : table.relations) {
    Row row;
    if (int v = var_of[static_cast<std::size_t>(r.total)]; v >= 0) row.push_back({v, 1});
    for (int p : r.parts)
      if (int v = var_of[static_cast<std::size_t>(p)]; v >= 0) row.push_back({v, kP - 1});
    if (row.empty()) continue;
    std::sort(row.begin(), row.end());
    equations.push_back(std::move(row));
  }
  std::stable_sort(equations.begin(), equations.end(),
                   [](const Row& a, const Row& b) { return a.size() < b.size(); });

  // Row echelon form: each pivot row starts with its variable, with coefficient 1.
  std::vector<int> pivot_of(cells.size(), -1);
  std::vector<Row> pivots;
  for (Row& row : equations) {
    while (!row.empty()) {
      const auto [lead, coef] = row.front();
      const int p = pivot_of[static_cast<std::size_t>(lead)];
      if (p < 0) {
        const Mod inv = inverse(coef);
        for (auto& entry : row)
          entry.second = mul(entry.second, inv);
        pivot_of[static_cast<std::size_t>(lead)] = static_cast<int>(pivots.size());
        pivots.push_back(std::move(row));
        break;
      }
      row = minus(row, coef, pivots[static_cast<std::size_t>(p)]);
    }
  }

  // Reduced form, last pivot first: a pivot row then holds its variable and free variables
  // only, and the variable is determined exactly when there are none (the unit vector is
  // then in the row space).
  std::vector<int> order;
  for (std::size_t v = 0; v < cells.size(); ++v)
    if (pivot_of[v] >= 0) order.push_back(static_cast<int>(v));
  std::vector<int> out;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Row& row = pivots[static_cast<std::size_t>(pivot_of[static_cast<std::size_t>(*it)])];
    for (;;) {
      auto other = std::find_if(row.begin() + 1, row.end(), [&pivot_of](const auto& entry) {
        return pivot_of[static_cast<std::size_t>(entry.first)] >= 0;
      });
      if (other == row.end()) break;
      const int p = pivot_of[static_cast<std::size_t>(other->first)];
      row = minus(row, other->second, pivots[static_cast<std::size_t>(p)]);
    }
    if (row.size() == 1) out.push_back(cells[static_cast<std::size_t>(*it)]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<bool> suppress(const SuppressionTable& table, int threshold) {
  const std::int64_t t = std::max(threshold, kMinThreshold);
  const std::size_t n = table.values.size();
  std::vector<bool> hidden(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    const bool zero_ok = !table.zero_ok.empty() && table.zero_ok[i] && table.values[i] == 0;
    const bool withheld = !table.withheld.empty() && table.withheld[i];
    hidden[i] =
        withheld || (!is_fixed(table, static_cast<int>(i)) && !zero_ok && table.values[i] < t);
  }

  std::vector<std::vector<int>> relations_of(n);
  for (std::size_t r = 0; r < table.relations.size(); ++r) {
    relations_of[static_cast<std::size_t>(table.relations[r].total)].push_back(static_cast<int>(r));
    for (int p : table.relations[r].parts)
      relations_of[static_cast<std::size_t>(p)].push_back(static_cast<int>(r));
  }

  // Every round hides at least one more cell, so this ends after at most n rounds.
  for (std::size_t round = 0; round <= n; ++round) {
    bool changed = false;
    for (const auto& r : table.relations)
      changed = enforce(table, r, t, hidden) || changed;
    if (changed) continue;
    const std::vector<int> leaks = derivable_cells(table, hidden);
    if (leaks.empty()) break;
    // Hide, for each leak, the cheapest shown cell sharing a relation with it; skip a leak
    // whose relations already got a cell hidden in this round (that often closes it), and
    // audit again.
    bool fixed = false;
    std::vector<bool> touched(table.relations.size(), false);
    for (int leak : leaks) {
      const auto& rels = relations_of[static_cast<std::size_t>(leak)];
      if (std::any_of(rels.begin(), rels.end(),
                      [&touched](int r) { return touched[static_cast<std::size_t>(r)]; }))
        continue;
      std::vector<int> candidates;
      for (int r : rels) {
        const auto& rel = table.relations[static_cast<std::size_t>(r)];
        candidates.insert(candidates.end(), rel.parts.begin(), rel.parts.end());
        candidates.push_back(rel.total);
      }
      const int hid = hide_cheapest(table, candidates, hidden, 1, true);
      if (hid < 0) continue;
      fixed = true;
      for (int r : relations_of[static_cast<std::size_t>(hid)])
        touched[static_cast<std::size_t>(r)] = true;
    }
    if (!fixed) break;  // only structural cells left to hide: nothing more can be done
  }
  return hidden;
}

}  // namespace mangfold::report
