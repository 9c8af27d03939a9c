// The scheduled report email's texts (issue 19), pinned in nb, nn and en as reviewed; the
// period it covers; and the HTML charts: distinct colours and textures, notes that follow
// the grouping.
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "connector/report/figures.hpp"
#include "connector/report/report.hpp"
#include "connector/report/scheduled.hpp"

namespace mangfold::report {
namespace {

// A year of figures with five rules, as the issue's report had (two of its series shared a
// colour).
MonthlyFigures five_rules() {
  MonthlyFigures f;
  const std::string g = "immigrant_background";
  for (int m = 1; m <= 6; ++m) {
    const std::string month = "2025-0" + std::to_string(m);
    auto& x = f[month][""];
    const int v = 20 + m;
    x["vacancies"] = v;
    x["applicants"] = 40 * v;
    x["invited"] = 6 * v;
    x["hired"] = v;
    x[metric::group(g, "yes")] = 12 * v;
    x[metric::group(g, "no")] = 28 * v;
    x[metric::group(g, "qualified")] = 5 * v;
    x["qualified"] = 20 * v;
    x["qualified_measured"] = v;
    x[metric::group(g, "invited")] = 2 * v;
    x[metric::group(g, "hired")] = v / 3;
    for (const char* kind : {"ad_sentence", "ad_mentions", "ad_language"}) {
      x[metric::rule(kind, "", "compliant")] = v - 6;
      x[metric::rule(kind, "", "shortfall")] = 6;
    }
    x[metric::rule("interview_minimum", g, "compliant")] = v - 7;
    x[metric::rule("interview_minimum", g, "shortfall")] = 7;
    x[metric::rule("interview_minimum", g, "missing")] = 7;
    x[metric::rule("hire_justification", g, "compliant")] = v - 8;
    x[metric::rule("hire_justification", g, "shortfall")] = 8;
    x[metric::rule("hire_justification", g, "missing")] = 8;
  }
  return f;
}

Report sample(GroupBy group_by = GroupBy::kMonth) {
  ReportQuery q;
  q.tenant = "oslo";
  q.organisation = "Oslo kommune";
  q.from_month = "2025-01";
  q.to_month = "2025-06";
  q.now = 1751328000;  // 2025-07-01
  q.group_by = group_by;
  q.group_labels = {{"immigrant_background", "innvandrerbakgrunn"}};
  return tabulate(q, five_rules());
}

// The data-series-colour values of each chart (svg) in a page, legend swatches only.
std::vector<std::vector<std::string>> chart_colours(const std::string& html) {
  std::vector<std::vector<std::string>> out;
  const std::regex swatch("<rect class=\"swatch\"[^>]*data-series-colour=\"(#[0-9A-Fa-f]{6})\"");
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    const std::string svg = html.substr(at, html.find("</svg>", at) - at);
    std::vector<std::string> colours;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), swatch);
         it != std::sregex_iterator(); ++it)
      colours.push_back((*it)[1]);
    out.push_back(colours);
  }
  return out;
}

}  // namespace

