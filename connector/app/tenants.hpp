// Tenants as the running service sees them: config, loaded policy, signature verifier
// and adapter. Built once from the service config and replaced whole on reload, so a
// request always sees one consistent set. Immutable after build; thread-safe to share.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connector/app/pseudonyms.hpp"
#include "connector/common/http_client.hpp"
#include "connector/config/service_config.hpp"
#include "connector/domain/adapter.hpp"
#include "connector/notify/templates.hpp"
#include "connector/policy/policy.hpp"
#include "connector/webhook/signature.hpp"

namespace mangfold::outbound {
class RequestBudget;
class RequestBudgets;
}  // namespace mangfold::outbound

namespace mangfold::app {

struct TenantRuntime {
  config::TenantConfig config;
  std::shared_ptr<const policy::Policy> policy;
  std::shared_ptr<const webhook::Verifier> verifier;
  std::shared_ptr<const domain::Adapter> adapter;
  std::shared_ptr<const notify::Templates> email_templates;  // the built-ins unless overridden
  InputLimits limits;  // the service's `limits:`: what the ad rules may read
  std::shared_ptr<const Pseudonyms> pseudonyms;  // candidate ids → what is stored
  std::string
      api_token;  // bearer token for /v1/tenants/{tenant}/…; empty = those endpoints are closed
  // The budget every ATS request of this tenant's adapter goes through (api_budget:); null
  // when built without budgets (check, simulate).
  std::shared_ptr<outbound::RequestBudget> budget;
  std::vector<std::string> shared_keys;  // signature scheme shared_key: the resolved keys
};

using TenantMap = std::map<std::string, TenantRuntime, std::less<>>;

struct TenantsLoad {
  std::shared_ptr<const TenantMap> tenants;  // set when there are no diagnostics
  std::vector<config::Diagnostic> diagnostics;
};

// The HTTP client for ATS API calls (fetches, reconcile, write-back): certificates verified
// against the config's outbound.ca_file when set, else the system's CA store.
std::shared_ptr<HttpClient> make_ats_http_client(const config::ServiceConfig& config);

// Loads every tenant's policy, reads its secrets and picks its adapter. Problems are
// collected for all tenants (file:line:column where known); secret values never appear.
// With `budgets`, each tenant's adapter sends through its own budget (api_budget:), kept
// in `budgets` across reloads.
TenantsLoad build_tenants(const config::ServiceConfig& config, std::shared_ptr<HttpClient> http,
                          const config::ReadFile& read = config::read_file,
                          outbound::RequestBudgets* budgets = nullptr);

// The verifier a tenant's signature settings describe.
Result<std::unique_ptr<webhook::Verifier>> make_verifier(
    const config::SignatureConfig& signature, const config::ReadFile& read = config::read_file);

}  // namespace mangfold::app
