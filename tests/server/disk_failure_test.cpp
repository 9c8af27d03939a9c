// A disk that loses writes, through the real binary: fdatasync of the SQLite write-ahead log
// fails (EIO) from an LD_PRELOAD shim (tests/support/fail_fdatasync.cpp) while a trigger
// file exists. The event whose sync failed is refused with a JSON 503, the process stops by
// itself with exit status 1 (systemd's Restart=on-failure then starts it again), and after
// the restart the sender's retry is answered and nothing acknowledged is missing.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/webhook/signature.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mangfold_process.hpp"
#include "tests/support/process.hpp"

using namespace mangfold;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;
const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string event_body(const std::string& vacancy) {
  return nlohmann::json{{"vacancy", {{"id", vacancy}, {"title", "Rådgiver"}}},
                        {"applications",
                         {{{"candidate_id", vacancy + "-g"},
                           {"stage", "interview"},
                           {"qualification", "qualified"},
                           {"answers", {{"immigrant_background", "yes"}}}}}}}
      .dump();
}

testing::HttpAnswer post_event(const testing::MangfoldProcess& server, const std::string& id,
                               const std::string& vacancy) {
  const std::string body = event_body(vacancy);
  const auto at = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  auto secret = webhook::parse_standard_webhooks_secret(kSecret);
  REQUIRE(secret.ok());
  return testing::http_request(
      "POST", server.url("/hooks/oslo"),
      {{"Content-Type", "application/json"},
       {"webhook-id", id},
       {"webhook-timestamp", std::to_string(at)},
       {"webhook-signature", webhook::sign_standard_webhooks(id, at, body, *secret)}},
      body);
}

}  // namespace

TEST_CASE(
    "a failed fdatasync refuses the event, stops the process with status 1, and a "
    "restart recovers") {
  testing::TempDir dir;
  auto path = [&dir](const std::string& name) { return dir.path() + "/" + name; };
  testing::write_file(path("oslo.whsec"), kSecret);
  testing::write_file(path("p.key"), "0123456789abcdef0123456789abcdef0123456789abcdef");
  testing::write_file(path("mangfold.yaml"),
                      "listen: {address: 127.0.0.1, port: 0}\nstorage: {sqlite: db/m.db}\n"
                      "mail: {spool_dir: mail}\ntenants:\n  oslo:\n    policy: " +
                          kRoot +
                          "/policies/oslo.yaml\n"
                          "    signature: {scheme: standard_webhooks, secret: {file: oslo.whsec}}\n"
                          "    pseudonyms: {key: {file: p.key}}\n");
  const std::string trigger = path("disk-fails");
  testing::MangfoldProcess server(MANGFOLD_BINARY, path("mangfold.yaml"), path("db/m.db"),
                                  path("server.log"),
                                  {std::string("LD_PRELOAD=") + MANGFOLD_FAIL_FDATASYNC,
                                   "MANGFOLD_TEST_FAIL_SYNC_FILE=" + trigger});
  REQUIRE_MESSAGE(server.start(), server.log());

  REQUIRE(post_event(server, "evt-1", "v-1").status == 200);

  testing::write_file(trigger, "");
  const testing::HttpAnswer refused = post_event(server, "evt-2", "v-2");
  CHECK(refused.status == 503);
  const auto error = nlohmann::json::parse(refused.body, nullptr, false);
  REQUIRE(error.is_object());
  CHECK(error.value("error", "") == "unavailable");
  CHECK(refused.body.find("v-2-g") == std::string::npos);
  // The process stops by itself, saying why, with the status systemd restarts on.
  CHECK(server.child().wait(20000) == 1);
  const std::string log = server.log();
  CHECK(log.find("\"msg\":\"storage failed; stopping so that a restart recovers\"") !=
        std::string::npos);
  CHECK(log.find("fdatasync failed on") != std::string::npos);
  CHECK(log.find("\"reason\":\"storage failed\"") != std::string::npos);

  // The disk is mended; the restarted process takes the sender's retry. evt-2 was committed
  // before its sync failed, so SQLite recovers it and the retry is a duplicate (2xx either way).
  std::remove(trigger.c_str());
  REQUIRE_MESSAGE(server.start(), server.log());
  const testing::HttpAnswer retried = post_event(server, "evt-2", "v-2");
  CHECK(retried.status == 200);
  CHECK(post_event(server, "evt-1", "v-1").status == 200);
  CHECK(server.count("SELECT count(*) FROM events WHERE event_id IN ('evt-1', 'evt-2')") == 2);
  CHECK(post_event(server, "evt-3", "v-3").status == 200);
}
