// The ad change a policy asks for: in `inject` mode, the ad with the encouragement
// sentence inserted where it is missing. Pure; used by `mangfold simulate` (as a diff)
// and by the ingest pipeline (as an ATS write-back through the outbox).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "connector/common/input_limits.hpp"
#include "connector/common/status.hpp"
#include "connector/domain/vacancy.hpp"
#include "connector/policy/policy.hpp"

namespace mangfold::policy {

struct AdChange {
  std::string rule;      // the ad_sentence rule that asks for it
  std::string language;  // the sentence's language
  domain::JobAd before;
  domain::JobAd after;
};

// nullopt when no enabled inject-mode rule applies, the sentence is already there, or the
// ad's HTML is over `limits` (not read at all: the ad rules flag it as "ad_unreadable").
// kUnprocessable when the ad's HTML cannot take the paragraph (flag it instead).
// `memo`, when given, shares what is read from the ad with later calls and evaluations;
// `digest`, when given, is the snapshot's ad's (see AdDigest).
class AdMemo;
class AdDigest;
Result<std::optional<AdChange>> plan_ad_injection(const Policy& policy,
                                                  const domain::Snapshot& snapshot,
                                                  AdMemo* memo = nullptr,
                                                  const InputLimits& limits = {},
                                                  const AdDigest* digest = nullptr);

// ---- The ad memo ---------------------------------------------------------------------
// An ATS resends the whole vacancy, ad included, with every event, and the ad rarely
// changes between two events. Given a memo, plan_ad_injection, the ad rules of evaluate()
// (EvaluationContext::ad_memo) and excluding_wording remember what they read in an ad and
// what they concluded from it: whether its HTML is within the limits (its measured shape),
// its folded visible text, the injection planned for a sentence and anchor, and the
// answers of the rules (the sentence's assessment, the topics missing, the excluding
// wordings found). So a new ad is parsed once for the plan (plus once to check the
// injected result), the rules evaluated after it read that text, and for an ad seen before
// each call digests the ad once and then only looks its answers up.
//
// Answers are identical with and without a memo. Keys are SHA-256 digests of everything
// an answer depends on — the ad's format and body, and the rule's parameters as used: the
// sentence, its equivalents and the words it is read with, the anchor headings, the topics'
// keywords, the wording patterns — not of policy names or versions, so a policy edited or
// reloaded without a version bump cannot be answered from stale entries, and tenants with
// the same parameters share entries.
//
// Bounded: least recently used entries are dropped once the remembered bytes (visible
// text, inserted paragraph or answer, plus about 256 bytes of bookkeeping per entry)
// exceed the capacity. Job ads are public text; nothing about applicants is kept.
// Thread-safe: one mutex, never held while an ad is read. The owner (the ingest pipeline)
// keeps it alive for as long as evaluations that were given it run.
inline constexpr std::size_t kDefaultAdMemoBytes = std::size_t{8} << 20;  // ~2,000 4 KiB ads

struct AdMemoStats {
  std::uint64_t hits = 0;    // look-ups answered from the memo
  std::uint64_t misses = 0;  // look-ups worked out anew (reading the ad, or its text)
  std::size_t entries = 0;
  std::size_t bytes = 0;  // as counted against the capacity
  std::size_t capacity_bytes = 0;
};

class AdMemo {
 public:
  explicit AdMemo(std::size_t capacity_bytes = kDefaultAdMemoBytes);
  ~AdMemo();
  AdMemo(const AdMemo&) = delete;
  AdMemo& operator=(const AdMemo&) = delete;

  AdMemoStats stats() const;
  // Sets the capacity, evicting to fit; 0 empties the memo and keeps it empty.
  void set_capacity(std::size_t bytes);
  bool enabled() const;  // capacity > 0

  class Table;  // the LRU table (ad_rules.hpp, internal to the policy module)
  Table& table() const { return *table_; }

 private:
  std::unique_ptr<Table> table_;
};

// The memo's name for one ad: the SHA-256 of its format and body, from which the key of
// everything remembered about the ad is derived. Digesting is the part of a look-up that
// grows with the ad, so a caller that asks several things about one ad (ingest: the plan,
// the rules, the wordings of the notifications) digests it once and passes the digest to
// each call; a call given none digests the ad itself, once. The caller must pass the digest
// of the very ad the call reads: a call checks only that the format and size agree (and
// digests the ad itself when they do not). Immutable; copy it freely.
class AdDigest {
 public:
  // nullopt when OpenSSL cannot digest (then the calls read the ad without the memo).
  static std::optional<AdDigest> of(const domain::JobAd& ad);
  // The same format and body size as the ad digested.
  bool agrees_with(const domain::JobAd& ad) const {
    return ad.format == format_ && ad.body.size() == size_;
  }
  const std::array<unsigned char, 32>& bytes() const { return bytes_; }

 private:
  AdDigest(std::array<unsigned char, 32> bytes, domain::AdFormat format, std::size_t size)
      : bytes_(bytes), format_(format), size_(size) {}
  std::array<unsigned char, 32> bytes_;
  domain::AdFormat format_;
  std::size_t size_;
};

}  // namespace mangfold::policy
