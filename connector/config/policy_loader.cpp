#include "connector/config/policy_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "connector/config/decoder.hpp"

namespace mangfold::config {

namespace fs = std::filesystem;
using namespace mangfold::policy;

namespace {

// "HH:MM" (24-hour clock) → minutes after midnight.
std::optional<int> parse_time_of_day(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4})
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  const int hour = (text[0] - '0') * 10 + (text[1] - '0');
  const int minute = (text[3] - '0') * 10 + (text[4] - '0');
  if (hour > 23 || minute > 59) return std::nullopt;
  return hour * 60 + minute;
}

constexpr std::string_view kRuleKinds[] = {"interview_minimum", "hire_justification",
                                           "moderate_quota",    "ad_sentence",
                                           "ad_mentions",       "ad_language"};

// Resolves `extends` depth-first; `chain` holds the files being loaded, for cycles.
// `path` is taken by value: callers pass an element of `chain`, which this function grows.
std::optional<Node> load_tree(std::string path, const ReadFile& read,
                              std::vector<std::string>& chain, const Node* referenced_at,
                              Decoder& d) {
  Result<std::string> text = read(path);
  if (!text.ok()) {
    if (referenced_at)
      d.error(*referenced_at, "extends", "cannot read '" + path + "': " + text.status().message());
    else
      d.error(Mark{path, 1, 1}, "", "cannot read the file: " + text.status().message());
    return std::nullopt;
  }
  std::optional<Node> parsed = parse_document(*text, path, d.diagnostics());
  if (!parsed) return std::nullopt;
  Node node = std::move(*parsed);
  if (!d.expect_map(node, "")) return std::nullopt;

  Node merged_bases;
  bool have_base = false;
  if (const Node* ext = node.get("extends")) {
    std::optional<std::vector<std::string>> bases = d.strings(*ext, "extends");
    for (const std::string& base : bases.value_or(std::vector<std::string>{})) {
      const std::string resolved =
          (fs::path(path).parent_path() / base).lexically_normal().generic_string();
      if (std::find(chain.begin(), chain.end(), resolved) != chain.end()) {
        std::string cycle;
        for (auto it = std::find(chain.begin(), chain.end(), resolved); it != chain.end(); ++it)
          cycle += *it + " -> ";
        d.error(*ext, "extends", "extends cycle: " + cycle + resolved);
        continue;
      }
      chain.push_back(resolved);
      std::optional<Node> base_tree = load_tree(resolved, read, chain, ext, d);
      chain.pop_back();
      if (!base_tree) continue;
      merged_bases = have_base ? merge(merged_bases, *base_tree) : *base_tree;
      have_base = true;
    }
    node.entries.erase(std::remove_if(node.entries.begin(), node.entries.end(),
                                      [](const auto& kv) { return kv.first.scalar == "extends"; }),
                       node.entries.end());
  }
  return have_base ? merge(merged_bases, node) : node;
}

Scope decode_scope(const Node& n, const std::string& path, Decoder& d) {
  Scope scope;
  if (!d.expect_map(n, path)) return scope;
  d.check_keys(n, path, {"job_types", "exclude_job_types", "include_internal", "min_applicants"});
  if (const Node* v = n.get("job_types"))
    scope.job_types = d.strings(*v, join_path(path, "job_types")).value_or(scope.job_types);
  if (const Node* v = n.get("exclude_job_types"))
    scope.exclude_job_types =
        d.strings(*v, join_path(path, "exclude_job_types")).value_or(scope.exclude_job_types);
  if (const Node* v = n.get("include_internal"))
    scope.include_internal = d.boolean(*v, join_path(path, "include_internal")).value_or(true);
  if (const Node* v = n.get("min_applicants"))
    scope.min_applicants =
        static_cast<int>(d.integer(*v, join_path(path, "min_applicants"), 0, 100000).value_or(0));
  return scope;
}

// Checks that `map` (language → something) has every declared language.
void require_languages(const Node& map, const std::string& path, const Policy& p, Decoder& d,
                       std::string_view what) {
  for (const std::string& lang : p.languages)
    if (!map.get(lang)) {
      std::string declared;
      for (const std::string& l : p.languages)
        declared += (declared.empty() ? "" : ", ") + l;
      d.error(map, path,
              "no " + std::string(what) + " for declared language '" + lang +
                  "' (languages: " + declared + ")");
    }
}

