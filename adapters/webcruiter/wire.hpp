// Webcruiter's JSON (event.schema.json, README.md) mapped into domain values: the webhook
// event, and the Candidate API's advert, candidate list and custom-data answers, which use
// the same vocabulary. Internal to adapters/webcruiter; pure functions, thread-safe.
//
// Lenient where the vendor may vary: key names match without regard to case and '_'
// (AdvertId = advertId = advert_id), ids may be numbers or strings, unknown keys are
// ignored, optional fields may be missing or null, collections may be empty. Errors name
// the JSON Pointer of the failing value and never quote a value from the document.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/webcruiter/options.hpp"
#include "connector/common/status.hpp"
#include "connector/domain/vacancy.hpp"

namespace mangfold::webcruiter {

struct Event {
  std::string id;    // EventId; else derived from the ids (README.md); may be empty
  std::string type;  // EventType, informational
  std::string advert_id;
  std::optional<domain::Snapshot> snapshot;  // set for a fat event (Advert + Candidates)
};

// The webhook body. kInvalidArgument for malformed JSON (line and column), kUnauthenticated
// when options.user_data is set and the event's UserData differs, kUnprocessable otherwise.
Result<Event> parse_event(std::string_view body, const Options& options);

// One candidate from a fat event or an API page.
struct Candidate {
  domain::Application application;
  std::string advert_id;         // the candidate's AdvertId when it carries one
  bool has_custom_data = false;  // the answers were included (CustomData present, not null)
  // Configured question ids that appeared in CustomData, answered or not: a question that
  // appears for no candidate is missing from the customer's integration form.
  std::set<std::string, std::less<>> questions_seen;
};

// The Candidate API's responses. `where` prefixes every error ("candidates page 2").
Result<domain::Vacancy> parse_advert_response(std::string_view body, const std::string& where,
                                              const Options& options);
struct CandidatePage {
  std::vector<Candidate> candidates;
  std::string next_page;                 // NextPage, when the response gives one
  std::optional<int> page, total_pages;  // Page / TotalPages, when given
};
Result<CandidatePage> parse_candidates_response(std::string_view body, const std::string& where,
                                                const Options& options);
// Adds the answers in a custom-data response to `application`.
// Configured question ids present in the response go to `questions_seen` when given.
Status parse_custom_data_response(std::string_view body, const std::string& where,
                                  const Options& options, domain::Application& application,
                                  std::set<std::string, std::less<>>* questions_seen = nullptr);

// The vacancy ids a list response names, for sync mode: the Hired Candidate API's hires
// (GET /candidates/hired?isProcessed=false) and a recruitment-process listing. Both take
// the candidates' paging shapes: a plain array, or an object with the list and NextPage or
// Page/TotalPages.
struct ListPaging {
  std::string next_page;
  std::optional<int> page, total_pages;
};

// One unprocessed hire: the candidate (kept only to mark the hire processed when the tenant
// opts in; never logged or stored) and the vacancy it belongs to.
struct Hire {
  std::string candidate_id;
  std::string advert_id;  // AdvertId, else ProcessId / RecruitmentId / ProjectId
};
struct HiredPage {
  std::vector<Hire> hires;
  ListPaging paging;
  int without_advert = 0;  // entries that name no vacancy (skipped)
};
// The list is the array itself or under HiredCandidates, Candidates or Items.
Result<HiredPage> parse_hired_response(std::string_view body, const std::string& where,
                                       const Options& options);

struct ProcessPage {
  std::vector<std::string> advert_ids;  // open ones only (IsClosed false or absent)
  ListPaging paging;
};
// The list is the array itself or under Processes, Projects, Recruitments, Adverts or Items;
// each entry's id is AdvertId, else ProcessId / RecruitmentId / ProjectId / Id.
Result<ProcessPage> parse_processes_response(std::string_view body, const std::string& where,
                                             const Options& options);

// GET /candidates/statuses: the customer's CandidateStatusIds and their names (an array, or
// under Statuses or Items; each entry's id is CandidateStatusId, else Id; its name Name).
struct StatusEntry {
  std::string id;
  std::string name;
};
Result<std::vector<StatusEntry>> parse_statuses_response(std::string_view body,
                                                         const std::string& where,
                                                         const Options& options);

// A usable email address: one '@', a dotted domain without empty labels (so no trailing
// dot), no spaces, quotes or angle brackets. Surrounding white space is not allowed either:
// callers trim first.
bool is_valid_email(std::string_view address);

}  // namespace mangfold::webcruiter
