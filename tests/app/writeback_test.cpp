// The ad write-back worker against a real SQLite store and a recording adapter.
#include <doctest/doctest.h>

#include <future>
#include <mutex>

#include "connector/app/writeback.hpp"
#include "connector/store/sqlite_store.hpp"
#include "tests/support/process.hpp"

using namespace mangfold;

namespace {

class RecordingAdapter final : public domain::Adapter {
 public:
  std::string_view name() const override { return "recording"; }
  Result<domain::InboundEvent> parse(const domain::InboundRequest&) const override {
    return unprocessable("not used");
  }
  bool writes_ads() const override { return true; }
  Status write_ad(std::string_view vacancy_id, const domain::JobAd& ad,
                  std::string_view request_id) const override {
    std::lock_guard lock(mu);
    calls.push_back({std::string(vacancy_id), ad.body, std::string(request_id)});
    return next;
  }
  struct Call {
    std::string vacancy, body, request_id;
  };
  mutable std::mutex mu;
  mutable std::vector<Call> calls;
  Status next;  // what write_ad answers
};

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<store::Store> store;
  std::shared_ptr<RecordingAdapter> adapter = std::make_shared<RecordingAdapter>();
  std::shared_ptr<app::TenantMap> tenants = std::make_shared<app::TenantMap>();
  std::int64_t now = 1'800'000'000;

  Fixture() {
    store::SqliteOptions options;
    options.path = dir.path() + "/db.sqlite";
    store = store::open_sqlite_store(options).value();
    app::TenantRuntime t;
    t.config.name = "oslo";
    t.adapter = adapter;
    tenants->emplace("oslo", std::move(t));
    // Queue one write-back the way the ingest plan does.
    std::promise<Result<store::SubmitResult>> done;
    store::Submission s{
        "oslo", "evt-1", "v-1", now, [](const store::StoredVacancy&) -> Result<store::Changes> {
          store::Changes c;
          c.vacancy.title = "Rådgiver";
          store::OutboxItem item;
          item.kind = "ad_writeback";
          item.idempotency_key = "ad:v-1:abc";
          item.vacancy_id = "v-1";
          item.payload =
              R"({"vacancy_id":"v-1","language":"nb","format":"html","body":"<p>Ny</p>"})";
          c.outbox.push_back(item);
          return c;
        }};
    store->submit(std::move(s),
                  [&done](Result<store::SubmitResult> r) { done.set_value(std::move(r)); });
    REQUIRE(done.get_future().get().ok());
  }
  app::WritebackWorker worker() {
    return app::WritebackWorker(
        *store, [this] { return std::shared_ptr<const app::TenantMap>(tenants); },
        [this] { return now; }, [] { return 0.5; });
  }
};

}  // namespace

TEST_CASE("a queued ad is written once, with its idempotency key as the request id") {
  Fixture f;
  auto w = f.worker();
  CHECK(*w.run_once(f.now) == 1);
  REQUIRE(f.adapter->calls.size() == 1);
  CHECK(f.adapter->calls[0].vacancy == "v-1");
  CHECK(f.adapter->calls[0].body == "<p>Ny</p>");
  CHECK(f.adapter->calls[0].request_id == "ad:v-1:abc");
  CHECK(*w.run_once(f.now + 3600) == 0);
  CHECK(f.adapter->calls.size() == 1);
  CHECK(*f.store->outbox_depth("done") == 1);
  CHECK(w.written() == 1);
}

TEST_CASE("a temporary failure is retried later, a permanent one is a dead letter") {
  Fixture f;
  auto w = f.worker();
  f.adapter->next = unavailable("ATS down");
  CHECK(*w.run_once(f.now) == 1);
  CHECK(*f.store->outbox_depth("pending") == 1);
  CHECK(*w.run_once(f.now + 1) == 0);  // not due yet: backoff
  CHECK(w.retried() == 1);

  f.adapter->next = failed_precondition("the ATS refuses the change");
  CHECK(*w.run_once(f.now + 24 * 3600) == 1);
  CHECK(*f.store->outbox_depth("dead") == 1);
  CHECK(w.dead() == 1);
  CHECK(f.adapter->calls.size() == 2);
}
