// Wordings that issue 19 found in sent emails and that must not come back, in bokmål,
// nynorsk and English. Shared by the template matrix (templates_test.cpp) and the pinned
// `simulate` emails (emails_test.cpp).
#pragma once

#include <regex>
#include <string>
#include <vector>

namespace mangfold::testing {

struct BadPhrase {
  const char* pattern;  // ECMAScript regex, matched against the UTF-8 text
  const char* why;
};

inline const std::vector<BadPhrase>& bad_phrases() {
  static const std::vector<BadPhrase> kList = {
      // «Kall inn én kvalifisert søker til med …»: awkward, and wrong when none is invited.
      {"søkere? til med", "«én … søker til med»: say «minst én …» or «enda én …»"},
      {"søkjar(ar)? til med", "«éin … søkjar til med»: say «minst éin …» or «endå éin …»"},
      // «enda én» / «one more» only when someone from the group is already invited.
      {"ingen av dem er kalt inn[^\\n]*enda", "«enda» although none is invited"},
      {"som ikke er kalt inn[^\\n]*enda", "«enda» although none is invited"},
      {"ingen av dei er kalla inn[^\\n]*endå", "«endå» although none is invited"},
      {"som ikkje er kalla inn[^\\n]*endå", "«endå» although none is invited"},
      {"none invited yet[^\\n]*one more", "«one more» although none is invited"},
      {"not been invited yet[^\\n]*one more", "«one more» although none is invited"},
      // «0 av dem kalt inn» → «ingen av dem er kalt inn».
      {"\\b0 av dem", "«0 av dem»: say «ingen av dem»"},
      {"\\b0 av dei", "«0 av dei»: say «ingen av dei»"},
      {"\\b0 invited", "«0 invited»: say «none invited yet»"},
      {"\\d+ av dem kalt inn", "«N av dem kalt inn» lacks «er»"},
      {"\\d+ av dei kalla inn", "«N av dei kalla inn» lacks «er»"},
      // One person: «…, som ikke er innstilt», not «og ingen av dem».
      {"1 kvalifisert søker[^.\\n]*ingen av dem", "one person: «…, som ikke er …»"},
      {"1 kvalifisert søkjar[^.\\n]*ingen av dei", "one person: «…, som ikkje er …»"},
      {"1 qualified applicant[^.\\n]*none of them", "one person: «…, who has not …»"},
      // IMDi's rule misstated as a fixed number.
      {"Regelen: Minst \\d+ kvalifiserte søkere med [^.\\n]* skal kalles inn til intervju\\.",
       "the rule stated as this vacancy's number"},
      {"Regelen: Minst \\d+ kvalifiserte søkjarar med [^.\\n]* skal kallast inn til intervju\\.",
       "the rule stated as this vacancy's number"},
      {"The rule: At least \\d+ qualified applicants with [^.\\n]* must be invited to "
       "interview\\.",
       "the rule stated as this vacancy's number"},
      {"Regelen: Minst én kvalifisert søker med", "the rule stated as this vacancy's number"},
      {"Regelen: Minst éin kvalifisert søkjar med", "the rule stated as this vacancy's number"},
      {"The rule: At least one qualified applicant with",
       "the rule stated as this vacancy's number"},
      // The ad email: the sentence is about a group, and the connector has it.
      {"ulik bakgrunn", "the sentence is not about «ulik bakgrunn»"},
      {"diverse backgrounds", "the sentence is not about «diverse backgrounds»"},
      {"HR kan gi deg", "the connector has the sentence: quote it"},
      {"HR can give you", "the connector has the sentence: quote it"},
      // Words.
      {"\\(passert\\)", "«(utløpt)»"},
      {"\\(passed\\)", "«(closed)»"},
      {"som innstilles har", "a comma after «innstilles»"},
      {"som blir innstilte har", "a comma after «innstilte»"},
  };
  return kList;
}

// The bad phrases found in `text`, each with why; empty when none.
inline std::vector<std::string> bad_phrases_in(const std::string& text) {
  std::vector<std::string> found;
  for (const BadPhrase& b : bad_phrases()) {
    std::smatch m;
    if (std::regex_search(text, m, std::regex(b.pattern)))
      found.push_back("«" + m.str() + "»: " + b.why);
  }
  return found;
}

}  // namespace mangfold::testing
