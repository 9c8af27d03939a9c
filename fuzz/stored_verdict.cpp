// The stored verdict's columns (connector/store/rows.hpp), differential: the fast reader
// (simdjson) must answer only where the reference reader (nlohmann tree, verdict_from_json)
// reads, and with the same verdict; the fast writer must write the reference writer's bytes
// or leave them to it. A stored row is our own writing, but a database can be restored,
// migrated or edited by hand, and the fast reader must never read one differently.
//
// Input: the first byte picks the phase and overall columns (sometimes a name the format does
// not know); the rest is the rules column, or with the first byte's top bit set, bytes put
// into a column we wrote (in a string, as a number, as more members of a rule or of its
// counts), so that most inputs are nearly valid and the fast reader answers. The verdict the
// reference reads (if any) is then written both ways; and the input's bytes, cut into
// strings, make a verdict of their own that is written both ways and read back both ways.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "connector/store/rows.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using namespace mangfold;
using store::rows::VerdictColumns;
namespace internal = store::rows::internal;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz: stored verdict: %s\n", what);
  std::abort();
}

void require_same_read(const VerdictColumns& columns) {
  std::optional<domain::Verdict> fast = internal::verdict_from_columns_fast(columns, "v1");
  if (!fast) return;
  Result<domain::Verdict> reference = internal::verdict_from_columns_reference(columns, "v1");
  if (!reference.ok()) fail("the fast reader read columns the reference refuses");
  if (!(*fast == *reference)) fail("the fast reader read a verdict other than the reference's");
}

void require_same_write(const domain::Verdict& v) {
  const std::string reference = internal::rules_text_reference(v.rules);
  const std::optional<std::string> fast = internal::rules_text_fast(v.rules);
  if (fast && *fast != reference) fail("the fast writer wrote other bytes than the reference");
  // What either writer wrote, both readers read alike, and the fast one always reads.
  const VerdictColumns columns = store::rows::verdict_columns(v);
  if (columns.rules != reference) fail("verdict_columns wrote other bytes than the reference");
  if (!internal::verdict_from_columns_fast(columns, v.vacancy_id))
    fail("the fast reader left our own writing to the reference");
  require_same_read(columns);
}

// A column our writer wrote, with `text` put in at one of four places.
std::string column_with(int where, std::string_view text) {
  static const std::string kColumn = [] {
    domain::RuleVerdict r;
    r.rule = "@rule@";
    r.kind = "interview_minimum";
    r.counts.hired = 987654321;
    return internal::rules_text_reference({r, r});
  }();
  static constexpr std::string_view kPlaces[] = {"\"@rule@\"", "987654321", "\"severity\":\"none\"",
                                                 "\"unknown_answer\":0"};
  const std::string_view place = kPlaces[where & 3];
  std::string column = kColumn;
  const std::size_t at = column.find(place);
  switch (where & 3) {
    case 0:  // the content of a string, escapes and all
      column.replace(at, place.size(), "\"" + std::string(text) + "\"");
      break;
    case 1:  // a number token
      column.replace(at, place.size(), text);
      break;
    default:  // members after the last one read
      column.insert(at + place.size(), text);
  }
  return column;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr const char* kPhases[] = {"screening", "interviewing", "recommendation",
                                            "Screening"};
  static constexpr const char* kOutcomes[] = {"compliant", "shortfall", "not_applicable",
                                              "insufficient_data"};
  if (size == 0) return 0;
  const std::string_view text = fuzz::as_text(data + 1, size - 1);
  const VerdictColumns columns{"imdi", "2026.2", kPhases[data[0] & 3],
                               kOutcomes[(data[0] >> 2) & 3], std::string(text)};
  require_same_read(columns);

  if (Result<domain::Verdict> read = internal::verdict_from_columns_reference(columns, "v1"))
    require_same_write(*read);

  // The input's bytes as the strings of a rule verdict (split at '|'), the first byte's bits
  // as its numbers; invalid UTF-8 and control characters included.
  domain::Verdict v;
  v.vacancy_id = "v1";
  domain::RuleVerdict& r = v.rules.emplace_back();
  std::string* fields[] = {&r.rule, &r.kind, &r.group, &r.reason_code, &r.reason, &v.policy_id};
  std::size_t field = 0;
  for (char c : text) {
    if (c == '|' && field + 1 < std::size(fields))
      ++field;
    else
      fields[field]->push_back(c);
  }
  r.missing = static_cast<int>(size) - 100;
  r.counts.qualified = (data[0] & 0x10) != 0 ? domain::Counts::kNotRecorded : data[0];
  r.counts.hired = -static_cast<int>(data[0]) * 1000003;
  require_same_write(v);
  return 0;
}
