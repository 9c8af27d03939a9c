#include "adapters/webcruiter/candidate_api.hpp"
#include "connector/common/codec.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <set>
#include <stdexcept>

#include "adapters/common/json_reader.hpp"
#include "adapters/webcruiter/wire.hpp"
#include "adapters/webcruiter_feed/feed.hpp"
#include "connector/common/retry_after.hpp"

namespace mangfold::webcruiter {

// Ids come from webhooks: encode everything but RFC 3986's unreserved characters, so an id
// can never add a path segment or a query parameter.
std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

namespace {

constexpr std::int64_t kDefaultTokenLifetime = 300;  // when the token response has no expires_in

std::string expand(std::string text, std::string_view placeholder, std::string_view value) {
  const std::string encoded = percent_encode(value);
  for (size_t at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + encoded.size()))
    text.replace(at, placeholder.size(), encoded);
  return text;
}

// "https://host:port" of a URL.
std::string origin_of(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  const size_t end = url.find_first_of("/?#", scheme + 3);
  return std::string(url.substr(0, end));
}

// Standard base64 with padding (OpenSSL, through the webhook codec).
std::string base64(std::string_view in) {
  return codec::base64_encode(in);
}

}  // namespace

CandidateApi::CandidateApi(std::shared_ptr<const Options> options, std::shared_ptr<HttpClient> http,
                           std::function<std::int64_t()> now_unix)
    : options_(std::move(options)),
      api_(*options_->api),
      http_(std::move(http)),
      now_(std::move(now_unix)) {}

std::string CandidateApi::url_for(const std::string& path_or_url) const {
  if (path_or_url.rfind("http://", 0) == 0 || path_or_url.rfind("https://", 0) == 0)
    return path_or_url;
  return api_.base_url + path_or_url;
}

Status CandidateApi::check_rate_limit() const {
  std::lock_guard lock(rate_mu_);
  const std::int64_t now = now_();
  if (now < blocked_until_)
    return unavailable("Webcruiter API: rate limited, retry after " +
                       std::to_string(blocked_until_ - now) + " s");
  return {};
}

Status CandidateApi::classify(const OutboundResponse& r, const std::string& what) const {
  const std::string prefix = "Webcruiter API, " + what + ": ";
  const std::string retry = r.header("Retry-After");
  if (r.status == 429 || (r.status == 503 && !retry.empty())) {
    const std::int64_t now = now_();
    const std::int64_t wait = retry_after_seconds(retry, now);
    {
      std::lock_guard lock(rate_mu_);
      blocked_until_ = std::max(blocked_until_, now + wait);
    }
    return unavailable(prefix + "rate limited (HTTP " + std::to_string(r.status) +
                       "), retry after " + std::to_string(wait) + " s");
  }
  if (r.status >= 200 && r.status < 300) return {};
  if (r.status == 404) return not_found(prefix + "not found (HTTP 404)");
  if (r.status >= 500) return unavailable(prefix + "HTTP " + std::to_string(r.status));
  if (r.status == 401 || r.status == 403)
    return unauthenticated(prefix + "the API refused our credentials (HTTP " +
                           std::to_string(r.status) + ")");
  return failed_precondition(prefix + "unexpected HTTP " + std::to_string(r.status));
}

