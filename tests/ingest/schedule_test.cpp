#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "connector/ingest/schedule.hpp"

using mangfold::ingest::next_slot;
using mangfold::ingest::Schedule;
using mangfold::ingest::stable_hash;

namespace {

Schedule::Options options(std::int64_t interval, std::int64_t hook_delay = 2000) {
  Schedule::Options o;
  o.interval_ms = interval;
  o.hook_delay_ms = hook_delay;
  o.retry_min_ms = 1000;
  return o;
}

// Takes and completes everything due at `now`; returns the ids fetched.
std::vector<std::string> run(Schedule& s, std::int64_t now, bool ok = true) {
  std::vector<std::string> out;
  while (auto id = s.take_due(now)) {
    out.push_back(*id);
    s.done(*id, now, ok);
  }
  return out;
}

}  // namespace

TEST_CASE("next_slot: the first slot strictly after a time, in the vacancy's phase") {
  const std::uint64_t h = 1234;  // phase 234 in an interval of 1000
  CHECK(next_slot(0, 1000, h) == 234);
  CHECK(next_slot(233, 1000, h) == 234);
  CHECK(next_slot(234, 1000, h) == 1234);
  CHECK(next_slot(5000, 1000, h) == 5234);
  CHECK(next_slot(-10, 1000, h) == 234);
  CHECK(next_slot(-800, 1000, h) == -766);
}

TEST_CASE("stable_hash: the same for the same tenant and id, different across tenants") {
  CHECK(stable_hash("oslo", "4100") == stable_hash("oslo", "4100"));
  CHECK(stable_hash("oslo", "4100") != stable_hash("bergen", "4100"));
  CHECK(stable_hash("ab", "c") != stable_hash("a", "bc"));
}

