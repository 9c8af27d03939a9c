// adapter_options decoding: every problem with file:line:column and key path.
#include <doctest/doctest.h>

#include <cstdlib>

#include "connector/config/service_config.hpp"
#include "tests/webcruiter/support.hpp"

using namespace mangfold;
using namespace mangfold::webcruiter;
using namespace mangfold::webcruiter::testing;

namespace {

struct OfflineHttp : HttpClient {
  Result<OutboundResponse> send(const OutboundRequest&) override { return unavailable("offline"); }
};

std::vector<std::string> errors_of(const std::string& yaml) {
  Made made = make_from_yaml(yaml);
  CHECK(made.adapter == nullptr);
  std::vector<std::string> out;
  for (const auto& d : made.diagnostics)
    out.push_back(d.to_string());
  return out;
}

}  // namespace

TEST_CASE("options: the shipped example config decodes") {
  const std::string path = std::string(MANGFOLD_SOURCE_DIR) + "/examples/webcruiter/mangfold.yaml";
  config::ServiceConfigLoad load = config::load_service_config(path);
  std::string problems;
  for (const auto& d : load.diagnostics)
    problems += d.to_string() + "\n";
  REQUIRE_MESSAGE(load.config, problems);
  const config::TenantConfig* oslo = load.config->tenant("oslo");
  REQUIRE(oslo != nullptr);
  CHECK(oslo->adapter == "webcruiter");
  CHECK(oslo->signature.scheme == "shared_key");
  CHECK(oslo->signature.header == "X-User-Data");
  CHECK(oslo->schedule.visit_interval_seconds == 3600);
  CHECK(oslo->api_budget.requests_per_minute == 120);

  AdapterDeps deps;
  std::vector<std::string> files_read;
  deps.read_file = [&](const std::string& p) -> Result<std::string> {
    files_read.push_back(p);
    return std::string("secret\n");
  };
  deps.http = std::shared_ptr<HttpClient>();  // none: must be reported
  std::vector<config::Diagnostic> diagnostics;
  auto adapter = make_webcruiter_adapter(oslo->adapter_options, "tenants.oslo.adapter_options",
                                         deps, diagnostics);
  CHECK(adapter == nullptr);
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].path == "tenants.oslo.adapter_options.api");

  deps.http = std::make_shared<OfflineHttp>();
  diagnostics.clear();
  adapter = make_webcruiter_adapter(oslo->adapter_options, "tenants.oslo.adapter_options", deps,
                                    diagnostics);
  REQUIRE(diagnostics.empty());
  REQUIRE(adapter != nullptr);
  CHECK(adapter->name() == "webcruiter");
  CHECK(std::find(files_read.begin(), files_read.end(),
                  "/run/secrets/oslo-webcruiter-client-secret") != files_read.end());
  // The examples parse with the example's own mapping.
  for (const char* example : {"fat-event.json", "thin-event.json", "candidate-status-event.json"}) {
    CAPTURE(example);
    CHECK(parse(*adapter, read_text(std::string("examples/webcruiter/") + example)).ok());
  }
}

TEST_CASE("options: a wrong stage names file, line, column and key") {
  const auto errors = errors_of(R"(adapter_options:
  statuses:
    1: applied
    4: intervju
    5: {stage: interviewed, qualification: maybe}
  target_groups:
    immigrant_background: {question: 9001, yes: [Ja]}
)");
  REQUIRE(errors.size() == 2);
  CHECK(
      errors[0] ==
      "tenant.yaml:4:8: tenants.oslo.adapter_options.statuses.4: unknown value 'intervju' "
      "(expected "
      "one of: applied, interview, interviewed, recommended, offered, hired, rejected, withdrawn)");
  CHECK(
      errors[1].rfind(
          "tenant.yaml:5:44: tenants.oslo.adapter_options.statuses.5.qualification: unknown value "
          "'maybe' (expected one of: qualified, not_qualified, unknown)",
          0) == 0);
}

