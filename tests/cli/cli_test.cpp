// The `mangfold` binary's commands, run as a user would run them.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/support/process.hpp"

using mangfold::testing::run;

namespace {

const std::string kRoot = MANGFOLD_SOURCE_DIR;
const std::string kBinary = MANGFOLD_BINARY;

mangfold::testing::CommandResult mangfold_cmd(std::vector<std::string> args) {
  args.insert(args.begin(), kBinary);
  return run(args);
}

std::string fixture(const std::string& name) {
  return kRoot + "/tests/fixtures/" + name;
}

}  // namespace

TEST_CASE("--version and --help") {
  auto v = mangfold_cmd({"--version"});
  CHECK(v.exit_code == 0);
  CHECK(v.out.rfind("mangfold ", 0) == 0);
  auto h = mangfold_cmd({"--help"});
  CHECK(h.exit_code == 0);
  for (const char* command : {"check", "simulate", "serve"})
    CHECK(h.out.find(command) != std::string::npos);
  CHECK(h.out.find("Exit status (every command):") != std::string::npos);
  CHECK(h.out.find("2  usage or configuration error") != std::string::npos);
  auto serve = mangfold_cmd({"serve", "--help"});
  CHECK(serve.out.find("/etc/mangfold/mangfold.yaml") != std::string::npos);  // the default
}

// `check` reads every secret a config names, as serve will; --no-secrets skips them.
TEST_CASE("check reports a missing or malformed secret, and --no-secrets skips them") {
  mangfold::testing::TempDir dir;
  const std::string config = dir.path() + "/mangfold.yaml";
  mangfold::testing::write_file(config,
                                "tenants:\n"
                                "  oslo:\n"
                                "    policy: " +
                                    kRoot +
                                    "/policies/oslo.yaml\n"
                                    "    signature:\n"
                                    "      secret: {file: oslo.whsec}\n"
                                    "    api_token: {file: oslo.token}\n"
                                    "    pseudonyms: {key: {file: oslo.pseudonym}}\n");
  mangfold::testing::write_file(dir.path() + "/oslo.pseudonym",
                                "cli-test-pseudonym-key-0123456789abcdef\n");
  auto missing = mangfold_cmd({"check", config});
  CAPTURE(missing.out);
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find(config + ":2:3: tenants.oslo.signature: cannot read secret file " +
                         dir.path() + "/oslo.whsec") != std::string::npos);
  CHECK(missing.out.find(config + ":2:3: tenants.oslo.api_token: cannot read secret file " +
                         dir.path() + "/oslo.token") != std::string::npos);

  auto skipped = mangfold_cmd({"check", "--no-secrets", config});
  CHECK(skipped.exit_code == 0);
  CHECK(skipped.out == config + ": ok (service config, 1 tenants, secrets not checked)\n");

  mangfold::testing::write_file(dir.path() + "/oslo.whsec", "not-a-whsec-secret\n");
  mangfold::testing::write_file(dir.path() + "/oslo.token", "token-1\n");
  auto malformed = mangfold_cmd({"check", config});
  CHECK(malformed.exit_code == 1);
  CHECK(malformed.out.find(config + ":2:3: tenants.oslo.signature: the secret in file " +
                           dir.path() + "/oslo.whsec is not valid") != std::string::npos);
  CHECK(malformed.out.find("api_token") == std::string::npos);

  mangfold::testing::write_file(dir.path() + "/oslo.whsec",
                                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
  auto ok = mangfold_cmd({"check", config});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == config + ": ok (service config, 1 tenants, secrets readable)\n");
}

