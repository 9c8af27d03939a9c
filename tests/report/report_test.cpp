// Reports end to end over a real SQLite store filled from fixture verdict logs:
// aggregation (latest verdict per vacancy, month rules), suppression in the published
// report, pinned renderings, retention folding and the HTTP helpers.
#include <doctest/doctest.h>

#include <cstdlib>
#include <regex>
#include <set>

#include "connector/report/figures.hpp"
#include "report_test_support.hpp"

namespace mangfold::report {
namespace {

using namespace testing;

struct Loaded {
  TempDir dir;
  std::unique_ptr<store::Store> store;
  Fixture fixture;
  Loaded()
      : store(store::testing::open_store(dir.file("m.db"))),
        fixture(load_fixture(*store, "verdict_logs.json")) {}
};

std::int64_t figure(const MonthlyFigures& f, const std::string& month, const std::string& dept,
                    const std::string& key) {
  auto m = f.find(month);
  if (m == f.end()) return 0;
  auto d = m->second.find(dept);
  if (d == m->second.end()) return 0;
  auto k = d->second.find(key);
  return k == d->second.end() ? 0 : k->second;
}

TEST_CASE("notifications delivered in a daily digest count as notifications sent") {
  store::ReportVacancy v;
  v.record.tenant = "oslo";
  v.record.vacancy_id = "v-1";
  v.record.status = "closed";
  v.record.closed_at = 1736500000;  // 2025-01-10
  v.last_verdict = domain::Verdict{};
  v.outbox_done = {{"email", 1}, {"digest", 2}, {"ad_writeback", 1}};
  std::map<std::string, std::int64_t> rows;
  for (const store::AggregateRow& r : vacancy_figures(v, 0))
    rows[r.metric] += r.value;
  CHECK(rows.at(metric::outbox_done("email")) == 3);
  CHECK(rows.at(metric::outbox_done("ad_writeback")) == 1);
  CHECK(rows.count(metric::outbox_done("digest")) == 0);
}

TEST_CASE("aggregation counts each vacancy once, with its latest verdict, in its month") {
  Loaded l;
  auto f = load_figures(*l.store, "oslo", 2025, 2025, l.fixture.now);
  REQUIRE(f.ok());
  const std::string g = "immigrant_background";
  // January, Oppvekst: v01 (whose earlier verdict was a shortfall), v02, v03.
  CHECK(figure(*f, "2025-01", "Oppvekst", "vacancies") == 3);
  CHECK(figure(*f, "2025-01", "Oppvekst", "applicants") == 43);
  CHECK(figure(*f, "2025-01", "Oppvekst", "invited") == 12);
  CHECK(figure(*f, "2025-01", "Oppvekst", "hired") == 3);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::group(g, "yes")) == 7);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::group(g, "no")) == 30);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::group(g, "unknown")) == 6);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::group(g, "qualified")) == 4);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::group(g, "invited")) == 2);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::group(g, "hired")) == 1);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::rule("interview_minimum", g, "compliant")) == 2);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::rule("interview_minimum", g, "shortfall")) == 0);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::rule("interview_minimum", g, "not_applicable")) ==
        1);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::rule("ad_sentence", "", "shortfall")) == 1);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::overall("compliant")) == 2);
  CHECK(figure(*f, "2025-01", "Oppvekst", metric::what_if(g, 2, 5, 1)) == 1);
  CHECK(figure(*f, "2025-01", "Helse", metric::rule("interview_minimum", g, "missing")) == 1);
  CHECK(figure(*f, "2025-01", "Helse", metric::outbox_done("email")) == 2);
  // February, Helse: v07 is out of scope for interview_minimum but counted by its
  // hire_justification rule; v08 (policy not in effect) counts as a vacancy only.
  CHECK(figure(*f, "2025-02", "Helse", "vacancies") == 2);
  CHECK(figure(*f, "2025-02", "Helse", "applicants") == 10);
  CHECK(figure(*f, "2025-02", "Helse", metric::group(g, "yes")) == 1);
  CHECK(figure(*f, "2025-02", "Helse", metric::rule("interview_minimum", g, "not_applicable")) ==
        2);
  CHECK(figure(*f, "2025-02", "Helse", metric::rule("hire_justification", g, "compliant")) == 1);
  // Open vacancies count in the current month; one without a verdict not at all.
  CHECK(figure(*f, "2025-03", "Oppvekst", "vacancies") == 2);
  CHECK(figure(*f, "2025-03", "Oppvekst",
               metric::rule("interview_minimum", g, "insufficient_data")) == 1);
  // December 2024 is outside the years asked for.
  CHECK(f->count("2024-12") == 0);
  auto with_2024 = load_figures(*l.store, "oslo", 2024, 2025, l.fixture.now);
  CHECK(figure(*with_2024, "2024-12", "Oppvekst", "vacancies") == 1);
  // Another tenant sees nothing.
  CHECK(load_figures(*l.store, "bergen", 2025, 2025, l.fixture.now)->empty());
}

