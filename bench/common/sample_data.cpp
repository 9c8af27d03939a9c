#include "bench/common/sample_data.hpp"

#include <array>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mangfold::bench {

namespace {

constexpr std::array<std::string_view, 8> kTasks = {
    "Saksbehandling og oppfølging av kommunens arbeid med bosetting og kvalifisering",
    "Utarbeide beslutningsgrunnlag, rapporter og høringsuttalelser for ledelsen",
    "Samarbeid med andre enheter, frivillige organisasjoner og statlige etater",
    "Veiledning av kolleger og kontakt med innbyggere på telefon og i skranke",
    "Bidra i utviklingsprosjekter og digitalisering av tjenestene våre",
    "Planlegge og gjennomføre møter, kurs og informasjonstiltak",
    "Økonomioppfølging, budsjettarbeid og rapportering til direktoratet",
    "Delta i beredskapsarbeid og andre oppgaver som naturlig hører til stillingen",
};

constexpr std::string_view kHead =
    "<div><p><strong>Vil du være med på å skape gode tjenester for alle som bor i "
    "kommunen?</strong></p>"
    "<p>Avdeling for bosetting og inkludering har 40 ansatte og jobber med bosetting, "
    "introduksjonsprogram og opplæring i norsk. Vi er en inkluderende arbeidsplass og ønsker "
    "at mangfoldet i befolkningen gjenspeiles blant de ansatte.</p>"
    "<h3>Arbeidsoppgaver</h3><ul>";

constexpr std::string_view kTail =
    "</ul><h3>Kvalifikasjoner</h3><ul>"
    "<li>Høyere utdanning på minimum bachelornivå, gjerne innen samfunnsfag eller juss</li>"
    "<li>Erfaring fra offentlig forvaltning er en fordel</li>"
    "<li>Gode norskkunnskaper, muntlig og skriftlig</li></ul>"
    "<h3>Vi tilbyr</h3><ul><li>Fast stilling i et faglig sterkt miljø</li>"
    "<li>Fleksibel arbeidstid og gode pensjonsordninger i KLP</li>"
    "<li>Lønn etter avtale i stillingskode 1434 rådgiver</li></ul>"
    "<h3>Slik søker du</h3><p>Søk elektronisk via lenken «Søk stillingen». "
    "Søknadsfrist er oppgitt i annonsen.</p></div>";

nlohmann::json application_json(const domain::Application& a) {
  nlohmann::json j{{"candidate_id", a.candidate_id},
                   {"stage", std::string(domain::to_string(a.stage))},
                   {"qualification", std::string(domain::to_string(a.qualification))}};
  if (!a.history.empty()) {
    nlohmann::json h = nlohmann::json::array();
    for (domain::Stage s : a.history)
      h.push_back(std::string(domain::to_string(s)));
    j["history"] = std::move(h);
  }
  nlohmann::json answers = nlohmann::json::object();
  for (const auto& [group, answer] : a.answers)
    answers[group] = std::string(domain::to_string(answer));
  j["answers"] = std::move(answers);
  return j;
}

}  // namespace

std::string job_ad_html(std::size_t bytes, std::string_view reference) {
  std::string ad(kHead);
  ad += "<li>Stillingsnummer ";
  ad += reference;
  ad += ": koordinere arbeidet i avdelingen</li>";
  ad.reserve(bytes + 256);
  for (std::size_t i = 0; ad.size() + kTail.size() < bytes; ++i) {
    ad += "<li>";
    ad += kTasks[i % kTasks.size()];
    ad += "</li>";
  }
  ad += kTail;
  return ad;
}

