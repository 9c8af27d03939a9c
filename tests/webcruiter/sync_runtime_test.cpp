// Sync mode's runtime through the real binary, against the fake Talentech API over real HTTP:
// the request budget and the schedule with 300 open vacancies, the API down for a while (with
// a real SMTP server), and ID-only hooks with a shared key.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/mangfold_process.hpp"
#include "tests/support/process.hpp"
#include "tests/webcruiter/fake_webcruiter.hpp"

using namespace mangfold;
using namespace std::chrono_literals;
using nlohmann::json;
using webcruiter::testing::FakeWebcruiter;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;
const std::string kHookKey = "hook-user-data-5f2c9a1e7b";

// One vacancy with one candidate (answers inline: no custom-data request). Status 2 is
// qualified and not invited, in the group: a shortfall.
void serve_vacancy(FakeWebcruiter& api, const std::string& id, int status = 2) {
  api.set_advert(
      id,
      {{"AdvertId", id},
       {"title", "Stilling " + id},
       {"Culture_Id", "NB-NO"},
       {"IsClosed", false},
       {"CONTACTINFO",
        {{"Contact", {{{"Name", "Åse"}, {"Title", "Enhetsleder"}, {"Email", "ase@example.org"}}}}}},
       {"description", "<p>Vi oppfordrer alle kvalifiserte til å søke.</p>"}});
  api.set_candidates(id, json::array({{{"CandidateId", "c-" + id},
                                       {"CandidateStatusId", status},
                                       {"CustomData", {{"9001", "Ja"}}}}}));
}

struct Service {
  testing::TempDir dir;
  std::unique_ptr<testing::MangfoldProcess> server;

  // `tenant_extra`: more keys of the tenant (2-space indent under it); `mail`: the mail: map.
  Service(const std::string& api, const std::string& tenant_extra, const std::string& sync,
          const std::string& mail = "{spool_dir: mail}") {
    testing::write_file(path("client.secret"), "s3cr3t-client");
    testing::write_file(path("hook.key"), kHookKey + "\n");
    testing::write_file(path("p.key"), "0123456789abcdef0123456789abcdef0123456789abcdef");
    testing::write_file(path("policy.yaml"), "extends: " + kRoot +
                                                 "/examples/webcruiter/policy.yaml\n"
                                                 "id: sync-runtime-test\n");
    testing::write_file(
        path("mangfold.yaml"),
        "listen: {address: 127.0.0.1, port: 0}\n"
        "storage: {sqlite: db/m.db}\n"
        "mail: " +
            mail +
            "\n"
            "tenants:\n"
            "  wc:\n"
            "    adapter: webcruiter\n"
            "    policy: policy.yaml\n"
            "    pseudonyms: {key: {file: p.key}}\n" +
            tenant_extra +
            "    adapter_options:\n"
            "      statuses: {1: applied, 2: {stage: applied, qualification: qualified}, "
            "4: interview, 8: hired, 9: rejected}\n"
            "      target_groups: {immigrant_background: {question: 9001, yes: [Ja], no: [Nei]}}\n"
            "      api: {base_url: \"" +
            api + "\", auth: {oauth2: {token_url: \"" + api +
            "/token\", client_id: mangfold, client_secret: {file: client.secret}}}, "
            "cache_seconds: 0}\n" +
            sync);
    server = std::make_unique<testing::MangfoldProcess>(MANGFOLD_BINARY, path("mangfold.yaml"),
                                                        path("db/m.db"), path("server.log"));
    REQUIRE_MESSAGE(server->start(), server->log());
  }
  std::string path(const std::string& name) const { return dir.path() + "/" + name; }
  // One sample of /metrics, e.g. `mangfold_ats_errors_total{tenant="wc",kind="5xx"}`; -1 if absent.
  double metric(const std::string& sample) const {
    const testing::HttpAnswer r = testing::http_request("GET", server->url("/metrics"));
    const size_t at = r.body.find(sample + " ");
    if (at == std::string::npos) return -1;
    return std::stod(r.body.substr(at + sample.size() + 1));
  }
};

std::vector<std::string> ids(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back(std::to_string(4100000000 + i));
  return out;
}

}  // namespace