TEST_CASE("the excluding-wording rule is a row of its own, named in each language (issue 18)") {
  // The share of ads with findings is the ad_language rule's "not met" share: its vacancies
  // are counted like any rule's, and the report names the rule instead of printing its kind.
  MonthlyFigures f;
  for (int m = 1; m <= 12; ++m) {
    auto& x = f[(m < 10 ? "2025-0" : "2025-") + std::to_string(m)]["Oppvekst"];
    x["vacancies"] = 20;
    x[metric::rule("ad_language", "", "compliant")] = 14;
    x[metric::rule("ad_language", "", "shortfall")] = 6;
  }
  ReportQuery q;
  q.tenant = "oslo";
  q.from_month = "2025-01";
  q.to_month = "2025-12";
  q.now = 1767225600;  // 2026-01-01
  q.group_by = GroupBy::kYear;
  const Report report = tabulate(q, f);
  const std::pair<Language, const char*> names[] = {{Language::kNb, "Ordbruk i annonsen"},
                                                    {Language::kNn, "Ordbruk i annonsen"},
                                                    {Language::kEn, "Wording in the ad"}};
  for (const auto& [language, name] : names) {
    CAPTURE(name);
    for (Format format : {Format::kTable, Format::kHtml}) {
      const std::string out = render(report, format, language);
      CHECK(out.find(name) != std::string::npos);
      CHECK(out.find("ad_language") == std::string::npos);
    }
  }
  // 72 of the year's 240 ads had findings: 72 short, 70 % compliant.
  const std::string table = render(report, Format::kTable, Language::kEn);
  const std::size_t at = table.find("Rule: Wording in the ad");
  REQUIRE(at != std::string::npos);
  const std::string section = table.substr(at, table.find("\n\n", at) - at);
  CHECK(section.find(" 72 ") != std::string::npos);
  CHECK(section.find("70%") != std::string::npos);
}

TEST_CASE("the month of a vacancy: closing month, else the current month, in UTC") {
  store::VacancyRecord v;
  v.status = "open";
  CHECK(month_of(v, unix_of("2025-03-15")) == "2025-03");
  v.status = "closed";
  v.closed_at = unix_of("2025-01-31") + 11 * 3600 + 59 * 60;  // 23:59 UTC
  CHECK(month_of(v, unix_of("2025-03-15")) == "2025-01");
  v.closed_at = 0;
  v.updated_at = unix_of("2024-12-01");
  CHECK(month_of(v, 0) == "2024-12");
  CHECK(month_of_time(-1) == "1969-12");
}

