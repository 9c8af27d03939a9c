#include "adapters/generic/generic_adapter.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "adapters/common/json_reader.hpp"
#include "adapters/generic/api_client.hpp"
#include "adapters/generic/body_signature.hpp"
#include "adapters/generic/evaluator.hpp"
#include "adapters/generic/json_path.hpp"
#include "adapters/generic/mapping.hpp"
#include "adapters/generic/values.hpp"
#include "connector/config/decoder.hpp"
#include "connector/config/service_config.hpp"

namespace mangfold::generic {

namespace {

std::string source_of(const Expr& e) {
  switch (e.source) {
    case Expr::Source::kHeader:
      return "header " + e.header;
    case Expr::Source::kPointer:
      return e.pointer.text;
    default:
      return e.path;
  }
}

bool printable(std::string_view v) {
  for (char c : v)
    if (c < 0x20 || c > 0x7E) return false;
  return true;
}

class GenericAdapter final : public domain::Adapter {
 public:
  GenericAdapter(Mapping mapping, std::vector<webhook::Secret> secrets, std::string authorization,
                 AdapterDeps deps)
      : mapping_(std::move(mapping)), secrets_(std::move(secrets)), deps_(std::move(deps)) {
    // Under trust: sender_only the body is not signed at all; the loader allows only thin
    // events then, whose one read (which vacancy to fetch) cannot change a verdict's data.
    if (mapping_.signature && mapping_.signature->trust == SignatureSpec::Trust::kContent) {
      covered_ = covered_pointers(*mapping_.signature);
      checks_coverage_ = !covered_.empty();
    }
    if (mapping_.api)
      api_.emplace(*mapping_.api, deps_.http, std::move(authorization), deps_.limits);
  }
  GenericAdapter(const GenericAdapter&) = delete;
  GenericAdapter& operator=(const GenericAdapter&) = delete;

  std::string_view name() const override { return "generic"; }

