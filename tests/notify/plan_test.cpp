// plan_notifications: which verdict transitions call for which emails, to whom, in which
// language, with stable keys and a payload that carries nothing about applicants.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <set>

#include "connector/notify/digest.hpp"
#include "connector/notify/payload.hpp"
#include "connector/notify/plan.hpp"
#include "connector/notify/templates.hpp"
#include "notify_test_support.hpp"

namespace mangfold::notify {
namespace {

using domain::Outcome;
using namespace testing;

std::vector<std::string> templates_of(const std::vector<store::OutboxItem>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows)
    out.push_back(nlohmann::json::parse(r.payload).at("template"));
  return out;
}

using Names = std::vector<std::string>;

TEST_CASE("transitions of an interview rule: which emails are planned") {
  struct Row {
    const char* name;
    std::optional<domain::RuleVerdict> before;
    domain::RuleVerdict after;
    Names expected;
  };
  const auto shortfall_1 = interview_rule(Outcome::kShortfall, 2, 3, 0, 1);
  const auto shortfall_2 = interview_rule(Outcome::kShortfall, 4, 6, 1, 3);  // missing 2
  const auto compliant = interview_rule(Outcome::kCompliant, 2, 3, 1, 1);
  const auto not_applicable = interview_rule(Outcome::kNotApplicable, 0, 3, 0, 0);
  const Row rows[] = {
      {"new vacancy entering shortfall", std::nullopt, shortfall_1, {"shortfall", "reminder"}},
      {"compliant to shortfall", compliant, shortfall_1, {"shortfall", "reminder"}},
      {"not applicable to shortfall", not_applicable, shortfall_1, {"shortfall", "reminder"}},
      {"the same shortfall again", shortfall_1, shortfall_1, {}},
      {"missing grew", shortfall_1, shortfall_2, {"shortfall"}},
      {"missing shrank", shortfall_2, shortfall_1, {}},
      {"shortfall resolved", shortfall_1, compliant, {"resolved"}},
      {"compliant stays compliant", compliant, compliant, {}},
      {"new vacancy already compliant", std::nullopt, compliant, {}},
      {"shortfall to not applicable", shortfall_1, not_applicable, {}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    std::optional<domain::Verdict> before;
    if (row.before) before = verdict({*row.before});
    const auto planned =
        plan_notifications(vacancy(), before, verdict({row.after}), settings(), kNow);
    CHECK(templates_of(planned) == row.expected);
  }
}

TEST_CASE("resolved, insufficient_data and ad_flagged follow send_on") {
  const auto shortfall = interview_rule(Outcome::kShortfall, 2, 3, 0, 1);
  const auto compliant = interview_rule(Outcome::kCompliant, 2, 3, 1, 1);
  policy::Notifications s = settings();
  s.send_on = {"shortfall"};
  CHECK(plan_notifications(vacancy(), verdict({shortfall}), verdict({compliant}), s, kNow).empty());

  domain::RuleVerdict unassessed = interview_rule(Outcome::kInsufficientData, 0, 0, 0, 0);
  unassessed.reason_code = "not_yet_assessed";
  unassessed.counts.unassessed_in_group = 3;
  CHECK(
      plan_notifications(vacancy(), std::nullopt, verdict({unassessed}), settings(), kNow).empty());
  s.send_on = {"insufficient_data"};
  CHECK(templates_of(plan_notifications(vacancy(), std::nullopt, verdict({unassessed}), s, kNow)) ==
        Names{"insufficient_data"});
  CHECK(
      plan_notifications(vacancy(), verdict({unassessed}), verdict({unassessed}), s, kNow).empty());

  domain::RuleVerdict ad;
  ad.rule = "encourage_applicants";
  ad.kind = "ad_sentence";
  ad.outcome = Outcome::kShortfall;
  ad.severity = domain::Severity::kWarning;
  ad.missing = 1;
  ad.reason_code = "sentence_missing";
  CHECK(plan_notifications(vacancy(), std::nullopt, verdict({ad}), settings(), kNow).empty());
  s.send_on = {"ad_flagged", "resolved"};
  CHECK(templates_of(plan_notifications(vacancy(), std::nullopt, verdict({ad}), s, kNow)) ==
        Names{"ad_flagged"});  // no reminder for ads
  domain::RuleVerdict fixed = ad;
  fixed.outcome = Outcome::kCompliant;
  fixed.missing = 0;
  CHECK(templates_of(plan_notifications(vacancy(), verdict({ad}), verdict({fixed}), s, kNow)) ==
        Names{"resolved"});

  domain::RuleVerdict quota;
  quota.rule = "moderate_quota";
  quota.kind = "moderate_quota";
  quota.outcome = Outcome::kShortfall;
  quota.missing = 1;
  s.send_on = {"shortfall", "justification_missing", "ad_flagged", "insufficient_data", "resolved"};
  // A quota flag goes to HR, in the policy's language, whatever send_on says.
  s.language = "nn";
  for (const auto& send_on : {s.send_on, std::vector<std::string>{}}) {
    s.send_on = send_on;
    VacancyInfo v = vacancy();
    v.manager_language = "en";
    const auto rows = plan_notifications(v, std::nullopt, verdict({quota}), s, kNow);
    REQUIRE(rows.size() == 1);
    const Payload p = *parse_payload(rows[0].payload);
    CHECK(p.template_name == "quota_flagged");
    REQUIRE(p.to.size() == 1);
    CHECK(p.to[0].email == "hr@oslo.example.no");
    CHECK_FALSE(p.to_manager);
    CHECK(p.language == "nn");
    CHECK(p.cc.empty());
  }
  // Without an HR address nobody is told.
  s.hr_email = "";
  CHECK(plan_notifications(vacancy(), std::nullopt, verdict({quota}), s, kNow).empty());
}

TEST_CASE("ad_language: mailed as ad_flagged with its findings, or inside the sentence email") {
  policy::Notifications s = settings();
  s.send_on = {"ad_flagged", "resolved"};
  domain::RuleVerdict wording;
  wording.rule = "excluding_wording";
  wording.kind = "ad_language";
  wording.outcome = Outcome::kShortfall;
  wording.severity = domain::Severity::kWarning;
  wording.missing = 2;
  wording.reason_code = "excluding_wording";
  domain::RuleVerdict sentence;
  sentence.rule = "encourage_applicants";
  sentence.kind = "ad_sentence";
  sentence.outcome = Outcome::kShortfall;
  sentence.severity = domain::Severity::kWarning;
  sentence.missing = 1;
  sentence.reason_code = "sentence_missing";
  VacancyInfo v = vacancy();
  v.wording["excluding_wording"] = {
      {"norsk som morsmål", "Et krav om norsk som morsmål …", "Beskriv nivået …", "LDO (2014)"},
      {"ungt og dynamisk miljø", "Kan gi inntrykk …", "«Et engasjert miljø»", "LDO (2009)"}};

  // Only wording: one ad_flagged row of kind ad_language that carries the findings.
  auto rows = plan_notifications(v, std::nullopt, verdict({wording}), s, kNow);
  REQUIRE(rows.size() == 1);
  Payload p = *parse_payload(rows[0].payload);
  CHECK(p.template_name == "ad_flagged");
  CHECK(p.kind == "ad_language");
  REQUIRE(p.wording.size() == 2);
  CHECK(p.wording[0].found == "norsk som morsmål");
  CHECK(p.wording[1].suggestion == "«Et engasjert miljø»");
  CHECK(p.wording[1].source == "LDO (2009)");
  CHECK(to_json(p) == rows[0].payload);  // round trip
  // Rendered: both parts list the findings; the HTML escapes them.
  const Result<RenderedEmail> mail = Templates::builtin().render(p);
  REQUIRE(mail.ok());
  CHECK(mail->subject.rfind("Se over ordbruken i stillingsannonsen", 0) == 0);
  CHECK(mail->text.find("«norsk som morsmål»\n- Hvorfor: Et krav om norsk som morsmål …") !=
        std::string::npos);
  CHECK(mail->html.find("<li><strong>«ungt og dynamisk miljø»</strong><br>Hvorfor:") !=
        std::string::npos);
  CHECK(mail->html.find("Kilde: LDO (2009)") != std::string::npos);
  // Not in send_on: nothing.
  CHECK(plan_notifications(v, std::nullopt, verdict({wording}), settings(), kNow).empty());
  // Unchanged: nothing again; fixed: resolved.
  CHECK(plan_notifications(v, verdict({wording}), verdict({wording}), s, kNow).empty());
  domain::RuleVerdict clean = wording;
  clean.outcome = Outcome::kCompliant;
  clean.missing = 0;
  CHECK(templates_of(plan_notifications(v, verdict({wording}), verdict({clean}), s, kNow)) ==
        Names{"resolved"});

  // With a missing sentence at the same time: one email, the sentence's, carrying the wording.
  rows = plan_notifications(v, std::nullopt, verdict({sentence, wording}), s, kNow);
  REQUIRE(rows.size() == 1);
  p = *parse_payload(rows[0].payload);
  CHECK(p.kind == "ad_sentence");
  CHECK(p.wording.size() == 2);
  // The wording found later, the sentence still missing: its own email.
  rows = plan_notifications(v, verdict({sentence, clean}), verdict({sentence, wording}), s, kNow);
  REQUIRE(rows.size() == 1);
  CHECK(parse_payload(rows[0].payload)->kind == "ad_language");
  // The sentence email alone carries no wording.
  rows = plan_notifications(v, std::nullopt, verdict({sentence, clean}), s, kNow);
  REQUIRE(rows.size() == 1);
  CHECK(parse_payload(rows[0].payload)->wording.empty());
  // A payload written before `wording` existed still parses and renders, without findings.
  nlohmann::json older = nlohmann::json::parse(
      plan_notifications(v, std::nullopt, verdict({wording}), s, kNow)[0].payload);
  REQUIRE(older.at("rule").erase("wording") == 1);
  const Result<Payload> old = parse_payload(older.dump());
  REQUIRE(old.ok());
  CHECK(old->wording.empty());
  const Result<RenderedEmail> old_mail = Templates::builtin().render(*old);
  REQUIRE(old_mail.ok());
  CHECK(old_mail->text.find("bruker formuleringer som kan holde kvalifiserte søkere borte") !=
        std::string::npos);
  CHECK(old_mail->text.find("Hvorfor:") == std::string::npos);
}

TEST_CASE("a missing §7 justification is mailed with a reminder, and its fix is resolved") {
  const auto missing = justification_rule(Outcome::kShortfall);
  const auto given = justification_rule(Outcome::kCompliant);
  const auto phase = domain::Phase::kRecommendation;
  const auto planned =
      plan_notifications(vacancy(), std::nullopt, verdict({missing}, phase), settings(), kNow);
  REQUIRE(templates_of(planned) == Names{"justification_missing", "reminder"});
  const Payload reminder = *parse_payload(planned[1].payload);
  CHECK(reminder.reminds == "justification_missing");
  CHECK(reminder.severity == "breach");
  CHECK(templates_of(plan_notifications(vacancy(), verdict({missing}, phase),
                                        verdict({given}, phase), settings(), kNow)) ==
        Names{"resolved"});
}

TEST_CASE("the reminder row is due remind_after_days later, and none with 0 days") {
  const auto shortfall = interview_rule(Outcome::kShortfall, 2, 3, 0, 1);
  policy::Notifications s = settings();
  s.remind_after_days = 3;
  const auto planned = plan_notifications(vacancy(), std::nullopt, verdict({shortfall}), s, kNow);
  REQUIRE(planned.size() == 2);
  CHECK(planned[0].not_before == kNow);
  CHECK(planned[1].not_before == kNow + 3 * 86400);
  CHECK(parse_payload(planned[1].payload)->date == kNow + 3 * 86400);
  CHECK(parse_payload(planned[1].payload)->reminds == "shortfall");
  s.remind_after_days = 0;
  CHECK(templates_of(plan_notifications(vacancy(), std::nullopt, verdict({shortfall}), s, kNow)) ==
        Names{"shortfall"});
}

TEST_CASE("deadline_passed: one reminder the morning after a deadline still ahead") {
  policy::Notifications s = settings();
  s.send_on.push_back("deadline_passed");
  const auto shortfall = verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)});
  // The test vacancy's deadline is 2026-03-15; the plan's time is 2026-03-02.
  const auto planned = plan_notifications(vacancy(), std::nullopt, shortfall, s, kNow);
  REQUIRE(templates_of(planned) == Names{"shortfall", "reminder", "reminder"});
  const Payload at_deadline = *parse_payload(planned[2].payload);
  CHECK(at_deadline.occasion == "deadline");
  CHECK(at_deadline.reminds == "shortfall");
  CHECK(parse_payload(planned[1].payload)->occasion.empty());
  CHECK(planned[2].not_before == 1773640800);  // 2026-03-16 07:00 CET
  CHECK(deadline_reminder_time("2026-03-15") == 1773640800);
  CHECK(deadline_reminder_time("2026-07-01") == 1782968400);  // 2026-07-02 07:00 CEST
  CHECK_FALSE(deadline_reminder_time("").has_value());

  // One per vacancy and rule: other counts on re-entering give the same key.
  const auto again = plan_notifications(
      vacancy(), verdict({interview_rule(Outcome::kCompliant, 2, 3, 1, 1)}),
      verdict({interview_rule(Outcome::kShortfall, 5, 7, 1, 2)}), s, kNow + 86400);
  REQUIRE(again.size() == 3);
  CHECK(again[2].idempotency_key == planned[2].idempotency_key);
  CHECK(again[0].idempotency_key != planned[0].idempotency_key);

  SUBCASE("not when the deadline has passed, is unknown, or the option is off") {
    VacancyInfo passed = vacancy();
    passed.deadline = "2026-03-01";
    CHECK(templates_of(plan_notifications(passed, std::nullopt, shortfall, s, kNow)) ==
          Names{"shortfall", "reminder"});
    VacancyInfo none = vacancy();
    none.deadline = "";
    CHECK(templates_of(plan_notifications(none, std::nullopt, shortfall, s, kNow)) ==
          Names{"shortfall", "reminder"});
    CHECK(templates_of(plan_notifications(vacancy(), std::nullopt, shortfall, settings(), kNow)) ==
          Names{"shortfall", "reminder"});
  }
  SUBCASE("not for a missing justification, nor for a shortfall that only grew") {
    CHECK(templates_of(plan_notifications(vacancy(), std::nullopt,
                                          verdict({justification_rule(Outcome::kShortfall)}), s,
                                          kNow)) == Names{"justification_missing", "reminder"});
    CHECK(templates_of(plan_notifications(
              vacancy(), shortfall, verdict({interview_rule(Outcome::kShortfall, 4, 6, 1, 3)}), s,
              kNow)) == Names{"shortfall"});
  }
}

