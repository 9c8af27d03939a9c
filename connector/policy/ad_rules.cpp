#include "connector/policy/ad_rules.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <map>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "connector/ads/html_budget.hpp"
#include "connector/policy/engine.hpp"

namespace mangfold::policy {

// ---- The memo ----------------------------------------------------------------------------

std::size_t AdMemo::Table::KeyHash::operator()(const Key& key) const {
  std::size_t h = 0;
  std::memcpy(&h, key.data(), sizeof h);
  return h;
}

std::size_t AdMemo::Table::cost_of(const Value& value) {
  const std::size_t text = std::visit(
      [](const auto& v) -> std::size_t {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, ads::VisibleText>) {
          return v.folded().size();
        } else {
          return v.inserted.size() + v.anchor.size() + v.error.message().size();
        }
      },
      value);
  return text + kEntryOverhead;
}

std::shared_ptr<const AdMemo::Table::Value> AdMemo::Table::find(const Key& key) {
  std::lock_guard lock(mu_);
  const auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

void AdMemo::Table::insert(const Key& key, std::shared_ptr<const Value> value) {
  const std::size_t cost = cost_of(*value);
  std::lock_guard lock(mu_);
  if (const auto it = index_.find(key); it != index_.end()) {
    bytes_ -= it->second->cost;
    lru_.erase(it->second);
    index_.erase(it);
  }
  if (cost > capacity_) return;
  lru_.push_front(Entry{key, std::move(value), cost});
  index_.emplace(key, lru_.begin());
  bytes_ += cost;
  evict_to_capacity();
}

void AdMemo::Table::set_capacity(std::size_t bytes) {
  std::lock_guard lock(mu_);
  capacity_ = bytes;
  evict_to_capacity();
}

bool AdMemo::Table::enabled() const {
  std::lock_guard lock(mu_);
  return capacity_ > 0;
}

AdMemoStats AdMemo::Table::stats() const {
  std::lock_guard lock(mu_);
  return AdMemoStats{hits_, misses_, index_.size(), bytes_, capacity_};
}

void AdMemo::Table::evict_to_capacity() {
  while (bytes_ > capacity_ && !lru_.empty()) {
    bytes_ -= lru_.back().cost;
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

AdMemo::AdMemo(std::size_t capacity_bytes) : table_(std::make_unique<Table>(capacity_bytes)) {}
AdMemo::~AdMemo() = default;

AdMemoStats AdMemo::stats() const {
  return table_->stats();
}

void AdMemo::set_capacity(std::size_t bytes) {
  table_->set_capacity(bytes);
}

namespace {

// ---- Memo keys ---------------------------------------------------------------------------

// SHA-256 over length-prefixed fields, so that no two different field lists hash the same
// bytes. nullopt when OpenSSL cannot digest (out of memory): the caller then reads the ad
// without the memo.
class KeyBuilder {
 public:
  explicit KeyBuilder(std::string_view kind) : ctx_(EVP_MD_CTX_new()) {
    ok_ = ctx_ != nullptr && sha256() != nullptr &&
          EVP_DigestInit_ex(ctx_.get(), sha256(), nullptr) == 1;
    add(kind);
  }
  void add(std::string_view field) {
    const std::uint64_t size = field.size();
    ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), &size, sizeof size) == 1 &&
          EVP_DigestUpdate(ctx_.get(), field.data(), field.size()) == 1;
  }
  void add(const std::vector<std::string>& fields) {
    add(std::to_string(fields.size()));
    for (const std::string& f : fields)
      add(f);
  }
  std::optional<AdMemo::Table::Key> finish() {
    AdMemo::Table::Key key{};
    unsigned int length = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), key.data(), &length) != 1 || length != key.size())
      return std::nullopt;
    return key;
  }

 private:
  // Fetched once: an implicit fetch on every digest takes a lock in OpenSSL 3.
  static const EVP_MD* sha256() {
    static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
  }
  struct FreeCtx {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, FreeCtx> ctx_;
  bool ok_ = false;
};

ads::AdFormat ad_format(const domain::JobAd& ad) {
  return ad.format == domain::AdFormat::kHtml ? ads::AdFormat::kHtml : ads::AdFormat::kText;
}

std::string_view format_tag(const domain::JobAd& ad) {
  return ad_format(ad) == ads::AdFormat::kHtml ? "html" : "text";
}

std::optional<AdMemo::Table::Key> text_key(const domain::JobAd& ad) {
  KeyBuilder k("visible_text/1");
  k.add(format_tag(ad));
  k.add(ad.body);
  return k.finish();
}