  Result<domain::InboundEvent> parse(const domain::InboundRequest& request) const override {
    // An activation handshake comes before any signature exists (SmartRecruiters sends the
    // secret to echo in it): answered at once, and nothing else is done for it.
    if (mapping_.handshake) {
      if (std::optional<std::string_view> h = request.header(mapping_.handshake->header)) {
        if (h->empty() || h->size() > 512 || !printable(*h))
          return invalid_argument("the handshake header " + mapping_.handshake->header +
                                  " must be 1 to 512 printable ASCII characters");
        domain::InboundEvent out;
        out.type = "handshake";
        domain::InboundEvent::Reply reply;
        reply.status = mapping_.handshake->status;
        if (mapping_.handshake->echo)
          reply.headers.emplace_back(mapping_.handshake->header, std::string(*h));
        out.reply = std::move(reply);
        return out;
      }
    }
    const SignatureSpec* sig = mapping_.signature ? &*mapping_.signature : nullptr;
    // Verify before parsing whenever the signature does not need the parsed body.
    if (sig && !sig->needs_parsed_body)
      if (Status s = verify_body_signature(*sig, secrets_, request, nullptr, now()); !s.ok())
        return s;
    Result<Json> read = adapters::read_json(request.body, deps_.limits);
    // A signature inside the body is read from the parsed body: a body that cannot be read
    // by the rules (a key twice, a number out of range, too deep) cannot be authenticated.
    if (!read.ok() && sig && sig->needs_parsed_body &&
        read.status().code() == StatusCode::kUnprocessable)
      return unauthenticated("cannot take the signed content from the body: " +
                             read.status().message());
    if (!read.ok()) return read.status();
    Json doc = std::move(read).value();
    if (sig && sig->needs_parsed_body)
      if (Status s = verify_body_signature(*sig, secrets_, request, &doc, now()); !s.ok()) return s;

    Evaluator ev(doc, &request, checks_coverage_ ? &covered_ : nullptr);
    domain::InboundEvent out;
    if (mapping_.event_type) {
      std::optional<Json> type = ev.field(*mapping_.event_type, ev.root());
      if (ev.failed()) return ev.status();
      if (!type)
        return unprocessable(source_of(*mapping_.event_type) +
                             ": no event type (mapping: event.type)");
      out.type = type->get<std::string>();
    } else if (mapping_.events.front().type != "*") {
      out.type = mapping_.events.front().type;
    }
    const EventMapping* event = mapping_.event(out.type);
    if (!event) {
      // The type itself is not quoted: it comes from the sender.
      const std::string from = mapping_.event_type ? source_of(*mapping_.event_type) : "event.type";
      return unprocessable(
          from + ": this event type has no entry under events (add it, or \"*\" for any other)");
    }
    if (event->kind == EventMapping::Kind::kIgnore)
      return already_exists("the mapping ignores this event type (" + event->path + ")");
    if (!mapping_.ignore_when.empty() && ev.matches(mapping_.ignore_when, ev.root(), ev.root()))
      return already_exists("the mapping ignores this event (event.ignore_when)");
    if (ev.failed()) return ev.status();
    if (!event->ignore_when.empty() && ev.matches(event->ignore_when, ev.root(), ev.root()))
      return already_exists("the mapping ignores this event (" + event->path + ".ignore_when)");
    if (ev.failed()) return ev.status();
    if (const std::optional<Expr>& id = event->id ? event->id : mapping_.event_id) {
      std::optional<Json> value = ev.field(*id, ev.root());
      if (ev.failed()) return ev.status();
      if (value) out.id = value->get<std::string>();
    }
    if (event->kind == EventMapping::Kind::kSnapshot) {
      Result<domain::Snapshot> snapshot = map_snapshot(*event->snapshot, ev);
      if (!snapshot.ok()) return snapshot.status();
      out.vacancy_id = snapshot->vacancy.id;
      out.snapshot = std::move(snapshot).value();
      return out;
    }
    if (event->lookup) {
      std::optional<Json> named = ev.field(*event->lookup, ev.root());
      if (ev.failed()) return ev.status();
      out.vacancy_id = remember_lookup(named->get<std::string>());
      return out;
    }
    std::optional<Json> vacancy = ev.field(*event->vacancy_id, ev.root());
    if (ev.failed()) return ev.status();
    out.vacancy_id = vacancy->get<std::string>();
    return out;
  }

  bool fetches() const override {
    return api_ && mapping_.api->snapshot && !mapping_.api->requests.empty();
  }
  bool writes_ads() const override { return api_ && mapping_.api->write_ad.has_value(); }

  Result<domain::Snapshot> fetch_snapshot(std::string_view vacancy_id) const override {
    if (!api_ || !mapping_.api->snapshot || mapping_.api->requests.empty())
      return failed_precondition("the mapping " + mapping_.file +
                                 " has no api.fetch to get a vacancy from");
    // A lookup event names an application: its vacancy comes from api.lookup first.
    std::string looked_up;
    if (vacancy_id.rfind(kLookupPrefix, 0) == 0) {
      std::optional<std::string> named = take_lookup(vacancy_id);
      if (!named) return unavailable("the looked-up application is no longer known; retry");
      Result<std::string> id = api_->lookup(*named);
      if (!id.ok()) return id.status();
      looked_up = std::move(id).value();
      vacancy_id = looked_up;
    }
    Result<Json> docs = api_->fetch(vacancy_id);
    if (!docs.ok()) return docs.status();
    Evaluator ev(*docs);
    std::vector<Evaluator::Scope> elements;
    Result<domain::Snapshot> snapshot = map_snapshot(*mapping_.api->snapshot, ev, &elements);
    if (!snapshot.ok())
      return Status(snapshot.status().code(),
                    "in the fetched documents: " + snapshot.status().message());
    if (snapshot->vacancy.id != vacancy_id)
      return unprocessable("the fetched vacancy's id differs from the one asked for (mapping: " +
                           mapping_.api->snapshot->path + ".vacancy.id)");
    if (mapping_.api->answers)
      if (Status s = add_answers(*mapping_.api->answers, vacancy_id, ev, elements, *snapshot);
          !s.ok())
        return s;
    return snapshot;
  }