Result<std::string> CandidateApi::token(const std::string& stale) const {
  const OAuth2Options& o = *api_.oauth2;
  std::lock_guard lock(token_mu_);
  if (!token_.empty() && token_ != stale && now_() < token_expires_) return token_;
  if (Status s = check_rate_limit(); !s.ok()) return s;
  OutboundRequest req;
  req.method = "POST";
  req.url = o.token_url;
  req.timeout = std::chrono::seconds(api_.timeout_seconds);
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"}};
  req.body = "grant_type=client_credentials";
  if (!o.scope.empty()) req.body += "&scope=" + percent_encode(o.scope);
  if (o.basic_auth) {
    // RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined for Basic.
    req.headers.emplace_back("Authorization", "Basic " + base64(percent_encode(o.client_id) + ":" +
                                                                percent_encode(o.client_secret)));
  } else {
    req.body += "&client_id=" + percent_encode(o.client_id) +
                "&client_secret=" + percent_encode(o.client_secret);
  }
  const std::int64_t requested_at = now_();
  Result<OutboundResponse> r = http_->send(req);
  if (!r.ok())
    return Status(r.status().code(), "Webcruiter token endpoint: " + r.status().message());
  if (r->status == 400 || r->status == 401 || r->status == 403)
    return unauthenticated("Webcruiter token endpoint refused the client credentials (HTTP " +
                           std::to_string(r->status) + ")");
  if (Status s = classify(*r, "token endpoint"); !s.ok()) {
    // A missing token endpoint is a configuration problem, not an unknown vacancy.
    if (s.code() == StatusCode::kNotFound)
      return failed_precondition(s.message() + " (check token_url)");
    return s;
  }
  try {
    Result<nlohmann::json> parsed = adapters::read_json(r->body, options_->limits);
    if (!parsed.ok()) throw std::invalid_argument("token response");
    const nlohmann::json& doc = *parsed;
    const auto& access = doc.at("access_token");
    if (!access.is_string() || access.get_ref<const std::string&>().empty())
      throw std::out_of_range("access_token");
    if (auto type = doc.find("token_type"); type != doc.end() && type->is_string()) {
      std::string t = fold_answer(type->get<std::string>());
      if (t != "bearer")
        return failed_precondition("Webcruiter token endpoint: token_type is not Bearer");
    }
    std::int64_t lifetime = kDefaultTokenLifetime;
    if (auto e = doc.find("expires_in"); e != doc.end()) {
      if (e->is_number_integer())
        lifetime = e->get<std::int64_t>();
      else if (e->is_number() && std::abs(e->get<double>()) < 1e12)  // never cast out of range
        lifetime = static_cast<std::int64_t>(e->get<double>());
      else if (e->is_string())
        lifetime = std::stoll(e->get<std::string>());
    }
    // Renew a little before the server's expiry, so a token never dies in flight.
    const std::int64_t margin = std::min<std::int64_t>(60, lifetime / 2);
    token_ = access.get<std::string>();
    token_expires_ = requested_at + std::max<std::int64_t>(1, lifetime - margin);
    return token_;
  } catch (const std::exception&) {
    return unprocessable("Webcruiter token endpoint: the response has no usable access_token");
  }
}

Result<OutboundResponse> CandidateApi::get(const std::string& url, const std::string& what) const {
  return send("GET", url, "", what);
}

Result<std::vector<StatusEntry>> CandidateApi::statuses() const {
  Result<OutboundResponse> r = get(url_for(api_.statuses_path), "candidate statuses");
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound)
      return failed_precondition(r.status().message() +
                                 " (check adapter_options.api.paths.statuses)");
    return r.status();
  }
  return parse_statuses_response(r->body, "Webcruiter API, candidate statuses", *options_);
}

Result<OutboundResponse> CandidateApi::send(const std::string& method, const std::string& url,
                                            const std::string& body,
                                            const std::string& what) const {
  std::string stale;
  for (int attempt = 0;; ++attempt) {
    if (Status s = check_rate_limit(); !s.ok()) return s;
    OutboundRequest req;
    req.method = method;
    req.url = url;
    req.timeout = std::chrono::seconds(api_.timeout_seconds);
    req.headers.emplace_back("Accept", "application/json");
    if (method != "GET") {
      req.body = body;
      req.headers.emplace_back("Content-Type", "application/json");
    }
    std::string bearer;
    if (api_.oauth2) {
      Result<std::string> t = token(stale);
      if (!t.ok()) return t.status();
      bearer = std::move(t).value();
      req.headers.emplace_back("Authorization", "Bearer " + bearer);
    }
    if (api_.api_key) req.headers.emplace_back(api_.api_key->header, api_.api_key->key);
    Result<OutboundResponse> r = http_->send(req);
    if (!r.ok())
      return Status(r.status().code(), "Webcruiter API, " + what + ": " + r.status().message());
    // A token revoked or expired early: fetch a new one, once.
    if (r->status == 401 && api_.oauth2 && attempt == 0) {
      stale = bearer;
      continue;
    }
    if (Status s = classify(*r, what); !s.ok()) return s;
    return r;
  }
}

