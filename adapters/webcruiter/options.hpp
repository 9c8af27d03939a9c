// The Webcruiter adapter's settings (`tenants.<t>.adapter_options`, README.md), decoded
// once into an immutable Options value. Internal to adapters/webcruiter.
//
// Every field has its default here. Secrets ({env: NAME} or {file: PATH}, a relative path
// being relative to the config file) are resolved while decoding; a problem is reported
// naming the reference, never a value.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "connector/common/input_limits.hpp"
#include "connector/config/document.hpp"
#include "connector/config/policy_loader.hpp"
#include "connector/domain/vacancy.hpp"

namespace mangfold::webcruiter {

// What one CandidateStatusId means.
struct StatusMapping {
  domain::Stage stage = domain::Stage::kApplied;
  domain::Qualification qualification = domain::Qualification::kUnknown;
};

// One target group taken from one application-form question.
struct GroupMapping {
  std::string group;        // the policy's target-group name, e.g. "immigrant_background"
  std::string question_id;  // the form question's id, as text
  // Answer values (alternative ids or texts) that mean yes / no, folded by fold_answer().
  // Any other value, and no answer at all, is unknown.
  std::vector<std::string> yes, no;
};

struct OAuth2Options {
  std::string token_url;
  std::string client_id;
  std::string client_secret;  // resolved
  std::string scope;          // optional; sent when not empty
  bool basic_auth = true;     // client credentials as HTTP Basic (default) or in the form body
};

struct ApiKeyOptions {
  std::string header = "X-Api-Key";
  std::string key;  // resolved
};

struct ApiOptions {
  std::string base_url;  // without a trailing '/'
  std::optional<OAuth2Options> oauth2;
  std::optional<ApiKeyOptions> api_key;  // either or both
  // Appended to base_url unless they are absolute URLs. {advertId}, {candidateId}: the ids,
  // percent-encoded.
  std::string advert_path = "/adverts/{advertId}";
  std::string candidates_path = "/candidates?advertId={advertId}";
  std::string custom_data_path = "/candidates/{candidateId}/custom-data";
  // The Hired Candidate API (Talentech's developer docs): unprocessed hires, and marking one
  // processed for this API client.
  std::string statuses_path = "/candidates/statuses";  // read by `webcruiter probe` only
  std::string hired_path = "/candidates/hired?isProcessed=false";
  std::string hired_process_path = "/candidates/hired/{candidateId}/process";
  // A listing of the customer's open recruitment processes. No default: Talentech's public
  // docs show no such endpoint, so the path comes from the customer's Talentech contact.
  std::string processes_path;
  int timeout_seconds = 10;  // per request
  int cache_seconds = 5;     // a fetched snapshot is reused this long; 0: no window
  int max_pages = 100;       // of candidates; more is an error
};

// Sync mode: how the tenant's recruitment processes are found without webhooks.
struct SyncOptions {
  // Where the open vacancies are listed: the public advert feed and/or the API's process
  // listing (api.paths.processes). Default: the feed.
  bool from_feed = true;
  bool from_api = false;
  // The customer's public advert feed (RSS with wc: elements), read without credentials.
  std::string feed_url;
  // The Hired Candidate API is read on every pass (hires.read, default true), so that a
  // hire is seen at once; each hire's vacancy is then due for a fetch.
  bool read_hires = true;
  // Opt-in (hires.mark_processed): once the vacancy has been fetched after the hire, the
  // hire is marked processed for our API client (POST api.paths.hired_process).
  bool mark_hires_processed = false;
  std::string process_message;  // hires.message: sent with the POST when not empty
};

struct Options {
  std::map<std::string, StatusMapping, std::less<>> statuses;  // CandidateStatusId → meaning
  std::optional<StatusMapping> unknown_status;  // for ids not in `statuses`; nullopt: an error
  std::vector<GroupMapping> target_groups;
  std::vector<std::string> manager_titles;  // folded; empty: the first contact is the manager
  std::optional<std::string> user_data;     // resolved; when set, events must carry it
  std::optional<ApiOptions> api;            // nullopt: fat events only
  std::optional<SyncOptions> sync;          // nullopt: vacancies come from webhooks only
  // The vacancy in the ATS's case-handler view: an http(s) URL with {vacancy_id}; empty: none.
  std::string case_url;
  // Not from adapter_options: the service's `limits:`, set by make_webcruiter_adapter.
  InputLimits limits;
};

// Decodes `node` (a map; `path` is its key path for messages). Problems go to `diagnostics`
// with file:line:column; nullopt when there were any.
std::optional<Options> decode_options(const config::Node& node, const std::string& path,
                                      const config::ReadFile& read,
                                      std::vector<config::Diagnostic>& diagnostics);

// How answer values and contact titles are compared: surrounding white space removed, ASCII
// and Latin-1 letters (Æ Ø Å …) lower-cased.
std::string fold_answer(std::string_view text);

}  // namespace mangfold::webcruiter
