// The aligned-text table and the CSV.
#include <cstdio>
#include <vector>

#include "connector/report/labels.hpp"
#include "connector/report/render.hpp"

namespace mangfold::report::detail {

namespace {

using Rows = std::vector<std::vector<std::string>>;

// Columns are aligned by characters, not bytes: æ, ø and å are two bytes each in UTF-8.
std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// The first column left-aligned, the others right-aligned, two spaces between.
std::string layout(const Rows& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string pad(widths[i] - display_width(row[i]), ' ');
      if (i > 0) line += "  ";
      line += i == 0 ? row[i] + pad : pad + row[i];
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string text(Language lang, const Cell& c) {
  return c.value ? labels::number(lang, *c.value) : ":";
}
// A figure that may not be measured: "ikke målt" then ("–" is a share with nothing to
// divide).
std::string text(Language lang, const std::optional<Cell>& c) {
  return c ? text(lang, *c) : labels::words(lang).not_measured;
}
std::string text(Language lang, const Share& s) {
  if (s.value) return labels::percent(lang, *s.value);
  return s.suppressed ? ":" : "–";
}

std::vector<const Period*> periods(const Report& r) {
  std::vector<const Period*> out;
  for (const Period& p : r.months)
    out.push_back(&p);
  for (const Period& p : r.years)
    out.push_back(&p);
  return out;
}

std::string label(Language lang, const Period& p) {
  return p.year_total ? labels::period_label(lang, p, true) : p.label;
}

// CSV: quoted only when needed (RFC 4180), CRLF line ends. A text starting like a formula
// (a department name from the ATS could) gets a leading apostrophe, so that a spreadsheet
// shows it instead of running it.
std::string csv_field(std::string_view raw, char separator = ',') {
  std::string s(raw);
  if (!s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos)
    s = "'" + s;
  if (s.find_first_of(std::string{separator} + "\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

class Csv {
 public:
  explicit Csv(std::string header, char separator = ',') : separator_(separator) {
    out_ = header + "\r\n";
  }
  void row(const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out_ += separator_;
      out_ += csv_field(fields[i], separator_);
    }
    out_ += "\r\n";
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  char separator_;
};

std::string share_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::vector<std::string> cell_fields(const Cell& c) {
  if (c.value) return {std::to_string(*c.value), "shown"};
  return {"", "suppressed"};
}
std::vector<std::string> cell_fields(const std::optional<Cell>& c) {
  if (c) return cell_fields(*c);
  return {"", "not_measured"};
}
std::vector<std::string> share_fields(const Share& s) {
  if (s.value) return {share_text(*s.value), "shown"};
  return {"", s.suppressed ? "suppressed" : "not_available"};
}

}  // namespace

std::string render_table(const Report& r, Language lang) {
  const labels::Words& w = labels::words(lang);
  std::string out;
  out += std::string(w.title) + "\n";
  out += std::string(w.tenant) + ": " + (r.organisation.empty() ? r.tenant : r.organisation) + "\n";
  out += std::string(w.period) + ": " + r.from_month + " – " + r.to_month + "\n";
  out += std::string(w.department) + ": " +
         (r.department ? (r.department->empty() ? w.no_department : *r.department)
                       : w.all_departments) +
         "\n";
  out += std::string(w.generated) + ": " + labels::local_timestamp(lang, r.generated_at) + "\n";
  if (auto k = key_rule(r); k && !r.years.empty()) {
    const Period& y = r.years.back();
    out += "\n" + std::string(w.key_figures) + ", " + labels::period_label(lang, y, false) + ": " +
           w.key_interview + ": " + text(lang, y.rules[*k].compliance_rate) + "\n";
  }

  Rows overview = {{w.month, w.vacancies, w.applicants, w.stage_qualified, w.invited, w.hired,
                    w.hired_of_invited, w.notifications_sent, w.ads_written_back}};
  for (const Period* p : periods(r))
    overview.push_back({label(lang, *p), text(lang, p->vacancies), text(lang, p->applicants),
                        text(lang, p->qualified), text(lang, p->invited), text(lang, p->hired),
                        text(lang, p->hired_of_invited), text(lang, p->notifications_sent),
                        text(lang, p->ads_written_back)});
  out += "\n" + std::string(w.overview) + "\n" + layout(overview);

  if (r.inclusion) {
    const std::string goal = labels::percent(lang, kInclusionGoal);
    Rows rows = {{w.month, w.new_hires, w.inclusion_hired, w.inclusion_share, w.inclusion_goal}};
    for (const Period* p : periods(r))
      rows.push_back({label(lang, *p), text(lang, p->inclusion->new_hires),
                      text(lang, p->inclusion->in_groups), text(lang, p->inclusion->share), goal});
    out += "\n" + labels::subst(w.inclusion_title, "p", goal) + "\n" + layout(rows);
  }

  for (std::size_t g = 0; g < r.groups.size(); ++g) {
    Rows rows = {{w.month, w.yes, w.no, w.unknown, w.qualified_q, w.invited_i, w.hired_in_group,
                  w.share_applicants, w.share_qualified, w.share_invited, w.share_hired,
                  w.hired_of_invited_group}};
    for (const Period* p : periods(r)) {
      const GroupFigures& f = p->groups[g];
      rows.push_back({label(lang, *p), text(lang, f.yes), text(lang, f.no), text(lang, f.unknown),
                      text(lang, f.qualified), text(lang, f.invited), text(lang, f.hired),
                      text(lang, f.applied_share), text(lang, f.qualified_share),
                      text(lang, f.invited_share), text(lang, f.hired_share),
                      text(lang, f.hired_of_invited)});
    }
    out += "\n" + std::string(w.target_group) + ": " + r.groups[g].label + "\n" + layout(rows);
  }

  for (std::size_t k = 0; k < r.rules.size(); ++k) {
    Rows rows = {{w.month, w.evaluated, w.compliant, w.shortfall, w.not_applicable,
                  w.insufficient_data, labels::missing_heading(lang, r.rules[k].kind),
                  w.compliance}};
    for (const Period* p : periods(r)) {
      const RuleFigures& f = p->rules[k];
      rows.push_back({label(lang, *p), text(lang, f.evaluated), text(lang, f.compliant),
                      text(lang, f.shortfall), text(lang, f.not_applicable),
                      text(lang, f.insufficient_data), f.missing ? text(lang, *f.missing) : "–",
                      text(lang, f.compliance_rate)});
    }
    out += "\n" + std::string(w.rule) + ": " + labels::rule_title(lang, r.rules[k], r) + "\n" +
           layout(rows);
  }

  out += "\n" + std::string(w.notes) + "\n";
  for (const std::string& note :
       {labels::subst(w.note_suppression, "t", std::to_string(r.threshold)),
        std::string(w.note_month), std::string(w.note_unknown), std::string(w.note_totals),
        std::string(w.note_qualified)})
    out += "- " + note + "\n";
  if (r.inclusion) out += "- " + std::string(w.note_inclusion) + "\n";
  return out;
}

namespace {

// Both CSV dialects: `names` null gives the English keys of the rfc4180 dialect; with the
// words of a language, the excel-no dialect (`;`, decimal comma, names in the language).
std::string csv_report(const Report& r, const labels::Words* names, Language lang) {
  const bool excel = names != nullptr;
  const labels::Words& w = labels::words(lang);
  const bool en = lang == Language::kEn;
  const bool nn = lang == Language::kNn;
  Csv csv(excel ? (en   ? "Period;Department;Rule;Target group;Figure;Value;Status"
                   : nn ? "Periode;Avdeling;Regel;Målgruppe;Tal;Verdi;Status"
                        : "Periode;Avdeling;Regel;Målgruppe;Tall;Verdi;Status")
                : "period,department,rule,group,measure,value,status",
          excel ? ';' : ',');
  const std::string department =
      r.department ? (excel && r.department->empty() ? w.no_department : *r.department)
                   : (excel ? w.all_departments : "*");
  auto status = [&](const std::string& s) -> std::string {
    if (!excel) return s;
    if (s == "shown") return en ? "shown" : "vist";
    if (s == "suppressed") return en ? "hidden" : "skjult";
    if (s == "not_measured") return w.not_measured;
    return en ? "nothing to divide" : nn ? "ingenting å rekne av" : "ingenting å regne av";
  };
  auto emit = [&](const Period& p, const std::string& rule, const std::string& group,
                  const char* measure, const char* name, std::vector<std::string> value) {
    if (excel) {
      for (char& c : value[0])
        if (c == '.') c = ',';
      csv.row({p.year_total ? labels::period_label(lang, p, false) : p.label, department, rule,
               group, name, value[0], status(value[1])});
    } else {
      csv.row({p.label, department, rule, group, measure, value[0], value[1]});
    }
  };
  for (const Period* p : periods(r)) {
    emit(*p, "", "", "vacancies", w.vacancies, cell_fields(p->vacancies));
    emit(*p, "", "", "applicants", w.applicants, cell_fields(p->applicants));
    emit(*p, "", "", "qualified", w.stage_qualified, cell_fields(p->qualified));
    emit(*p, "", "", "invited", w.invited, cell_fields(p->invited));
    emit(*p, "", "", "hired", w.hired, cell_fields(p->hired));
    emit(*p, "", "", "hired_of_invited", w.hired_of_invited, share_fields(p->hired_of_invited));
    emit(*p, "", "", "notifications_sent", w.notifications_sent,
         cell_fields(p->notifications_sent));
    emit(*p, "", "", "ads_written_back", w.ads_written_back, cell_fields(p->ads_written_back));
    if (p->inclusion) {
      emit(*p, "", "", "inclusion_new_hires", w.new_hires, cell_fields(p->inclusion->new_hires));
      emit(*p, "", "", "inclusion_hired", w.inclusion_hired, cell_fields(p->inclusion->in_groups));
      emit(*p, "", "", "inclusion_share", w.inclusion_share, share_fields(p->inclusion->share));
    }
    for (std::size_t g = 0; g < r.groups.size(); ++g) {
      const GroupFigures& f = p->groups[g];
      const std::string& name = excel ? r.groups[g].label : r.groups[g].name;
      emit(*p, "", name, "yes", w.yes, cell_fields(f.yes));
      emit(*p, "", name, "no", w.no, cell_fields(f.no));
      emit(*p, "", name, "unknown", w.unknown, cell_fields(f.unknown));
      emit(*p, "", name, "qualified", w.qualified_q, cell_fields(f.qualified));
      emit(*p, "", name, "invited", w.invited_i, cell_fields(f.invited));
      emit(*p, "", name, "hired", w.hired_in_group, cell_fields(f.hired));
      emit(*p, "", name, "applied_share", w.share_applicants, share_fields(f.applied_share));
      emit(*p, "", name, "qualified_share", w.share_qualified, share_fields(f.qualified_share));
      emit(*p, "", name, "invited_share", w.share_invited, share_fields(f.invited_share));
      emit(*p, "", name, "hired_share", w.share_hired, share_fields(f.hired_share));
      emit(*p, "", name, "hired_of_invited", w.hired_of_invited_group,
           share_fields(f.hired_of_invited));
    }
    for (std::size_t k = 0; k < r.rules.size(); ++k) {
      const RuleFigures& f = p->rules[k];
      const RuleKey& key = r.rules[k];
      const std::string rule = excel ? labels::rule_name(lang, key.kind) : key.kind;
      std::string group = key.group;
      if (excel)
        for (const GroupInfo& g : r.groups)
          if (g.name == key.group) group = g.label;
      emit(*p, rule, group, "evaluated", w.evaluated, cell_fields(f.evaluated));
      emit(*p, rule, group, "compliant", w.compliant, cell_fields(f.compliant));
      emit(*p, rule, group, "shortfall", w.shortfall, cell_fields(f.shortfall));
      emit(*p, rule, group, "not_applicable", w.not_applicable, cell_fields(f.not_applicable));
      emit(*p, rule, group, "insufficient_data", w.insufficient_data,
           cell_fields(f.insufficient_data));
      if (f.missing)
        emit(*p, rule, group, "missing", labels::missing_heading(lang, key.kind),
             cell_fields(*f.missing));
      emit(*p, rule, group, "compliance_rate", w.compliance, share_fields(f.compliance_rate));
    }
  }
  return (excel ? "\xEF\xBB\xBF" : "") + csv.take();
}

}  // namespace

std::string render_csv(const Report& r) {
  return csv_report(r, nullptr, Language::kEn);
}

std::string render_csv_excel(const Report& r, Language lang) {
  return csv_report(r, &labels::words(lang), lang);
}

std::string render_table(const WhatIf& wi, Language lang) {
  const labels::Words& w = labels::words(lang);
  std::string out = std::string(w.what_if_title) + "\n";
  out += std::string(w.tenant) + ": " + wi.tenant + "\n";
  out += std::string(w.period) + ": " + wi.from_month + " – " + wi.to_month + "\n";
  out += std::string(w.department) + ": " +
         (wi.department ? (wi.department->empty() ? w.no_department : *wi.department)
                        : w.all_departments) +
         "\n";
  out += "Policy: " + wi.policy_id + " " + wi.policy_version + "\n";
  out += std::string(w.generated) + ": " + labels::timestamp(wi.generated_at) + "\n";
  for (const WhatIfRule& rule : wi.rules) {
    out += "\n" + std::string(w.rule) + " " + rule.rule + ": " + rule.label + ", " +
           what_if_rule_text(rule, lang) + "\n";
    Rows rows = {
        {"", w.evaluated, w.compliant, w.shortfall, w.other_outcome, w.missing_invitations}};
    rows.push_back({w.with_policy, text(lang, rule.vacancies), text(lang, rule.compliant),
                    text(lang, rule.shortfall), text(lang, rule.not_applicable),
                    text(lang, rule.missing)});
    rows.push_back({w.as_recorded, text(lang, rule.recorded_evaluated),
                    text(lang, rule.recorded_compliant), text(lang, rule.recorded_shortfall),
                    text(lang, rule.recorded_other), text(lang, rule.recorded_missing)});
    out += layout(rows);
  }
  out += "\n" + std::string(w.notes) + "\n";
  out += "- " + labels::subst(w.note_suppression, "t", std::to_string(wi.threshold)) + "\n";
  out += "- " + std::string(w.note_month) + "\n";
  return out;
}

std::string render_csv(const WhatIf& wi) {
  Csv csv("policy,rule,group,basis,measure,value,status");
  for (const WhatIfRule& r : wi.rules) {
    auto emit = [&](const char* basis, const char* measure, const Cell& c) {
      const auto v = cell_fields(c);
      csv.row({wi.policy_id, r.rule, r.group, basis, measure, v[0], v[1]});
    };
    emit("what_if", "evaluated", r.vacancies);
    emit("what_if", "compliant", r.compliant);
    emit("what_if", "shortfall", r.shortfall);
    emit("what_if", "not_applicable", r.not_applicable);
    emit("what_if", "missing", r.missing);
    emit("recorded", "evaluated", r.recorded_evaluated);
    emit("recorded", "compliant", r.recorded_compliant);
    emit("recorded", "shortfall", r.recorded_shortfall);
    emit("recorded", "other", r.recorded_other);
    emit("recorded", "missing", r.recorded_missing);
  }
  return csv.take();
}

}  // namespace mangfold::report::detail