Result<domain::Snapshot> CandidateApi::fetch(const std::string& advert_id) const {
  domain::Snapshot snapshot;
  {
    Result<OutboundResponse> r =
        get(url_for(expand(api_.advert_path, "{advertId}", advert_id)), "advert");
    if (!r.ok()) return r.status();
    Result<domain::Vacancy> v = parse_advert_response(r->body, "Webcruiter API, advert", *options_);
    if (!v.ok()) return v.status();
    if (!v->id.empty() && v->id != advert_id)
      return unprocessable("Webcruiter API, advert: the response is for another AdvertId");
    snapshot.vacancy = std::move(v).value();
    snapshot.vacancy.id = advert_id;
  }

  const std::string first = url_for(expand(api_.candidates_path, "{advertId}", advert_id));
  const std::string origin = origin_of(api_.base_url);
  std::string url = first;
  std::set<std::string, std::less<>> seen;
  std::set<std::string, std::less<>> questions_seen;  // configured questions on the form
  for (int page_no = 1;; ++page_no) {
    if (page_no > api_.max_pages)
      return unprocessable("Webcruiter API, candidates: more than " +
                           std::to_string(api_.max_pages) +
                           " pages (adapter_options.api.max_pages)");
    const std::string what = "candidates page " + std::to_string(page_no);
    Result<OutboundResponse> r = get(url, what);
    if (!r.ok() &&
        r.status().code() == StatusCode::kNotFound)  // the advert exists: the path is wrong
      return failed_precondition(r.status().message() +
                                 " (check adapter_options.api.paths.candidates)");
    if (!r.ok()) return r.status();
    Result<CandidatePage> page =
        parse_candidates_response(r->body, "Webcruiter API, " + what, *options_);
    if (!page.ok()) return page.status();
    for (Candidate& c : page->candidates) {
      // Pages can shift while they are read; a candidate seen twice counts once.
      if ((!c.advert_id.empty() && c.advert_id != advert_id) ||
          !seen.insert(c.application.candidate_id).second)
        continue;
      if (!c.has_custom_data) {
        Result<OutboundResponse> cd =
            get(url_for(expand(api_.custom_data_path, "{candidateId}", c.application.candidate_id)),
                "custom data");
        if (cd.ok()) {
          if (Status s = parse_custom_data_response(cd->body, "Webcruiter API, custom data",
                                                    *options_, c.application, &questions_seen);
              !s.ok())
            return s;
        } else if (cd.status().code() != StatusCode::kNotFound) {
          return cd.status();
        }
      }
      questions_seen.insert(c.questions_seen.begin(), c.questions_seen.end());
      snapshot.applications.push_back(std::move(c.application));
    }
    if (!page->next_page.empty()) {
      std::string next = page->next_page;
      if (next[0] == '/') next = origin + next;
      // The token goes with every request: never follow a link to another host.
      if (origin_of(next) != origin)
        return unprocessable("Webcruiter API, " + what +
                             ": NextPage points to another host or is not a URL");
      url = std::move(next);
    } else if (page->page && page->total_pages && *page->page < *page->total_pages) {
      url = first + (first.find('?') == std::string::npos ? "?" : "&") +
            "page=" + std::to_string(*page->page + 1);
    } else {
      break;
    }
  }
  // A question that no applicant's custom data carries, not even unanswered, is not on the
  // customer's integration form: the group's count would be 0 for want of a form, not of
  // applicants, so the verdict must say that instead.
  if (!snapshot.applications.empty())
    for (const GroupMapping& g : options_->target_groups)
      if (!questions_seen.contains(g.question_id))
        snapshot.answers_unavailable[g.group] =
            "Webcruiter's integration form (custom-data) has no question " + g.question_id +
            " for any of the " + std::to_string(snapshot.applications.size()) +
            " applicants: ask Talentech support to add the voluntary self-declaration question "
            "to the customer's integration form";
  return snapshot;
}

