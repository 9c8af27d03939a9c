#include "tests/webcruiter/fake_webcruiter.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace mangfold::webcruiter::testing {

using nlohmann::json;

namespace {

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> query_of(std::string_view target) {
  std::map<std::string, std::string> out;
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    out[percent_decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return out;
}

std::string base64_decode(std::string_view in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = 0;
  for (char c : in) {
    const size_t v = kAlphabet.find(c);
    if (v == std::string::npos) break;
    value = value << 6 | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(value >> bits & 0xFF);
    }
  }
  return out;
}

std::string id_text(const json& j) {
  return j.is_string() ? j.get<std::string>() : j.dump();
}

http::Response json_response(int status, const json& body) {
  http::Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

}  // namespace

FakeWebcruiter::FakeWebcruiter() {
  http::ServerOptions options;
  options.port = 0;
  options.threads = 2;
  auto created = http::Server::create(options, [this](http::Request&& req, http::Respond respond) {
    handle(std::move(req), std::move(respond));
  });
  REQUIRE_MESSAGE(created.ok(), created.status().message());
  server_ = std::move(created.value());
  server_->start();
}

FakeWebcruiter::~FakeWebcruiter() {
  release();
  server_->stop(std::chrono::milliseconds(0));
}

std::string FakeWebcruiter::base_url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port());
}

void FakeWebcruiter::set_advert(const std::string& advert_id, json advert) {
  std::lock_guard lock(mu_);
  adverts_[advert_id] = std::move(advert);
}

void FakeWebcruiter::set_candidates(const std::string& advert_id, json candidates, int page_size,
                                    Paging paging) {
  std::lock_guard lock(mu_);
  candidates_[advert_id] = Listing{std::move(candidates), page_size, paging};
}

void FakeWebcruiter::set_custom_data(const std::string& candidate_id, json data) {
  std::lock_guard lock(mu_);
  custom_data_[candidate_id] = std::move(data);
}

void FakeWebcruiter::set_feed(const std::vector<std::string>& advert_ids) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<rss version=\"2.0\" xmlns:wc=\"http://webcruiter.no/xml/\"><channel>"
      "<title>Ledige stillinger</title><language>NO</language>";
  for (const std::string& id : advert_ids)
    xml += "<item><title>Stilling " + id + "</title><link>https://example.invalid/" + id +
           "</link><wc:AdvertId>" + id +
           "</wc:AdvertId><wc:Culture_Id>NB-NO</wc:Culture_Id>"
           "</item>";
  xml += "</channel></rss>\n";
  std::lock_guard lock(mu_);
  feed_ = std::move(xml);
}

void FakeWebcruiter::serve_fat_event(const json& event, Paging paging) {
  json advert = event.at("Advert");
  const std::string advert_id = id_text(event.at("AdvertId"));
  advert["AdvertId"] = advert_id;
  json candidates = json::array();
  for (json c : event.at("Candidates")) {
    if (c.contains("CustomData")) {
      set_custom_data(id_text(c.at("CandidateId")), c.at("CustomData"));
      c.erase("CustomData");
    }
    candidates.push_back(std::move(c));
  }
  set_advert(advert_id, std::move(advert));
  set_candidates(advert_id, std::move(candidates), 2, paging);
}

void FakeWebcruiter::require_oauth2(std::string client_id, std::string client_secret,
                                    int expires_in) {
  std::lock_guard lock(mu_);
  oauth2_ = true;
  client_id_ = std::move(client_id);
  client_secret_ = std::move(client_secret);
  expires_in_ = expires_in;
}

void FakeWebcruiter::require_api_key(std::string header, std::string value) {
  std::lock_guard lock(mu_);
  key_header_ = std::move(header);
  key_value_ = std::move(value);
}

void FakeWebcruiter::revoke_token() {
  std::lock_guard lock(mu_);
  current_token_ = "revoked";
}

void FakeWebcruiter::fail_next(const std::string& kind, int status, std::string retry_after,
                               int times) {
  std::lock_guard lock(mu_);
  faults_[kind] = Fault{status, std::move(retry_after), times};
}

void FakeWebcruiter::hold(const std::string& kind) {
  std::lock_guard lock(mu_);
  held_kind_ = kind;
}

void FakeWebcruiter::release() {
  std::vector<std::pair<http::Respond, http::Response>> held;
  {
    std::lock_guard lock(mu_);
    held_kind_.clear();
    held.swap(held_);
  }
  for (auto& [respond, response] : held)
    respond(std::move(response));
}

void FakeWebcruiter::set_down(int status) {
  std::lock_guard lock(mu_);
  down_ = status;
}

std::vector<FakeWebcruiter::Arrival> FakeWebcruiter::arrivals() const {
  std::lock_guard lock(mu_);
  return arrivals_;
}

int FakeWebcruiter::count(const std::string& kind) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(kind);
  return it == counts_.end() ? 0 : it->second;
}

