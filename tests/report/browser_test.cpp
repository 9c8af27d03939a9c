// The HTML report in a real browser: headless Chromium (Debian's `chromium`, installed by
// scripts/install-deps) renders the page; the test reads back the DOM Chromium built and
// a screenshot of it. MANGFOLD_CHROMIUM overrides the browser's path;
// MANGFOLD_KEEP_SCREENSHOTS=<dir> keeps the screenshots for a person to look at.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/report/figures.hpp"
#include "connector/report/report.hpp"
#include "tests/support/process.hpp"

namespace mangfold::report {
namespace {

std::string chromium() {
  const char* env = std::getenv("MANGFOLD_CHROMIUM");
  return env != nullptr ? env : "/usr/bin/chromium";
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1))
    ++n;
  return n;
}

// Half a year of a mid-sized municipality, two departments, one small enough that some
// cells are hidden.
MonthlyFigures sample_figures() {
  MonthlyFigures f;
  const std::string g = "immigrant_background";
  for (int m = 1; m <= 6; ++m) {
    const std::string month = "2025-0" + std::to_string(m);
    for (const bool big : {true, false}) {
      auto& x = f[month][big ? "Oppvekst" : "Helse"];
      const int vacancies = big ? 12 + m : 3 + m % 3;
      const int k = (big ? 4 : 1) * (m + 3);
      x["vacancies"] = vacancies;
      x["applicants"] = 20 * k;
      x["invited"] = 4 * k;
      x["hired"] = k;
      x[metric::group(g, "yes")] = 3 * k + m;
      x[metric::group(g, "no")] = 12 * k;
      x[metric::group(g, "qualified")] = 2 * k;
      x["qualified"] = 6 * k;  // every vacancy's verdict records the total
      x["qualified_measured"] = vacancies;
      x[metric::group(g, "invited")] = k + m;
      x[metric::group(g, "hired")] = k / 3 + (m % 2);
      const int shortfall = big ? 3 + m % 3 : 1 + m % 2;
      x[metric::rule("interview_minimum", g, "compliant")] = vacancies - shortfall;
      x[metric::rule("interview_minimum", g, "shortfall")] = shortfall;
      x[metric::rule("interview_minimum", g, "missing")] = shortfall + m % 2;
      x[metric::rule("ad_sentence", "", "compliant")] = vacancies - 1;
      x[metric::rule("ad_sentence", "", "shortfall")] = 1;
      x[metric::overall("compliant")] = vacancies - shortfall - 1;
      x[metric::overall("shortfall")] = shortfall + 1;
      x[metric::outbox_done("email")] = 2 + m;
    }
  }
  return f;
}

struct Rendered {
  std::string dom;
  std::string png;
};

