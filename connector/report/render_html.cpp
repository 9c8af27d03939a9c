// The HTML report: one self-contained page (inline CSS and SVG, no scripts, no external
// resources) that reads well on screen, in print and with a screen reader. Every chart is
// an <svg role="img"> with <title> and <desc>, followed by a table with the same figures.
// Suppressed values are marked (":" with a tooltip), never drawn as a bar.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "connector/common/html.hpp"
#include "connector/report/labels.hpp"
#include "connector/report/render.hpp"

namespace mangfold::report::detail {

namespace {

constexpr std::string_view kNbsp = "\u00a0";

std::string esc(std::string_view s) {
  return html_escape(s);
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

constexpr const char* kStyle = R"css(
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#f5f7fa;--accent:#0b5cad}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:1120px;margin:0 auto;padding:32px 24px 48px}
@media (max-width:600px){main{padding:20px 12px 32px}h1{font-size:23px}h2{font-size:19px}figure{padding:10px 8px 8px}}
header{border-bottom:3px solid var(--accent);padding-bottom:18px;margin-bottom:8px}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:var(--accent);margin:0 0 4px;font-weight:700}
h1{font-size:28px;margin:0 0 14px;line-height:1.2}
h2{font-size:21px;margin:40px 0 6px}
h3{font-size:16px;margin:24px 0 8px}
.lead{color:var(--muted);margin:0 0 14px}
.meta{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0}
.meta div{display:flex;gap:6px}
.meta dt{color:var(--muted)}
.meta dd{margin:0;font-weight:600}
.cards{list-style:none;padding:0;margin:14px 0 0;display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.cards li{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 14px;min-width:0;overflow-wrap:anywhere;hyphens:auto}
.cards .num{display:block;font-size:26px;font-weight:700;font-variant-numeric:tabular-nums;line-height:1.2}
.cards .lbl{color:var(--muted);font-size:13px}
figure{margin:14px 0 14px;background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px 10px}
figure svg{width:100%;height:auto;display:block}
figcaption{font-size:13px;color:var(--muted);margin-top:6px}
.table-wrap{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:10px;margin:10px 0}
table{border-collapse:collapse;width:100%;font-size:14px;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:10px 12px 6px}
th,td{padding:6px 8px;border-top:1px solid var(--line);text-align:right;white-space:nowrap}
th[scope=row],thead th:first-child{text-align:left}
thead th{background:#eef2f6;font-weight:600;font-size:13px;white-space:normal;vertical-align:bottom}
tr.total th,tr.total td{font-weight:700;background:#f3f6f9}
.supp{color:#6b7785;text-decoration:none;border-bottom:1px dotted #9aa5b1;cursor:help}
.na{color:#9aa5b1}
footer{margin-top:40px;padding-top:12px;border-top:1px solid var(--line);font-size:13px;color:var(--muted)}
footer ul{padding-left:18px}
svg .grid{stroke:#e4e9ef;stroke-width:1}
svg .axis{stroke:#9aa5b1;stroke-width:1}
svg .tick{font-size:11px;fill:#52606d}
svg .xlabel{font-size:11px;fill:#323f4b}
svg .value{font-size:10px;fill:#323f4b}
svg .legend{font-size:12px;fill:#323f4b}
svg .marker{font-size:15px;font-weight:700;fill:#6b7785}
svg .sep{stroke:#9aa5b1;stroke-dasharray:4 3}
@media print{body{background:#fff}main{padding:0}figure,.table-wrap,.cards li{border-color:#bbb}}
)css";

// --- Charts.

struct Bar {
  std::optional<double> value;  // 0..1
  bool suppressed = false;      // else, without a value: not measured
};
struct Cluster {
  std::string line1, line2;  // x labels
  bool year_total = false;
  std::vector<Bar> bars;  // one per series
};
struct Series {
  std::string name;
  const char* color;
};

// Okabe–Ito, the colour-blind-safe palette (Okabe & Ito 2008), ordered so that neighbours
// differ in lightness too; no two series of a chart share a colour (up to eight series).
constexpr const char* kPalette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                    "#56B4E9", "#D55E00", "#F0E442", "#000000"};

// A white texture over each series' colour, so that series differ in greyscale and for
// readers who cannot tell the colours apart: solid, diagonal, crossed, dotted, …
// (SVG path data in a 6×6 tile).
constexpr const char* kTextures[] = {
    "",                                   // solid
    "M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2",  // diagonal /
    "M0,3 h6",                            // horizontal
    "M-1,5 l2,2 M0,0 l6,6 M5,-1 l2,2",    // diagonal \ .
    "M3,0 v6",                            // vertical
    "M0,0 l6,6 M6,0 l-6,6",               // crossed
    "M0,3 h6 M3,0 v6",                    // grid
    "M2,2 h0.01 M5,5 h0.01",              // dotted
};

// The colour and texture of series `i`.
const char* series_colour(std::size_t i) {
  return kPalette[i % std::size(kPalette)];
}

std::string pattern_defs(const std::string& chart_id, std::size_t n) {
  std::string d = "<defs>";
  for (std::size_t i = 0; i < n; ++i) {
    const char* texture = kTextures[i % std::size(kTextures)];
    const bool dark = i % std::size(kPalette) != 6;  // white lines on all but the yellow
    d += "<pattern id=\"" + chart_id + "-s" + std::to_string(i) +
         "\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\"><rect width=\"6\" "
         "height=\"6\" fill=\"" +
         series_colour(i) + "\"/>";
    if (*texture != '\0')
      d += std::string("<path d=\"") + texture + "\" stroke=\"" + (dark ? "#ffffff" : "#000000") +
           "\" stroke-width=\"" + (i % std::size(kTextures) == 7 ? "2.2" : "1.4") +
           "\" stroke-linecap=\"round\" fill=\"none\"/>";
    d += "</pattern>";
  }
  return d + "</defs>\n";
}

// The smallest "nice" axis maximum at or above v, with its gridline step.
std::pair<double, double> axis_for(double v) {
  constexpr std::pair<double, double> kSteps[] = {{0.1, 0.02}, {0.2, 0.05}, {0.25, 0.05},
                                                  {0.4, 0.1},  {0.5, 0.1},  {0.6, 0.1},
                                                  {0.8, 0.2},  {1.0, 0.2}};
  for (const auto& s : kSteps)
    if (v <= s.first + 1e-9) return s;
  return {1.0, 0.2};
}

std::string bar_chart(const std::string& id, const std::string& title, const std::string& desc,
                      const std::vector<Series>& series, const std::vector<Cluster>& clusters,
                      bool full_scale, Language lang) {
  const labels::Words& w = labels::words(lang);
  constexpr double kW = 760, kLeft = 52, kRight = 12, kBottom = 52, kPlotH = 240, kLegendLine = 20;

  // Legend across the top: the series, then what the markers mean; wraps when long.
  struct Item {
    std::string name;
    const char* color;   // a swatch, or nullptr for a marker
    const char* marker;  // ":" hidden, "–" not measured
    std::size_t series = 0;
  };
  std::vector<Item> items;
  for (std::size_t i = 0; i < series.size(); ++i)
    items.push_back({series[i].name, series[i].color, nullptr, i});
  items.push_back({w.suppressed_marker_title, nullptr, ":"});
  const bool unmeasured = std::any_of(clusters.begin(), clusters.end(), [](const Cluster& c) {
    return std::any_of(c.bars.begin(), c.bars.end(),
                       [](const Bar& b) { return !b.value && !b.suppressed; });
  });
  if (unmeasured) items.push_back({w.not_measured, nullptr, "–", 0});
  std::string legend;
  double lx = kLeft, ly = 14;
  for (const Item& item : items) {
    // An estimate of the text's width; the legend only needs to avoid overlaps.
    const double width = 28 + 6.6 * static_cast<double>(item.name.size());
    if (lx > kLeft && lx + width > kW - kRight) {
      lx = kLeft;
      ly += kLegendLine;
    }
    if (item.color != nullptr)
      legend += "<rect class=\"swatch\" x=\"" + fmt(lx) + "\" y=\"" + fmt(ly) +
                "\" width=\"14\" height=\"14\" rx=\"2\" fill=\"url(#" + id + "-s" +
                std::to_string(item.series) + ")\" stroke=\"" + item.color +
                "\" data-series-colour=\"" + item.color + "\"/>";
    else
      legend += "<text class=\"marker\" x=\"" + fmt(lx + 3) + "\" y=\"" + fmt(ly + 11) + "\">" +
                item.marker + "</text>";
    legend += "<text class=\"legend\" x=\"" + fmt(lx + 17) + "\" y=\"" + fmt(ly + 10) + "\">" +
              esc(item.name) + "</text>\n";
    lx += width;
  }
  const double top = ly + 36;
  const double height = top + kPlotH + kBottom;
  const double plot_w = kW - kLeft - kRight, plot_h = kPlotH;
  const double base = top + plot_h;

  double max_value = 0;
  for (const Cluster& c : clusters)
    for (const Bar& b : c.bars)
      if (b.value) max_value = std::max(max_value, *b.value);
  const auto [y_max, step] = full_scale ? std::pair{1.0, 0.2} : axis_for(max_value);
  auto y = [&](double v) { return base - plot_h * std::min(v, y_max) / y_max; };

  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + fmt(kW) + " " +
                  fmt(height) + "\" role=\"img\" aria-labelledby=\"" + id + "-title " + id +
                  "-desc\">\n";
  s += "<title id=\"" + id + "-title\">" + esc(title) + "</title>\n";
  s += "<desc id=\"" + id + "-desc\">" + esc(desc) + "</desc>\n";
  s += pattern_defs(id, series.size());
  s += "<g class=\"legend-items\">\n" + legend + "</g>\n";

  // Gridlines and the y axis in whole percents.
  for (double v = 0; v <= y_max + 1e-9; v += step) {
    s += "<line class=\"grid\" x1=\"" + fmt(kLeft) + "\" x2=\"" + fmt(kW - kRight) + "\" y1=\"" +
         fmt(y(v)) + "\" y2=\"" + fmt(y(v)) + "\"/>";
    s += "<text class=\"tick\" x=\"" + fmt(kLeft - 6) + "\" y=\"" + fmt(y(v) + 4) +
         "\" text-anchor=\"end\">" + esc(labels::percent(lang, v, kNbsp)) + "</text>\n";
  }
  s += "<line class=\"axis\" x1=\"" + fmt(kLeft) + "\" x2=\"" + fmt(kW - kRight) + "\" y1=\"" +
       fmt(base) + "\" y2=\"" + fmt(base) + "\"/>\n";

  // Year totals stand apart from the months, after a gap and a dashed line.
  const bool has_years =
      std::any_of(clusters.begin(), clusters.end(), [](const Cluster& c) { return c.year_total; });
  const double slots = static_cast<double>(clusters.size()) + (has_years ? 0.5 : 0.0);
  const double cw = plot_w / std::max(1.0, slots);
  const double k = static_cast<double>(std::max<std::size_t>(1, series.size()));
  const double bw = std::min(30.0, cw * 0.8 / k);
  const bool show_values = bw >= 24;
  double x = kLeft;
  bool separated = false;
  for (const Cluster& c : clusters) {
    if (c.year_total && !separated) {
      s += "<line class=\"sep\" x1=\"" + fmt(x + cw * 0.25) + "\" x2=\"" + fmt(x + cw * 0.25) +
           "\" y1=\"" + fmt(top - 4) + "\" y2=\"" + fmt(base + 34) + "\"/>\n";
      x += cw * 0.5;
      separated = true;
    }
    const double start = x + (cw - bw * k) / 2;
    for (std::size_t i = 0; i < c.bars.size() && i < series.size(); ++i) {
      const Bar& b = c.bars[i];
      const double bx = start + bw * static_cast<double>(i);
      const double cx = bx + bw / 2;
      const std::string who =
          series[i].name + ", " + c.line1 + (c.line2.empty() ? "" : " " + c.line2);
      if (b.value) {
        const double bar_top = y(*b.value);
        s += "<rect class=\"bar\" x=\"" + fmt(bx + 1) + "\" y=\"" + fmt(bar_top) + "\" width=\"" +
             fmt(bw - 2) + "\" height=\"" + fmt(std::max(0.0, base - bar_top)) + "\" fill=\"url(#" +
             id + "-s" + std::to_string(i) + ")\" stroke=\"" + series[i].color +
             "\" data-series-colour=\"" + series[i].color + "\"><title>" +
             esc(who + ": " + labels::percent(lang, *b.value, kNbsp)) + "</title></rect>";
        if (show_values)
          s += "<text class=\"value\" x=\"" + fmt(cx) + "\" y=\"" + fmt(bar_top - 4) +
               "\" text-anchor=\"middle\">" + esc(labels::percent(lang, *b.value, kNbsp)) +
               "</text>";
        s += "\n";
      } else {
        const std::string mark = b.suppressed ? ":" : "–";
        const std::string why = b.suppressed ? w.suppressed_marker_title : w.not_measured;
        s += "<text class=\"marker\" x=\"" + fmt(cx) + "\" y=\"" + fmt(base - 5) +
             "\" text-anchor=\"middle\"><title>" + esc(who + ": " + why) + "</title>" + mark +
             "</text>\n";
      }
    }
    s += "<text class=\"xlabel\" x=\"" + fmt(x + cw / 2) + "\" y=\"" + fmt(base + 17) +
         "\" text-anchor=\"middle\">" + esc(c.line1) + "</text>";
    if (!c.line2.empty())
      s += "<text class=\"xlabel\" x=\"" + fmt(x + cw / 2) + "\" y=\"" + fmt(base + 31) +
           "\" text-anchor=\"middle\">" + esc(c.line2) + "</text>";
    s += "\n";
    x += cw;
  }
  s += "</svg>\n";
  return s;
}

Bar bar_of(const Share& share) {
  return Bar{share.value, share.suppressed};
}

// --- Tables.

std::string cell_html(Language lang, const Cell& c, const labels::Words& w) {
  if (c.value) return labels::number(lang, *c.value, kNbsp);
  return "<abbr class=\"supp\" title=\"" + esc(w.suppressed_marker_title) + "\">:</abbr>";
}
std::string cell_html(Language lang, const std::optional<Cell>& c, const labels::Words& w) {
  if (c) return cell_html(lang, *c, w);
  return "<span class=\"na\">" + esc(w.not_measured) + "</span>";
}

std::string share_html(Language lang, const Share& s, const labels::Words& w) {
  if (s.value) return labels::percent(lang, *s.value, kNbsp);
  if (s.suppressed)
    return "<abbr class=\"supp\" title=\"" + esc(w.suppressed_marker_title) + "\">:</abbr>";
  return "<span class=\"na\">–</span>";
}

class Table {
 public:
  Table(const std::string& caption, const std::vector<std::string>& headers) {
    out_ =
        "<div class=\"table-wrap\"><table>\n<caption>" + esc(caption) + "</caption>\n<thead><tr>";
    for (const std::string& h : headers)
      out_ += "<th scope=\"col\">" + esc(h) + "</th>";
    out_ += "</tr></thead>\n<tbody>\n";
  }
  // cells are HTML already.
  void row(const std::string& head, const std::vector<std::string>& cells, bool total) {
    out_ += total ? "<tr class=\"total\">" : "<tr>";
    out_ += "<th scope=\"row\">" + esc(head) + "</th>";
    for (const std::string& c : cells)
      out_ += "<td>" + c + "</td>";
    out_ += "</tr>\n";
  }
  std::string take() { return out_ + "</tbody></table></div>\n"; }

 private:
  std::string out_;
};

std::vector<const Period*> periods(const Report& r) {
  std::vector<const Period*> out;
  for (const Period& p : r.months)
    out.push_back(&p);
  for (const Period& p : r.years)
    out.push_back(&p);
  return out;
}

Cluster cluster_for(Language lang, const Period& p) {
  Cluster c;
  c.year_total = p.year_total;
  if (p.year_total) {
    c.line1 = p.label;
    c.line2 = lang == Language::kEn ? "total" : "i alt";
  } else {
    const std::string name = labels::month_name(lang, p.label, true);
    const auto space = name.rfind(' ');
    c.line1 = name.substr(0, space);
    c.line2 = name.substr(space + 1);
  }
  return c;
}

std::string department_text(const std::optional<std::string>& d, const labels::Words& w) {
  if (!d) return w.all_departments;
  return d->empty() ? w.no_department : *d;
}

std::string page_start(const std::string& title, Language lang) {
  return "<!DOCTYPE html>\n<html lang=\"" + std::string(labels::words(lang).lang) +
         "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
         "content=\"width=device-width, "
         "initial-scale=1\">\n<title>" +
         esc(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n";
}

std::string meta_item(const std::string& term, const std::string& value) {
  return "<div><dt>" + esc(term) + "</dt><dd>" + esc(value) + "</dd></div>";
}

std::string card(const std::string& number_html, const std::string& label) {
  return "<li><span class=\"num\">" + number_html + "</span><span class=\"lbl\">" + esc(label) +
         "</span></li>";
}

}  // namespace

std::string render_html(const Report& r, Language lang) {
  const labels::Words& w = labels::words(lang);
  const std::string range = labels::month_name(lang, r.from_month, false) + " – " +
                            labels::month_name(lang, r.to_month, false);
  std::string h = page_start(
      std::string(w.title) + " – " + (r.organisation.empty() ? r.tenant : r.organisation), lang);

  h += "<header>\n<p class=\"eyebrow\">Mangfold Connector</p>\n<h1>" + esc(w.title) +
       "</h1>\n<dl class=\"meta\">";
  h += meta_item(w.tenant, r.organisation.empty() ? r.tenant : r.organisation) +
       meta_item(w.period, range) + meta_item(w.department, department_text(r.department, w)) +
       meta_item(w.generated, labels::local_timestamp(lang, r.generated_at));
  h += "</dl>\n</header>\n";

  // Key figures: the last calendar year of the range (its total so far).
  if (!r.years.empty()) {
    const Period& y = r.years.back();
    h += "<section aria-labelledby=\"key\">\n<h2 id=\"key\">" + esc(w.key_figures) + ", " +
         esc(labels::period_label(lang, y, false)) + "</h2>\n<ul class=\"cards\">";
    if (auto k = key_rule(r))
      h += card(share_html(lang, y.rules[*k].compliance_rate, w), w.key_interview);
    h += card(cell_html(lang, y.vacancies, w), w.vacancies);
    h += card(cell_html(lang, y.applicants, w), w.applicants);
    h += card(cell_html(lang, y.invited, w), w.invited);
    h += card(cell_html(lang, y.hired, w), w.hired);
    h += card(share_html(lang, y.hired_of_invited, w), w.hired_of_invited);
    for (std::size_t g = 0; g < r.groups.size(); ++g)
      h += card(share_html(lang, y.groups[g].applied_share, w),
                std::string(w.share_applicants) + ": " + r.groups[g].label);
    h += "</ul>\n</section>\n";
  }

  const bool no_data =
      std::all_of(r.years.begin(), r.years.end(), [](const Period& p) { return p.empty; });
  if (no_data) h += "<p class=\"lead\">" + esc(w.no_data) + "</p>\n";

  // One section per target group: the share at each stage, then the figures behind it.
  const std::vector<Series> stages = {{w.stage_applied, series_colour(0)},
                                      {w.stage_qualified, series_colour(1)},
                                      {w.stage_invited, series_colour(2)},
                                      {w.stage_hired, series_colour(3)}};
  for (std::size_t g = 0; g < r.groups.size(); ++g) {
    const std::string& label = r.groups[g].label;
    const std::string id = "group-" + std::to_string(g);
    h += "<section aria-labelledby=\"" + id + "\">\n<h2 id=\"" + id + "\">" + esc(w.target_group) +
         ": " + esc(label) + "</h2>\n";
    std::vector<Cluster> clusters;
    for (const Period* p : periods(r)) {
      Cluster c = cluster_for(lang, *p);
      const GroupFigures& f = p->groups[g];
      c.bars = {bar_of(f.applied_share), bar_of(f.qualified_share), bar_of(f.invited_share),
                bar_of(f.hired_share)};
      clusters.push_back(std::move(c));
    }
    const std::string title = labels::subst(w.stages_chart, "group", label);
    h += "<figure>\n" +
         bar_chart(
             id + "-chart", title,
             labels::each_period(lang, r.group_by, labels::subst(w.stages_desc, "group", label)),
             stages, clusters, false, lang) +
         "<figcaption>" + esc(title) + ". " + esc(w.note_qualified) + "</figcaption>\n</figure>\n";

    Table t(std::string(w.table_alternative) + ": " + std::string(w.target_group) + " " + label,
            {w.month, w.yes, w.no, w.unknown, w.qualified_q, w.invited_i, w.hired_in_group,
             w.share_applicants, w.share_qualified, w.share_invited, w.share_hired,
             w.hired_of_invited_group});
    for (const Period* p : periods(r)) {
      const GroupFigures& f = p->groups[g];
      t.row(labels::period_label(lang, *p, false),
            {cell_html(lang, f.yes, w), cell_html(lang, f.no, w), cell_html(lang, f.unknown, w),
             cell_html(lang, f.qualified, w), cell_html(lang, f.invited, w),
             cell_html(lang, f.hired, w), share_html(lang, f.applied_share, w),
             share_html(lang, f.qualified_share, w), share_html(lang, f.invited_share, w),
             share_html(lang, f.hired_share, w), share_html(lang, f.hired_of_invited, w)},
            p->year_total);
    }
    h += t.take() + "</section>\n";
  }

  // Compliance over time: one series per rule (the overall outcome is in its table).
  std::vector<std::size_t> rule_index;
  for (std::size_t k = 0; k < r.rules.size(); ++k)
    if (r.rules[k].kind != "overall") rule_index.push_back(k);
  h += "<section aria-labelledby=\"compliance\">\n<h2 id=\"compliance\">" +
       esc(w.compliance_over_time) + "</h2>\n";
  if (!rule_index.empty()) {
    std::vector<Series> series;
    for (std::size_t i = 0; i < rule_index.size(); ++i)
      series.push_back({labels::rule_title(lang, r.rules[rule_index[i]], r), series_colour(i)});
    std::vector<Cluster> clusters;
    for (const Period* p : periods(r)) {
      Cluster c = cluster_for(lang, *p);
      for (std::size_t k : rule_index)
        c.bars.push_back(bar_of(p->rules[k].compliance_rate));
      clusters.push_back(std::move(c));
    }
    h += "<figure>\n" +
         bar_chart("compliance-chart", w.compliance_over_time,
                   labels::each_period(lang, r.group_by, w.compliance_desc), series, clusters, true,
                   lang) +
         "<figcaption>" + esc(w.compliance) + ": " + esc(w.compliant) + " / (" + esc(w.compliant) +
         " + " + esc(w.shortfall) + ")</figcaption>\n</figure>\n";
  }
  for (std::size_t k = 0; k < r.rules.size(); ++k) {
    const std::string title = labels::rule_title(lang, r.rules[k], r);
    h += "<h3>" + esc(title) + "</h3>\n";
    Table t(std::string(w.table_alternative) + ": " + title,
            {w.month, w.evaluated, w.compliant, w.shortfall, w.not_applicable, w.insufficient_data,
             w.missing, w.compliance});
    for (const Period* p : periods(r)) {
      const RuleFigures& f = p->rules[k];
      t.row(labels::period_label(lang, *p, false),
            {cell_html(lang, f.evaluated, w), cell_html(lang, f.compliant, w),
             cell_html(lang, f.shortfall, w), cell_html(lang, f.not_applicable, w),
             cell_html(lang, f.insufficient_data, w),
             f.missing ? cell_html(lang, *f.missing, w) : "<span class=\"na\">–</span>",
             share_html(lang, f.compliance_rate, w)},
            p->year_total);
    }
    h += t.take();
  }
  h += "</section>\n";

  h += "<section aria-labelledby=\"overview\">\n<h2 id=\"overview\">" + esc(w.overview) + "</h2>\n";
  Table t(std::string(w.table_alternative) + ": " + w.overview,
          {w.month, w.vacancies, w.applicants, w.stage_qualified, w.invited, w.hired,
           w.hired_of_invited, w.notifications_sent, w.ads_written_back});
  for (const Period* p : periods(r))
    t.row(labels::period_label(lang, *p, false),
          {cell_html(lang, p->vacancies, w), cell_html(lang, p->applicants, w),
           cell_html(lang, p->qualified, w), cell_html(lang, p->invited, w),
           cell_html(lang, p->hired, w), share_html(lang, p->hired_of_invited, w),
           cell_html(lang, p->notifications_sent, w), cell_html(lang, p->ads_written_back, w)},
          p->year_total);
  h += t.take() + "</section>\n";

  if (r.inclusion) {
    const std::string goal = labels::percent(lang, kInclusionGoal);
    const std::string title = labels::subst(w.inclusion_title, "p", goal);
    h += "<section aria-labelledby=\"inclusion\">\n<h2 id=\"inclusion\">" + esc(title) + "</h2>\n";
    Table ti(std::string(w.table_alternative) + ": " + title,
             {w.month, w.new_hires, w.inclusion_hired, w.inclusion_share, w.inclusion_goal});
    for (const Period* p : periods(r))
      ti.row(
          labels::period_label(lang, *p, false),
          {cell_html(lang, p->inclusion->new_hires, w), cell_html(lang, p->inclusion->in_groups, w),
           share_html(lang, p->inclusion->share, w), esc(goal)},
          p->year_total);
    h += ti.take() + "</section>\n";
  }

  h += "<footer>\n<h2>" + esc(w.notes) + "</h2>\n<ul>\n";
  for (const std::string& note :
       {labels::subst(w.note_suppression, "t", std::to_string(r.threshold)),
        std::string(w.note_month), std::string(w.note_unknown), std::string(w.note_totals),
        std::string(w.note_qualified)})
    h += "<li>" + esc(note) + "</li>\n";
  if (r.inclusion) h += "<li>" + esc(w.note_inclusion) + "</li>\n";
  h += "</ul>\n</footer>\n</main>\n</body>\n</html>\n";
  return h;
}

std::string render_html(const WhatIf& wi, Language lang) {
  const labels::Words& w = labels::words(lang);
  const std::string range = labels::month_name(lang, wi.from_month, false) + " – " +
                            labels::month_name(lang, wi.to_month, false);
  std::string h = page_start(std::string(w.what_if_title) + " – " + wi.tenant, lang);
  h += "<header>\n<p class=\"eyebrow\">Mangfold Connector</p>\n<h1>" + esc(w.what_if_title) +
       "</h1>\n<dl class=\"meta\">";
  h += meta_item(w.tenant, wi.tenant) + meta_item(w.period, range) +
       meta_item(w.department, department_text(wi.department, w)) +
       meta_item("Policy", wi.policy_id + " " + wi.policy_version) +
       meta_item(w.generated, labels::timestamp(wi.generated_at));
  h += "</dl>\n</header>\n";
  for (const WhatIfRule& rule : wi.rules) {
    const std::string title = rule.rule + ": " + rule.label + ", " + what_if_rule_text(rule, lang);
    h += "<section>\n<h2>" + esc(title) + "</h2>\n";
    Table t(std::string(w.table_alternative) + ": " + title,
            {"", w.evaluated, w.compliant, w.shortfall, w.other_outcome, w.missing_invitations});
    t.row(w.with_policy,
          {cell_html(lang, rule.vacancies, w), cell_html(lang, rule.compliant, w),
           cell_html(lang, rule.shortfall, w), cell_html(lang, rule.not_applicable, w),
           cell_html(lang, rule.missing, w)},
          true);
    t.row(w.as_recorded,
          {cell_html(lang, rule.recorded_evaluated, w), cell_html(lang, rule.recorded_compliant, w),
           cell_html(lang, rule.recorded_shortfall, w), cell_html(lang, rule.recorded_other, w),
           cell_html(lang, rule.recorded_missing, w)},
          false);
    h += t.take() + "</section>\n";
  }
  h += "<footer>\n<ul>\n<li>" +
       esc(labels::subst(w.note_suppression, "t", std::to_string(wi.threshold))) + "</li>\n<li>" +
       esc(w.note_month) + "</li>\n</ul>\n</footer>\n</main>\n</body>\n</html>\n";
  return h;
}

}  // namespace mangfold::report::detail
