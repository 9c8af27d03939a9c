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
    "Manglende tiltak",
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
    "Stolpediagram: {each} andelen med {group} blant søkere, kvalifiserte, innkalte og "
    "ansatte. Skjulte verdier er merket med kolon og ikke tegnet. Samme tall står i tabellen "
    "under.",
    "Stolpediagram: {each} andelen utlysninger der regelen var oppfylt, av dem der den "
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
    "inn til intervju uten en slik vurdering. «ikke målt»: antallet kvalifiserte ble ikke "
    "registrert for utlysninger sist vurdert av en eldre versjon, og en periode med en slik "
    "utlysning viser det ikke. «–»: det er ingenting å regne en andel av (ingen i perioden).",
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
    "Utlysninger der intervjuregelen ble oppfylt",
    "Manglende begrunnelser",
    "{time} norsk tid",
};

constexpr Words kNn = {
    "nn",
    "Intervjuordninga – resultatrapport",
    "Kva om? Tidlegare utlysingar vurderte etter ein annan policy",
    "Verksemd",
    "Periode",
    "Avdeling",
    "alle avdelingar",
    "(utan avdeling)",
    "Laga",
    "Månad",
    "Utlysingar vurderte",
    "Søkjarar",
    "Kalla inn til intervju",
    "Tilsett",
    "Tilsett av innkalla",
    "E-postvarsel sende",
    "Annonsar oppdaterte",
    "Utlysingar og søkjarar",
    "Målgruppe",
    "Ja",
    "Nei",
    "Ukjend",
    "Kvalifisert (Q)",
    "Kalla inn (I)",
    "Tilsett i gruppa",
    "Del av søkjarane",
    "Del av dei kvalifiserte",
    "Del av dei innkalla",
    "Del av dei tilsette",
    "Tilsett av innkalla i gruppa",
    "Regel",
    "Vurdert",
    "Oppfylt",
    "Ikkje oppfylt",
    "Ikkje aktuelt",
    "Manglar data",
    "Manglande tiltak",
    "Etterleving",
    "Søkt",
    "Kvalifisert",
    "Kalla inn",
    "Tilsett",
    "Skjult av omsyn til personvernet",
    "ikkje målt",
    "Nøkkeltal",
    "Etterleving over tid",
    "Del med {group} på kvart steg",
    "Stolpediagram: {each} delen med {group} blant søkjarar, kvalifiserte, innkalla "
    "og tilsette. Skjulte verdiar er merkte med kolon og ikkje teikna. Dei same tala står i "
    "tabellen under.",
    "Stolpediagram: {each} delen av utlysingane der regelen var oppfylt, av dei der "
    "han var oppfylt eller ikkje oppfylt. Skjulte verdiar er merkte med kolon og ikkje teikna. "
    "Dei same tala står i tabellen under.",
    "Tabell",
    "{year} i alt",
    "Om tala",
    "«:» tyder at talet er skjult av omsyn til personvernet: det er lågare enn {t}, eller "
    "skjult for at eit anna skjult tal ikkje skal kunne reknast ut av summar og differansar.",
    "Ei utlysing blir talt med i den månaden ho vart avslutta; ei open utlysing blir talt med "
    "i inneverande månad. Tala gjeld den siste vurderinga av kvar utlysing.",
    "Målgruppa er sjølvoppgitt. «Ukjend» er søkjarar som ikkje svarte, og søkjarar til "
    "utlysingar der ingen regel gjaldt målgruppa. Ukjend blir aldri rekna som ein del av "
    "målgruppa.",
    "«Kvalifisert» er søkjarar som arbeidsgivaren har vurdert som kvalifiserte, og søkjarar "
    "kalla inn til intervju utan ei slik vurdering. «ikkje målt»: talet på kvalifiserte vart "
    "ikkje registrert for utlysingar som sist vart vurderte av ein eldre versjon, og ein "
    "periode med ei slik utlysing viser det ikkje. «–»: det finst ingenting å rekne ein del "
    "av (ingen i perioden).",
    "Årstala gjeld heile kalenderåret så langt, også månader utanfor den valde perioden, slik "
    "at ulike rapportar ikkje kan trekkjast frå kvarandre.",
    "Med denne policyen",
    "Slik det vart registrert",
    "Manglande innkallingar",
    "Ikkje aktuelt / manglar data",
    "minst {n} kalla inn",
    "minst {p} av dei innkalla",
    "Ingen utlysingar er vurderte i perioden.",
    "Nytilsette – inkluderingsdugnaden (mål: {p})",
    "Nytilsette",
    "Med nedsett funksjonsevne eller hol i CV-en",
    "Del av dei nytilsette",
    "Mål",
    "Inkluderingsdugnaden: delen av dei nytilsette som har nedsett funksjonsevne eller hol i "
    "CV-en, slik statlege verksemder rapporterer han i årsrapporten. Ein person i begge "
    "gruppene blir talt éin gong. Berre utlysingar der søknadsskjemaet spurde om begge "
    "gruppene, er tekne med.",
    "Utlysingar der intervjuregelen vart oppfylt",
    "Manglande grunngjevingar",
    "{time} norsk tid",
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
    "Missing actions",
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
    "Bar chart: {each}, the share with {group} among applicants, qualified, invited "
    "and hired. Hidden values are marked with a colon and not drawn. The table below has the "
    "same figures.",
    "Bar chart: {each}, the share of vacancies where the rule was met, of those where "
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
    "interview without such an assessment. “not measured”: the number of qualified "
    "applicants was not recorded for vacancies last assessed by an older version, and a "
    "period with such a vacancy does not show it. “–”: there is nothing to take a share of "
    "(none in the period).",
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
    "Vacancies where the interview rule was met",
    "Missing justifications",
    "{time} Norwegian time",
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
  return language == Language::kEn ? kEn : language == Language::kNn ? kNn : kNb;
}

