// A fake Webcruiter Candidate API for tests: a real HTTP server on 127.0.0.1 (port 0) that
// serves adverts, candidate pages and custom data from memory, issues OAuth2 tokens, checks
// credentials and counts every request by kind.
//
//   POST /token                                  client credentials (Basic) → tok-1, tok-2, …
//   GET  /adverts/{advertId}                     the advert, or 404
//   GET  /candidates?advertId=…[&page=N]         a page of candidates (see Paging)
//   GET  /candidates/{candidateId}/custom-data   the answers, or 404
//   GET  /feed.xml                               the public advert feed (RSS, wc: elements)
//   GET  /candidates/hired                       the Hired Candidate API: always empty
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connector/http/server.hpp"

namespace mangfold::webcruiter::testing {

// kNone: one array; kPageNumbers: {Candidates, Page, PageSize, TotalPages}; kNextPage:
// {Candidates, NextPage}; kVerbatim: the JSON given to set_candidates, as it is.
enum class Paging { kNone, kPageNumbers, kNextPage, kVerbatim };

class FakeWebcruiter {
 public:
  FakeWebcruiter();
  ~FakeWebcruiter();

  std::string base_url() const;

  // --- state (may change between fetches) ---
  void set_advert(const std::string& advert_id, nlohmann::json advert);
  // Serves `candidates` (an array) in pages of `page_size`.
  void set_candidates(const std::string& advert_id, nlohmann::json candidates, int page_size = 1000,
                      Paging paging = Paging::kNone);
  void set_custom_data(const std::string& candidate_id, nlohmann::json data);
  // The advert feed lists exactly these advert ids (kind "feed").
  void set_feed(const std::vector<std::string>& advert_ids);
  // A fat event's state served through the API: its Advert, its Candidates in pages of two,
  // and every candidate's CustomData moved to the custom-data endpoint.
  void serve_fat_event(const nlohmann::json& event, Paging paging = Paging::kPageNumbers);

  // --- auth ---
  // Requests must carry "Authorization: Bearer <latest token>"; tokens need client_id/secret.
  void require_oauth2(std::string client_id, std::string client_secret, int expires_in = 3600);
  // Requests must carry this header with this value.
  void require_api_key(std::string header, std::string value);
  // The current token stops working (as if revoked); the next token request issues a new one.
  void revoke_token();

  // --- faults ---
  // The next `times` requests whose kind is `kind` ("advert", "candidates", "custom-data",
  // "token") are answered with `status` and, when not empty, Retry-After.
  void fail_next(const std::string& kind, int status, std::string retry_after = "", int times = 1);
  // Holds the responses of `kind` requests until release() (each still counts when it arrives).
  void hold(const std::string& kind);
  // While `status` is not 0, every request but the public feed's is answered with it (the
  // API is down); 0 brings it back.
  void set_down(int status);
  void release();

  // --- observation ---
  int count(const std::string& kind) const;  // requests of that kind received
  std::vector<http::Request> requests() const;
  // When each request arrived, in order, with its kind and target.
  struct Arrival {
    std::chrono::steady_clock::time_point at;
    std::string kind, target;
    int status = 0;  // what it was answered
  };
  std::vector<Arrival> arrivals() const;

 private:
  void handle(http::Request&& req, http::Respond respond);
  http::Response route(const http::Request& req, const std::string& kind);

  mutable std::mutex mu_;
  std::map<std::string, nlohmann::json> adverts_;
  struct Listing {
    nlohmann::json candidates;
    int page_size = 1000;
    Paging paging = Paging::kNone;
  };
  std::map<std::string, Listing> candidates_;
  std::map<std::string, nlohmann::json> custom_data_;
  std::string feed_;
  std::string client_id_, client_secret_;
  int expires_in_ = 3600;
  bool oauth2_ = false;
  int tokens_issued_ = 0;
  std::string current_token_;
  std::string key_header_, key_value_;
  struct Fault {
    int status = 500;
    std::string retry_after;
    int times = 0;
  };
  std::map<std::string, Fault> faults_;
  std::string held_kind_;
  std::vector<std::pair<http::Respond, http::Response>> held_;
  std::map<std::string, int> counts_;
  std::vector<http::Request> requests_;
  std::vector<Arrival> arrivals_;
  int down_ = 0;
  std::unique_ptr<http::Server> server_;
};

}  // namespace mangfold::webcruiter::testing
