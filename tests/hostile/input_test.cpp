// Every reader of outside JSON answers hostile or careless documents with a 4xx-class
// Status naming where (a JSON Pointer), within its InputLimits, and never throws.
#include <doctest/doctest.h>

#include <string>

#include "adapters/common/json_reader.hpp"
#include "adapters/native/snapshot_json.hpp"
#include "connector/ads/html_budget.hpp"
#include "connector/common/utf8.hpp"
#include "connector/config/service_config.hpp"
#include "connector/policy/ad_injection.hpp"
#include "connector/policy/engine.hpp"
#include "tests/generic/generic_test_support.hpp"
#include "tests/webcruiter/support.hpp"

using namespace mangfold;

namespace {

std::string repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

// A Webcruiter fat event whose advert carries `advert_extra` (a JSON member) and one
// candidate given as `candidate` (a JSON object).
std::string webcruiter_event(const std::string& advert_extra,
                             const std::string& candidate = R"({"CandidateId": 1})") {
  return R"({"EventId": "e1", "AdvertId": 10, "Advert": {"AdvertId": 10, "title": "T")" +
         (advert_extra.empty() ? "" : ", " + advert_extra) + R"(}, "Candidates": [)" + candidate +
         "]}";
}

std::unique_ptr<domain::Adapter> webcruiter_adapter(const InputLimits& limits = {}) {
  webcruiter::AdapterDeps deps;
  deps.limits = limits;
  auto made = webcruiter::testing::make_from_yaml(
      "adapter_options:\n" + webcruiter::testing::base_mapping(), std::move(deps));
  REQUIRE_MESSAGE(made.adapter != nullptr, made.errors());
  return std::move(made.adapter);
}

Status webcruiter_parse(const std::string& body, const InputLimits& limits = {}) {
  auto adapter = webcruiter_adapter(limits);
  auto r = adapter->parse(domain::InboundRequest{
      body, [](std::string_view) { return std::optional<std::string_view>(); }});
  return r.status();
}

const std::string kGenericMapping = R"(
mapping_version: 1
events:
  any:
    snapshot:
      vacancy:
        id: /id
      applications:
        each: /apps
        candidate_id: /id
        score: /score
        rank: /rank
)";

Status generic_parse(const std::string& body) {
  auto a = generic_test::adapter_from_text(kGenericMapping);
  return a
      ->parse(domain::InboundRequest{
          body, [](std::string_view) { return std::optional<std::string_view>(); }})
      .status();
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

}  // namespace

TEST_CASE("read_json: nesting past json_max_depth is refused naming where, even 60,000 deep") {
  const InputLimits limits;  // the defaults
  const std::string deep = repeat("[", 60'000) + repeat("]", 60'000);
  Result<nlohmann::json> r = adapters::read_json(deep, limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnprocessable);
  CHECK(starts_with(r.status().message(), "/0/0/0/"));
  CHECK(r.status().message().find("nested deeper than 64 levels (limits.json_max_depth)") !=
        std::string::npos);
  CHECK(r.status().message().size() < 500);  // the pointer is shortened

  const std::string at_limit = repeat("[", 64) + repeat("]", 64);
  CHECK(adapters::read_json(at_limit, limits).ok());
  const std::string over = repeat("[", 65) + repeat("]", 65);
  CHECK_FALSE(adapters::read_json(over, limits).ok());

  InputLimits tight;
  tight.json_max_depth = 8;
  CHECK(adapters::read_json(repeat("{\"a\":", 8) + "1" + repeat("}", 8), tight).ok());
  Result<nlohmann::json> nine =
      adapters::read_json(repeat("{\"a\":", 9) + "1" + repeat("}", 9), tight);
  REQUIRE_FALSE(nine.ok());
  CHECK(nine.status().message() ==
        "/a/a/a/a/a/a/a/a: arrays and objects are nested deeper than 8 levels "
        "(limits.json_max_depth)");
}

