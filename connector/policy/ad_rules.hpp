// Ad rules (§4.3 sentence, §4.1 mentions) on the snapshot's ad, through connector/ads, and
// the memo they share with plan_ad_injection (ad_injection.hpp). Internal to the policy
// module.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "connector/ads/ad_text.hpp"
#include "connector/ads/html_budget.hpp"
#include "connector/ads/wording.hpp"
#include "connector/common/input_limits.hpp"
#include "connector/common/status.hpp"
#include "connector/domain/verdict.hpp"
#include "connector/policy/ad_injection.hpp"
#include "connector/policy/policy.hpp"

namespace mangfold::policy {

class AdReading;

// The ad rules on the snapshot's ad, read through `reading` (made for that ad; see below), which
// is null when the snapshot carries no ad text. An HTML ad over the reading's limits is not
// read: insufficient data, "ad_unreadable".
void evaluate_ad_sentence(const Policy& policy, const AdSentence& rule, domain::RuleVerdict& v,
                          AdReading* reading);
void evaluate_ad_language(const AdLanguage& rule, domain::RuleVerdict& v, AdReading* reading);
// The words for reading `rule`'s sentence in `language` by meaning; empty when the rule has
// no detection (then only its wordings count).
ads::EncouragementWords encouragement_words(const Policy& policy, const AdSentence& rule,
                                            const std::string& language);
void evaluate_ad_mentions(const AdMentions& rule, domain::RuleVerdict& v, AdReading* reading);

// What ads::inject_sentence answered for one ad, sentence and anchor, without the ad: the
// new body is the ad's body with `inserted` spliced in at `offset`.
struct RememberedInjection {
  Status error;  // not OK: inject_sentence failed with this, and nothing else is set
  bool changed = false;
  std::size_t offset = 0;
  std::string inserted;
  std::string anchor;
};

// What ads::missing_topics answered for one ad and list of topics.
struct RememberedTopics {
  std::vector<std::string> missing;
};

// What ads::find_excluding_wording answered for one ad and list of patterns: per finding, the
// index of its pattern in the list and the words found.
struct RememberedFindings {
  std::vector<std::pair<std::size_t, std::string>> found;
};

// The memo's table: a bounded LRU map from a SHA-256 key to what was read from an ad (see
// ad_injection.hpp for what the keys cover and why). Values are immutable and shared: a value found
// stays valid after it is evicted. Each entry counts its text bytes plus kEntryOverhead against the
// capacity; a value larger than the capacity is not kept. Thread-safe: one mutex, held only to look
// up, store or evict, never while an ad is read.
class AdMemo::Table {
 public:
  using Key = std::array<unsigned char, 32>;
  using Value = std::variant<ads::VisibleText, RememberedInjection, ads::HtmlShape, ads::Assessment,
                             RememberedTopics, RememberedFindings>;
  static constexpr std::size_t kEntryOverhead = 256;  // list and map nodes, key, control block

  explicit Table(std::size_t capacity_bytes) : capacity_(capacity_bytes) {}
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  // The value stored under `key` (now the most recently used), or null.
  std::shared_ptr<const Value> find(const Key& key);
  // Stores or replaces; then evicts the least recently used entries until within capacity.
  void insert(const Key& key, std::shared_ptr<const Value> value);
  // 0 empties the memo and keeps it empty.
  void set_capacity(std::size_t bytes);
  bool enabled() const;
  AdMemoStats stats() const;

  static std::size_t cost_of(const Value& value);

 private:
  struct Entry {
    Key key;
    std::shared_ptr<const Value> value;
    std::size_t cost = 0;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;  // the key is a digest: its first bytes
  };
  void evict_to_capacity();  // with mu_ held

  mutable std::mutex mu_;
  std::size_t capacity_;
  std::size_t bytes_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;
};

// One ad as the ad rules of one call (an evaluation, a plan) read it. What every rule asks
// first is answered once for all of them: whether the ad may be read (its HTML within
// `limits`), its visible text, and the digest of its format and body from which every memo
// key is derived — so an ad seen before costs one SHA-256 of its body per call, and each
// rule then a look-up (none when the caller passes the ad's `digest`, see AdDigest). `memo`
// may be null (or off): then nothing is remembered beyond the call. Refers to `ad`, which
// must outlive it. Not thread-safe: one call, one thread.
class AdReading {
 public:
  AdReading(AdMemo* memo, const domain::JobAd& ad, const InputLimits& limits,
            const AdDigest* digest = nullptr);
  AdReading(const AdReading&) = delete;
  AdReading& operator=(const AdReading&) = delete;

  const domain::JobAd& ad() const { return ad_; }
  // Null when there is no memo or it is off.
  AdMemo::Table* memo() const { return memo_; }
  // nullopt when the ad may be read: a text ad, or HTML within the limits. Else why not
  // (ads::html_over_budget). Measured once, through the memo.
  const std::optional<std::string>& over_budget();
  // The ad's folded visible text: remembered, or read now (one parse for HTML).
  const ads::VisibleText& text();
  // Keeps `text`, read elsewhere from this ad (a plan's parse), for text() and the memo.
  void adopt_text(const ads::VisibleText& text);
  // The digest of the ad's format and body, computed on first use. nullopt without a memo,
  // or when OpenSSL cannot digest (then the ad is read without the memo).
  const std::optional<AdMemo::Table::Key>& digest();

 private:
  AdMemo::Table* memo_;
  const domain::JobAd& ad_;
  InputLimits limits_;
  bool digested_ = false;
  std::optional<AdMemo::Table::Key> digest_;
  bool measured_ = false;
  std::optional<std::string> over_budget_;
  std::shared_ptr<const ads::VisibleText> text_;
};

}  // namespace mangfold::policy
