// The stored verdict's columns (connector/store/rows.hpp): the fast reader and writer
// (rows_fast.cpp, simdjson and direct writing) against the reference (nlohmann tree).
// Differential: every verdict is written both ways (the bytes must be identical) and read
// both ways (the verdicts must be equal); corrupt columns must give the reference's error.
#include "connector/store/rows.hpp"

#include <doctest/doctest.h>

#include <climits>
#include <random>
#include <string>
#include <vector>

namespace mangfold::store::rows {
namespace {

using domain::Outcome;
using domain::Phase;
using domain::Severity;

constexpr Outcome kOutcomes[] = {Outcome::kCompliant, Outcome::kShortfall, Outcome::kNotApplicable,
                                 Outcome::kInsufficientData};
constexpr Severity kSeverities[] = {Severity::kNone, Severity::kAdvice, Severity::kWarning,
                                    Severity::kBreach};
constexpr Phase kPhases[] = {Phase::kScreening, Phase::kInterviewing, Phase::kRecommendation};
const char* const kKinds[] = {"interview_minimum", "hire_justification", "moderate_quota",
                              "ad_sentence",       "ad_mentions",        "ad_language",
                              "ad_unreadable"};

domain::Counts counts(int base) {
  domain::Counts c;
  int n = base;
  for (int* f : {&c.applicants, &c.in_group, &c.unknown_answer, &c.qualified_in_group,
                 &c.unassessed_in_group, &c.invited, &c.invited_in_group, &c.required, &c.proposed,
                 &c.hired, &c.hired_in_group, &c.qualified})
    *f = n++;  // every field its own value, so that a field read into another shows
  return c;
}

domain::RuleVerdict rule(std::string name, std::string kind, int base) {
  domain::RuleVerdict r;
  r.rule = std::move(name);
  r.kind = std::move(kind);
  r.group = "immigrant_background";
  r.outcome = kOutcomes[base % 4];
  r.severity = kSeverities[(base / 4) % 4];
  r.missing = base % 3;
  r.reason_code = "below_required";
  r.reason = "2 qualified in the group, 0 invited, 1 required.";
  r.counts = counts(base);
  return r;
}

domain::Verdict verdict(std::vector<domain::RuleVerdict> rules, int variant = 0) {
  domain::Verdict v;
  v.policy_id = "imdi";
  v.policy_version = "2026.2";
  v.vacancy_id = "4100000101";
  v.phase = kPhases[variant % 3];
  v.overall = kOutcomes[variant % 4];
  v.rules = std::move(rules);
  return v;  // inclusion_hired: not in the columns, so not recorded on the way back
}

// Writes `v` both ways and reads the columns both ways; all four must agree, and with `v`
// when its strings are valid UTF-8 (`round_trips`).
void require_agree(const domain::Verdict& v, bool round_trips = true) {
  const VerdictColumns columns = verdict_columns(v);
  REQUIRE(columns.rules == internal::rules_text_reference(v.rules));
  const std::optional<std::string> fast_text = internal::rules_text_fast(v.rules);
  if (round_trips) REQUIRE(fast_text.has_value());
  if (fast_text) REQUIRE(*fast_text == columns.rules);

  const Result<domain::Verdict> reference =
      internal::verdict_from_columns_reference(columns, v.vacancy_id);
  REQUIRE(reference.ok());
  const std::optional<domain::Verdict> fast =
      internal::verdict_from_columns_fast(columns, v.vacancy_id);
  REQUIRE(fast.has_value());  // our own writer's columns always take the fast path
  REQUIRE(*fast == *reference);
  if (round_trips) REQUIRE(*fast == v);
  const Result<domain::Verdict> read = verdict_from_columns(columns, v.vacancy_id);
  REQUIRE(read.ok());
  REQUIRE(*read == *reference);
}

TEST_CASE("stored verdict: every rule kind, outcome, severity and phase reads back alike") {
  for (int variant = 0; variant < 12; ++variant) {
    std::vector<domain::RuleVerdict> rules;
    for (int i = 0; i < 7; ++i)
      rules.push_back(rule("rule_" + std::to_string(i), kKinds[i], variant * 7 + i));
    rules[1].counts.qualified = domain::Counts::kNotRecorded;  // stored without the key
    rules[2].group = "";                                       // ad rules have no group
    require_agree(verdict(rules, variant));
  }
  require_agree(verdict({}));  // no rules: "[]"
}

TEST_CASE("stored verdict: the column text is pinned") {
  domain::RuleVerdict r = rule("innvandrerbakgrunn", "interview_minimum", 0);
  r.counts.qualified = domain::Counts::kNotRecorded;
  r.reason = "«Tab\there», \"quoted\", back\\slash, bell\x07, DEL\x7f, /, æøå, \xF0\x9F\x98\x80";
  const VerdictColumns c = verdict_columns(verdict({r}));
  CHECK(c.rules ==
        "[{\"counts\":{\"applicants\":0,\"hired\":9,\"hired_in_group\":10,\"in_group\":1,"
        "\"invited\":5,\"invited_in_group\":6,\"proposed\":8,\"qualified_in_group\":3,"
        "\"required\":7,\"unassessed_in_group\":4,\"unknown_answer\":2},"
        "\"group\":\"immigrant_background\",\"kind\":\"interview_minimum\",\"missing\":0,"
        "\"outcome\":\"compliant\",\"reason\":\"«Tab\\there», \\\"quoted\\\", back\\\\slash, "
        "bell\\u0007, DEL\x7f, /, æøå, \xF0\x9F\x98\x80\",\"reason_code\":\"below_required\","
        "\"rule\":\"innvandrerbakgrunn\",\"severity\":\"none\"}]");
  CHECK(verdict_columns(verdict({})).rules == "[]");
  CHECK(c.phase == "screening");
  CHECK(c.overall == "compliant");
}

TEST_CASE("stored verdict: odd strings and extreme numbers read back alike") {
  std::string every_control;
  for (char ch = 1; ch < 0x20; ++ch)
    every_control += ch;
  const std::vector<std::string> odd = {
      "",
      std::string("nul\0inside", 10),
      every_control,
      "\"\\\"\\\\",
      "\\u0041 is not an escape here",
      "æøå ÆØÅ «nynorsk» – ein søkjar",
      "\xF0\x9F\x98\x80 \xE2\x82\xAC \xC2\xA0",  // 4-, 3- and 2-byte UTF-8
      std::string(5000, 'x'),
  };
  std::vector<domain::RuleVerdict> rules;
  for (std::size_t i = 0; i < odd.size(); ++i) {
    domain::RuleVerdict r = rule(odd[i], odd[(i + 1) % odd.size()], static_cast<int>(i));
    r.group = odd[(i + 2) % odd.size()];
    r.reason_code = odd[(i + 3) % odd.size()];
    r.reason = odd[(i + 4) % odd.size()];
    rules.push_back(r);
  }
  domain::RuleVerdict big = rule("big", "moderate_quota", 0);
  big.missing = INT_MIN;
  big.counts.applicants = INT_MAX;
  big.counts.in_group = INT_MIN;
  big.counts.qualified = -2;  // negative but not kNotRecorded: kept
  rules.push_back(big);
  domain::Verdict v = verdict(rules);
  v.policy_id = "pol\"icy";
  v.policy_version = std::string("v\0\xff", 3);  // columns outside the JSON are copied as they are
  require_agree(v);
}

TEST_CASE(
    "stored verdict: invalid UTF-8 is replaced by the reference writer, and reads back alike") {
  for (const std::string bad :
       {"\xff", "a\xc3", "\xc3(", "\xed\xa0\x80 surrogate", "\xc0\xaf overlong",
        "\xf4\x90\x80\x80 above U+10FFFF", "x\xe2\x82"}) {
    domain::RuleVerdict r = rule(bad, "interview_minimum", 1);
    r.reason = "before " + bad + " after";
    CHECK_FALSE(internal::rules_text_fast({r}).has_value());
    require_agree(verdict({r}), /*round_trips=*/false);
    CHECK(verdict_columns(verdict({r})).rules.find("\xEF\xBF\xBD") != std::string::npos);
  }
}

// Random verdicts over an alphabet of the characters that need care.
TEST_CASE("stored verdict: two thousand random verdicts agree") {
  std::mt19937 rng(22);
  const std::vector<std::string> pieces = {"a",       "Z",    " ",    "\"",
                                           "\\",      "/",    "\n",   "\t",
                                           "\x01",    "\x1f", "\x7f", std::string("\0", 1),
                                           "æ",       "ø",    "€",    "\xF0\x9F\x98\x80",
                                           "\\u00e6", "{",    "}",    "[",
                                           "]",       ",",    ":",    "\xff",
                                           "\xc3"};
  auto text = [&](bool valid) {
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      const std::string& p = pieces[rng() % pieces.size()];
      if (valid && (p == "\xff" || p == "\xc3")) continue;
      s += p;
    }
    return s;
  };
  auto number = [&] {
    switch (rng() % 4) {
      case 0:
        return static_cast<int>(rng() % 100);
      case 1:
        return -static_cast<int>(rng() % 100);
      case 2:
        return static_cast<int>(rng());  // any int
      default:
        return domain::Counts::kNotRecorded;
    }
  };
  for (int n = 0; n < 2000; ++n) {
    const bool valid = n % 2 == 0;
    std::vector<domain::RuleVerdict> rules(rng() % 6);
    for (domain::RuleVerdict& r : rules) {
      r.rule = text(valid);
      r.kind = text(valid);
      r.group = text(valid);
      r.reason_code = text(valid);
      r.reason = text(valid);
      r.outcome = kOutcomes[rng() % 4];
      r.severity = kSeverities[rng() % 4];
      r.missing = number();
      for (int* f : {&r.counts.applicants, &r.counts.in_group, &r.counts.unknown_answer,
                     &r.counts.qualified_in_group, &r.counts.unassessed_in_group, &r.counts.invited,
                     &r.counts.invited_in_group, &r.counts.required, &r.counts.proposed,
                     &r.counts.hired, &r.counts.hired_in_group, &r.counts.qualified})
        *f = number();
    }
    domain::Verdict v = verdict(rules, n);
    v.policy_id = text(false);
    require_agree(v, valid);
  }
}

// Columns that are not as our writer leaves them: the fast reader may answer only where the
// reference reads the same verdict, and verdict_from_columns returns what the reference does.
void require_reference_result(const VerdictColumns& c) {
  const Result<domain::Verdict> reference = internal::verdict_from_columns_reference(c, "v1");
  const std::optional<domain::Verdict> fast = internal::verdict_from_columns_fast(c, "v1");
  if (fast) {
    REQUIRE(reference.ok());
    REQUIRE(*fast == *reference);
  }
  const Result<domain::Verdict> read = verdict_from_columns(c, "v1");
  REQUIRE(read.ok() == reference.ok());
  if (read.ok()) {
    REQUIRE(*read == *reference);
  } else {
    REQUIRE(read.status().code() == reference.status().code());
    REQUIRE(read.status().message() == reference.status().message());
  }
}

VerdictColumns with_rules(std::string rules) {
  return {"imdi", "2026.2", "interviewing", "shortfall", std::move(rules)};
}

TEST_CASE("stored verdict: every prefix and every one-byte change of a column reads as before") {
  domain::RuleVerdict r = rule("innvandrerbakgrunn", "interview_minimum", 3);
  r.reason = "\"q\" \x01 æ";
  const std::string text = verdict_columns(verdict({r, rule("b", "ad_sentence", 5)})).rules;
  for (std::size_t n = 0; n <= text.size(); ++n)
    require_reference_result(with_rules(text.substr(0, n)));
  for (std::size_t i = 0; i < text.size(); ++i)
    for (char ch : {'"', '\\', '{', '}', '[', ']', ',', ':', '0', '-', '.', 'e', ' ', '\0', 'x'}) {
      std::string t = text;
      t[i] = ch;
      require_reference_result(with_rules(t));
    }
}

// Random edits of a column we wrote, with the tokens that need care: most stay readable, so
// that the fast reader's answers (not only its refusals) are compared with the reference.
TEST_CASE(
    "stored verdict: twenty thousand randomly edited columns read as the reference reads them") {
  const std::string text = verdict_columns(verdict({rule("r\\u00e6", "interview_minimum", 0),
                                                    rule("b", "ad_sentence", 1)}))
                               .rules;
  const std::string tokens[] = {"\"",        "\\",      "u",    "0",     "9",
                                "-",         ".",       "e",    ",",     ":",
                                "{",         "}",       "[",    "]",     "a",
                                "æ",         "\xff",    "\x01", " ",     "d8",
                                "dc",        "null",    "true", "1e400", "18446744073709551615",
                                "\"hired\"", "\"rule\""};
  std::mt19937 rng(22);
  int fast = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string t = text;
    for (int k = 0, edits = 1 + static_cast<int>(rng() % 3); k < edits; ++k) {
      const std::size_t at = rng() % t.size();
      const std::string& token = tokens[rng() % std::size(tokens)];
      switch (rng() % 3) {
        case 0:
          t.insert(at, token);
          break;
        case 1:
          t.erase(at, 1);
          break;
        default:
          t.replace(at, 1, token);
      }
    }
    const VerdictColumns c = with_rules(t);
    CAPTURE(t);
    require_reference_result(c);
    if (internal::verdict_from_columns_fast(c, "v1")) ++fast;
  }
  CHECK(fast > 1000);  // the edits inside strings keep most columns readable
}