TEST_CASE(
    "schedule: 300 vacancies are spread over the interval and each visited once per interval") {
  Schedule s("oslo", options(60'000));
  for (int i = 0; i < 300; ++i)
    s.follow_known("41000" + std::to_string(i), 0);
  // Step through three intervals in 100 ms steps, recording every visit.
  std::map<std::string, std::vector<std::int64_t>> visits;
  std::map<std::int64_t, int> per_second;
  for (std::int64_t now = 0; now <= 180'000; now += 100)
    for (const std::string& id : run(s, now)) {
      visits[id].push_back(now);
      ++per_second[now / 1000];
    }
  REQUIRE(visits.size() == 300);
  for (const auto& [id, times] : visits) {
    CHECK(times.size() == 3);
    for (std::size_t i = 1; i < times.size(); ++i)
      CHECK(times[i] - times[i - 1] <= 60'000);
  }
  // No herd: 300 visits per minute are 5 a second on average; no second has more than 20.
  int most = 0;
  for (const auto& [second, n] : per_second)
    most = std::max(most, n);
  CHECK(most <= 20);
  CHECK(s.lag_ms(180'000) <= 100);
}

TEST_CASE("schedule: a newly discovered vacancy is due at once, a known one waits for its slot") {
  Schedule s("oslo", options(60'000));
  s.follow_known("old", 10'000);  // last visited at 10 s
  s.follow_new("new", 10'000);
  CHECK(run(s, 10'000) == std::vector<std::string>{"new"});
  CHECK(s.next_due().has_value());
  const std::int64_t slot = next_slot(10'000, 60'000, stable_hash("oslo", "old"));
  const std::vector<std::string> before = run(s, slot - 1);
  CHECK(std::find(before.begin(), before.end(), "old") == before.end());
  const std::vector<std::string> at = run(s, slot);
  CHECK(std::find(at.begin(), at.end(), "old") != at.end());
}

TEST_CASE("schedule: a known vacancy not visited for longer than the interval is overdue at once") {
  Schedule s("oslo", options(60'000));
  s.follow_known("stale", 0);
  CHECK(s.lag_ms(600'000) > 500'000);  // due since its first slot after 0
  CHECK(run(s, 600'000) == std::vector<std::string>{"stale"});
  CHECK(s.lag_ms(600'000) == 0);
}

TEST_CASE("schedule: a burst of duplicate hooks costs one fetch") {
  Schedule s("oslo", options(3'600'000, 2000));
  s.follow_known("v", 0);
  for (int i = 0; i < 50; ++i)
    s.hook("v", 1000 + i * 10);  // 50 hooks within half a second
  CHECK(run(s, 1500).empty());   // coalescing: not yet
  CHECK(run(s, 3000) == std::vector<std::string>{"v"});
  CHECK(run(s, 10'000).empty());
}

TEST_CASE("schedule: a hook during a fetch makes the vacancy due again after it") {
  Schedule s("oslo", options(3'600'000, 2000));
  s.hook("v", 0);  // not followed before: followed now
  CHECK(s.follows("v"));
  auto id = s.take_due(2000);
  REQUIRE(id);
  s.hook("v", 2100);
  s.hook("v", 2200);
  s.done("v", 2500, true);
  CHECK(run(s, 4000).empty());
  CHECK(run(s, 4500) == std::vector<std::string>{"v"});
  CHECK(run(s, 100'000).empty());
}

TEST_CASE("schedule: failures keep the vacancy due, back off, and show as lag, none is lost") {
  Schedule s("oslo", options(3'600'000));
  // The vacancy's own slot must come after what this test looks at.
  REQUIRE(next_slot(0, 3'600'000, stable_hash("oslo", "v")) > 200'000);
  s.follow_new("v", 0);
  std::int64_t now = 0;
  std::vector<std::int64_t> attempts;
  for (; now <= 30'000; now += 100)
    for (const std::string& id : run(s, now, /*ok=*/false)) {
      (void)id;
      attempts.push_back(now);
    }
  // 0, 1, 3, 7, 15 s: doubling from one second.
  CHECK(attempts == std::vector<std::int64_t>{0, 1000, 3000, 7000, 15000});
  CHECK(s.lag_ms(30'000) == 30'000);  // due since 0, still not visited
  CHECK(s.follows("v"));
  // The API is back: the next attempt succeeds and the lag is gone.
  std::int64_t visited = -1;
  for (; now <= 120'000 && visited < 0; now += 100)
    if (!run(s, now).empty()) visited = now;
  CHECK(visited == 31'000);
  CHECK(s.lag_ms(visited) == 0);
}

TEST_CASE("schedule: unfollowing drops a vacancy, also while it is fetched") {
  Schedule s("oslo", options(1000));
  s.follow_new("a", 0);
  s.follow_new("b", 0);
  auto id = s.take_due(0);
  REQUIRE(id);
  s.unfollow(*id);
  s.done(*id, 10, true);  // ends after it was dropped: ignored
  CHECK_FALSE(s.follows(*id));
  s.unfollow("b");
  s.unfollow("a");
  CHECK(s.size() == 0);
  CHECK_FALSE(s.next_due().has_value());
  CHECK(s.lag_ms(50'000) == 0);
}

TEST_CASE("schedule: interval 0 visits only on demand") {
  Schedule s("oslo", options(0));
  s.follow_known("v", 0);
  CHECK_FALSE(s.next_due().has_value());
  s.hook("v", 100);
  CHECK(run(s, 2100) == std::vector<std::string>{"v"});
  CHECK_FALSE(s.next_due().has_value());
}

TEST_CASE("schedule: retries during a long outage stay at most retry_max apart") {
  Schedule::Options o = options(3'600'000);
  o.retry_max_ms = 30'000;
  Schedule s("oslo", o);
  REQUIRE(next_slot(0, 3'600'000, stable_hash("oslo", "v")) > 400'000);
  s.follow_new("v", 0);
  std::vector<std::int64_t> attempts;
  for (std::int64_t now = 0; now <= 300'000; now += 100)
    for (const std::string& id : run(s, now, /*ok=*/false)) {
      (void)id;
      attempts.push_back(now);
    }
  REQUIRE(attempts.size() >= 10);
  for (std::size_t i = 1; i < attempts.size(); ++i)
    CHECK(attempts[i] - attempts[i - 1] <= 30'000);
}