std::string decode_group_ref(const Node& rule, const std::string& path, const Policy& p,
                             Decoder& d) {
  const Node* g = d.require(rule, "group", path);
  if (!g) return {};
  std::optional<std::string> name = d.string(*g, join_path(path, "group"));
  if (!name) return {};
  if (p.group(*name)) return *name;
  std::vector<std::string_view> names;
  for (const TargetGroup& tg : p.groups)
    names.push_back(tg.name);
  std::string message = "unknown target group '" + *name + "'";
  if (std::string guess = closest(*name, names); !guess.empty())
    message += " (did you mean '" + guess + "'?)";
  else
    message += names.empty() ? " (the policy declares no target_groups)"
                             : " (declared under target_groups)";
  d.error(*g, join_path(path, "group"), message);
  return {};
}

RuleSpec decode_interview_minimum(const Node& n, const std::string& path, const Policy& p,
                                  Decoder& d) {
  d.check_keys(n, path,
               {"type", "enabled", "scope", "description", "group", "min_count", "min_share"});
  InterviewMinimum r;
  r.group = decode_group_ref(n, path, p, d);
  if (const Node* v = n.get("min_count"))
    r.min_count =
        static_cast<int>(d.integer(*v, join_path(path, "min_count"), 0, 10000).value_or(0));
  if (const Node* v = n.get("min_share"))
    r.min_share_ppm = d.share(*v, join_path(path, "min_share")).value_or(0);
  if (r.min_count == 0 && r.min_share_ppm == 0 && !n.get("min_count") && !n.get("min_share"))
    d.error(n, path, "an interview_minimum rule needs min_count, min_share or both");
  return r;
}

RuleSpec decode_hire_justification(const Node& n, const std::string& path, const Policy& p,
                                   Decoder& d) {
  d.check_keys(n, path, {"type", "enabled", "scope", "description", "group", "trigger"});
  HireJustification r;
  r.group = decode_group_ref(n, path, p, d);
  if (const Node* v = n.get("trigger"))
    r.trigger = d.choice<JustificationTrigger>(
                     *v, join_path(path, "trigger"),
                     {{"qualified_in_group", JustificationTrigger::kQualifiedInGroup},
                      {"any_in_group", JustificationTrigger::kAnyInGroup}})
                    .value_or(r.trigger);
  return r;
}

RuleSpec decode_moderate_quota(const Node& n, const std::string& path, const Policy& p,
                               Decoder& d) {
  d.check_keys(n, path, {"type", "enabled", "scope", "description", "group", "by", "tolerance"});
  ModerateQuota r;
  r.group = decode_group_ref(n, path, p, d);
  if (const Node* v = n.get("by"))
    r.basis = d.choice<QuotaBasis>(*v, join_path(path, "by"),
                                   {{"score", QuotaBasis::kScore}, {"rank", QuotaBasis::kRank}})
                  .value_or(r.basis);
  if (const Node* v = n.get("tolerance"))
    r.tolerance_micros = d.decimal_micros(*v, join_path(path, "tolerance")).value_or(0);
  return r;
}

std::string decode_fallback(const Node& n, const std::string& path, const Policy& p, Decoder& d,
                            const Node* languages_map) {
  std::string fallback = p.languages.empty() ? "nb" : p.languages.front();
  if (const Node* v = n.get("fallback_language")) {
    const std::string at = join_path(path, "fallback_language");
    if (auto lang = d.language(*v, at)) {
      fallback = *lang;
      if (languages_map && languages_map->is_map() && !languages_map->get(fallback))
        d.error(*v, at, "fallback language '" + fallback + "' has no entry of its own");
    }
  }
  return fallback;
}