TEST_CASE("metric keys round-trip, with names that need escaping") {
  auto p = metric::parse(metric::rule("interview_minimum", "a:b%c", "missing"));
  REQUIRE(p.has_value());
  CHECK(p->kind == "rule");
  CHECK(p->rule_kind == "interview_minimum");
  CHECK(p->group == "a:b%c");
  CHECK(p->field == "missing");
  auto w = metric::parse(metric::what_if("g", 3, 10, 2));
  REQUIRE(w.has_value());
  CHECK(w->q == 3);
  CHECK(w->n == 10);
  CHECK(w->i == 2);
  CHECK(metric::parse("applicants")->field == "applicants");
  CHECK_FALSE(metric::parse("bogus").has_value());
  CHECK_FALSE(metric::parse("whatif:g:1:x:2").has_value());
  CHECK_FALSE(metric::parse("group:%zz:yes").has_value());
}

// Every shown cell of every period is the true sum, and every small cell is hidden.
void check_against_figures(const Report& r, const MonthlyFigures& f, int threshold) {
  auto sum = [&](const Period& p, const std::string& key) {
    std::int64_t s = 0;
    for (const auto& [month, depts] : f) {
      const bool in = p.year_total ? month.substr(0, 4) == p.label : month == p.label;
      if (!in) continue;
      for (const auto& [dept, metrics] : depts) {
        if (r.department && dept != *r.department) continue;
        if (auto it = metrics.find(key); it != metrics.end()) s += it->second;
      }
    }
    return s;
  };
  // Counts of vacancies may show a 0 (it is about no person); counts of people may not.
  auto check = [&](const Period& p, const Cell& c, std::int64_t truth, bool zero_ok = false) {
    CAPTURE(p.label);
    if (c.value) CHECK(*c.value == truth);
    if (!p.empty && truth < threshold && !(zero_ok && truth == 0)) CHECK(c.suppressed());
  };
  for (const auto* list : {&r.months, &r.years})
    for (const Period& p : *list) {
      // The number of vacancies describes no person: shown always.
      REQUIRE(p.vacancies.value);
      CHECK(*p.vacancies.value == sum(p, "vacancies"));
      check(p, p.applicants, sum(p, "applicants"));
      // The qualified total is measured exactly when every vacancy recorded it.
      CHECK(p.qualified.has_value() == (sum(p, "qualified_measured") == sum(p, "vacancies")));
      if (p.qualified) check(p, *p.qualified, sum(p, "qualified"));
      check(p, p.invited, sum(p, "invited"));
      check(p, p.hired, sum(p, "hired"));
      for (std::size_t g = 0; g < r.groups.size(); ++g) {
        const std::string& name = r.groups[g].name;
        check(p, p.groups[g].yes, sum(p, metric::group(name, "yes")));
        check(p, p.groups[g].no, sum(p, metric::group(name, "no")));
        check(p, p.groups[g].qualified, sum(p, metric::group(name, "qualified")));
        check(p, p.groups[g].hired, sum(p, metric::group(name, "hired")));
        if (p.groups[g].applied_share.value)
          CHECK(*p.groups[g].applied_share.value ==
                doctest::Approx(static_cast<double>(*p.groups[g].yes.value) /
                                static_cast<double>(*p.applicants.value)));
        if (p.groups[g].yes.suppressed() || p.applicants.suppressed())
          CHECK(p.groups[g].applied_share.suppressed);
      }
      for (std::size_t k = 0; k < r.rules.size(); ++k) {
        const RuleKey& key = r.rules[k];
        if (key.kind == "overall") continue;
        check(p, p.rules[k].compliant, sum(p, metric::rule(key.kind, key.group, "compliant")),
              true);
        check(p, p.rules[k].shortfall, sum(p, metric::rule(key.kind, key.group, "shortfall")),
              true);
        if (p.rules[k].compliant.suppressed() || p.rules[k].shortfall.suppressed())
          CHECK(p.rules[k].compliance_rate.suppressed);
      }
    }
}