TEST_CASE("read_json: json_max_values, malformed input, and a document as it was") {
  InputLimits limits;
  limits.json_max_values = 1000;
  std::string many = "[" + repeat("1,", 1000) + "1]";
  Result<nlohmann::json> r = adapters::read_json(many, limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnprocessable);
  CHECK(r.status().message() ==
        "/: the document holds more than 1000 values (limits.json_max_values)");

  Result<nlohmann::json> bad = adapters::read_json("{\n  \"a\": [1,\n  }", {}, "page 2: ");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message() == "page 2: malformed JSON at line 3, column 3");

  const std::string text = R"({"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": []})";
  Result<nlohmann::json> same = adapters::read_json(text, {});
  REQUIRE(same.ok());
  CHECK(*same == nlohmann::json::parse(text));
}

TEST_CASE("Webcruiter: JOB_TYPE_COLLECTION or CONTACTINFO nested 60,000 deep is a 422, no crash") {
  const std::string items = R"("JOB_TYPE_COLLECTION": )" + repeat(R"({"Item": )", 60'000) +
                            R"("Fast")" + repeat("}", 60'000);
  Status s = webcruiter_parse(webcruiter_event(items));
  CHECK(s.code() == StatusCode::kUnprocessable);
  CHECK(starts_with(s.message(), "/Advert/JOB_TYPE_COLLECTION/Item/Item/"));
  CHECK(s.message().find("limits.json_max_depth") != std::string::npos);

  const std::string contacts = R"("CONTACTINFO": )" + repeat(R"({"Contact": [)", 30'000) +
                               R"({"Name": "A"})" + repeat("]}", 30'000);
  s = webcruiter_parse(webcruiter_event(contacts));
  CHECK(s.code() == StatusCode::kUnprocessable);
  CHECK(starts_with(s.message(), "/Advert/CONTACTINFO/Contact/0/Contact/0/"));

  // A real shape still reads.
  CHECK(webcruiter_parse(webcruiter_event(R"("JOB_TYPE_COLLECTION": {"Item": ["Fast"]})")).ok());
}

TEST_CASE("numbers outside double range are a 422 naming the pointer, in every adapter") {
  for (const std::string number : {"1e999", "-1e309", "1E400"}) {
    CAPTURE(number);
    Result<native::Event> n = native::parse_event(
        R"({"vacancy": {"id": 1}, "applications": [{"candidate_id": 1, "score": )" + number +
        "}]}");
    REQUIRE_FALSE(n.ok());
    CHECK(n.status().code() == StatusCode::kUnprocessable);
    CHECK(n.status().message() == "/applications/0/score: the number is out of range");

    Status w =
        webcruiter_parse(webcruiter_event("", R"({"CandidateId": 1, "Score": )" + number + "}"));
    CHECK(w.code() == StatusCode::kUnprocessable);
    CHECK(w.message() == "/Candidates/0/Score: the number is out of range");

    Status g = generic_parse(R"({"id": 1, "apps": [{"id": 2, "score": )" + number + "}]}");
    CHECK(g.code() == StatusCode::kUnprocessable);
    CHECK(g.message() == "/apps/0/score: the number is out of range");
  }
  // Large but finite numbers are numbers.
  CHECK(native::parse_event(
            R"({"vacancy": {"id": 1}, "applications": [{"candidate_id": 1, "score": 1e308}]})")
            .ok());
}

TEST_CASE("a key twice in one object is a 422 naming the key's pointer, in every adapter") {
  Result<native::Event> n =
      native::parse_event(R"({"vacancy": {"id": 1, "title": "a", "title": "b"}})");
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().code() == StatusCode::kUnprocessable);
  CHECK(n.status().message() == "/vacancy/title: the key appears twice in one object");

  Status w = webcruiter_parse(webcruiter_event("", R"({"CandidateId": 1, "CandidateId": 2})"));
  CHECK(w.code() == StatusCode::kUnprocessable);
  CHECK(w.message() == "/Candidates/0/CandidateId: the key appears twice in one object");

  Status g = generic_parse(R"({"id": 1, "apps": [], "apps": [{"id": 1}]})");
  CHECK(g.code() == StatusCode::kUnprocessable);
  CHECK(g.message() == "/apps: the key appears twice in one object");
}

TEST_CASE(
    "native: an answer for a group the policy does not declare is refused, never read as "
    "unknown") {
  native::ParseOptions options;
  options.target_groups = {"immigrant_background", "disability"};
  const std::string typo =
      R"({"vacancy": {"id": 1}, "applications": [{"candidate_id": 1, "answers": )"
      R"({"disability": "no", "immigrant_backgroud": "yes"}}]})";
  Result<native::Event> refused = native::parse_event(typo, options);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == StatusCode::kUnprocessable);
  CHECK(refused.status().message() ==
        "/applications/0/answers: an answer for a target group the tenant's policy does not "
        "declare (it declares: immigrant_background, disability)");
  // PRIVACY: nothing the sender wrote inside the answers object is echoed.
  CHECK(refused.status().message().find("backgroud") == std::string::npos);

  // Declared names, and a null (did not answer), still read.
  Result<native::Event> ok = native::parse_event(
      R"({"vacancy": {"id": 1}, "applications": [{"candidate_id": 1, "answers": )"
      R"({"disability": null, "immigrant_background": "yes"}}]})",
      options);
  REQUIRE(ok.ok());
  CHECK(ok->snapshot.applications.at(0).answers.at("immigrant_background") == domain::Answer::kYes);
  // Without declared groups (no policy known) any name is read, as before.
  CHECK(native::parse_event(typo).ok());
}

TEST_CASE("native: a rank of 2^31 or more is refused, not truncated") {
  for (const std::string rank : {"2147483648", "4294967297", "18446744073709551615", "1000001"}) {
    CAPTURE(rank);
    Result<native::Event> n = native::parse_event(
        R"({"vacancy": {"id": 1}, "applications": [{"candidate_id": 1, "rank": )" + rank + "}]}");
    REQUIRE_FALSE(n.ok());
    CHECK(n.status().code() == StatusCode::kUnprocessable);
    CHECK(n.status().message() ==
          "/applications/0/rank: expected a whole number from 1 (best) to 1000000");
  }
  Result<native::Event> ok = native::parse_event(
      R"({"vacancy": {"id": 1}, "applications": [{"candidate_id": 1, "rank": 1000000}]})");
  REQUIRE(ok.ok());
  CHECK(ok->snapshot.applications.at(0).rank == 1'000'000);
}

TEST_CASE("a candidate twice in one event is refused naming both places") {
  Result<native::Event> n = native::parse_event(
      R"({"vacancy": {"id": 1}, "applications": [{"candidate_id": 7}, {"candidate_id": 8}, {"candidate_id": "7"}]})");
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().code() == StatusCode::kUnprocessable);
  CHECK(
      n.status().message() ==
      "/applications/2/candidate_id: the same candidate as /applications/0 (each candidate once)");

  Status g = generic_parse(R"({"id": 1, "apps": [{"id": 2}, {"id": 2}]})");
  CHECK(g.code() == StatusCode::kUnprocessable);
  CHECK(starts_with(g.message(), "/apps/1: the same candidate as /apps/0"));
}

TEST_CASE("is_valid_utf8") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("abc"));
  CHECK(is_valid_utf8("Ærlig talt – ø å 😀"));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("a\xc3"));             // truncated
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  CHECK(is_valid_utf8("\xf4\x8f\xbf\xbf"));
}

