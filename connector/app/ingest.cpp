#include "connector/app/ingest.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>

#include "connector/app/log.hpp"
#include "connector/app/metrics.hpp"
#include "connector/webhook/codec.hpp"
#include "connector/policy/engine.hpp"

namespace mangfold::app {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

bool is_json_media_type(std::optional<std::string_view> value) {
  if (!value) return false;
  std::string_view v = *value;
  v = v.substr(0, v.find(';'));
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  std::string lower(v);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower == "application/json" || (lower.rfind("application/", 0) == 0 && lower.size() > 5 &&
                                         lower.compare(lower.size() - 5, 5, "+json") == 0);
}

http::Response json_response(int status, const nlohmann::json& body) {
  http::Response r;
  r.status = status;
  r.body = body.dump();
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

}  // namespace

Result<store::Changes> plan_event(const policy::Policy& policy, domain::Snapshot snapshot,
                                  const store::StoredVacancy& prior, std::int64_t now_unix,
                                  const std::optional<policy::AdChange>& ad_change) {
  store::Changes changes;
  if (ad_change) {
    // Keyed by the new text, so the same change is written once however often the ATS
    // sends the old ad again; a later edit of the ad is a new change.
    store::OutboxItem item;
    item.kind = "ad_writeback";
    item.idempotency_key = "ad:" + snapshot.vacancy.id + ":" + webhook::sha256_hex(ad_change->after.body).substr(0, 32);
    item.vacancy_id = snapshot.vacancy.id;
    item.payload = nlohmann::json{{"vacancy_id", snapshot.vacancy.id},
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
  for (domain::Application& a : snapshot.applications) {
    std::vector<domain::Stage> stages;
    auto known = std::find_if(prior.candidates.begin(), prior.candidates.end(),
                              [&](const store::CandidateHistory& h) { return h.candidate_id == a.candidate_id; });
    if (known != prior.candidates.end()) stages = known->stages;
    const size_t before = stages.size();
    auto add = [&](domain::Stage s) {
      if (std::find(stages.begin(), stages.end(), s) == stages.end()) stages.push_back(s);
    };
    for (domain::Stage s : a.history) add(s);
    add(a.stage);
    a.history = stages;
    if (known == prior.candidates.end() || stages.size() != before)
      changes.candidates.push_back({a.candidate_id, std::move(stages)});
  }

  policy::EvaluationContext context;
  context.today = domain::Date::from_days_since_epoch(static_cast<long>(now_unix / 86400));
  changes.verdict = policy::evaluate(policy, snapshot, context);

  changes.vacancy = record_of(snapshot.vacancy, now_unix);
  const bool closed = snapshot.vacancy.status == domain::VacancyStatus::kClosed;
  changes.vacancy.opened_at = prior.exists && prior.record.opened_at ? prior.record.opened_at : now_unix;
  changes.vacancy.closed_at = closed ? (prior.exists && prior.record.closed_at ? prior.record.closed_at : now_unix) : 0;
  return changes;
}

Ingest::Ingest(store::Store& store, Metrics& metrics, Log& log, Clock now)
    : store_(store), metrics_(metrics), log_(log), now_(std::move(now)) {}

void Ingest::set_tenants(std::shared_ptr<const TenantMap> tenants) { tenants_.store(std::move(tenants)); }

std::shared_ptr<const TenantMap> Ingest::tenants() const { return tenants_.load(); }

void Ingest::handle(std::string_view tenant_name, http::Request&& request, http::Respond respond) {
  const SteadyTime started = std::chrono::steady_clock::now();
  std::shared_ptr<const TenantMap> tenants = tenants_.load();
  const auto found = tenants->find(tenant_name);
  const std::string tenant_label = found == tenants->end() ? "_unknown" : std::string(tenant_name);

  // Answers once, with metrics and one log line. Safe to call from the writer thread.
  auto finish = [this, started, tenant_label, respond](http::Response response, const nlohmann::json& fields) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe_request(tenant_label, response.status, seconds);
    nlohmann::json f = fields;
    f["tenant"] = tenant_label;
    f["status"] = response.status;
    f["latency_ms"] = std::round(seconds * 1e5) / 100;
    log_.write(response.status >= 500 ? LogLevel::kError : response.status >= 400 ? LogLevel::kWarn : LogLevel::kInfo,
               "webhook", f);
    respond(std::move(response));
  };
  auto fail = [&](const Status& s, std::string_view error) {
    http::Response r = http::error_response(s);
    r.body = nlohmann::json{{"error", error}, {"detail", s.message()}}.dump(-1, ' ', false,
                                                                           nlohmann::json::error_handler_t::replace);
    finish(std::move(r), {{"error", error}});
  };

  if (found == tenants->end()) return fail(not_found("no tenant named '" + tenant_label + "'"), "unknown_tenant");
  const TenantRuntime& tenant = found->second;

  if (!is_json_media_type(request.header("Content-Type"))) {
    http::Response r = http::error_response(415, "unsupported_media_type", "send the event as application/json");
    return finish(std::move(r), {{"error", "unsupported_media_type"}});
  }

  const webhook::HeaderLookup headers = [&request](std::string_view name) { return request.header(name); };
  const std::int64_t now = now_();
  if (Status verified = tenant.verifier->verify(headers, request.body, now); !verified.ok()) {
    if (verified.code() == StatusCode::kUnauthenticated) return fail(verified, "bad_signature");
    return fail(verified, "signature_config");
  }

  Result<domain::InboundEvent> parsed = tenant.adapter->parse(domain::InboundRequest{request.body, headers});
  if (!parsed.ok())
    return fail(parsed.status(), parsed.status().code() == StatusCode::kInvalidArgument ? "malformed" : "unmappable");

  // The signed delivery id wins over one in the body: it is what the sender retries with.
  // Without either, the body's fingerprint is the id: events carry whole states, so an
  // identical body is an identical state, and applying it once is exactly right.
  std::string event_id = tenant.verifier->event_id_from_headers(headers).value_or(parsed->id);
  if (event_id.empty()) event_id = "sha256:" + webhook::sha256_hex(request.body);

  if (!parsed->snapshot)
    return fail(failed_precondition("thin events (ids only) need the adapter's API, which is not wired yet"),
                "thin_event");
  const std::string vacancy_id = parsed->vacancy_id;
  // The ad as the policy wants it: answered synchronously to the sender (custom
  // integrations may apply it at once) and, for adapters that can, written back.
  Result<std::optional<policy::AdChange>> ad_change = policy::plan_ad_injection(*tenant.policy, *parsed->snapshot);
  auto change = std::make_shared<std::optional<policy::AdChange>>(ad_change.ok() ? *ad_change : std::nullopt);
  auto snapshot = std::make_shared<domain::Snapshot>(std::move(*parsed->snapshot));
  store::Submission submission;
  submission.tenant = tenant.config.name;
  submission.event_id = event_id;
  submission.vacancy_id = vacancy_id;
  submission.received_at = now;
  const bool write_back = tenant.adapter->writes_ads();
  submission.plan = [policy = tenant.policy, snapshot, now, change, write_back](const store::StoredVacancy& prior) {
    return plan_event(*policy, std::move(*snapshot), prior, now, write_back ? *change : std::nullopt);
  };
  const int success = tenant.config.success_status;
  store_.submit(std::move(submission), [this, finish, success, event_id, vacancy_id, change,
                                        tenant_name = tenant.config.name](Result<store::SubmitResult> result) {
    nlohmann::json fields{{"event_id", event_id}, {"vacancy_id", vacancy_id}};
    if (!result.ok()) {
      const Status& s = result.status();
      fields["error"] = to_string(s.code());
      http::Response r = http::error_response(s);
      if (s.code() == StatusCode::kUnavailable) r.headers.push_back({"Retry-After", "5"});
      return finish(std::move(r), fields);
    }
    if (result->applied == store::Applied::kDuplicate) {
      metrics_.count_duplicate(tenant_name);
      fields["duplicate"] = true;
      return finish(json_response(success, {{"status", "duplicate"}, {"event_id", event_id}}), fields);
    }
    const std::string overall(domain::to_string(result->verdict->overall));
    metrics_.count_verdict(tenant_name, overall);
    fields["verdict"] = overall;
    nlohmann::json body{{"status", "accepted"}, {"event_id", event_id}, {"vacancy_id", vacancy_id}, {"verdict", overall}};
    if (change->has_value()) {
      const policy::AdChange& c = **change;
      body["ad"] = {{"rule", c.rule}, {"language", c.after.language}, {"body", c.after.body}};
      fields["ad_changed"] = true;
    }
    http::Response response;
    response.status = success;
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    finish(std::move(response), fields);
  });
}

}  // namespace mangfold::app