TEST_CASE(
    "the published report: true sums where shown, small cells hidden, shares from shown cells") {
  Loaded l;
  auto f = load_figures(*l.store, "oslo", 2025, 2025, l.fixture.now);
  REQUIRE(f.ok());
  for (int threshold : {3, 5}) {
    for (const std::optional<std::string>& dept :
         {std::optional<std::string>{}, std::optional<std::string>{"Oppvekst"},
          std::optional<std::string>{"Helse"}}) {
      CAPTURE(threshold);
      ReportQuery q = query_for(l.fixture, "2025-01", "2025-03", threshold);
      q.department = dept;
      auto r = build_report(*l.store, q);
      REQUIRE(r.ok());
      REQUIRE(r->months.size() == 3);
      REQUIRE(r->years.size() == 1);
      check_against_figures(*r, *f, threshold);
    }
  }
  auto r = build_report(*l.store, query_for(l.fixture, "2025-01", "2025-03", 3));
  REQUIRE(r.ok());
  CHECK(r->groups.size() == 1);
  CHECK(r->groups[0].label == "innvandrerbakgrunn");
  // No "all rules together": it mixed ad-text rules with interview rules (issue 19). With
  // one interview rule, it is the key figure's rule.
  REQUIRE(r->rules.size() == 3);
  CHECK(r->rules[0].kind == "interview_minimum");
  CHECK(r->rules[1].kind == "hire_justification");
  CHECK(r->rules[2].kind == "ad_sentence");
  CHECK(key_rule(*r) == std::optional<std::size_t>{0});
  CHECK(r->departments == std::vector<std::string>{"Helse", "Oppvekst"});
  // Shown: January's 55 applicants; the vacancies of every month, March's 2 included: the
  // number of vacancies describes no person (README: "Counts that describe no person").
  CHECK(r->months[0].applicants.value == 55);
  CHECK(r->months[1].vacancies.value == 4);
  CHECK(r->months[2].vacancies.value == 2);
  CHECK(r->months[0].vacancies.value == 4);
  CHECK(r->years[0].vacancies.value == 10);
  CHECK(r->years[0].applicants.value == 136);
}

TEST_CASE(
    "two reports of the same year cannot be subtracted: department and range slices share one "
    "pattern") {
  Loaded l;
  ReportQuery all = query_for(l.fixture, "2025-01", "2025-03", 5);
  ReportQuery helse = all;
  helse.department = "Helse";
  ReportQuery oppvekst = all;
  oppvekst.department = "Oppvekst";
  auto a = build_report(*l.store, all), h = build_report(*l.store, helse),
       o = build_report(*l.store, oppvekst);
  REQUIRE((a.ok() && h.ok() && o.ok()));
  // Where all departments and all but one are shown, the remaining one must be shown too
  // (it would follow by subtraction); the same for every month.
  for (std::size_t m = 0; m < a->months.size(); ++m) {
    const Cell cells[3][3] = {
        {a->months[m].applicants, h->months[m].applicants, o->months[m].applicants},
        {a->months[m].groups[0].yes, h->months[m].groups[0].yes, o->months[m].groups[0].yes},
        {a->months[m].invited, h->months[m].invited, o->months[m].invited}};
    for (const auto& c : cells) {
      CAPTURE(m);
      const int hidden = c[1].suppressed() + c[2].suppressed();
      if (!c[0].suppressed()) CHECK(hidden != 1);
    }
  }
  // A shorter range shows the same cells for its months, and the same year total.
  ReportQuery jan = all;
  jan.to_month = "2025-01";
  auto j = build_report(*l.store, jan);
  REQUIRE(j.ok());
  CHECK(render(*j, Format::kJson).find(R"("period": "2025-01")") != std::string::npos);
  CHECK(j->months[0].groups[0].yes.value == a->months[0].groups[0].yes.value);
  CHECK(j->years[0].groups[0].yes.value == a->years[0].groups[0].yes.value);
  CHECK(j->years[0].applicants.value == a->years[0].applicants.value);
}

