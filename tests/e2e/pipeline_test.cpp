// The whole pipeline through the real binary: ATS event in, verdict stored, email out
// (a real SMTP server, or the .eml spool), Webcruiter thin events fetched from a fake
// Candidate API, and reconcile healing a missed webhook.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/webhook/signature.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mangfold_process.hpp"
#include "tests/support/process.hpp"
#include "tests/webcruiter/fake_webcruiter.hpp"

using namespace mangfold;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;
const std::string kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kTalentechKeyHex = "00112233445566778899aabbccddeeff";

std::int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::pair<std::string, std::string>> standard_headers(const std::string& id,
                                                                  const std::string& body) {
  auto secret = webhook::parse_standard_webhooks_secret(kSecret);
  const std::int64_t at = now_unix();
  return {{"Content-Type", "application/json"},
          {"webhook-id", id},
          {"webhook-timestamp", std::to_string(at)},
          {"webhook-signature", webhook::sign_standard_webhooks(id, at, body, *secret)}};
}

std::vector<std::pair<std::string, std::string>> talentech_headers(const std::string& body) {
  webhook::HmacHeaderScheme scheme = webhook::talentech_scheme();
  auto key = webhook::decode_secret(kTalentechKeyHex, webhook::SecretEncoding::kHex);
  return {{"Content-Type", "application/json"},
          {"X-Signature-Base64HmacSha256", webhook::sign_hmac_header(scheme, body, *key)}};
}

// A native event whose vacancy falls short (Oslo: invite one; none of the two invited).
std::string shortfall_event(const std::string& id, const std::string& canary) {
  return nlohmann::json{
      {"event", {{"id", id}}},
      {"vacancy",
       {{"id", "v-mail"},
        {"title", "Rådgiver – Bydel Søndre Nordstrand"},
        {"manager", {{"name", "Åse Ødegård"}, {"email", "ase.odegard@oslo.example.no"}}},
        {"ad",
         {{"language", "nb"},
          {"body",
           "<p>Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke "
           "stillingen.</p>"}}}}},
      {"applications",
       {{{"candidate_id", "cand-" + canary + "-1"},
         {"stage", "applied"},
         {"qualification", "qualified"},
         {"answers", {{"immigrant_background", "yes"}}}},
        {{"candidate_id", "cand-" + canary + "-2"},
         {"stage", "interview"},
         {"qualification", "qualified"},
         {"answers", {{"immigrant_background", "no"}}}}}}}
      .dump();
}

// A service in a temporary folder with the given tenants (YAML under `tenants:`) and mail settings.
struct Service {
  testing::TempDir dir;
  std::unique_ptr<testing::MangfoldProcess> server;

  Service(const std::string& tenants, const std::string& mail,
          const std::string& storage_extra = "", std::vector<std::string> env = {}) {
    testing::write_file(path("oslo.whsec"), kSecret);
    testing::write_file(path("talentech.hex"), kTalentechKeyHex);
    testing::write_file(path("gh.key"), "greenhouse-secret");
    testing::write_file(path("ashby.key"), "ashby-secret");
    testing::write_file(path("oslo.token"), "oslo-token-1");
    testing::write_file(path("p.key"), "0123456789abcdef0123456789abcdef0123456789abcdef");
    testing::write_file(path("wc.token"), "wc-token-2");
    testing::write_file(path("mangfold.yaml"),
                        "listen: {address: 127.0.0.1, port: 0}\nstorage: {sqlite: db/m.db" +
                            storage_extra + "}\nmail: " + mail + "\ntenants:\n" + tenants);
    server = std::make_unique<testing::MangfoldProcess>(MANGFOLD_BINARY, path("mangfold.yaml"),
                                                        path("db/m.db"), path("server.log"),
                                                        std::move(env));
    REQUIRE_MESSAGE(server->start(), server->log());
  }
  std::string path(const std::string& name) const { return dir.path() + "/" + name; }
  testing::HttpAnswer post(const std::string& tenant, const std::string& body,
                           const std::vector<std::pair<std::string, std::string>>& headers) {
    return testing::http_request("POST", server->url("/hooks/" + tenant), headers, body);
  }
};