TEST_CASE("limits: in the service config, with file:line:column for a bad value") {
  const std::string base = R"(tenants:
  oslo:
    policy: p.yaml
    signature: {secret: {env: X}}
    pseudonyms: {key: {env: P}}
)";
  auto read = [&](const std::string& text) {
    return [text](const std::string&) -> Result<std::string> { return text; };
  };
  config::ServiceConfigLoad defaults = config::load_service_config("m.yaml", read(base));
  REQUIRE(defaults.config);
  CHECK(defaults.config->limits.json_max_depth == 64);
  CHECK(defaults.config->limits.html_max_tags == 50'000);

  config::ServiceConfigLoad set = config::load_service_config(
      "m.yaml", read("limits: {json_max_depth: 100, json_max_values: 5000, html_max_depth: 300, "
                     "html_max_tags: 1000}\n" +
                     base));
  REQUIRE(set.config);
  CHECK(set.config->limits.json_max_depth == 100);
  CHECK(set.config->limits.json_max_values == 5000);
  CHECK(set.config->limits.html_max_depth == 300);
  CHECK(set.config->limits.html_max_tags == 1000);

  config::ServiceConfigLoad bad =
      config::load_service_config("m.yaml", read("limits:\n  json_max_depth: 2\n" + base));
  CHECK_FALSE(bad.config);
  REQUIRE(bad.diagnostics.size() == 1);
  CHECK(bad.diagnostics[0].to_string().rfind("m.yaml:2:19: limits.json_max_depth:", 0) == 0);
}