TEST_CASE("queries are checked") {
  Loaded l;
  ReportQuery q = query_for(l.fixture, "2025-01", "2025-03", 5);
  q.threshold = 2;
  CHECK(build_report(*l.store, q).status().code() == StatusCode::kInvalidArgument);
  q = query_for(l.fixture, "2025-03", "2025-01", 5);
  CHECK(build_report(*l.store, q).status().code() == StatusCode::kInvalidArgument);
  q = query_for(l.fixture, "2025-1", "2025-03", 5);
  CHECK(build_report(*l.store, q).status().code() == StatusCode::kInvalidArgument);
  q = query_for(l.fixture, "2010-01", "2025-03", 5);
  CHECK(build_report(*l.store, q).status().code() == StatusCode::kInvalidArgument);
}

// Golden files: set MANGFOLD_UPDATE_GOLDEN=1 to rewrite them after a deliberate change.
void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = fixture_path("golden/" + name);
  if (std::getenv("MANGFOLD_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  const std::string expected = read_text(path);
  CHECK_MESSAGE(actual == expected, name << " differs from the golden file; actual:\n" << actual);
}

TEST_CASE("renderings of a small report are pinned") {
  Loaded l;
  ReportQuery q = query_for(l.fixture, "2025-01", "2025-03", 3);
  auto r = build_report(*l.store, q);
  REQUIRE(r.ok());
  check_golden("report.nb.txt", render(*r, Format::kTable, Language::kNb));
  check_golden("report.en.txt", render(*r, Format::kTable, Language::kEn));
  check_golden("report.nn.txt", render(*r, Format::kTable, Language::kNn));
  check_golden("report.excel-no.csv",
               render(*r, Format::kCsv, Language::kNb, CsvDialect::kExcelNo));
  q.group_by = GroupBy::kQuarter;
  auto by_quarter = build_report(*l.store, q);
  REQUIRE(by_quarter.ok());
  REQUIRE(by_quarter->months.size() == 1);
  CHECK(by_quarter->months[0].label == "2025-Q1");
  CHECK(by_quarter->months[0].vacancies.value == 10);
  check_golden("report.quarter.nn.txt", render(*by_quarter, Format::kTable, Language::kNn));
  check_golden("report.csv", render(*r, Format::kCsv));
  check_golden("report.json", render(*r, Format::kJson));
  auto json = nlohmann::json::parse(render(*r, Format::kJson));
  CHECK(json["months"].size() == 3);
  CHECK(json["threshold"] == 3);
}

// A small checker: tags nest and close, attributes are quoted, no external resource, no
// script. Enough to catch a broken page without an HTML library.
void check_well_formed(const std::string& html) {
  static const std::set<std::string> kVoid = {"meta", "br", "hr", "img", "input", "link"};
  std::vector<std::string> open;
  std::size_t at = 0;
  REQUIRE(html.rfind("<!DOCTYPE html>", 0) == 0);
  at = html.find('>') + 1;
  const std::regex attr_ok(
      R"re(^<[a-zA-Z][a-zA-Z0-9-]*(\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<]*")*\s*/?>$)re");
  while ((at = html.find('<', at)) != std::string::npos) {
    const auto end = html.find('>', at);
    REQUIRE(end != std::string::npos);
    const std::string tag = html.substr(at, end - at + 1);
    at = end + 1;
    if (tag.rfind("</", 0) == 0) {
      const std::string name = tag.substr(2, tag.size() - 3);
      REQUIRE_MESSAGE(!open.empty(), "closing " << name << " with nothing open");
      CHECK_MESSAGE(open.back() == name,
                    "closing " << name << " but " << open.back() << " is open");
      open.pop_back();
      continue;
    }
    CHECK_MESSAGE(std::regex_match(tag, attr_ok), "malformed tag " << tag);
    std::string name = tag.substr(1, tag.find_first_of(" />", 1) - 1);
    if (tag[tag.size() - 2] == '/' || kVoid.count(name)) continue;
    open.push_back(name);
  }
  CHECK(open.empty());
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("href=") == std::string::npos);
  // Nothing from outside: url() only for the charts' own patterns (url(#…), issue 19).
  CHECK_FALSE(std::regex_search(html, std::regex(R"(url\((?!#))")));
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1))
    ++n;
  return n;
}

