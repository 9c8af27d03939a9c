// discover() beyond the advert feed: the Hired Candidate API (each hire reported once, marked
// processed only on opt-in and only after its vacancy was fetched), the API's process
// listing, the case-handler link. Real HTTP on 127.0.0.1: the Candidate API is the shared
// fake (fake_webcruiter.*); the hired list and the process listing come from a small server
// of this file, reached through absolute paths (api.paths.hired / processes may be URLs).
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "adapters/webcruiter/probe.hpp"
#include "connector/http/server.hpp"
#include "connector/outbound/curl_http_client.hpp"
#include "tests/webcruiter/fake_webcruiter.hpp"
#include "tests/webcruiter/support.hpp"

using namespace mangfold;
using namespace mangfold::webcruiter;
using namespace mangfold::webcruiter::testing;
using nlohmann::json;

namespace {

constexpr std::int64_t kStart = 1'790'000'000;

// GET /hired (the list, as set), POST /hired/{id}/process (recorded; the hire leaves the
// list), GET /processes (as set). Every request must carry the API key.
class HiredServer {
 public:
  HiredServer() {
    http::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    auto created = http::Server::create(
        options, [this](http::Request&& req, http::Respond r) { r(route(req)); });
    REQUIRE_MESSAGE(created.ok(), created.status().message());
    server_ = std::move(created.value());
    server_->start();
  }
  ~HiredServer() { server_->stop(std::chrono::milliseconds(0)); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  void set_hired(json list) {
    std::lock_guard lock(mu_);
    hired_ = std::move(list);
  }
  void set_processes(json body) {
    std::lock_guard lock(mu_);
    processes_ = std::move(body);
  }
  void set_statuses(json body) {
    std::lock_guard lock(mu_);
    statuses_ = std::move(body);
  }
  void fail_process(int status) {
    std::lock_guard lock(mu_);
    process_status_ = status;
  }
  void fail_hired(int status) {
    std::lock_guard lock(mu_);
    hired_status_ = status;
  }
  std::vector<std::string> processed() const {
    std::lock_guard lock(mu_);
    return processed_;
  }
  std::vector<std::string> process_bodies() const {
    std::lock_guard lock(mu_);
    return process_bodies_;
  }
  int gets() const {
    std::lock_guard lock(mu_);
    return gets_;
  }

 private:
  http::Response route(const http::Request& req) {
    std::lock_guard lock(mu_);
    http::Response r;
    if (req.header("X-Api-Key").value_or("") != "k") {
      r.status = 401;
      return r;
    }
    const std::string& t = req.target;
    if (req.method == "GET" && t.rfind("/hired?isProcessed=false", 0) == 0) {
      ++gets_;
      if (hired_status_ != 200) {
        r.status = hired_status_;
        return r;
      }
      r.body = hired_.dump();
    } else if (req.method == "GET" && t == "/statuses") {
      r.body = statuses_.dump();
    } else if (req.method == "GET" && t == "/processes") {
      ++gets_;
      r.body = processes_.dump();
    } else if (req.method == "POST" && t.rfind("/hired/", 0) == 0 && t.size() > 15 &&
               t.substr(t.size() - 8) == "/process") {
      if (process_status_ != 200) {
        r.status = process_status_;
        return r;
      }
      const std::string id = t.substr(7, t.size() - 15);
      processed_.push_back(id);
      process_bodies_.push_back(req.body);
      // Processed for this client: it leaves the unprocessed list.
      json keep = json::array();
      for (const json& h : hired_["HiredCandidates"])
        if (h["CandidateId"].dump() != id && h["CandidateId"] != id) keep.push_back(h);
      hired_["HiredCandidates"] = keep;
    } else {
      r.status = 404;
    }
    return r;
  }

  mutable std::mutex mu_;
  json hired_ = {{"HiredCandidates", json::array()}};
  json processes_ = json::array();
  json statuses_ = json::array();
  int process_status_ = 200;
  int hired_status_ = 200;
  int gets_ = 0;
  std::vector<std::string> processed_, process_bodies_;
  std::unique_ptr<http::Server> server_;
};

json hire(int candidate, const std::string& advert) {
  return {{"CandidateId", candidate}, {"AdvertId", advert}, {"HiredDate", "2026-11-20"}};
}

struct Fixture {
  FakeWebcruiter api;
  HiredServer hired;
  std::atomic<std::int64_t> clock{kStart};

