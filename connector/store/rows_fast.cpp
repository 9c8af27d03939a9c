// The stored verdict's rules without an nlohmann tree (issue #22: read_vacancy reads the
// current verdict for every event, and the tree was most of that cost).
//
// Reading: simdjson's DOM parser (one per thread, reused) parses the rules column and the
// values are taken straight from its tape into the domain types. It only ever answers for
// columns that the reference (rows.cpp: nlohmann tree, then verdict_from_json) reads, and
// with the same Verdict: at anything else it returns nothing and the reference runs, which
// produces the error, so errors cannot differ. What it leaves to the reference although the
// reference may accept it: malformed JSON by simdjson's reading (nlohmann reads the same
// grammar; a byte order mark is the one known difference), a key twice in a rule or its
// counts (nlohmann keeps the last, simdjson would see both), and any number in `missing` or
// a count that simdjson does not read as a signed 64-bit integer (nlohmann reads
// 2^63..2^64-1 unsigned, then wraps it into an int; we never wrote such a row). The fuzzer
// (fuzz/stored_verdict.cpp, corpus replayed by ctest) runs both readers on every input and
// aborts if they disagree. No exceptions: every step says whether it read.
//
// Writing: the bytes nlohmann's dump writes for verdict_json's tree (objects are std::maps,
// so keys come sorted; compact; ensure_ascii off, so only '"', '\\' and control characters
// are escaped), written directly. Only for valid UTF-8: nlohmann's replacement of invalid
// bytes by U+FFFD is left to nlohmann.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

#include <simdjson.h>

#include "connector/common/json_text.hpp"
#include "connector/store/rows.hpp"
#include "connector/store/verdict_json.hpp"

namespace mangfold::store::rows::internal {

namespace {

namespace sj = simdjson;
using Type = sj::dom::element_type;

// Rules columns above this take the reference path: the reused parser keeps buffers sized
// for the largest document it has read, and a verdict's rules are a few KiB.
constexpr std::size_t kFastMaxBytes = 256 * 1024;

bool read_string(sj::dom::element e, std::string& out) {
  if (e.type() != Type::STRING) return false;
  out.assign(e.get_string().value_unsafe());
  return true;
}

// The reference takes any JSON integer that fits an int. simdjson reads a literal without
// fraction or exponent as INT64 when it fits, with the same value nlohmann reads.
bool read_int(sj::dom::element e, int& out) {
  if (e.type() != Type::INT64) return false;
  const std::int64_t n = e.get_int64().value_unsafe();
  if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max()) return false;
  out = static_cast<int>(n);
  return true;
}

template <typename E>
bool read_enum(sj::dom::element e, std::optional<E> (*from_name)(std::string_view), E& out) {
  if (e.type() != Type::STRING) return false;
  std::optional<E> v = from_name(e.get_string().value_unsafe());
  if (!v) return false;
  out = *v;
  return true;
}

// The keys the reference reads, by position in a bit set of those seen. Other keys are
// ignored by the reference too.
template <std::size_t N>
int key_index(std::string_view key, const std::array<std::string_view, N>& keys) {
  for (std::size_t i = 0; i < N; ++i)
    if (keys[i] == key) return static_cast<int>(i);
  return -1;
}

// In Counts' order; `qualified` last, the one key that may be absent (verdict_json.hpp).
constexpr std::array<std::string_view, 12> kCountKeys = {"applicants",
                                                         "in_group",
                                                         "unknown_answer",
                                                         "qualified_in_group",
                                                         "unassessed_in_group",
                                                         "invited",
                                                         "invited_in_group",
                                                         "required",
                                                         "proposed",
                                                         "hired",
                                                         "hired_in_group",
                                                         "qualified"};

bool read_counts(sj::dom::element e, domain::Counts& c) {
  if (e.type() != Type::OBJECT) return false;
  int* const fields[kCountKeys.size()] = {&c.applicants,
                                          &c.in_group,
                                          &c.unknown_answer,
                                          &c.qualified_in_group,
                                          &c.unassessed_in_group,
                                          &c.invited,
                                          &c.invited_in_group,
                                          &c.required,
                                          &c.proposed,
                                          &c.hired,
                                          &c.hired_in_group,
                                          &c.qualified};
  std::uint32_t seen = 0;
  const sj::dom::object object = e.get_object().value_unsafe();
  for (sj::dom::key_value_pair kv : object) {
    const int k = key_index(kv.key, kCountKeys);
    if (k < 0) continue;
    if ((seen & (1u << k)) != 0) return false;
    seen |= 1u << k;
    if (!read_int(kv.value, *fields[k])) return false;
  }
  constexpr std::uint32_t kRequired = (1u << (kCountKeys.size() - 1)) - 1;
  if ((seen & kRequired) != kRequired) return false;
  if ((seen & (1u << (kCountKeys.size() - 1))) == 0) c.qualified = domain::Counts::kNotRecorded;
  return true;
}

enum RuleKey { kRule, kKind, kGroup, kOutcome, kSeverity, kMissing, kReasonCode, kReason, kCounts };
constexpr std::array<std::string_view, 9> kRuleKeys = {
    "rule", "kind", "group", "outcome", "severity", "missing", "reason_code", "reason", "counts"};

bool read_rule(sj::dom::element e, domain::RuleVerdict& r) {
  if (e.type() != Type::OBJECT) return false;
  std::uint32_t seen = 0;
  const sj::dom::object object = e.get_object().value_unsafe();
  for (sj::dom::key_value_pair kv : object) {
    const int k = key_index(kv.key, kRuleKeys);
    if (k < 0) continue;
    if ((seen & (1u << k)) != 0) return false;
    seen |= 1u << k;
    bool ok = false;
    switch (static_cast<RuleKey>(k)) {
      case kRule:
        ok = read_string(kv.value, r.rule);
        break;
      case kKind:
        ok = read_string(kv.value, r.kind);
        break;
      case kGroup:
        ok = read_string(kv.value, r.group);
        break;
      case kOutcome:
        ok = read_enum(kv.value, &outcome_from_name, r.outcome);
        break;
      case kSeverity:
        ok = read_enum(kv.value, &severity_from_name, r.severity);
        break;
      case kMissing:
        ok = read_int(kv.value, r.missing);
        break;
      case kReasonCode:
        ok = read_string(kv.value, r.reason_code);
        break;
      case kReason:
        ok = read_string(kv.value, r.reason);
        break;
      case kCounts:
        ok = read_counts(kv.value, r.counts);
        break;
    }
    if (!ok) return false;
  }
  return seen == (1u << kRuleKeys.size()) - 1;
}

using json_text::append_int;
using json_text::append_string;
using json_text::valid_utf8;

// `"key":` then the value; `first` says whether a comma goes before.
void append_key(std::string& out, std::string_view key, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += key;
  out += "\":";
}

}  // namespace

