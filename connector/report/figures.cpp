#include "connector/report/figures.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "connector/domain/date.hpp"

namespace mangfold::report {

namespace {

using domain::Outcome;

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == ':')
      out += "%3A";
    else
      out += c;
  }
  return out;
}

std::optional<std::string> unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const std::string_view code = s.substr(i + 1, 2);
    if (code == "25")
      out += '%';
    else if (code == "3A")
      out += ':';
    else
      return std::nullopt;
    i += 2;
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto colon = s.find(':');
    parts.push_back(s.substr(0, colon));
    if (colon == std::string_view::npos) break;
    s.remove_prefix(colon + 1);
  }
  return parts;
}

std::optional<std::int64_t> number(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty() || std::from_chars(s.data(), s.data() + s.size(), v).ec != std::errc{} || v < 0)
    return std::nullopt;
  return v;
}

// Rules whose counts describe the group: the ones that count applicants. A rule outside
// its scope (or before the policy's effective date) leaves its counts at zero.
bool counts_group(const domain::RuleVerdict& r) {
  if (r.group.empty()) return false;
  return r.reason_code != "out_of_scope" && r.reason_code != "policy_not_in_effect";
}

}  // namespace

namespace metric {

std::string group(std::string_view group_name, std::string_view field) {
  return "group:" + escape(group_name) + ":" + std::string(field);
}
std::string rule(std::string_view kind, std::string_view group_name, std::string_view field) {
  return "rule:" + escape(kind) + ":" + escape(group_name) + ":" + std::string(field);
}
std::string overall(std::string_view outcome) {
  return "overall:" + std::string(outcome);
}
std::string outbox_done(std::string_view kind) {
  return "outbox:" + escape(kind) + ":done";
}
std::string what_if(std::string_view group_name, std::int64_t q, std::int64_t n, std::int64_t i) {
  return "whatif:" + escape(group_name) + ":" + std::to_string(q) + ":" + std::to_string(n) + ":" +
         std::to_string(i);
}

std::string inclusion(std::string_view field, std::string_view group_name) {
  return "inclusion:" + std::string(field) + ":" + escape(group_name);
}

std::optional<Parsed> parse(std::string_view key) {
  const auto parts = split(key);
  Parsed p;
  if (parts.size() == 1) {
    for (std::string_view plain :
         {kVacancies, kApplicants, kInvited, kHired, kProposed, kQualified, kQualifiedMeasured})
      if (key == plain) {
        p.kind = "vacancies";
        p.field = std::string(key);
        return p;
      }
    return std::nullopt;
  }
  p.kind = std::string(parts[0]);
  if (p.kind == "inclusion" && (parts.size() == 2 || parts.size() == 3)) {
    p.field = std::string(parts[1]);
    if (parts.size() == 3) {
      auto g = unescape(parts[2]);
      if (!g) return std::nullopt;
      p.group = *g;
    }
    return p;
  }
  if (p.kind == "group" && parts.size() == 3) {
    auto g = unescape(parts[1]);
    if (!g) return std::nullopt;
    p.group = *g;
    p.field = std::string(parts[2]);
    return p;
  }
  if (p.kind == "rule" && parts.size() == 4) {
    auto kind = unescape(parts[1]);
    auto g = unescape(parts[2]);
    if (!kind || !g) return std::nullopt;
    p.rule_kind = *kind;
    p.group = *g;
    p.field = std::string(parts[3]);
    return p;
  }
  if (p.kind == "overall" && parts.size() == 2) {
    p.field = std::string(parts[1]);
    return p;
  }
  if (p.kind == "outbox" && parts.size() == 3 && parts[2] == "done") {
    auto kind = unescape(parts[1]);
    if (!kind) return std::nullopt;
    p.rule_kind = *kind;
    p.field = "done";
    return p;
  }
  if (p.kind == "whatif" && parts.size() == 5) {
    auto g = unescape(parts[1]);
    auto q = number(parts[2]), n = number(parts[3]), i = number(parts[4]);
    if (!g || !q || !n || !i) return std::nullopt;
    p.group = *g;
    p.q = *q;
    p.n = *n;
    p.i = *i;
    return p;
  }
  return std::nullopt;
}

}  // namespace metric

