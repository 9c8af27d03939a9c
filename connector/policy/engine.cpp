#include "connector/policy/engine.hpp"

#include <algorithm>
#include <cctype>
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

// An evaluation's own memo holds one ad's text: room for a large ad.
constexpr std::size_t kEvaluationMemoBytes = std::size_t{4} << 20;

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

// One pass over the applications for one target group.
Counts count_group(const Snapshot& s, std::string_view group) {
  Counts c;
  for (const Application& a : s.applications) {
    const Answer answer = a.answer(group);
    const bool in_group = answer == Answer::kYes;
    const bool invited = a.invited();
    // One predicate for both Q and the total, whatever the answer, so that Q <= qualified
    // always holds and reports can set the one against the other.
    const bool qualified = a.qualified();
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
    if (invited) ++c.invited_in_group;
    if (qualified)
      ++c.qualified_in_group;
    else if (a.qualification == domain::Qualification::kUnknown)
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
      v.severity = phase == Phase::kRecommendation ? Severity::kWarning : Severity::kAdvice;
      v.reason_code = "not_yet_assessed";
      v.reason = plural(c.unassessed_in_group, "applicant", "applicants") +
                 " in the group not yet assessed for qualification; none assessed qualified";
      return;
    }
    v.outcome = Outcome::kNotApplicable;
    v.reason_code = c.in_group == 0 ? "no_applicant_in_group" : "no_qualified_in_group";
    v.reason = c.in_group == 0
                   ? "No applicant declared belonging to the group: the ad may not reach it"
                   : "No applicant in the group is qualified";
    return;
  }

  std::ostringstream why;
  why << "Q=" << c.qualified_in_group << " qualified in the group, N=" << c.invited
      << " invited, I=" << c.invited_in_group << " of them in the group; R=min(Q, max("
      << rule.min_count << ", ceil(" << rule.min_share_ppm / 10000.0 << "% of " << c.invited
      << ")=" << by_share << "))=" << c.required;
  if (c.invited_in_group >= c.required) {
    v.outcome = Outcome::kCompliant;
    v.reason_code = "requirement_met";
  } else {
    v.outcome = Outcome::kShortfall;
    v.severity = shortfall_severity(phase);
    v.missing = c.required - c.invited_in_group;
    v.reason_code = "below_required";
    why << "; " << v.missing << " more to invite";
  }
  if (c.unassessed_in_group > 0)
    why << "; " << c.unassessed_in_group << " in the group not yet assessed";
  v.reason = why.str();
}