  Fixture() {
    api.require_api_key("X-Api-Key", "k");
    api.set_feed({});
    api.serve_fat_event(json::parse(read_text("examples/webcruiter/fat-event.json")));
  }

  // `sync` and `top` are YAML lines at the sync: and adapter_options: level (4 and 2 spaces).
  Made made(const std::string& sync, const std::string& top = "",
            const std::string& paths_extra = "") {
    AdapterDeps d;
    d.http = outbound::make_curl_http_client();
    d.now_unix = [this] { return clock.load(); };
    d.read_file = [](const std::string&) -> Result<std::string> { return std::string("k"); };
    return make_from_yaml(
        "adapter_options:\n" + base_mapping() + "  api:\n    base_url: " + api.base_url() +
            "\n    auth: {api_key: {header: X-Api-Key, key: {file: k}}}\n"
            "    cache_seconds: 0\n"
            "    paths:\n      hired: " +
            hired.url() + "/hired?isProcessed=false\n      hired_process: " + hired.url() +
            "/hired/{candidateId}/process\n      processes: " + hired.url() + "/processes\n" +
            paths_extra + "  sync:\n" + sync + top,
        std::move(d));
  }
  std::unique_ptr<domain::Adapter> adapter(const std::string& sync, const std::string& top = "") {
    Made m = made(sync, top);
    REQUIRE_MESSAGE(m.adapter, m.errors());
    return std::move(m.adapter);
  }
};

std::vector<std::string> ids(const domain::Adapter& a) {
  Result<domain::Discovery> r = a.discover();
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  return r->vacancies;
}

}  // namespace

TEST_CASE("discover: a hire's vacancy is reported once, and nothing is marked processed") {
  Fixture f;
  auto a = f.adapter("    feed_url: " + f.api.base_url() + "/feed.xml\n");
  CHECK(ids(*a).empty());
  f.hired.set_hired({{"HiredCandidates", {hire(7001, "4100000001"), hire(7002, "4100000001")}}});
  CHECK(ids(*a) == std::vector<std::string>{"4100000001"});
  // Still unprocessed in the API (we did not opt in), but already reported: not again.
  CHECK(ids(*a).empty());
  // A new hire on another vacancy is reported; the old ones are not.
  f.hired.set_hired({{"HiredCandidates",
                      {hire(7001, "4100000001"), hire(7002, "4100000001"), hire(8001, "77")}}});
  CHECK(ids(*a) == std::vector<std::string>{"77"});
  REQUIRE(a->fetch_snapshot("4100000001").ok());
  CHECK(ids(*a).empty());
  CHECK(f.hired.processed().empty());
}

TEST_CASE("discover: mark_processed posts only after the vacancy was fetched after the hire") {
  Fixture f;
  auto a = f.adapter("    feed_url: " + f.api.base_url() +
                     "/feed.xml\n    hires: {mark_processed: true, message: Sett av Mangfold}\n");
  f.hired.set_hired({{"HiredCandidates", {hire(7001, "4100000001")}}});
  CHECK(ids(*a) == std::vector<std::string>{"4100000001"});
  CHECK(ids(*a).empty());
  CHECK(f.hired.processed().empty());  // not fetched yet
  REQUIRE(a->fetch_snapshot("4100000001").ok());
  CHECK(ids(*a).empty());
  CHECK(f.hired.processed() == std::vector<std::string>{"7001"});
  CHECK(json::parse(f.hired.process_bodies().at(0)) == json{{"Message", "Sett av Mangfold"}});
  CHECK(ids(*a).empty());
  CHECK(f.hired.processed().size() == 1);
}

TEST_CASE("discover: a failed process call is reported beside the vacancies and retried") {
  Fixture f;
  auto a = f.adapter("    feed_url: " + f.api.base_url() +
                     "/feed.xml\n    hires: {mark_processed: true}\n");
  f.hired.set_hired({{"HiredCandidates", {hire(7001, "4100000001")}}});
  CHECK(ids(*a).size() == 1);
  REQUIRE(a->fetch_snapshot("4100000001").ok());
  f.hired.fail_process(403);
  Result<domain::Discovery> partial = a->discover();
  REQUIRE_MESSAGE(partial.ok(), partial.status().message());
  CHECK(partial->vacancies.empty());  // the hire was reported before; the feed is empty
  REQUIRE(partial->problems.size() == 1);
  CHECK(partial->problems[0].find("marking a hire processed") != std::string::npos);
  CHECK(partial->problems[0].find("7001") == std::string::npos);  // no candidate id
  CHECK(f.hired.processed().empty());
  f.hired.fail_process(200);
  CHECK(ids(*a).empty());
  CHECK(f.hired.processed() == std::vector<std::string>{"7001"});
}

TEST_CASE("discover: hires.read: false reads no hired list") {
  Fixture f;
  auto a = f.adapter("    feed_url: " + f.api.base_url() + "/feed.xml\n    hires: {read: false}\n");
  f.hired.set_hired({{"HiredCandidates", {hire(7001, "4100000001")}}});
  CHECK(ids(*a).empty());
  CHECK(f.hired.gets() == 0);
}

TEST_CASE("discover: the API's process listing, alone or with the feed") {
  Fixture f;
  f.api.set_feed({"4100000001"});
  f.hired.set_processes({{"Processes",
                          {{{"AdvertId", "4100000001"}, {"IsClosed", false}},
                           {{"ProcessId", 55}},
                           {{"AdvertId", "56"}, {"IsClosed", true}}}}});
  SUBCASE("api only") {
    auto a = f.adapter("    discover_from: [api]\n    hires: {read: false}\n");
    CHECK(ids(*a) == std::vector<std::string>{"4100000001", "55"});
    CHECK(f.api.count("feed") == 0);
  }
  SUBCASE("feed and api: the union, each id once") {
    auto a = f.adapter("    discover_from: [feed, api]\n    feed_url: " + f.api.base_url() +
                       "/feed.xml\n    hires: {read: false}\n");
    CHECK(ids(*a) == std::vector<std::string>{"4100000001", "55"});
    CHECK(f.api.count("feed") == 1);
  }
  SUBCASE("a listing that does not map fails the pass, naming the pointer") {
    f.hired.set_processes({{"Processes", {{{"Title", "x"}}}}});
    auto a = f.adapter("    discover_from: [api]\n    hires: {read: false}\n");
    Result<domain::Discovery> r = a->discover();
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("/Processes/0/AdvertId") != std::string::npos);
  }
}