TEST_CASE("recipients: the manager, else HR, cc without repeats, Reply-To HR") {
  const auto shortfall = verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)});
  policy::Notifications s = settings();
  s.cc = {"mangfold@oslo.example.no", "not an address", "HR@oslo.example.no",
          "mangfold@oslo.example.no"};

  Payload p =
      *parse_payload(plan_notifications(vacancy(), std::nullopt, shortfall, s, kNow)[0].payload);
  REQUIRE(p.to.size() == 1);
  CHECK(p.to[0].email == "kare.odegard@oslo.example.no");
  CHECK(p.to[0].name == "Kåre Ødegård");
  CHECK(p.to_manager);
  REQUIRE(p.cc.size() == 2);  // the invalid one and the repeat are left out
  CHECK(p.cc[0].email == "mangfold@oslo.example.no");
  CHECK(p.cc[1].email == "HR@oslo.example.no");
  REQUIRE(p.reply_to);
  CHECK(p.reply_to->email == "hr@oslo.example.no");

  for (const char* bad : {"", "kare", "kare@", "@oslo.no", "kåre@oslo.example.no", "kare@oslo",
                          "Kåre <kare@oslo.example.no>", "a b@oslo.example.no"}) {
    CAPTURE(bad);
    VacancyInfo v = vacancy();
    v.manager_email = bad;
    p = *parse_payload(plan_notifications(v, std::nullopt, shortfall, s, kNow)[0].payload);
    REQUIRE(p.to.size() == 1);
    CHECK(p.to[0].email == "hr@oslo.example.no");
    CHECK_FALSE(p.to_manager);
    CHECK(p.cc.size() == 1);  // HR is the recipient now, not a cc
  }

  VacancyInfo nobody = vacancy();
  nobody.manager_email = "";
  s.hr_email = "";
  CHECK(plan_notifications(nobody, std::nullopt, shortfall, s, kNow).empty());
  // Without HR there is no Reply-To.
  p = *parse_payload(plan_notifications(vacancy(), std::nullopt, shortfall, s, kNow)[0].payload);
  CHECK_FALSE(p.reply_to);
}