std::vector<http::Request> FakeWebcruiter::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void FakeWebcruiter::handle(http::Request&& req, http::Respond respond) {
  const std::string path = req.target.substr(0, req.target.find('?'));
  std::string kind = "other";
  if (path == "/token")
    kind = "token";
  else if (path == "/feed.xml")
    kind = "feed";
  else if (path.rfind("/adverts/", 0) == 0)
    kind = "advert";
  else if (path == "/candidates")
    kind = "candidates";
  else if (path == "/candidates/hired")  // the Hired Candidate API: no hires
    kind = "hired";
  else if (path.rfind("/candidates/", 0) == 0 && path.size() > 24 &&
           path.substr(path.size() - 12) == "/custom-data")
    kind = "custom-data";

  http::Response response;
  bool held = false;
  {
    std::lock_guard lock(mu_);
    ++counts_[kind];
    requests_.push_back(req);
    if (down_ != 0 && kind != "feed") {
      response = json_response(down_, {{"error", "down"}});
    } else if (auto f = faults_.find(kind); f != faults_.end() && f->second.times > 0) {
      --f->second.times;
      response = json_response(f->second.status, {{"error", "injected"}});
      if (!f->second.retry_after.empty())
        response.headers.push_back({"Retry-After", f->second.retry_after});
    } else {
      response = route(req, kind);
    }
    arrivals_.push_back({std::chrono::steady_clock::now(), kind, req.target, response.status});
    if (kind == held_kind_) {
      held_.emplace_back(respond, response);
      held = true;
    }
  }
  if (!held) respond(std::move(response));
}

// Called with mu_ held.
http::Response FakeWebcruiter::route(const http::Request& req, const std::string& kind) {
  const std::string path = req.target.substr(0, req.target.find('?'));
  if (kind == "feed") {  // the public advert feed: no credentials
    http::Response r;
    r.status = 200;
    r.content_type = "application/rss+xml; charset=utf-8";
    r.body = feed_;
    return r;
  }
  if (kind == "token") {
    if (req.method != "POST") return json_response(405, {{"error", "method"}});
    const std::string auth(req.header("Authorization").value_or(""));
    const std::string expected = client_id_ + ":" + client_secret_;
    if (auth.rfind("Basic ", 0) != 0 || percent_decode(base64_decode(auth.substr(6))) != expected ||
        req.body.find("grant_type=client_credentials") == std::string::npos)
      return json_response(401, {{"error", "invalid_client"}});
    current_token_ = "tok-" + std::to_string(++tokens_issued_);
    return json_response(
        200,
        {{"access_token", current_token_}, {"token_type", "Bearer"}, {"expires_in", expires_in_}});
  }
  if (oauth2_ && req.header("Authorization").value_or("") != "Bearer " + current_token_)
    return json_response(401, {{"error", "invalid_token"}});
  if (!key_header_.empty() && req.header(key_header_).value_or("") != key_value_)
    return json_response(401, {{"error", "invalid_key"}});

  if (kind == "hired") return json_response(200, json::array());
  if (kind == "advert") {
    auto it = adverts_.find(percent_decode(path.substr(9)));
    if (it == adverts_.end()) return json_response(404, {{"error", "no such advert"}});
    return json_response(200, it->second);
  }
  if (kind == "custom-data") {
    const std::string id = percent_decode(path.substr(12, path.size() - 12 - 12));
    auto it = custom_data_.find(id);
    if (it == custom_data_.end()) return json_response(404, {{"error", "no custom data"}});
    return json_response(200, it->second);
  }
  if (kind == "candidates") {
    auto query = query_of(req.target);
    auto it = candidates_.find(query["advertId"]);
    if (it == candidates_.end()) return json_response(200, json::array());
    const Listing& l = it->second;
    if (l.paging == Paging::kNone || l.paging == Paging::kVerbatim)
      return json_response(200, l.candidates);
    const int total = static_cast<int>(l.candidates.size());
    const int pages = std::max(1, (total + l.page_size - 1) / l.page_size);
    const std::string page_param = l.paging == Paging::kNextPage ? "cursor" : "page";
    const int page = query.count(page_param) ? std::stoi(query[page_param]) : 1;
    json slice = json::array();
    for (int i = (page - 1) * l.page_size; i < std::min(total, page * l.page_size); ++i)
      slice.push_back(l.candidates[i]);
    json body{{"Candidates", slice}};
    if (l.paging == Paging::kPageNumbers) {
      body["Page"] = page;
      body["PageSize"] = l.page_size;
      body["TotalPages"] = pages;
    } else {
      // The link repeats the request's own (still encoded) query with the next cursor.
      const std::string target = req.target.substr(0, req.target.find("&cursor="));
      body["NextPage"] =
          page < pages ? json(target + "&cursor=" + std::to_string(page + 1)) : json(nullptr);
    }
    return json_response(200, body);
  }
  return json_response(404, {{"error", "no route"}});
}

}  // namespace mangfold::webcruiter::testing
