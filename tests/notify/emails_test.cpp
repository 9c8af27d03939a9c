// The emails `mangfold simulate` previews for a fixed set of snapshots
// (tests/fixtures/notify/emails/), pinned in bokmål, nynorsk and English, run through the
// real binary. The pinned part is the emails only (the verdict above them is pinned by the
// CLI tests). Set MANGFOLD_UPDATE_FIXTURES=1 to rewrite the pinned files after a deliberate
// wording change, then review the diff.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bad_phrases.hpp"
#include "tests/support/process.hpp"

namespace {

namespace fs = std::filesystem;
using mangfold::testing::run;

const fs::path kDir = fs::path(MANGFOLD_SOURCE_DIR) / "tests/fixtures/notify/emails";
// Every snapshot is simulated as of this day: deadlines before it have passed.
constexpr const char* kAsOf = "2026-03-10";

struct Case {
  const char* snapshot;
  const char* policy;  // <policy>.<lang>.yaml
};
constexpr Case kCases[] = {
    {"screening", "count"},     {"unassessed", "count"},   {"share-grows", "share"},
    {"one-qualified", "share"}, {"breach", "share"},       {"justify-one", "share"},
    {"manager-nn", "share"},    {"share-grows", "digest"}, {"ad-wording", "wording"},
    {"ad-both", "wording"},
};
constexpr const char* kLanguages[] = {"nb", "nn", "en"};

std::string pinned_name(const Case& c, const std::string& lang) {
  const std::string policy = c.policy;
  return std::string(c.snapshot) + (policy == "digest" ? ".digest" : "") + "." + lang + ".txt";
}

// The emails part of `simulate`'s output: from the first email (or digest) on.
std::string simulate_emails(const Case& c, const std::string& lang) {
  const auto r =
      run({MANGFOLD_BINARY, "simulate", "--policy",
           (kDir / (std::string(c.policy) + "." + lang + ".yaml")).string(), "--snapshot",
           (kDir / (std::string(c.snapshot) + ".json")).string(), "--as-of", kAsOf});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  size_t start = std::string::npos;
  for (const char* head : {"\nemail", "\ndaily digest"})
    start = std::min(start, r.out.find(head));
  const std::string output = r.out;
  CAPTURE(output);
  REQUIRE(start != std::string::npos);
  return r.out.substr(start + 1);
}

void check_pinned(const std::string& lang) {
  const bool update = std::getenv("MANGFOLD_UPDATE_FIXTURES") != nullptr;
  for (const Case& c : kCases) {
    CAPTURE(c.snapshot);
    CAPTURE(c.policy);
    const std::string emails = simulate_emails(c, lang);
    const fs::path file = kDir / pinned_name(c, lang);
    if (update) mangfold::testing::write_file(file.string(), emails);
    CHECK(emails == mangfold::testing::read_file(file.string()));
  }
}

}  // namespace

TEST_CASE("simulate's emails are pinned in bokmål") {
  check_pinned("nb");
}

TEST_CASE("simulate's emails are pinned in nynorsk") {
  check_pinned("nn");
}

TEST_CASE("simulate's emails are pinned in English") {
  check_pinned("en");
}

TEST_CASE("no wording that issue 19 found wrong comes back in any simulated email") {
  int emails = 0;
  for (const std::string lang : kLanguages)
    for (const Case& c : kCases) {
      CAPTURE(lang);
      CAPTURE(c.snapshot);
      const std::string text = simulate_emails(c, lang);
      ++emails;
      for (const std::string& bad : mangfold::testing::bad_phrases_in(text))
        FAIL_CHECK(bad);
    }
  CHECK(emails == 3 * static_cast<int>(std::size(kCases)));
  // The list itself bites: the old wording is caught.
  CHECK(mangfold::testing::bad_phrases_in(
            "Status nå: 2 kvalifiserte søkere med innvandrerbakgrunn, 0 av dem kalt inn.")
            .size() == 2);
  CHECK(!mangfold::testing::bad_phrases_in("Søknadsfrist: 1. mars 2026 (passert)").empty());
}

TEST_CASE("an email is in its recipient's language, not the ad's") {
  // one-qualified.json has an English ad: a bokmål policy mails its manager in bokmål.
  const std::string nb = simulate_emails({"one-qualified", "share"}, "nb");
  CHECK(nb.find("Subject: Intervjuordningen er ikke oppfylt") != std::string::npos);
  CHECK(nb.find("Hei Ola Nordmann,") != std::string::npos);
  // manager-nn.json: the ATS says the manager reads nynorsk. The manager's emails are in
  // nynorsk whatever the policy's language; HR's quota flag follows the policy.
  for (const std::string lang : kLanguages) {
    CAPTURE(lang);
    const std::string out = simulate_emails({"manager-nn", "share"}, lang);
    CHECK(out.find("email to kari.eksempel@imdi.example.no\nSubject: Viktig: intervjuordninga "
                   "er ikkje oppfylt") != std::string::npos);
    const size_t hr = out.find("email to hr@imdi.example.no\nSubject: ");
    REQUIRE(hr != std::string::npos);
    const std::string hr_subject = out.substr(hr, out.find('\n', hr + 30) - hr);
    CHECK(hr_subject.find(lang == "en" ? "Moderate quota" : "Moderat kvotering") !=
          std::string::npos);
    CHECK(hr_subject.find(lang == "nb"   ? "innstillingen"
                          : lang == "nn" ? "innstillinga"
                                         : "recommendation") != std::string::npos);
  }
}

