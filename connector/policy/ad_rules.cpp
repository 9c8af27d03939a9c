#include "connector/policy/ad_rules.hpp"

#include <openssl/evp.h>

#include <algorithm>
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
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ads::VisibleText>) {
          return v.folded().size();
        } else if constexpr (std::is_same_v<T, RememberedInjection>) {
          return v.inserted.size() + v.anchor.size() + v.error.message().size();
        } else if constexpr (std::is_same_v<T, ads::HtmlShape>) {
          return 0;
        } else if constexpr (std::is_same_v<T, ads::Assessment>) {
          return v.matched.size() + v.evidence.size() + v.reason.size();
        } else if constexpr (std::is_same_v<T, RememberedTopics>) {
          std::size_t n = 0;
          for (const std::string& name : v.missing)
            n += name.size() + sizeof name;
          return n;
        } else {
          static_assert(std::is_same_v<T, RememberedFindings>);
          std::size_t n = 0;
          for (const auto& [index, found] : v.found)
            n += found.size() + sizeof index + sizeof found;
          return n;
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

bool AdMemo::enabled() const {
  return table_->enabled();
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
    pending_.reserve(kPendingBytes);
    add(kind);
  }
  void add(std::string_view field) {
    const std::uint64_t size = field.size();
    pending_.append(reinterpret_cast<const char*>(&size), sizeof size);
    // A rule's parameters are many short words: gathered and digested in one update each
    // kPendingBytes, since every update has a fixed cost. A long field (the ad) goes as is.
    if (field.size() < kPendingBytes) {
      pending_.append(field);
      if (pending_.size() >= kPendingBytes) flush();
    } else {
      flush();
      ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), field.data(), field.size()) == 1;
    }
  }
  void add(const std::vector<std::string>& fields) {
    add(std::to_string(fields.size()));
    for (const std::string& f : fields)
      add(f);
  }
  std::optional<AdMemo::Table::Key> finish() {
    flush();
    AdMemo::Table::Key key{};
    unsigned int length = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), key.data(), &length) != 1 || length != key.size())
      return std::nullopt;
    return key;
  }

 private:
  static constexpr std::size_t kPendingBytes = 1024;
  void flush() {
    ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), pending_.data(), pending_.size()) == 1;
    pending_.clear();
  }
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
  std::string pending_;  // fields not yet digested, each after its length
};

ads::AdFormat ad_format(const domain::JobAd& ad) {
  return ad.format == domain::AdFormat::kHtml ? ads::AdFormat::kHtml : ads::AdFormat::kText;
}

std::string_view format_tag(const domain::JobAd& ad) {
  return ad_format(ad) == ads::AdFormat::kHtml ? "html" : "text";
}

using Table = AdMemo::Table;

// What every key of one ad starts from: its format and body, digested once per reading.
std::optional<Table::Key> ad_digest(const domain::JobAd& ad) {
  KeyBuilder k("ad/1");
  k.add(format_tag(ad));
  k.add(ad.body);
  return k.finish();
}

// A key for `kind` of answer on the reading's ad: the ad's digest and the parameters the
// answer depends on, which `add_parameters` adds (length-prefixed, in a fixed order).
// nullopt without a memo.
template <class AddParameters>
std::optional<Table::Key> key_for(AdReading& reading, std::string_view kind,
                                  AddParameters add_parameters) {
  if (reading.memo() == nullptr) return std::nullopt;
  const std::optional<Table::Key>& digest = reading.digest();
  if (!digest) return std::nullopt;
  KeyBuilder k(kind);
  k.add(std::string_view(reinterpret_cast<const char*>(digest->data()), digest->size()));
  add_parameters(k);
  return k.finish();
}

void no_parameters(KeyBuilder&) {}

void add_sentence(KeyBuilder& k, const ads::SentenceSpec& spec,
                  const ads::EncouragementWords& words) {
  k.add(spec.sentence);
  k.add(spec.equivalents);
  k.add(words.encourage);
  k.add(words.apply);
  k.add(words.negation);
  k.add(std::to_string(words.groups.size()));
  for (const auto& g : words.groups) {
    k.add(g.name);
    k.add(g.words);
  }
}

