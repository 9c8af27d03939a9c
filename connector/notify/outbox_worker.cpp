#include "connector/notify/outbox_worker.hpp"
#include "connector/common/thread_name.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "connector/notify/digest.hpp"
#include "connector/notify/plan.hpp"
#include "connector/notify/report_email.hpp"

namespace mangfold::notify {

namespace {

const domain::RuleVerdict* find_rule(const domain::Verdict& v, std::string_view name) {
  for (const domain::RuleVerdict& r : v.rules)
    if (r.rule == name) return &r;
  return nullptr;
}

// A notification that waited (a reminder, or a digest's entry) reports the figures as they
// are when it goes out, not as they were when it was planned. nullopt: what it reports is
// over — the rule is no longer in the outcome it is about (shortfall, or insufficient data),
// the vacancy is gone, or, for a reminder, closed. A "resolved" note stays as it is.
std::optional<Payload> refresh(Payload p, const store::StoredVacancy& stored) {
  if (p.template_name == kTemplateResolved) return p;
  if (!stored.exists || !stored.last_verdict) return std::nullopt;
  if (p.template_name == kTemplateReminder && stored.record.status == "closed") return std::nullopt;
  const domain::RuleVerdict* rule = find_rule(*stored.last_verdict, p.rule);
  const domain::Outcome expected = p.template_name == kTemplateInsufficientData
                                       ? domain::Outcome::kInsufficientData
                                       : domain::Outcome::kShortfall;
  if (!rule || rule->outcome != expected) return std::nullopt;
  p.counts = payload_counts(*rule);
  p.severity = domain::to_string(rule->severity);
  p.phase = domain::to_string(stored.last_verdict->phase);
  p.outcome = domain::to_string(rule->outcome);
  p.reason_code = rule->reason_code;
  const store::VacancyRecord& r = stored.record;
  if (!r.title.empty()) p.title = r.title;
  p.department = r.department;
  p.url = r.url;
  p.deadline = r.deadline;
  return p;
}

// For a reminder due after the application deadline: when it is due now that the stored
// deadline may have moved. nullopt when it is due already (or has no deadline to wait for).
std::optional<std::int64_t> postponed_until(const Payload& p, const store::StoredVacancy& stored,
                                            std::int64_t now) {
  if (p.occasion != kOccasionDeadline || !stored.exists) return std::nullopt;
  const std::optional<std::int64_t> due = deadline_reminder_time(stored.record.deadline);
  if (!due || *due <= now) return std::nullopt;
  return due;
}

}  // namespace

std::string_view to_string(DeliveryEvent::Kind kind) {
  switch (kind) {
    case DeliveryEvent::Kind::kSent:
      return "sent";
    case DeliveryEvent::Kind::kRetried:
      return "retried";
    case DeliveryEvent::Kind::kDead:
      return "dead";
    case DeliveryEvent::Kind::kSkipped:
      return "skipped";
    case DeliveryEvent::Kind::kPostponed:
      return "postponed";
    case DeliveryEvent::Kind::kStoreError:
      return "store_error";
  }
  return "unknown";
}

OutboxWorker::OutboxWorker(store::Store& store, Mailer& mailer, WorkerOptions options, Clock clock,
                           Random random, TemplatesFor templates, Observer observer)
    : store_(store),
      mailer_(mailer),
      options_(std::move(options)),
      clock_(std::move(clock)),
      random_(std::move(random)),
      templates_(std::move(templates)),
      observer_(std::move(observer)),
      builtin_(std::make_shared<const Templates>(Templates::builtin())) {
  options_.batch = std::max(options_.batch, 1);
  options_.digest_max_rows = std::max(options_.digest_max_rows, 1);
  options_.lease_seconds = std::max<std::int64_t>(options_.lease_seconds, 1);
}

OutboxWorker::~OutboxWorker() {
  stop();
}

void OutboxWorker::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    name_this_thread("mf-outbox");
    loop();
  });
}

void OutboxWorker::stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::lock_guard lock(mu_);
  thread_ = std::thread();
}

void OutboxWorker::wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void OutboxWorker::loop() {
  while (!stopping_) {
    const Result<int> claimed = run_once(clock_());
    // A full batch suggests more are due: go again at once.
    if (claimed.ok() && *claimed >= options_.batch) continue;
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, options_.poll_interval, [this] { return wake_ || stopping_.load(); });
    wake_ = false;
  }
}