TEST_CASE("html_over_budget: nesting and tag counts, without false alarms on ordinary ads") {
  const InputLimits limits;
  CHECK_FALSE(ads::html_over_budget("<p>Hei</p><ul><li>a<li>b</ul><br><img src=x>", limits));
  // Optional end tags and void elements do not nest.
  CHECK_FALSE(ads::html_over_budget(
      repeat("<p>x", 5000) + repeat("<li>y", 5000) + repeat("<br>", 5000), limits));
  const auto deep =
      ads::html_over_budget(repeat("<div>", 50'000) + repeat("</div>", 50'000), limits);
  REQUIRE(deep);
  CHECK(*deep == "the ad has more than 50000 HTML tags (limits.html_max_tags)");
  const auto nested = ads::html_over_budget(repeat("<b>", 300), limits);
  REQUIRE(nested);
  CHECK(*nested == "the ad's HTML nests more than 256 elements deep (limits.html_max_depth)");
  CHECK_FALSE(ads::html_over_budget(repeat("<b>x</b>", 10'000), limits));
  // Tags in comments, scripts and attribute values are not tags.
  CHECK(ads::measure_html("<!-- <div><div> --><script>if (a<b) {'<div>'}</script>"
                          "<a title=\"<div>\">x</a>")
            .depth == 1);
  CHECK(ads::measure_html(repeat("<div>", 10) + repeat("</div>", 10)).depth == 10);
  CHECK(ads::measure_html(repeat("<div>", 10) + repeat("</div>", 10)).tags == 20);
}

TEST_CASE("an ad over the HTML budget is flagged as unreadable and never injected") {
  policy::Policy p;
  p.id = "t";
  p.version = "1";
  policy::Rule rule;
  rule.name = "encourage";
  policy::AdSentence spec;
  spec.mode = policy::AdMode::kInject;
  spec.sentences["nb"].sentence = "Vi oppfordrer alle til å søke.";
  rule.spec = spec;
  p.rules.push_back(rule);
  domain::Snapshot s;
  s.vacancy.id = "v";
  domain::JobAd ad;
  ad.language = "nb";
  ad.format = domain::AdFormat::kHtml;
  ad.body = repeat("<div>", 1000) + "Ledig" + repeat("</div>", 1000);
  s.vacancy.ad = ad;
  Result<std::optional<policy::AdChange>> change = policy::plan_ad_injection(p, s);
  REQUIRE(change.ok());
  CHECK_FALSE(change->has_value());
  const domain::Verdict v = policy::evaluate(p, s);
  REQUIRE(v.rules.size() == 1);
  CHECK(v.rules[0].outcome == domain::Outcome::kInsufficientData);
  CHECK(v.rules[0].reason_code == "ad_unreadable");

  // The same ad within a raised budget is read and changed.
  InputLimits raised;
  raised.html_max_depth = 2000;
  Result<std::optional<policy::AdChange>> changed =
      policy::plan_ad_injection(p, s, nullptr, raised);
  REQUIRE(changed.ok());
  CHECK(changed->has_value());
}
