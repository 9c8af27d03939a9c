// A tenant's sync settings (schedule, api_budget) and the shared_key hook scheme: defaults,
// and every wrong value a diagnostic naming the file, line, column and key.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "connector/config/service_config.hpp"

using namespace mangfold;
using namespace mangfold::config;

namespace {

ServiceConfigLoad load_tenant(const std::string& tenant_extra,
                              const std::string& signature = "{scheme: hmac, secret: {env: X}}",
                              const std::string& storage = "") {
  const std::map<std::string, std::string> files = {
      {"/etc/mangfold/mangfold.yaml", storage +
                                          "tenants:\n"
                                          "  oslo:\n"
                                          "    policy: policy.yaml\n"
                                          "    signature: " +
                                          signature +
                                          "\n"
                                          "    pseudonyms: {key: {env: P}}\n" +
                                          tenant_extra}};
  return load_service_config("/etc/mangfold/mangfold.yaml",
                             [&](const std::string& path) -> Result<std::string> {
                               auto it = files.find(path);
                               if (it == files.end()) return not_found(path);
                               return it->second;
                             });
}

std::string all(const ServiceConfigLoad& load) {
  std::string out;
  for (const Diagnostic& d : load.diagnostics)
    out += d.to_string() + "\n";
  return out;
}

}  // namespace

TEST_CASE("schedule: the visit interval defaults to storage.reconcile_interval_seconds") {
  ServiceConfigLoad plain = load_tenant("", "{scheme: hmac, secret: {env: X}}",
                                        "storage: {reconcile_interval_seconds: 900}\n");
  REQUIRE_MESSAGE(plain.config, all(plain));
  const TenantConfig& t = plain.config->tenants.at(0);
  CHECK(t.schedule.visit_interval_seconds == 900);
  CHECK(t.schedule.discover_interval_seconds == 600);
  CHECK(t.schedule.follow_days_after_deadline == 180);
  CHECK(t.api_budget.requests_per_minute == 0);

  ServiceConfigLoad set = load_tenant(
      "    schedule: {visit_interval_seconds: 120, discover_interval_seconds: 30, "
      "follow_days_after_deadline: 0, hook_coalesce_seconds: 5}\n"
      "    api_budget: {requests_per_minute: 240, burst: 4, max_wait_seconds: 10}\n",
      "{scheme: hmac, secret: {env: X}}", "storage: {reconcile_interval_seconds: 900}\n");
  REQUIRE_MESSAGE(set.config, all(set));
  const TenantConfig& u = set.config->tenants.at(0);
  CHECK(u.schedule.visit_interval_seconds == 120);
  CHECK(u.schedule.discover_interval_seconds == 30);
  CHECK(u.schedule.follow_days_after_deadline == 0);
  CHECK(u.schedule.hook_coalesce_seconds == 5);
  CHECK(u.api_budget.requests_per_minute == 240);
  CHECK(u.api_budget.burst == 4);
  CHECK(u.api_budget.max_wait_seconds == 10);
}

TEST_CASE("api_budget and schedule: wrong values name the file, line, column and key") {
  ServiceConfigLoad bad = load_tenant("    api_budget:\n      requests_per_minute: -5\n");
  CHECK_FALSE(bad.config);
  CHECK(all(bad).find("/etc/mangfold/mangfold.yaml:7:28: tenants.oslo.api_budget."
                      "requests_per_minute:") != std::string::npos);

  ServiceConfigLoad typo = load_tenant("    schedule: {visit_interval: 60}\n");
  CHECK_FALSE(typo.config);
  CHECK(all(typo).find("/etc/mangfold/mangfold.yaml:6:") != std::string::npos);
  CHECK(all(typo).find("visit_interval_seconds") != std::string::npos);

  ServiceConfigLoad zero = load_tenant("    schedule: {discover_interval_seconds: 0}\n");
  CHECK_FALSE(zero.config);
  CHECK(all(zero).find("tenants.oslo.schedule.discover_interval_seconds") != std::string::npos);
}

TEST_CASE("signature shared_key: the key is in a header or a body field, exactly one") {
  ServiceConfigLoad header =
      load_tenant("", "{scheme: shared_key, header: X-User-Data, secret: {env: K}}");
  REQUIRE_MESSAGE(header.config, all(header));
  CHECK(header.config->tenants.at(0).signature.scheme == "shared_key");
  CHECK(header.config->tenants.at(0).signature.header == "X-User-Data");

  ServiceConfigLoad field = load_tenant(
      "", "{scheme: shared_key, field: UserData, id_fields: [PositionId], secret: {env: K}}");
  REQUIRE_MESSAGE(field.config, all(field));
  CHECK(field.config->tenants.at(0).signature.field == "UserData");
  CHECK(field.config->tenants.at(0).signature.id_fields == std::vector<std::string>{"PositionId"});

  for (const char* bad : {"{scheme: shared_key, secret: {env: K}}",
                          "{scheme: shared_key, header: X-K, field: UserData, secret: {env: K}}",
                          "{scheme: hmac, field: UserData, secret: {env: K}}"}) {
    CAPTURE(bad);
    ServiceConfigLoad load = load_tenant("", bad);
    CHECK_FALSE(load.config);
    CHECK(all(load).find("/etc/mangfold/mangfold.yaml:4:") != std::string::npos);
    CHECK(all(load).find("tenants.oslo.signature") != std::string::npos);
  }
}
