#include "connector/report/scheduled.hpp"

#include "connector/common/html.hpp"
#include "connector/report/figures.hpp"
#include "connector/report/labels.hpp"
#include "connector/report/months.hpp"
#include "connector/report/render.hpp"

namespace mangfold::report {

namespace {

struct Texts {
  const char* subject;
  const char* intro;
  const char* footer;
};

// Reviewed as a native editor would, bokmål and nynorsk separately (issue 19).
const Texts& texts(Language language) {
  static const Texts kNb{
      "Intervjuordningen: rapport for {period} – {org}",
      "Her er rapporten om intervjuordningen i {org} for {period}. Den viser hvor mange "
      "utlysninger som ble vurdert, og hvor ofte intervjuregelen ble oppfylt. Tall som kunne "
      "avsløre enkeltpersoner, er skjult.",
      "Du får denne e-posten automatisk én gang i måneden. Vil du endre mottakere eller språk, "
      "kan du ta kontakt med dem som har ansvaret for Mangfold Connector."};
  static const Texts kNn{
      "Intervjuordninga: rapport for {period} – {org}",
      "Her er rapporten om intervjuordninga i {org} for {period}. Rapporten viser kor mange "
      "utlysingar som vart vurderte, og kor ofte intervjuregelen vart oppfylt. Tal som kunne "
      "avsløre enkeltpersonar, er skjulte.",
      "Du får denne e-posten automatisk éin gong i månaden. Vil du endre mottakarar eller "
      "språk, kan du ta kontakt med dei som har ansvaret for Mangfold Connector."};
  static const Texts kEn{
      "Interview scheme: report for {period} – {org}",
      "Here is the report on the interview scheme at {org} for {period}. It shows how many "
      "vacancies were assessed and how often the interview rule was met. Figures that could "
      "identify individuals are hidden.",
      "You receive this email automatically once a month. To change the recipients or the "
      "language, contact the people responsible for Mangfold Connector."};
  switch (language) {
    case Language::kNn:
      return kNn;
    case Language::kEn:
      return kEn;
    case Language::kNb:
      break;
  }
  return kNb;
}

std::string fill(const char* text, std::string_view organisation, std::string_view period) {
  return labels::subst(labels::subst(text, "org", organisation), "period", period);
}

}  // namespace

std::string scheduled_period(std::int64_t now) {
  const auto current = months::parse(month_of_time(now + labels::norway_utc_offset(now)));
  if (!current) return month_of_time(now);
  return months::YearMonth::from_index(current->index() - 1).str();
}

std::string scheduled_from_month(std::string_view period, GroupBy group_by) {
  auto ym = months::parse(period);
  if (!ym) return std::string(period);
  switch (group_by) {
    case GroupBy::kQuarter:
      ym->month = (ym->month - 1) / 3 * 3 + 1;
      break;
    case GroupBy::kYear:
      ym->month = 1;
      break;
    case GroupBy::kMonth:
      break;
  }
  return ym->str();
}

std::string scheduled_subject(Language language, std::string_view organisation,
                              std::string_view period) {
  return fill(texts(language).subject, organisation, labels::month_name(language, period, false));
}

std::string scheduled_intro(Language language, std::string_view organisation,
                            std::string_view period) {
  return fill(texts(language).intro, organisation, labels::month_name(language, period, false));
}

std::string scheduled_footer(Language language) {
  return texts(language).footer;
}

ScheduledEmail scheduled_email(const Report& report, Language language, std::string_view period) {
  const std::string organisation =
      report.organisation.empty() ? report.tenant : report.organisation;
  ScheduledEmail e;
  e.subject = scheduled_subject(language, organisation, period);
  const std::string intro = scheduled_intro(language, organisation, period);
  const std::string footer = scheduled_footer(language);
  e.text = intro + "\n\n" + detail::render_table(report, language) + "\n" + footer + "\n";
  std::string page = detail::render_html(report, language);
  const std::string lead = "<p class=\"mail-intro\">" + html_escape(intro) + "</p>\n";
  const std::string tail = "<p class=\"mail-footer\">" + html_escape(footer) + "</p>\n";
  if (const auto main = page.find("<main>\n"); main != std::string::npos)
    page.insert(main + 7, lead);
  else
    page = lead + page;
  if (const auto end = page.rfind("</main>"); end != std::string::npos)
    page.insert(end, tail);
  else
    page += tail;
  e.html = std::move(page);
  return e;
}

}  // namespace mangfold::report
