#include "connector/app/serve.hpp"
#include "connector/common/thread_name.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "connector/app/api.hpp"
#include "connector/app/log.hpp"
#include "connector/app/metrics.hpp"
#include "connector/app/scheduled_reports.hpp"
#include "connector/app/storage.hpp"
#include "connector/app/worker_pool.hpp"
#include "connector/app/writeback.hpp"
#include "connector/ingest/ingest.hpp"
#include "connector/ingest/sync.hpp"
#include "connector/notify/mailer.hpp"
#include "connector/notify/outbox_worker.hpp"
#include "connector/outbound/curl_http_client.hpp"
#include "connector/outbound/request_budget.hpp"
#include "connector/report/report.hpp"
#include "connector/store/sqlite_store.hpp"

#ifndef MANGFOLD_VERSION
#define MANGFOLD_VERSION "0.0.0"
#endif

namespace mangfold::app {

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Descriptors kept for everything but client connections: the database and its WAL, the
// log, the listening socket, epoll and signal plumbing, SMTP and ATS API connections.
constexpr rlim_t kReservedDescriptors = 128;

// The connection cap the descriptors allow. The soft RLIMIT_NOFILE is raised towards the
// hard one; a configured cap above what remains after the reserve is lowered, with a
// warning, so that connections over the cap get a 503 instead of failed accepts.
int connection_cap(int configured, Log& log) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return configured;
  const rlim_t wanted =
      limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : std::min(limit.rlim_max, rlim_t{1} << 20);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = wanted;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY) return configured;
  const rlim_t usable = limit.rlim_cur > 2 * kReservedDescriptors
                            ? limit.rlim_cur - kReservedDescriptors
                            : std::max<rlim_t>(1, limit.rlim_cur / 2);
  if (static_cast<rlim_t>(configured) <= usable) return configured;
  log.warn("listen.max_connections lowered to what the file descriptor limit allows",
           {{"configured", configured},
            {"max_connections", static_cast<int>(usable)},
            {"rlimit_nofile", static_cast<std::uint64_t>(limit.rlim_cur)},
            {"hint", "raise LimitNOFILE (systemd) or ulimit -n"}});
  return static_cast<int>(usable);
}