std::optional<domain::Verdict> verdict_from_columns_fast(const VerdictColumns& c,
                                                         std::string_view vacancy_id) {
  const std::optional<domain::Phase> phase = phase_from_name(c.phase);
  const std::optional<domain::Outcome> overall = outcome_from_name(c.overall);
  if (!phase || !overall || c.rules.size() > kFastMaxBytes) return std::nullopt;
  thread_local sj::dom::parser parser;
  sj::dom::element doc;
  if (parser.parse(c.rules.data(), c.rules.size()).get(doc) != sj::SUCCESS ||
      doc.type() != Type::ARRAY)
    return std::nullopt;
  domain::Verdict v;
  v.policy_id = c.policy_id;
  v.policy_version = c.policy_version;
  v.vacancy_id = vacancy_id;
  v.phase = *phase;
  v.overall = *overall;
  // inclusion_hired stays not recorded: the columns have no such figure, as for the reference.
  const sj::dom::array rules = doc.get_array().value_unsafe();
  v.rules.reserve(rules.size());
  for (sj::dom::element r : rules)
    if (!read_rule(r, v.rules.emplace_back())) return std::nullopt;
  return v;
}

std::optional<std::string> rules_text_fast(const std::vector<domain::RuleVerdict>& rules) {
  std::size_t size = 2;
  for (const domain::RuleVerdict& r : rules) {
    if (!valid_utf8(r.rule) || !valid_utf8(r.kind) || !valid_utf8(r.group) ||
        !valid_utf8(r.reason_code) || !valid_utf8(r.reason))
      return std::nullopt;
    size += 400 + r.rule.size() + r.kind.size() + r.group.size() + r.reason_code.size() +
            r.reason.size();
  }
  std::string out;
  out.reserve(size);
  out += '[';
  for (const domain::RuleVerdict& r : rules) {
    if (out.size() > 1) out += ',';
    const domain::Counts& c = r.counts;
    // Sorted by key, as nlohmann's objects keep them.
    out += "{\"counts\":{";
    append_key(out, "applicants", true);
    append_int(out, c.applicants);
    append_key(out, "hired");
    append_int(out, c.hired);
    append_key(out, "hired_in_group");
    append_int(out, c.hired_in_group);
    append_key(out, "in_group");
    append_int(out, c.in_group);
    append_key(out, "invited");
    append_int(out, c.invited);
    append_key(out, "invited_in_group");
    append_int(out, c.invited_in_group);
    append_key(out, "proposed");
    append_int(out, c.proposed);
    if (c.qualified != domain::Counts::kNotRecorded) {
      append_key(out, "qualified");
      append_int(out, c.qualified);
    }
    append_key(out, "qualified_in_group");
    append_int(out, c.qualified_in_group);
    append_key(out, "required");
    append_int(out, c.required);
    append_key(out, "unassessed_in_group");
    append_int(out, c.unassessed_in_group);
    append_key(out, "unknown_answer");
    append_int(out, c.unknown_answer);
    out += '}';
    append_key(out, "group");
    append_string(out, r.group);
    append_key(out, "kind");
    append_string(out, r.kind);
    append_key(out, "missing");
    append_int(out, r.missing);
    append_key(out, "outcome");
    append_string(out, domain::to_string(r.outcome));
    append_key(out, "reason");
    append_string(out, r.reason);
    append_key(out, "reason_code");
    append_string(out, r.reason_code);
    append_key(out, "rule");
    append_string(out, r.rule);
    append_key(out, "severity");
    append_string(out, domain::to_string(r.severity));
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace mangfold::store::rows::internal