void evaluate_hire_justification(const HireJustification& rule, const Snapshot& s, RuleVerdict& v) {
  Counts c = count_group(s, rule.group);
  v.counts = c;
  int proposed_in_group = 0;
  for (const Application& a : s.applications)
    if (domain::proposes_hire(a.stage) && a.answer(rule.group) == Answer::kYes) ++proposed_in_group;

  const bool triggered_by_group =
      rule.trigger == JustificationTrigger::kAnyInGroup ? c.in_group > 0 : c.qualified_in_group > 0;
  if (c.proposed == 0) {
    v.outcome = Outcome::kNotApplicable;
    v.reason_code = "no_proposal";
    v.reason = "No hire proposed yet";
  } else if (proposed_in_group > 0) {
    v.outcome = Outcome::kCompliant;
    v.reason_code = "proposal_includes_group";
    v.reason = "The proposal includes an applicant in the group";
  } else if (!triggered_by_group) {
    v.outcome = Outcome::kNotApplicable;
    v.reason_code = rule.trigger == JustificationTrigger::kAnyInGroup ? "no_applicant_in_group"
                                                                      : "no_qualified_in_group";
    v.reason =
        "No justification needed: no " +
        std::string(rule.trigger == JustificationTrigger::kAnyInGroup ? "applicant"
                                                                      : "qualified applicant") +
        " in the group";
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

void evaluate_moderate_quota(const ModerateQuota& rule, const Snapshot& s, RuleVerdict& v) {
  v.counts = count_group(s, rule.group);
  const bool by_score = rule.basis == QuotaBasis::kScore;
  auto merit = [&](const Application& a) -> std::optional<double> {
    if (by_score) return a.score;
    if (a.rank) return -static_cast<double>(*a.rank);  // rank 1 is best: negate to compare alike
    return std::nullopt;
  };

  std::vector<const Application*> proposed_outside, candidates_in_group;
  bool proposal_in_group = false;
  for (const Application& a : s.applications) {
    const bool in_group = a.answer(rule.group) == Answer::kYes;
    if (domain::proposes_hire(a.stage)) {
      if (in_group)
        proposal_in_group = true;
      else
        proposed_outside.push_back(&a);
    } else if (in_group && a.qualified() && a.stage != domain::Stage::kWithdrawn) {
      candidates_in_group.push_back(&a);
    }
  }
  if (proposed_outside.empty() && !proposal_in_group) {
    v.outcome = Outcome::kNotApplicable;
    v.reason_code = "no_proposal";
    v.reason = "No hire proposed yet";
    return;
  }
  if (proposal_in_group || candidates_in_group.empty()) {
    v.outcome = proposal_in_group ? Outcome::kCompliant : Outcome::kNotApplicable;
    v.reason_code = proposal_in_group ? "proposal_includes_group" : "no_qualified_in_group";
    v.reason = proposal_in_group ? "The proposal includes an applicant in the group"
                                 : "No other qualified applicant in the group to compare with";
    return;
  }
  const std::string_view what = by_score ? "scores" : "ranks";
  int close = 0;
  for (const Application* g : candidates_in_group) {
    const auto gm = merit(*g);
    for (const Application* p : proposed_outside) {
      const auto pm = merit(*p);
      if (!gm || !pm) {
        v.outcome = Outcome::kInsufficientData;
        v.reason_code = "merit_missing";
        v.reason = "The ATS did not supply " + std::string(what) + " for every candidate compared";
        return;
      }
      if (*gm >= *pm - rule.tolerance) {
        ++close;
        break;
      }
    }
  }
  if (close == 0) {
    v.outcome = Outcome::kCompliant;
    v.reason_code = "no_equal_candidate";
    v.reason = "No qualified applicant in the group within the tolerance of the proposed hire";
    return;
  }
  v.outcome = Outcome::kShortfall;
  v.severity = Severity::kWarning;
  v.missing = 1;
  v.reason_code = "equal_candidate_in_group";
  v.reason = plural(close, "qualified applicant", "qualified applicants") +
             " in the group within the tolerance of the proposed hire: moderate quota prefers the "
             "group between equally qualified";
}

}  // namespace

int ceil_share(std::uint32_t share_ppm, int n) {
  if (n <= 0 || share_ppm == 0) return 0;
  const std::uint64_t scaled =
      static_cast<std::uint64_t>(share_ppm) * static_cast<std::uint64_t>(n);
  return static_cast<int>((scaled + 999'999) / 1'000'000);
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

  // Without a memo from the caller, one for this evaluation alone, so that the sentence and
  // the topics rules share one reading of the ad.
  std::optional<AdMemo> own_memo;
  AdMemo* memo = context.ad_memo;
  if (memo == nullptr && snapshot.vacancy.ad &&
      std::count_if(policy.rules.begin(), policy.rules.end(), [](const Rule& r) {
        return r.enabled && (std::holds_alternative<AdSentence>(r.spec) ||
                             std::holds_alternative<AdMentions>(r.spec));
      }) > 1)
    memo = &own_memo.emplace(kEvaluationMemoBytes);

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
    } else {
      std::visit(
          Overloaded{
              [&](const InterviewMinimum& r) {
                evaluate_interview_minimum(r, snapshot, verdict.phase, v);
              },
              [&](const HireJustification& r) { evaluate_hire_justification(r, snapshot, v); },
              [&](const ModerateQuota& r) { evaluate_moderate_quota(r, snapshot, v); },
              [&](const AdSentence& r) {
                evaluate_ad_sentence(r, snapshot, v, memo, context.limits);
              },
              [&](const AdMentions& r) {
                evaluate_ad_mentions(r, snapshot, v, memo, context.limits);
              },
          },
          rule.spec);
    }
    verdict.overall =
        verdict.rules.empty() ? v.outcome : domain::most_pressing(verdict.overall, v.outcome);
    verdict.rules.push_back(std::move(v));
  }
  return verdict;
}

}  // namespace mangfold::policy