TEST_CASE(
    "sync: 300 open vacancies stay within the request budget and are each visited every interval") {
  FakeWebcruiter api;
  api.require_oauth2("mangfold", "s3cr3t-client", /*expires_in=*/6);  // renewed during the test
  const std::vector<std::string> vacancies = ids(300);
  for (const std::string& id : vacancies)
    serve_vacancy(api, id);
  api.set_feed(vacancies);
  constexpr int kPerMinute = 6000, kBurst = 10, kIntervalSeconds = 10;
  Service s(api.base_url(),
            "    signature: {scheme: shared_key, header: X-User-Data, secret: {file: hook.key}}\n"
            "    api_budget: {requests_per_minute: " +
                std::to_string(kPerMinute) + ", burst: " + std::to_string(kBurst) +
                "}\n"
                "    schedule: {visit_interval_seconds: " +
                std::to_string(kIntervalSeconds) + ", discover_interval_seconds: 5}\n",
            "      sync: {feed_url: \"" + api.base_url() + "/feed.xml\"}\n");

  // Every vacancy discovered and evaluated, then two more intervals of visits.
  CHECK(s.server->wait_for_count("SELECT count(*) FROM vacancies WHERE tenant='wc'", 300, 20) ==
        300);
  const auto watched_from = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(kIntervalSeconds + 2));
  const auto watched_to = std::chrono::steady_clock::now();

  const std::vector<FakeWebcruiter::Arrival> arrivals = api.arrivals();
  // The budget, counted at the API: in any window of W ms, at most burst + W * rate requests
  // (plus 2 for the difference between when the connector sent and when the fake counted).
  std::vector<double> times;
  for (const auto& a : arrivals)
    times.push_back(std::chrono::duration<double, std::milli>(a.at - arrivals.front().at).count());
  int worst_excess = -1000;
  for (std::size_t i = 0, j = 0; j < times.size(); ++j) {
    while (times[j] - times[i] > 1000)
      ++i;  // windows of up to one second
    const double allowed = kBurst + (times[j] - times[i]) * kPerMinute / 60000.0 + 2;
    worst_excess = std::max(worst_excess, static_cast<int>(j - i + 1 - allowed));
  }
  MESSAGE("requests at the fake API: " << arrivals.size() << " over " << times.back() / 1000
                                       << " s; worst 1 s window vs. the budget: " << worst_excess);
  CHECK(worst_excess <= 0);
  CHECK(api.count("token") >= 2);  // the 6 s token expired and was renewed on the way

  // Every vacancy visited at least once per interval (one second of slack for the fetch
  // itself): no gap between two visits longer, and a visit in the last interval watched.
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> visits;
  for (const auto& a : arrivals)
    if (a.kind == "advert") visits[a.target.substr(a.target.rfind('/') + 1)].push_back(a.at);
  CHECK(visits.size() == 300);
  const auto limit = std::chrono::seconds(kIntervalSeconds + 1);
  int late = 0;
  for (const std::string& id : vacancies) {
    const auto& v = visits[id];
    bool in_time = v.size() >= 2 && watched_to - v.back() <= limit;
    for (std::size_t i = 1; i < v.size(); ++i)
      in_time = in_time && v[i] - v[i - 1] <= limit;
    late += !in_time;
  }
  (void)watched_from;
  CHECK(late == 0);
  // One verdict per vacancy: the visits found nothing new to store.
  CHECK(s.server->count("SELECT count(*) FROM verdicts WHERE tenant='wc'") == 300);
  CHECK(s.metric("mangfold_ats_requests_total{tenant=\"wc\"}") >= 600);
  CHECK(s.metric("mangfold_sync_followed_vacancies{tenant=\"wc\"}") == 300);
  CHECK(s.metric("mangfold_sync_lag_seconds{tenant=\"wc\"}") < kIntervalSeconds);
}