std::optional<AdMemo::Table::Key> injection_key(const domain::JobAd& ad,
                                                const ads::SentenceSpec& spec,
                                                const ads::Anchor& anchor,
                                                const ads::EncouragementWords& words) {
  KeyBuilder k("injection/2");
  k.add(format_tag(ad));
  k.add(ad.body);
  k.add(spec.sentence);
  k.add(spec.equivalents);
  k.add(anchor.before_headings);
  k.add(words.encourage);
  k.add(words.apply);
  k.add(words.negation);
  k.add(std::to_string(words.groups.size()));
  for (const auto& g : words.groups) {
    k.add(g.name);
    k.add(g.words);
  }
  return k.finish();
}

// ---- Reading the ad through the memo ------------------------------------------------------

std::shared_ptr<const ads::VisibleText> as_text(std::shared_ptr<const AdMemo::Table::Value> value) {
  const auto* text = value ? std::get_if<ads::VisibleText>(value.get()) : nullptr;
  if (text == nullptr) return nullptr;
  return std::shared_ptr<const ads::VisibleText>(std::move(value), text);
}

using Table = AdMemo::Table;

void remember_text(Table* memo_table, const domain::JobAd& ad, const ads::VisibleText& text) {
  if (memo_table == nullptr || !memo_table->enabled()) return;
  Table& memo = *memo_table;
  if (const auto key = text_key(ad))
    memo.insert(*key, std::make_shared<AdMemo::Table::Value>(text));
}

// The ad's visible text: remembered, or read now (one parse for HTML) and remembered.
std::shared_ptr<const ads::VisibleText> visible_text_of(Table* memo, const domain::JobAd& ad) {
  const std::optional<Table::Key> key =
      memo != nullptr && memo->enabled() ? text_key(ad) : std::nullopt;
  if (key) {
    if (auto found = as_text(memo->find(*key))) return found;
  }
  auto value = std::make_shared<const Table::Value>(ads::VisibleText(ad.body, ad_format(ad)));
  if (key) memo->insert(*key, value);
  return as_text(std::move(value));
}

RememberedInjection remembered(const Result<ads::Injection>& r) {
  RememberedInjection m;
  if (!r.ok()) {
    m.error = r.status();
    return m;
  }
  m.changed = r->changed;
  if (m.changed) {
    m.offset = r->offset;
    m.inserted = r->body.substr(r->offset, r->length);
    m.anchor = r->anchor;
  }
  return m;
}

Result<ads::Injection> replay(const RememberedInjection& m, std::string_view body) {
  if (!m.error.ok()) return m.error;
  ads::Injection inj;
  if (!m.changed) {
    inj.body = std::string(body);
    return inj;
  }
  inj.body.reserve(body.size() + m.inserted.size());
  inj.body.append(body.substr(0, m.offset));
  inj.body.append(m.inserted);
  inj.body.append(body.substr(m.offset));
  inj.changed = true;
  inj.offset = m.offset;
  inj.length = m.inserted.size();
  inj.anchor = m.anchor;
  return inj;
}

// ads::inject_sentence through the memo. `parsed` is read on the first miss and then
// shared by every rule of the plan; its visible text is remembered for evaluate().
Result<ads::Injection> inject(Table* memo, const domain::JobAd& ad, const ads::SentenceSpec& spec,
                              const ads::Anchor& anchor, const ads::EncouragementWords& words,
                              std::optional<ads::ParsedAd>& parsed) {
  const std::optional<Table::Key> key =
      memo != nullptr && memo->enabled() ? injection_key(ad, spec, anchor, words) : std::nullopt;
  if (key) {
    if (auto found = memo->find(*key)) {
      if (const auto* m = std::get_if<RememberedInjection>(found.get())) return replay(*m, ad.body);
    }
  }
  if (!parsed) {
    parsed.emplace(ad.body, ad_format(ad));
    remember_text(memo, ad, parsed->visible_text());
  }
  Result<ads::Injection> result = ads::inject_sentence(*parsed, spec, anchor, words);
  if (key) memo->insert(*key, std::make_shared<Table::Value>(remembered(result)));
  return result;
}

// ---- The rules -----------------------------------------------------------------------------

std::string pick_language(const std::map<std::string, std::vector<std::string>>& by_language,
                          const std::string& ad_language, const std::string& fallback) {
  if (by_language.count(ad_language)) return ad_language;
  if (by_language.count(fallback)) return fallback;
  return {};
}