TEST_CASE("the scheduled report email's texts, as reviewed (bokmål, nynorsk, English)") {
  CHECK(scheduled_subject(Language::kNb, "Oslo kommune", "2026-02") ==
        "Intervjuordningen: rapport for februar 2026 – Oslo kommune");
  CHECK(scheduled_intro(Language::kNb, "Oslo kommune", "2026-02") ==
        "Her er rapporten om intervjuordningen i Oslo kommune for februar 2026. Den viser hvor "
        "mange utlysninger som ble vurdert, og hvor ofte intervjuregelen ble oppfylt. Tall som "
        "kunne avsløre enkeltpersoner, er skjult.");
  CHECK(scheduled_footer(Language::kNb) ==
        "Du får denne e-posten automatisk én gang i måneden. Vil du endre mottakere eller "
        "språk, kan du ta kontakt med dem som har ansvaret for Mangfold Connector.");

  CHECK(scheduled_subject(Language::kNn, "Oslo kommune", "2026-02") ==
        "Intervjuordninga: rapport for februar 2026 – Oslo kommune");
  CHECK(scheduled_intro(Language::kNn, "Oslo kommune", "2026-02") ==
        "Her er rapporten om intervjuordninga i Oslo kommune for februar 2026. Rapporten viser "
        "kor mange utlysingar som vart vurderte, og kor ofte intervjuregelen vart oppfylt. Tal "
        "som kunne avsløre enkeltpersonar, er skjulte.");
  CHECK(scheduled_footer(Language::kNn) ==
        "Du får denne e-posten automatisk éin gong i månaden. Vil du endre mottakarar eller "
        "språk, kan du ta kontakt med dei som har ansvaret for Mangfold Connector.");

  CHECK(scheduled_subject(Language::kEn, "Oslo kommune", "2026-02") ==
        "Interview scheme: report for February 2026 – Oslo kommune");
  CHECK(scheduled_intro(Language::kEn, "Oslo kommune", "2026-02") ==
        "Here is the report on the interview scheme at Oslo kommune for February 2026. It shows "
        "how many vacancies were assessed and how often the interview rule was met. Figures "
        "that could identify individuals are hidden.");
  CHECK(scheduled_footer(Language::kEn) ==
        "You receive this email automatically once a month. To change the recipients or the "
        "language, contact the people responsible for Mangfold Connector.");

  // Bokmål words must not slip into nynorsk, nor the reverse.
  const std::string nn = scheduled_intro(Language::kNn, "X", "2026-02") +
                         scheduled_footer(Language::kNn) +
                         scheduled_subject(Language::kNn, "X", "2026-02");
  for (const char* bokmal : {"ikke", "hvor", " ble ", "måneden", "mottakere", " dem ", "én gang",
                             "utlysninger", "ordningen"})
    CHECK_MESSAGE(nn.find(bokmal) == std::string::npos, bokmal);
  const std::string nb = scheduled_intro(Language::kNb, "X", "2026-02") +
                         scheduled_footer(Language::kNb) +
                         scheduled_subject(Language::kNb, "X", "2026-02");
  for (const char* nynorsk : {"ikkje", "kor ", " vart ", "månaden", "mottakarar", " dei ",
                              "éin gong", "utlysingar", "ordninga"})
    CHECK_MESSAGE(nb.find(nynorsk) == std::string::npos, nynorsk);
}

TEST_CASE("a scheduled report covers the month before, in Norwegian time") {
  CHECK(scheduled_period(1772438400) == "2026-02");  // 2026-03-02 08:00 UTC
  CHECK(scheduled_period(1767222000) == "2025-12");  // 2025-12-31 23:00 UTC = 1 January, 00:00
  CHECK(scheduled_period(1767218400) == "2025-11");  // 2025-12-31 22:00 UTC = 23:00 in Oslo
  // Summer time: 2026-07-31 22:30 UTC is 1 August, 00:30 in Oslo; an hour earlier is July.
  CHECK(scheduled_period(1785537000) == "2026-07");
  CHECK(scheduled_period(1785533400) == "2026-06");
  CHECK(scheduled_from_month("2026-05", GroupBy::kMonth) == "2026-05");
  CHECK(scheduled_from_month("2026-05", GroupBy::kQuarter) == "2026-04");
  CHECK(scheduled_from_month("2026-05", GroupBy::kYear) == "2026-01");
}

