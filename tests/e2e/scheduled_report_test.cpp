// The monthly report email to HR (issue 19) through the real binary and a real SMTP server
// (tests/notify/smtp_server.py, aiosmtpd): the report for the month before arrives once,
// a restart does not send it again, and the next month's report comes a month later.
// MANGFOLD_TEST_NOW shifts the scheduled reports' clock (docs/configuration.md), so the
// test needs no waiting for a month to turn.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/http_client.hpp"
#include "tests/support/mangfold_process.hpp"
#include "tests/support/process.hpp"

using namespace mangfold;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;

std::vector<fs::path> emails_in(const std::string& dir) {
  std::vector<fs::path> out;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".eml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> wait_for_emails(const std::string& dir, size_t n, int seconds = 20) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  auto found = emails_in(dir);
  while (found.size() < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    found = emails_in(dir);
  }
  return found;
}

nlohmann::json parse_mail(const fs::path& file) {
  auto parsed =
      testing::run({"/usr/bin/python3", kRoot + "/tests/notify/mail_check.py", file.string()});
  REQUIRE(parsed.exit_code == 0);
  return nlohmann::json::parse(parsed.out);
}

struct SmtpServer {
  testing::TempDir dir;
  std::unique_ptr<testing::Child> child;
  int port = 0;
  SmtpServer() {
    child = std::make_unique<testing::Child>(
        std::vector<std::string>{"/usr/bin/python3", kRoot + "/tests/notify/smtp_server.py",
                                 "--folder", dir.path(), "--port", "0"},
        dir.path() + "/server.out");
    for (int i = 0; i < 400 && port == 0; ++i) {
      const std::string out = testing::read_file(dir.path() + "/server.out");
      if (auto at = out.find("PORT "); at != std::string::npos)
        port = std::stoi(out.substr(at + 5));
      std::this_thread::sleep_for(25ms);
    }
  }
};

// 2026-03-02 08:00 UTC, 2026-04-01 08:00 UTC.
constexpr const char* kMarch = "MANGFOLD_TEST_NOW=1772438400";
constexpr const char* kApril = "MANGFOLD_TEST_NOW=1775030400";

}  // namespace

