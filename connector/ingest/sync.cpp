#include "connector/ingest/sync.hpp"
#include "connector/common/thread_name.hpp"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "connector/app/log.hpp"
#include "connector/app/tenants.hpp"
#include "connector/app/worker_pool.hpp"
#include "connector/domain/date.hpp"
#include "connector/ingest/ingest.hpp"
#include "connector/outbound/request_budget.hpp"
#include "connector/store/store.hpp"

namespace mangfold::app {

namespace {

constexpr std::int64_t kMaxSleepMs = 1000;  // the loop looks again at least this often

ingest::Schedule::Options schedule_options(const config::ScheduleConfig& c) {
  ingest::Schedule::Options o;
  o.interval_ms = std::int64_t{c.visit_interval_seconds} * 1000;
  o.hook_delay_ms = std::int64_t{c.hook_coalesce_seconds} * 1000;
  o.retry_min_ms = 1000;
  return o;
}

// Whether a vacancy whose deadline is `deadline` is still followed on `today`.
bool within_follow_window(const std::optional<domain::Date>& deadline, domain::Date today,
                          int follow_days) {
  if (!deadline || follow_days <= 0) return true;
  return today.days_since_epoch() <= deadline->days_since_epoch() + follow_days;
}

domain::Date today_of(std::int64_t now_ms) {
  return domain::Date::from_days_since_epoch(static_cast<long>(now_ms / 1000 / 86400));
}

}  // namespace

struct SyncRunner::State {
  explicit State(const std::string& tenant) : schedule(tenant, {}) {}
  ingest::Schedule schedule;
  std::int64_t next_refresh = 0;   // store's open vacancies read again
  std::int64_t next_discover = 0;  // the adapter's discover()
  bool discovering = false;
  std::optional<std::set<std::string, std::less<>>> last_discovered;
  int fetching = 0;
  std::uint64_t fetched = 0, failed = 0;
  // Found closed (or gone): discovery does not follow them again (a hook still does).
  std::set<std::string, std::less<>> closed;
};

SyncRunner::SyncRunner(Ingest& ingest, store::Store& store, Log& log, WorkerPool& fetchers,
                       ClockMs now_ms)
    : ingest_(ingest), store_(store), log_(log), fetchers_(fetchers), now_(std::move(now_ms)) {}

SyncRunner::~SyncRunner() {
  stop();
}

void SyncRunner::start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] {
    name_this_thread("mf-sync");
    loop();
  });
}

void SyncRunner::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

SyncRunner::State& SyncRunner::state_of(const std::string& tenant) {
  std::shared_ptr<State>& s = states_[tenant];
  if (!s) s = std::make_shared<State>(tenant);
  return *s;
}

bool SyncRunner::hook(std::string_view tenant, const std::vector<std::string>& vacancy_ids) {
  std::shared_ptr<const TenantMap> tenants = ingest_.tenants();
  auto t = tenants->find(tenant);
  if (t == tenants->end() || !t->second.adapter || !t->second.adapter->fetches()) return false;
  const std::int64_t now = now_();
  {
    std::lock_guard lock(mu_);
    State& s = state_of(std::string(tenant));
    s.schedule.set_options(schedule_options(t->second.config.schedule));
    for (const std::string& id : vacancy_ids) {
      s.closed.erase(id);
      s.schedule.hook(id, now);
    }
    poked_ = true;
  }
  cv_.notify_all();
  return true;
}

std::vector<SyncRunner::TenantStats> SyncRunner::stats() const {
  const std::int64_t now = now_();
  std::lock_guard lock(mu_);
  std::vector<TenantStats> out;
  for (const auto& [name, s] : states_)
    out.push_back(TenantStats{name, static_cast<double>(s->schedule.lag_ms(now)) / 1000.0,
                              s->schedule.size(), s->fetched, s->failed});
  return out;
}

void SyncRunner::loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    const std::int64_t now = now_();
    std::int64_t wake = now + kMaxSleepMs;
    try {
      wake = std::min(wake, tick(now));
    } catch (const std::exception& e) {
      log_.warn("sync: pass failed", {{"detail", e.what()}});
    }
    lock.lock();
    const std::int64_t sleep = std::max<std::int64_t>(1, wake - now_());
    cv_.wait_for(lock, std::chrono::milliseconds(sleep), [this] { return stop_ || poked_; });
    poked_ = false;
  }
}