Result<int> OutboxWorker::run_once(std::int64_t now) {
  Result<std::vector<store::Store::Claimed>> claimed =
      store_.claim_outbox(kEmailKind, now, options_.batch, options_.lease_seconds);
  if (!claimed.ok()) {
    ++store_errors_;
    report({DeliveryEvent::Kind::kStoreError, "", "", "", "", 0, claimed.status().message(), 0});
    return claimed.status();
  }
  for (size_t i = 0; i < claimed->size(); ++i) {
    const store::Store::Claimed& row = (*claimed)[i];
    if (stopping_) {
      // Shutting down: hand the rest back instead of holding them until the lease ends.
      if (Status s = store_.retry_outbox(row.id, now, "released at shutdown"); !s.ok())
        ++store_errors_;
      continue;
    }
    handle(row, now);
  }
  int total = static_cast<int>(claimed->size());
  // Then the scheduled report emails, written in full when they were enqueued.
  Result<std::vector<store::Store::Claimed>> reports =
      store_.claim_outbox(kReportEmailKind, now, options_.batch, options_.lease_seconds);
  if (!reports.ok()) {
    ++store_errors_;
    report({DeliveryEvent::Kind::kStoreError, "", "", "", "", 0, reports.status().message(), 0});
    return total > 0 ? Result<int>(total) : Result<int>(reports.status());
  }
  for (const store::Store::Claimed& row : *reports) {
    if (stopping_) {
      if (Status s = store_.retry_outbox(row.id, now, "released at shutdown"); !s.ok())
        ++store_errors_;
      continue;
    }
    handle_report_email(row, now);
  }
  total += static_cast<int>(reports->size());
  // Then up to `batch` digests, each batch whole.
  for (int n = 0; n < options_.batch && !stopping_; ++n) {
    Result<std::vector<store::Store::Claimed>> rows = store_.claim_outbox_batch(
        kDigestKind, now, options_.digest_max_rows, options_.lease_seconds);
    if (!rows.ok()) {
      ++store_errors_;
      report({DeliveryEvent::Kind::kStoreError, "", "", "", "", 0, rows.status().message(), 0});
      return total > 0 ? Result<int>(total) : Result<int>(rows.status());
    }
    if (rows->empty()) break;
    total += static_cast<int>(rows->size());
    handle_digest(*rows, now);
  }
  return total;
}

void OutboxWorker::handle(const store::Store::Claimed& row, std::int64_t now) {
  DeliveryEvent event;
  event.tenant = row.item.tenant;
  event.vacancy_id = row.item.vacancy_id;
  event.key = row.item.idempotency_key;
  event.attempts = row.attempts;

  const std::vector<std::int64_t> ids{row.id};
  auto settle = [&](DeliveryEvent::Kind kind, Status stored) {
    settle_rows(event, kind, ids, [&stored](std::int64_t) { return stored; });
  };
  auto dead = [&](const std::string& why) { dead_letter(event, ids, why); };
  auto retry = [&](const std::string& why) { retry_later(event, ids, now, why); };

  Result<Payload> parsed = parse_payload(row.item.payload);
  if (!parsed.ok()) return dead(parsed.status().message());
  Payload payload = std::move(*parsed);
  event.template_name = payload.template_name;

  if (payload.template_name == kTemplateReminder) {
    Result<store::StoredVacancy> stored = store_.load_vacancy(row.item.tenant, row.item.vacancy_id);
    if (!stored.ok())
      return retry("loading the vacancy for a reminder: " + stored.status().message());
    if (const std::optional<std::int64_t> later = postponed_until(payload, *stored, now)) {
      event.next_attempt = *later;
      event.error = "the application deadline moved to " + stored->record.deadline;
      return settle(DeliveryEvent::Kind::kPostponed,
                    store_.retry_outbox(row.id, *later, "postponed: " + event.error));
    }
    std::optional<Payload> still_due = refresh(std::move(payload), *stored);
    if (!still_due) {
      ++skipped_;
      event.error = "no longer in shortfall";
      return settle(DeliveryEvent::Kind::kSkipped, store_.skip_outbox(row.id, event.error));
    }
    payload = std::move(*still_due);
  }

  std::shared_ptr<const Templates> templates = templates_ ? templates_(row.item.tenant) : nullptr;
  Result<Message> message = compose(payload, templates ? *templates : *builtin_, options_.from);
  if (!message.ok()) return dead(message.status().message());

  const Status sent = mailer_.send(*message);
  if (sent.ok()) {
    ++sent_;
    return settle(DeliveryEvent::Kind::kSent, store_.complete_outbox(row.id));
  }
  if (sent.retryable()) return retry(sent.message());
  dead(sent.message());
}