// A non-empty list of patterns (ads/wording.hpp syntax).
std::vector<std::string> decode_patterns(const Node& n, const std::string& path, Decoder& d) {
  std::optional<std::vector<std::string>> list = d.strings(n, path);
  if (list && list->empty()) d.error(n, path, "the list is empty");
  if (list) {
    for (const std::string& w : *list)
      if (w.find_first_not_of(" *.…") == std::string::npos) {
        d.error(n, path, "the pattern '" + w + "' has no word in it");
      } else {
        std::size_t gaps = 0;
        for (std::size_t p = w.find("..."); p != std::string::npos; p = w.find("...", p + 3))
          ++gaps;
        if (gaps > 3) d.error(n, path, "the pattern '" + w + "' has more than three '...'");
      }
  }
  return list.value_or(std::vector<std::string>{});
}

// ad_sentence.detection: the groups to encourage and, per language, the words.
void decode_detection(const Node& n, const std::string& path, const Policy& p, Decoder& d,
                      AdSentence& r) {
  if (!d.expect_map(n, path)) return;
  d.check_keys(n, path, {"groups", "words"});
  if (const Node* g = d.require(n, "groups", path)) {
    const std::string gpath = join_path(path, "groups");
    for (const std::string& name : d.strings(*g, gpath).value_or(std::vector<std::string>{})) {
      const TargetGroup* group = p.group(name);
      if (!group) {
        d.error(*g, gpath, "unknown target group '" + name + "' (declared under target_groups)");
        continue;
      }
      for (const std::string& lang : p.languages)
        if (!group->words.count(lang))
          d.error(*g, gpath,
                  "target group '" + name + "' has no words for language '" + lang +
                      "' (target_groups." + name + ".words." + lang + ")");
      r.detect_groups.push_back(name);
    }
  }
  const std::string wpath = join_path(path, "words");
  const Node* words = d.require(n, "words", path);
  if (!words || !d.expect_map(*words, wpath)) return;
  for (const auto& [key, value] : words->entries) {
    const std::string lpath = join_path(wpath, key.scalar);
    if (!d.language(key, lpath) || !d.expect_map(value, lpath)) continue;
    d.check_keys(value, lpath, {"encourage", "apply", "negation"});
    DetectionWords w;
    if (const Node* v = d.require(value, "encourage", lpath))
      w.encourage = decode_patterns(*v, join_path(lpath, "encourage"), d);
    if (const Node* v = d.require(value, "apply", lpath))
      w.apply = decode_patterns(*v, join_path(lpath, "apply"), d);
    if (const Node* v = value.get("negation"))
      w.negation = decode_patterns(*v, join_path(lpath, "negation"), d);
    r.detection.emplace(key.scalar, std::move(w));
  }
  require_languages(*words, wpath, p, d, "detection words");
}

RuleSpec decode_ad_sentence(const Node& n, const std::string& path, const Policy& p, Decoder& d) {
  d.check_keys(n, path,
               {"type", "enabled", "scope", "description", "mode", "sentences", "fallback_language",
                "anchor", "detection"});
  AdSentence r;
  if (const Node* v = n.get("mode"))
    r.mode = d.choice<AdMode>(*v, join_path(path, "mode"),
                              {{"inject", AdMode::kInject}, {"flag", AdMode::kFlag}})
                 .value_or(r.mode);
  const std::string spath = join_path(path, "sentences");
  const Node* sentences = d.require(n, "sentences", path);
  if (sentences && d.expect_map(*sentences, spath)) {
    for (const auto& [key, value] : sentences->entries) {
      const std::string lpath = join_path(spath, key.scalar);
      if (!d.language(key, lpath)) continue;
      LanguageSentence ls;
      if (value.is_scalar()) {
        ls.sentence = d.string(value, lpath).value_or("");
      } else if (d.expect_map(value, lpath)) {
        d.check_keys(value, lpath, {"text", "equivalents"});
        if (const Node* t = d.require(value, "text", lpath))
          ls.sentence = d.string(*t, join_path(lpath, "text")).value_or("");
        if (const Node* e = value.get("equivalents"))
          ls.equivalents = d.strings(*e, join_path(lpath, "equivalents")).value_or(ls.equivalents);
      }
      if (value.is_scalar() && ls.sentence.empty()) d.error(value, lpath, "the sentence is empty");
      r.sentences.emplace(key.scalar, std::move(ls));
    }
    require_languages(*sentences, spath, p, d, "sentence");
  }
  r.fallback_language = decode_fallback(n, path, p, d, sentences);
  if (const Node* a = n.get("anchor")) {
    const std::string apath = join_path(path, "anchor");
    if (d.expect_map(*a, apath)) {
      d.check_keys(*a, apath, {"before_headings"});
      if (const Node* h = a->get("before_headings"))
        r.before_headings =
            d.strings(*h, join_path(apath, "before_headings")).value_or(r.before_headings);
    }
  }
  if (const Node* det = n.get("detection"))
    decode_detection(*det, join_path(path, "detection"), p, d, r);
  return r;
}