std::vector<domain::Application> applications(int count) {
  std::vector<domain::Application> out;
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    domain::Application a;
    a.candidate_id = std::to_string(7300000 + i);
    // Of ten applicants: six have applied, two are invited, one interviewed, and one was
    // rejected after an interview (and still counts as invited).
    switch (i % 10) {
      case 6:
      case 7:
        a.stage = domain::Stage::kInterview;
        break;
      case 8:
        a.stage = domain::Stage::kInterviewed;
        break;
      case 9:
        a.stage = domain::Stage::kRejected;
        a.history = {domain::Stage::kApplied, domain::Stage::kInterview};
        break;
      default:
        a.stage = domain::Stage::kApplied;
        break;
    }
    a.qualification =
        i % 3 == 2 ? domain::Qualification::kNotQualified : domain::Qualification::kQualified;
    switch (i % 4) {
      case 0:
        a.answers.emplace("immigrant_background", domain::Answer::kYes);
        break;
      case 3:
        break;  // did not answer
      default:
        a.answers.emplace("immigrant_background", domain::Answer::kNo);
        break;
    }
    out.push_back(std::move(a));
  }
  return out;
}

domain::Snapshot snapshot(int application_count, std::size_t ad_bytes) {
  domain::Snapshot s;
  s.vacancy.id = "4100000101";
  s.vacancy.title = "Rådgiver – bosetting og inkludering";
  s.vacancy.department = "Avdeling for bosetting og inkludering";
  s.vacancy.url = "https://www.webcruiter.no/wcmain/advertviewpublic.aspx?oppdragsnr=4100000101";
  s.vacancy.job_types = {"Fast"};
  s.vacancy.deadline = domain::Date{2027, 1, 15};
  s.vacancy.manager = {"Kari Eksempel", "kari.eksempel@kommune.example.no"};
  if (ad_bytes > 0)
    s.vacancy.ad =
        domain::JobAd{job_ad_html(ad_bytes, s.vacancy.id), domain::AdFormat::kHtml, "nb"};
  s.applications = applications(application_count);
  return s;
}

std::string native_event(const EventSpec& spec) {
  nlohmann::json vacancy{
      {"id", spec.vacancy_id},
      {"title", "Rådgiver – bosetting og inkludering"},
      {"department", "Avdeling for bosetting og inkludering"},
      {"url",
       "https://www.webcruiter.no/wcmain/advertviewpublic.aspx?oppdragsnr=" + spec.vacancy_id},
      {"job_types", {"Fast"}},
      {"internal_only", false},
      {"status", "open"},
      {"deadline", "2027-01-15"},
      {"manager", {{"name", "Kari Eksempel"}, {"email", "kari.eksempel@kommune.example.no"}}},
  };
  if (spec.ad_bytes > 0)
    vacancy["ad"] = {{"language", "NB-NO"},
                     {"format", "html"},
                     {"body", job_ad_html(spec.ad_bytes, spec.vacancy_id)}};
  nlohmann::json apps = nlohmann::json::array();
  for (const domain::Application& a : applications(spec.applications))
    apps.push_back(application_json(a));
  nlohmann::json event{{"event", {{"id", spec.event_id}, {"type", "vacancy.updated"}}},
                       {"vacancy", std::move(vacancy)},
                       {"applications", std::move(apps)}};
  return event.dump();
}

std::size_t ad_bytes_for_total(EventSpec spec, std::size_t total_bytes) {
  spec.ad_bytes = 1;
  const std::size_t minimal = native_event(spec).size();
  spec.ad_bytes = total_bytes > minimal ? total_bytes - minimal : 1;
  while (native_event(spec).size() < total_bytes)
    spec.ad_bytes += 64;
  return spec.ad_bytes;
}

int applications_for_total(EventSpec spec, std::size_t total_bytes) {
  spec.applications = 0;
  const std::size_t empty = native_event(spec).size();
  spec.applications = 100;
  const std::size_t per_application = (native_event(spec).size() - empty) / 100;
  spec.applications =
      total_bytes > empty ? static_cast<int>((total_bytes - empty) / per_application) : 0;
  while (native_event(spec).size() < total_bytes)
    spec.applications += 1 + spec.applications / 200;
  return spec.applications;
}

}  // namespace mangfold::bench