void OutboxWorker::handle_report_email(const store::Store::Claimed& row, std::int64_t now) {
  DeliveryEvent event;
  event.tenant = row.item.tenant;
  event.template_name = "scheduled_report";
  event.key = row.item.idempotency_key;
  event.attempts = row.attempts;
  const std::vector<std::int64_t> ids{row.id};
  Result<ReportEmailPayload> parsed = parse_report_email(row.item.payload);
  if (!parsed.ok()) return dead_letter(event, ids, parsed.status().message());
  const Status sent = mailer_.send(compose_report_email(*parsed, options_.from));
  if (sent.ok()) {
    ++sent_;
    const Status stored = store_.complete_outbox(row.id);
    return settle_rows(event, DeliveryEvent::Kind::kSent, ids,
                       [&stored](std::int64_t) { return stored; });
  }
  if (sent.retryable()) return retry_later(event, ids, now, sent.message());
  dead_letter(event, ids, sent.message());
}

void OutboxWorker::handle_digest(const std::vector<store::Store::Claimed>& rows, std::int64_t now) {
  DeliveryEvent event;
  event.tenant = rows.front().item.tenant;
  event.template_name = std::string(kTemplateDigest);
  for (const store::Store::Claimed& row : rows)
    event.attempts = std::max(event.attempts, row.attempts);

  // Every row of the batch ends the same way, except one whose payload cannot be read or
  // whose deadline moved.
  std::vector<std::int64_t> ids;
  auto settle_all = [&](DeliveryEvent::Kind kind, auto&& store_call) {
    settle_rows(event, kind, ids, store_call);
  };
  auto dead_all = [&](const std::string& why) { dead_letter(event, ids, why); };
  auto retry_all = [&](const std::string& why) { retry_later(event, ids, now, why); };

  struct Parsed {
    const store::Store::Claimed* row;
    Payload payload;
  };
  std::vector<Parsed> parsed_rows;
  for (const store::Store::Claimed& row : rows) {
    Result<Payload> parsed = parse_payload(row.item.payload);
    if (!parsed.ok()) {
      ++dead_;
      DeliveryEvent bad = event;
      bad.kind = DeliveryEvent::Kind::kDead;
      bad.vacancy_id = row.item.vacancy_id;
      bad.key = row.item.idempotency_key;
      bad.error = parsed.status().message();
      if (Status s = store_.dead_letter_outbox(row.id, bad.error); !s.ok()) ++store_errors_;
      report(std::move(bad));
      continue;
    }
    parsed_rows.push_back({&row, std::move(*parsed)});
  }
  if (parsed_rows.empty()) return;
  for (const Parsed& p : parsed_rows)
    ids.push_back(p.row->id);
  std::map<std::string_view, store::StoredVacancy> vacancies;
  std::vector<DigestCandidate> candidates;
  std::vector<std::string> keys;
  std::vector<std::int64_t> kept;
  // Every vacancy first: a failed load puts the whole batch back, before any row moved on.
  for (const Parsed& p : parsed_rows) {
    const std::string_view vacancy_id = p.row->item.vacancy_id;
    if (vacancies.count(vacancy_id)) continue;
    Result<store::StoredVacancy> loaded = store_.load_vacancy(event.tenant, vacancy_id);
    if (!loaded.ok())
      return retry_all("loading a vacancy for a digest: " + loaded.status().message());
    vacancies.emplace(vacancy_id, std::move(*loaded));
  }
  for (Parsed& p : parsed_rows) {
    const auto stored = vacancies.find(p.row->item.vacancy_id);
    if (const std::optional<std::int64_t> later = postponed_until(p.payload, stored->second, now)) {
      // The deadline moved: into the digest after the new one, at this digest's time of day.
      DeliveryEvent postponed = event;
      postponed.kind = DeliveryEvent::Kind::kPostponed;
      postponed.vacancy_id = p.row->item.vacancy_id;
      postponed.key = p.row->item.idempotency_key;
      postponed.next_attempt =
          next_digest_time(*later - 1, norwegian_minute_of_day(p.row->item.not_before));
      postponed.error = "the application deadline moved to " + stored->second.record.deadline;
      if (Status s = store_.retry_outbox(p.row->id, postponed.next_attempt,
                                         "postponed: " + postponed.error);
          !s.ok())
        ++store_errors_;
      report(std::move(postponed));
      continue;
    }
    kept.push_back(p.row->id);
    keys.push_back(p.row->item.idempotency_key);
    std::optional<Payload> current = refresh(p.payload, stored->second);
    candidates.push_back(
        {current ? std::move(*current) : std::move(p.payload), current.has_value()});
  }
  ids = std::move(kept);
  if (ids.empty()) return;
  event.key = digest_key(keys);

  const std::vector<Payload> entries = digest_entries(std::move(candidates));
  if (entries.empty()) {
    // Everything it would have said is over: nothing to send.
    ++skipped_;
    event.error = "nothing left to report";
    return settle_all(DeliveryEvent::Kind::kSkipped,
                      [&](std::int64_t id) { return store_.skip_outbox(id, event.error); });
  }
  std::shared_ptr<const Templates> templates = templates_ ? templates_(event.tenant) : nullptr;
  Result<Message> message =
      compose_digest(entries, event.key, now, templates ? *templates : *builtin_, options_.from);
  if (!message.ok()) return dead_all(message.status().message());

  const Status sent = mailer_.send(*message);
  if (sent.ok()) {
    ++sent_;
    // A row whose notice was folded away (superseded, or over by now) was not in the email.
    std::set<std::string_view> in_email;
    for (const Payload& e : entries)
      in_email.insert(e.key);
    std::map<std::int64_t, bool> delivered;
    for (std::size_t i = 0; i < ids.size(); ++i)
      delivered[ids[i]] = in_email.count(keys[i]) > 0;
    digested_ += in_email.size();
    return settle_all(DeliveryEvent::Kind::kSent, [&](std::int64_t id) {
      return delivered[id] ? store_.complete_outbox(id)
                           : store_.skip_outbox(id, "folded into the digest's other notices");
    });
  }
  if (sent.retryable()) return retry_all(sent.message());
  dead_all(sent.message());
}