std::string rule_name(Language language, std::string_view kind) {
  const int l = language == Language::kEn ? 2 : language == Language::kNn ? 1 : 0;
  auto pick = [l](const char* nb, const char* nn, const char* en) {
    return std::string(l == 0 ? nb : l == 1 ? nn : en);
  };
  if (kind == "overall")
    return pick("Alle regler samlet", "Alle reglar samla", "All rules together");
  if (kind == "interview_all")
    return pick("Innkalling til intervju – alle målgrupper",
                "Innkalling til intervju – alle målgrupper",
                "Interview invitations – all target groups");
  if (kind == "interview_minimum")
    return pick("Innkalling til intervju", "Innkalling til intervju", "Interview invitations");
  if (kind == "hire_justification")
    return pick("Begrunnelse i innstillingen", "Grunngjeving i innstillinga",
                "Justification of the proposed hire");
  if (kind == "moderate_quota")
    return pick("Moderat kvotering", "Moderat kvotering", "Moderate quota");
  if (kind == "ad_sentence")
    return pick("Oppfordring i annonsen", "Oppmoding i annonsen", "Encouragement in the ad");
  if (kind == "ad_mentions")
    return pick("Mangfoldsmål i annonsen", "Mangfaldsmål i annonsen", "Diversity goals in the ad");
  if (kind == "ad_language")
    return pick("Ordbruk i annonsen", "Ordbruk i annonsen", "Wording in the ad");
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
  // A quarter, "YYYY-Qn": "1. kvartal 2025" / "Q1 2025".
  if (month.size() == 7 && month[4] == '-' && month[5] == 'Q') {
    const std::string year(month.substr(0, 4)), n(1, month[6]);
    if (language == Language::kEn) return "Q" + n + " " + year;
    return n + (short_form ? ". kv. " : ". kvartal ") + year;
  }
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

std::int64_t norway_utc_offset(std::int64_t t) {
  // Central European Time, with summer time from the last Sunday of March to the last Sunday
  // of October, each at 01:00 UTC (the EU rule Norway follows).
  auto last_sunday = [](int year, int month) {
    domain::Date d{year, month, 31};
    long days = d.days_since_epoch();
    // 1970-01-01 was a Thursday: (days + 4) % 7 == 0 on a Sunday.
    while (((days + 4) % 7 + 7) % 7 != 0)
      --days;
    return static_cast<std::int64_t>(days) * 86400 + 3600;
  };
  const int year = domain::Date::from_days_since_epoch(static_cast<long>(t / 86400)).year;
  const bool summer = t >= last_sunday(year, 3) && t < last_sunday(year, 10);
  return summer ? 7200 : 3600;
}

std::string local_timestamp(Language language, std::int64_t t) {
  const std::int64_t local = t + norway_utc_offset(t);
  std::int64_t days = local / 86400, secs = local % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  const domain::Date d = domain::Date::from_days_since_epoch(static_cast<long>(days));
  const bool en = language == Language::kEn;
  char clock[16];
  std::snprintf(clock, sizeof clock, en ? "%02d:%02d" : "%02d.%02d", static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60));
  const auto m = static_cast<std::size_t>(d.month - 1);
  const std::string date =
      en ? std::to_string(d.day) + " " + kMonthsEn[m] + " " + std::to_string(d.year) + ", " + clock
         : std::to_string(d.day) + ". " + kMonthsNb[m] + " " + std::to_string(d.year) + " kl. " +
               clock;
  return subst(words(language).local_time, "time", date);
}

const char* missing_heading(Language language, std::string_view kind) {
  const Words& w = words(language);
  if (kind == "interview_minimum") return w.missing_invitations;
  if (kind == "hire_justification") return w.missing_justifications;
  return w.missing;
}

std::string each_period(Language language, GroupBy group_by, std::string_view text) {
  const char* each = "";
  switch (group_by) {
    case GroupBy::kMonth:
      each = language == Language::kEn   ? "for each month"
             : language == Language::kNn ? "for kvar månad"
                                         : "for hver måned";
      break;
    case GroupBy::kQuarter:
      each = language == Language::kEn   ? "for each quarter"
             : language == Language::kNn ? "for kvart kvartal"
                                         : "for hvert kvartal";
      break;
    case GroupBy::kYear:
      each = language == Language::kEn   ? "for each year"
             : language == Language::kNn ? "for kvart år"
                                         : "for hvert år";
      break;
  }
  return subst(text, "each", each);
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
