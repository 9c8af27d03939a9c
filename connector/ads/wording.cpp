#include "connector/ads/wording.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string_view>

#include "connector/ads/text_fold.hpp"

namespace mangfold::ads {
namespace {

using internal::is_word_char;
using internal::next_code_point;

using Sentence = std::vector<std::string>;  // its words, folded

// Inner punctuation that belongs to a word: «cv-en», «don't», «bl.a», «ikke-vestlig».
bool joins_words(char32_t cp) {
  return cp == '-' || cp == '\'' || cp == '.';
}
bool ends_sentence(char32_t cp) {
  return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026;  // … (ellipsis)
}

// Splits folded text into sentences of words; see wording.hpp for where a sentence ends.
std::vector<Sentence> sentences_of(std::string_view folded) {
  std::vector<Sentence> out(1);
  std::string word;
  bool last_ends_abbreviation = false;  // the last word finished was «bl.a» or one letter
  auto finish_word = [&] {
    if (word.empty()) return;
    std::size_t letters = 0;
    for (std::size_t i = 0; i < word.size();) {
      next_code_point(word, i);
      ++letters;
    }
    last_ends_abbreviation = letters == 1 || word.find('.') != std::string::npos;
    out.back().push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < folded.size();) {
    const std::size_t start = i;
    const char32_t cp = next_code_point(folded, i);
    if (is_word_char(cp)) {
      word.append(folded.substr(start, i - start));
      continue;
    }
    if (joins_words(cp) && !word.empty() && i < folded.size()) {
      std::size_t j = i;
      if (is_word_char(next_code_point(folded, j))) {
        word.append(folded.substr(start, i - start));
        continue;
      }
    }
    const bool had_word = !word.empty();
    finish_word();
    if (ends_sentence(cp)) {
      std::size_t j = i;
      const bool at_break = i >= folded.size() || next_code_point(folded, j) == ' ';
      if (at_break && !(had_word && last_ends_abbreviation) && !out.back().empty())
        out.emplace_back();
    }
  }
  finish_word();
  if (out.back().empty() && out.size() > 1) out.pop_back();
  return out;
}

constexpr std::size_t kMaxGaps = 3;  // "..." in one pattern

// One word of a pattern.
struct PatternWord {
  std::string text;
  bool prefix = false;  // word*
  bool suffix = false;  // *word
  bool gap = false;     // ...
};
using Pattern = std::vector<PatternWord>;

Pattern compile(std::string_view pattern) {
  Pattern out;
  const std::string folded = internal::fold(pattern);
  std::size_t pos = 0;
  while (pos < folded.size()) {
    std::size_t end = folded.find(' ', pos);
    if (end == std::string::npos) end = folded.size();
    std::string_view w = std::string_view(folded).substr(pos, end - pos);
    pos = end + 1;
    if (w.empty()) continue;
    PatternWord pw;
    if (w == "..." || w == "…") {
      if (!out.empty() && !out.back().gap) out.push_back(PatternWord{"", false, false, true});
      continue;
    }
    if (w.size() > 1 && w.back() == '*') {
      pw.prefix = true;
      w.remove_suffix(1);
    }
    if (w.size() > 1 && w.front() == '*') {
      pw.suffix = true;
      w.remove_prefix(1);
    }
    // Outer punctuation is not part of a word («(nav)», «søke,»).
    pw.text = std::string(internal::trim_non_word(w));
    if (!pw.text.empty()) out.push_back(std::move(pw));
  }
  while (!out.empty() && out.back().gap)
    out.pop_back();
  // Each gap multiplies the ways to match; the loader refuses more (policy_loader.cpp).
  if (static_cast<std::size_t>(std::count_if(
          out.begin(), out.end(), [](const PatternWord& w) { return w.gap; })) > kMaxGaps)
    return {};
  return out;
}

bool word_matches(const PatternWord& p, std::string_view w) {
  if (p.prefix && p.suffix) return w.find(p.text) != std::string_view::npos;
  if (p.prefix) return w.starts_with(p.text);
  if (p.suffix) return w.ends_with(p.text);
  return w == p.text;
}

constexpr std::size_t kMaxGap = 3;

// The end (one past the last word) of a match of `p` from word `k` on, starting at word
// `at` of `s`; nullopt when none.
std::optional<std::size_t> match_from(const Pattern& p, std::size_t k, const Sentence& s,
                                      std::size_t at) {
  if (k == p.size()) return at;
  if (p[k].gap) {
    for (std::size_t skip = 0; skip <= kMaxGap && at + skip <= s.size(); ++skip)
      if (auto end = match_from(p, k + 1, s, at + skip)) return end;
    return std::nullopt;
  }
  if (at >= s.size() || !word_matches(p[k], s[at])) return std::nullopt;
  return match_from(p, k + 1, s, at + 1);
}

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Every match of any of `patterns` in `s`, by start position.
std::vector<Span> matches(const std::vector<Pattern>& patterns, const Sentence& s) {
  std::vector<Span> out;
  for (std::size_t at = 0; at < s.size(); ++at)
    for (const Pattern& p : patterns) {
      if (p.empty()) continue;
      if (auto end = match_from(p, 0, s, at)) {
        out.push_back(Span{at, *end});
        break;
      }
    }
  return out;
}

std::vector<Pattern> compile_all(const std::vector<std::string>& patterns) {
  std::vector<Pattern> out;
  out.reserve(patterns.size());
  for (const std::string& p : patterns)
    out.push_back(compile(p));
  return out;
}

std::string joined(const Sentence& s, std::size_t begin = 0, std::size_t end = std::string::npos,
                   std::size_t limit = 200) {
  std::string out;
  for (std::size_t i = begin; i < std::min(end, s.size()); ++i) {
    if (!out.empty()) out += ' ';
    out += s[i];
    if (out.size() > limit) {
      // Cut on a code point boundary.
      std::size_t cut = 0;
      for (std::size_t j = 0; j < out.size();) {
        next_code_point(out, j);
        if (j > limit) break;
        cut = j;
      }
      out.resize(cut);
      out += " …";
      break;
    }
  }
  return out;
}

bool inside(std::size_t pos, const std::vector<Span>& spans) {
  return std::any_of(spans.begin(), spans.end(),
                     [&](const Span& sp) { return pos >= sp.begin && pos < sp.end; });
}

}  // namespace

std::string_view to_string(Presence p) {
  switch (p) {
    case Presence::kPresent:
      return "present";
    case Presence::kAbsent:
      return "absent";
    case Presence::kUncertain:
      return "uncertain";
  }
  return "absent";
}

Assessment assess_encouragement(const VisibleText& text, const SentenceSpec& spec,
                                const EncouragementWords& words) {
  Assessment out;
  const Detection listed = detect_sentence(text, spec);
  if (words.empty() || (listed.present && listed.matched == spec.sentence)) {
    out.presence = listed.present ? Presence::kPresent : Presence::kAbsent;
    out.matched = listed.matched;
    return out;
  }
  const std::vector<Pattern> encourage = compile_all(words.encourage);
  const std::vector<Pattern> apply = compile_all(words.apply);
  const std::vector<Pattern> negation = compile_all(words.negation);
  std::vector<std::vector<Pattern>> groups;
  for (const auto& g : words.groups)
    groups.push_back(compile_all(g.words));

  std::vector<bool> covered(groups.size(), false);
  std::string first_full;  // the first sentence that encourages some group
  std::string near_reason;
  std::string near_evidence;
  bool negated_seen = false;
  std::string negated_evidence;
  const std::vector<Sentence> all = sentences_of(text.folded());
  // Per sentence: names a group; encourages applying (without naming a group).
  std::vector<bool> names_group(all.size(), false);
  std::vector<bool> encourages_applying(all.size(), false);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Sentence& s = all[i];
    std::vector<Span> group_spans;
    std::vector<std::size_t> named;  // the groups this sentence names
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const std::vector<Span> found = matches(groups[g], s);
      if (found.empty()) continue;
      named.push_back(g);
      group_spans.insert(group_spans.end(), found.begin(), found.end());
    }
    const std::vector<Span> verbs = matches(encourage, s);
    const std::vector<Span> applies = matches(apply, s);
    names_group[i] = !named.empty();
    // A negation close to the encouraging word, not one inside a group's words
    // («ikke-vestlig» is one word; «not only» after a list is further away).
    bool negated = false;
    for (const Span& neg : matches(negation, s)) {
      if (inside(neg.begin, group_spans)) continue;
      for (const Span& v : verbs)
        if (neg.begin + 2 >= v.begin && neg.begin <= v.end + 1) negated = true;
    }
    const bool full = !verbs.empty() && !applies.empty() && !negated;
    if (negated && !verbs.empty() && !applies.empty() && !named.empty() && !negated_seen) {
      negated_seen = true;
      negated_evidence = joined(s);
    }
    encourages_applying[i] = full;
    if (named.empty()) continue;
    if (full) {
      for (std::size_t g : named)
        covered[g] = true;
      if (first_full.empty()) first_full = joined(s);
      continue;
    }
    if (!near_reason.empty()) continue;
    if (!verbs.empty() && !applies.empty()) {
      near_reason = "a sentence encourages the group to apply but is negated";
    } else if (!applies.empty()) {
      near_reason = "a sentence names the group and applying, but encourages no one";
    } else if (!verbs.empty()) {
      near_reason = "a sentence encourages the group, but not to apply";
    } else {
      continue;
    }
    near_evidence = joined(s);
  }

  // An equivalent is a phrase, so it can sit inside a negated sentence («we do not
  // encourage people with an immigrant background to apply»): then a person decides.
  if (listed.present) {
    if (negated_seen) {
      out.presence = Presence::kUncertain;
      out.evidence = negated_evidence;
      out.reason = "a sentence encourages the group to apply but is negated";
      return out;
    }
    out.presence = Presence::kPresent;
    out.matched = listed.matched;
    return out;
  }
  const auto n_covered = std::count(covered.begin(), covered.end(), true);
  if (n_covered == static_cast<long>(groups.size())) {
    out.presence = Presence::kPresent;
    out.matched = first_full;
    return out;
  }
  if (n_covered > 0) {
    std::string missing;
    for (std::size_t g = 0; g < groups.size(); ++g)
      if (!covered[g]) missing += (missing.empty() ? "" : ", ") + words.groups[g].name;
    out.presence = Presence::kUncertain;
    out.evidence = first_full;
    out.reason = "a sentence encourages some of the groups to apply, but not " + missing;
    return out;
  }
  // «Har du innvandrerbakgrunn? Vi oppfordrer deg til å søke.»: the meaning spans two
  // sentences, which this reading does not join; a person does.
  for (std::size_t i = 0; i < all.size() && near_reason.empty(); ++i) {
    if (!names_group[i]) continue;
    const bool before = i > 0 && encourages_applying[i - 1];
    const bool after = i + 1 < all.size() && encourages_applying[i + 1];
    if (!before && !after) continue;
    near_reason = "the group is named next to a sentence that encourages applying";
    near_evidence = before ? joined(all[i - 1]) + ". " + joined(all[i])
                           : joined(all[i]) + ". " + joined(all[i + 1]);
  }
  if (!near_reason.empty()) {
    out.presence = Presence::kUncertain;
    out.evidence = near_evidence;
    out.reason = near_reason;
  }
  return out;
}

Result<Injection> inject_sentence(const ParsedAd& ad, const SentenceSpec& spec,
                                  const Anchor& anchor, const EncouragementWords& words) {
  if (!words.empty() &&
      assess_encouragement(ad.visible_text(), spec, words).presence != Presence::kAbsent) {
    Injection same;
    same.body = std::string(ad.body());
    return same;
  }
  return inject_sentence(ad, spec, anchor);
}

std::vector<WordingFinding> find_excluding_wording(const VisibleText& text,
                                                   const std::vector<WordingPattern>& patterns) {
  std::vector<WordingFinding> out;
  if (patterns.empty()) return out;
  const std::vector<Sentence> sentences = sentences_of(text.folded());
  for (const WordingPattern& wp : patterns) {
    const std::vector<Pattern> compiled = compile_all(wp.patterns);
    for (const Sentence& s : sentences) {
      const std::vector<Span> found = matches(compiled, s);
      if (found.empty()) continue;
      out.push_back(WordingFinding{&wp, joined(s, found.front().begin, found.front().end)});
      break;
    }
  }
  return out;
}

}  // namespace mangfold::ads
