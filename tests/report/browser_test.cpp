// The HTML report in a real browser: headless Chromium (Debian's `chromium`, installed by
// scripts/install-deps) renders the page; the test reads back the DOM Chromium built and
// a screenshot of it. MANGFOLD_CHROMIUM overrides the browser's path;
// MANGFOLD_KEEP_SCREENSHOTS=<dir> keeps the screenshots for a person to look at.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

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

}  // namespace
}  // namespace mangfold::report