// ---- Reading the ad through the memo ------------------------------------------------------

// The T in a value found, sharing its ownership; null when there is none or it is another kind.
template <class T>
std::shared_ptr<const T> as(std::shared_ptr<const Table::Value> value) {
  const T* v = value ? std::get_if<T>(value.get()) : nullptr;
  if (v == nullptr) return nullptr;
  return std::shared_ptr<const T>(std::move(value), v);
}

// The answer remembered under `key`, or `compute()` now, remembered under `key` (if any).
template <class T, class Compute>
std::shared_ptr<const T> remembered_or(Table* memo, const std::optional<Table::Key>& key,
                                       Compute compute) {
  if (key) {
    if (auto found = as<T>(memo->find(*key))) return found;
  }
  auto value = std::make_shared<const Table::Value>(std::in_place_type<T>, compute());
  if (key) memo->insert(*key, value);
  return as<T>(std::move(value));
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
Result<ads::Injection> inject(AdReading& reading, const ads::SentenceSpec& spec,
                              const ads::Anchor& anchor, const ads::EncouragementWords& words,
                              std::optional<ads::ParsedAd>& parsed) {
  const domain::JobAd& ad = reading.ad();
  const std::optional<Table::Key> key = key_for(reading, "injection/3", [&](KeyBuilder& k) {
    add_sentence(k, spec, words);
    k.add(anchor.before_headings);
  });
  if (key) {
    if (const auto found = as<RememberedInjection>(reading.memo()->find(*key)))
      return replay(*found, ad.body);
  }
  if (!parsed) {
    parsed.emplace(ad.body, ad_format(ad));
    reading.adopt_text(parsed->visible_text());
  }
  Result<ads::Injection> result = ads::inject_sentence(*parsed, spec, anchor, words);
  if (key) reading.memo()->insert(*key, std::make_shared<Table::Value>(remembered(result)));
  return result;
}

// ads::assess_encouragement through the memo.
std::shared_ptr<const ads::Assessment> assessment(AdReading& reading, const ads::SentenceSpec& spec,
                                                  const ads::EncouragementWords& words) {
  return remembered_or<ads::Assessment>(
      reading.memo(),
      key_for(reading, "assessment/1", [&](KeyBuilder& k) { add_sentence(k, spec, words); }),
      [&] { return ads::assess_encouragement(reading.text(), spec, words); });
}

// ads::missing_topics through the memo.
std::shared_ptr<const RememberedTopics> missing_topics(AdReading& reading,
                                                       const std::vector<ads::Topic>& topics) {
  return remembered_or<RememberedTopics>(
      reading.memo(),
      key_for(reading, "missing_topics/1",
              [&](KeyBuilder& k) {
                k.add(std::to_string(topics.size()));
                for (const ads::Topic& t : topics) {
                  k.add(t.name);
                  k.add(t.keywords);
                }
              }),
      [&] { return RememberedTopics{ads::missing_topics(reading.text(), topics)}; });
}

// ads::find_excluding_wording through the memo, for one language's wording rules: the
// findings as indexes into `rules`. Only the patterns decide what is found.
std::shared_ptr<const RememberedFindings> findings(AdReading& reading,
                                                   const std::vector<WordingRule>& rules) {
  return remembered_or<RememberedFindings>(
      reading.memo(),
      key_for(reading, "excluding_wording/1",
              [&](KeyBuilder& k) {
                k.add(std::to_string(rules.size()));
                for (const WordingRule& w : rules)
                  k.add(w.patterns);
              }),
      [&] {
        std::vector<ads::WordingPattern> patterns;
        patterns.reserve(rules.size());
        for (const WordingRule& w : rules)
          patterns.push_back(
              ads::WordingPattern{w.id, w.patterns, w.reason, w.suggestion, w.source});
        RememberedFindings out;
        for (ads::WordingFinding& f : ads::find_excluding_wording(reading.text(), patterns))
          out.found.emplace_back(static_cast<std::size_t>(f.pattern - patterns.data()),
                                 std::move(f.found));
        return out;
      });
}

// ---- Helpers of the rules ------------------------------------------------------------------

std::string pick_language(const std::map<std::string, std::vector<std::string>>& by_language,
                          const std::string& ad_language, const std::string& fallback) {
  if (by_language.count(ad_language)) return ad_language;
  if (by_language.count(fallback)) return fallback;
  return {};
}

// The ad as the rule sees it, or nullptr with `v` set to insufficient data: no ad, or an
// HTML ad that cannot be read safely (flagged for a person; see ads/html_budget.hpp).
const domain::JobAd* ad_or_explain(AdReading* reading, domain::RuleVerdict& v) {
  if (reading != nullptr) {
    const std::optional<std::string>& over = reading->over_budget();
    if (!over) return &reading->ad();
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

// ---- The reading -----------------------------------------------------------------------------

AdReading::AdReading(AdMemo* memo, const domain::JobAd& ad, const InputLimits& limits,
                     const AdDigest* digest)
    : memo_(memo != nullptr && memo->table().enabled() ? &memo->table() : nullptr),
      ad_(ad),
      limits_(limits) {
  if (digest != nullptr && digest->agrees_with(ad)) {
    digested_ = true;
    digest_ = digest->bytes();
  }
}

std::optional<AdDigest> AdDigest::of(const domain::JobAd& ad) {
  const std::optional<AdMemo::Table::Key> digest = ad_digest(ad);
  if (!digest) return std::nullopt;
  return AdDigest(*digest, ad.format, ad.body.size());
}

const std::optional<AdMemo::Table::Key>& AdReading::digest() {
  if (!digested_) {
    digested_ = true;
    if (memo_ != nullptr) digest_ = ad_digest(ad_);
  }
  return digest_;
}

const std::optional<std::string>& AdReading::over_budget() {
  if (!measured_) {
    measured_ = true;
    if (ad_.format == domain::AdFormat::kHtml) {
      const auto shape =
          remembered_or<ads::HtmlShape>(memo_, key_for(*this, "html_shape/1", no_parameters),
                                        [&] { return ads::measure_html(ad_.body); });
      over_budget_ = ads::over_budget(*shape, limits_);
    }
  }
  return over_budget_;
}

const ads::VisibleText& AdReading::text() {
  if (!text_) {
    text_ =
        remembered_or<ads::VisibleText>(memo_, key_for(*this, "visible_text/2", no_parameters),
                                        [&] { return ads::VisibleText(ad_.body, ad_format(ad_)); });
  }
  return *text_;
}

void AdReading::adopt_text(const ads::VisibleText& text) {
  if (text_ || memo_ == nullptr) return;  // without a memo, nothing later asks for it
  auto value = std::make_shared<const Table::Value>(text);
  if (const auto key = key_for(*this, "visible_text/2", no_parameters)) memo_->insert(*key, value);
  text_ = as<ads::VisibleText>(std::move(value));
}

// ---- The rules -------------------------------------------------------------------------------

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

void evaluate_ad_sentence(const Policy& policy, const AdSentence& rule, domain::RuleVerdict& v,
                          AdReading* reading) {
  const domain::JobAd* ad = ad_or_explain(reading, v);
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
  const std::shared_ptr<const ads::Assessment> assessed =
      assessment(*reading, ads::SentenceSpec{wording.sentence, wording.equivalents},
                 encouragement_words(policy, rule, language));
  const ads::Assessment& found = *assessed;
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

void evaluate_ad_mentions(const AdMentions& rule, domain::RuleVerdict& v, AdReading* reading) {
  const domain::JobAd* ad = ad_or_explain(reading, v);
  if (!ad) return;
  std::vector<ads::Topic> topics;
  for (const Topic& t : rule.topics) {
    const std::string language = pick_language(t.keywords, ad->language, rule.fallback_language);
    if (language.empty()) continue;  // the loader requires every declared language
    topics.push_back(ads::Topic{t.name, t.keywords.at(language)});
  }
  const std::shared_ptr<const RememberedTopics> remembered_missing =
      missing_topics(*reading, topics);
  const std::vector<std::string>& missing = remembered_missing->missing;
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

void evaluate_ad_language(const AdLanguage& rule, domain::RuleVerdict& v, AdReading* reading) {
  const domain::JobAd* ad = ad_or_explain(reading, v);
  if (!ad) return;
  auto it = rule.wording.find(ad->language);
  if (it == rule.wording.end()) it = rule.wording.find(rule.fallback_language);
  if (it == rule.wording.end()) {
    v.outcome = domain::Outcome::kNotApplicable;
    v.reason_code = "no_wording_for_language";
    v.reason = "The policy has no wording rules for the ad's language '" + ad->language + "'";
    return;
  }
  const std::shared_ptr<const RememberedFindings> remembered_findings =
      findings(*reading, it->second);
  const auto& found = remembered_findings->found;
  if (found.empty()) {
    v.outcome = domain::Outcome::kCompliant;
    v.reason_code = "no_excluding_wording";
    v.reason = "The ad uses none of the listed excluding wordings (" + it->first + ")";
    return;
  }
  v.outcome = domain::Outcome::kShortfall;
  v.severity = domain::Severity::kWarning;
  v.missing = static_cast<int>(found.size());
  v.reason_code = "excluding_wording";
  v.reason = found.size() == 1 ? "1 wording may exclude applicants:"
                               : std::to_string(found.size()) + " wordings may exclude applicants:";
  for (std::size_t i = 0; i < found.size(); ++i) {
    const WordingRule& p = it->second[found[i].first];
    v.reason += (i ? "; " : " ") + std::string("«") + found[i].second + "» (" + p.id +
                "): " + p.reason + " Instead: " + p.suggestion + " Source: " + p.source;
  }
}

std::vector<WordingHit> excluding_wording(const Policy& policy, const domain::JobAd& ad,
                                          const InputLimits& limits, AdMemo* memo,
                                          const AdDigest* digest) {
  std::vector<WordingHit> out;
  if (ad.body.empty()) return out;
  // Without an ad_language rule there is nothing to find, and the ad need not be measured.
  if (std::none_of(policy.rules.begin(), policy.rules.end(), [](const Rule& rule) {
        return rule.enabled && std::holds_alternative<AdLanguage>(rule.spec);
      }))
    return out;
  AdReading reading(memo, ad, limits, digest);
  if (reading.over_budget()) return out;
  for (const Rule& rule : policy.rules) {
    const auto* spec = std::get_if<AdLanguage>(&rule.spec);
    if (!rule.enabled || !spec) continue;
    auto it = spec->wording.find(ad.language);
    if (it == spec->wording.end()) it = spec->wording.find(spec->fallback_language);
    if (it == spec->wording.end()) continue;
    const std::shared_ptr<const RememberedFindings> found = findings(reading, it->second);
    for (const auto& [index, words] : found->found)
      out.push_back(WordingHit{rule.name, it->first, &it->second[index], words});
  }
  return out;
}

Result<std::optional<AdChange>> plan_ad_injection(const Policy& policy,
                                                  const domain::Snapshot& snapshot, AdMemo* memo,
                                                  const InputLimits& limits,
                                                  const AdDigest* digest) {
  const auto& ad = snapshot.vacancy.ad;
  if (!ad || ad->body.empty()) return std::optional<AdChange>{};
  AdReading reading(memo, *ad, limits, digest);
  std::optional<ads::ParsedAd> parsed;  // read on the first memo miss, kept for later rules
  for (const Rule& rule : policy.rules) {
    const auto* spec = std::get_if<AdSentence>(&rule.spec);
    if (!rule.enabled || !spec || spec->mode != AdMode::kInject) continue;
    const std::string language = sentence_language(*spec, ad->language);
    if (language.empty()) continue;
    // Not read, not changed: the ad rules flag it for a person instead.
    if (reading.over_budget()) return std::optional<AdChange>{};
    const LanguageSentence& wording = spec->sentences.at(language);
    Result<ads::Injection> injected = inject(
        reading, ads::SentenceSpec{wording.sentence, wording.equivalents},
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