  Status write_ad(std::string_view vacancy_id, const domain::JobAd& ad,
                  std::string_view request_id) const override {
    if (!api_ || !mapping_.api->write_ad)
      return failed_precondition("the mapping " + mapping_.file +
                                 " has no api.write_ad to write ads back with");
    return api_->write_ad(vacancy_id, ad, request_id);
  }

 private:
  std::int64_t now() const {
    if (deps_.now_unix) return deps_.now_unix();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // api.answers: one request per application (those `where` holds for), bounded concurrency;
  // the answers go into the snapshot and the responses are dropped when this returns.
  Status add_answers(const AnswersSpec& as, std::string_view vacancy_id, Evaluator& docs,
                     const std::vector<Evaluator::Scope>& elements,
                     domain::Snapshot& snapshot) const {
    std::vector<const Json*> asked;
    std::vector<std::size_t> index;  // into snapshot.applications
    for (std::size_t i = 0; i < elements.size() && i < snapshot.applications.size(); ++i) {
      // The element again, by its absolute pointer in the fetched documents (the mapping's
      // scopes may have pointed into copies that are gone by now).
      std::string error;
      std::optional<Pointer> p = parse_pointer(elements[i].path, error);
      const Json* node = p ? resolve(*docs.root().node, *p) : nullptr;
      if (!node) return internal_error("an application's element is no longer found");
      const Evaluator::Scope element{node, elements[i].path};
      if (!as.where.empty() && !docs.matches(as.where, element, docs.root())) continue;
      asked.push_back(node);
      index.push_back(i);
    }
    if (docs.failed())
      return Status(docs.status().code(), "in the fetched documents: " + docs.status().message());
    if (asked.empty()) return Status{};
    Result<std::vector<Json>> responses = api_->fetch_answers(vacancy_id, asked);
    if (!responses.ok()) return responses.status();
    for (std::size_t k = 0; k < responses->size(); ++k) {
      const Json& response = (*responses)[k];
      if (response.is_null()) continue;  // skipped or 404: the answers stay unknown
      Evaluator ev(response);
      domain::Application& a = snapshot.applications[index[k]];
      for (const auto& [group, e] : as.answers)
        if (std::optional<Json> ans = ev.field(e, ev.root()))
          a.answers.insert_or_assign(group, *domain::answer_from_string(ans->get<std::string>()));
      // Names the application by its place in the listing, never by an id or a value.
      if (ev.failed())
        return Status(ev.status().code(), "in the answers fetched for application " +
                                              std::to_string(index[k] + 1) + ": " +
                                              ev.status().message());
    }
    return Status{};
  }

  // What a lookup event named (an application id: personal data) never leaves the adapter:
  // the event carries an opaque token instead, which fetch_snapshot exchanges once.
  static constexpr std::string_view kLookupPrefix = "lookup:";
  static constexpr std::size_t kMaxPendingLookups = 10000;
  std::string remember_lookup(std::string named) const {
    std::lock_guard<std::mutex> lock(lookups_mutex_);
    const std::string token = std::string(kLookupPrefix) + std::to_string(++lookup_counter_);
    if (lookup_order_.size() >= kMaxPendingLookups) {
      lookups_.erase(lookup_order_.front());
      lookup_order_.pop_front();
    }
    lookups_.emplace(token, std::move(named));
    lookup_order_.push_back(token);
    return token;
  }
  std::optional<std::string> take_lookup(std::string_view token) const {
    std::lock_guard<std::mutex> lock(lookups_mutex_);
    auto it = lookups_.find(std::string(token));
    if (it == lookups_.end()) return std::nullopt;
    return it->second;  // kept: a retried fetch of the same event may ask again
  }

  mutable std::mutex lookups_mutex_;
  mutable std::unordered_map<std::string, std::string> lookups_;
  mutable std::deque<std::string> lookup_order_;
  mutable std::uint64_t lookup_counter_ = 0;

  Mapping mapping_;
  std::vector<webhook::Secret> secrets_;
  AdapterDeps deps_;
  std::vector<std::string> covered_;
  bool checks_coverage_ = false;
  std::optional<ApiClient> api_;  // refers to mapping_.api: the adapter is never moved
};

std::optional<Mapping> load(const std::string& path, const config::ReadFile& read,
                            std::vector<config::Diagnostic>& diagnostics) {
  Result<std::string> text = read(path);
  if (!text.ok()) {
    diagnostics.push_back(
        {config::Mark{path, 1, 1}, "", "cannot read the mapping file: " + text.status().message()});
    return std::nullopt;
  }
  std::optional<config::Node> root = config::parse_document(*text, path, diagnostics);
  if (!root) return std::nullopt;
  return decode_mapping(*root, path, diagnostics);
}

// A value that can stand in a host label or a path segment without changing either's
// meaning: RFC 3986 unreserved characters only, not "." or "..".
bool acceptable_config_value(std::string_view v) {
  if (v.empty() || v.size() > 128 || v == "." || v == "..") return false;
  for (char c : v)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
          c == '~'))
      return false;
  return true;
}

// Fills api.base_url's {config:name} placeholders with the tenant's values.
void apply_config_values(ApiSpec& api, const std::vector<ConfigValue>& values,
                         std::vector<config::Diagnostic>& diagnostics) {
  for (const ConfigValue& v : values)
    if (std::find(api.base_url_config.begin(), api.base_url_config.end(), v.name) ==
        api.base_url_config.end())
      diagnostics.push_back(
          {v.mark, v.path, "the mapping's api.base_url uses no {config:" + v.name + "}"});
  if (api.base_url_config.empty()) return;
  std::string error;
  std::optional<Template> t = parse_template(api.base_url, kAllowConfig, error);
  if (!t) return;  // the loader reported it
  std::string url;
  for (const TemplatePart& part : t->parts) {
    if (part.kind != TemplatePart::Kind::kConfig) {
      url += part.text;
      continue;
    }
    auto it = std::find_if(values.begin(), values.end(),
                           [&](const ConfigValue& v) { return v.name == part.text; });
    if (it == values.end()) {
      diagnostics.push_back({api.base_url_mark, "api.base_url",
                             "uses {config:" + part.text +
                                 "}: give its value in the tenant's adapter_options, e.g. "
                                 "config: {" +
                                 part.text + ": \"12345\"}"});
      return;
    }
    if (!acceptable_config_value(it->value)) {
      diagnostics.push_back({it->mark, it->path,
                             "expected 1 to 128 letters, digits, '-', '.', '_' or '~' (it goes "
                             "into the API's URL)"});
      return;
    }
    url += it->value;
  }
  if (!acceptable_url_origin(url)) {
    diagnostics.push_back({api.base_url_mark, "api.base_url",
                           "with the tenant's values this is not an https:// URL"});
    return;
  }
  api.base_url = std::move(url);
  api.base_url_config.clear();
}

}  // namespace