RuleSpec decode_ad_language(const Node& n, const std::string& path, const Policy& p, Decoder& d) {
  d.check_keys(n, path,
               {"type", "enabled", "scope", "description", "wording", "fallback_language"});
  AdLanguage r;
  const std::string wpath = join_path(path, "wording");
  const Node* wording = d.require(n, "wording", path);
  if (wording && d.expect_map(*wording, wpath)) {
    for (const auto& [lang, rules] : wording->entries) {
      const std::string lpath = join_path(wpath, lang.scalar);
      if (!d.language(lang, lpath) || !d.expect_map(rules, lpath)) continue;
      std::vector<WordingRule>& list = r.wording[lang.scalar];
      for (const auto& [key, value] : rules.entries) {
        const std::string rpath = join_path(lpath, key.scalar);
        if (!d.identifier(key, rpath) || !d.expect_map(value, rpath)) continue;
        d.check_keys(value, rpath, {"patterns", "reason", "suggestion", "source"});
        WordingRule w;
        w.id = key.scalar;
        if (const Node* v = d.require(value, "patterns", rpath))
          w.patterns = decode_patterns(*v, join_path(rpath, "patterns"), d);
        for (auto [field, out] :
             {std::pair{"reason", &w.reason}, std::pair{"suggestion", &w.suggestion},
              std::pair{"source", &w.source}}) {
          if (const Node* v = d.require(value, field, rpath)) {
            *out = d.string(*v, join_path(rpath, field)).value_or("");
            if (out->empty()) d.error(*v, join_path(rpath, field), "must not be empty");
          }
        }
        list.push_back(std::move(w));
      }
    }
    require_languages(*wording, wpath, p, d, "wording rules");
  }
  r.fallback_language = decode_fallback(n, path, p, d, wording);
  return r;
}

RuleSpec decode_ad_mentions(const Node& n, const std::string& path, const Policy& p, Decoder& d) {
  d.check_keys(n, path, {"type", "enabled", "scope", "description", "topics", "fallback_language"});
  AdMentions r;
  const std::string tpath = join_path(path, "topics");
  const Node* topics = d.require(n, "topics", path);
  if (topics && d.expect_map(*topics, tpath)) {
    for (const auto& [key, value] : topics->entries) {
      const std::string topic_path = join_path(tpath, key.scalar);
      Topic t;
      t.name = key.scalar;
      if (!d.expect_map(value, topic_path)) continue;
      for (const auto& [lang, words] : value.entries) {
        const std::string wpath = join_path(topic_path, lang.scalar);
        if (!d.language(lang, wpath)) continue;
        auto list = d.strings(words, wpath);
        if (list && list->empty()) d.error(words, wpath, "the keyword list is empty");
        t.keywords.emplace(lang.scalar, list.value_or(std::vector<std::string>{}));
      }
      require_languages(value, topic_path, p, d, "keywords");
      r.topics.push_back(std::move(t));
    }
  }
  r.fallback_language = decode_fallback(n, path, p, d, nullptr);
  return r;
}

