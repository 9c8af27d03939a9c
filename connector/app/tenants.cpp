#include "connector/app/tenants.hpp"

#include <filesystem>
#include "adapters/generic/generic_adapter.hpp"
#include "adapters/native/native_adapter.hpp"
#include "adapters/webcruiter/webcruiter_adapter.hpp"

#include "connector/config/policy_loader.hpp"
#include "connector/outbound/curl_http_client.hpp"
#include "connector/outbound/request_budget.hpp"

namespace mangfold::app {

namespace {

webhook::HmacAlgorithm algorithm(const std::string& name) {
  if (name == "sha1") return webhook::HmacAlgorithm::kSha1;
  if (name == "sha512") return webhook::HmacAlgorithm::kSha512;
  return webhook::HmacAlgorithm::kSha256;
}

webhook::SecretEncoding secret_encoding(const std::string& name) {
  if (name == "hex") return webhook::SecretEncoding::kHex;
  if (name == "base64") return webhook::SecretEncoding::kBase64;
  return webhook::SecretEncoding::kRaw;
}

// Adapters are wired here by name; the core never includes an adapter header.
std::shared_ptr<const domain::Adapter> make_adapter(
    const config::TenantConfig& t, const std::string& config_source, const InputLimits& limits,
    const policy::Policy* policy, std::shared_ptr<HttpClient> http, const config::ReadFile& read,
    std::vector<config::Diagnostic>& diagnostics) {
  const std::string path = "tenants." + t.name + ".adapter_options";
  config::Node options = t.adapter_options;
  if (options.is_null()) {
    options.kind = config::Node::Kind::kMap;  // none given: an empty map, pointing at the tenant
    options.mark = t.mark;
  }
  if (t.adapter == "native") {
    std::vector<std::string> groups;
    if (policy)
      for (const policy::TargetGroup& g : policy->groups)
        groups.push_back(g.name);
    return native::make_native_adapter(limits, std::move(groups));
  }
  if (t.adapter == "generic") {
    generic::AdapterDeps deps;
    deps.http = http;
    deps.read_file = read;
    deps.limits = limits;
    auto adapter = generic::make_generic_adapter(
        options, path, std::filesystem::path(config_source).parent_path().string(), std::move(deps),
        diagnostics);
    return adapter;
  }
  if (t.signature.scheme == "mapping")
    diagnostics.push_back(
        {t.mark, "tenants." + t.name + ".signature.scheme",
         "scheme mapping needs adapter: generic with a mapping that declares its signature"});
  if (t.adapter == "webcruiter") {
    webcruiter::AdapterDeps deps;
    deps.http = std::move(http);
    deps.read_file = read;
    deps.limits = limits;
    return webcruiter::make_webcruiter_adapter(options, path, std::move(deps), diagnostics);
  }
  diagnostics.push_back({t.mark, "tenants." + t.name + ".adapter",
                         "the " + t.adapter + " adapter is not available yet"});
  return nullptr;
}

// For scheme "mapping": the adapter verifies in parse(); the app's check lets all through.
class MappingVerifier final : public webhook::Verifier {
 public:
  Status verify(const webhook::HeaderLookup&, std::string_view, std::int64_t) const override {
    return Status{};
  }
  std::vector<std::pair<std::string, std::string>> sign(std::string_view, std::string_view,
                                                        std::int64_t) const override {
    return {};
  }
  std::optional<std::string> event_id_from_headers(const webhook::HeaderLookup&) const override {
    return std::nullopt;
  }
};

}  // namespace

Result<std::unique_ptr<webhook::Verifier>> make_verifier(const config::SignatureConfig& signature,
                                                         const config::ReadFile& read) {
  // mapping: the adapter verifies in parse(); shared_key: Ingest compares the key itself.
  if (signature.scheme == "mapping" || signature.scheme == "shared_key")
    return std::unique_ptr<webhook::Verifier>(std::make_unique<MappingVerifier>());
  std::vector<webhook::Secret> secrets;
  for (const config::SecretRef& ref : signature.secrets) {
    Result<std::string> text = config::resolve_secret(ref, read);
    if (!text.ok()) return text.status();
    Result<webhook::Secret> secret =
        signature.scheme == "standard_webhooks"
            ? webhook::parse_standard_webhooks_secret(*text)
            : webhook::decode_secret(*text, secret_encoding(signature.secret_encoding));
    if (!secret.ok())
      return invalid_argument("the secret in " + ref.describe() +
                              " is not valid: " + secret.status().message());
    secrets.push_back(std::move(*secret));
  }
  if (signature.scheme == "standard_webhooks") {
    webhook::StandardWebhooksOptions options;
    options.secrets = std::move(secrets);
    options.tolerance = std::chrono::seconds(signature.tolerance_seconds);
    return webhook::make_standard_webhooks_verifier(std::move(options));
  }
  webhook::HmacHeaderScheme scheme;
  scheme.header = signature.header;
  scheme.algorithm = algorithm(signature.algorithm);
  scheme.encoding = signature.encoding == "base64" ? webhook::SignatureEncoding::kBase64
                                                   : webhook::SignatureEncoding::kHex;
  scheme.prefix = signature.prefix;
  scheme.secrets = std::move(secrets);
  return webhook::make_hmac_header_verifier(std::move(scheme));
}

std::shared_ptr<HttpClient> make_ats_http_client(const config::ServiceConfig& config) {
  outbound::CurlHttpClientOptions options;
  options.ca_file = config.outbound_ca_file;
  return outbound::make_curl_http_client(std::move(options));
}

TenantsLoad build_tenants(const config::ServiceConfig& config, std::shared_ptr<HttpClient> http,
                          const config::ReadFile& read, outbound::RequestBudgets* budgets) {
  TenantsLoad out;
  auto tenants = std::make_shared<TenantMap>();
  for (const config::TenantConfig& t : config.tenants) {
    const std::string path = "tenants." + t.name;
    TenantRuntime runtime;
    runtime.config = t;
    runtime.limits = config.limits;
    config::PolicyLoad policy = config::load_policy(t.policy_path, read);
    out.diagnostics.insert(out.diagnostics.end(), policy.diagnostics.begin(),
                           policy.diagnostics.end());
    if (policy.policy)
      runtime.policy = std::make_shared<const policy::Policy>(std::move(*policy.policy));
    Result<std::unique_ptr<webhook::Verifier>> verifier = make_verifier(t.signature, read);
    if (verifier.ok())
      runtime.verifier = std::move(*verifier);
    else
      out.diagnostics.push_back({t.mark, path + ".signature", verifier.status().message()});
    std::shared_ptr<HttpClient> tenant_http = http;
    if (budgets && http) {
      outbound::BudgetLimits limits;
      limits.requests_per_minute = t.api_budget.requests_per_minute;
      limits.burst = t.api_budget.burst;
      limits.max_wait = std::chrono::seconds(t.api_budget.max_wait_seconds);
      runtime.budget = budgets->get(t.name, limits);
      tenant_http = outbound::make_budgeted_client(http, runtime.budget);
    }
    runtime.adapter = make_adapter(t, config.source, config.limits, runtime.policy.get(),
                                   tenant_http, read, out.diagnostics);
    if (t.signature.scheme == "shared_key") {
      for (const config::SecretRef& ref : t.signature.secrets) {
        if (Result<std::string> key = config::resolve_secret(ref, read); !key.ok())
          out.diagnostics.push_back({t.mark, path + ".signature", key.status().message()});
        else if (key->size() < 16)
          out.diagnostics.push_back(
              {t.mark, path + ".signature",
               "the shared key in " + ref.describe() +
                   " is shorter than 16 characters: use a long random value"});
        else
          runtime.shared_keys.push_back(std::move(*key));
      }
      if (runtime.adapter && !runtime.adapter->fetches())
        out.diagnostics.push_back(
            {t.mark, path + ".signature.scheme",
             "scheme shared_key takes ID-only hooks, which need an adapter with an API to fetch "
             "from (adapter_options.api)"});
    }
    if (t.api_token) {
      if (Result<std::string> token = config::resolve_secret(*t.api_token, read); token.ok())
        runtime.api_token = std::move(*token);
      else
        out.diagnostics.push_back({t.mark, path + ".api_token", token.status().message()});
    }
    if (auto p = load_pseudonyms(t.pseudonyms, read); p.ok())
      runtime.pseudonyms = std::move(*p);
    else
      out.diagnostics.push_back({t.mark, path + ".pseudonyms", p.status().message()});
    Result<notify::Templates> templates = notify::Templates::load(t.email_templates);
    if (templates.ok())
      runtime.email_templates = std::make_shared<const notify::Templates>(std::move(*templates));
    else
      out.diagnostics.push_back({t.mark, path + ".email_templates", templates.status().message()});
    tenants->emplace(t.name, std::move(runtime));
  }
  if (out.diagnostics.empty()) out.tenants = std::move(tenants);
  return out;
}

}  // namespace mangfold::app
