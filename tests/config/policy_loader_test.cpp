// Loading policy files: exact file:line:column messages for each kind of mistake, and
// every shipped policy loading cleanly.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "connector/config/decoder.hpp"
#include "connector/config/policy_loader.hpp"

using namespace mangfold;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(MANGFOLD_SOURCE_DIR) + "/tests/fixtures/policies/";

// The diagnostics for a fixture, one per line, with paths relative to the fixtures folder.
std::string messages(const std::string& file) {
  config::PolicyLoad loaded = config::load_policy(kFixtures + file);
  std::string out;
  for (const auto& d : loaded.diagnostics) {
    std::string s = d.to_string();
    if (s.rfind(kFixtures, 0) == 0) s.erase(0, kFixtures.size());
    out += s + "\n";
  }
  CHECK(loaded.policy.has_value() == out.empty());
  return out;
}

std::string lines(std::initializer_list<std::string> ls) {
  std::string out;
  for (const auto& l : ls)
    out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("a typo'd key names file, line, column, key path and the likely key") {
  CHECK(
      messages("typo_key.yaml") ==
      lines(
          {"typo_key.yaml:9:5: rules.invite_one.min_cout: unknown key (did you mean 'min_count'?)",
           "typo_key.yaml:6:3: rules.invite_one: an interview_minimum rule needs min_count, "
           "min_share or both"}));
}

TEST_CASE("wrong types name what was expected") {
  CHECK(messages("wrong_type.yaml") == lines({"wrong_type.yaml:9:16: rules.invite_one.min_count: "
                                              "expected a whole number, got a string",
                                              "wrong_type.yaml:13:16: rules.half.min_share: "
                                              "expected a share above 0 and at most 1, such as 0.5 "
                                              "or \"50%\", got 1.5"}));
}

TEST_CASE("a declared language without a sentence is an error") {
  CHECK(messages("missing_sentence.yaml") ==
        lines({"missing_sentence.yaml:7:5: rules.encourage.sentences: no sentence for "
               "declared language 'nn' (languages: nb, nn, en)"}));
}

TEST_CASE("an extends cycle is caught") {
  CHECK(messages("cycle_a.yaml") == "cycle_b.yaml:1:10: extends: extends cycle: " + kFixtures +
                                        "cycle_a.yaml -> " + kFixtures + "cycle_b.yaml -> " +
                                        kFixtures + "cycle_a.yaml\n");
}

TEST_CASE("unknown target groups and rule types suggest the declared one") {
  CHECK(messages("unknown_group.yaml") ==
        lines({"unknown_group.yaml:2:10: version: expected a string, got an integer; quote it to "
               "use it as text: "
               "\"1\"",
               "unknown_group.yaml:8:12: rules.invite_one.group: unknown target group "
               "'imigrant_background' (did "
               "you mean 'immigrant_background'?)",
               "unknown_group.yaml:11:11: rules.justify.type: unknown rule type "
               "'hire_justificaton' (did you mean "
               "'hire_justification'?)"}));
}

TEST_CASE("extends merges key by key and errors keep the base's file") {
  CHECK(
      messages("extends_child.yaml") ==
      lines(
          {"extends_base.yaml:11:14: rules.broken.enabled: expected true or false, got a string"}));
}

TEST_CASE("a YAML syntax error names its position") {
  const std::string m = messages("syntax_error.yaml");
  CHECK(m.rfind("syntax_error.yaml:", 0) == 0);
  CHECK(m.find("YAML syntax") != std::string::npos);
  CHECK(std::count(m.begin(), m.end(), '\n') == 1);
}

TEST_CASE("a missing file is reported, not thrown") {
  const std::string m = messages("does_not_exist.yaml");
  CHECK(m.find("does_not_exist.yaml:1:1: cannot read the file") == 0);
  CHECK(std::count(m.begin(), m.end(), '\n') == 1);
}

TEST_CASE("extends: child values override the base, other keys are inherited") {
  config::ReadFile files = [](const std::string& path) -> Result<std::string> {
    if (path == "p/base.yaml")
      return std::string(
          "languages: [nb]\ntarget_groups: {g: {}}\nrules:\n  r: {type: interview_minimum, group: "
          "g, min_count: 1}\n"
          "notifications: {remind_after_days: 9}\n");
    if (path == "p/child.yaml")
      return std::string(
          "extends: base.yaml\nid: c\nversion: '3'\nrules:\n  r: {min_share: '50%'}\n");
    return not_found("no such file");
  };
  Result<policy::Policy> p = config::load_policy_or_error("p/child.yaml", files);
  REQUIRE(p.ok());
  CHECK(p->id == "c");
  CHECK(p->notifications.remind_after_days == 9);
  REQUIRE(p->rules.size() == 1);
  const auto& r = std::get<policy::InterviewMinimum>(p->rules[0].spec);
  CHECK(r.min_count == 1);
  CHECK(r.min_share_ppm == 500000);
}

TEST_CASE("shares are parsed exactly") {
  CHECK(config::parse_share("0.5") == 500000u);
  CHECK(config::parse_share("1") == 1000000u);
  CHECK(config::parse_share("50%") == 500000u);
  CHECK(config::parse_share("12.5 %") == 125000u);
  CHECK(config::parse_share("0.333333") == 333333u);
  CHECK_FALSE(config::parse_share("0").has_value());
  CHECK_FALSE(config::parse_share("1.5").has_value());
  CHECK_FALSE(config::parse_share("0.1234567").has_value());
  CHECK_FALSE(config::parse_share("-0.5").has_value());
  CHECK_FALSE(config::parse_share("half").has_value());
}

TEST_CASE("every shipped policy loads without a diagnostic") {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(std::string(MANGFOLD_SOURCE_DIR) + "/policies")) {
    if (entry.path().extension() != ".yaml") continue;
    CAPTURE(entry.path().string());
    config::PolicyLoad loaded = config::load_policy(entry.path().string());
    for (const auto& d : loaded.diagnostics)
      FAIL_CHECK(d.to_string());
    REQUIRE(loaded.policy.has_value());
    CHECK(!loaded.policy->version.empty());
    CHECK(loaded.policy->effective_from.has_value());
    ++count;
  }
  CHECK(count == 5);  // oslo, sarpsborg, bergen, imdi, staten
}

