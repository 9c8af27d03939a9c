// Builders shared by the policy engine's tests: compact applicants for one target group.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "connector/domain/vacancy.hpp"

namespace mangfold::policy::testing {

using domain::Answer;
using domain::Qualification;
using domain::Stage;

inline constexpr const char* kGroup = "immigrant_background";

// A compact applicant: answer for kGroup, qualification, current stage, history. Each
// gets a fresh candidate id.
inline domain::Application person(Answer answer, Qualification q, Stage stage,
                                  std::vector<Stage> history = {}) {
  static int next_id = 0;
  domain::Application a;
  a.candidate_id = "c" + std::to_string(++next_id);
  if (answer != Answer::kUnknown) a.answers.emplace(kGroup, answer);
  a.qualification = q;
  a.stage = stage;
  a.history = std::move(history);
  return a;
}

inline constexpr Answer Y = Answer::kYes, N = Answer::kNo, U = Answer::kUnknown;
inline constexpr Qualification QY = Qualification::kQualified, QN = Qualification::kNotQualified,
                               Q_ = Qualification::kUnknown;

}  // namespace mangfold::policy::testing