std::string oslo_tenant() {
  return "  oslo:\n    policy: " + kRoot +
         "/policies/oslo.yaml\n    signature: {secret: {file: oslo.whsec}}\n" +
         std::string("    pseudonyms: {key: {file: p.key}}\n");
}

std::vector<fs::path> files_with_extension(const std::string& dir, const std::string& ext) {
  std::vector<fs::path> out;
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ext) out.push_back(e.path());
  return out;
}

std::vector<fs::path> wait_for_files(const std::string& dir, const std::string& ext, size_t n,
                                     int seconds = 15) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  auto found = files_with_extension(dir, ext);
  while (found.size() < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    found = files_with_extension(dir, ext);
  }
  return found;
}

}  // namespace

TEST_CASE("a shortfall mails the manager exactly once through a real SMTP server") {
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

  Service s(oslo_tenant(), "{smtp_url: \"smtp://127.0.0.1:" + std::to_string(smtp_port) +
                               "\", from: \"Mangfold <mangfold@oslo.example.no>\"}");
  const std::string canary = "CANARY7731";
  const std::string body = shortfall_event("evt-mail-1", canary);
  CHECK(s.post("oslo", body, standard_headers("evt-mail-1", body)).status == 200);
  CHECK(s.post("oslo", body, standard_headers("evt-mail-1", body)).status == 200);  // redelivery
  const std::string again = shortfall_event("evt-mail-2", canary);  // same state again
  CHECK(s.post("oslo", again, standard_headers("evt-mail-2", again)).status == 200);

  auto messages = wait_for_files(smtp_dir.path(), ".eml", 1);
  REQUIRE(messages.size() == 1);
  std::this_thread::sleep_for(3s);  // more than the worker's poll interval: nothing else may come
  CHECK(files_with_extension(smtp_dir.path(), ".eml").size() == 1);

  // Parsed with Python's standard MIME parser.
  auto parsed = testing::run(
      {"/usr/bin/python3", kRoot + "/tests/notify/mail_check.py", messages[0].string()});
  REQUIRE(parsed.exit_code == 0);
  const auto mail = nlohmann::json::parse(parsed.out);
  INFO(parsed.out);
  const std::string raw = testing::read_file(messages[0].string());
  CHECK(raw.find(canary) == std::string::npos);
  CHECK(parsed.out.find(canary) == std::string::npos);
  CHECK(mail.at("to").at(0).at("email") == "ase.odegard@oslo.example.no");
  CHECK(mail.at("to").at(0).at("name") == "Åse Ødegård");  // RFC 2047, decoded
  CHECK(mail.at("headers").at("Subject").get<std::string>().find(
            "Rådgiver – Bydel Søndre Nordstrand") != std::string::npos);
  CHECK(mail.at("defects").empty());
  REQUIRE(mail.at("parts").size() == 2);
  CHECK(mail.at("parts").at(0).at("content_type") == "text/plain");
  CHECK(mail.at("parts").at(1).at("content_type") == "text/html");
  CHECK(mail.at("parts").at(0).at("content").get<std::string>().find(
            "Rådgiver – Bydel Søndre Nordstrand") != std::string::npos);
  CHECK(s.server->count("SELECT count(*) FROM outbox WHERE kind='email' AND state='done'") == 1);
}

TEST_CASE("without an SMTP server, emails are .eml files in the spool folder") {
  Service s(oslo_tenant(), "{spool_dir: mail}");
  const std::string body = shortfall_event("evt-spool", "SPOOLCANARY");
  CHECK(s.post("oslo", body, standard_headers("evt-spool", body)).status == 200);
  auto files = wait_for_files(s.path("mail"), ".eml", 1);
  REQUIRE(files.size() == 1);
  const std::string eml = testing::read_file(files[0].string());
  CHECK(eml.find("multipart/alternative") != std::string::npos);
  CHECK(eml.find("SPOOLCANARY") == std::string::npos);
}

