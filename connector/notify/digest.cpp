#include "connector/notify/digest.hpp"

#include <algorithm>
#include <boost/date_time/local_time/local_time.hpp>
#include <boost/date_time/posix_time/posix_time.hpp>
#include <cstdio>
#include <functional>
#include <map>
#include <tuple>

#include "connector/common/ascii.hpp"
#include "connector/domain/date.hpp"
#include "connector/notify/sha256.hpp"

namespace mangfold::notify {

namespace {

namespace lt = boost::local_time;
namespace pt = boost::posix_time;

// Norway's clocks: CET (UTC+1), CEST (UTC+2) from the last Sunday of March 02:00 to the
// last Sunday of October 03:00 local time, as a POSIX TZ rule. Boost reads the offset with
// the ISO sign (+1 is east of Greenwich), the opposite of the TZ variable's "CET-1CEST".
constexpr const char* kNorwegianTime = "CET+1CEST,M3.5.0,M10.5.0/3";

const lt::time_zone_ptr& norwegian_time() {
  static const lt::time_zone_ptr zone(new lt::posix_time_zone(kNorwegianTime));
  return zone;
}

std::int64_t to_unix(const pt::ptime& utc) {
  return (utc - pt::ptime(boost::gregorian::date(1970, 1, 1))).total_seconds();
}

bool is_resolved(const Payload& p) {
  return p.template_name == kTemplateResolved;
}

// Most urgent first: a breach (a hire already proposed), a warning (interviews under way),
// advice (nobody invited yet), anything else; "resolved" needs nothing done and goes last.
int urgency(const Payload& p) {
  if (is_resolved(p)) return 4;
  if (p.severity == "breach") return 0;
  if (p.severity == "warning") return 1;
  if (p.severity == "advice") return 2;
  return 3;
}

}  // namespace

std::int64_t next_digest_time(std::int64_t now_unix, int minute_of_day) {
  minute_of_day = std::clamp(minute_of_day, 0, 24 * 60 - 1);
  const lt::time_zone_ptr& zone = norwegian_time();
  const pt::ptime now_utc = pt::from_time_t(static_cast<std::time_t>(now_unix));
  const pt::ptime now_local = lt::local_date_time(now_utc, zone).local_time();
  const pt::time_duration at = pt::minutes(minute_of_day);
  boost::gregorian::date day = now_local.date();
  // Today or tomorrow; the third day only keeps the loop bounded.
  for (int i = 0; i < 3; ++i, day += boost::gregorian::days(1)) {
    const lt::local_date_time when(day, at, zone, lt::local_date_time::NOT_DATE_TIME_ON_ERROR);
    const std::int64_t t = when.is_not_a_date_time()
                               // Skipped or repeated: read it as standard time.
                               ? to_unix(pt::ptime(day, at) - zone->base_utc_offset())
                               : to_unix(when.utc_time());
    if (t > now_unix) return t;
  }
  return now_unix + 86400;  // not reached: three calendar days always hold one more instant
}

std::string norwegian_time_text(std::int64_t unix_seconds) {
  const pt::ptime local =
      lt::local_date_time(pt::from_time_t(static_cast<std::time_t>(unix_seconds)), norwegian_time())
          .local_time();
  const boost::gregorian::date d = local.date();
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d %02d:%02d", static_cast<int>(d.year()),
                static_cast<int>(d.month()), static_cast<int>(d.day()),
                static_cast<int>(local.time_of_day().hours()),
                static_cast<int>(local.time_of_day().minutes()));
  return out;
}

int norwegian_minute_of_day(std::int64_t unix_seconds) {
  const pt::ptime local =
      lt::local_date_time(pt::from_time_t(static_cast<std::time_t>(unix_seconds)), norwegian_time())
          .local_time();
  return static_cast<int>(local.time_of_day().hours() * 60 + local.time_of_day().minutes());
}

std::optional<std::int64_t> deadline_reminder_time(std::string_view deadline) {
  const std::optional<domain::Date> d = domain::Date::parse(deadline);
  if (!d) return std::nullopt;
  // Midnight UTC of the next day is 01:00 or 02:00 in Norway: its 07:00 is the same day.
  const std::int64_t next_day = (std::int64_t{d->days_since_epoch()} + 1) * 86400;
  return next_digest_time(next_day, 7 * 60);
}

std::string digest_batch_key(const Payload& p) {
  // Neither the language nor the role: a recipient gets one digest a day, in their own
  // language, whether they are written to as a manager, as HR, or both.
  std::string input = "mangfold-digest-2";
  input.push_back('\x1f');
  input.append(p.tenant);
  for (const Address& a : p.to) {
    input.push_back('\x1f');
    input.append(ascii_lower(a.email));
  }
  return p.tenant + ":" + detail::sha256_hex(input, 16);
}

std::vector<Payload> digest_entries(std::vector<DigestCandidate> candidates) {
  // Per (vacancy, rule): whether anything other than "resolved" was in the batch, the
  // latest current one of those, and the latest "resolved".
  struct Slot {
    bool other_seen = false;
    const Payload* action = nullptr;
    const Payload* resolved = nullptr;
  };
  std::map<std::pair<std::string, std::string>, Slot> slots;
  for (const DigestCandidate& c : candidates) {
    Slot& slot = slots[{c.payload.vacancy_id, c.payload.rule}];
    if (is_resolved(c.payload)) {
      slot.resolved = &c.payload;
      continue;
    }
    slot.other_seen = true;
    if (c.current) slot.action = &c.payload;
  }
  // Kept entries by vacancy; the map's order within a vacancy is by rule name.
  std::map<std::string, std::vector<Payload>> by_vacancy;
  for (const auto& [key, slot] : slots) {
    if (slot.action)
      by_vacancy[key.first].push_back(*slot.action);
    else if (slot.resolved && !slot.other_seen)
      by_vacancy[key.first].push_back(*slot.resolved);
  }
  std::vector<std::vector<Payload>> vacancies;
  for (auto& [id, entries] : by_vacancy) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Payload& a, const Payload& b) { return urgency(a) < urgency(b); });
    vacancies.push_back(std::move(entries));
  }
  // The first entry is the vacancy's most urgent and speaks for it; then the earliest
  // deadline (a vacancy without one goes last), title and id.
  auto order = [](const std::vector<Payload>& v) {
    const Payload& p = v.front();
    return std::make_tuple(urgency(p), p.deadline.empty(), std::cref(p.deadline),
                           std::cref(p.title), std::cref(p.vacancy_id));
  };
  std::sort(vacancies.begin(), vacancies.end(),
            [&](const auto& a, const auto& b) { return order(a) < order(b); });
  std::vector<Payload> out;
  for (std::vector<Payload>& v : vacancies)
    for (Payload& p : v)
      out.push_back(std::move(p));
  return out;
}

std::string digest_key(std::vector<std::string> row_keys) {
  std::sort(row_keys.begin(), row_keys.end());
  std::string input = "mangfold-digest-message-1";
  for (const std::string& k : row_keys) {
    input.push_back('\x1f');
    input.append(k);
  }
  return "mf-" + detail::sha256_hex(input, 16);
}

}  // namespace mangfold::notify
