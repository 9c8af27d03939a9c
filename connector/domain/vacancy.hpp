// The domain model: a vacancy with its job ad and applications, as one snapshot.
//
// These are plain value types, filled by adapters at the edge and read by the policy
// engine. PRIVACY (DESIGN.md §4): Application::answers holds a person's self-declared
// target-group answers. It lives only in memory during one evaluation: no code may
// write it to storage, a log, an email, a metric or an error message.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/domain/date.hpp"

namespace mangfold::domain {

// A self-declared answer to a target-group question. Unanswered is kUnknown, and
// kUnknown never counts as being in the group.
enum class Answer { kUnknown, kYes, kNo };

// The ATS's assessment of whether the applicant meets the position's requirements.
enum class Qualification { kUnknown, kQualified, kNotQualified };

// Where an application stands. Ordered for the forward path applied → hired;
// kRejected and kWithdrawn are exits that can happen from any stage.
enum class Stage {
  kApplied,
  kInterview,  // invited to interview
  kInterviewed,
  kRecommended,  // proposed for hire (innstilling)
  kOffered,
  kHired,
  kRejected,
  kWithdrawn,
};

std::string_view to_string(Answer a);
std::string_view to_string(Qualification q);
std::string_view to_string(Stage s);
std::optional<Answer> answer_from_string(std::string_view s);
std::optional<Stage> stage_from_string(std::string_view s);

// True for kInterview and every later stage on the forward path.
bool reaches_interview(Stage s);
// True for the stages that propose or make a hire: kRecommended, kOffered, kHired.
bool proposes_hire(Stage s);

struct Application {
  std::string candidate_id;  // the ATS's opaque id; never a name or an email
  Stage stage = Stage::kApplied;
  std::vector<Stage> history;  // earlier stages, oldest first; may be empty
  Qualification qualification = Qualification::kUnknown;
  // Target group name → self-declared answer. Memory only (see the header comment).
  std::map<std::string, Answer, std::less<>> answers;
  std::optional<double> score;  // higher is better, where the ATS scores applicants
  std::optional<int> rank;      // 1 is best, where the ATS ranks applicants

  Answer answer(std::string_view group) const;
  // Ever reached the interview stage, now or in the history: an invitee who later
  // withdrew or was rejected still counts as invited (DESIGN.md §5).
  bool invited() const;
  // Qualified as assessed; an applicant with no assessment who was invited counts as
  // qualified, since an invitation is the employer's own finding that they qualify.
  bool qualified() const;
};

enum class AdFormat { kHtml, kText };

struct JobAd {
  std::string body;
  AdFormat format = AdFormat::kHtml;
  std::string language;  // "nb", "nn", "en", … ; empty when the ATS did not say
};

// A language code from an ATS culture or language tag: "NB-NO", "nb", "no" → "nb";
// "NN-NO" → "nn"; "EN-GB" → "en". Other tags keep their primary subtag, lower-cased.
std::string language_from_culture(std::string_view culture);

struct Contact {
  std::string name;
  std::string email;
  // The language the person reads ("nb", "nn", "en", …), where the ATS has it; empty
  // when it does not. Emails to this person are written in it (connector/notify).
  std::string language;
};

enum class VacancyStatus { kOpen, kClosed };
std::string_view to_string(VacancyStatus s);

struct Vacancy {
  std::string id;  // the ATS's id, unique within a tenant
  std::string title;
  std::string department;
  std::string url;  // the public ad
  // The vacancy in the ATS's case-handler view, for the people who act on it (emails link
  // here when it is set); adapters that know it set it, e.g. from a URL template.
  std::string case_url;
  std::vector<std::string> job_types;  // e.g. "Fast", "Vikariat", "Sommerjobb"
  bool internal_only = false;          // advertised internally only
  VacancyStatus status = VacancyStatus::kOpen;
  std::optional<Date> deadline;  // application deadline
  Contact manager;
  std::optional<JobAd> ad;
  // §7: the hire proposal carries the required justification. Only whether it is
  // there is kept, never its text (it discusses a person and their background).
  bool hire_justification_given = false;
};

// The whole current state of one vacancy: what every verdict is computed from.
struct Snapshot {
  Vacancy vacancy;
  std::vector<Application> applications;
  // Target groups whose answers the ATS could not give at all, with why (e.g. the ATS's
  // integration form lacks the question). Rules over such a group say insufficient_data
  // with that reason rather than counting nobody in the group.
  std::map<std::string, std::string, std::less<>> answers_unavailable;
};

// How far the hiring process has come, derived from the applications' stages.
// A shortfall is advice while screening, an early warning while interviewing (someone
// can still be invited) and a breach once a hire is proposed: the rule must be met
// before the recommendation (innstilling).
enum class Phase { kScreening, kInterviewing, kRecommendation };
std::string_view to_string(Phase p);
Phase phase_of(const Snapshot& s);

}  // namespace mangfold::domain