std::string month_of_time(std::int64_t unix_seconds) {
  // Floor division, so that times before 1970 land in the right day too.
  std::int64_t days = unix_seconds / 86400;
  if (unix_seconds % 86400 < 0) --days;
  const domain::Date d = domain::Date::from_days_since_epoch(static_cast<long>(days));
  return d.to_string().substr(0, 7);
}

std::string month_of(const store::VacancyRecord& vacancy, std::int64_t now) {
  if (vacancy.status != "closed") return month_of_time(now);
  return month_of_time(vacancy.closed_at > 0 ? vacancy.closed_at : vacancy.updated_at);
}

std::vector<store::AggregateRow> vacancy_figures(const store::ReportVacancy& vacancy,
                                                 std::int64_t now) {
  if (!vacancy.last_verdict) return {};
  const domain::Verdict& verdict = *vacancy.last_verdict;
  std::map<std::string, std::int64_t> sums;
  auto add = [&sums](std::string key, std::int64_t value) {
    if (value != 0) sums[std::move(key)] += value;
  };

  // Each group's counts from the first rule that counted it, interview_minimum first
  // (every counting rule counts the same snapshot, so any of them would do).
  std::map<std::string, const domain::Counts*> measured;
  std::set<std::string> groups;
  for (int pass = 0; pass < 2; ++pass)
    for (const domain::RuleVerdict& r : verdict.rules) {
      if (!r.group.empty()) groups.insert(r.group);
      if (!counts_group(r) || (pass == 0) != (r.kind == "interview_minimum")) continue;
      measured.emplace(r.group, &r.counts);
    }
  const domain::Counts* any = measured.empty() ? nullptr : measured.begin()->second;
  std::int64_t applicants = 0;
  for (const auto& [g, c] : measured)
    applicants = std::max<std::int64_t>(applicants, c->applicants);

  add(std::string(metric::kVacancies), 1);
  add(std::string(metric::kApplicants), applicants);
  if (any != nullptr) {
    add(std::string(metric::kInvited), any->invited);
    add(std::string(metric::kHired), any->hired);
    add(std::string(metric::kProposed), any->proposed);
  }
  // Every counting rule counts the same applicants, so one unrecorded set of counts (or
  // one with Q above the total) makes the whole vacancy's figure unknown. A vacancy that
  // no rule counted adds no applicants, and so no qualified ones either: measured, 0.
  const bool recorded = std::all_of(measured.begin(), measured.end(),
                                    [](const auto& m) { return qualified_recorded(*m.second); });
  if (recorded) {
    add(std::string(metric::kQualifiedMeasured), 1);
    if (any != nullptr) add(std::string(metric::kQualified), any->qualified);
  }
  for (const std::string& g : groups) {
    auto it = measured.find(g);
    if (it == measured.end()) {
      add(metric::group(g, "unknown"), applicants);
      continue;
    }
    const domain::Counts& c = *it->second;
    add(metric::group(g, "measured"), 1);
    add(metric::group(g, "yes"), c.in_group);
    add(metric::group(g, "unknown"), c.unknown_answer);
    add(metric::group(g, "no"), std::max(0, c.applicants - c.in_group - c.unknown_answer));
    add(metric::group(g, "qualified"), c.qualified_in_group);
    add(metric::group(g, "unassessed"), c.unassessed_in_group);
    add(metric::group(g, "invited"), c.invited_in_group);
    add(metric::group(g, "hired"), c.hired_in_group);
    add(metric::what_if(g, c.qualified_in_group, c.invited, c.invited_in_group), 1);
  }

  // The inclusion figure, where every inclusion group was counted and the verdict records
  // it; the hires of a group are split into alone / both / elsewhere (figures.hpp).
  static_assert(std::size(domain::kInclusionGroups) == 2, "both = h1 + h2 - union needs two");
  std::vector<const domain::Counts*> inclusion;
  for (std::string_view g : domain::kInclusionGroups)
    if (auto it = measured.find(std::string(g)); it != measured.end())
      inclusion.push_back(it->second);
  bool with_inclusion = false;
  if (any != nullptr && inclusion.size() == std::size(domain::kInclusionGroups) &&
      verdict.inclusion_hired != domain::Counts::kNotRecorded) {
    const std::int64_t u = verdict.inclusion_hired;
    std::int64_t sum = 0;
    for (const domain::Counts* c : inclusion)
      sum += c->hired_in_group;
    // Each group's hires are within the union, the union within their sum and the hires.
    with_inclusion = u <= any->hired && u <= sum &&
                     std::all_of(inclusion.begin(), inclusion.end(),
                                 [u](const domain::Counts* c) { return c->hired_in_group <= u; });
    if (with_inclusion) {
      add(std::string(metric::kInclusionHires), any->hired);
      add(std::string(metric::kInclusionHired), u);
      // Two groups: both = h1 + h2 − u; alone in g = u − (the other's hires).
      add(std::string(metric::kInclusionBoth), sum - u);
      for (std::size_t k = 0; k < inclusion.size(); ++k)
        add(metric::inclusion("only", domain::kInclusionGroups[k]),
            u - (sum - inclusion[k]->hired_in_group));
    }
  }
  if (!with_inclusion)
    for (std::size_t k = 0; k < std::size(domain::kInclusionGroups); ++k)
      if (auto it = measured.find(std::string(domain::kInclusionGroups[k])); it != measured.end())
        add(metric::inclusion("rest", domain::kInclusionGroups[k]), it->second->hired_in_group);

  // One outcome per rule kind and group; two rules of the same kind on the same group (a
  // policy could have them) count as one, with the more pressing outcome.
  std::map<std::pair<std::string, std::string>, std::pair<Outcome, int>> by_key;
  for (const domain::RuleVerdict& r : verdict.rules) {
    auto [it, fresh] = by_key.try_emplace({r.kind, r.group}, r.outcome, r.missing);
    if (!fresh) {
      it->second.first = domain::most_pressing(it->second.first, r.outcome);
      it->second.second = std::max(it->second.second, r.missing);
    }
  }
  for (const auto& [key, value] : by_key) {
    add(metric::rule(key.first, key.second, domain::to_string(value.first)), 1);
    if (value.first == Outcome::kShortfall)
      add(metric::rule(key.first, key.second, "missing"), value.second);
  }
  // The interview rule over all of the policy's target groups (issue 19: the figure HR
  // needs most), where it has more than one: met only when met for every group. With one
  // group, that rule's own row is the figure.
  std::optional<Outcome> interview;
  int interview_rules = 0;
  for (const auto& [key, value] : by_key)
    if (key.first == "interview_minimum") {
      ++interview_rules;
      interview = interview ? domain::most_pressing(*interview, value.first) : value.first;
    }
  if (interview_rules >= 2)
    add(metric::rule(metric::kInterviewAll, "", domain::to_string(*interview)), 1);
  add(metric::overall(domain::to_string(verdict.overall)), 1);
  // A notification delivered inside a daily digest is a notification sent like any other.
  for (const auto& [kind, n] : vacancy.outbox_done)
    add(metric::outbox_done(kind == "digest" ? "email" : kind), n);

  const std::string month = month_of(vacancy.record, now);
  std::vector<store::AggregateRow> rows;
  rows.reserve(sums.size());
  for (auto& [key, value] : sums)
    rows.push_back({month, vacancy.record.department, key, value});
  return rows;
}

bool qualified_recorded(const domain::Counts& c) {
  // Q counts a subset of the total: a total below it did not come from the engine.
  return c.qualified != domain::Counts::kNotRecorded && c.qualified >= c.qualified_in_group;
}

store::Fold retention_fold() {
  return [](const store::ReportVacancy& v) -> Result<std::vector<store::AggregateRow>> {
    // Only closed vacancies are folded, and their month does not depend on `now`.
    return vacancy_figures(v, 0);
  };
}

}  // namespace mangfold::report
