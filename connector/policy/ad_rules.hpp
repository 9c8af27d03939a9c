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
#include <string>
#include <unordered_map>
#include <variant>

#include "connector/ads/ad_text.hpp"
#include "connector/ads/wording.hpp"
#include "connector/common/input_limits.hpp"
#include "connector/common/status.hpp"
#include "connector/domain/verdict.hpp"
#include "connector/policy/ad_injection.hpp"
#include "connector/policy/policy.hpp"

namespace mangfold::policy {

// `memo` may be null. An HTML ad over `limits` is not read: insufficient data, "ad_unreadable".
void evaluate_ad_sentence(const Policy& policy, const AdSentence& rule, const domain::Snapshot& s,
                          domain::RuleVerdict& v, AdMemo* memo, const InputLimits& limits);
void evaluate_ad_language(const AdLanguage& rule, const domain::Snapshot& s, domain::RuleVerdict& v,
                          AdMemo* memo, const InputLimits& limits);
// The words for reading `rule`'s sentence in `language` by meaning; empty when the rule has
// no detection (then only its wordings count).
ads::EncouragementWords encouragement_words(const Policy& policy, const AdSentence& rule,
                                            const std::string& language);
void evaluate_ad_mentions(const AdMentions& rule, const domain::Snapshot& s, domain::RuleVerdict& v,
                          AdMemo* memo, const InputLimits& limits);

// What ads::inject_sentence answered for one ad, sentence and anchor, without the ad: the
// new body is the ad's body with `inserted` spliced in at `offset`.
struct RememberedInjection {
  Status error;  // not OK: inject_sentence failed with this, and nothing else is set
  bool changed = false;
  std::size_t offset = 0;
  std::string inserted;
  std::string anchor;
};

// The memo's table: a bounded LRU map from a SHA-256 key to what was read from an ad (see
// ad_injection.hpp for what the keys cover and why). Values are immutable and shared: a value found
// stays valid after it is evicted. Each entry counts its text bytes plus kEntryOverhead against the
// capacity; a value larger than the capacity is not kept. Thread-safe: one mutex, held only to look
// up, store or evict, never while an ad is read.
class AdMemo::Table {
 public:
  using Key = std::array<unsigned char, 32>;
  using Value = std::variant<ads::VisibleText, RememberedInjection>;
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

}  // namespace mangfold::policy