TEST_CASE("the HTML report is one well-formed page with accessible SVG charts, in both languages") {
  Loaded l;
  auto r = build_report(*l.store, query_for(l.fixture, "2025-01", "2025-03", 3));
  REQUIRE(r.ok());
  for (Language lang : {Language::kNb, Language::kEn}) {
    const std::string html = render(*r, Format::kHtml, lang);
    check_well_formed(html);
    CHECK(count(html, "<svg") == 2);  // stages for the one group, compliance over time
    CHECK(count(html, "role=\"img\"") == 2);
    CHECK(count(html, "<desc id=") == 2);
    // One bar per shown share, one marker per hidden or unmeasured one, and in each chart's
    // legend one for "hidden" and, if the chart has any, one for "not measured".
    std::size_t shown = 0, slots = 0, legend = 2;
    bool stage_unmeasured = false, rate_unmeasured = false;
    for (const auto* list : {&r->months, &r->years})
      for (const Period& p : *list) {
        const GroupFigures& g = p.groups[0];
        for (const Share* s :
             {&g.applied_share, &g.qualified_share, &g.invited_share, &g.hired_share}) {
          ++slots;
          shown += s->value.has_value();
          stage_unmeasured |= !s->value && !s->suppressed;
        }
        for (std::size_t k = 0; k < r->rules.size(); ++k) {
          const Share& rate = p.rules[k].compliance_rate;
          ++slots;
          shown += rate.value.has_value();
          rate_unmeasured |= !rate.value && !rate.suppressed;
        }
      }
    legend += stage_unmeasured + rate_unmeasured;
    CHECK(stage_unmeasured);  // the qualified stage: these verdicts predate its total
    CHECK(shown >= 4);
    CHECK(count(html, "<rect class=\"bar\"") == shown);
    CHECK(count(html, "<text class=\"marker\"") == slots - shown + legend);
    CHECK(html.find("class=\"supp\"") != std::string::npos);  // something is hidden at 3
    CHECK(html.find(lang == Language::kNb ? "<html lang=\"nb\">" : "<html lang=\"en\">") !=
          std::string::npos);
    CHECK(html.find(lang == Language::kNb
                        ? "Målgruppe: innvandrerbakgrunn"
                        : "Target group: innvandrerbakgrunn") != std::string::npos);
  }
  // Suppressed shares are marked in the chart, not drawn.
  ReportQuery q = query_for(l.fixture, "2025-01", "2025-03", 5);
  auto strict = build_report(*l.store, q);
  const std::string html = render(*strict, Format::kHtml);
  CHECK(count(html, "<text class=\"marker\"") >
        count(render(*r, Format::kHtml), "<text class=\"marker\""));
}

TEST_CASE("names from outside are escaped in HTML and CSV") {
  MonthlyFigures f;
  f["2025-01"]["<b>Drift & \"IT\"</b>"]["vacancies"] = 7;
  f["2025-01"]["=cmd|' /C calc'!A0"]["vacancies"] = 7;
  ReportQuery q;
  q.tenant = "t<x>";
  q.from_month = q.to_month = "2025-01";
  q.department = "<b>Drift & \"IT\"</b>";
  const Report r = tabulate(q, f);
  const std::string html = render(r, Format::kHtml);
  CHECK(html.find("<b>Drift") == std::string::npos);
  CHECK(html.find("&lt;b&gt;Drift &amp; &quot;IT&quot;&lt;/b&gt;") != std::string::npos);
  CHECK(html.find("t&lt;x&gt;") != std::string::npos);
  check_well_formed(html);
  q.department = "=cmd|' /C calc'!A0";
  const std::string csv = render(tabulate(q, f), Format::kCsv);
  CHECK(csv.find(",=cmd") == std::string::npos);
  CHECK(csv.find(",'=cmd") != std::string::npos);
}