Status CandidateApi::each_page(
    const std::string& first, const std::string& what,
    const std::function<Result<ListPaging>(const std::string&, const std::string&)>& page) const {
  const std::string origin = origin_of(api_.base_url);
  std::string url = first;
  for (int page_no = 1;; ++page_no) {
    if (page_no > api_.max_pages)
      return unprocessable("Webcruiter API, " + what + ": more than " +
                           std::to_string(api_.max_pages) +
                           " pages (adapter_options.api.max_pages)");
    const std::string where = what + " page " + std::to_string(page_no);
    Result<OutboundResponse> r = get(url, where);
    if (!r.ok()) return r.status();
    Result<ListPaging> paging = page(r->body, "Webcruiter API, " + where);
    if (!paging.ok()) return paging.status();
    if (!paging->next_page.empty()) {
      std::string next = paging->next_page;
      if (next[0] == '/') next = origin + next;
      if (origin_of(next) != origin)
        return unprocessable("Webcruiter API, " + where +
                             ": NextPage points to another host or is not a URL");
      url = std::move(next);
    } else if (paging->page && paging->total_pages && *paging->page < *paging->total_pages) {
      url = first + (first.find('?') == std::string::npos ? "?" : "&") +
            "page=" + std::to_string(*paging->page + 1);
    } else {
      return {};
    }
  }
}

Result<std::vector<Hire>> CandidateApi::hired() const {
  std::vector<Hire> hires;
  std::set<std::string, std::less<>> seen;
  Status s =
      each_page(url_for(api_.hired_path), "hired candidates",
                [&](const std::string& body, const std::string& where) -> Result<ListPaging> {
                  Result<HiredPage> page = parse_hired_response(body, where, *options_);
                  if (!page.ok()) return page.status();
                  for (Hire& h : page->hires)
                    if (seen.insert(h.advert_id + '\n' + h.candidate_id).second)
                      hires.push_back(std::move(h));
                  return page->paging;
                });
  if (!s.ok()) {
    if (s.code() == StatusCode::kNotFound)
      return failed_precondition(s.message() + " (check adapter_options.api.paths.hired)");
    return s;
  }
  return hires;
}

Result<std::vector<std::string>> CandidateApi::processes() const {
  std::vector<std::string> ids;
  std::set<std::string, std::less<>> seen;
  Status s =
      each_page(url_for(api_.processes_path), "processes",
                [&](const std::string& body, const std::string& where) -> Result<ListPaging> {
                  Result<ProcessPage> page = parse_processes_response(body, where, *options_);
                  if (!page.ok()) return page.status();
                  for (std::string& id : page->advert_ids)
                    if (seen.insert(id).second) ids.push_back(std::move(id));
                  return page->paging;
                });
  if (!s.ok()) {
    if (s.code() == StatusCode::kNotFound)
      return failed_precondition(s.message() + " (check adapter_options.api.paths.processes)");
    return s;
  }
  return ids;
}

Status CandidateApi::mark_processed(const std::string& candidate_id,
                                    const std::string& message) const {
  const std::string body =
      message.empty() ? std::string() : nlohmann::json{{"Message", message}}.dump();
  Result<OutboundResponse> r =
      send("POST", url_for(expand(api_.hired_process_path, "{candidateId}", candidate_id)), body,
           "marking a hire processed");
  return r.ok() ? Status() : r.status();
}

// A municipality's feed of all its published ads is a few hundred kilobytes.
constexpr std::size_t kMaxFeedBytes = 32 * 1024 * 1024;

Result<std::vector<std::string>> read_advert_feed(HttpClient& http, const Options& options) {
  OutboundRequest req;
  req.url = options.sync->feed_url;
  req.timeout = std::chrono::seconds(options.api->timeout_seconds);
  req.headers.emplace_back("Accept", "application/rss+xml, application/xml, text/xml");
  Result<OutboundResponse> r = http.send(req);
  if (!r.ok()) return Status(r.status().code(), "Webcruiter advert feed: " + r.status().message());
  if (r->status >= 500 || r->status == 429)
    return unavailable("Webcruiter advert feed answered HTTP " + std::to_string(r->status));
  if (r->status != 200)
    return failed_precondition("Webcruiter advert feed answered HTTP " + std::to_string(r->status) +
                               " (check adapter_options.sync.feed_url)");
  if (r->body.size() > kMaxFeedBytes)
    return unprocessable("Webcruiter advert feed is larger than 32 MiB");
  Result<std::vector<webcruiter_feed::FeedAd>> ads = webcruiter_feed::parse_feed(r->body);
  if (!ads.ok()) return unprocessable("Webcruiter advert feed: " + ads.status().message());
  std::vector<std::string> ids;
  for (const webcruiter_feed::FeedAd& ad : *ads)
    if (!ad.advert_id.empty() && ad.advert_id.size() <= 200) ids.push_back(ad.advert_id);
  return ids;
}

}  // namespace mangfold::webcruiter