TEST_CASE(
    "sync: the API down for a while delays the verdict, loses none, and mails the shortfall once") {
  testing::TempDir smtp_dir;
  testing::Child smtp({"/usr/bin/python3", kRoot + "/tests/notify/smtp_server.py", "--folder",
                       smtp_dir.path(), "--port", "0"},
                      smtp_dir.path() + "/server.out");
  int smtp_port = 0;
  for (int i = 0; i < 200 && smtp_port == 0; ++i) {
    const std::string out = testing::read_file(smtp_dir.path() + "/server.out");
    if (auto at = out.find("PORT "); at != std::string::npos)
      smtp_port = std::stoi(out.substr(at + 5));
    std::this_thread::sleep_for(25ms);
  }
  REQUIRE(smtp_port > 0);
  auto mails = [&smtp_dir] {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(smtp_dir.path()))
      n += e.path().extension() == ".eml";
    return n;
  };

  FakeWebcruiter api;
  api.require_oauth2("mangfold", "s3cr3t-client");
  serve_vacancy(api, "4100000001");
  api.set_feed({"4100000001"});
  // First a 429 asking for 2 s, then the API is down.
  api.fail_next("token", 429, "2");
  Service s(api.base_url(),
            "    signature: {scheme: shared_key, header: X-User-Data, secret: {file: hook.key}}\n"
            "    api_budget: {requests_per_minute: 600, burst: 5}\n"
            "    schedule: {visit_interval_seconds: 3600, discover_interval_seconds: 1}\n",
            "      sync: {feed_url: \"" + api.base_url() + "/feed.xml\"}\n",
            "{smtp_url: \"smtp://127.0.0.1:" + std::to_string(smtp_port) +
                "\", from: \"Mangfold <mangfold@example.no>\"}");
  for (int i = 0; i < 200 && api.count("token") < 1; ++i)
    std::this_thread::sleep_for(25ms);
  REQUIRE(api.count("token") == 1);
  api.set_down(503);
  std::this_thread::sleep_for(4s);

  // The 429's Retry-After held the tenant: nothing but the public feed within the 2 s.
  const auto arrivals = api.arrivals();
  auto first = std::find_if(arrivals.begin(), arrivals.end(),
                            [](const auto& a) { return a.kind == "token"; });
  REQUIRE(first != arrivals.end());
  for (auto a = std::next(first); a != arrivals.end(); ++a)
    if (a->kind != "feed") {
      CHECK(a->at - first->at >= 1900ms);
      break;
    }
  // Down: no verdict yet, the failures and the lag show, the vacancy is still followed.
  CHECK(s.server->count("SELECT count(*) FROM verdicts WHERE tenant='wc'") == 0);
  CHECK(s.metric("mangfold_ats_errors_total{tenant=\"wc\",kind=\"429\"}") == 1);
  CHECK(s.metric("mangfold_ats_errors_total{tenant=\"wc\",kind=\"5xx\"}") >= 1);
  CHECK(s.metric("mangfold_sync_lag_seconds{tenant=\"wc\"}") >= 2);
  CHECK(s.metric("mangfold_sync_followed_vacancies{tenant=\"wc\"}") == 1);
  CHECK(mails() == 0);

  // Back: the retry gets through, the shortfall is stored and mailed exactly once.
  api.set_down(0);
  CHECK(s.server->wait_for_count("SELECT count(*) FROM verdicts WHERE tenant='wc' AND "
                                 "overall='shortfall'",
                                 1, 30) == 1);
  for (int i = 0; i < 400 && mails() < 1; ++i)
    std::this_thread::sleep_for(25ms);
  CHECK(mails() == 1);
  std::this_thread::sleep_for(3s);  // longer than the mail worker's poll: nothing else comes
  CHECK(mails() == 1);
  CHECK(s.metric("mangfold_sync_lag_seconds{tenant=\"wc\"}") < 2);
}

TEST_CASE("sync: a burst of duplicate ID-only hooks costs one fetch, a wrong shared key gets 401") {
  FakeWebcruiter api;
  api.require_oauth2("mangfold", "s3cr3t-client");
  serve_vacancy(api, "4100000007");
  // No feed and visits only on demand: hooks are the only reason to fetch.
  Service s(api.base_url(),
            "    signature: {scheme: shared_key, header: X-User-Data, secret: {file: hook.key}}\n"
            "    schedule: {visit_interval_seconds: 0, hook_coalesce_seconds: 2}\n",
            "");
  const std::string body = R"({"Event":"PositionUpdated","PositionId":4100000007})";
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"}, {"X-User-Data", kHookKey}};

  std::vector<std::future<testing::HttpAnswer>> burst;
  for (int i = 0; i < 30; ++i)
    burst.push_back(std::async(std::launch::async, [&] {
      return testing::http_request("POST", s.server->url("/hooks/wc"), headers, body);
    }));
  for (auto& f : burst) {
    const testing::HttpAnswer r = f.get();
    CHECK(r.status == 200);
    CHECK(json::parse(r.body).at("status") == "queued");
  }
  CHECK(s.server->wait_for_count("SELECT count(*) FROM verdicts WHERE tenant='wc'", 1, 15) == 1);
  std::this_thread::sleep_for(3s);  // longer than the coalescing delay: no second fetch
  CHECK(api.count("advert") == 1);
  CHECK(api.count("candidates") == 1);

  // A wrong key, and none: 401 with a JSON error, nothing fetched.
  for (const auto& h : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"Content-Type", "application/json"}, {"X-User-Data", kHookKey + "x"}},
           {{"Content-Type", "application/json"}}}) {
    const testing::HttpAnswer r =
        testing::http_request("POST", s.server->url("/hooks/wc"), h, body);
    CHECK(r.status == 401);
    const json error = json::parse(r.body, nullptr, false);
    CHECK(error.value("error", "") == "bad_key");
    CHECK(r.body.find(kHookKey) == std::string::npos);
  }
  // A body that is not a hook, with the right key: 400, naming the problem.
  const testing::HttpAnswer bad =
      testing::http_request("POST", s.server->url("/hooks/wc"), headers, R"({"PositionId":[1]})");
  CHECK(bad.status == 400);
  CHECK(json::parse(bad.body, nullptr, false).value("error", "") == "malformed");
  std::this_thread::sleep_for(3s);
  CHECK(api.count("advert") == 1);
}
