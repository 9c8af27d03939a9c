// Sync mode through the real binary: a Webcruiter tenant followed without any webhook.
// The fake Talentech API (tests/webcruiter/fake_webcruiter.*) serves the advert feed and the
// Candidate API over real HTTP; the connector discovers the vacancy in the feed, keeps
// following it after it has left the feed, and stops when the ATS closes it.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/mangfold_process.hpp"
#include "tests/support/process.hpp"
#include "tests/webcruiter/fake_webcruiter.hpp"

using namespace mangfold;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;

// The vacancy's state in the ATS: candidate 7001 (in the group, qualified) at `status_7001`.
nlohmann::json state(int status_7001, bool closed = false) {
  return {{"AdvertId", 4100000001},
          {"Advert",
           {{"AdvertId", "4100000001"},
            {"title", "Rådgiver integrering"},
            {"Culture_Id", "NB-NO"},
            {"IsClosed", closed},
            {"CONTACTINFO",
             {{"Contact",
               {{{"Name", "Åse"}, {"Title", "Enhetsleder"}, {"Email", "ase@example.org"}}}}}},
            {"description",
             "<p>Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke.</p>"}}},
          {"Candidates",
           {{{"CandidateId", 7001},
             {"CandidateStatusId", status_7001},
             {"CustomData", {{"9001", "Ja"}}}},
            {{"CandidateId", 7002}, {"CandidateStatusId", 4}, {"CustomData", {{"9001", "Nei"}}}}}}};
}

struct SyncService {
  testing::TempDir dir;
  std::unique_ptr<testing::MangfoldProcess> server;

  explicit SyncService(const std::string& api) {
    testing::write_file(path("talentech.key"), "00112233445566778899aabbccddeeff");
    testing::write_file(path("p.key"), "0123456789abcdef0123456789abcdef0123456789abcdef");
    testing::write_file(path("policy.yaml"), "extends: " + kRoot +
                                                 "/examples/webcruiter/policy.yaml\n"
                                                 "id: sync-test\n");
    testing::write_file(
        path("mangfold.yaml"),
        "listen: {address: 127.0.0.1, port: 0}\n"
        "storage: {sqlite: db/m.db, reconcile_interval_seconds: 1}\n"
        "mail: {spool_dir: mail}\n"
        "tenants:\n"
        "  wc:\n"
        "    adapter: webcruiter\n"
        "    policy: policy.yaml\n"
        "    signature: {scheme: hmac, header: X-Signature-Base64HmacSha256, encoding: base64, "
        "prefix: \"\", secret_encoding: hex, secret: {file: talentech.key}}\n"
        "    pseudonyms: {key: {file: p.key}}\n"
        "    schedule: {discover_interval_seconds: 1}\n"
        "    adapter_options:\n"
        "      statuses: {1: applied, 2: {stage: applied, qualification: qualified}, "
        "4: interview, 8: hired, 9: rejected}\n"
        "      target_groups: {immigrant_background: {question: 9001, yes: [Ja], no: [Nei]}}\n"
        "      api: {base_url: \"" +
            api +
            "\", auth: {api_key: {header: X-Api-Key, key: {file: talentech.key}}}, "
            "cache_seconds: 0}\n"
            "      sync: {feed_url: \"" +
            api + "/feed.xml\"}\n");
    server = std::make_unique<testing::MangfoldProcess>(MANGFOLD_BINARY, path("mangfold.yaml"),
                                                        path("db/m.db"), path("server.log"));
    REQUIRE_MESSAGE(server->start(), server->log());
  }
  std::string path(const std::string& name) const { return dir.path() + "/" + name; }
  size_t mails() const {
    size_t n = 0;
    if (fs::exists(path("mail")))
      for (const auto& e : fs::directory_iterator(path("mail")))
        n += e.path().extension() == ".eml";
    return n;
  }
};

// Waits until `api` has seen `n` more requests of `kind` than `from`: one or more passes.
void wait_passes(const webcruiter::testing::FakeWebcruiter& api, const char* kind, int from,
                 int n) {
  for (int i = 0; i < 400 && api.count(kind) < from + n; ++i)
    std::this_thread::sleep_for(25ms);
  REQUIRE(api.count(kind) >= from + n);
}

}  // namespace

TEST_CASE("sync: discovered from the feed, followed after it leaves it, closed by the ATS") {
  webcruiter::testing::FakeWebcruiter api;
  api.require_api_key("X-Api-Key", "00112233445566778899aabbccddeeff");
  api.set_feed({"4100000001"});
  api.serve_fat_event(state(2));  // qualified, in the group, not invited: a shortfall
  SyncService s(api.base_url());

  // No webhook at all: the feed names the vacancy, the API gives its applicants.
  CHECK(s.server->wait_for_count("SELECT count(*) FROM verdicts WHERE tenant='wc' AND "
                                 "vacancy_id='4100000001' AND overall='shortfall'",
                                 1, 20) == 1);
  CHECK(api.count("feed") >= 1);
  for (int i = 0; i < 400 && s.mails() < 1; ++i)
    std::this_thread::sleep_for(25ms);
  CHECK(s.mails() == 1);

  // Later passes find the same state: no new verdict, no second email.
  wait_passes(api, "candidates", api.count("candidates"), 2);
  CHECK(s.server->count("SELECT count(*) FROM verdicts WHERE tenant='wc'") == 1);
  CHECK(s.mails() == 1);

  // The deadline passes and the ad leaves the feed; the interview invitation comes after.
  api.set_feed({});
  api.serve_fat_event(state(4));
  CHECK(s.server->wait_for_count("SELECT count(*) FROM verdicts WHERE tenant='wc' AND "
                                 "overall='compliant'",
                                 1, 20) == 1);

  // The hire closes the vacancy in the ATS: the connector stops following it.
  api.serve_fat_event(state(8, /*closed=*/true));
  CHECK(s.server->wait_for_count("SELECT count(*) FROM vacancies WHERE tenant='wc' AND "
                                 "status='closed'",
                                 1, 20) == 1);
  const int after_close = api.count("candidates");
  wait_passes(api, "feed", api.count("feed"), 3);  // three more passes
  CHECK(api.count("candidates") == after_close);
}