TEST_CASE(
    "the language is the manager's own when nb, nn or en, else the policy's, never the ad's") {
  const auto shortfall = verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)});
  struct Row {
    const char* manager;
    const char* configured;
    const char* expected;
    const char* group_label;
  };
  for (const Row& row :
       {Row{"nb", "en", "nb", "innvandrerbakgrunn"}, Row{"nn", "nb", "nn", "innvandrarbakgrunn"},
        Row{"en", "nb", "en", "an immigrant background"},
        Row{"de", "nn", "nn", "innvandrarbakgrunn"}, Row{"", "en", "en", "an immigrant background"},
        Row{"sv", "xx", "nb", "innvandrerbakgrunn"}}) {
    CAPTURE(row.manager);
    VacancyInfo v = vacancy();
    v.manager_language = row.manager;
    v.ad_language = "en";  // the ad's language plays no part
    policy::Notifications s = settings();
    s.language = row.configured;
    const Payload p =
        *parse_payload(plan_notifications(v, std::nullopt, shortfall, s, kNow)[0].payload);
    CHECK(p.language == row.expected);
    CHECK(p.group_label == row.group_label);
    // HR standing in for a manager without an address reads the policy's language.
    v.manager_email = "";
    const Payload hr =
        *parse_payload(plan_notifications(v, std::nullopt, shortfall, s, kNow)[0].payload);
    CHECK_FALSE(hr.to_manager);
    CHECK(hr.language == email_language("", row.configured));
  }
}