void decode_rules(const Node& rules, Policy& p, Decoder& d) {
  if (!d.expect_map(rules, "rules")) return;
  for (const auto& [key, value] : rules.entries) {
    const std::string path = join_path("rules", key.scalar);
    if (!d.identifier(key, path) || !d.expect_map(value, path)) continue;
    const Node* type = d.require(value, "type", path);
    if (!type) continue;
    const std::string tpath = join_path(path, "type");
    std::optional<std::string> kind = d.string(*type, tpath);
    if (!kind) continue;
    Rule rule;
    rule.name = key.scalar;
    if (*kind == "interview_minimum")
      rule.spec = decode_interview_minimum(value, path, p, d);
    else if (*kind == "hire_justification")
      rule.spec = decode_hire_justification(value, path, p, d);
    else if (*kind == "moderate_quota")
      rule.spec = decode_moderate_quota(value, path, p, d);
    else if (*kind == "ad_sentence")
      rule.spec = decode_ad_sentence(value, path, p, d);
    else if (*kind == "ad_mentions")
      rule.spec = decode_ad_mentions(value, path, p, d);
    else if (*kind == "ad_language")
      rule.spec = decode_ad_language(value, path, p, d);
    else {
      std::vector<std::string_view> kinds(std::begin(kRuleKinds), std::end(kRuleKinds));
      std::string guess = closest(*kind, kinds);
      d.error(*type, tpath,
              "unknown rule type '" + *kind + "'" +
                  (guess.empty() ? " (expected one of: interview_minimum, hire_justification, "
                                   "moderate_quota, ad_sentence, ad_mentions, ad_language)"
                                 : " (did you mean '" + guess + "'?)"));
      continue;
    }
    if (const Node* v = value.get("enabled"))
      rule.enabled = d.boolean(*v, join_path(path, "enabled")).value_or(true);
    if (const Node* v = value.get("scope"))
      rule.scope = decode_scope(*v, join_path(path, "scope"), d);
    if (const Node* v = value.get("description")) d.string(*v, join_path(path, "description"));
    p.rules.push_back(std::move(rule));
  }
}

void decode_notifications(const Node& n, Policy& p, Decoder& d) {
  const std::string path = "notifications";
  if (!d.expect_map(n, path)) return;
  d.check_keys(n, path,
               {"language", "hr_email", "cc", "send_on", "remind_after_days", "daily_digest",
                "digest_time"});
  Notifications& out = p.notifications;
  if (const Node* v = n.get("language")) {
    out.language = d.language(*v, join_path(path, "language")).value_or(out.language);
    if (std::find(p.languages.begin(), p.languages.end(), out.language) == p.languages.end())
      d.error(*v, join_path(path, "language"),
              "'" + out.language + "' is not one of the policy's languages");
  }
  if (const Node* v = n.get("hr_email"))
    out.hr_email = d.email(*v, join_path(path, "hr_email")).value_or("");
  if (const Node* v = n.get("cc")) {
    out.cc.clear();
    if (v->is_sequence()) {
      for (size_t i = 0; i < v->items.size(); ++i)
        if (auto e = d.email(v->items[i], join_path(path, "cc") + "[" + std::to_string(i) + "]"))
          out.cc.push_back(*e);
    } else if (auto e = d.email(*v, join_path(path, "cc"))) {
      out.cc.push_back(*e);
    }
  }
  if (const Node* v = n.get("send_on")) {
    out.send_on.clear();
    const std::string spath = join_path(path, "send_on");
    if (!v->is_sequence()) {
      d.error(*v, spath, "expected a list, got " + std::string(v->type_name()));
    } else {
      for (size_t i = 0; i < v->items.size(); ++i) {
        auto e = d.choice<std::string_view>(v->items[i], spath + "[" + std::to_string(i) + "]",
                                            {{"shortfall", "shortfall"},
                                             {"justification_missing", "justification_missing"},
                                             {"insufficient_data", "insufficient_data"},
                                             {"resolved", "resolved"},
                                             {"ad_flagged", "ad_flagged"},
                                             {"deadline_passed", "deadline_passed"}});
        if (e) out.send_on.emplace_back(*e);
      }
    }
  }
  if (const Node* v = n.get("remind_after_days"))
    out.remind_after_days =
        static_cast<int>(d.integer(*v, join_path(path, "remind_after_days"), 0, 365).value_or(5));
  if (const Node* v = n.get("daily_digest"))
    out.daily_digest = d.boolean(*v, join_path(path, "daily_digest")).value_or(false);
  if (const Node* v = n.get("digest_time")) {
    const std::string tpath = join_path(path, "digest_time");
    if (std::optional<std::string> text = d.string(*v, tpath)) {
      if (std::optional<int> minute = parse_time_of_day(*text))
        out.digest_minute = *minute;
      else
        d.error(*v, tpath, "expected a time of day as HH:MM (00:00 to 23:59), got '" + *text + "'");
    }
  }
}