TEST_CASE("a tenant with a daily digest mails nothing at once and queues the notice for 07:00") {
  testing::TempDir policies;
  testing::write_file(policies.path() + "/digest.yaml",
                      "extends: " + kRoot +
                          "/policies/oslo.yaml\nid: oslo-digest\nnotifications:\n  "
                          "daily_digest: true\n  digest_time: \"07:00\"\n");
  Service s(oslo_tenant() + "  digest:\n    policy: " + policies.path() +
                "/digest.yaml\n    signature: {secret: {file: oslo.whsec}}\n"
                "    pseudonyms: {key: {file: p.key}}\n",
            "{spool_dir: mail}");
  const std::string digest_body = shortfall_event("evt-digest", "DIGESTCANARY");
  CHECK(s.post("digest", digest_body, standard_headers("evt-digest", digest_body)).status == 200);
  const std::string body = shortfall_event("evt-now", "NOWCANARY");
  CHECK(s.post("oslo", body, standard_headers("evt-now", body)).status == 200);
  // The immediate tenant's email is written; the digest tenant's notice (and its reminder)
  // wait as rows, the notice due at the next 07:00 in Norway (06:00 or 05:00 UTC).
  REQUIRE(wait_for_files(s.path("mail"), ".eml", 1).size() == 1);
  CHECK(s.server->wait_for_count(
            "SELECT count(*) FROM outbox WHERE tenant = 'digest' AND kind = 'digest' AND "
            "state = 'pending' AND batch_key LIKE 'digest:%'",
            2) == 2);
  const std::int64_t now = now_unix();
  const long long due =
      s.server->count("SELECT not_before FROM outbox WHERE tenant = 'digest' AND kind = 'digest'");
  CHECK(due > now);
  CHECK(due <= now + 86400);
  CHECK(((due % 86400) == 6 * 3600 || (due % 86400) == 5 * 3600));
  CHECK(s.server->count("SELECT count(*) FROM outbox WHERE tenant = 'digest' AND kind = 'email'") ==
        0);
  std::this_thread::sleep_for(500ms);
  const auto files = files_with_extension(s.path("mail"), ".eml");
  REQUIRE(files.size() == 1);
  const std::string eml = testing::read_file(files[0].string());
  CHECK(eml.find("DIGESTCANARY") == std::string::npos);
  CHECK(eml.find("NOWCANARY") == std::string::npos);
  const std::string metrics = testing::http_request("GET", s.server->url("/metrics"), {}, "").body;
  CHECK(metrics.find("mangfold_digest_notices_total 0") != std::string::npos);
}

namespace {

std::string webcruiter_tenant(const std::string& api) {
  return "  wc:\n    adapter: webcruiter\n    policy: " + kRoot +
         "/policies/sarpsborg.yaml\n"
         "    signature: {scheme: hmac, header: X-Signature-Base64HmacSha256, encoding: base64, "
         "prefix: \"\", "
         "secret_encoding: hex, secret: {file: talentech.hex}}\n"
         "    pseudonyms: {key: {file: p.key}}\n"
         "    adapter_options:\n"
         "      statuses: {1: applied, 2: {stage: applied, qualification: qualified}, 4: "
         "interview, 9: rejected}\n"
         "      target_groups: {immigrant_background: {question: 9001, yes: [Ja], no: [Nei]}}\n"
         "      api: {base_url: \"" +
         api +
         "\", auth: {api_key: {header: X-Api-Key, key: {file: talentech.hex}}}, cache_seconds: "
         "5}\n";
}

nlohmann::json fat_event(const std::string& event_id, int invited_status) {
  return {{"EventId", event_id},
          {"EventType", "AdvertCandidatesSnapshot"},
          {"AdvertId", 4100000001},
          {"Advert",
           {{"AdvertId", "4100000001"},
            {"title", "Rådgiver integrering"},
            {"Culture_Id", "NB-NO"},
            {"CONTACTINFO",
             {{"Contact",
               {{{"Name", "Åse"}, {"Title", "Enhetsleder"}, {"Email", "ase@example.org"}}}}}},
            {"description",
             "<p>Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke.</p>"}}},
          {"Candidates",
           {{{"CandidateId", 7001},
             {"CandidateStatusId", invited_status},
             {"CustomData", {{"9001", "Ja"}}}},
            {{"CandidateId", 7002}, {"CandidateStatusId", 4}, {"CustomData", {{"9001", "Nei"}}}}}}};
}

std::string thin_event(const std::string& event_id) {
  return nlohmann::json{{"EventId", event_id},
                        {"EventType", "CandidateRegistered"},
                        {"AdvertId", 4100000001},
                        {"CandidateId", 7001}}
      .dump();
}

}  // namespace