// The ad as the rule sees it, or nullptr with `v` set to insufficient data: no ad, or an
// HTML ad that cannot be read safely (flagged for a person; see ads/html_budget.hpp).
const domain::JobAd* ad_or_explain(const domain::Snapshot& s, domain::RuleVerdict& v,
                                   const InputLimits& limits) {
  const auto& ad = s.vacancy.ad;
  if (ad && !ad->body.empty()) {
    std::optional<std::string> over;
    if (ad->format == domain::AdFormat::kHtml) over = ads::html_over_budget(ad->body, limits);
    if (!over) return &*ad;
    v.outcome = domain::Outcome::kInsufficientData;
    v.severity = domain::Severity::kWarning;
    v.reason_code = "ad_unreadable";
    v.reason = "The ad cannot be read safely (" + *over + "); a person should check it";
    return nullptr;
  }
  v.outcome = domain::Outcome::kInsufficientData;
  v.severity = domain::Severity::kAdvice;
  v.reason_code = "no_ad_text";
  v.reason = "The event carried no ad text to check";
  return nullptr;
}

}  // namespace

ads::EncouragementWords encouragement_words(const Policy& policy, const AdSentence& rule,
                                            const std::string& language) {
  ads::EncouragementWords out;
  const auto it = rule.detection.find(language);
  if (it == rule.detection.end() || rule.detect_groups.empty()) return out;
  out.encourage = it->second.encourage;
  out.apply = it->second.apply;
  out.negation = it->second.negation;
  for (const std::string& name : rule.detect_groups) {
    const TargetGroup* g = policy.group(name);
    if (!g) return {};
    const auto w = g->words.find(language);
    if (w == g->words.end() || w->second.empty()) return {};  // cannot read for meaning
    out.groups.push_back(ads::EncouragementWords::Group{name, w->second});
  }
  return out;
}

void evaluate_ad_sentence(const Policy& policy, const AdSentence& rule, const domain::Snapshot& s,
                          domain::RuleVerdict& v, AdMemo* memo, const InputLimits& limits) {
  const domain::JobAd* ad = ad_or_explain(s, v, limits);
  if (!ad) return;
  const std::string language = sentence_language(rule, ad->language);
  if (language.empty()) {
    v.outcome = domain::Outcome::kInsufficientData;
    v.severity = domain::Severity::kAdvice;
    v.reason_code = "no_sentence_for_language";
    v.reason = "The policy has no sentence for the ad's language '" + ad->language + "'";
    return;
  }
  const LanguageSentence& wording = rule.sentences.at(language);
  const ads::Assessment found =
      ads::assess_encouragement(*visible_text_of(memo ? &memo->table() : nullptr, *ad),
                                ads::SentenceSpec{wording.sentence, wording.equivalents},
                                encouragement_words(policy, rule, language));
  if (found.presence == ads::Presence::kUncertain) {
    // Not sure either way: a person decides. Never inserted, since a second sentence in a
    // published ad is worse than a missing one.
    v.outcome = domain::Outcome::kInsufficientData;
    v.severity = domain::Severity::kWarning;
    v.reason_code = "sentence_uncertain";
    v.reason = "The ad may already encourage the group to apply (" + language +
               "): " + found.reason + ": «" + found.evidence + "»; a person should check it" +
               (rule.mode == AdMode::kInject ? ", and nothing was inserted" : "");
    return;
  }
  if (found.presence == ads::Presence::kPresent) {
    v.outcome = domain::Outcome::kCompliant;
    v.reason_code = "sentence_present";
    v.reason = "The ad carries the encouragement sentence (" + language + ")";
    return;
  }
  v.outcome = domain::Outcome::kShortfall;
  v.severity = domain::Severity::kWarning;
  v.missing = 1;
  v.reason_code = "sentence_missing";
  v.reason = "The ad lacks the sentence encouraging the group to apply (" + language + ")" +
             (rule.mode == AdMode::kInject ? "; it is to be inserted" : "");
}

void evaluate_ad_mentions(const AdMentions& rule, const domain::Snapshot& s, domain::RuleVerdict& v,
                          AdMemo* memo, const InputLimits& limits) {
  const domain::JobAd* ad = ad_or_explain(s, v, limits);
  if (!ad) return;
  std::vector<ads::Topic> topics;
  for (const Topic& t : rule.topics) {
    const std::string language = pick_language(t.keywords, ad->language, rule.fallback_language);
    if (language.empty()) continue;  // the loader requires every declared language
    topics.push_back(ads::Topic{t.name, t.keywords.at(language)});
  }
  const std::vector<std::string> missing =
      ads::missing_topics(*visible_text_of(memo ? &memo->table() : nullptr, *ad), topics);
  if (missing.empty()) {
    v.outcome = domain::Outcome::kCompliant;
    v.reason_code = "topics_mentioned";
    v.reason = "The ad mentions every required topic";
    return;
  }
  v.outcome = domain::Outcome::kShortfall;
  v.severity = domain::Severity::kWarning;
  v.missing = static_cast<int>(missing.size());
  v.reason_code = "topics_missing";
  v.reason = "The ad does not mention:";
  for (size_t i = 0; i < missing.size(); ++i)
    v.reason += (i ? ", " : " ") + missing[i];
}

