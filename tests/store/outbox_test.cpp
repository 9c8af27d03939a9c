// The outbox: rows written with an event, deduped by idempotency key, claimed with a
// lease, retried, dead-lettered and counted.
#include <doctest/doctest.h>

#include "store_test_support.hpp"

namespace mangfold::store {
namespace {

using namespace testing;

OutboxItem item(std::string kind, std::string key, std::int64_t not_before = 0) {
  OutboxItem o;
  o.kind = std::move(kind);
  o.idempotency_key = std::move(key);
  o.payload = R"({"template":"shortfall","to":"kari@example.org"})";
  o.not_before = not_before;
  return o;
}

Plan with_outbox(std::vector<OutboxItem> items) {
  return [items](const StoredVacancy&) -> Result<Changes> {
    Changes c;
    c.vacancy = vacancy();
    c.outbox = items;
    return c;
  };
}

TEST_CASE("outbox rows commit with their event and a repeated idempotency key is ignored") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  REQUIRE(submit_sync(*store, submission("oslo", "e1",
                                         with_outbox({item("email", "mail-1"),
                                                      item("ad_writeback", "ad-1")})))
              .ok());
  // A later event asks for the same email again: one row stays.
  REQUIRE(submit_sync(*store,
                      submission("oslo", "e2",
                                 with_outbox({item("email", "mail-1"), item("email", "mail-2")})))
              .ok());
  // The same key in another tenant is another row.
  REQUIRE(
      submit_sync(*store, submission("bergen", "e1", with_outbox({item("email", "mail-1")}))).ok());
  CHECK(*store->outbox_depth("pending") == 4);
  CHECK(*store->outbox_depth("dead") == 0);
  CHECK(store->outbox_depth("lost").status().code() == StatusCode::kInvalidArgument);

  auto claimed = store->claim_outbox("email", 0, 10, 60);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 3);
  CHECK((*claimed)[0].item.idempotency_key == "mail-1");
  CHECK((*claimed)[0].item.tenant == "oslo");
  CHECK((*claimed)[0].item.vacancy_id == "v1");  // filled from the submission
  CHECK((*claimed)[0].item.payload == R"({"template":"shortfall","to":"kari@example.org"})");
  CHECK((*claimed)[0].attempts == 1);
  CHECK((*claimed)[2].item.tenant == "bergen");
}

TEST_CASE("a bad outbox item fails its submission and writes nothing") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  OutboxItem not_json = item("email", "k");
  not_json.payload = "{oops";
  OutboxItem other_tenant = item("email", "k2");
  other_tenant.tenant = "bergen";
  for (const OutboxItem& bad : {not_json, other_tenant, item("", "k3"), item("email", "")}) {
    auto r = submit_sync(*store, submission("oslo", "e-" + bad.idempotency_key + bad.kind,
                                            with_outbox({item("email", "fine"), bad})));
    CHECK(r.status().code() == StatusCode::kInternal);
  }
  CHECK(*store->outbox_depth("pending") == 0);
  CHECK(*store->count_events("oslo") == 0);
}