TEST_CASE(
    "Webcruiter: thin and fat events give the same verdict, a burst costs one fetch, reconcile "
    "heals") {
  webcruiter::testing::FakeWebcruiter api;
  api.require_api_key("X-Api-Key", kTalentechKeyHex);
  api.serve_fat_event(fat_event("state", 2));
  Service s(webcruiter_tenant(api.base_url()), "{spool_dir: mail}",
            ", reconcile_interval_seconds: 2");

  // The fat event carries the state; the thin one makes the connector fetch the same state.
  const std::string fat = fat_event("wc-fat-1", 2).dump();
  auto a = s.post("wc", fat, talentech_headers(fat));
  REQUIRE(a.status == 200);
  const std::string fat_verdict = nlohmann::json::parse(a.body).at("verdict");
  CHECK(fat_verdict == "shortfall");

  // 50 duplicate thin events at once: one fetch of the candidates, one verdict.
  const std::string thin = thin_event("wc-thin-1");
  std::vector<std::future<testing::HttpAnswer>> burst;
  for (int i = 0; i < 50; ++i)
    burst.push_back(std::async(std::launch::async,
                               [&] { return s.post("wc", thin, talentech_headers(thin)); }));
  int accepted = 0, duplicates = 0;
  for (auto& f : burst) {
    testing::HttpAnswer r = f.get();
    CHECK(r.status == 200);
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.value("status", "") == "accepted") {
      ++accepted;
      CHECK(j.at("verdict") == fat_verdict);
    }
    if (j.value("status", "") == "duplicate") ++duplicates;
  }
  CHECK(accepted == 1);
  CHECK(duplicates == 49);
  CHECK(api.count("candidates") == 1);
  // Both verdicts for the vacancy have the same outcome (the log keeps no counts, DESIGN.md
  // §4 rule 7), and the vacancy has one current verdict.
  CHECK(s.server->count("SELECT count(DISTINCT overall) FROM verdicts WHERE tenant='wc'") == 1);
  CHECK(s.server->count("SELECT count(*) FROM current_verdicts WHERE tenant='wc'") == 1);

  // The candidate is invited in the ATS, but that webhook never arrives: reconcile fetches
  // the open vacancy and stores the compliant verdict.
  api.serve_fat_event(fat_event("state", 4));
  CHECK(s.server->wait_for_count(
            "SELECT count(*) FROM verdicts WHERE tenant='wc' AND overall='compliant'", 1, 20) >= 1);
  CHECK(s.server->log().find("\"msg\":\"synced\"") != std::string::npos);
  // Later passes find nothing new and log no further verdict.
  auto passes = [&s] {
    const std::string log = s.server->log();
    size_t n = 0;
    for (size_t at = log.find("\"msg\":\"synced\""); at != std::string::npos;
         at = log.find("\"msg\":\"synced\"", at + 1))
      ++n;
    return n;
  };
  const size_t before = passes();
  for (int i = 0; i < 300 && passes() < before + 2; ++i)
    std::this_thread::sleep_for(50ms);
  REQUIRE(passes() >= before + 2);
  CHECK(s.server->count(
            "SELECT count(*) FROM verdicts WHERE tenant='wc' AND overall='compliant'") == 1);
  CHECK(s.server->log().find("\"unchanged\":true") != std::string::npos);
}