TEST_CASE("stored verdict: corrupt columns give the errors they gave before") {
  CHECK(verdict_from_columns(with_rules(""), "v1").status().message() ==
        "store: stored verdict rules are not JSON");
  CHECK(verdict_from_columns(with_rules("[{}"), "v1").status().message() ==
        "store: stored verdict rules are not JSON");
  CHECK(verdict_from_columns(with_rules("{}"), "v1").status().message() ==
        "store: stored verdict unreadable: verdict JSON: rules must be an array");
  CHECK(verdict_from_columns(with_rules("[1]"), "v1").status().message() ==
        "store: stored verdict unreadable: verdict JSON: rules[0] must be an object");
  CHECK(verdict_from_columns(with_rules("[{}]"), "v1").status().message() ==
        "store: stored verdict unreadable: verdict JSON: rules[0].rule must be present");
  VerdictColumns bad_phase = with_rules("[]");
  bad_phase.phase = "hiring";
  CHECK(verdict_from_columns(bad_phase, "v1").status().message() ==
        "store: stored verdict unreadable: verdict JSON: phase must be a known name");
  CHECK(verdict_from_columns(bad_phase, "v1").status().code() == StatusCode::kInternal);

  std::string text = verdict_columns(verdict({rule("r", "interview_minimum", 0)})).rules;
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string t = text;
    const std::size_t at = t.find(from);
    REQUIRE(at != std::string::npos);
    t.replace(at, from.size(), to);
    return with_rules(t);
  };
  const std::vector<VerdictColumns> corrupt = {
      replaced("\"hired\":9,", ""),                              // a count missing
      replaced("\"hired\":9", "\"hired\":9.0"),                  // not an integer
      replaced("\"hired\":9", "\"hired\":1e2"),                  // not an integer either
      replaced("\"hired\":9", "\"hired\":2147483648"),           // not an int
      replaced("\"hired\":9", "\"hired\":-2147483649"),          // not an int
      replaced("\"hired\":9", "\"hired\":\"9\""),                // a string
      replaced("\"hired\":9", "\"hired\":1e400"),                // not even a double
      replaced("\"counts\":{", "\"counts\":{\"other\":1e400,"),  // nor in a key not read
      replaced("\"outcome\":\"compliant\"", "\"outcome\":\"Compliant\""),
      replaced("\"severity\":\"none\"", "\"severity\":null"),
      replaced("\"rule\":\"r\"", "\"rule\":[\"r\"]"),
      replaced("\"counts\":{", "\"counts\":[{"),
      replaced("\"rule\":\"r\"", "\"rule\":\"\\ud800\""),  // a lone surrogate
      replaced("\"rule\":\"r\"", "\"rule\":\"\xff\""),     // invalid UTF-8
      replaced("\"rule\":\"r\"", "\"rule\":\"a\tb\""),     // a raw control character
      with_rules(text + "x"),
      with_rules(text + "[]"),
  };
  for (const VerdictColumns& c : corrupt) {
    CAPTURE(c.rules);
    REQUIRE_FALSE(internal::verdict_from_columns_reference(c, "v1").ok());
    CHECK_FALSE(internal::verdict_from_columns_fast(c, "v1").has_value());
    require_reference_result(c);
  }
  CHECK(verdict_from_columns(corrupt[0], "v1").status().message() ==
        "store: stored verdict unreadable: verdict JSON: rules[0].counts.hired must be present");
  CHECK(verdict_from_columns(corrupt[1], "v1").status().message() ==
        "store: stored verdict unreadable: verdict JSON: rules[0].counts.hired must be an integer");
}

