// Synthetic, deterministic inputs for the benchmarks: Webcruiter-like job ads, vacancy
// snapshots and native-format events (docs/native-format.md) of a chosen size.
//
// Everything is invented (no real names or people) and reproducible: the same arguments
// always give the same bytes. Answers are spread over yes/no/unanswered so that the
// policy engine takes its ordinary paths; none of this is personal data. Not thread-safe
// only in the sense that nothing is shared: every function is pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "connector/domain/vacancy.hpp"

namespace mangfold::bench {

// A bokmål job ad in HTML, laid out like a Webcruiter ad (intro, tasks, qualifications,
// "Vi tilbyr", "Slik søker du"), at least `bytes` long and at most a few hundred bytes
// longer. It mentions diversity but lacks the encouragement sentence, so detection scans
// it all and injection has work to do (before the "Slik søker du" heading). `reference`
// (e.g. the vacancy id) is written into the ad, so that ads of different vacancies differ
// as real ones do and a cache keyed on the ad's text gets no unearned hits.
std::string job_ad_html(std::size_t bytes, std::string_view reference = "4100000101");

// `count` applications with a fixed mix of stages, qualifications and answers to the
// group "immigrant_background". Candidate ids are numeric strings, as Webcruiter's are.
std::vector<domain::Application> applications(int count);

// A vacancy with `application_count` applications and an ad of about `ad_bytes` (no ad
// when 0). The vacancy id is Webcruiter-like ("4100…").
domain::Snapshot snapshot(int application_count, std::size_t ad_bytes);

// One native-format event as compact JSON text.
struct EventSpec {
  std::string event_id;
  std::string vacancy_id = "4100000101";
  int applications = 8;
  std::size_t ad_bytes = 2048;  // 0: no ad
};
std::string native_event(const EventSpec& spec);

// The ad size that makes native_event(spec) about `total_bytes` long (spec.ad_bytes is
// ignored). The result is within a few hundred bytes of the target, never shorter.
std::size_t ad_bytes_for_total(EventSpec spec, std::size_t total_bytes);

// The application count that makes native_event(spec) at least `total_bytes` long.
int applications_for_total(EventSpec spec, std::size_t total_bytes);

}  // namespace mangfold::bench