TEST_CASE("the scheduled email carries the report: the text table and the HTML page inline") {
  const Report r = sample();
  for (Language lang : {Language::kNb, Language::kNn, Language::kEn}) {
    const ScheduledEmail e = scheduled_email(r, lang, "2025-06");
    CHECK(e.subject == scheduled_subject(lang, "Oslo kommune", "2025-06"));
    CHECK(e.text.rfind(scheduled_intro(lang, "Oslo kommune", "2025-06") + "\n\n", 0) == 0);
    CHECK(e.text.find(scheduled_footer(lang)) != std::string::npos);
    CHECK(e.html.find("<svg") != std::string::npos);
    CHECK(e.html.find("<main>\n<p class=\"mail-intro\">") != std::string::npos);
    CHECK(e.html.find("<p class=\"mail-footer\">") < e.html.find("</main>"));
  }
}

TEST_CASE("every series of a chart has its own colour and texture (greyscale, colour-blind)") {
  for (Language lang : {Language::kNb, Language::kNn, Language::kEn}) {
    const std::string html = render(sample(), Format::kHtml, lang);
    const auto charts = chart_colours(html);
    REQUIRE(charts.size() == 2);   // the stages of one group; compliance over time
    CHECK(charts[0].size() == 4);  // applied, qualified, invited, hired
    CHECK(charts[1].size() >= 5);  // interview, justification, three ad rules
    for (const auto& colours : charts) {
      const std::set<std::string> distinct(colours.begin(), colours.end());
      CHECK_MESSAGE(distinct.size() == colours.size(), "a colour is used twice");
      // Okabe–Ito only.
      for (const std::string& c : colours)
        CHECK(std::string("#0072B2 #E69F00 #009E73 #CC79A7 #56B4E9 #D55E00 #F0E442 #000000")
                  .find(c) != std::string::npos);
    }
    // Each series is filled with its own pattern (colour + texture), used by its bars too.
    for (const char* chart : {"group-0-chart", "compliance-chart"}) {
      std::set<std::string> textures;
      const std::regex path("<pattern id=\"" + std::string(chart) +
                            "-s[0-9]+\"[^>]*><rect[^>]*/>(<path d=\"([^\"]*)\")?");
      for (auto it = std::sregex_iterator(html.begin(), html.end(), path);
           it != std::sregex_iterator(); ++it)
        textures.insert((*it)[2]);
      CHECK(textures.size() == (std::string(chart) == "group-0-chart" ? 4u : charts[1].size()));
      CHECK(html.find("fill=\"url(#" + std::string(chart) + "-s1)\"") != std::string::npos);
    }
  }
}

TEST_CASE("the chart notes follow the grouping, in nb, nn and en") {
  struct Case {
    GroupBy by;
    Language lang;
    const char* want;
  };
  const Case cases[] = {
      {GroupBy::kMonth, Language::kNb, "Stolpediagram: for hver måned"},
      {GroupBy::kQuarter, Language::kNb, "Stolpediagram: for hvert kvartal"},
      {GroupBy::kYear, Language::kNb, "Stolpediagram: for hvert år"},
      {GroupBy::kMonth, Language::kNn, "Stolpediagram: for kvar månad"},
      {GroupBy::kQuarter, Language::kNn, "Stolpediagram: for kvart kvartal"},
      {GroupBy::kYear, Language::kNn, "Stolpediagram: for kvart år"},
      {GroupBy::kMonth, Language::kEn, "Bar chart: for each month"},
      {GroupBy::kQuarter, Language::kEn, "Bar chart: for each quarter"},
      {GroupBy::kYear, Language::kEn, "Bar chart: for each year"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.want);
    const std::string html = render(sample(c.by), Format::kHtml, c.lang);
    std::size_t n = 0;
    for (auto at = html.find(c.want); at != std::string::npos; at = html.find(c.want, at + 1))
      ++n;
    CHECK(n == 2);  // both charts
    CHECK(html.find("{each}") == std::string::npos);
    if (c.by != GroupBy::kMonth) {
      CHECK(html.find("hver måned") == std::string::npos);
      CHECK(html.find("kvar månad") == std::string::npos);
      CHECK(html.find("each month") == std::string::npos);
    }
  }
}

}  // namespace mangfold::report