TEST_CASE("group phrases: built-in per language, else the policy's label, else the name") {
  CHECK(group_phrase("nb", "non_western_background", "") == "ikke-vestlig bakgrunn");
  CHECK(group_phrase("nn", "non_western_background", "") == "ikkje-vestleg bakgrunn");
  CHECK(group_phrase("en", "disability", "") == "a disability");
  CHECK(group_phrase("nb", "roma", "rom og tatere") == "rom og tatere");
  CHECK(group_phrase("nb", "some_group", "") == "some group");
  policy::Policy p;
  p.groups = {{"roma", "rom og tatere", ""}};
  auto r = interview_rule(Outcome::kShortfall, 1, 1, 0, 1, "invite_roma");
  r.group = "roma";
  p.notifications = settings();
  const auto planned = plan_notifications(vacancy(), std::nullopt, verdict({r}), p, kNow);
  REQUIRE_FALSE(planned.empty());
  CHECK(parse_payload(planned[0].payload)->group_label == "rom og tatere");
}

TEST_CASE("idempotency keys are deterministic, distinct per transition and pinned") {
  const auto shortfall = verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)});
  const auto a = plan_notifications(vacancy(), std::nullopt, shortfall, settings(), kNow);
  const auto b = plan_notifications(vacancy(), std::nullopt, shortfall, settings(), kNow + 500);
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  // A replayed plan (even later) yields the same keys, so the store keeps one row each.
  CHECK(a[0].idempotency_key == b[0].idempotency_key);
  CHECK(a[1].idempotency_key == b[1].idempotency_key);
  CHECK(a[0].idempotency_key != a[1].idempotency_key);
  for (const auto& row : a) {
    CHECK(row.kind == "email");
    CHECK(row.tenant == "oslo");
    CHECK(row.vacancy_id == "v-42");
    CHECK(row.idempotency_key.size() == 35);
    CHECK(row.idempotency_key.rfind("mf-", 0) == 0);
    CHECK(parse_payload(row.payload)->key == row.idempotency_key);
  }
  // Pinned: a change here changes every Message-ID and lets a replay mail twice.
  CHECK(a[0].idempotency_key == notification_key("oslo", "v-42", "invite_one", "shortfall",
                                                 shortfall.rules[0], domain::Phase::kInterviewing));
  CHECK(a[0].idempotency_key == "mf-ced2ba01a4988491f14d4d38f885e70b");

  // Other counts, phase, tenant, vacancy or rule: another key.
  std::set<std::string> keys{a[0].idempotency_key};
  const auto other_counts = interview_rule(Outcome::kShortfall, 3, 3, 0, 1);
  keys.insert(notification_key("oslo", "v-42", "invite_one", "shortfall", other_counts,
                               domain::Phase::kInterviewing));
  keys.insert(notification_key("oslo", "v-42", "invite_one", "shortfall", shortfall.rules[0],
                               domain::Phase::kRecommendation));
  keys.insert(notification_key("bergen", "v-42", "invite_one", "shortfall", shortfall.rules[0],
                               domain::Phase::kInterviewing));
  keys.insert(notification_key("oslo", "v-43", "invite_one", "shortfall", shortfall.rules[0],
                               domain::Phase::kInterviewing));
  keys.insert(notification_key("oslo", "v-42", "invite_two", "shortfall", shortfall.rules[0],
                               domain::Phase::kInterviewing));
  keys.insert(notification_key("oslo", "v-4", "2invite_one", "shortfall", shortfall.rules[0],
                               domain::Phase::kInterviewing));
  CHECK(keys.size() == 7);
}