TEST_CASE(
    "the monthly report reaches HR once per month through a real SMTP server, across "
    "restarts") {
  SmtpServer smtp;
  REQUIRE(smtp.port > 0);
  testing::TempDir dir;
  auto path = [&dir](const std::string& name) { return dir.path() + "/" + name; };
  testing::write_file(path("oslo.whsec"), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  testing::write_file(path("p.key"), "0123456789abcdef0123456789abcdef0123456789abcdef");
  testing::write_file(path("oslo.token"), "oslo-token-1");
  testing::write_file(
      path("mangfold.yaml"),
      "listen: {address: 127.0.0.1, port: 0}\nstorage: {sqlite: db/m.db}\n"
      "mail: {smtp_url: \"smtp://127.0.0.1:" +
          std::to_string(smtp.port) +
          "\", from: \"Mangfold <mangfold@oslo.example.no>\"}\n"
          "tenants:\n  oslo:\n    policy: " +
          kRoot +
          "/policies/oslo.yaml\n    signature: {secret: {file: oslo.whsec}}\n"
          "    pseudonyms: {key: {file: p.key}}\n    display_name: Oslo kommune\n"
          "    api_token: {file: oslo.token}\n"
          "    report_email:\n      recipients: [hr@oslo.example.no, analyse@oslo.example.no]\n"
          "      language: nn\n");
  auto server = std::make_unique<testing::MangfoldProcess>(MANGFOLD_BINARY, path("mangfold.yaml"),
                                                           path("db/m.db"), path("server.log"),
                                                           std::vector<std::string>{kMarch});
  REQUIRE_MESSAGE(server->start(), server->log());

  // The report for February 2026 arrives, once, to both recipients.
  auto mails = wait_for_emails(smtp.dir.path(), 1);
  REQUIRE_MESSAGE(mails.size() == 1, server->log());
  {
    const nlohmann::json mail = parse_mail(mails[0]);
    INFO(mail.dump());
    CHECK(mail.at("headers").at("Subject") ==
          "Intervjuordninga: rapport for februar 2026 – Oslo kommune");
    CHECK(mail.at("headers").at("Content-Language") == "nn");
    CHECK(mail.at("defects").empty());
    const nlohmann::json envelope =
        nlohmann::json::parse(testing::read_file(fs::path(mails[0]).replace_extension(".json")));
    CHECK(envelope.at("rcpt_tos") ==
          nlohmann::json::array({"hr@oslo.example.no", "analyse@oslo.example.no"}));
    REQUIRE(mail.at("parts").size() == 2);
    const std::string text = mail.at("parts").at(0).at("content");
    const std::string html = mail.at("parts").at(1).at("content");
    CHECK(text.find("Her er rapporten om intervjuordninga i Oslo kommune for februar 2026.") !=
          std::string::npos);
    CHECK(text.find("Intervjuordninga – resultatrapport") != std::string::npos);  // the table
    CHECK(html.find("<p class=\"mail-intro\">Her er rapporten") != std::string::npos);
    CHECK(html.find("<dd>Oslo kommune</dd>") != std::string::npos);  // the report, inline
    CHECK(html.find("Du får denne e-posten automatisk éin gong i månaden.") != std::string::npos);
  }
  CHECK(server->count("SELECT count(*) FROM report_sends WHERE tenant='oslo' AND "
                      "period='2026-02'") == 1);
  CHECK(server->wait_for_count(
            "SELECT count(*) FROM outbox WHERE kind='report_email' AND state='done'", 1) == 1);

  // The same display_name in the report over HTTP (issue 19).
  for (const char* format : {"html", "json"}) {
    const testing::HttpAnswer r = testing::http_request(
        "GET", server->url(std::string("/v1/tenants/oslo/report?format=") + format),
        {{"Authorization", "Bearer oslo-token-1"}});
    CHECK(r.status == 200);
    CHECK(r.body.find(std::string(format) == "html"
                          ? "<dd>Oslo kommune</dd>"
                          : "\"organisation\": \"Oslo kommune\"") != std::string::npos);
  }

  // A restart within the same month: the period is recorded, nothing is sent again.
  server->child().signal(SIGTERM);
  REQUIRE(server->child().wait(15000) == 0);
  REQUIRE_MESSAGE(server->start(), server->log());
  // The scheduler runs on the maintenance thread's first tick, at start; the worker polls
  // every 2 s. Three seconds cover both.
  std::this_thread::sleep_for(3s);
  CHECK(emails_in(smtp.dir.path()).size() == 1);
  CHECK(server->count("SELECT count(*) FROM outbox WHERE kind='report_email'") == 1);
  CHECK(server->log().find("\"msg\":\"scheduled report enqueued\"") != std::string::npos);

  // A month later (a restart with the clock in April): March's report, and only that.
  server->child().signal(SIGTERM);
  REQUIRE(server->child().wait(15000) == 0);
  server = std::make_unique<testing::MangfoldProcess>(MANGFOLD_BINARY, path("mangfold.yaml"),
                                                      path("db/m.db"), path("server.log"),
                                                      std::vector<std::string>{kApril});
  REQUIRE_MESSAGE(server->start(), server->log());
  mails = wait_for_emails(smtp.dir.path(), 2);
  REQUIRE(mails.size() == 2);
  std::this_thread::sleep_for(3s);
  CHECK(emails_in(smtp.dir.path()).size() == 2);
  const nlohmann::json second = parse_mail(mails[1]);
  CHECK(second.at("headers").at("Subject") ==
        "Intervjuordninga: rapport for mars 2026 – Oslo kommune");
  CHECK(server->count("SELECT count(*) FROM report_sends WHERE tenant='oslo'") == 2);
  server->child().signal(SIGTERM);
  CHECK(server->child().wait(15000) == 0);
}

TEST_CASE("report_email in the tenant config: errors name the file, line and key") {
  testing::TempDir dir;
  auto path = [&dir](const std::string& name) { return dir.path() + "/" + name; };
  testing::write_file(path("oslo.whsec"), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  testing::write_file(path("p.key"), "0123456789abcdef0123456789abcdef0123456789abcdef");
  testing::write_file(
      path("mangfold.yaml"),
      "listen: {address: 127.0.0.1, port: 0}\nstorage: {sqlite: db/m.db}\n"
      "tenants:\n  oslo:\n    policy: " +
          kRoot +
          "/policies/oslo.yaml\n    signature: {secret: {file: oslo.whsec}}\n"
          "    pseudonyms: {key: {file: p.key}}\n"
          "    report_email:\n      recipients: [hr@oslo.example.no, not-an-address]\n"
          "      language: se\n      every: month\n");
  const testing::CommandResult r = testing::run({MANGFOLD_BINARY, "check", path("mangfold.yaml")});
  INFO(r.out << r.err);
  CHECK(r.exit_code != 0);
  const std::string all = r.out + r.err;
  CHECK(all.find("mangfold.yaml:9") != std::string::npos);
  CHECK(all.find("tenants.oslo.report_email.recipients[1]") != std::string::npos);
  CHECK(all.find("mangfold.yaml:10") != std::string::npos);
  CHECK(all.find("tenants.oslo.report_email.language") != std::string::npos);
  CHECK(all.find("tenants.oslo.report_email.every") != std::string::npos);
}
