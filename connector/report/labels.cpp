#include "connector/report/labels.hpp"

#include <cmath>
#include <cstdio>

#include "connector/domain/date.hpp"
#include "connector/report/months.hpp"

namespace mangfold::report::labels {

namespace {

constexpr Words kNb = {
    "nb",
    "Intervjuordningen – resultatrapport",
    "Hva om? Tidligere utlysninger vurdert etter en annen policy",
    "Virksomhet",
    "Periode",
    "Avdeling",
    "alle avdelinger",
    "(uten avdeling)",
    "Laget",
    "Måned",
    "Utlysninger vurdert",
    "Søkere",
    "Innkalt til intervju",
    "Ansatt",
    "Ansatt av innkalte",
    "E-postvarsler sendt",
    "Annonser oppdatert",
    "Utlysninger og søkere",
    "Målgruppe",
    "Ja",
    "Nei",
    "Ukjent",
    "Kvalifisert (Q)",
    "Innkalt (I)",
    "Ansatt i gruppen",
    "Andel av søkere",
    "Andel av kvalifiserte",
    "Andel av innkalte",
    "Andel av ansatte",
    "Ansatt av innkalte i gruppen",
    "Regel",
    "Vurdert",
    "Oppfylt",
    "Ikke oppfylt",
    "Ikke aktuelt",
    "Mangler data",
    "Mangler",
    "Etterlevelse",
    "Søkt",
    "Kvalifisert",
    "Innkalt",
    "Ansatt",
    "Skjult av personvernhensyn",
    "ikke målt",
    "Nøkkeltall",
    "Etterlevelse over tid",
    "Andel med {group} på hvert trinn",
    "Stolpediagram: for hver måned andelen med {group} blant søkere, kvalifiserte, innkalte og "
    "ansatte. Skjulte verdier er merket med kolon og ikke tegnet. Samme tall står i tabellen "
    "under.",
    "Stolpediagram: for hver måned andelen utlysninger der regelen var oppfylt, av dem der den "
    "var oppfylt eller ikke oppfylt. Skjulte verdier er merket med kolon og ikke tegnet. Samme "
    "tall står i tabellen under.",
    "Tabell",
    "{year} i alt",
    "Om tallene",
    "«:» betyr at tallet er skjult av personvernhensyn: det er lavere enn {t}, eller skjult for "
    "at et annet skjult tall ikke skal kunne regnes ut av summer og differanser.",
    "En utlysning telles i måneden den ble avsluttet; en åpen utlysning telles i inneværende "
    "måned. Tallene gjelder siste vurdering av hver utlysning.",
    "Målgruppen er selvoppgitt. «Ukjent» er søkere som ikke svarte, og søkere til utlysninger "
    "der ingen regel gjaldt målgruppen. Ukjent regnes aldri som en del av målgruppen.",
    "«Kvalifisert» er søkere som arbeidsgiveren har vurdert som kvalifisert, og søkere kalt "
    "inn til intervju uten en slik vurdering. «–» betyr ikke målt: antallet kvalifiserte ble "
    "ikke registrert for utlysninger sist vurdert av en eldre versjon, og en periode med en "
    "slik utlysning viser det ikke.",
    "Årstallene gjelder hele kalenderåret så langt, også måneder utenfor den valgte perioden, "
    "slik at ulike rapporter ikke kan trekkes fra hverandre.",
    "Med denne policyen",
    "Slik det ble registrert",
    "Manglende innkallinger",
    "Ikke aktuelt / mangler data",
    "minst {n} innkalt",
    "minst {p} av de innkalte",
    "Ingen utlysninger er vurdert i perioden.",
    "Nyansatte – inkluderingsdugnaden (mål: {p})",
    "Nyansatte",
    "Med nedsatt funksjonsevne eller hull i CV-en",
    "Andel av nyansatte",
    "Mål",
    "Inkluderingsdugnaden: andelen nyansatte med nedsatt funksjonsevne eller hull i CV-en, "
    "slik statlige virksomheter rapporterer den i årsrapporten. En person i begge gruppene "
    "telles én gang. Bare utlysninger der søknadsskjemaet spurte om begge gruppene, er tatt med.",
};

constexpr Words kEn = {
    "en",
    "Interview scheme – results report",
    "What if? Past vacancies assessed under another policy",
    "Organisation",
    "Period",
    "Department",
    "all departments",
    "(no department)",
    "Generated",
    "Month",
    "Vacancies evaluated",
    "Applicants",
    "Invited to interview",
    "Hired",
    "Hired of invited",
    "Notifications sent",
    "Ads updated",
    "Vacancies and applicants",
    "Target group",
    "Yes",
    "No",
    "Unknown",
    "Qualified (Q)",
    "Invited (I)",
    "Hired in group",
    "Share of applicants",
    "Share of qualified",
    "Share of invited",
    "Share of hired",
    "Hired of invited in group",
    "Rule",
    "Evaluated",
    "Compliant",
    "Shortfall",
    "Not applicable",
    "Insufficient data",
    "Missing",
    "Compliance",
    "Applied",
    "Qualified",
    "Invited",
    "Hired",
    "Hidden for privacy",
    "not measured",
    "Key figures",
    "Compliance over time",
    "Share with {group} at each stage",
    "Bar chart: for each month, the share with {group} among applicants, qualified, invited "
    "and hired. Hidden values are marked with a colon and not drawn. The table below has the "
    "same figures.",
    "Bar chart: for each month, the share of vacancies where the rule was met, of those where "
    "it was met or not met. Hidden values are marked with a colon and not drawn. The table "
    "below has the same figures.",
    "Table",
    "{year} total",
    "About the figures",
    "“:” marks a figure hidden for privacy: it is below {t}, or hidden so that another hidden "
    "figure cannot be worked out from sums and differences.",
    "A vacancy counts in the month it closed; an open vacancy counts in the current month. "
    "The figures use each vacancy's latest assessment.",
    "The target group is self-declared. “Unknown” is applicants who did not answer, and "
    "applicants to vacancies where no rule covered the group. Unknown never counts as being "
    "in the group.",
    "“Qualified” is applicants the employer assessed as qualified, and applicants invited to "
    "interview without such an assessment. “–” means not measured: the number of qualified "
    "applicants was not recorded for vacancies last assessed by an older version, and a "
    "period with such a vacancy does not show it.",
    "Year figures cover the whole calendar year so far, including months outside the chosen "
    "period, so that different reports cannot be subtracted from each other.",
    "Under this policy",
    "As recorded",
    "Missing invitations",
    "Not applicable / insufficient data",
    "at least {n} invited",
    "at least {p} of those invited",
    "No vacancy was evaluated in the period.",
    "New hires – the inclusion effort (inkluderingsdugnaden, goal: {p})",
    "New hires",
    "With a disability or gaps in the CV",
    "Share of new hires",
    "Goal",
    "The inclusion effort (inkluderingsdugnaden): the share of new hires with a disability or "
    "gaps in the CV, as state agencies report it in their annual report. A person in both "
    "groups counts once. Only vacancies whose application form asked about both groups are "
    "included.",
};

constexpr const char* kMonthsNb[] = {"januar",    "februar", "mars",     "april",
                                     "mai",       "juni",    "juli",     "august",
                                     "september", "oktober", "november", "desember"};
constexpr const char* kMonthsNbShort[] = {"jan.", "feb.", "mar.", "apr.", "mai",  "jun.",
                                          "jul.", "aug.", "sep.", "okt.", "nov.", "des."};
constexpr const char* kMonthsEn[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};
constexpr const char* kMonthsEnShort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

const Words& words(Language language) {
  return language == Language::kEn ? kEn : kNb;
}

std::string rule_name(Language language, std::string_view kind) {
  const bool en = language == Language::kEn;
  if (kind == "overall") return en ? "All rules together" : "Alle regler samlet";
  if (kind == "interview_minimum") return en ? "Interview invitations" : "Innkalling til intervju";
  if (kind == "hire_justification")
    return en ? "Justification of the proposed hire" : "Begrunnelse i innstillingen";
  if (kind == "moderate_quota") return en ? "Moderate quota" : "Moderat kvotering";
  if (kind == "ad_sentence") return en ? "Encouragement in the ad" : "Oppfordring i annonsen";
  if (kind == "ad_mentions") return en ? "Diversity goals in the ad" : "Mangfoldsmål i annonsen";
  if (kind == "ad_language") return en ? "Wording in the ad" : "Ordbruk i annonsen";
  return std::string(kind);
}

std::string rule_title(Language language, const RuleKey& key, const Report& report) {
  std::string title = rule_name(language, key.kind);
  if (key.group.empty()) return title;
  std::string label = key.group;
  for (const GroupInfo& g : report.groups)
    if (g.name == key.group) label = g.label;
  return title + " – " + label;
}

std::string month_name(Language language, std::string_view month, bool short_form) {
  auto ym = months::parse(month);
  if (!ym) return std::string(month);
  const auto i = static_cast<std::size_t>(ym->month - 1);
  const bool en = language == Language::kEn;
  const char* name = en ? (short_form ? kMonthsEnShort[i] : kMonthsEn[i])
                        : (short_form ? kMonthsNbShort[i] : kMonthsNb[i]);
  return std::string(name) + " " + std::to_string(ym->year);
}

std::string period_label(Language language, const Period& period, bool short_form) {
  if (period.year_total) return subst(words(language).year_total, "year", period.label);
  return month_name(language, period.label, short_form);
}

std::string number(Language language, std::int64_t value, std::string_view space) {
  const std::string digits = std::to_string(value < 0 ? -value : value);
  const std::string separator = language == Language::kEn ? "," : std::string(space);
  std::string out = value < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += separator;
    out += digits[i];
  }
  return out;
}

std::string percent(Language language, double share, std::string_view space) {
  const long whole = std::lround(share * 100.0);
  if (language == Language::kEn) return std::to_string(whole) + "%";
  return std::to_string(whole) + std::string(space) + "%";
}

std::string timestamp(std::int64_t unix_seconds) {
  std::int64_t days = unix_seconds / 86400, secs = unix_seconds % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const domain::Date d = domain::Date::from_days_since_epoch(static_cast<long>(days));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60));
  return d.to_string() + " " + buf + " UTC";
}

std::string subst(std::string_view text, std::string_view key, std::string_view value) {
  std::string out(text);
  const std::string pattern = "{" + std::string(key) + "}";
  for (std::size_t at = out.find(pattern); at != std::string::npos;
       at = out.find(pattern, at + value.size()))
    out.replace(at, pattern.size(), value);
  return out;
}

}  // namespace mangfold::report::labels