TEST_CASE("the payload holds only the allowed fields") {
  const auto planned = plan_notifications(
      vacancy(), std::nullopt, verdict({interview_rule(Outcome::kShortfall, 2, 3, 0, 1)}),
      settings(), kNow);
  const nlohmann::json j = nlohmann::json::parse(planned[0].payload);
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items())
    keys.insert(k);
  CHECK(keys == std::set<std::string>{"v", "template", "language", "key", "date", "to", "cc",
                                      "reply_to", "to_manager", "vacancy", "rule", "counts",
                                      "outcome", "reason_code", "severity", "phase"});
  std::set<std::string> counts;
  for (const auto& [k, v] : j.at("counts").items())
    counts.insert(k);
  CHECK(counts == std::set<std::string>{"qualified_in_group", "invited", "invited_in_group",
                                        "required", "missing", "unassessed_in_group", "proposed"});
  CHECK(j.at("counts").at("qualified_in_group") == 2);
  CHECK(j.at("counts").at("missing") == 1);
  CHECK(j.at("vacancy").at("deadline") == "2026-03-15");
  CHECK(j.at("rule").at("kind") == "interview_minimum");
  // The payload survives a round trip.
  const Payload p = *parse_payload(planned[0].payload);
  CHECK(to_json(p) == planned[0].payload);
}

TEST_CASE("payloads that are not ours are refused") {
  CHECK(parse_payload("{").status().code() == StatusCode::kInvalidArgument);
  CHECK(parse_payload(R"({"v":2})").status().code() == StatusCode::kInvalidArgument);
  CHECK(parse_payload(R"({"template":"shortfall","to":"kari@example.org"})").status().code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("email address validation") {
  for (const char* good :
       {"kari@example.org", "kari.nordmann+hr@sub.example.no", "a@b.co", "K_A-R.I@EXAMPLE.NO"})
    CHECK_MESSAGE(is_valid_email(good), good);
  for (const char* bad :
       {"", "kari", "@example.org", "kari@", "kari@example", "kari@.org", "kari@example.",
        "ka ri@example.org", "kari@exa mple.org", "kari@@example.org", "kåri@example.org",
        ".kari@example.org", "ka..ri@example.org", "kari@example..org", "<kari@example.org>",
        "kari@example.org\r\nBcc: x@y.z", "\"kari\"@example.org"})
    CHECK_MESSAGE(!is_valid_email(bad), bad);
}

}  // namespace
}  // namespace mangfold::notify