http::Response json_ok(const nlohmann::json& body, int status = 200) {
  http::Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

// What /readyz reports, refreshed by the maintenance thread so that no request waits on
// storage.
struct Health {
  std::mutex mu;
  bool storage_ok = false;
  std::string storage_error = "not checked yet";
  std::int64_t outbox_pending = 0, outbox_dead = 0;
};

// Periodic work off the io threads: the readiness probe, gauges, dedupe retention. (Vacancies
// are fetched again from ATS APIs by the SyncRunner, connector/ingest/sync.hpp.)
class Maintenance {
 public:
  Maintenance(store::Store& store, Health& health, Log& log, int dedupe_days,
              int vacancy_retention_days, std::function<void()> scheduled = {})
      : store_(store),
        health_(health),
        log_(log),
        retention_seconds_(std::int64_t{dedupe_days} * 86400),
        retention_days_(vacancy_retention_days),
        scheduled_(std::move(scheduled)) {
    thread_ = std::thread([this] {
      name_this_thread("mf-maint");
      loop();
    });
  }
  ~Maintenance() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void loop() {
    auto next_purge = std::chrono::steady_clock::now();
    auto next_retention = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      check();
      if (std::chrono::steady_clock::now() >= next_purge) {
        if (auto purged = store_.purge_events(unix_now() - retention_seconds_);
            purged.ok() && *purged > 0)
          log_.info("dedupe keys purged", {{"count", *purged}});
        next_purge += std::chrono::hours(1);
      }
      if (std::chrono::steady_clock::now() >= next_retention) {
        report::RetentionOptions options;
        options.retention_days = retention_days_;
        Result<store::RetentionResult> r = report::apply_retention(store_, unix_now(), options);
        if (!r.ok()) log_.warn("retention failed", {{"detail", r.status().message()}});
        next_retention = std::chrono::steady_clock::now() + std::chrono::hours(24);
      }
      if (scheduled_) scheduled_();
      lock.lock();
      cv_.wait_for(lock, std::chrono::seconds(5), [this] { return stop_; });
    }
  }

  void check() {
    const Status ping = store_.ping();
    auto pending = store_.outbox_depth("pending");
    auto dead = store_.outbox_depth("dead");
    std::lock_guard lock(health_.mu);
    if (health_.storage_ok && !ping.ok())
      log_.error("storage unavailable", {{"detail", ping.message()}});
    health_.storage_ok = ping.ok();
    health_.storage_error = ping.message();
    if (pending.ok()) health_.outbox_pending = *pending;
    if (dead.ok()) health_.outbox_dead = *dead;
  }

  store::Store& store_;
  Health& health_;
  Log& log_;
  std::int64_t retention_seconds_;
  int retention_days_ = 365;
  std::function<void()> scheduled_;  // the scheduled report emails, checked every tick
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Routing only: each route calls one plain function.
class Routes {
 public:
  Routes(Ingest& ingest, Metrics& metrics, Health& health, ApiContext& api)
      : ingest_(ingest), metrics_(metrics), health_(health), api_(api) {}

  void handle(http::Request&& request, http::Respond respond) {
    std::string_view path = request.target;
    path = path.substr(0, path.find('?'));
    if (path.rfind("/hooks/", 0) == 0) {
      if (request.method != "POST") return respond(method_not_allowed("POST"));
      const std::string tenant(path.substr(7));
      return ingest_.handle(tenant, std::move(request), std::move(respond));
    }
    if (path.rfind("/v1/tenants/", 0) == 0)
      return handle_api(api_, path, request, std::move(respond));
    const bool get = request.method == "GET" || request.method == "HEAD";
    if (path == "/healthz")
      return respond(get ? json_ok({{"status", "ok"}}) : method_not_allowed("GET"));
    if (path == "/readyz") return respond(get ? readiness() : method_not_allowed("GET"));
    if (path == "/metrics") {
      if (!get) return respond(method_not_allowed("GET"));
      http::Response r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = metrics_.render();
      return respond(std::move(r));
    }
    respond(http::error_response(404, "not_found", "no such endpoint: see docs/ats-setup.md"));
  }

  std::size_t body_limit_for(std::string_view target) const {
    if (target.rfind("/hooks/", 0) == 0) {
      std::string_view tenant = target.substr(7);
      tenant = tenant.substr(0, tenant.find('?'));
      auto tenants = ingest_.tenants();
      if (auto it = tenants->find(tenant); it != tenants->end())
        return it->second.config.body_limit;
      return 1024 * 1024;
    }
    return 64 * 1024;
  }

 private:
  static http::Response method_not_allowed(const char* allow) {
    http::Response r = http::error_response(405, "method_not_allowed", std::string("use ") + allow);
    r.headers.push_back({"Allow", allow});
    return r;
  }

  http::Response readiness() {
    std::lock_guard lock(health_.mu);
    const bool ready = health_.storage_ok && ingest_.tenants() && !ingest_.tenants()->empty();
    nlohmann::json body{{"status", ready ? "ready" : "not_ready"},
                        {"storage", health_.storage_ok ? "ok" : health_.storage_error},
                        {"tenants", ingest_.tenants() ? ingest_.tenants()->size() : 0}};
    return json_ok(body, ready ? 200 : 503);
  }

  Ingest& ingest_;
  Metrics& metrics_;
  Health& health_;
  ApiContext& api_;
};

Result<std::unique_ptr<notify::Mailer>> make_mailer(const config::ServiceConfig& cfg) {
  if (cfg.smtp_url.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(cfg.mail_spool_dir, ec);
    if (ec) return unavailable("cannot create " + cfg.mail_spool_dir + ": " + ec.message());
    return std::unique_ptr<notify::Mailer>(
        std::make_unique<notify::SpoolMailer>(cfg.mail_spool_dir));
  }
  notify::SmtpOptions options;
  options.url = cfg.smtp_url;
  options.ca_file = cfg.smtp_ca_file;
  options.starttls = cfg.smtp_tls != "none";
  options.require_starttls = cfg.smtp_require_starttls;
  options.allow_plain_auth = cfg.smtp_allow_plain_auth;
  if (cfg.smtp_username) {
    Result<std::string> user = config::resolve_secret(*cfg.smtp_username);
    if (!user.ok()) return user.status();
    options.username = *user;
  }
  if (cfg.smtp_password) {
    Result<std::string> password = config::resolve_secret(*cfg.smtp_password);
    if (!password.ok()) return password.status();
    options.password = *password;
  }
  if (Status valid = notify::SmtpMailer::validate(options); !valid.ok()) return valid;
  return std::unique_ptr<notify::Mailer>(std::make_unique<notify::SmtpMailer>(std::move(options)));
}

// Jitter for retry backoff; not security-relevant.
std::function<double()> uniform_random() {
  auto state = std::make_shared<std::pair<std::mutex, std::mt19937_64>>();
  state->second.seed(std::random_device{}());
  return [state] {
    std::lock_guard lock(state->first);
    return std::uniform_real_distribution<double>(0.0, 1.0)(state->second);
  };
}

http::TlsOptions tls_options_of(const config::ServiceConfig& cfg) {
  return http::TlsOptions{
      cfg.tls_certificate, cfg.tls_private_key,
      cfg.tls_profile == "modern" ? http::TlsProfile::kModern : http::TlsProfile::kIntermediate};
}

// Per tenant: ATS requests, errors by kind, and sync lag (connector/ingest/sync.hpp).
void add_sync_metrics(Metrics& metrics, outbound::RequestBudgets& budgets, SyncRunner& sync) {
  using Samples = Metrics::Samples;
  auto label = [](const std::string& tenant) { return "tenant=\"" + tenant + "\""; };
  metrics.add_family("mangfold_ats_requests_total",
                     "Requests sent to the tenant's ATS API (through its budget).", "counter",
                     [&budgets, label] {
                       Samples out;
                       for (const auto& [name, b] : budgets.all())
                         out.emplace_back(label(name), b->counters().requests.load());
                       return out;
                     });
  metrics.add_family(
      "mangfold_ats_errors_total",
      "ATS API requests that failed, by kind: 429 (rate limited), 5xx, transport (no answer), "
      "budget (not sent: the budget's wait was too long).",
      "counter", [&budgets, label] {
        Samples out;
        for (const auto& [name, b] : budgets.all()) {
          const outbound::BudgetCounters& c = b->counters();
          out.emplace_back(label(name) + ",kind=\"429\"", c.rate_limited.load());
          out.emplace_back(label(name) + ",kind=\"5xx\"", c.server_errors.load());
          out.emplace_back(label(name) + ",kind=\"transport\"", c.transport_errors.load());
          out.emplace_back(label(name) + ",kind=\"budget\"", c.refused.load());
        }
        return out;
      });
  metrics.add_family("mangfold_sync_lag_seconds",
                     "How long the oldest due but not yet fetched vacancy has been due: how old "
                     "an unsynced change in the ATS can be.",
                     "gauge", [&sync, label] {
                       Samples out;
                       for (const auto& t : sync.stats())
                         out.emplace_back(label(t.tenant), t.lag_seconds);
                       return out;
                     });
  metrics.add_family("mangfold_sync_followed_vacancies", "Vacancies followed through the ATS API.",
                     "gauge", [&sync, label] {
                       Samples out;
                       for (const auto& t : sync.stats())
                         out.emplace_back(label(t.tenant), static_cast<double>(t.followed));
                       return out;
                     });
  metrics.add_family(
      "mangfold_sync_fetches_total", "Scheduled vacancy fetches, by result (ok, failed).",
      "counter", [&sync, label] {
        Samples out;
        for (const auto& t : sync.stats()) {
          out.emplace_back(label(t.tenant) + ",result=\"ok\"", static_cast<double>(t.fetched));
          out.emplace_back(label(t.tenant) + ",result=\"failed\"", static_cast<double>(t.failed));
        }
        return out;
      });
}

void print_diagnostics(const std::vector<config::Diagnostic>& diagnostics) {
  for (const config::Diagnostic& d : diagnostics)
    std::cerr << d.to_string() << "\n";
}

}  // namespace