TEST_CASE("claim leases rows and retry, dead-letter and complete move them on") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  REQUIRE(submit_sync(
              *store,
              submission("oslo", "e1",
                         with_outbox({item("email", "a", 100), item("email", "b", 100),
                                      item("email", "later", 500), item("ad_writeback", "w", 0)})))
              .ok());

  SUBCASE("not before not_before, and only the asked kind") {
    CHECK(store->claim_outbox("email", 99, 10, 30)->empty());
    auto c = store->claim_outbox("email", 100, 10, 30);
    REQUIRE(c->size() == 2);
    CHECK((*c)[0].item.idempotency_key == "a");
    CHECK((*c)[1].item.idempotency_key == "b");
    CHECK(store->claim_outbox("ad_writeback", 0, 10, 30)->size() == 1);
  }

  SUBCASE("limit takes the oldest first") {
    auto c = store->claim_outbox("email", 1000, 2, 30);
    REQUIRE(c->size() == 2);
    CHECK((*c)[0].item.idempotency_key == "a");
    CHECK((*c)[1].item.idempotency_key == "b");
    CHECK(store->claim_outbox("email", 1000, 0, 30)->empty());
    CHECK(store->claim_outbox("email", 1000, 5, 0).status().code() == StatusCode::kInvalidArgument);
  }

  SUBCASE("a leased row is not claimed again until the lease runs out") {
    auto first = store->claim_outbox("email", 100, 1, 30);
    REQUIRE(first->size() == 1);
    const std::int64_t id = (*first)[0].id;
    CHECK(*store->outbox_depth("inflight") == 1);
    auto during = store->claim_outbox("email", 129, 10, 30);
    REQUIRE(during->size() == 1);  // only "b"
    CHECK((*during)[0].id != id);
    auto after = store->claim_outbox("email", 130, 10, 30);
    REQUIRE(after->size() == 1);  // "a" again (its worker died); "b" is still leased
    CHECK((*after)[0].id == id);
    CHECK((*after)[0].attempts == 2);
  }

  SUBCASE("retry puts a row back, due at its new not_before, keeping the attempt count") {
    auto c = store->claim_outbox("email", 100, 1, 30);
    const std::int64_t id = (*c)[0].id;
    REQUIRE(store->retry_outbox(id, 200, "smtp 451 try later").ok());
    CHECK(*store->outbox_depth("inflight") == 0);
    CHECK(*store->outbox_depth("pending") == 4);
    auto early = store->claim_outbox("email", 150, 10, 100);  // "b", leased past 200
    REQUIRE(early->size() == 1);
    CHECK((*early)[0].item.idempotency_key == "b");
    auto due = store->claim_outbox("email", 200, 10, 30);
    REQUIRE(due->size() == 1);
    CHECK((*due)[0].id == id);
    CHECK((*due)[0].attempts == 2);
  }

  SUBCASE("dead-lettered rows are counted and never claimed") {
    auto c = store->claim_outbox("email", 100, 1, 30);
    const std::int64_t id = (*c)[0].id;
    REQUIRE(store->dead_letter_outbox(id, "550 mailbox unknown").ok());
    CHECK(*store->outbox_depth("dead") == 1);
    CHECK(*store->outbox_depth("pending") == 3);
    auto rest = store->claim_outbox("email", 10000, 10, 30);
    REQUIRE(rest->size() == 2);
    for (const auto& r : *rest)
      CHECK(r.id != id);
  }

  SUBCASE("completed rows are done for good") {
    auto c = store->claim_outbox("email", 100, 1, 30);
    const std::int64_t id = (*c)[0].id;
    REQUIRE(store->complete_outbox(id).ok());
    CHECK(*store->outbox_depth("done") == 1);
    CHECK(store->claim_outbox("email", 100000, 10, 30)->size() == 2);
    CHECK(store->retry_outbox(id, 0, "x").code() == StatusCode::kFailedPrecondition);
    CHECK(store->dead_letter_outbox(id, "x").code() == StatusCode::kFailedPrecondition);
    CHECK(store->complete_outbox(id).ok());  // idempotent
  }

  SUBCASE("unknown ids are kNotFound") {
    CHECK(store->complete_outbox(424242).code() == StatusCode::kNotFound);
    CHECK(store->retry_outbox(424242, 0, "x").code() == StatusCode::kNotFound);
    CHECK(store->dead_letter_outbox(424242, "x").code() == StatusCode::kNotFound);
  }
}

OutboxItem batched(std::string key, std::string batch, std::int64_t not_before) {
  OutboxItem o = item("digest", std::move(key), not_before);
  o.batch_key = std::move(batch);
  return o;
}