std::unique_ptr<domain::Adapter> load_generic_adapter(
    const std::string& mapping_path, AdapterDeps deps,
    std::vector<config::Diagnostic>& diagnostics) {
  if (!deps.read_file) deps.read_file = config::read_file;
  const std::size_t before = diagnostics.size();
  std::optional<Mapping> mapping = load(mapping_path, deps.read_file, diagnostics);
  if (!mapping) return nullptr;
  std::vector<webhook::Secret> secrets;
  if (mapping->signature) {
    const SignatureSpec& sig = *mapping->signature;
    for (std::size_t i = 0; i < sig.secret_refs.size(); ++i) {
      const config::SecretRef& ref = sig.secret_refs[i];
      Result<std::string> text = config::resolve_secret(ref, deps.read_file);
      Result<webhook::Secret> secret = text.ok()
                                           ? webhook::decode_secret(*text, sig.secret_encoding)
                                           : Result<webhook::Secret>(text.status());
      if (secret.ok())
        secrets.push_back(std::move(*secret));
      else
        diagnostics.push_back(
            {sig.secret_marks[i], "signature",
             "the secret in " + ref.describe() + " cannot be used: " + secret.status().message()});
    }
  }
  std::string authorization;
  if (mapping->api && mapping->api->auth.type != AuthSpec::Type::kNone) {
    const AuthSpec& auth = mapping->api->auth;
    Result<std::string> secret = config::resolve_secret(auth.secret, deps.read_file);
    if (secret.ok())
      authorization = authorization_value(auth, *secret);
    else
      diagnostics.push_back(
          {auth.mark, auth.path + ".secret",
           "cannot read " + auth.secret.describe() + ": " + secret.status().message()});
  }
  if (mapping->api) apply_config_values(*mapping->api, deps.config_values, diagnostics);
  if (diagnostics.size() != before) return nullptr;
  return std::make_unique<GenericAdapter>(std::move(*mapping), std::move(secrets),
                                          std::move(authorization), std::move(deps));
}