Rendered open_in_chromium(const std::string& html, const std::string& name) {
  const std::string browser = chromium();
  REQUIRE_MESSAGE(std::filesystem::exists(browser),
                  browser << " is missing: run scripts/install-deps (Debian package chromium)");
  testing::TempDir dir;
  const std::string page = dir.path() + "/" + name + ".html";
  const std::string shot = dir.path() + "/" + name + ".png";
  testing::write_file(page, html);
  const std::vector<std::string> common = {"/usr/bin/timeout",
                                           "120",
                                           browser,
                                           "--headless",
                                           "--no-sandbox",
                                           "--disable-gpu",
                                           "--disable-background-networking",
                                           "--no-first-run",
                                           "--hide-scrollbars",
                                           "--user-data-dir=" + dir.path() + "/profile",
                                           "--window-size=1200,2200"};
  std::vector<std::string> dump = common;
  dump.push_back("--dump-dom");
  dump.push_back("file://" + page);
  const testing::CommandResult d = testing::run(dump);
  REQUIRE_MESSAGE(d.exit_code == 0, "chromium --dump-dom failed: " << d.err);

  std::vector<std::string> screenshot = common;
  screenshot.push_back("--screenshot=" + shot);
  screenshot.push_back("file://" + page);
  const testing::CommandResult s = testing::run(screenshot);
  REQUIRE_MESSAGE(s.exit_code == 0, "chromium --screenshot failed: " << s.err);
  REQUIRE(std::filesystem::exists(shot));
  Rendered r{d.out, testing::read_file(shot)};
  if (const char* keep = std::getenv("MANGFOLD_KEEP_SCREENSHOTS")) {
    std::filesystem::create_directories(keep);
    std::filesystem::copy_file(shot, std::string(keep) + "/" + name + ".png",
                               std::filesystem::copy_options::overwrite_existing);
  }
  return r;
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

TEST_CASE("headless Chromium renders the HTML report's charts, in bokmål and English") {
  ReportQuery q;
  q.tenant = "sarpsborg";
  q.from_month = "2025-01";
  q.to_month = "2025-06";
  q.now = 1751328000;  // 2025-07-01
  q.group_labels = {{"immigrant_background", "innvandrerbakgrunn"}};
  const Report report = tabulate(q, sample_figures());

  // A page without charts, to tell a rendered report from an empty screenshot.
  const Rendered blank = open_in_chromium("<!DOCTYPE html><html><body></body></html>", "blank");

  for (Language lang : {Language::kNb, Language::kEn}) {
    const std::string name = lang == Language::kNb ? "report-nb" : "report-en";
    CAPTURE(name);
    const std::string html = render(report, Format::kHtml, lang);
    const Rendered r = open_in_chromium(html, name);

    // The DOM as Chromium parsed it: both charts, with their bars, titles and tables.
    CHECK(count(r.dom, "<svg") == 2);
    const std::size_t bars = count(r.dom, "<rect class=\"bar\"");
    // 7 periods × 4 stages, and the compliance rates the suppression shows: in this small
    // sample most are hidden since the derived columns are protected too (issue 19).
    CHECK(bars >= 28);
    CHECK(bars == count(html, "<rect class=\"bar\""));
    CHECK(count(r.dom, "role=\"img\"") == 2);
    CHECK(count(r.dom, "<table>") == 4);  // group, two rules, overview (no mixed "all rules")
    CHECK(r.dom.find(lang == Language::kNb
                         ? "Andel med innvandrerbakgrunn på hvert trinn"
                         : "Share with innvandrerbakgrunn at each stage") != std::string::npos);
    CHECK(r.dom.find("class=\"marker\"") != std::string::npos);  // hidden values are marked

    // The screenshot: a PNG of the window's size, and far more than a blank page.
    REQUIRE(r.png.size() > 24);
    CHECK(r.png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    CHECK(r.png.compare(12, 4, "IHDR") == 0);
    CHECK(be32(r.png, 16) == 1200);
    CHECK(be32(r.png, 20) == 2200);
    CHECK(r.png.size() > 30000);
    CHECK(r.png.size() > 10 * blank.png.size());
  }
}

// Measures the laid-out page in the browser and writes the findings into the DOM, where
// --dump-dom returns them: the viewport, the document's width, every element wider inside
// than its box (scrollWidth > clientWidth) or reaching outside the viewport, and per chart
// the colour each legend swatch paints. `strict`: deliberate scroll containers (the tables'
// .table-wrap, overflow-x: auto) must not scroll either.
std::string layout_probe(bool strict) {
  return std::string(R"js(<script>
(function () {
  var strict = )js") +
         (strict ? "true" : "false") + R"js(;
  var vw = document.documentElement.clientWidth;
  var res = {viewport: window.innerWidth, doc: document.documentElement.scrollWidth,
             body: document.body.scrollWidth, overflow: [], charts: []};
  function name(el) {
    var c = typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '';
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + c;
  }
  function scrolls(el) {
    var o = getComputedStyle(el).overflowX;
    return o === 'auto' || o === 'scroll';
  }
  function in_scroller(el) {
    for (var p = el.parentElement; p; p = p.parentElement) if (scrolls(p)) return true;
    return false;
  }
  var all = document.querySelectorAll('body *');
  for (var i = 0; i < all.length; i++) {
    var el = all[i];
    if (el.closest('svg') || el.tagName === 'SCRIPT') continue;  // SVG scales to its box
    var cs = getComputedStyle(el);
    if (cs.display === 'none') continue;
    if (cs.display !== 'inline' && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 &&
        (strict || !scrolls(el)))
      res.overflow.push(name(el) + ' scrollWidth ' + el.scrollWidth + ' clientWidth ' + el.clientWidth);
    var r = el.getBoundingClientRect();
    if ((r.right > vw + 1 || r.left < -1) && !in_scroller(el))
      res.overflow.push(name(el) + ' outside the viewport: ' + Math.round(r.left) + ' to ' + Math.round(r.right));
  }
  var svgs = document.querySelectorAll('svg[role=img]');
  for (var k = 0; k < svgs.length; k++) {
    var colours = [];
    var swatches = svgs[k].querySelectorAll('rect.swatch');
    for (var j = 0; j < swatches.length; j++) {
      var fill = swatches[j].getAttribute('fill');
      var m = /url\(#([^)]+)\)/.exec(fill);
      var painted = m ? document.getElementById(m[1]).querySelector('rect').getAttribute('fill') : fill;
      colours.push(String(painted).toUpperCase());
    }
    res.charts.push(colours);
  }
  var pre = document.createElement('pre');
  pre.id = 'layout-result';
  pre.textContent = JSON.stringify(res);
  document.body.appendChild(pre);
})();
</script>
)js";
}

nlohmann::json measure(const std::string& html, const std::string& name, int width, bool strict) {
  const std::string browser = chromium();
  REQUIRE_MESSAGE(std::filesystem::exists(browser),
                  browser << " is missing: run scripts/install-deps (Debian package chromium)");
  std::string report_html = html;
  const auto body_end = report_html.rfind("</body>");
  REQUIRE(body_end != std::string::npos);
  report_html.insert(body_end, layout_probe(strict));
  // Headless Chromium keeps its window at least 500 px wide, so the report is laid out in
  // an iframe of exactly `width` px (its viewport); the frame shares the host page's origin
  // (srcdoc), whose script copies the probe's findings out once the frame has loaded.
  std::string srcdoc;
  for (char c : report_html) {
    if (c == '&')
      srcdoc += "&amp;";
    else if (c == '"')
      srcdoc += "&quot;";
    else
      srcdoc += c;
  }
  const std::string host =
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">"
      "<iframe id=\"frame\" style=\"border:0;display:block;width:" +
      std::to_string(width) +
      "px;height:1500px\" onload=\"var r=this.contentDocument.getElementById('layout-result');"
      "var p=document.createElement('pre');p.id='layout-result';p.textContent=r?r.textContent:"
      "'no result';document.body.appendChild(p);\" srcdoc=\"" +
      srcdoc + "\"></iframe></body></html>";
  testing::TempDir dir;
  const std::string page = dir.path() + "/" + name + ".html";
  testing::write_file(page, host);
  const testing::CommandResult d = testing::run(
      {"/usr/bin/timeout", "120", browser, "--headless", "--no-sandbox", "--disable-gpu",
       "--disable-background-networking", "--no-first-run", "--hide-scrollbars",
       "--user-data-dir=" + dir.path() + "/profile",
       "--window-size=" + std::to_string(width + 40) + ",1600", "--dump-dom", "file://" + page});
  REQUIRE_MESSAGE(d.exit_code == 0, "chromium --dump-dom failed: " << d.err);
  const std::string open = "<pre id=\"layout-result\">";
  const auto at = d.out.rfind(open);
  REQUIRE_MESSAGE(at != std::string::npos,
                  "the probe wrote nothing; the page: " << d.out.substr(0, 2000));
  std::string text = d.out.substr(at + open.size(), d.out.find("</pre>", at) - at - open.size());
  for (const auto& [entity, ch] : std::vector<std::pair<std::string, std::string>>{
           {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&amp;", "&"}})
    for (auto e = text.find(entity); e != std::string::npos; e = text.find(entity, e + 1))
      text.replace(e, entity.size(), ch);
  return nlohmann::json::parse(text);
}

// Five rules, as the report of issue 19 had (two of its series shared a colour), and a
// group table of twelve columns.
MonthlyFigures five_rule_figures() {
  MonthlyFigures f = sample_figures();
  for (auto& [month, departments] : f)
    for (auto& [department, x] : departments) {
      const std::int64_t v = x["vacancies"];
      for (const char* kind : {"ad_mentions", "ad_language"}) {
        x[metric::rule(kind, "", "compliant")] = v - 1;
        x[metric::rule(kind, "", "shortfall")] = 1;
      }
      x[metric::rule("hire_justification", "immigrant_background", "compliant")] = v - 2;
      x[metric::rule("hire_justification", "immigrant_background", "shortfall")] = 2;
      x[metric::rule("hire_justification", "immigrant_background", "missing")] = 2;
    }
  return f;
}

TEST_CASE(
    "at 1,280 and 390 px wide nothing overflows its container, and every chart series "
    "has its own colour (headless Chromium)") {
  for (GroupBy by : {GroupBy::kMonth, GroupBy::kQuarter}) {
    ReportQuery q;
    q.tenant = "sarpsborg";
    q.organisation = "Sarpsborg kommune";
    q.from_month = "2025-01";
    q.to_month = "2025-06";
    q.now = 1751328000;  // 2025-07-01
    q.group_by = by;
    q.group_labels = {{"immigrant_background", "innvandrerbakgrunn"}};
    const Report report = tabulate(q, five_rule_figures());
    for (Language lang : {Language::kNb, Language::kNn, Language::kEn}) {
      const std::string html = render(report, Format::kHtml, lang);
      // At 1,280 px every table fits its card; at 390 px (a phone) a wide table may scroll
      // inside its card, and nothing else may be wider than its box or the screen.
      for (const int width : {1280, 390}) {
        const std::string name = std::string(by == GroupBy::kMonth ? "month-" : "quarter-") +
                                 std::string(lang == Language::kNb   ? "nb"
                                             : lang == Language::kNn ? "nn"
                                                                     : "en") +
                                 "-" + std::to_string(width);
        CAPTURE(name);
        const nlohmann::json m = measure(html, name, width, width >= 1280);
        INFO(m.dump());
        CHECK(m.at("viewport") == width);
        CHECK(m.at("doc").get<int>() <= width);
        CHECK(m.at("overflow").empty());
        REQUIRE(m.at("charts").size() == 2);
        CHECK(m.at("charts").at(0).size() == 4);
        CHECK(m.at("charts").at(1).size() == 5);
        for (const auto& chart : m.at("charts")) {
          const std::set<std::string> distinct(chart.begin(), chart.end());
          CHECK_MESSAGE(distinct.size() == chart.size(), "two series share a colour");
        }
      }
    }
  }
}

}  // namespace
}  // namespace mangfold::report