int run_serve(const std::string& config_path) {
  config::ServiceConfigLoad loaded = config::load_service_config(config_path);
  // A config that cannot be used is a configuration error (2); failing at run time is 1.
  constexpr int kExitConfig = 2;
  if (!loaded.config) {
    print_diagnostics(loaded.diagnostics);
    return kExitConfig;
  }
  const config::ServiceConfig& cfg = *loaded.config;
  // One HTTP client for every ATS API call in the process (connection reuse).
  std::shared_ptr<HttpClient> http_client = make_ats_http_client(cfg);
  // Each tenant's ATS requests go through its own budget, kept across reloads.
  outbound::RequestBudgets budgets;
  TenantsLoad tenants = build_tenants(cfg, http_client, config::read_file, &budgets);
  if (!tenants.tenants) {
    print_diagnostics(tenants.diagnostics);
    return kExitConfig;
  }
  std::shared_ptr<Log> log = Log::to_stderr(cfg.log_level);

  // Signals go to one thread that waits for them; every other thread has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP})
    sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::error_code ec;
  if (auto dir = std::filesystem::path(cfg.sqlite_path).parent_path(); !dir.empty())
    std::filesystem::create_directories(dir, ec);
  PseudonymMap keys;
  for (const auto& [name, tenant] : *tenants.tenants)
    keys.emplace(name, tenant.pseudonyms);
  // A store that can no longer promise durability (SQLite: a failed fdatasync) stops the
  // process with exit status 1, so that systemd (Restart=on-failure) starts it again and
  // SQLite recovers from what the disk really holds (docs/deploying.md).
  std::atomic<bool> storage_failed{false};
  auto on_storage_failure = [&storage_failed, log](const Status& why) {
    log->error("storage failed; stopping so that a restart recovers", {{"detail", why.message()}});
    storage_failed = true;
    ::kill(::getpid(), SIGTERM);  // to the signal thread, as an operator's stop would
  };
  Result<std::unique_ptr<store::Store>> opened =
      open_storage(cfg, std::move(keys), on_storage_failure);
  if (!opened.ok()) {
    log->error("cannot open storage",
               {{"path", describe_storage(cfg)}, {"detail", opened.status().message()}});
    return 1;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);

  // SIGHUP outcomes, for alerting on a renewal that did not take.
  std::atomic<std::uint64_t> tls_reloads{0}, tls_reload_failures{0};
  Metrics metrics;
  metrics.set_build_info(MANGFOLD_VERSION);
  metrics.add_gauge("process_resident_memory_bytes", "Resident memory of the process.",
                    [] { return read_process_stats().resident_bytes; });
  metrics.add_gauge("process_open_fds", "File descriptors open in the process.",
                    [] { return read_process_stats().open_fds; });
  metrics.add_gauge("process_max_fds", "The process's limit on open file descriptors.",
                    [] { return read_process_stats().max_fds; });
  std::atomic<std::uint64_t> reloads{0}, reload_failures{0};
  metrics.add_counter("mangfold_reloads_total", "Reloads (SIGHUP) that swapped in new tenants.",
                      [&reloads] { return static_cast<double>(reloads.load()); });
  metrics.add_counter("mangfold_reload_failures_total",
                      "Reloads refused because the config or a policy had problems.",
                      [&reload_failures] { return static_cast<double>(reload_failures.load()); });
  metrics.add_counter("mangfold_tls_reloads_total",
                      "SIGHUP reloads of the TLS certificate and key that took effect.",
                      [&tls_reloads] { return static_cast<double>(tls_reloads.load()); });
  metrics.add_counter(
      "mangfold_tls_reload_failures_total",
      "SIGHUP reloads of the TLS certificate and key that failed (the previous pair was kept).",
      [&tls_reload_failures] { return static_cast<double>(tls_reload_failures.load()); });
  Health health;
  // Fetches from ATS APIs (thin events, reconcile) block, so they run here, not on io threads.
  auto fetchers = std::make_unique<WorkerPool>(4, 1000, "mf-fetch");
  // Parsing bodies and reading ads is CPU work: as many workers as io threads, off them.
  auto workers = std::make_unique<WorkerPool>(std::max(2, cfg.threads), 1000);
  Ingest ingest(*store, metrics, *log, unix_now, *fetchers, *workers);
  metrics.add_counter("mangfold_ad_memo_hits_total",
                      "Ad readings answered from the ad memo (an ad seen before).",
                      [&ingest] { return static_cast<double>(ingest.ad_memo_stats().hits); });
  metrics.add_counter("mangfold_ad_memo_misses_total",
                      "Ad readings not in the ad memo, worked out and then remembered.",
                      [&ingest] { return static_cast<double>(ingest.ad_memo_stats().misses); });
  metrics.add_gauge("mangfold_ad_memo_bytes", "Bytes held by the ad memo (capped).",
                    [&ingest] { return static_cast<double>(ingest.ad_memo_stats().bytes); });
  ingest.set_tenants(tenants.tenants);
  ApiContext api{*store, ingest, *fetchers, unix_now, cfg.suppression_threshold};
  Routes routes(ingest, metrics, health, api);
  // Group commit at work: submissions per commit is the batch the disk's fsync is shared by.
  metrics.add_counter("mangfold_store_commits_total", "Transactions committed by the writer.",
                      [&store] { return static_cast<double>(store->stats().commits); });
  metrics.add_counter("mangfold_store_submissions_total",
                      "Events (and other writes) completed by the writer, any outcome.",
                      [&store] { return static_cast<double>(store->stats().submissions); });
  metrics.add_gauge("mangfold_store_largest_batch", "Most submissions in one transaction so far.",
                    [&store] { return static_cast<double>(store->stats().largest_batch); });
  metrics.add_gauge("mangfold_store_queue", "Submissions waiting for the writer.",
                    [&store] { return static_cast<double>(store->stats().queued); });
  if (!cfg.postgres) {
    metrics.add_counter("mangfold_store_syncs_total",
                        "fdatasyncs of the SQLite log; each makes every commit before it durable.",
                        [&store] { return static_cast<double>(store->stats().syncs); });
    metrics.add_counter("mangfold_store_sync_seconds_total",
                        "Seconds spent in them (divided by the syncs: the disk's sync latency).",
                        [&store] { return store->stats().sync_seconds; });
  }
  metrics.add_gauge("mangfold_outbox_pending", "Outbox rows waiting to be delivered.", [&health] {
    std::lock_guard lock(health.mu);
    return static_cast<double>(health.outbox_pending);
  });
  metrics.add_gauge("mangfold_outbox_dead", "Outbox rows given up on (dead letters).", [&health] {
    std::lock_guard lock(health.mu);
    return static_cast<double>(health.outbox_dead);
  });

  http::ServerOptions options;
  options.address = cfg.address;
  options.port = cfg.port;
  options.threads = cfg.threads;
  options.header_timeout = std::chrono::seconds(cfg.header_timeout_seconds);
  options.body_timeout = std::chrono::seconds(cfg.body_timeout_seconds);
  options.idle_timeout = std::chrono::seconds(cfg.idle_timeout_seconds);
  options.max_connections = static_cast<std::size_t>(connection_cap(cfg.max_connections, *log));
  options.body_limit_for = [&routes](std::string_view target) {
    return routes.body_limit_for(target);
  };
  options.on_error = [log](std::string_view message) { log->warn("http", {{"detail", message}}); };
  if (!cfg.tls_certificate.empty()) options.tls = tls_options_of(cfg);
  Result<std::unique_ptr<http::Server>> created =
      http::Server::create(options, [&routes](http::Request&& request, http::Respond respond) {
        routes.handle(std::move(request), respond);
      });
  if (!created.ok()) {
    log->error(
        "cannot listen",
        {{"address", cfg.address}, {"port", cfg.port}, {"detail", created.status().message()}});
    return 1;
  }
  std::unique_ptr<http::Server> server = std::move(*created);
  metrics.add_gauge("mangfold_http_open_connections", "Client connections open now.",
                    [s = server.get()] { return static_cast<double>(s->active_connections()); });
  // Mail: SMTP when configured, else .eml files in the spool folder (the first-run default).
  Result<std::unique_ptr<notify::Mailer>> mailer = make_mailer(cfg);
  if (!mailer.ok()) {
    log->error("cannot set up mail", {{"detail", mailer.status().message()}});
    return 1;
  }
  Result<notify::Address> from = notify::parse_address(cfg.mail_from);
  if (!from.ok()) {
    log->error("mail.from is not an address", {{"detail", from.status().message()}});
    return kExitConfig;
  }
  notify::WorkerOptions mail_options;
  mail_options.from = *from;
  auto mail_worker = std::make_unique<notify::OutboxWorker>(
      *store, **mailer, mail_options, unix_now, uniform_random(),
      [&ingest](std::string_view tenant) -> std::shared_ptr<const notify::Templates> {
        auto current = ingest.tenants();
        auto it = current->find(tenant);
        return it == current->end() ? nullptr : it->second.email_templates;
      },
      [log](const notify::DeliveryEvent& e) {
        nlohmann::json fields{{"event", notify::to_string(e.kind)},
                              {"tenant", e.tenant},
                              {"vacancy_id", e.vacancy_id},
                              {"template", e.template_name},
                              {"key", e.key},
                              {"attempts", e.attempts}};
        if (!e.error.empty()) fields["detail"] = e.error;
        using Kind = notify::DeliveryEvent::Kind;
        log->write(e.kind == Kind::kDead                                     ? LogLevel::kError
                   : e.kind == Kind::kRetried || e.kind == Kind::kStoreError ? LogLevel::kWarn
                                                                             : LogLevel::kInfo,
                   "email", fields);
      });
  notify::OutboxWorker& worker = *mail_worker;
  metrics.add_counter("mangfold_emails_sent_total",
                      "Emails accepted by the mail server (or spooled).",
                      [&worker] { return static_cast<double>(worker.counters().sent); });
  metrics.add_counter("mangfold_emails_retried_total", "Temporary mail failures, retried later.",
                      [&worker] { return static_cast<double>(worker.counters().retried); });
  metrics.add_counter("mangfold_emails_dead_total",
                      "Emails given up on (permanent failure or too many attempts).",
                      [&worker] { return static_cast<double>(worker.counters().dead); });
  metrics.add_counter("mangfold_digest_notices_total",
                      "Notifications delivered inside daily digests (each digest is one email).",
                      [&worker] { return static_cast<double>(worker.counters().digested); });
  mail_worker->start();

  // Ads with the sentence inserted, written back through adapters that can.
  auto writeback = std::make_unique<WritebackWorker>(
      *store, [&ingest] { return ingest.tenants(); }, unix_now, uniform_random(), log.get());
  WritebackWorker& wb = *writeback;
  metrics.add_counter("mangfold_ad_writebacks_total",
                      "Ads written back to the ATS with the sentence inserted.",
                      [&wb] { return static_cast<double>(wb.written()); });
  metrics.add_counter("mangfold_ad_writebacks_dead_total", "Ad write-backs given up on.",
                      [&wb] { return static_cast<double>(wb.dead()); });
  writeback->start();

  // The scheduled report emails' clock. MANGFOLD_TEST_NOW (unix seconds) shifts it, and
  // only it, for tests (docs/configuration.md); never set it in production.
  std::function<std::int64_t()> report_clock = unix_now;
  if (const char* shifted = std::getenv("MANGFOLD_TEST_NOW"); shifted && *shifted) {
    const std::int64_t offset = std::strtoll(shifted, nullptr, 10) - unix_now();
    report_clock = [offset] { return unix_now() + offset; };
    log->warn("MANGFOLD_TEST_NOW is set: scheduled reports use a shifted clock (tests only)",
              {{"now", report_clock()}});
  }
  ScheduledReports scheduled_reports(
      *store, [&ingest] { return ingest.tenants(); }, cfg.suppression_threshold, report_clock, *log,
      [&worker] { worker.wake(); });
  auto maintenance = std::make_unique<Maintenance>(
      *store, health, *log, cfg.dedupe_retention_days, cfg.retention_days,
      [&scheduled_reports] { scheduled_reports.run_once(); });
  // Sync mode: every tenant whose adapter can fetch is followed on its schedule.
  auto sync = std::make_unique<SyncRunner>(ingest, *store, *log, *fetchers, [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  });
  ingest.set_sync(sync.get());
  sync->start();
  add_sync_metrics(metrics, budgets, *sync);

  nlohmann::json names = nlohmann::json::array();
  for (const auto& [name, t] : *tenants.tenants)
    names.push_back(name);
  log->info("listening", {{"address", cfg.address},
                          {"port", server->port()},
                          {"tls", options.tls.has_value()},
                          {"tls_profile", options.tls ? cfg.tls_profile : "none"},
                          {"tenants", names},
                          {"database", cfg.sqlite_path}});
  log->flush();

  // Certificates renewed in place (ACME) are read again on SIGHUP, from the paths in the freshly
  // loaded config when it loads, else from the running ones. TLS cannot be switched on or off
  // without a restart: the listener is one or the other.
  std::optional<http::TlsOptions> running_tls = options.tls;
  auto reload_tls = [&](const config::ServiceConfig* fresh) {
    if (!running_tls) {
      if (fresh && !fresh->tls_certificate.empty())
        log->warn("tls was added to the configuration; it takes effect after a restart", {});
      return;
    }
    http::TlsOptions next = *running_tls;
    if (fresh && !fresh->tls_certificate.empty()) {
      next = tls_options_of(*fresh);
    } else if (fresh) {
      log->warn("tls was removed from the configuration; it takes effect after a restart", {});
    }
    if (Status s = server->reload_tls(next); !s.ok()) {
      tls_reload_failures.fetch_add(1);
      log->error("tls reload failed; keeping the previous certificate", {{"detail", s.message()}});
      return;
    }
    running_tls = next;
    tls_reloads.fetch_add(1);
    log->info("tls reloaded",
              {{"certificate", next.certificate_file},
               {"profile", next.profile == http::TlsProfile::kModern ? "modern" : "intermediate"}});
  };

  std::thread signal_thread([&] {
    name_this_thread("mf-signals");
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        config::ServiceConfigLoad again = config::load_service_config(config_path);
        reload_tls(again.config ? &*again.config : nullptr);
        TenantsLoad fresh =
            again.config ? build_tenants(*again.config, http_client, config::read_file, &budgets)
                         : TenantsLoad{nullptr, again.diagnostics};
        if (!fresh.tenants) {
          nlohmann::json problems = nlohmann::json::array();
          for (const auto& d : fresh.diagnostics)
            problems.push_back(d.to_string());
          log->error("reload failed; keeping the running configuration", {{"problems", problems}});
          ++reload_failures;
          continue;
        }
        ingest.set_tenants(fresh.tenants);
        ++reloads;
        log->info("reloaded", {{"tenants", fresh.tenants->size()}});
        continue;
      }
      if (storage_failed)
        log->error("stopping", {{"signal", "SIGTERM"}, {"reason", "storage failed"}});
      else
        log->info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      server->stop(std::chrono::seconds(10));
      return;
    }
  });
  server->run();
  signal_thread.join();
  maintenance.reset();
  sync->stop();
  mail_worker->stop();
  writeback->stop();
  workers->shutdown();   // parses what is queued; may hand thin events to the fetchers
  fetchers->shutdown();  // runs the fetches already queued; their answers find no client
  // Completes every queued submission. The pools stay alive, refusing tasks, until the
  // function returns: a completion then makes its answer on the store's writer.
  store->close();
  ingest.set_sync(nullptr);
  sync.reset();  // after the fetches and submissions that report to it
  const store::StoreStats stats = store->stats();
  log->info("stopped", {{"commits", stats.commits},
                        {"submissions", stats.submissions},
                        {"largest_batch", stats.largest_batch}});
  return storage_failed ? 1 : 0;
}

}  // namespace mangfold::app