TEST_CASE("discover: a new hire's vacancy is due now, also when the listing names it anyway") {
  Fixture f;
  f.hired.set_processes({{"Processes", {{{"ProcessId", 55}}}}});
  auto a = f.adapter("    discover_from: [api]\n");
  Result<domain::Discovery> first = a->discover();
  REQUIRE_MESSAGE(first.ok(), first.status().message());
  CHECK(first->vacancies == std::vector<std::string>{"55"});
  CHECK(first->due_now.empty());
  f.hired.set_hired({{"HiredCandidates", {hire(7001, "55")}}});
  Result<domain::Discovery> second = a->discover();
  REQUIRE_MESSAGE(second.ok(), second.status().message());
  CHECK(second->vacancies == std::vector<std::string>{"55"});
  CHECK(second->due_now == std::vector<std::string>{"55"});
  Result<domain::Discovery> third = a->discover();
  REQUIRE(third.ok());
  CHECK(third->due_now.empty());  // reported once
}

TEST_CASE("discover: the hired list down leaves the feed's vacancies followed and no hire lost") {
  Fixture f;
  f.api.set_feed({"4100000001"});
  auto a = f.adapter("    feed_url: " + f.api.base_url() + "/feed.xml\n");
  f.hired.set_hired({{"HiredCandidates", {hire(7001, "77")}}});
  f.hired.fail_hired(503);
  Result<domain::Discovery> partial = a->discover();
  REQUIRE_MESSAGE(partial.ok(), partial.status().message());
  CHECK(partial->vacancies == std::vector<std::string>{"4100000001"});
  CHECK(partial->due_now.empty());
  CHECK(partial->problems.size() == 1);
  f.hired.fail_hired(200);
  Result<domain::Discovery> back = a->discover();
  REQUIRE(back.ok());
  CHECK(back->due_now == std::vector<std::string>{"77"});  // the hire comes when the list is back
  CHECK(back->problems.empty());
}