TEST_CASE(
    "each generic example mapping takes a signed request through the server to a stored verdict") {
  const std::string ex = kRoot + "/examples/generic/";
  const std::string tenants =
      "  greenhouse:\n    adapter: generic\n    adapter_options: {mapping: " + ex +
      "greenhouse/mapping.yaml}\n" + "    policy: " + kRoot + "/policies/oslo.yaml\n" +
      "    signature: {scheme: hmac, header: Signature, encoding: hex, prefix: \"\", secret: "
      "{file: gh.key}}\n"
      "    pseudonyms: {key: {file: p.key}}\n" +
      "  ashby:\n    adapter: generic\n    adapter_options: {mapping: " + ex +
      "ashby/mapping.yaml}\n" + "    policy: " + kRoot + "/policies/oslo.yaml\n" +
      "    signature: {scheme: hmac, header: Ashby-Signature, encoding: hex, prefix: \"sha256=\", "
      "secret: {file: ashby.key}}\n"
      "    pseudonyms: {key: {file: p.key}}\n";
  Service s(tenants, "{spool_dir: mail}", "",
            {"GREENHOUSE_HARVEST_KEY=test", "ASHBY_API_KEY=test", "TEAMTAILOR_API_KEY=test",
             "TEAMTAILOR_WEBHOOK_KEY=mangfold-example-teamtailor-key"});
  auto hmac_hex = [](const std::string& key, const std::string& body) {
    webhook::HmacHeaderScheme scheme = webhook::github_scheme();
    scheme.prefix = "";
    return webhook::sign_hmac_header(scheme, body, webhook::Secret{key});
  };

  SUBCASE("Greenhouse") {
    const std::string body = testing::read_file(ex + "greenhouse/payloads/job_created.json");
    auto a = s.post("greenhouse", body,
                    {{"Content-Type", "application/json"},
                     {"Greenhouse-Event-ID", "gh-e2e-1"},
                     {"Signature", "sha256 " + hmac_hex("greenhouse-secret", body)}});
    CHECK_MESSAGE(a.status == 200, a.body);
    CHECK(s.server->count("SELECT count(*) FROM verdicts WHERE tenant='greenhouse'") == 1);
    auto forged = s.post("greenhouse", body,
                         {{"Content-Type", "application/json"},
                          {"Greenhouse-Event-ID", "gh-e2e-2"},
                          {"Signature", "sha256 " + hmac_hex("wrong", body)}});
    CHECK(forged.status == 401);
  }
  SUBCASE("Ashby") {
    const std::string body = testing::read_file(ex + "ashby/payloads/jobCreate.json");
    auto a = s.post("ashby", body,
                    {{"Content-Type", "application/json"},
                     {"Ashby-Signature", "sha256=" + hmac_hex("ashby-secret", body)}});
    CHECK_MESSAGE(a.status == 200, a.body);
    CHECK(s.server->count("SELECT count(*) FROM verdicts WHERE tenant='ashby'") == 1);
  }
  // Teamtailor and the other vendors' examples: tests/generic/vendors_e2e_test.cpp.
}

namespace {

// Every regular file under `dir` that contains `needle`.
std::vector<std::string> files_containing(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() &&
        testing::read_file(e.path().string()).find(needle) != std::string::npos)
      hits.push_back(e.path().string());
  return hits;
}

}  // namespace

