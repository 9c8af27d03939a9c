// Reading a job ad's visible text sentence by sentence, for meaning rather than for one
// fixed string: (1) whether the ad already encourages a target group to apply, with a
// three-way answer, and (2) which excluding wordings («norsk som morsmål», …) it uses.
//
// Pure functions over values: no I/O, no clock, no globals; safe from any thread. The
// words are data from the policy (policies/base/…), never from this code.
//
// Patterns. A pattern is one or more words separated by spaces, matched against
// consecutive words of one sentence of the folded visible text (normalize_text):
//   word     the whole word                         "morsmål"
//   word*    a word starting so                      "oppfordr*" — oppfordrer, oppfordres
//   *word    a word ending so                        "*miljø" — miljø, arbeidsmiljø
//   ...      up to three other words in between      "ungt ... miljø" — ungt og dynamisk miljø
//            (at most three "..." in one pattern; a pattern with more never matches)
// A word's inner punctuation is part of the pattern: "cv-en" matches «CV-en».
// Sentences end at '.', '!' or '?' followed by a space or the end of the text, except after
// an abbreviation with inner dots («bl.a.», «f.eks.», «e.g.») or after a single letter.
#pragma once

#include <string>
#include <vector>

#include "connector/ads/ad_text.hpp"

namespace mangfold::ads {

// ---- (1) The encouragement, by meaning ------------------------------------------------
// Words for one language. A sentence *encourages* a group when it has, in any order, an
// encouraging word, a word of that group and an applying word, and no negation word within
// two words of the encouraging word.
struct EncouragementWords {
  std::vector<std::string> encourage;  // "oppfordr*", "oppmod*", "invit*", "velkom*", …
  std::vector<std::string> apply;      // "søk*", "apply", "applica*", …
  std::vector<std::string> negation;   // "ikke", "ikkje", "not", "don't", …
  struct Group {
    std::string name;                // e.g. "immigrant_background"
    std::vector<std::string> words;  // "innvandrerbakgrunn", "innvandrer*", …
  };
  std::vector<Group> groups;  // the ad must encourage every one of these
  bool empty() const { return encourage.empty() || apply.empty() || groups.empty(); }
};

enum class Presence {
  kPresent,    // a sentence (or the policy's wording) encourages every group to apply
  kAbsent,     // sure: no sentence comes close; the sentence may be inserted
  kUncertain,  // something comes close; a person must look, and nothing is inserted
};
std::string_view to_string(Presence p);  // "present", "absent", "uncertain"

struct Assessment {
  Presence presence = Presence::kAbsent;
  std::string matched;   // kPresent: the policy wording found, or the sentence that encourages
  std::string evidence;  // kUncertain: the sentence that comes close (folded, ≤ 200 bytes)
  std::string reason;    // kUncertain: why it is not sure, in English, for the notice
};

// The asymmetry: a second encouragement sentence in a published ad embarrasses the employer
// in public, a missing one is only a notice. So only kAbsent lets inject_sentence insert.
// kPresent when spec's sentence or an equivalent is found (detect_sentence), or a sentence
// encourages every group of `words`. kUncertain when a sentence
//   - encourages some of the groups but not all (the state's three-group sentence), or
//   - names a group with an applying or encouraging word but not both («søkere med
//     innvandrerbakgrunn må legge ved …», «vi oppfordrer personer med
//     innvandrerbakgrunn til å ta kontakt»), or
//   - encourages a group to apply but is negated («vi oppfordrer ikke …»).
// Otherwise kAbsent. With `words` empty, it is detect_sentence: present or absent.
Assessment assess_encouragement(const VisibleText& text, const SentenceSpec& spec,
                                const EncouragementWords& words);

// inject_sentence(ad, spec, anchor) when assess_encouragement says kAbsent; otherwise the
// ad unchanged. So for every ad with an encouraging sentence, injecting changes nothing.
Result<Injection> inject_sentence(const ParsedAd& ad, const SentenceSpec& spec,
                                  const Anchor& anchor, const EncouragementWords& words);

// ---- (2) Excluding wording -------------------------------------------------------------
struct WordingPattern {
  std::string id;                     // stable name, e.g. "native_norwegian"
  std::vector<std::string> patterns;  // any of these
  std::string reason;                 // why it excludes, for the manager
  std::string suggestion;             // a wording to use instead
  std::string source;                 // the guidance or case it rests on
};

struct WordingFinding {
  const WordingPattern* pattern = nullptr;  // points into the list given
  std::string found;                        // the words found, as folded text
};

// Every pattern that occurs in the visible text, in the order given (one finding per
// pattern, at its first occurrence).
std::vector<WordingFinding> find_excluding_wording(const VisibleText& text,
                                                   const std::vector<WordingPattern>& patterns);

}  // namespace mangfold::ads