TEST_CASE("options: discover_from, hires and case_url are validated with file, line and key") {
  Fixture f;
  auto errors = [&](const std::string& sync, const std::string& top = "") {
    Made m = f.made(sync, top);
    CHECK(m.adapter == nullptr);
    return m.errors();
  };
  CHECK(errors("    discover_from: [feed, rss]\n    feed_url: http://x/feed\n")
            .find("tenant.yaml:") != std::string::npos);
  CHECK(errors("    discover_from: [feed, rss]\n    feed_url: http://x/feed\n")
            .find("tenants.oslo.adapter_options.sync.discover_from[1]: unknown value 'rss'") !=
        std::string::npos);
  CHECK(errors("    discover_from: [api, api]\n").find("listed twice") != std::string::npos);
  CHECK(errors("    discover_from: [feed]\n").find("needs feed_url") != std::string::npos);
  CHECK(errors("    discover_from: [api]\n    feed_url: http://x/feed\n")
            .find("does not list feed") != std::string::npos);
  CHECK(errors("    feed_url: http://x/f\n    hires: {read: false, mark_processed: true}\n")
            .find("mark_processed needs read: true") != std::string::npos);
  CHECK(errors("    feed_url: http://x/f\n    hires: {mark_processed: sometimes}\n")
            .find("sync.hires.mark_processed") != std::string::npos);
  const std::string feed = "    feed_url: http://x/f\n";
  CHECK(errors(feed, "  case_url: https://wc.example/case\n").find("must contain {vacancy_id}") !=
        std::string::npos);
  CHECK(errors(feed, "  case_url: https://wc.example/{advertId}\n")
            .find("tenants.oslo.adapter_options.case_url: the only placeholder is {vacancy_id}") !=
        std::string::npos);
  CHECK(errors(feed, "  case_url: wc.example/{vacancy_id}\n").find("http:// or https://") !=
        std::string::npos);
}

TEST_CASE("options: discover_from: [api] needs api.paths.processes") {
  Made m = make_from_yaml("adapter_options:\n" + base_mapping() +
                          "  api: {base_url: http://x, auth: {api_key: {key: {file: k}}}}\n"
                          "  sync: {discover_from: [api]}\n");
  CHECK(m.adapter == nullptr);
  CHECK(m.errors().find("api.paths.processes is not set") != std::string::npos);
}

TEST_CASE("case_url: fetched and fat-event snapshots carry the case-handler link") {
  Fixture f;
  auto a = f.adapter("    feed_url: " + f.api.base_url() + "/feed.xml\n",
                     "  case_url: \"https://oslo.webcruiter.example/case?advert={vacancy_id}\"\n");
  Result<domain::Snapshot> s = a->fetch_snapshot("4100000001");
  REQUIRE(s.ok());
  CHECK(s->vacancy.case_url == "https://oslo.webcruiter.example/case?advert=4100000001");
  CHECK(s->vacancy.url.find("advertviewpublic") != std::string::npos);  // the public ad stays
  Result<domain::InboundEvent> e = parse(*a, read_text("examples/webcruiter/fat-event.json"));
  REQUIRE(e.ok());
  REQUIRE(e->snapshot);
  CHECK(e->snapshot->vacancy.case_url == "https://oslo.webcruiter.example/case?advert=4100000001");
}