TEST_CASE("a batch is claimed whole: the due rows sharing the oldest due row's batch key") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  REQUIRE(
      submit_sync(
          *store,
          submission("oslo", "e1",
                     with_outbox({batched("k1", "oslo:kari", 100), batched("o1", "oslo:ola", 100),
                                  batched("k2", "oslo:kari", 100), batched("k3", "oslo:kari", 500),
                                  item("email", "alone", 0)})))
          .ok());
  auto keys = [](const std::vector<Store::Claimed>& rows) {
    std::vector<std::string> out;
    for (const Store::Claimed& r : rows) {
      out.push_back(r.item.idempotency_key);
      CHECK(r.item.kind == "digest");
    }
    return out;
  };
  CHECK(store->claim_outbox_batch("digest", 99, 10, 30)->empty());
  auto kari = store->claim_outbox_batch("digest", 100, 10, 30);
  REQUIRE(kari.ok());
  CHECK(keys(*kari) == std::vector<std::string>{"k1", "k2"});  // k3 is not due yet
  CHECK((*kari)[0].item.batch_key == "oslo:kari");
  auto ola = store->claim_outbox_batch("digest", 100, 10, 30);
  CHECK(keys(*ola) == std::vector<std::string>{"o1"});
  CHECK(store->claim_outbox_batch("digest", 100, 10, 30)->empty());
  // The lease runs out (a worker died): the batch comes back whole, with k3 now due too.
  auto again = store->claim_outbox_batch("digest", 600, 10, 30);
  CHECK(keys(*again) == std::vector<std::string>{"k1", "k2", "k3"});
  CHECK((*again)[0].attempts == 2);
  CHECK((*again)[2].attempts == 1);
  // The limit caps a batch; the email row was never part of one.
  CHECK(store->claim_outbox_batch("digest", 1000, 1, 30)->size() == 1);
  CHECK(store->claim_outbox("email", 1000, 10, 30)->size() == 1);
}

TEST_CASE("a skipped row is done but not counted as delivered") {
  TempDir dir;
  auto store = open_store(dir.file("m.db"));
  REQUIRE(submit_sync(*store, submission("oslo", "e1",
                                         with_outbox({item("email", "sent", 0),
                                                      item("email", "reminder", 0)})))
              .ok());
  auto claimed = store->claim_outbox("email", 0, 10, 60);
  REQUIRE(claimed->size() == 2);
  REQUIRE(store->complete_outbox((*claimed)[0].id).ok());
  REQUIRE(store->skip_outbox((*claimed)[1].id, "no longer in shortfall").ok());
  CHECK(*store->outbox_depth("done") == 2);
  auto vacancies = store->report_vacancies("oslo", false);
  REQUIRE(vacancies->size() == 1);
  CHECK(vacancies->at(0).outbox_done ==
        std::map<std::string, std::int64_t, std::less<>>{{"email", 1}});
  // Like a delivered row, a skipped one cannot be moved on again.
  CHECK(store->skip_outbox((*claimed)[1].id, "again").code() == StatusCode::kFailedPrecondition);
  CHECK(store->skip_outbox(99999, "none").code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace mangfold::store

namespace mangfold::store {
namespace {

using namespace testing;

TEST_CASE("a scheduled report is enqueued once per tenant and period, with its record") {
  TempDir dir;
  const std::string path = dir.file("m.db");
  auto store = open_store(path);
  auto email = [](const std::string& key) {
    OutboxItem o;
    o.kind = "report_email";
    o.idempotency_key = key;
    o.payload = R"({"v":1})";
    return o;
  };
  auto first = store->enqueue_scheduled_report("oslo", "2026-02", email("r-oslo-2026-02"), 100);
  REQUIRE_MESSAGE(first.ok(), first.status().message());
  CHECK(*first);
  // Again for the same period (a restart, another instance): nothing changes.
  auto again = store->enqueue_scheduled_report("oslo", "2026-02", email("r-oslo-2026-02-b"), 200);
  REQUIRE(again.ok());
  CHECK_FALSE(*again);
  // Another tenant, and the next period: each once.
  CHECK(*store->enqueue_scheduled_report("bergen", "2026-02", email("r-bergen-2026-02"), 300));
  CHECK(*store->enqueue_scheduled_report("oslo", "2026-03", email("r-oslo-2026-03"), 400));
  CHECK(count_rows(path, "report_sends") == 3);
  CHECK(*store->outbox_depth("pending") == 3);
  auto claimed = store->claim_outbox("report_email", 1000, 10, 60);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 3);
  CHECK(claimed->at(0).item.idempotency_key == "r-oslo-2026-02");
  CHECK(claimed->at(0).item.tenant == "oslo");
  CHECK(store->enqueue_scheduled_report("", "2026-02", email("x"), 1).status().code() ==
        StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mangfold::store