void evaluate_ad_language(const AdLanguage& rule, const domain::Snapshot& s, domain::RuleVerdict& v,
                          AdMemo* memo, const InputLimits& limits) {
  const domain::JobAd* ad = ad_or_explain(s, v, limits);
  if (!ad) return;
  auto it = rule.wording.find(ad->language);
  if (it == rule.wording.end()) it = rule.wording.find(rule.fallback_language);
  if (it == rule.wording.end()) {
    v.outcome = domain::Outcome::kNotApplicable;
    v.reason_code = "no_wording_for_language";
    v.reason = "The policy has no wording rules for the ad's language '" + ad->language + "'";
    return;
  }
  std::vector<ads::WordingPattern> patterns;
  for (const WordingRule& w : it->second)
    patterns.push_back(ads::WordingPattern{w.id, w.patterns, w.reason, w.suggestion, w.source});
  const std::vector<ads::WordingFinding> findings =
      ads::find_excluding_wording(*visible_text_of(memo ? &memo->table() : nullptr, *ad), patterns);
  if (findings.empty()) {
    v.outcome = domain::Outcome::kCompliant;
    v.reason_code = "no_excluding_wording";
    v.reason = "The ad uses none of the listed excluding wordings (" + it->first + ")";
    return;
  }
  v.outcome = domain::Outcome::kShortfall;
  v.severity = domain::Severity::kWarning;
  v.missing = static_cast<int>(findings.size());
  v.reason_code = "excluding_wording";
  v.reason = findings.size() == 1
                 ? "1 wording may exclude applicants:"
                 : std::to_string(findings.size()) + " wordings may exclude applicants:";
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const ads::WordingPattern& p = *findings[i].pattern;
    v.reason += (i ? "; " : " ") + std::string("«") + findings[i].found + "» (" + p.id +
                "): " + p.reason + " Instead: " + p.suggestion + " Source: " + p.source;
  }
}

std::vector<WordingHit> excluding_wording(const Policy& policy, const domain::JobAd& ad,
                                          const InputLimits& limits) {
  std::vector<WordingHit> out;
  if (ad.body.empty()) return out;
  if (ad.format == domain::AdFormat::kHtml && ads::html_over_budget(ad.body, limits)) return out;
  std::optional<ads::VisibleText> text;
  for (const Rule& rule : policy.rules) {
    const auto* spec = std::get_if<AdLanguage>(&rule.spec);
    if (!rule.enabled || !spec) continue;
    auto it = spec->wording.find(ad.language);
    if (it == spec->wording.end()) it = spec->wording.find(spec->fallback_language);
    if (it == spec->wording.end()) continue;
    std::vector<ads::WordingPattern> patterns;
    for (const WordingRule& w : it->second)
      patterns.push_back(ads::WordingPattern{w.id, w.patterns, w.reason, w.suggestion, w.source});
    if (!text) text.emplace(ad.body, ad_format(ad));
    for (const ads::WordingFinding& f : ads::find_excluding_wording(*text, patterns)) {
      const auto index = static_cast<std::size_t>(f.pattern - patterns.data());
      out.push_back(WordingHit{rule.name, it->first, &it->second[index], f.found});
    }
  }
  return out;
}

Result<std::optional<AdChange>> plan_ad_injection(const Policy& policy,
                                                  const domain::Snapshot& snapshot, AdMemo* memo,
                                                  const InputLimits& limits) {
  const auto& ad = snapshot.vacancy.ad;
  if (!ad || ad->body.empty()) return std::optional<AdChange>{};
  // Not read, not changed: the ad rules flag it for a person instead.
  if (ad->format == domain::AdFormat::kHtml && ads::html_over_budget(ad->body, limits))
    return std::optional<AdChange>{};
  std::optional<ads::ParsedAd> parsed;  // read on the first memo miss, kept for later rules
  for (const Rule& rule : policy.rules) {
    const auto* spec = std::get_if<AdSentence>(&rule.spec);
    if (!rule.enabled || !spec || spec->mode != AdMode::kInject) continue;
    const std::string language = sentence_language(*spec, ad->language);
    if (language.empty()) continue;
    const LanguageSentence& wording = spec->sentences.at(language);
    Result<ads::Injection> injected = inject(
        memo ? &memo->table() : nullptr, *ad,
        ads::SentenceSpec{wording.sentence, wording.equivalents},
        ads::Anchor{spec->before_headings}, encouragement_words(policy, *spec, language), parsed);
    if (!injected.ok()) return injected.status();
    if (!injected->changed) continue;
    AdChange change{rule.name, language, *ad, *ad};
    change.after.body = std::move(injected->body);
    return std::optional<AdChange>(std::move(change));
  }
  return std::optional<AdChange>{};
}

}  // namespace mangfold::policy