TEST_CASE("options: typos, missing keys and wrong types") {
  SUBCASE("a typo suggests the key") {
    const auto errors = errors_of("adapter_options:\n" + base_mapping() + "  target_group: {}\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] ==
          "tenant.yaml:19:3: tenants.oslo.adapter_options.target_group: unknown key (did you mean "
          "'target_groups'?)");
  }
  SUBCASE("statuses and target_groups are required") {
    const auto errors = errors_of("adapter_options:\n  manager_titles: [Leder]\n");
    REQUIRE(errors.size() == 2);
    CHECK(errors[0] ==
          "tenant.yaml:1:1: tenants.oslo.adapter_options.statuses: missing required key");
    CHECK(errors[1] ==
          "tenant.yaml:1:1: tenants.oslo.adapter_options.target_groups: missing required key");
  }
  SUBCASE("no options at all") {
    const auto errors = errors_of("adapter_options:\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find(
              "tenants.oslo.adapter_options: the webcruiter adapter needs adapter_options") !=
          std::string::npos);
  }
  SUBCASE("a target group without answers, and with an answer on both sides") {
    const auto errors = errors_of(R"(adapter_options:
  statuses: {1: applied}
  target_groups:
    immigrant_background: {question: 9001}
    non_western_background: {question: 9002, yes: [Ja, Vet ikke], no: [vet IKKE]}
    Bad Name: {question: 1, yes: [x]}
)");
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].find("tenant.yaml:4:5: "
                         "tenants.oslo.adapter_options.target_groups.immigrant_background: list "
                         "the answers") == 0);
    CHECK(errors[1].find(
              "target_groups.non_western_background: the answer 'vet ikke' is listed under both") !=
          std::string::npos);
    CHECK(errors[2].find(
              "tenant.yaml:6:5: tenants.oslo.adapter_options.target_groups.Bad Name: expected an "
              "identifier") == 0);
  }
  SUBCASE("unknown_status must be error, a stage or a mapping") {
    const auto errors =
        errors_of("adapter_options:\n" + base_mapping() + "  unknown_status: ignore\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] ==
          "tenant.yaml:19:19: tenants.oslo.adapter_options.unknown_status: expected error, a stage "
          "name or {stage, qualification}, got 'ignore'");
  }
}

TEST_CASE("options: api settings") {
  SUBCASE("valid, with both kinds of auth") {
    Made made = make_from_yaml("adapter_options:\n" + base_mapping() + R"(  api:
    base_url: https://api.example/v1/
    auth:
      oauth2: {token_url: https://id.example/token, client_id: 42, client_secret: {file: cs}, client_auth: body}
      api_key: {header: Ocp-Apim-Subscription-Key, key: {file: k}}
    paths: {advert: "/v2/adverts/{advertId}", candidates: "https://other.example/c?ad={advertId}"}
    timeout_seconds: 3
    cache_seconds: 0
    max_pages: 7
)",
                               AdapterDeps{std::make_shared<OfflineHttp>(), {}, {}});
    CHECK_MESSAGE(made.adapter != nullptr, made.errors());
  }
  SUBCASE("every problem at once") {
    const auto errors = errors_of("adapter_options:\n" + base_mapping() + R"(  api:
    base_url: ftp://api.example
    auth:
      oauth2: {token_url: /token, client_secret: {env: MANGFOLD_TEST_SURELY_UNSET_VARIABLE}}
      api_key: {header: "X Key", key: {file: missing-file, env: BOTH}}
    paths: {advert: '/adverts/{id}', custom_data: 'candidates/{candidateId}'}
    timeout_seconds: 0
    cache_seconds: -1
    retries: 3
)");
    const std::string all = [&] {
      std::string s;
      for (const auto& e : errors)
        s += e + "\n";
      return s;
    }();
    CAPTURE(all);
    CHECK(all.find("tenant.yaml:27:5: tenants.oslo.adapter_options.api.retries: unknown key") !=
          std::string::npos);
    CHECK(all.find("tenant.yaml:20:15: tenants.oslo.adapter_options.api.base_url: expected an "
                   "http:// or https:// "
                   "URL") != std::string::npos);
    CHECK(all.find("api.auth.oauth2.token_url: expected an http:// or https:// URL") !=
          std::string::npos);
    CHECK(all.find("api.auth.oauth2.client_id: missing required key") != std::string::npos);
    CHECK(all.find("api.auth.oauth2.client_secret: environment variable "
                   "MANGFOLD_TEST_SURELY_UNSET_VARIABLE is not "
                   "set") != std::string::npos);
    CHECK(all.find("api.auth.api_key.header: expected a header name") != std::string::npos);
    CHECK(all.find("api.auth.api_key.key: give exactly one of env or file") != std::string::npos);
    CHECK(all.find("api.paths.advert: must contain {advertId}") != std::string::npos);
    CHECK(all.find("api.paths.custom_data: expected a path starting with '/'") !=
          std::string::npos);
    CHECK(all.find("api.timeout_seconds: expected a whole number from 1 to 300, got 0") !=
          std::string::npos);
    CHECK(all.find("api.cache_seconds: expected a whole number from 0 to 3600, got -1") !=
          std::string::npos);
    CHECK(errors.size() == 11);
  }
  SUBCASE("a secret that cannot be read names the reference, not a value") {
    const auto errors = errors_of(
        "adapter_options:\n" + base_mapping() +
        "  api: {base_url: 'http://x.example', auth: {api_key: {key: {file: missing-key}}}}\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("api.auth.api_key.key: cannot read secret file missing-key") !=
          std::string::npos);
  }
  SUBCASE("no auth") {
    const auto errors = errors_of("adapter_options:\n" + base_mapping() +
                                  "  api: {base_url: 'http://x.example', auth: {}}\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("api.auth: configure oauth2 (client credentials) or api_key, or both") !=
          std::string::npos);
  }
}