std::unique_ptr<domain::Adapter> make_generic_adapter(
    const config::Node& options, const std::string& path, const std::string& base_dir,
    AdapterDeps deps, std::vector<config::Diagnostic>& diagnostics) {
  if (options.is_null()) {
    diagnostics.push_back(
        {options.mark, path, "adapter: generic needs adapter_options: {mapping: PATH}"});
    return nullptr;
  }
  config::Decoder d;
  std::string mapping;
  if (d.expect_map(options, path)) {
    d.check_keys(options, path, {"mapping", "config"});
    if (const config::Node* m = d.require(options, "mapping", path))
      mapping = d.string(*m, config::join_path(path, "mapping")).value_or("");
    // config: {account_id: "12345"}: values for the mapping's {config:name} placeholders.
    const std::string cpath = config::join_path(path, "config");
    if (const config::Node* c = options.get("config"); c && d.expect_map(*c, cpath))
      for (const auto& [k, v] : c->entries) {
        const std::string vpath = config::join_path(cpath, k.scalar);
        std::optional<std::string> value;
        if (v.is_scalar() && v.scalar_type == config::Node::ScalarType::kInteger)
          value = v.scalar;  // an account id written as a number
        else
          value = d.string(v, vpath);
        if (value) deps.config_values.push_back({k.scalar, *value, v.mark, vpath});
      }
  }
  if (!d.ok()) {
    diagnostics.insert(diagnostics.end(), d.diagnostics().begin(), d.diagnostics().end());
    return nullptr;
  }
  if (!std::filesystem::path(mapping).is_absolute() && !base_dir.empty())
    mapping = (std::filesystem::path(base_dir) / mapping).lexically_normal().generic_string();
  return load_generic_adapter(mapping, std::move(deps), diagnostics);
}

std::vector<config::Diagnostic> check_mapping_file(const std::string& path,
                                                   const config::ReadFile& read) {
  std::vector<config::Diagnostic> diagnostics;
  load(path, read ? read : config::ReadFile(config::read_file), diagnostics);
  return diagnostics;
}

bool is_mapping_file(const config::Node& root) {
  return root.is_map() && root.get("mapping_version") != nullptr;
}

Result<MappingSummary> describe_mapping_file(const std::string& path,
                                             const config::ReadFile& read) {
  std::vector<config::Diagnostic> diagnostics;
  std::optional<Mapping> m =
      load(path, read ? read : config::ReadFile(config::read_file), diagnostics);
  if (!m) return config::to_status(diagnostics);
  MappingSummary s;
  s.name = m->name;
  s.event_types = static_cast<int>(m->events.size());
  s.verifies_signature = m->signature.has_value();
  s.fetches = m->api && m->api->snapshot && !m->api->requests.empty();
  s.writes_ads = m->api && m->api->write_ad.has_value();
  s.warnings = m->warnings;
  return s;
}

}  // namespace mangfold::generic