TEST_CASE("usage errors exit 2 and say what is wrong") {
  auto none = mangfold_cmd({});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("subcommand") != std::string::npos);
  auto unknown = mangfold_cmd({"simulat"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err ==
        "mangfold: unknown command 'simulat' (did you mean 'simulate'?); see "
        "mangfold --help\n");
  auto no_config = mangfold_cmd({"serve", "--config", "/nonexistent/mangfold.yaml"});
  CHECK(no_config.exit_code == 2);
  CHECK(no_config.err == "mangfold serve: no config file at /nonexistent/mangfold.yaml\n");
  auto missing = mangfold_cmd({"simulate", "--policy", kRoot + "/policies/oslo.yaml"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("--snapshot") != std::string::npos);
}

TEST_CASE("every shipped policy, base and example config passes check") {
  auto r =
      mangfold_cmd({"check", kRoot + "/policies/oslo.yaml", kRoot + "/policies/sarpsborg.yaml",
                    kRoot + "/policies/bergen.yaml", kRoot + "/policies/imdi.yaml",
                    kRoot + "/policies/staten.yaml", kRoot + "/policies/base/common.yaml",
                    kRoot + "/policies/base/invite-one.yaml", kRoot + "/policies/base/staten.yaml",
                    "--no-secrets", kRoot + "/examples/mangfold.yaml"});
  CAPTURE(r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(kRoot + "/policies/imdi.yaml: ok (policy imdi 2026.2, 4 rules)") !=
        std::string::npos);
  CHECK(r.out.find(kRoot + "/policies/staten.yaml: ok (policy staten 2026.1, 6 rules)") !=
        std::string::npos);
  CHECK(r.out.find(kRoot + "/policies/base/common.yaml: ok (base policy, 1 rules)") !=
        std::string::npos);
  CHECK(
      r.out.find(kRoot +
                 "/examples/mangfold.yaml: ok (service config, 4 tenants, secrets not checked)") !=
      std::string::npos);
}

TEST_CASE("a broken policy fails check with one line per problem") {
  auto r = mangfold_cmd({"check", fixture("policies/broken_example.yaml")});
  CHECK(r.exit_code == 1);
  const std::string f = fixture("policies/broken_example.yaml");
  CHECK(
      r.out ==
      f + ":11:5: rules.invite_one.sope: unknown key (did you mean 'scope'?)\n" + f +
          ":9:12: rules.invite_one.group: unknown target group 'immigrant_background' (did you "
          "mean 'immigrant-background'?)\n" +
          f +
          ":10:16: rules.invite_one.min_count: expected a whole number from 0 to 10000, got -1\n" +
          f +
          ":15:5: rules.encourage.sentences: no sentence for declared language 'nn' (languages: "
          "nb, nn)\n4 problems\n");
}

TEST_CASE("a broken service config names file, line and key") {
  auto r = mangfold_cmd({"check", fixture("config/broken_service.yaml")});
  CHECK(r.exit_code == 1);
  const std::string f = fixture("config/broken_service.yaml");
  CHECK(r.out.find(f + ":2:9: listen.port: expected a whole number from 0 to 65535, got 80800") !=
        std::string::npos);
  CHECK(r.out.find(f + ":7:5: tenants.oslo.adaptor: unknown key (did you mean 'adapter'?)") !=
        std::string::npos);
  CHECK(r.out.find(f + ":10:7: tenants.oslo.signature.secret: give exactly one of env, file or "
                       "credential") != std::string::npos);
  CHECK(
      r.out.find(f + ":6:3: tenants.oslo: no pseudonym key: add pseudonyms: {key: {file: PATH}}") !=
      std::string::npos);
}

// `simulate` prints the verdict with its arithmetic; the text is pinned for the examples.
TEST_CASE("simulate output is pinned for the example snapshots") {
  struct Case {
    const char* policy;
    const char* snapshot;
  };
  for (const Case c :
       {Case{"imdi", "imdi-shortfall"}, Case{"imdi", "imdi-compliant"},
        Case{"oslo", "oslo-screening"}, Case{"bergen", "bergen-recommendation"},
        Case{"sarpsborg", "sarpsborg-compliant"}, Case{"staten", "staten-interviewing"}}) {
    CAPTURE(c.snapshot);
    auto r = mangfold_cmd({"simulate", "--policy", kRoot + "/policies/" + c.policy + ".yaml",
                           "--snapshot", kRoot + "/examples/snapshots/" + c.snapshot + ".json",
                           "--as-of", "2026-11-23"});
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(r.out ==
          mangfold::testing::read_file(fixture(std::string("simulate/") + c.snapshot + ".txt")));
  }
}

TEST_CASE("simulate shows the daily digest a notice joins, and when its reminder would") {
  mangfold::testing::TempDir dir;
  mangfold::testing::write_file(dir.path() + "/digest.yaml",
                                "extends: " + kRoot +
                                    "/policies/oslo.yaml\nnotifications:\n  daily_digest: "
                                    "true\n  digest_time: \"06:30\"\n");
  auto r =
      mangfold_cmd({"simulate", "--policy", dir.path() + "/digest.yaml", "--snapshot",
                    kRoot + "/examples/snapshots/oslo-screening.json", "--as-of", "2026-11-23"});
  CHECK(r.exit_code == 0);
  // --as-of is midnight UTC, 01:00 in Norway: the digest goes out the same morning. In the
  // policy's language (bokmål), although the ad is in nynorsk: the language is the reader's.
  CHECK(r.out.find("\ndaily digest at 2026-11-23 06:30 (Norwegian time), with this vacancy's "
                   "notices, to ola.nordmann@oslo.example.no\nSubject: Intervjuordningen: daglig "
                   "oversikt 23. november 2026 – 1 stilling trenger oppfølging\n") !=
        std::string::npos);
  CHECK(r.out.find("\nreminder: joins the daily digest of 2026-11-28 06:30 if the rule is still "
                   "not met\n") != std::string::npos);
  CHECK(r.out.find("\nemail") == std::string::npos);
}

TEST_CASE("simulate --json is machine-readable and agrees with the text") {
  auto r = mangfold_cmd({"simulate", "--json", "--policy", kRoot + "/policies/imdi.yaml",
                         "--snapshot", kRoot + "/examples/snapshots/imdi-shortfall.json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j.at("overall") == "shortfall");
  CHECK(j.at("policy_id") == "imdi");
  CHECK(j.at("policy_version") == "2026.2");
  nlohmann::json rule;
  for (const auto& candidate : j.at("rules"))
    if (candidate.at("rule") == "half_of_invited") rule = candidate;
  REQUIRE(rule.is_object());
  CHECK(rule.at("counts").at("qualified_in_group") == 2);
  CHECK(rule.at("counts").at("invited") == 6);
  CHECK(rule.at("counts").at("invited_in_group") == 1);
  CHECK(rule.at("counts").at("required") == 2);
  CHECK(rule.at("missing") == 1);
  // The notifications the verdict plans: the shortfall now, its reminder five days on.
  auto r2 =
      mangfold_cmd({"simulate", "--json", "--policy", kRoot + "/policies/imdi.yaml", "--snapshot",
                    kRoot + "/examples/snapshots/imdi-shortfall.json", "--as-of", "2026-11-23"});
  const auto n = nlohmann::json::parse(r2.out).at("notifications");
  REQUIRE(n.size() == 2);
  CHECK(n[0].at("kind") == "email");
  CHECK(n[0].at("template") == "shortfall");
  CHECK(n[0].at("rule") == "half_of_invited");
  CHECK(n[0].at("to") == nlohmann::json::array({"kari.eksempel@imdi.example.no"}));
  CHECK(n[0].at("due") == "2026-11-23 01:00");
  CHECK(n[1].at("template") == "reminder");
  CHECK(n[1].at("due") == "2026-11-28 01:00");
}

TEST_CASE(
    "simulate reports a snapshot that does not map, by JSON Pointer, without echoing values") {
  mangfold::testing::TempDir dir;
  const std::string snapshot = dir.path() + "/bad.json";
  mangfold::testing::write_file(
      snapshot,
      R"({"vacancy": {"id": 1}, "applications": [{"candidate_id": 7, "answers": {"immigrant_background": "kanskje"}}]})");
  auto r =
      mangfold_cmd({"simulate", "--policy", kRoot + "/policies/oslo.yaml", "--snapshot", snapshot});
  CHECK(r.exit_code == 1);
  CHECK(r.err == snapshot + ": /applications/0/answers: expected \"yes\", \"no\" or \"unknown\"\n");
  CHECK(r.err.find("kanskje") == std::string::npos);

  mangfold::testing::write_file(snapshot, "{\"vacancy\": {\"id\": 1},\n  \"applications\": [}");
  r = mangfold_cmd({"simulate", "--policy", kRoot + "/policies/oslo.yaml", "--snapshot", snapshot});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("malformed JSON at line 2, column 20") != std::string::npos);
}

TEST_CASE("audit-feed lists exactly the ads that lack the sentence") {
  const std::string feed = fixture("webcruiter_feed/sample.xml");
  auto r = mangfold_cmd({"audit-feed", feed, "--policy", kRoot + "/policies/oslo.yaml"});
  CHECK(r.exit_code == 1);
  CHECK(r.out ==
        "advert      lang  encourage_applicants  title\n"
        "4100000001  nb    present               Rådgiver integrering - Flyktningtjenesten\n"
        "4100000002  nn    MISSING               Renholdsoperatør - helgestillinger\n"
        "2 ads, 1 does not comply\n"
        "  encourage_applicants MISSING            1 ad\n");

  auto j = mangfold_cmd({"audit-feed", "--json", feed, "--policy", kRoot + "/policies/imdi.yaml"});
  CHECK(j.exit_code == 1);
  const auto ads = nlohmann::json::parse(j.out);
  REQUIRE(ads.size() == 2);
  CHECK(ads[0].at("complies") == true);
  CHECK(ads[1].at("complies") == false);
  CHECK(ads[1].at("rules").at("encourage_applicants").at("outcome") == "shortfall");
  CHECK(ads[1].at("rules").at("diversity_goals").at("outcome") == "shortfall");

  // An ad-free feed complies; a broken one cannot be read (exit 2).
  mangfold::testing::TempDir dir;
  mangfold::testing::write_file(dir.path() + "/empty.xml",
                                "<rss version=\"2.0\"><channel></channel></rss>");
  CHECK(mangfold_cmd(
            {"audit-feed", dir.path() + "/empty.xml", "--policy", kRoot + "/policies/oslo.yaml"})
            .exit_code == 0);
  mangfold::testing::write_file(dir.path() + "/bad.xml", "<rss>");
  CHECK(mangfold_cmd(
            {"audit-feed", dir.path() + "/bad.xml", "--policy", kRoot + "/policies/oslo.yaml"})
            .exit_code == 2);
}

TEST_CASE("audit-feed flags excluding wording, sums up each kind, and reports progress") {
  const std::string feed = fixture("webcruiter_feed/excluding_wording.xml");
  const std::string policy = fixture("policies/ad_language.yaml");
  auto r = mangfold_cmd({"audit-feed", feed, "--policy", policy, "--progress"});
  CHECK(r.exit_code == 1);
  CHECK(r.out ==
        "advert      lang  encourage_applicants  excluding_wording     title\n"
        "4100000101  nb    present               FLAGGED               Saksbehandler - byggesak\n"
        "4100000102  nn    present               FLAGGED               Fagarbeidar - verkstad\n"
        "4100000103  en    present               FLAGGED               Adviser - planning\n"
        "3 ads, 3 do not comply\n"
        "  excluding_wording mother_tongue         2 ads\n"
        "  excluding_wording young_environment     1 ad\n"
        "  excluding_wording perfect_norwegian     1 ad\n"
        "  excluding_wording gendered_title        1 ad\n");
  // Progress goes to stderr only, so the table stays clean for scripts.
  CHECK(r.err.find("audit-feed: 3/3 ads checked") != std::string::npos);

  auto j = mangfold_cmd({"audit-feed", "--json", feed, "--policy", policy});
  const auto ads = nlohmann::json::parse(j.out);
  REQUIRE(ads.size() == 3);
  const auto& first = ads[0].at("excluding_wording");
  REQUIRE(first.size() == 2);
  CHECK(first[0].at("id") == "mother_tongue");
  CHECK(first[0].at("found") == "norsk som morsmål");
  CHECK(first[0].at("source").get<std::string>().find("LDO") != std::string::npos);
  CHECK(first[1].at("id") == "young_environment");
  CHECK(ads[2].at("excluding_wording")[0].at("found") == "native norwegian");
}

TEST_CASE("simulate reads a raw Webcruiter webhook through the tenant's adapter") {
  mangfold::testing::TempDir dir;
  mangfold::testing::write_file(dir.path() + "/wc.hex", "00112233445566778899aabbccddeeff");
  mangfold::testing::write_file(dir.path() + "/p.key",
                                "0123456789abcdef0123456789abcdef0123456789abcdef");
  mangfold::testing::write_file(dir.path() + "/mangfold.yaml",
                                "tenants:\n  oslo:\n    adapter: webcruiter\n    policy: " + kRoot +
                                    "/policies/oslo.yaml\n"
                                    "    signature: {scheme: hmac, header: "
                                    "X-Signature-Base64HmacSha256, encoding: base64, prefix: \"\", "
                                    "secret_encoding: hex, secret: {file: wc.hex}}\n"
                                    "    pseudonyms: {key: {file: p.key}}\n"
                                    "    adapter_options:\n"
                                    "      statuses: {1: applied, 2: {stage: applied, "
                                    "qualification: qualified}, 3: {stage: applied, "
                                    "qualification: not_qualified}, 4: interview, 5: interviewed, "
                                    "6: recommended, 7: offered, 8: hired, "
                                    "9: rejected, 10: withdrawn}\n"
                                    "      target_groups: {immigrant_background: {question: 9001, "
                                    "yes: [Ja, 1], no: [Nei, 2]}}\n");
  auto r = mangfold_cmd({"simulate", "--config", dir.path() + "/mangfold.yaml", "--tenant", "oslo",
                         "--event", kRoot + "/examples/webcruiter/fat-event.json", "--as-of",
                         "2026-11-23"});
  CAPTURE(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("vacancy 4100000001", 0) == 0);
  CHECK(r.out.find("invite_one (interview_minimum, group immigrant_background)") !=
        std::string::npos);

  // A thin event needs the ATS's API, which this tenant has not configured.
  auto thin = mangfold_cmd({"simulate", "--config", dir.path() + "/mangfold.yaml", "--tenant",
                            "oslo", "--event", kRoot + "/examples/webcruiter/thin-event.json"});
  CHECK(thin.exit_code == 1);
  CHECK(thin.err.find("ids only") != std::string::npos);
}

// Webcruiter cannot change an advert: an inject rule would silently change nothing.
TEST_CASE("check refuses mode: inject for a Webcruiter tenant and passes the shipped example") {
  mangfold::testing::TempDir dir;
  mangfold::testing::write_file(
      dir.path() + "/mangfold.yaml",
      "tenants:\n  oslo:\n    adapter: webcruiter\n    policy: " + kRoot +
          "/policies/oslo.yaml\n"
          "    signature: {scheme: hmac, header: X-Sig, secret: {file: wc.hex}}\n"
          "    pseudonyms: {key: {file: p.key}}\n"
          "    adapter_options:\n"
          "      statuses: {1: applied}\n");
  auto r = mangfold_cmd({"check", "--no-secrets", dir.path() + "/mangfold.yaml"});
  CAPTURE(r.out);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find(dir.path() +
                   "/mangfold.yaml:2:3: tenants.oslo.policy: rule "
                   "'encourage_applicants' of " +
                   kRoot + "/policies/oslo.yaml has mode: inject, but the webcruiter adapter") !=
        std::string::npos);

  auto shipped =
      mangfold_cmd({"check", "--no-secrets", kRoot + "/examples/webcruiter/mangfold.yaml"});
  CAPTURE(shipped.out);
  CHECK(shipped.exit_code == 0);
}

TEST_CASE("check a generic tenant: the mapping's warning, and a bad account id at its line") {
  mangfold::testing::TempDir dir;
  const std::string config = dir.path() + "/mangfold.yaml";
  auto write = [&](const std::string& options) {
    mangfold::testing::write_file(
        config, "tenants:\n  wk:\n    adapter: generic\n    adapter_options: {mapping: " + kRoot +
                    "/examples/generic/workable/mapping.yaml, config: " + options +
                    "}\n    policy: " + kRoot +
                    "/policies/oslo.yaml\n    signature: {scheme: mapping}\n"
                    "    pseudonyms: {key: {env: P_KEY}}\n");
  };
  const std::vector<std::string> env{"P_KEY=0123456789abcdef0123456789abcdef",
                                     "WORKABLE_WEBHOOK_KEY=k", "WORKABLE_API_TOKEN=k"};
  write("{subdomain: oslo-kommune}");
  auto ok = run({"/usr/bin/env", env[0], env[1], env[2], kBinary, "check", config});
  CAPTURE(ok.out);
  CAPTURE(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("/examples/generic/workable/mapping.yaml:22:1: signature: warning: no "
                    "timestamp") != std::string::npos);

  write("{subdomain: \"evil.example/x\"}");
  auto bad = run({"/usr/bin/env", env[0], env[1], env[2], kBinary, "check", config});
  CAPTURE(bad.out);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find(config + ":4:") != std::string::npos);
  CHECK(bad.out.find("tenants.wk.adapter_options.config.subdomain: expected 1 to 128 letters") !=
        std::string::npos);
}