TEST_CASE(
    "retention: a vacancy past retention leaves the vacancy tables, and the month's figures stay") {
  Loaded l;
  const ReportQuery q = query_for(l.fixture, "2024-12", "2025-03", 3);
  auto before = render_report(*l.store, q, Format::kJson);
  REQUIRE(before.ok());
  RetentionOptions options;
  options.retention_days = 40;  // closed before 2025-02-03: v01–v04 (January), v11 (December)
  options.batch = 2;
  auto r = apply_retention(*l.store, l.fixture.now, options);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->folded == 5);
  CHECK(r->deleted == 5);
  CHECK_FALSE(l.store->load_vacancy("oslo", "v01")->exists);
  CHECK_FALSE(l.store->load_vacancy("oslo", "v11")->exists);
  CHECK(l.store->load_vacancy("oslo", "v05")->exists);
  CHECK(l.store->report_vacancies("oslo", false)->size() == 7);
  CHECK(*render_report(*l.store, q, Format::kJson) == *before);

  // The same id comes back with different figures (a late event): not counted again.
  auto back = store::testing::submit_sync(
      *l.store, store::testing::submission(
                    "oslo", "late-1",
                    [](const store::StoredVacancy&) -> Result<store::Changes> {
                      store::Changes c;
                      c.vacancy.department = "Oppvekst";
                      c.vacancy.status = "closed";
                      c.vacancy.closed_at = unix_of("2025-03-01");
                      c.verdict =
                          verdict_of(nlohmann::json::parse(R"({"overall": "shortfall", "rules": [
                          {"kind": "interview_minimum", "group": "immigrant_background", "outcome": "shortfall",
                           "missing": 3, "counts": [50, 9, 9, 9, 0, 9, 0, 3, 0, 0, 0]}]})"),
                                     "v01");
                      return c;
                    },
                    "v01", unix_of("2025-03-01")));
  REQUIRE(back.ok());
  CHECK(*render_report(*l.store, q, Format::kJson) == *before);
  options.retention_days = 1;
  auto again = apply_retention(*l.store, l.fixture.now, options);
  REQUIRE(again.ok());
  CHECK(again->deleted == 5);  // v01 again (not folded twice), v05–v08
  CHECK(again->folded == 4);
  CHECK(*render_report(*l.store, q, Format::kJson) == *before);
  CHECK(apply_retention(*l.store, l.fixture.now, RetentionOptions{0, 500, 0}).status().code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("GET …/vacancies lists open vacancies with their latest verdict counts, per tenant") {
  Loaded l;
  auto body = vacancies_json(*l.store, "oslo", kMinThreshold);
  REQUIRE(body.ok());
  auto j = nlohmann::json::parse(*body);
  CHECK(j["tenant"] == "oslo");
  CHECK(j["suppression_threshold"] == kMinThreshold);
  REQUIRE(j["vacancies"].size() == 3);  // v09, v10, and v12 without a verdict
  CHECK(j["vacancies"][0]["vacancy_id"] == "v09");
  // v09: Q = 2 is below the threshold, so it is hidden, and with it R and the reason.
  const nlohmann::json& v09 = j["vacancies"][0]["verdict"]["rules"][0];
  CHECK(v09["counts"]["qualified_in_group"].is_null());
  CHECK(v09["counts"]["required"].is_null());
  CHECK(v09["reason"].is_null());
  CHECK(v09["reason_code"].is_string());
  CHECK(j["vacancies"][2]["verdict"].is_null());
  // Whatever is shown of a group's counts is at least the threshold: small cells stay in.
  for (const auto& v : j["vacancies"])
    if (v["verdict"].is_object())
      for (const auto& rule : v["verdict"]["rules"]) {
        if (rule["group"] == "") continue;  // ad rules count no group
        for (const char* key : {"in_group", "qualified_in_group", "unassessed_in_group",
                                "invited_in_group", "hired_in_group"}) {
          CAPTURE(key);
          const nlohmann::json& c = rule["counts"][key];
          CHECK((c.is_null() || c.get<int>() >= kMinThreshold));
        }
      }
  // The stored verdict keeps its exact figures for the manager's email.
  auto stored = l.store->load_vacancy("oslo", "v09");
  REQUIRE(stored.ok());
  CHECK(stored->last_verdict->rules[0].counts.qualified_in_group == 2);
  CHECK(body->find("kari@example.org") == std::string::npos);  // no manager contact
  CHECK(nlohmann::json::parse(*vacancies_json(*l.store, "bergen"))["vacancies"].empty());
}

TEST_CASE("GET …/report reads its parameters and answers in the asked format") {
  Loaded l;
  std::map<std::string, std::string> params = {
      {"from", "2025-01"}, {"to", "2025-03"}, {"format", "csv"}};
  auto lookup = [&params](std::string_view name) -> std::optional<std::string> {
    auto it = params.find(std::string(name));
    return it == params.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto csv = http_report(*l.store, "oslo", lookup, l.fixture.now, 3);
  REQUIRE(csv.ok());
  CHECK(csv->content_type.rfind("text/csv", 0) == 0);
  // Under the default language (nb) the CSV is for Norwegian Excel: BOM, `;`, Norwegian names.
  CHECK(csv->body.rfind("\xEF\xBB\xBFPeriode;Avdeling;Regel;Målgruppe;Tall;Verdi;Status\r\n", 0) ==
        0);
  CHECK(csv->body.find("\r\n2025-01;alle avdelinger;;;Utlysninger vurdert;4;vist\r\n") !=
        std::string::npos);
  params["csv_dialect"] = "rfc4180";
  csv = http_report(*l.store, "oslo", lookup, l.fixture.now, 3);
  REQUIRE(csv.ok());
  CHECK(csv->body.rfind("period,department,rule,group,measure,value,status\r\n", 0) == 0);
  params["lang"] = "nn";
  params["csv_dialect"] = "excel-no";
  params["group_by"] = "quarter";
  csv = http_report(*l.store, "oslo", lookup, l.fixture.now, 3);
  REQUIRE(csv.ok());
  CHECK(csv->body.rfind("\xEF\xBB\xBFPeriode;Avdeling;Regel;Målgruppe;Tal;Verdi;Status\r\n", 0) ==
        0);
  CHECK(csv->body.find("\r\n2025-Q1;alle avdelingar;;;Utlysingar vurderte;10;vist\r\n") !=
        std::string::npos);
  params["group_by"] = "week";
  CHECK(http_report(*l.store, "oslo", lookup, l.fixture.now, 3).status().code() ==
        StatusCode::kInvalidArgument);

  params = {{"format", "html"}, {"lang", "en"}};
  auto html = http_report(*l.store, "oslo", lookup, l.fixture.now, 3);
  REQUIRE(html.ok());
  CHECK(html->content_type == "text/html; charset=utf-8");
  CHECK(html->body.find("April 2024 – March 2025") != std::string::npos);  // the default range

  params = {};
  auto json = http_report(*l.store, "oslo", lookup, l.fixture.now);
  REQUIRE(json.ok());
  CHECK(json->content_type == "application/json");
  CHECK(nlohmann::json::parse(json->body)["from"] == "2024-04");

  for (auto bad : std::vector<std::map<std::string, std::string>>{
           {{"format", "pdf"}}, {{"lang", "sv"}}, {{"from", "jan"}}, {{"to", "2025-13"}}}) {
    params = bad;
    CHECK(http_report(*l.store, "oslo", lookup, l.fixture.now).status().code() ==
          StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace mangfold::report