void decode_policy(const Node& root, Policy& p, Decoder& d, PolicyKind kind) {
  const bool complete = kind == PolicyKind::kComplete;
  d.check_keys(root, "",
               {"id", "version", "title", "description", "effective_from", "languages",
                "target_groups", "rules", "notifications"});
  if (const Node* v = complete ? d.require(root, "id", "") : root.get("id"))
    p.id = d.identifier(*v, "id").value_or("");
  if (const Node* v = complete ? d.require(root, "version", "") : root.get("version"))
    p.version = d.string(*v, "version").value_or("");
  if (const Node* v = root.get("title")) p.title = d.string(*v, "title").value_or("");
  if (const Node* v = root.get("description")) d.string(*v, "description");
  if (const Node* v = root.get("effective_from")) p.effective_from = d.date(*v, "effective_from");
  if (const Node* v = root.get("languages")) {
    if (auto list = d.strings(*v, "languages")) {
      p.languages.clear();
      for (size_t i = 0; i < list->size(); ++i) {
        const Node& item = v->is_sequence() ? v->items[i] : *v;
        if (d.language(item, "languages[" + std::to_string(i) + "]"))
          p.languages.push_back((*list)[i]);
      }
      if (list->empty()) d.error(*v, "languages", "list at least one language");
    }
  }
  if (const Node* groups = root.get("target_groups");
      groups && d.expect_map(*groups, "target_groups")) {
    for (const auto& [key, value] : groups->entries) {
      const std::string path = join_path("target_groups", key.scalar);
      TargetGroup g;
      g.name = d.identifier(key, path).value_or("");
      if (value.is_null()) {
        // `name:` alone declares a group with no label.
      } else if (d.expect_map(value, path)) {
        d.check_keys(value, path, {"label", "definition", "words"});
        if (const Node* w = value.get("words")) {
          const std::string wpath = join_path(path, "words");
          if (d.expect_map(*w, wpath))
            for (const auto& [lang, list] : w->entries) {
              const std::string lpath = join_path(wpath, lang.scalar);
              if (d.language(lang, lpath)) g.words[lang.scalar] = decode_patterns(list, lpath, d);
            }
        }
        if (const Node* l = value.get("label"))
          g.label = d.string(*l, join_path(path, "label")).value_or("");
        if (const Node* def = value.get("definition"))
          g.definition = d.string(*def, join_path(path, "definition")).value_or("");
      }
      if (!g.name.empty()) p.groups.push_back(std::move(g));
    }
  }
  if (const Node* rules = root.get("rules"))
    decode_rules(*rules, p, d);
  else if (complete)
    d.error(root, "rules", "missing required key: a policy without rules checks nothing");
  if (const Node* n = root.get("notifications")) decode_notifications(*n, p, d);
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return unavailable("read error");
  return out.str();
}

PolicyLoad load_policy(const std::string& path, const ReadFile& read, PolicyKind kind) {
  PolicyLoad out;
  Decoder d;
  std::vector<std::string> chain{fs::path(path).lexically_normal().generic_string()};
  std::optional<Node> tree = load_tree(chain.front(), read, chain, nullptr, d);
  Policy p;
  if (tree) decode_policy(*tree, p, d, kind);
  out.diagnostics = d.diagnostics();
  if (out.diagnostics.empty()) {
    p.sources.push_back(chain.front());
    out.policy = std::move(p);
  }
  return out;
}

Result<Policy> load_policy_or_error(const std::string& path, const ReadFile& read) {
  PolicyLoad loaded = load_policy(path, read);
  if (!loaded.policy) return to_status(loaded.diagnostics);
  return std::move(*loaded.policy);
}

}  // namespace mangfold::config
