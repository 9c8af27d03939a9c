// The daily digest (policy `notifications.daily_digest`): instead of one email per verdict
// change, a recipient gets one email a day, at the policy's digest_time in Norwegian time,
// listing what changed for each of their vacancies.
//
// How it travels: plan_notifications writes the same rows as without a digest (same keys,
// same payloads), but of kind "digest", due at the next digest time, with a batch key per
// recipient. OutboxWorker claims one batch at a time (Store::claim_outbox_batch), brings
// each notification up to date with the vacancy's stored verdict, folds them with
// digest_entries and sends one email (templates `digest.*`). Its Message-ID comes from the
// rows' keys, so a resend after a crash carries the same id.
//
// Thread-safety: pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/notify/payload.hpp"

namespace mangfold::notify {

// The outbox kind of notifications waiting for a digest.
inline constexpr std::string_view kDigestKind = "digest";
// The digest's templates: <lang>/digest.subject, .txt, .html.
inline constexpr std::string_view kTemplateDigest = "digest";

// The first instant strictly after `now_unix` at which clocks in Norway (CET/CEST, the EU
// summer-time rule) show `minute_of_day` (0–1439). On the spring day when 02:00–02:59 does
// not exist, and on the autumn day when it happens twice, a time in that hour is taken in
// standard time (CET). Unix seconds.
std::int64_t next_digest_time(std::int64_t now_unix, int minute_of_day);

// An instant as clocks in Norway show it: "YYYY-MM-DD HH:MM".
std::string norwegian_time_text(std::int64_t unix_seconds);
// The minute of the day (0–1439) clocks in Norway show at that instant.
int norwegian_minute_of_day(std::int64_t unix_seconds);

// When the reminder after an application deadline is due: 07:00 in Norway on the day
// after `deadline` (YYYY-MM-DD). nullopt when it does not parse as a date.
std::optional<std::int64_t> deadline_reminder_time(std::string_view deadline);

// The batch key of a digest row: one per tenant and recipient address (case-insensitive),
// so that each recipient gets one digest a day (its language: the recipient's, the same in
// every row to them; the first row's is used).
std::string digest_batch_key(const Payload& payload);

// One notification of a digest batch, in claim order (oldest first), after the worker
// compared it with the vacancy's stored verdict: `current` is false when the state it
// reports is over (the rule is no longer in that outcome, or a reminder's vacancy closed).
struct DigestCandidate {
  Payload payload;
  bool current = true;
};

// What the digest says: per (vacancy, rule), the latest current notification other than
// "resolved"; a "resolved" only when nothing else about that rule is in the batch (a
// shortfall that began and ended since the last digest is not worth a line). Ordered by
// urgency: vacancies by their most urgent notification (breach, then warning, then advice,
// then the rest, "resolved" last), then by deadline (earliest first, none last), title and
// id; within a vacancy, by urgency, then by rule name.
std::vector<Payload> digest_entries(std::vector<DigestCandidate> candidates);

// The key (and Message-ID left part) of the digest made of rows with these keys:
// "mf-" + 32 hex digits, independent of their order.
std::string digest_key(std::vector<std::string> row_keys);

}  // namespace mangfold::notify
