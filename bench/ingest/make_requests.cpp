// mangfold_bench_requests: writes a file of signed webhook requests for bench/ingest.
//
// wrk's LuaJIT cannot sign, so every request is signed here in advance, with the tenants'
// own settings read from the benchmark's service config (as `mangfold sign` does). Each
// request carries a unique event id (<prefix>-<n>), so that every request the connector
// receives is new work rather than a duplicate. Tenants take turns; vacancies cycle over
// a fixed set, so that most events update a vacancy already stored, as an ATS's do.
//
// Output: one request per line, fields separated by tabs:
//   /hooks/<tenant> TAB Name: value TAB … TAB <compact JSON body>
// (a compact JSON body has no raw tab or newline; header values have none either).
// Standard Webhooks signatures carry the current time, so use the file within the
// tenant's tolerance (300 s by default).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <CLI/CLI.hpp>

#include "bench/common/sample_data.hpp"
#include "connector/app/tenants.hpp"
#include "connector/config/service_config.hpp"

namespace {

constexpr std::string_view kIdPlaceholder = "@@EVENT_ID@@";

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mangfold;
  CLI::App cli{"Write pre-signed webhook requests for the ingest benchmark"};
  std::string config_path, out_path, prefix = "evt", tenant_list;
  long count = 10000;
  std::size_t body_bytes = 4096;
  int vacancies = 1000, applications = 8;
  cli.add_option("--config", config_path, "The benchmark's service config")
      ->required()
      ->check(CLI::ExistingFile);
  cli.add_option("--out", out_path, "Where to write the requests")->required();
  cli.add_option("--count", count, "How many requests (each with its own event id)")
      ->check(CLI::Range(1L, 100000000L));
  cli.add_option("--id-prefix", prefix, "Event ids are <prefix>-<n>; use a new prefix per run");
  cli.add_option("--tenants", tenant_list,
                 "Comma-separated tenants to take turns (default: all in the config)");
  cli.add_option("--body-bytes", body_bytes, "Size of each body (the job ad is sized to fit)")
      ->check(CLI::Range(1024, 1 << 20));
  cli.add_option("--vacancies", vacancies, "Distinct vacancies per tenant")
      ->check(CLI::Range(1, 10000000));
  cli.add_option("--applications", applications, "Applications per event")
      ->check(CLI::Range(0, 100000));
  CLI11_PARSE(cli, argc, argv);

  config::ServiceConfigLoad loaded = config::load_service_config(config_path);
  if (!loaded.config) {
    for (const auto& d : loaded.diagnostics)
      std::cerr << d.to_string() << "\n";
    return 1;
  }
  std::vector<std::string> tenants = split_commas(tenant_list);
  if (tenants.empty())
    for (const config::TenantConfig& t : loaded.config->tenants)
      tenants.push_back(t.name);
  std::vector<std::unique_ptr<webhook::Verifier>> signers;
  for (const std::string& name : tenants) {
    const config::TenantConfig* tenant = loaded.config->tenant(name);
    if (!tenant) {
      std::cerr << "mangfold_bench_requests: no tenant '" << name << "' in " << config_path << "\n";
      return 1;
    }
    Result<std::unique_ptr<webhook::Verifier>> signer = app::make_verifier(tenant->signature);
    if (!signer.ok()) {
      std::cerr << "mangfold_bench_requests: tenant " << name << ": " << signer.status().message()
                << "\n";
      return 1;
    }
    signers.push_back(std::move(*signer));
  }

  // One body template per vacancy, the event id filled in per request: building JSON is
  // the slow part, and only the id differs between two events of one vacancy.
  bench::EventSpec spec{.event_id = std::string(kIdPlaceholder), .applications = applications};
  spec.ad_bytes = bench::ad_bytes_for_total(spec, body_bytes);
  std::map<int, std::pair<std::string, std::size_t>> templates;

  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::cerr << "mangfold_bench_requests: cannot write " << out_path << "\n";
    return 1;
  }
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const auto k = static_cast<long>(tenants.size());
  std::size_t total_bytes = 0;
  for (long n = 0; n < count; ++n) {
    const auto t = static_cast<std::size_t>(n % k);
    const int vacancy = static_cast<int>((n / k) % vacancies);
    auto it = templates.find(vacancy);
    if (it == templates.end()) {
      spec.vacancy_id = std::to_string(4100000000L + vacancy);
      std::string body = bench::native_event(spec);
      const std::size_t at = body.find(kIdPlaceholder);
      it = templates.emplace(vacancy, std::make_pair(std::move(body), at)).first;
    }
    const std::string event_id = prefix + "-" + std::to_string(n);
    std::string body = it->second.first;
    body.replace(it->second.second, kIdPlaceholder.size(), event_id);
    const auto headers = signers[t]->sign(body, event_id, now);
    if (headers.empty()) {
      std::cerr << "mangfold_bench_requests: tenant " << tenants[t] << " has no usable secret\n";
      return 1;
    }
    out << "/hooks/" << tenants[t] << "\tContent-Type: application/json";
    for (const auto& [name, value] : headers)
      out << '\t' << name << ": " << value;
    out << '\t' << body << '\n';
    total_bytes += body.size();
  }
  out.close();
  if (!out) {
    std::cerr << "mangfold_bench_requests: writing " << out_path << " failed\n";
    return 1;
  }
  std::cerr << "mangfold_bench_requests: " << count << " requests, mean body "
            << total_bytes / count << " bytes, " << tenants.size() << " tenant(s)\n";
  return 0;
}