void OutboxWorker::settle_rows(DeliveryEvent& event, DeliveryEvent::Kind kind,
                               const std::vector<std::int64_t>& ids,
                               const std::function<Status(std::int64_t)>& store_call) {
  event.kind = kind;
  for (std::int64_t id : ids) {
    if (Status stored = store_call(id); !stored.ok()) {
      ++store_errors_;
      DeliveryEvent failure = event;
      failure.kind = DeliveryEvent::Kind::kStoreError;
      failure.error = stored.message();
      report(std::move(failure));
    }
  }
  report(event);
}

void OutboxWorker::dead_letter(DeliveryEvent& event, const std::vector<std::int64_t>& ids,
                               const std::string& why) {
  ++dead_;
  event.error = why;
  settle_rows(event, DeliveryEvent::Kind::kDead, ids,
              [&](std::int64_t id) { return store_.dead_letter_outbox(id, why); });
}

void OutboxWorker::retry_later(DeliveryEvent& event, const std::vector<std::int64_t>& ids,
                               std::int64_t now, const std::string& why) {
  if (options_.max_attempts > 0 && event.attempts >= options_.max_attempts)
    return dead_letter(event, ids,
                       "gave up after " + std::to_string(event.attempts) + " attempts: " + why);
  ++retried_;
  const double r = random_ ? std::clamp(random_(), 0.0, 1.0) : 0.5;
  event.next_attempt = now + backoff_seconds(options_, event.attempts, r);
  event.error = why;
  settle_rows(event, DeliveryEvent::Kind::kRetried, ids,
              [&](std::int64_t id) { return store_.retry_outbox(id, event.next_attempt, why); });
}

void OutboxWorker::report(DeliveryEvent event) {
  if (observer_) observer_(event);
}

WorkerCounters OutboxWorker::counters() const {
  return WorkerCounters{sent_.load(),    retried_.load(),      dead_.load(),
                        skipped_.load(), store_errors_.load(), digested_.load()};
}

std::int64_t OutboxWorker::backoff_seconds(const WorkerOptions& o, int attempts, double random) {
  const std::int64_t base = std::max<std::int64_t>(o.backoff_base_seconds, 1);
  const std::int64_t cap = std::max(o.backoff_cap_seconds, base);
  std::int64_t delay = base;
  for (int i = 1; i < attempts && delay < cap; ++i)
    delay = std::min(cap, delay * 2);
  const double half = static_cast<double>(delay) / 2.0;
  const auto jittered =
      static_cast<std::int64_t>(std::llround(half + std::clamp(random, 0.0, 1.0) * half));
  return std::max<std::int64_t>(jittered, 1);
}

}  // namespace mangfold::notify
