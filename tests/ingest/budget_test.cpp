#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "connector/outbound/request_budget.hpp"

using namespace mangfold;
using outbound::BudgetLimits;
using outbound::TokenBucket;

namespace {

BudgetLimits limits(int rpm, int burst, int max_wait_ms = 60'000) {
  BudgetLimits l;
  l.requests_per_minute = rpm;
  l.burst = burst;
  l.max_wait = std::chrono::milliseconds(max_wait_ms);
  return l;
}

}  // namespace

TEST_CASE("token bucket: a burst at once, then the rate, never more in any window") {
  TokenBucket b(limits(600, 5));  // one per 100 ms, five at once
  std::vector<std::int64_t> sent;
  for (int i = 0; i < 50; ++i)
    sent.push_back(*b.reserve(0));  // all asked for at time 0
  CHECK(sent[0] == 0);
  CHECK(sent[4] == 0);
  CHECK(sent[5] == 100);
  CHECK(sent[49] == 4500);
  // In any window of W ms at most burst + W / 100 requests.
  for (std::size_t i = 0; i < sent.size(); ++i)
    for (std::size_t j = i; j < sent.size(); ++j)
      CHECK(static_cast<std::int64_t>(j - i + 1) <= 5 + (sent[j] - sent[i]) / 100);
}

TEST_CASE("token bucket: an idle bucket refills up to the burst only") {
  TokenBucket b(limits(60, 3));  // one a second
  for (int i = 0; i < 3; ++i)
    CHECK(*b.reserve(0) == 0);
  CHECK(b.ready_at(0) == 1000);
  // After a long pause: three at once again, not more.
  for (int i = 0; i < 3; ++i)
    CHECK(*b.reserve(100'000) == 100'000);
  CHECK(*b.reserve(100'000) == 101'000);
}

TEST_CASE("token bucket: a wait longer than max_wait is refused and reserves nothing") {
  TokenBucket b(limits(60, 1, 1500));
  CHECK(*b.reserve(0) == 0);
  CHECK(*b.reserve(0) == 1000);
  CHECK_FALSE(b.reserve(0).has_value());  // would be 2000: over 1.5 s
  CHECK(*b.reserve(600) == 2000);         // the refusal took nothing
}

TEST_CASE("token bucket: a 429 pause holds every request until it ends") {
  TokenBucket b(limits(0, 1));  // no rate limit of ours
  CHECK(*b.reserve(0) == 0);
  b.pause_until(30'000);
  CHECK(b.ready_at(100) == 30'000);
  CHECK(*b.reserve(100) == 30'000);
  b.pause_until(10'000);  // an earlier end does not shorten the pause
  CHECK(b.ready_at(200) == 30'000);
  CHECK(*b.reserve(31'000) == 31'000);
}

TEST_CASE("retry_after_seconds: delta seconds, HTTP dates, and nonsense") {
  CHECK(outbound::retry_after_seconds("5", 0) == 5);
  CHECK(outbound::retry_after_seconds("0", 0) == 1);
  CHECK(outbound::retry_after_seconds("99999999999999", 0) == 3600);
  CHECK(outbound::retry_after_seconds("", 0) == 30);
  CHECK(outbound::retry_after_seconds("soon", 0) == 30);
  // Thu, 01 Jan 1970 00:01:40 GMT is 100 s after the epoch.
  CHECK(outbound::retry_after_seconds("Thu, 01 Jan 1970 00:01:40 GMT", 40) == 60);
}

TEST_CASE("budgeted client: counts requests and errors by kind, and a 429 pauses the tenant") {
  struct Scripted : HttpClient {
    std::vector<Result<OutboundResponse>> answers;
    std::size_t next = 0;
    Result<OutboundResponse> send(const OutboundRequest&) override { return answers.at(next++); }
  };
  auto inner = std::make_shared<Scripted>();
  OutboundResponse ok{200, {}, "{}"}, busy{503, {}, ""}, limited{429, {{"Retry-After", "7"}}, ""};
  inner->answers = {ok, busy, limited, unavailable("refused"), ok};
  std::int64_t now = 1'000'000;
  auto budget = std::make_shared<outbound::RequestBudget>(limits(0, 1), [&now] { return now; });
  std::vector<std::int64_t> slept;
  auto client = outbound::make_budgeted_client(inner, budget, [&](std::chrono::milliseconds d) {
    slept.push_back(d.count());
    now += d.count();
  });
  CHECK(client->send({})->status == 200);
  CHECK(client->send({})->status == 503);
  CHECK(client->send({})->status == 429);
  CHECK(budget->ready_at() == 1'007'000);
  CHECK_FALSE(client->send({}).ok());  // waited out the pause, then the transport failed
  CHECK(slept == std::vector<std::int64_t>{7000});
  CHECK(client->send({})->status == 200);
  const outbound::BudgetCounters& c = budget->counters();
  CHECK(c.requests == 5);
  CHECK(c.server_errors == 1);
  CHECK(c.rate_limited == 1);
  CHECK(c.transport_errors == 1);
  CHECK(c.refused == 0);
}