namespace {

// The probe's report for the fixture's tenant, with `sync` and `top` as in Fixture::made.
std::pair<int, std::string> run_probe(Fixture& f, const std::string& sync,
                                      const std::string& top = "") {
  const std::string yaml =
      "adapter_options:\n" + base_mapping() + "  api:\n    base_url: " + f.api.base_url() +
      "\n    auth: {api_key: {header: X-Api-Key, key: {file: k}}}\n    paths:\n      hired: " +
      f.hired.url() + "/hired?isProcessed=false\n      statuses: " + f.hired.url() +
      "/statuses\n  sync:\n" + sync + top;
  std::vector<config::Diagnostic> diagnostics;
  std::optional<config::Node> root = config::parse_document(yaml, "tenant.yaml", diagnostics);
  REQUIRE(root.has_value());
  AdapterDeps d;
  d.http = outbound::make_curl_http_client();
  d.read_file = [](const std::string&) -> Result<std::string> { return std::string("k"); };
  std::ostringstream out;
  const int problems = probe(*root->get("adapter_options"), "tenants.oslo.adapter_options",
                             std::move(d), ProbeRequest{}, out);
  return {problems, out.str()};
}

json statuses_1_to_10() {
  json list = json::array();
  for (int i = 1; i <= 10; ++i)
    list.push_back({{"Id", i}, {"Name", "Status " + std::to_string(i)}});
  return list;
}

}  // namespace

TEST_CASE("probe: a working tenant, then a missing form question and an unmapped status") {
  Fixture f;
  f.api.set_feed({"4100000001"});
  f.hired.set_statuses(statuses_1_to_10());
  f.hired.set_hired({{"HiredCandidates", {hire(7001, "4100000001")}}});
  const std::string sync = "    feed_url: " + f.api.base_url() + "/feed.xml\n";
  auto [problems, report] = run_probe(f, sync);
  CAPTURE(report);
  CHECK(problems == 0);
  CHECK(report.find("ok    candidate statuses: 10 in Webcruiter, 10 mapped") != std::string::npos);
  CHECK(report.find("ok    advert feed: 1 published advert") != std::string::npos);
  CHECK(report.find("ok    hired candidates: 1 unprocessed hire on 1 vacancy") !=
        std::string::npos);
  CHECK(report.find("ok    vacancy 4100000001: question 9001 (immigrant_background) is on the "
                    "integration form") != std::string::npos);
  CHECK(f.hired.processed().empty());  // the probe never marks a hire

  SUBCASE("the form lacks the question, and Webcruiter has a status the mapping lacks") {
    json event = json::parse(read_text("examples/webcruiter/fat-event.json"));
    for (json& c : event["Candidates"])
      c.erase("CustomData");
    f.api.serve_fat_event(event);  // every applicant's custom data: no question at all
    for (json& c : event["Candidates"])
      f.api.set_custom_data(c["CandidateId"].is_string() ? c["CandidateId"].get<std::string>()
                                                         : c["CandidateId"].dump(),
                            json::array());
    json statuses = statuses_1_to_10();
    statuses.push_back({{"Id", 11}, {"Name", "Reservert"}});
    f.hired.set_statuses(statuses);
    auto [problems2, report2] = run_probe(f, sync);
    CAPTURE(report2);
    CHECK(problems2 == 2);
    CHECK(report2.find("FAIL  candidate status 11 «Reservert» is not in statuses") !=
          std::string::npos);
    CHECK(report2.find("FAIL  vacancy 4100000001: Webcruiter's integration form (custom-data) has "
                       "no question 9001") != std::string::npos);
    for (const char* id : {"7001", "7002", "7003"})
      CHECK(report2.find(id) == std::string::npos);
  }
}