TEST_CASE("the ad email quotes the policy's exact sentence for the ad and says where it goes") {
  const std::string nb = simulate_emails({"share-grows", "share"}, "nb");
  CHECK(nb.find("«Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke "
                "stillingen.»") != std::string::npos);
  CHECK(nb.find("foran overskriften «Slik søker du», «Slik søkjer du» eller «How to apply»") !=
        std::string::npos);
  const std::string en = simulate_emails({"share-grows", "share"}, "en");
  CHECK(en.find("“Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke "
                "stillingen.”") != std::string::npos);
}

// The number of times `needle` occurs in `text`.
size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

TEST_CASE("excluding wording in the ad is mailed to the manager, with reason, rewrite and source") {
  // ad-wording.json has the encouragement sentence but «norsk som morsmål» and «ungt og
  // dynamisk miljø»: one ad email about the wording only.
  const std::string nb = simulate_emails({"ad-wording", "wording"}, "nb");
  CHECK(occurrences(nb, "Subject: ") == 1);
  CHECK(nb.find("Subject: Se over ordbruken i stillingsannonsen – Saksbehandler") !=
        std::string::npos);
  CHECK(nb.find("bruker 2 formuleringer som kan holde kvalifiserte søkere borte.") !=
        std::string::npos);
  CHECK(nb.find("«norsk som morsmål»") != std::string::npos);
  CHECK(nb.find("«ungt og dynamisk miljø»") != std::string::npos);
  CHECK(nb.find("- Hvorfor: Et krav om norsk som morsmål utelukker") != std::string::npos);
  CHECK(nb.find("- Forslag: «Et engasjert og inkluderende miljø»") != std::string::npos);
  CHECK(nb.find("- Kilde: LDO, «Språkdiskriminering er forbudt» (2014)") != std::string::npos);
  CHECK(nb.find("likestillings- og diskrimineringsloven, med mindre stillingen faktisk krever "
                "det") != std::string::npos);
  CHECK(nb.find("Når: Nå, mens annonsen er ute og før søknadsfristen 20. mars 2026.") !=
        std::string::npos);
  CHECK(nb.find("mangler den faste setningen") == std::string::npos);
  const std::string nn = simulate_emails({"ad-wording", "wording"}, "nn");
  CHECK(nn.find("Subject: Sjå over ordbruken i stillingsannonsen") != std::string::npos);
  CHECK(nn.find("likestillings- og diskrimineringslova") != std::string::npos);
  CHECK(nn.find("- Kjelde: LDO") != std::string::npos);
  const std::string en = simulate_emails({"ad-wording", "wording"}, "en");
  CHECK(en.find("Subject: Please review the wording of the job ad") != std::string::npos);
  CHECK(en.find("“norsk som morsmål”") != std::string::npos);
  CHECK(en.find("When: Now, while the ad is out") != std::string::npos);
}

TEST_CASE("a missing sentence and excluding wording make one ad email, not two") {
  for (const std::string lang : kLanguages) {
    CAPTURE(lang);
    const std::string out = simulate_emails({"ad-both", "wording"}, lang);
    // One email about the ad: the sentence and the wording together.
    const std::string subject = lang == "nb" ? "Subject: Stillingsannonsen må rettes, og ordbruken"
                                : lang == "nn"
                                    ? "Subject: Stillingsannonsen må rettast, og ordbruken"
                                    : "Subject: The job ad needs correcting; please also";
    CHECK(occurrences(out, subject) == 1);
    CHECK(occurrences(out, "ordbruken i stillingsannonsen") == 0);
    CHECK(occurrences(out, "review the wording of the job ad") == 0);
    CHECK(occurrences(out, "«norsk som morsmål»") + occurrences(out, "“norsk som morsmål”") == 1);
    CHECK(out.find(lang == "nb"   ? "Annonsen bruker også 2 formuleringer"
                   : lang == "nn" ? "Annonsen brukar òg 2 formuleringar"
                                  : "The ad also uses 2 phrases") != std::string::npos);
    CHECK(out.find(lang == "en" ? "Vi oppfordrer kvalifiserte" : "«Vi oppfordrer kvalifiserte") !=
          std::string::npos);
  }
}