std::int64_t SyncRunner::tick(std::int64_t now) {
  std::shared_ptr<const TenantMap> tenants = ingest_.tenants();
  std::int64_t wake = now + kMaxSleepMs;
  for (const auto& [name, tenant] : *tenants) {
    if (!tenant.adapter || !tenant.adapter->fetches()) continue;
    const config::ScheduleConfig& cfg = tenant.config.schedule;
    const std::int64_t discover_every = std::int64_t{cfg.discover_interval_seconds} * 1000;

    // The store's open vacancies: read here (a blocking read, on this thread, not an io one).
    bool refresh = false;
    {
      std::lock_guard lock(mu_);
      State& s = state_of(name);
      s.schedule.set_options(schedule_options(cfg));
      refresh = now >= s.next_refresh;
      // Vacancies that webhooks add are picked up within a minute (or an interval, if shorter).
      std::int64_t refresh_every = std::min<std::int64_t>(discover_every, 60'000);
      if (cfg.visit_interval_seconds > 0)
        refresh_every = std::min<std::int64_t>(refresh_every, cfg.visit_interval_seconds * 1000LL);
      if (refresh) s.next_refresh = now + refresh_every;
    }
    if (refresh) {
      Result<std::vector<store::VacancyRecord>> open = store_.list_vacancies(name, true);
      if (!open.ok()) {
        log_.warn("sync: cannot list the stored vacancies",
                  {{"tenant", name}, {"detail", open.status().message()}});
      } else {
        const domain::Date today = today_of(now);
        std::lock_guard lock(mu_);
        State& s = state_of(name);
        for (const store::VacancyRecord& v : *open)
          if (!s.closed.count(v.vacancy_id) &&
              within_follow_window(domain::Date::parse(v.deadline), today,
                                   cfg.follow_days_after_deadline))
            s.schedule.follow_known(v.vacancy_id, v.updated_at * 1000);
      }
    }

    std::lock_guard lock(mu_);
    std::shared_ptr<State> state = states_[name];
    State& s = *state;
    // Discovery on its own period, on the fetcher pool.
    if (tenant.adapter->discovers() && !s.discovering && now >= s.next_discover) {
      s.discovering = true;
      s.next_discover = now + discover_every;
      auto job = [this, tenants, &tenant, state, name] {
        Result<domain::Discovery> found = tenant.adapter->discover();
        const std::int64_t at = now_();
        {
          std::lock_guard guard(mu_);
          state->discovering = false;
          if (found.ok()) {
            std::set<std::string, std::less<>> ids(found->vacancies.begin(),
                                                   found->vacancies.end());
            const std::set<std::string, std::less<>> urgent(found->due_now.begin(),
                                                            found->due_now.end());
            for (const std::string& id : found->vacancies)
              // New to us, new in this result, or named due by the adapter (e.g. a hire just
              // reported): due now.
              if (!state->closed.count(id) &&
                  (!state->schedule.follows(id) || urgent.count(id) ||
                   (state->last_discovered && !state->last_discovered->count(id))))
                state->schedule.follow_new(id, at);
            state->last_discovered = std::move(ids);
          }
          poked_ = true;
        }
        if (!found.ok())
          log_.warn("sync: cannot list the published vacancies",
                    {{"tenant", name}, {"detail", found.status().message()}});
        else
          for (const std::string& problem : found->problems)
            log_.warn("sync: part of discovery failed", {{"tenant", name}, {"detail", problem}});
        cv_.notify_all();
      };
      if (!fetchers_.post(std::move(job))) s.discovering = false;
    }
    if (tenant.adapter->discovers()) wake = std::min(wake, s.next_discover);

    // One fetch at a time per tenant, when the budget has room.
    if (s.fetching == 0) {
      const std::int64_t ready = tenant.budget ? tenant.budget->ready_at() : now;
      if (ready > now) {
        wake = std::min(wake, ready);
      } else if (std::optional<std::string> id = s.schedule.take_due(now)) {
        ++s.fetching;
        const int follow_days = cfg.follow_days_after_deadline;
        auto job = [this, tenants, &tenant, state, name, id = *id, follow_days] {
          // Reports the end of one fetch; `keep` false: no longer followed.
          auto finish = [this, state, id](bool ok, bool keep) {
            {
              std::lock_guard guard(mu_);
              --state->fetching;
              ok ? ++state->fetched : ++state->failed;
              if (keep) {
                state->schedule.done(id, now_(), ok);
              } else {
                state->schedule.unfollow(id);
                if (state->closed.size() < 100'000) state->closed.insert(id);
              }
              poked_ = true;
            }
            cv_.notify_all();
          };
          Result<domain::Snapshot> snapshot = tenant.adapter->fetch_snapshot(id);
          if (!snapshot.ok()) {
            const bool gone = snapshot.status().code() == StatusCode::kNotFound;
            log_.warn(
                gone ? "sync: vacancy not found; no longer followed" : "sync: fetch failed",
                {{"tenant", name}, {"vacancy_id", id}, {"detail", snapshot.status().message()}});
            return finish(false, !gone);
          }
          const std::int64_t at = now_();
          const bool keep =
              snapshot->vacancy.status != domain::VacancyStatus::kClosed &&
              within_follow_window(snapshot->vacancy.deadline, today_of(at), follow_days);
          ingest_.apply(
              tenants, tenant, "sync:" + id + ":" + std::to_string(at), std::move(*snapshot),
              at / 1000,
              [this, finish, name, id, keep](Result<Ingest::Outcome> outcome) {
                nlohmann::json fields{{"tenant", name}, {"vacancy_id", id}};
                if (outcome.ok() && outcome->verdict)
                  fields["verdict"] = domain::to_string(outcome->verdict->overall);
                else if (outcome.ok())
                  fields["unchanged"] = true;
                else
                  fields["detail"] = outcome.status().message();
                if (!keep) fields["followed"] = false;
                log_.write(outcome.ok() ? LogLevel::kInfo : LogLevel::kWarn, "synced", fields);
                // Storage down: keep it due, as for an API failure.
                finish(outcome.ok(), outcome.ok() ? keep : true);
              },
              UnchangedVerdict::kSkip);
        };
        if (!fetchers_.post(std::move(job))) {
          --s.fetching;
          s.schedule.done(*id, now, false);
        }
      }
      // While a fetch runs, its end wakes the loop (notify); else the next due time does.
      if (s.fetching == 0)
        if (std::optional<std::int64_t> due = s.schedule.next_due()) wake = std::min(wake, *due);
    }
  }
  return wake;
}

}  // namespace mangfold::app
