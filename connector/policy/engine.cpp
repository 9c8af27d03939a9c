#include "connector/policy/engine.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <sstream>

#include "connector/policy/ad_rules.hpp"

namespace mangfold::policy {

using domain::Answer;
using domain::Application;
using domain::Counts;
using domain::Outcome;
using domain::Phase;
using domain::RuleVerdict;
using domain::Severity;
using domain::Snapshot;

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

bool same_word(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool any_listed(const std::vector<std::string>& have, const std::vector<std::string>& listed) {
  return std::any_of(have.begin(), have.end(), [&](const std::string& h) {
    return std::any_of(listed.begin(), listed.end(),
                       [&](const std::string& l) { return same_word(h, l); });
  });
}

// Why a vacancy is outside a rule's scope; empty when it is inside. A vacancy whose job
// types the ATS did not send is kept in scope: checking too often is safer than never.
std::string out_of_scope(const Scope& scope, const Snapshot& s) {
  const auto& types = s.vacancy.job_types;
  if (!scope.job_types.empty() && !types.empty() && !any_listed(types, scope.job_types))
    return "its job type is not one the rule covers";
  if (any_listed(types, scope.exclude_job_types)) return "its job type is excluded from the rule";
  if (!scope.include_internal && s.vacancy.internal_only) return "it is advertised internally only";
  if (static_cast<int>(s.applications.size()) < scope.min_applicants)
    return "it has fewer than " + std::to_string(scope.min_applicants) + " applications";
  return {};
}

Severity shortfall_severity(Phase p) {
  switch (p) {
    case Phase::kInterviewing:
      return Severity::kWarning;
    case Phase::kRecommendation:
      return Severity::kBreach;
    case Phase::kScreening:
      break;
  }
  return Severity::kAdvice;
}

// "Cannot tell yet" is never a breach: advice until a hire is proposed, a warning from then
// on, when the missing assessment or score is what the decision waits for.
Severity insufficient_severity(Phase p) {
  return p == Phase::kRecommendation ? Severity::kWarning : Severity::kAdvice;
}

// A qualified applicant who withdrew before any invitation can no longer be invited: no rule
// asks for them (they are out of Q and of the qualified total alike).
bool withdrew_uninvited(const Application& a) {
  return a.stage == domain::Stage::kWithdrawn && !a.invited();
}
bool available_qualified(const Application& a) {
  return a.qualified() && !withdrew_uninvited(a);
}
// Not yet assessed and still in the running: might turn out qualified.
bool unassessed(const Application& a) {
  return a.qualification == domain::Qualification::kUnknown && !a.invited() &&
         !withdrew_uninvited(a);
}

// One pass over the applications for one target group.
Counts count_group(const Snapshot& s, std::string_view group) {
  Counts c;
  for (const Application& a : s.applications) {
    const Answer answer = a.answer(group);
    const bool in_group = answer == Answer::kYes;
    const bool invited = a.invited();
    // One predicate for both Q and the total, whatever the answer, so that Q <= qualified
    // always holds and reports can set the one against the other.
    const bool qualified = available_qualified(a);
    ++c.applicants;
    if (answer == Answer::kUnknown) ++c.unknown_answer;
    if (invited) ++c.invited;
    if (qualified) ++c.qualified;
    const bool hired = a.stage == domain::Stage::kHired;
    if (domain::proposes_hire(a.stage)) ++c.proposed;
    if (hired) ++c.hired;
    if (!in_group) continue;
    ++c.in_group;
    if (hired) ++c.hired_in_group;
    // Seed 000: «dersom hun eller han er kvalifisert» — only qualified invitees count.
    if (invited && qualified) ++c.invited_in_group;
    if (qualified)
      ++c.qualified_in_group;
    else if (unassessed(a))
      ++c.unassessed_in_group;
  }
  return c;
}

std::string plural(int n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

void evaluate_interview_minimum(const InterviewMinimum& rule, const Snapshot& s, Phase phase,
                                RuleVerdict& v) {
  Counts c = count_group(s, rule.group);
  const int by_share = ceil_share(rule.min_share_ppm, c.invited);
  c.required = std::min(c.qualified_in_group, std::max(rule.min_count, by_share));
  v.counts = c;

  if (c.qualified_in_group == 0) {
    if (c.unassessed_in_group > 0) {
      v.outcome = Outcome::kInsufficientData;
      v.severity = insufficient_severity(phase);
      v.reason_code = "not_yet_assessed";
      v.reason = plural(c.unassessed_in_group, "applicant", "applicants") +
                 " in the group not yet assessed for qualification; none assessed qualified";
      return;
    }
    v.outcome = Outcome::kNotApplicable;
    v.reason_code = c.in_group == 0 ? "no_applicant_in_group" : "no_qualified_in_group";
    v.reason = c.in_group == 0
                   ? "No applicant declared belonging to the group: the ad may not reach it"
                   : "No applicant in the group is qualified and still available";
    return;
  }

  std::ostringstream why;
  why << "Q=" << c.qualified_in_group << " qualified in the group, N=" << c.invited
      << " invited, I=" << c.invited_in_group
      << " of them qualified and in the group; R=min(Q, max(" << rule.min_count << ", ceil("
      << rule.min_share_ppm / 10000.0 << "% of " << c.invited << ")=" << by_share
      << "))=" << c.required;
  if (c.invited_in_group >= c.required) {
    v.outcome = Outcome::kCompliant;
    v.reason_code = "requirement_met";
  } else {
    v.outcome = Outcome::kShortfall;
    v.severity = shortfall_severity(phase);
    v.missing = invitations_needed(rule, c.qualified_in_group, c.invited, c.invited_in_group);
    v.reason_code = "below_required";
    why << "; " << v.missing << " more to invite from the group";
    if (v.missing > c.required - c.invited_in_group)
      why << " (each invitation also raises N, and with it R)";
  }
  if (c.unassessed_in_group > 0)
    why << "; " << c.unassessed_in_group << " in the group not yet assessed";
  v.reason = why.str();
}

void evaluate_hire_justification(const HireJustification& rule, const Snapshot& s, Phase phase,
                                 RuleVerdict& v) {
  Counts c = count_group(s, rule.group);
  v.counts = c;
  int proposed_in_group = 0;
  for (const Application& a : s.applications)
    if (domain::proposes_hire(a.stage) && a.answer(rule.group) == Answer::kYes) ++proposed_in_group;

  const bool any_trigger = rule.trigger == JustificationTrigger::kAnyInGroup;
  const bool triggered_by_group = any_trigger ? c.in_group > 0 : c.qualified_in_group > 0;
  if (c.proposed == 0) {
    v.outcome = Outcome::kNotApplicable;
    v.reason_code = "no_proposal";
    v.reason = "No hire proposed yet";
  } else if (proposed_in_group > 0) {
    v.outcome = Outcome::kCompliant;
    v.reason_code = "proposal_includes_group";
    v.reason = "The proposal includes an applicant in the group";
  } else if (!triggered_by_group && c.unassessed_in_group > 0) {
    v.outcome = Outcome::kInsufficientData;
    v.severity = insufficient_severity(phase);
    v.reason_code = "not_yet_assessed";
    v.reason = plural(c.unassessed_in_group, "applicant", "applicants") +
               " in the group not yet assessed for qualification, none assessed qualified: "
               "whether the proposal needs a justification depends on them";
  } else if (!triggered_by_group) {
    v.outcome = Outcome::kNotApplicable;
    v.reason_code = any_trigger ? "no_applicant_in_group" : "no_qualified_in_group";
    v.reason = "No justification needed: no " +
               std::string(any_trigger ? "applicant" : "qualified applicant") + " in the group";
  } else if (s.vacancy.hire_justification_given) {
    v.outcome = Outcome::kCompliant;
    v.reason_code = "justification_given";
    v.reason = "The proposal names the best-qualified applicant in the group and says why";
  } else {
    v.outcome = Outcome::kShortfall;
    v.severity = Severity::kBreach;
    v.missing = 1;
    v.reason_code = "justification_missing";
    v.reason =
        "Only applicants outside the group are proposed: the proposal must name the "
        "best-qualified applicant in the group and say why that person was not chosen";
  }
}

// A score or rank in millionths, so that the tolerance is compared exactly: 5.2 − 5.1 is
// 0.1 as written, not 0.10000000000000053. Rank 1 is best: negated to compare alike.
std::optional<std::int64_t> merit_micros(const Application& a, QuotaBasis basis) {
  if (basis == QuotaBasis::kRank) {
    if (!a.rank) return std::nullopt;
    return -static_cast<std::int64_t>(*a.rank) * 1'000'000;
  }
  if (!a.score || !std::isfinite(*a.score) || std::fabs(*a.score) > 1e12) return std::nullopt;
  return std::llround(*a.score * 1e6);
}

void evaluate_moderate_quota(const ModerateQuota& rule, const Snapshot& s, Phase phase,
                             RuleVerdict& v) {
  v.counts = count_group(s, rule.group);
  struct Entry {
    std::optional<std::int64_t> merit;
    bool assessed;  // candidates: assessed (or invited) qualified; false: not yet assessed
  };
  std::vector<Entry> hires_outside, candidates;
  bool proposal_in_group = false;
  for (const Application& a : s.applications) {
    const bool in_group = a.answer(rule.group) == Answer::kYes;
    if (domain::proposes_hire(a.stage)) {
      if (in_group)
        proposal_in_group = true;
      else
        hires_outside.push_back({merit_micros(a, rule.basis), true});
    } else if (in_group && available_qualified(a)) {
      candidates.push_back({merit_micros(a, rule.basis), true});
    } else if (in_group && unassessed(a)) {
      candidates.push_back({merit_micros(a, rule.basis), false});
    }
  }
  if (hires_outside.empty()) {
    v.outcome = proposal_in_group ? Outcome::kCompliant : Outcome::kNotApplicable;
    v.reason_code = proposal_in_group ? "proposal_includes_group" : "no_proposal";
    v.reason = proposal_in_group ? "Every proposed hire is in the group" : "No hire proposed yet";
    return;
  }
  if (candidates.empty()) {
    v.outcome = Outcome::kNotApplicable;
    v.reason_code = "no_qualified_in_group";
    v.reason = "No other qualified applicant in the group to compare with";
    return;
  }
  const std::int64_t tolerance = rule.tolerance_micros;

  // Certain ties: both merits known, the candidate assessed qualified. One candidate can take
  // one position, so count a largest matching of hires to candidates. A candidate within the
  // tolerance of a hire is within it of every lower-scored hire too, so taking the hires from
  // the best down and giving each the best candidate left is a largest matching.
  std::vector<std::int64_t> hires, ready;
  for (const Entry& h : hires_outside)
    if (h.merit) hires.push_back(*h.merit);
  for (const Entry& g : candidates)
    if (g.assessed && g.merit) ready.push_back(*g.merit);
  std::sort(hires.rbegin(), hires.rend());
  std::sort(ready.rbegin(), ready.rend());
  int ties = 0;
  size_t next = 0;
  for (std::int64_t h : hires)
    if (next < ready.size() && ready[next] >= h - tolerance) {
      ++ties;
      ++next;
    }

  // Possible ties: a missing score or assessment that could still make one.
  bool unknown_merit = false, unknown_assessment = false;
  for (const Entry& h : hires_outside)
    for (const Entry& g : candidates) {
      const bool could_tie = !h.merit || !g.merit || *g.merit >= *h.merit - tolerance;
      if (!could_tie) continue;
      if (!g.assessed)
        unknown_assessment = true;
      else if (!h.merit || !g.merit)
        unknown_merit = true;
    }

  const std::string what = rule.basis == QuotaBasis::kScore ? "scores" : "ranks";
  if (ties > 0) {
    v.outcome = Outcome::kShortfall;
    v.severity = Severity::kWarning;
    v.missing = ties;
    v.reason_code = "equal_candidate_in_group";
    v.reason = plural(ties, "proposed hire", "proposed hires") +
               " outside the group preferred over an equally qualified applicant in the group "
               "(within the tolerance): moderate quota prefers the group between equally "
               "qualified";
    if (unknown_merit || unknown_assessment)
      v.reason += "; missing " + what + " or assessments may add more";
    return;
  }
  if (unknown_assessment || unknown_merit) {
    v.outcome = Outcome::kInsufficientData;
    v.severity = insufficient_severity(phase);
    v.reason_code = unknown_assessment ? "not_yet_assessed" : "merit_missing";
    v.reason = unknown_assessment
                   ? "Applicants in the group not yet assessed for qualification could be as well "
                     "qualified as a proposed hire"
                   : "The ATS did not supply " + what + " for every candidate compared";
    return;
  }
  v.outcome = Outcome::kCompliant;
  v.reason_code = "no_equal_candidate";
  v.reason = "No qualified applicant in the group within the tolerance of a proposed hire";
}

}  // namespace

int ceil_share(std::uint32_t share_ppm, int n) {
  if (n <= 0 || share_ppm == 0) return 0;
  const std::uint64_t scaled =
      static_cast<std::uint64_t>(share_ppm) * static_cast<std::uint64_t>(n);
  return static_cast<int>((scaled + 999'999) / 1'000'000);
}

int invitations_needed(const InterviewMinimum& rule, int q, int n, int i) {
  const auto required = [&](int x) {
    return std::min(q, std::max(rule.min_count, ceil_share(rule.min_share_ppm, n + x)));
  };
  // R <= Q, so x = Q − I always suffices; under a share R can grow with each invitation.
  for (int x = std::max(0, required(0) - i); x < q - i; ++x)
    if (i + x >= required(x)) return x;
  return std::max(0, q - i);
}

std::string sentence_language(const AdSentence& rule, std::string_view ad_language) {
  if (auto it = rule.sentences.find(std::string(ad_language)); it != rule.sentences.end())
    return it->first;
  if (rule.sentences.count(rule.fallback_language)) return rule.fallback_language;
  return {};
}

std::string_view kind_name(const RuleSpec& spec) {
  return std::visit(Overloaded{
                        [](const InterviewMinimum&) { return "interview_minimum"; },
                        [](const HireJustification&) { return "hire_justification"; },
                        [](const ModerateQuota&) { return "moderate_quota"; },
                        [](const AdSentence&) { return "ad_sentence"; },
                        [](const AdMentions&) { return "ad_mentions"; },
                        [](const AdLanguage&) { return "ad_language"; },
                    },
                    spec);
}

const TargetGroup* Policy::group(std::string_view name) const {
  for (const TargetGroup& g : groups)
    if (g.name == name) return &g;
  return nullptr;
}

domain::Verdict evaluate(const Policy& policy, const Snapshot& snapshot,
                         const EvaluationContext& context) {
  domain::Verdict verdict;
  verdict.policy_id = policy.id;
  verdict.policy_version = policy.version;
  verdict.vacancy_id = snapshot.vacancy.id;
  verdict.phase = domain::phase_of(snapshot);

  const bool in_effect =
      !context.today || !policy.effective_from || *context.today >= *policy.effective_from;

  // One reading of the ad for every ad rule: it is measured, read and digested at most once
  // (ad_rules.hpp), and with the caller's memo, an ad seen before is not read at all.
  std::optional<AdReading> ad_reading;
  if (const auto& ad = snapshot.vacancy.ad; ad && !ad->body.empty())
    ad_reading.emplace(context.ad_memo, *ad, context.limits, context.ad_digest);
  AdReading* reading = ad_reading ? &*ad_reading : nullptr;

  for (const Rule& rule : policy.rules) {
    if (!rule.enabled) continue;
    RuleVerdict v;
    v.rule = rule.name;
    v.kind = std::string(kind_name(rule.spec));
    std::visit(Overloaded{[&](const InterviewMinimum& r) { v.group = r.group; },
                          [&](const HireJustification& r) { v.group = r.group; },
                          [&](const ModerateQuota& r) { v.group = r.group; }, [](const auto&) {}},
               rule.spec);

    if (!in_effect) {
      v.reason_code = "policy_not_in_effect";
      v.reason = "Policy version " + policy.version + " applies from " +
                 policy.effective_from->to_string();
    } else if (std::string why = out_of_scope(rule.scope, snapshot); !why.empty()) {
      v.reason_code = "out_of_scope";
      v.reason = "The vacancy is outside the rule's scope: " + why;
    } else if (auto gone = snapshot.answers_unavailable.find(v.group);
               !v.group.empty() && gone != snapshot.answers_unavailable.end()) {
      v.outcome = Outcome::kInsufficientData;
      v.severity = insufficient_severity(verdict.phase);
      v.reason_code = "answers_unavailable";
      v.reason = gone->second;
    } else {
      std::visit(Overloaded{
                     [&](const InterviewMinimum& r) {
                       evaluate_interview_minimum(r, snapshot, verdict.phase, v);
                     },
                     [&](const HireJustification& r) {
                       evaluate_hire_justification(r, snapshot, verdict.phase, v);
                     },
                     [&](const ModerateQuota& r) {
                       evaluate_moderate_quota(r, snapshot, verdict.phase, v);
                     },
                     [&](const AdSentence& r) { evaluate_ad_sentence(policy, r, v, reading); },
                     [&](const AdMentions& r) { evaluate_ad_mentions(r, v, reading); },
                     [&](const AdLanguage& r) { evaluate_ad_language(r, v, reading); },
                 },
                 rule.spec);
    }
    verdict.overall =
        verdict.rules.empty() ? v.outcome : domain::most_pressing(verdict.overall, v.outcome);
    verdict.rules.push_back(std::move(v));
  }

  std::vector<std::string_view> inclusion;
  for (std::string_view g : domain::kInclusionGroups)
    if (policy.group(g)) inclusion.push_back(g);
  // Recorded only where the policy declares every group of the goal: the figure is about both.
  if (in_effect && inclusion.size() == std::size(domain::kInclusionGroups)) {
    verdict.inclusion_hired = static_cast<int>(std::count_if(
        snapshot.applications.begin(), snapshot.applications.end(), [&](const Application& a) {
          return a.stage == domain::Stage::kHired &&
                 std::any_of(inclusion.begin(), inclusion.end(),
                             [&](auto g) { return a.answer(g) == Answer::kYes; });
        }));
  }
  return verdict;
}

}  // namespace mangfold::policy