TEST_CASE(
    "privacy: self-declared answers with canary strings reach no file, log, email, report or "
    "answer") {
  const std::string canary = "CANARY-ZX81";
  const std::string tenants =
      oslo_tenant() + "    api_token: {file: oslo.token}\n" +
      "  wc:\n    adapter: webcruiter\n    policy: " + kRoot + "/policies/oslo.yaml\n" +
      "    signature: {scheme: hmac, header: X-Signature-Base64HmacSha256, encoding: base64, "
      "prefix: \"\", "
      "secret_encoding: hex, secret: {file: talentech.hex}}\n"
      "    pseudonyms: {key: {file: p.key}}\n"
      "    api_token: {file: wc.token}\n"
      "    adapter_options:\n"
      "      statuses: {1: applied, 2: {stage: applied, qualification: qualified}, 4: interview, "
      "8: hired}\n"
      "      target_groups: {immigrant_background: {question: 9001, yes: [Ja], no: [Nei]}}\n";
  Service s(tenants, "{spool_dir: mail}");

  // Webcruiter: canaries in answers that map and answers that do not.
  nlohmann::json wc = fat_event("wc-priv-1", 2);
  wc["Candidates"][0]["CustomData"] = {{"9001", "Ja"}, {"9002", canary + "-nationality"}};
  wc["Candidates"][1]["CustomData"] = {{"9001", canary + "-unmapped"},
                                       {"9003", canary + "-language"}};
  wc["Candidates"].push_back(
      {{"CandidateId", 7003}, {"CandidateStatusId", 8}, {"CustomData", {{"9001", "Nei"}}}});
  const std::string wc_body = wc.dump();
  CHECK(s.post("wc", wc_body, talentech_headers(wc_body)).status == 200);

  // Native: a valid shortfall (mails the manager), and an answer that is not yes/no/unknown.
  // (Candidate ids are the ATS's opaque ids and are kept with stage histories: no canary there.)
  const std::string good = shortfall_event("evt-priv-1", "opaque");
  CHECK(s.post("oslo", good, standard_headers("evt-priv-1", good)).status == 200);
  nlohmann::json bad = nlohmann::json::parse(shortfall_event("evt-priv-2", "x"));
  bad["applications"][0]["answers"]["immigrant_background"] = canary + "-answer";
  const std::string bad_body = bad.dump();
  testing::HttpAnswer refused = s.post("oslo", bad_body, standard_headers("evt-priv-2", bad_body));
  CHECK(refused.status == 422);
  CHECK(refused.body.find(canary) == std::string::npos);
  REQUIRE(wait_for_files(s.path("mail"), ".eml", 1).size() >= 1);

  // The reporting API: each tenant's own token only.
  auto get = [&](const std::string& tenant, const std::string& what, const std::string& token) {
    return testing::http_request("GET", s.server->url("/v1/tenants/" + tenant + "/" + what),
                                 {{"Authorization", "Bearer " + token}});
  };
  CHECK(get("oslo", "report", "wrong").status == 401);
  CHECK(get("oslo", "report", "wc-token-2").status == 401);  // another tenant's token
  CHECK(get("nowhere", "report", "oslo-token-1").status == 401);
  testing::HttpAnswer report = get("oslo", "report?format=html", "oslo-token-1");
  CHECK(report.status == 200);
  CHECK(report.body.find("<svg") != std::string::npos);
  testing::HttpAnswer vacancies = get("wc", "vacancies", "wc-token-2");
  CHECK(vacancies.status == 200);
  CHECK(vacancies.body.find("4100000001") != std::string::npos);
  for (const auto* a : {&report, &vacancies})
    CHECK(a->body.find(canary) == std::string::npos);
  auto cli =
      testing::run({MANGFOLD_BINARY, "report", "--config", s.path("mangfold.yaml"), "--tenant",
                    "wc", "--from", "2026-01", "--to", "2027-12", "--format", "json"});
  CHECK(cli.exit_code == 0);
  CHECK(cli.out.find(canary) == std::string::npos);

  // Stop, so that everything is flushed, then scan every file the connector wrote.
  s.server->child().signal(SIGTERM);
  CHECK(s.server->child().wait(15000) == 0);
  const std::vector<std::string> leaks = files_containing(s.dir.path(), canary);
  for (const std::string& leak : leaks)
    FAIL_CHECK("the canary is in " << leak);
  CHECK(!files_with_extension(s.path("db"), ".db").empty());  // the scan did cover the database
}
