#include "connector/app/api.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>

#include <algorithm>

#include "connector/app/worker_pool.hpp"
#include "connector/common/codec.hpp"
#include "connector/ingest/ingest.hpp"
#include "connector/report/report.hpp"

namespace mangfold::app {

namespace {

// Why a request target does not parse, naming the query parameter when one is to blame. A
// name is quoted only when it is a plain word (the known parameters are): never a value.
std::string unreadable_query_detail(std::string_view target) {
  const std::size_t q = target.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = piece.find('=');
    const std::string_view name = piece.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    const bool plain =
        !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
        });
    if (!plain && !boost::urls::make_pct_string_view(name))
      return "a query parameter's name is not valid percent-encoding";
    if (!boost::urls::make_pct_string_view(value))
      return plain ? "query parameter '" + std::string(name) +
                         "' is not valid percent-encoding (a '%' must be followed by two hex "
                         "digits)"
                   : "a query parameter is not valid percent-encoding";
  }
  return "the request target is not a valid URL path and query";
}

}  // namespace

namespace {

http::Response ok_response(std::string content_type, std::string body) {
  http::Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

// The bearer token from an Authorization header, or "".
std::string_view bearer(const http::Request& request) {
  std::optional<std::string_view> value = request.header("Authorization");
  if (!value) return {};
  std::string_view v = *value;
  constexpr std::string_view kScheme = "Bearer ";
  if (v.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(v[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i])))
      return {};
  return v.substr(kScheme.size());
}

}  // namespace

void handle_api(ApiContext& context, std::string_view path, const http::Request& request,
                http::Respond respond) {
  // /v1/tenants/{tenant}/{endpoint}
  constexpr std::string_view kPrefix = "/v1/tenants/";
  std::string_view rest = path.substr(kPrefix.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos)
    return respond(
        http::error_response(404, "not_found", "use /v1/tenants/{tenant}/report or …/vacancies"));
  const std::string tenant(rest.substr(0, slash));
  const std::string endpoint(rest.substr(slash + 1));
  if (endpoint != "report" && endpoint != "vacancies")
    return respond(
        http::error_response(404, "not_found", "use /v1/tenants/{tenant}/report or …/vacancies"));
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = http::error_response(405, "method_not_allowed", "use GET");
    r.headers.push_back({"Allow", "GET"});
    return respond(std::move(r));
  }

  std::shared_ptr<const TenantMap> tenants = context.ingest.tenants();
  const auto found = tenants->find(tenant);
  // The same answer for an unknown tenant and a wrong token: a token never tells whether
  // another tenant exists.
  const std::string_view token = bearer(request);
  if (found == tenants->end() || found->second.api_token.empty() || token.empty() ||
      !codec::constant_time_equal(token, found->second.api_token)) {
    http::Response r =
        http::error_response(401, "unauthorized", "send this tenant's API token as a Bearer token");
    r.headers.push_back({"WWW-Authenticate", "Bearer realm=\"mangfold\""});
    return respond(std::move(r));
  }

  // Query parameters, decoded.
  auto params = std::make_shared<std::map<std::string, std::string, std::less<>>>();
  auto url = boost::urls::parse_origin_form(request.target);
  if (!url) {
    // Refused rather than read without its parameters: a report for another period than the
    // one asked for would look right and be wrong.
    return respond(http::error_response(400, "bad_query", unreadable_query_detail(request.target)));
  }
  for (auto p : url->params())
    (*params)[std::string(p.key)] = std::string(p.value);

  std::map<std::string, std::string, std::less<>> labels;
  for (const policy::TargetGroup& g : found->second.policy->groups)
    labels[g.name] = g.label.empty() ? g.name : g.label;

  const std::string organisation = found->second.config.display_name;
  const bool queued = context.pool.post(
      [&context, tenant, endpoint, params, labels, organisation, respond, tenants] {
        if (endpoint == "vacancies") {
          Result<std::string> body =
              report::vacancies_json(context.store, tenant, context.suppression_threshold);
          if (!body.ok()) return respond(http::error_response(body.status()));
          return respond(ok_response("application/json", std::move(*body)));
        }
        const report::ParamLookup lookup =
            [params](std::string_view name) -> std::optional<std::string> {
          auto it = params->find(name);
          if (it == params->end()) return std::nullopt;
          return it->second;
        };
        Result<report::HttpReport> r =
            report::http_report(context.store, tenant, lookup, context.now(),
                                context.suppression_threshold, labels, organisation);
        if (!r.ok()) return respond(http::error_response(r.status()));
        respond(ok_response(r->content_type, std::move(r->body)));
      });
  if (!queued) respond(http::error_response(unavailable("busy; retry later")));
}

}  // namespace mangfold::app