// moderate_quota's tolerance is a decimal read exactly from the text (issue 17): 0.1 is
// 100000 millionths, so that 5.2 and 5.1 are within it.
TEST_CASE("a tolerance is an exact decimal in millionths") {
  CHECK(config::parse_decimal_micros("0") == 0);
  CHECK(config::parse_decimal_micros("0.1") == 100000);
  CHECK(config::parse_decimal_micros("0.2") == 200000);
  CHECK(config::parse_decimal_micros("2.5") == 2500000);
  CHECK(config::parse_decimal_micros("12") == 12000000);
  CHECK(config::parse_decimal_micros("0.000001") == 1);
  CHECK_FALSE(config::parse_decimal_micros("0.0000001").has_value());
  CHECK_FALSE(config::parse_decimal_micros("-1").has_value());
  CHECK_FALSE(config::parse_decimal_micros("1.").has_value());
  CHECK_FALSE(config::parse_decimal_micros(".5").has_value());
  CHECK_FALSE(config::parse_decimal_micros("1e3").has_value());
  CHECK_FALSE(config::parse_decimal_micros("1234567890").has_value());
}

TEST_CASE("daily_digest and digest_time: a time of day in HH:MM, else the line and key") {
  auto load = [](const std::string& notifications) {
    config::ReadFile files = [notifications](const std::string&) -> Result<std::string> {
      return std::string(
                 "id: d\nversion: '1'\nlanguages: [nb]\ntarget_groups: {g: {}}\nrules:\n  r: "
                 "{type: interview_minimum, group: g, min_count: 1}\nnotifications:\n") +
             notifications;
    };
    return config::load_policy("p.yaml", files);
  };
  config::PolicyLoad on = load("  daily_digest: true\n  digest_time: \"06:30\"\n");
  REQUIRE(on.policy.has_value());
  CHECK(on.policy->notifications.daily_digest);
  CHECK(on.policy->notifications.digest_minute == 6 * 60 + 30);
  config::PolicyLoad plain = load("  daily_digest: true\n  digest_time: 23:59\n");
  REQUIRE(plain.policy.has_value());
  CHECK(plain.policy->notifications.digest_minute == 23 * 60 + 59);
  config::PolicyLoad defaults = load("  daily_digest: false\n");
  REQUIRE(defaults.policy.has_value());
  CHECK_FALSE(defaults.policy->notifications.daily_digest);
  CHECK(defaults.policy->notifications.digest_minute == 7 * 60);
  for (const char* bad : {"24:00", "7:00", "07:60", "0700", "seven"}) {
    CAPTURE(bad);
    config::PolicyLoad broken = load(std::string("  digest_time: \"") + bad + "\"\n");
    CHECK_FALSE(broken.policy.has_value());
    REQUIRE(broken.diagnostics.size() == 1);
    CHECK(broken.diagnostics[0].to_string() ==
          std::string("p.yaml:8:16: notifications.digest_time: expected a time of day as HH:MM "
                      "(00:00 to 23:59), got '") +
              bad + "'");
  }
}
