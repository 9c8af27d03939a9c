#include "connector/ingest/ingest.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <future>
#include <random>
#include <set>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "connector/app/log.hpp"
#include "connector/app/metrics.hpp"
#include "connector/app/worker_pool.hpp"
#include "connector/common/ascii.hpp"
#include "connector/common/codec.hpp"
#include "connector/common/json_text.hpp"
#include "connector/common/utf8.hpp"
#include "connector/ingest/id_hook.hpp"
#include "connector/ingest/sync.hpp"
#include "connector/notify/plan.hpp"
#include "connector/policy/engine.hpp"
#include "connector/store/verdict_json.hpp"

namespace mangfold::app {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

bool is_json_media_type(std::optional<std::string_view> value) {
  if (!value) return false;
  std::string_view v = *value;
  v = v.substr(0, v.find(';'));
  while (!v.empty() && v.back() == ' ')
    v.remove_suffix(1);
  const std::string lower = ascii_lower(v);
  return lower == "application/json" || (lower.rfind("application/", 0) == 0 && lower.size() > 5 &&
                                         lower.compare(lower.size() - 5, 5, "+json") == 0);
}

http::Response json_response(int status, const nlohmann::json& body) {
  http::Response r;
  r.status = status;
  // Ids and texts from the sender may not be UTF-8; writing the answer must never throw.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

store::VacancyRecord record_of(const domain::Vacancy& v, std::int64_t now) {
  store::VacancyRecord r;
  r.vacancy_id = v.id;
  r.title = v.title;
  r.department = v.department;
  r.url = v.url;
  r.manager_name = v.manager.name;
  r.manager_email = v.manager.email;
  r.ad_language = v.ad ? v.ad->language : "";
  r.status = std::string(domain::to_string(v.status));
  r.deadline = v.deadline ? v.deadline->to_string() : "";
  r.hire_justification_given = v.hire_justification_given;
  r.updated_at = now;
  return r;
}

// What the verdict log keeps of a verdict (store::Changes::log_verdict).
bool same_logged_fields(const domain::Verdict& a, const domain::Verdict& b) {
  return a.policy_id == b.policy_id && a.policy_version == b.policy_version && a.phase == b.phase &&
         a.overall == b.overall;
}

}  // namespace

std::string accepted_answer(std::string_view event_id, std::string_view vacancy_id,
                            std::string_view verdict, const policy::AdChange* ad) {
  using json_text::append_key;
  using json_text::append_string;
  std::string out;
  out.reserve(96 + event_id.size() + vacancy_id.size() + (ad ? ad->after.body.size() + 64 : 0));
  out += '{';
  if (ad) {  // keys in nlohmann's (sorted) order
    append_key(out, "ad", true);
    out += '{';
    append_key(out, "body", true);
    append_string(out, ad->after.body);
    append_key(out, "language");
    append_string(out, ad->after.language);
    append_key(out, "rule");
    append_string(out, ad->rule);
    out += '}';
  }
  append_key(out, "event_id", ad == nullptr);
  append_string(out, event_id);
  append_key(out, "status");
  append_string(out, "accepted");
  append_key(out, "vacancy_id");
  append_string(out, vacancy_id);
  append_key(out, "verdict");
  append_string(out, verdict);
  out += '}';
  return out;
}

Result<store::Changes> plan_event(const policy::Policy& policy, domain::Snapshot snapshot,
                                  const store::StoredVacancy& prior, std::int64_t now_unix,
                                  const PlanOptions& options) {
  store::Changes changes;
  if (const std::optional<policy::AdChange>& ad_change = options.ad_change) {
    // Keyed by the new text, so the same change is written once however often the ATS
    // sends the old ad again; a later edit of the ad is a new change.
    store::OutboxItem item;
    item.kind = "ad_writeback";
    item.idempotency_key =
        "ad:" + snapshot.vacancy.id + ":" + codec::sha256_hex(ad_change->after.body).substr(0, 32);
    item.vacancy_id = snapshot.vacancy.id;
    item.payload =
        nlohmann::json{
            {"vacancy_id", snapshot.vacancy.id},
            {"rule", ad_change->rule},
            {"language", ad_change->after.language},
            {"format", ad_change->after.format == domain::AdFormat::kHtml ? "html" : "text"},
            {"body", ad_change->after.body}}
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    item.not_before = now_unix;
    changes.outbox.push_back(std::move(item));
  }
  // Level-triggered: the verdict comes from the whole snapshot plus every stage each
  // candidate was ever seen in, so an invitee who withdrew (or whose status was moved
  // back) still counts as invited even if this event no longer says so.
  // One hash lookup per candidate: a vacancy with tens of thousands of candidates must not
  // cost the square of that on the store's single writer.
  std::unordered_map<std::string_view, const store::CandidateHistory*> stored;
  stored.reserve(prior.candidates.size());
  for (const store::CandidateHistory& h : prior.candidates)
    stored.emplace(h.candidate_id, &h);
  for (domain::Application& a : snapshot.applications) {
    std::vector<domain::Stage> stages;
    const auto found = stored.find(a.candidate_id);
    const store::CandidateHistory* known = found == stored.end() ? nullptr : found->second;
    if (known) stages = known->stages;
    const size_t before = stages.size();
    auto add = [&](domain::Stage s) {
      if (std::find(stages.begin(), stages.end(), s) == stages.end()) stages.push_back(s);
    };
    for (domain::Stage s : a.history)
      add(s);
    add(a.stage);
    a.history = stages;
    if (!known || stages.size() != before)
      changes.candidates.push_back({a.candidate_id, std::move(stages)});
  }

  policy::EvaluationContext context;
  context.today = domain::Date::from_days_since_epoch(static_cast<long>(now_unix / 86400));
  context.ad_memo = options.ad_memo;
  const policy::AdDigest* ad_digest = options.ad_digest ? &*options.ad_digest : nullptr;
  context.ad_digest = ad_digest;
  context.limits = options.limits;
  changes.verdict = policy::evaluate(policy, snapshot, context);
  // Emails for what changed since the last verdict, in the same transaction: acknowledged
  // means queued, and a replayed event (a duplicate) never plans them twice.
  for (store::OutboxItem& mail : notify::plan_notifications(
           notify::vacancy_info(prior.record.tenant, snapshot.vacancy, policy, options.limits,
                                options.ad_memo, ad_digest),
           prior.last_verdict, *changes.verdict, policy, now_unix))
    changes.outbox.push_back(std::move(mail));
  // A verdict equal to the stored one is not stored again (store.hpp, Changes::verdict):
  // the events table keeps every event, the verdict rows only what changed.
  if (prior.last_verdict && *prior.last_verdict == *changes.verdict)
    changes.verdict.reset();
  else if (prior.last_verdict && same_logged_fields(*prior.last_verdict, *changes.verdict))
    changes.log_verdict = false;  // only counts changed: no log row (store.hpp, log_verdict)

  changes.vacancy = record_of(snapshot.vacancy, now_unix);
  const bool closed = snapshot.vacancy.status == domain::VacancyStatus::kClosed;
  changes.vacancy.opened_at =
      prior.exists && prior.record.opened_at ? prior.record.opened_at : now_unix;
  changes.vacancy.closed_at =
      closed ? (prior.exists && prior.record.closed_at ? prior.record.closed_at : now_unix) : 0;
  return changes;
}

namespace {

// A Standard Webhooks verifier with a random key nobody holds, for unknown tenants.
std::unique_ptr<webhook::Verifier> make_decoy_verifier() {
  std::random_device random;
  webhook::StandardWebhooksOptions options;
  options.secrets.push_back({});
  for (int i = 0; i < 32; ++i)
    options.secrets.back().bytes += static_cast<char>(random() & 0xFF);
  return webhook::make_standard_webhooks_verifier(std::move(options));
}

}  // namespace

Ingest::Ingest(store::Store& store, Metrics& metrics, Log& log, Clock now, WorkerPool& fetchers,
               WorkerPool& workers)
    : store_(store),
      metrics_(metrics),
      log_(log),
      now_(std::move(now)),
      fetchers_(fetchers),
      workers_(workers),
      decoy_(make_decoy_verifier()) {}

void Ingest::set_tenants(std::shared_ptr<const TenantMap> tenants) {
  tenants_.store(std::move(tenants));
}

std::shared_ptr<const TenantMap> Ingest::tenants() const {
  return tenants_.load();
}

void Ingest::apply(std::shared_ptr<const TenantMap> tenants, const TenantRuntime& tenant,
                   std::string event_id, domain::Snapshot snapshot, std::int64_t now,
                   OutcomeDone done, UnchangedVerdict unchanged) {
  // The ad as the policy wants it: answered synchronously to the sender (custom
  // integrations may apply it at once) and, for adapters that can, written back.
  // The ad is digested once for every look-up of the event in the ad memo: the plan here,
  // the rules and the notifications' wordings on the store's writer.
  std::optional<policy::AdDigest> ad_digest;
  if (snapshot.vacancy.ad && !snapshot.vacancy.ad->body.empty() && ad_memo_->enabled())
    ad_digest = policy::AdDigest::of(*snapshot.vacancy.ad);
  Result<std::optional<policy::AdChange>> ad_change = policy::plan_ad_injection(
      *tenant.policy, snapshot, ad_memo_.get(), tenant.limits, ad_digest ? &*ad_digest : nullptr);
  auto change =
      std::make_shared<std::optional<policy::AdChange>>(ad_change.ok() ? *ad_change : std::nullopt);
  store::Submission submission;
  submission.tenant = tenant.config.name;
  submission.event_id = std::move(event_id);
  submission.vacancy_id = snapshot.vacancy.id;
  submission.received_at = now;
  const bool write_back = tenant.adapter->writes_ads();
  // PRIVACY: ATS candidate ids become pseudonyms before the plan sees the stored state, so
  // the store never holds an id (DESIGN.md §4 rule 7; pseudonyms.hpp). Without a previous
  // key nothing stored can be under another pseudonym, so that is done here, off the
  // store's single writer thread; after a rotation the plan does it against the stored
  // histories.
  const bool rekey_in_plan = tenant.pseudonyms->has_previous();
  if (!rekey_in_plan) {
    store::StoredVacancy unused;
    pseudonymise(*tenant.pseudonyms, tenant.config.name, snapshot, unused);
  }
  auto shared = std::make_shared<domain::Snapshot>(std::move(snapshot));
  auto evaluated = std::make_shared<std::optional<domain::Verdict>>();
  // `tenants` and `memo` keep the policy and the ad memo alive while the plan waits in the
  // store's queue.
  PlanOptions options;
  if (write_back) options.ad_change = *change;
  options.unchanged = unchanged;
  options.ad_memo = ad_memo_.get();
  options.ad_digest = ad_digest;
  options.limits = tenant.limits;
  submission.plan = [tenants, policy = tenant.policy, pseudonyms = tenant.pseudonyms,
                     tenant_name = tenant.config.name, shared, now, memo = ad_memo_,
                     options = std::move(options), evaluated,
                     rekey_in_plan](const store::StoredVacancy& stored) -> Result<store::Changes> {
    store::StoredVacancy rekeyed_prior;
    const store::StoredVacancy* prior = &stored;
    Rekeyed rekeyed;
    if (rekey_in_plan) {
      rekeyed_prior = stored;
      rekeyed = pseudonymise(*pseudonyms, tenant_name, *shared, rekeyed_prior);
      prior = &rekeyed_prior;
    }
    Result<store::Changes> changes = plan_event(*policy, std::move(*shared), *prior, now, options);
    if (changes.ok()) {
      finish_rekeying(rekeyed, *prior, *changes);
      // Not stored when unchanged, but an event's answer still names it.
      if (!changes->verdict && options.unchanged == UnchangedVerdict::kLog)
        *evaluated = prior->last_verdict;
    }
    return changes;
  };
  // `evaluated` is written by the plan (on the store's writer) and read here, in the Done,
  // which the store calls after the plan returned and through its own queue's lock.
  // The answer itself (JSON, log line, metrics) is made on a worker: the writer is the one
  // thread every event passes through. Inline only when the pool refuses (full, stopping).
  store_.submit(std::move(submission), [this, done = std::make_shared<OutcomeDone>(std::move(done)),
                                        change, evaluated](Result<store::SubmitResult> result) {
    auto outcome = std::make_shared<Result<Outcome>>(
        !result.ok()
            ? Result<Outcome>(result.status())
            : Result<Outcome>(Outcome{
                  result->applied, result->verdict ? std::move(result->verdict) : *evaluated,
                  result->applied == store::Applied::kApplied ? *change : std::nullopt}));
    auto deliver = [done, outcome] { (*done)(std::move(*outcome)); };
    if (!workers_.post(deliver)) deliver();
  });
}

void Ingest::handle(std::string_view tenant_name, http::Request&& request, http::Respond respond) {
  const SteadyTime started = std::chrono::steady_clock::now();
  std::shared_ptr<const TenantMap> tenants = tenants_.load();
  const auto found = tenants->find(tenant_name);
  const std::string tenant_label = found == tenants->end() ? "_unknown" : std::string(tenant_name);

  // Answers once, with metrics and one log line. Safe to call from any thread.
  auto finish = [this, started, tenant_label, respond](http::Response response,
                                                       const nlohmann::json& fields) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe_request(tenant_label, response.status, seconds);
    nlohmann::json f = fields;
    f["tenant"] = tenant_label;
    f["status"] = response.status;
    f["latency_ms"] = std::round(seconds * 1e5) / 100;
    log_.write(response.status >= 500   ? LogLevel::kError
               : response.status >= 400 ? LogLevel::kWarn
                                        : LogLevel::kInfo,
               "webhook", f);
    respond(std::move(response));
  };
  auto fail = [finish](const Status& s, std::string_view error,
                       nlohmann::json fields = nlohmann::json::object()) {
    http::Response r = http::error_response(s);
    r.body = nlohmann::json{{"error", error}, {"detail", s.message()}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (s.code() == StatusCode::kUnavailable) r.headers.push_back({"Retry-After", "5"});
    fields["error"] = error;
    finish(std::move(r), fields);
  };

  const webhook::HeaderLookup headers = [&request](std::string_view name) {
    return request.header(name);
  };
  const std::int64_t now = now_();
  // An unknown tenant is answered exactly as a known one with a wrong signature (the report
  // API hides the difference too): the request is checked against a key nobody has.
  if (found == tenants->end()) {
    Status s = decoy_->verify(headers, request.body, now);
    if (s.ok() || s.code() != StatusCode::kUnauthenticated)
      s = unauthenticated("no v1 signature in webhook-signature matches a configured secret");
    return fail(s, "bad_signature", {{"unknown_tenant", true}});
  }
  const TenantRuntime& tenant = found->second;
  if (tenant.config.signature.scheme == "shared_key")
    return handle_id_hook(
        tenants, tenant, std::move(request),
        [finish](http::Response r, nlohmann::json f) { finish(std::move(r), f); });

  // Authenticate first: nothing about the request is answered to a sender without the key.
  if (Status verified = tenant.verifier->verify(headers, request.body, now); !verified.ok()) {
    if (verified.code() == StatusCode::kUnauthenticated) return fail(verified, "bad_signature");
    return fail(verified, "signature_config");
  }
  // With scheme "mapping" the adapter checks the signature while parsing: the media type
  // is checked once that has passed.
  const bool adapter_verifies = tenant.config.signature.scheme == "mapping";
  const bool json_media_type = is_json_media_type(request.header("Content-Type"));
  auto unsupported_media_type = [finish] {
    http::Response r =
        http::error_response(415, "unsupported_media_type", "send the event as application/json");
    finish(std::move(r), {{"error", "unsupported_media_type"}});
  };
  if (!adapter_verifies && !json_media_type) return unsupported_media_type();

  // Parsing the body and reading the ad cost CPU in proportion to the input: they run on a
  // worker, never on an io thread, so one heavy event does not stall other connections.
  auto req = std::make_shared<http::Request>(std::move(request));
  auto work = [this, tenants, &tenant, req, now, finish, fail, adapter_verifies, json_media_type,
               unsupported_media_type] {
    const webhook::HeaderLookup header_of = [req](std::string_view name) {
      return req->header(name);
    };
    Result<domain::InboundEvent> parsed =
        tenant.adapter->parse(domain::InboundRequest{req->body, header_of});
    if (parsed.ok() && parsed->reply) {  // an activation handshake: answered as the ATS asks
      http::Response r = json_response(parsed->reply->status, {{"status", "handshake"}});
      for (const auto& [name, value] : parsed->reply->headers)
        r.headers.push_back({name, value});
      return finish(std::move(r), {{"handshake", true}});
    }
    if (adapter_verifies && !json_media_type &&
        (parsed.ok() || parsed.status().code() != StatusCode::kUnauthenticated))
      return unsupported_media_type();
    if (!parsed.ok()) {
      switch (parsed.status().code()) {
        case StatusCode::kAlreadyExists:  // an event type the mapping ignores: acknowledged,
                                          // nothing to do
          return finish(json_response(tenant.config.success_status, {{"status", "ignored"}}),
                        {{"ignored", true}});
        case StatusCode::kUnauthenticated:  // a signature the adapter checks (inside the body)
          return fail(parsed.status(), "bad_signature");
        case StatusCode::kInvalidArgument:
          return fail(parsed.status(), "malformed");
        default:
          return fail(parsed.status(), "unmappable");
      }
    }

    // The signed delivery id wins over one in the body: it is what the sender retries with.
    // Without either, a fat event's id is the body's fingerprint: events carry whole states,
    // so an identical body is an identical state, and applying it once is exactly right. A
    // thin event only says "look again", so it is keyed by the second it arrived in too.
    std::string event_id = tenant.verifier->event_id_from_headers(header_of).value_or(parsed->id);
    if (event_id.empty())
      event_id = "sha256:" + codec::sha256_hex(req->body) +
                 (parsed->snapshot ? "" : ":" + std::to_string(now));
    // It is echoed in answers and logs as JSON, and stored: text, not arbitrary bytes.
    if (!is_valid_utf8(event_id))
      return fail(invalid_argument("the event id (header webhook-id, or the body's) is not valid "
                                   "UTF-8"),
                  "bad_event_id");
    const std::string vacancy_id = parsed->vacancy_id;

    const int success = tenant.config.success_status;
    OutcomeDone answer = [this, finish, fail, success, event_id, vacancy_id,
                          tenant_name = tenant.config.name](Result<Outcome> result) {
      nlohmann::json fields{{"event_id", event_id}, {"vacancy_id", vacancy_id}};
      if (!result.ok()) {
        const Status& s = result.status();
        return fail(s, to_string(s.code()), fields);
      }
      if (result->applied == store::Applied::kDuplicate) {
        metrics_.count_duplicate(tenant_name);
        fields["duplicate"] = true;
        return finish(json_response(success, {{"status", "duplicate"}, {"event_id", event_id}}),
                      fields);
      }
      const std::string overall(domain::to_string(result->verdict->overall));
      metrics_.count_verdict(tenant_name, overall);
      fields["verdict"] = overall;
      if (result->ad_change) fields["ad_changed"] = true;
      http::Response response;
      response.status = success;
      response.body = accepted_answer(event_id, vacancy_id, overall,
                                      result->ad_change ? &*result->ad_change : nullptr);
      finish(std::move(response), fields);
    };

    if (parsed->snapshot)
      return apply(tenants, tenant, event_id, std::move(*parsed->snapshot), now, std::move(answer));

    // A thin event: fetch the vacancy's current state from the ATS off the io threads.
    if (!tenant.adapter->fetches())
      return fail(unprocessable("the event carries only ids and the " +
                                std::string(tenant.adapter->name()) +
                                " adapter has no API configured to fetch the vacancy"),
                  "thin_event", {{"event_id", event_id}, {"vacancy_id", vacancy_id}});
    const bool queued =
        fetchers_.post([this, tenants, &tenant, event_id, vacancy_id, now, answer, fail] {
          Result<domain::Snapshot> fetched = tenant.adapter->fetch_snapshot(vacancy_id);
          if (!fetched.ok()) {
            const StatusCode code = fetched.status().code();
            return fail(fetched.status(),
                        code == StatusCode::kNotFound ? "vacancy_not_found" : "fetch_failed",
                        {{"event_id", event_id}, {"vacancy_id", vacancy_id}});
          }
          apply(tenants, tenant, event_id, std::move(*fetched), now, answer);
        });
    if (!queued)
      fail(unavailable("too many vacancies are being fetched from the ATS; retry later"), "busy");
  };
  if (!workers_.post(std::move(work)))
    fail(unavailable("the connector is busy with other events; retry later"), "busy");
}

void Ingest::handle_id_hook(std::shared_ptr<const TenantMap> tenants, const TenantRuntime& tenant,
                            http::Request&& request,
                            std::function<void(http::Response, nlohmann::json)> finish) {
  const config::SignatureConfig& sig = tenant.config.signature;
  auto bad_key = [finish, &sig] {
    const std::string where =
        sig.field.empty() ? "header " + sig.header : "body field " + sig.field;
    finish(
        http::error_response(401, "bad_key", "the shared key in " + where + " is missing or wrong"),
        {{"error", "bad_key"}});
  };
  // A key in a header is checked here, before anything of the body is read.
  if (sig.field.empty()) {
    const std::optional<std::string_view> given = request.header(sig.header);
    if (!given || !ingest::shared_key_matches(*given, tenant.shared_keys)) return bad_key();
  }
  if (!is_json_media_type(request.header("Content-Type")))
    return finish(
        http::error_response(415, "unsupported_media_type", "send the hook as application/json"),
        {{"error", "unsupported_media_type"}});
  auto req = std::make_shared<http::Request>(std::move(request));
  auto work = [this, tenants, &tenant, &sig, req, finish, bad_key] {
    Result<ingest::IdHook> hook = ingest::parse_id_hook(req->body, {sig.id_fields, sig.field});
    if (!sig.field.empty() &&
        (!hook.ok() || !hook->key || !ingest::shared_key_matches(*hook->key, tenant.shared_keys)))
      return bad_key();  // without the key, nothing about the body is answered
    if (!hook.ok())
      return finish(http::error_response(400, "malformed", hook.status().message()),
                    {{"error", "malformed"}});
    // Never data: the hook only moves the named vacancies up the tenant's sync schedule.
    SyncRunner* sync = sync_.load();
    if (!sync || !sync->hook(tenant.config.name, hook->vacancy_ids)) {
      http::Response r = http::error_response(
          503, "unavailable", "the tenant's vacancies are not followed through its ATS API");
      r.headers.push_back({"Retry-After", "30"});
      return finish(std::move(r), {{"error", "unavailable"}});
    }
    nlohmann::json ids = nlohmann::json::array();
    for (const std::string& id : hook->vacancy_ids)
      ids.push_back(id);
    finish(
        json_response(tenant.config.success_status, {{"status", "queued"}, {"vacancy_ids", ids}}),
        {{"queued", ids.size()}});
  };
  if (!workers_.post(std::move(work))) {
    http::Response r = http::error_response(503, "busy", "the connector is busy; retry later");
    r.headers.push_back({"Retry-After", "5"});
    finish(std::move(r), {{"error", "busy"}});
  }
}

}  // namespace mangfold::app
