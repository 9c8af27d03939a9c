// What-if: past interview_minimum verdicts recomputed from the stored per-vacancy counts.
#include <algorithm>

#include "connector/policy/engine.hpp"
#include "connector/report/figures.hpp"
#include "connector/report/months.hpp"
#include "connector/report/report.hpp"

namespace mangfold::report {

WhatIfCounts evaluate_what_if(const std::map<QniCounts, std::int64_t>& histogram,
                              const policy::InterviewMinimum& rule) {
  WhatIfCounts out;
  for (const auto& [c, vacancies] : histogram) {
    out.vacancies += vacancies;
    if (c.q == 0) {
      out.not_applicable += vacancies;
      continue;
    }
    const std::int64_t by_share = policy::ceil_share(rule.min_share_ppm, static_cast<int>(c.n));
    const std::int64_t required =
        std::min<std::int64_t>(c.q, std::max<std::int64_t>(rule.min_count, by_share));
    if (c.i >= required) {
      out.compliant += vacancies;
    } else {
      out.shortfall += vacancies;
      out.missing +=
          vacancies * policy::invitations_needed(rule, static_cast<int>(c.q), static_cast<int>(c.n),
                                                 static_cast<int>(c.i));
    }
  }
  return out;
}

WhatIf tabulate_what_if(const ReportQuery& q, const MonthlyFigures& figures,
                        const policy::Policy& policy) {
  WhatIf wi;
  wi.tenant = q.tenant;
  wi.from_month = q.from_month;
  wi.to_month = q.to_month;
  wi.department = q.department;
  wi.policy_id = policy.id;
  wi.policy_version = policy.version;
  wi.threshold = q.threshold;
  wi.generated_at = q.now;

  std::map<std::string, std::map<QniCounts, std::int64_t>> histograms;
  std::map<std::string, std::map<std::string, std::int64_t>> recorded;
  for (auto it = figures.lower_bound(q.from_month); it != figures.end() && it->first <= q.to_month;
       ++it)
    for (const auto& [department, metrics] : it->second) {
      if (q.department && department != *q.department) continue;
      for (const auto& [key, value] : metrics) {
        auto p = metric::parse(key);
        if (!p) continue;
        if (p->kind == "whatif") histograms[p->group][QniCounts{p->q, p->n, p->i}] += value;
        if (p->kind == "rule" && p->rule_kind == "interview_minimum")
          recorded[p->group][p->field] += value;
      }
    }

  for (const policy::Rule& rule : policy.rules) {
    const auto* spec = std::get_if<policy::InterviewMinimum>(&rule.spec);
    if (!rule.enabled || spec == nullptr) continue;
    WhatIfRule out;
    out.rule = rule.name;
    out.group = spec->group;
    out.min_count = spec->min_count;
    out.min_share_ppm = spec->min_share_ppm;
    out.label = spec->group;
    if (const policy::TargetGroup* g = policy.group(spec->group); g && !g->label.empty())
      out.label = g->label;
    if (auto l = q.group_labels.find(spec->group); l != q.group_labels.end()) out.label = l->second;

    const WhatIfCounts c = evaluate_what_if(histograms[spec->group], *spec);
    auto& rec = recorded[spec->group];
    const std::int64_t rec_other = rec["not_applicable"] + rec["insufficient_data"];
    const std::int64_t rec_evaluated = rec["compliant"] + rec["shortfall"] + rec_other;

    // Counts over no vacancy are true zeros; otherwise small cells are hidden as in reports.
    SuppressionTable t;
    const bool none = c.vacancies == 0, rec_none = rec_evaluated == 0;
    const int vac = t.add(c.vacancies, none, true), comp = t.add(c.compliant, none, true),
              shrt = t.add(c.shortfall, none, true), na = t.add(c.not_applicable, none, true),
              miss = t.add(c.missing, none, true);
    const int r_eval = t.add(rec_evaluated, rec_none, true),
              r_comp = t.add(rec["compliant"], rec_none, true),
              r_short = t.add(rec["shortfall"], rec_none, true),
              r_other = t.add(rec_other, rec_none, true),
              r_miss = t.add(rec["missing"], rec_none, true);
    t.relations.push_back({vac, {comp, shrt, na}});
    t.relations.push_back({r_eval, {r_comp, r_short, r_other}});
    const std::vector<bool> hidden = suppress(t, q.threshold);
    auto cell = [&](int i) {
      return hidden[static_cast<std::size_t>(i)] ? Cell{}
                                                 : Cell{t.values[static_cast<std::size_t>(i)]};
    };
    out.vacancies = cell(vac);
    out.compliant = cell(comp);
    out.shortfall = cell(shrt);
    out.not_applicable = cell(na);
    out.missing = cell(miss);
    out.recorded_evaluated = cell(r_eval);
    out.recorded_compliant = cell(r_comp);
    out.recorded_shortfall = cell(r_short);
    out.recorded_other = cell(r_other);
    out.recorded_missing = cell(r_miss);
    wi.rules.push_back(std::move(out));
  }
  return wi;
}

Result<WhatIf> what_if(store::Store& store, const ReportQuery& query,
                       const policy::Policy& policy) {
  if (Status s = check_query(query); !s) return s;
  auto figures = load_figures(store, query.tenant, months::parse(query.from_month)->year,
                              months::parse(query.to_month)->year, query.now);
  if (!figures.ok()) return figures.status();
  return tabulate_what_if(query, *figures, policy);
}

}  // namespace mangfold::report