TEST_CASE(
    "stored verdict: columns the fast reader leaves to the reference read as the reference reads "
    "them") {
  const std::string text = verdict_columns(verdict({rule("r", "interview_minimum", 0)})).rules;
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return with_rules(t);
  };
  const std::vector<VerdictColumns> readable = {
      replaced("\"rule\":\"r\"", "\"rule\":\"first\",\"rule\":\"r\""),  // a key twice: the last
      replaced("\"hired\":9", "\"hired\":1,\"hired\":9"),
      replaced("\"hired\":9", "\"hired\":18446744073709551615"),  // wraps to -1 in the reference
      with_rules("\xEF\xBB\xBF" + text),                          // a byte order mark
  };
  for (const VerdictColumns& c : readable) {
    CAPTURE(c.rules);
    REQUIRE(internal::verdict_from_columns_reference(c, "v1").ok());
    CHECK_FALSE(internal::verdict_from_columns_fast(c, "v1").has_value());
    require_reference_result(c);
  }
  // What the fast reader does read although our writer never writes it.
  const std::vector<VerdictColumns> also_fast = {
      with_rules(" \n\t[ ] "),
      replaced("\"rule\":\"r\"", "\"rule\":\"r\",\"extra\":[1,{\"x\":null},2.5,-0,true]"),
      replaced("\"rule\":\"r\"", "\"rule\":\"\\u0072\\/\\ud83d\\ude00\""),  // escapes, a pair
      replaced("\"hired\":9", "\"hired\":-0"),
  };
  for (const VerdictColumns& c : also_fast) {
    CAPTURE(c.rules);
    require_reference_result(c);
  }
  CHECK(internal::verdict_from_columns_fast(also_fast[1], "v1").has_value());
  CHECK(internal::verdict_from_columns_fast(also_fast[2], "v1")->rules[0].rule ==
        "r/\xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace mangfold::store::rows
