#include "connector/config/service_config.hpp"

#include <cstdlib>
#include <filesystem>

#include "connector/config/decoder.hpp"

namespace mangfold::config {

namespace fs = std::filesystem;

namespace {

std::string resolve_path(const std::string& base_file, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(base_file).parent_path() / p).lexically_normal().generic_string();
}

std::optional<SecretRef> decode_secret_ref(const Node& n, const std::string& path,
                                           const std::string& file, Decoder& d) {
  if (!d.expect_map(n, path)) return std::nullopt;
  d.check_keys(n, path, {"env", "file"});
  SecretRef ref;
  if (const Node* e = n.get("env")) ref.env = d.string(*e, join_path(path, "env")).value_or("");
  if (const Node* f = n.get("file"))
    ref.file = resolve_path(file, d.string(*f, join_path(path, "file")).value_or(""));
  if (ref.env.empty() == ref.file.empty()) {
    d.error(n, path, "give exactly one of env or file (secrets never stand in the config itself)");
    return std::nullopt;
  }
  return ref;
}

void decode_pseudonyms(const Node& n, const std::string& path, const std::string& file, Decoder& d,
                       PseudonymConfig& out) {
  if (!d.expect_map(n, path)) return;
  d.check_keys(n, path, {"key", "previous_keys"});
  if (const Node* v = d.require(n, "key", path))
    if (auto ref = decode_secret_ref(*v, join_path(path, "key"), file, d)) out.key = *ref;
  if (const Node* v = n.get("previous_keys")) {
    const std::string ppath = join_path(path, "previous_keys");
    if (!v->is_sequence()) {
      d.error(*v, ppath,
              "expected a list of secret references, got " + std::string(v->type_name()));
      return;
    }
    for (size_t i = 0; i < v->items.size(); ++i)
      if (auto ref = decode_secret_ref(v->items[i], ppath + "[" + std::to_string(i) + "]", file, d))
        out.previous_keys.push_back(*ref);
  }
}

SignatureConfig decode_signature(const Node& n, const std::string& path, const std::string& file,
                                 Decoder& d) {
  SignatureConfig s;
  if (!d.expect_map(n, path)) return s;
  d.check_keys(n, path,
               {"scheme", "header", "algorithm", "encoding", "prefix", "secret_encoding", "secret",
                "secrets", "tolerance_seconds"});
  auto str = [&](const char* key, std::string& out) {
    if (const Node* v = n.get(key)) out = d.string(*v, join_path(path, key)).value_or(out);
  };
  if (const Node* v = n.get("scheme"))
    s.scheme =
        d.choice<std::string>(
             *v, join_path(path, "scheme"),
             {{"standard_webhooks", "standard_webhooks"}, {"hmac", "hmac"}, {"mapping", "mapping"}})
            .value_or(s.scheme);
  str("header", s.header);
  str("prefix", s.prefix);
  if (const Node* v = n.get("algorithm"))
    s.algorithm =
        d.choice<std::string>(*v, join_path(path, "algorithm"),
                              {{"sha1", "sha1"}, {"sha256", "sha256"}, {"sha512", "sha512"}})
            .value_or(s.algorithm);
  if (const Node* v = n.get("encoding"))
    s.encoding = d.choice<std::string>(*v, join_path(path, "encoding"),
                                       {{"hex", "hex"}, {"base64", "base64"}})
                     .value_or(s.encoding);
  if (const Node* v = n.get("secret_encoding"))
    s.secret_encoding =
        d.choice<std::string>(*v, join_path(path, "secret_encoding"),
                              {{"raw", "raw"}, {"hex", "hex"}, {"base64", "base64"}})
            .value_or(s.secret_encoding);
  if (const Node* v = n.get("tolerance_seconds"))
    s.tolerance_seconds = static_cast<int>(
        d.integer(*v, join_path(path, "tolerance_seconds"), 1, 86400).value_or(300));
  if (const Node* v = n.get("secret"))
    if (auto ref = decode_secret_ref(*v, join_path(path, "secret"), file, d))
      s.secrets.push_back(*ref);
  if (const Node* v = n.get("secrets")) {
    const std::string spath = join_path(path, "secrets");
    if (!v->is_sequence())
      d.error(*v, spath,
              "expected a list of secret references, got " + std::string(v->type_name()));
    else
      for (size_t i = 0; i < v->items.size(); ++i)
        if (auto ref =
                decode_secret_ref(v->items[i], spath + "[" + std::to_string(i) + "]", file, d))
          s.secrets.push_back(*ref);
  }
  // scheme mapping: the generic adapter's mapping file verifies the signature itself.
  if (s.secrets.empty() && s.scheme != "mapping")
    d.error(n, path, "no secret: add secret: {env: NAME} or secret: {file: PATH}");
  return s;
}

void decode_tenants(const Node& n, ServiceConfig& c, const std::string& file, Decoder& d) {
  if (!d.expect_map(n, "tenants")) return;
  if (n.entries.empty()) d.error(n, "tenants", "no tenants configured");
  for (const auto& [key, value] : n.entries) {
    const std::string path = join_path("tenants", key.scalar);
    TenantConfig t;
    t.mark = key.mark;
    t.name = d.identifier(key, path).value_or("");
    if (!d.expect_map(value, path)) continue;
    d.check_keys(value, path,
                 {"adapter", "adapter_options", "policy", "signature", "success_status",
                  "body_limit", "api_token", "pseudonyms"});
    if (const Node* v = value.get("email_templates"))
      t.email_templates =
          resolve_path(file, d.string(*v, join_path(path, "email_templates")).value_or(""));
    if (const Node* v = value.get("adapter_options")) {
      if (d.expect_map(*v, join_path(path, "adapter_options"))) t.adapter_options = *v;
    }
    if (const Node* v = value.get("adapter"))
      t.adapter = d.choice<std::string>(
                       *v, join_path(path, "adapter"),
                       {{"native", "native"}, {"webcruiter", "webcruiter"}, {"generic", "generic"}})
                      .value_or(t.adapter);
    if (const Node* v = d.require(value, "policy", path))
      t.policy_path = resolve_path(file, d.string(*v, join_path(path, "policy")).value_or(""));
    if (const Node* v = d.require(value, "signature", path))
      t.signature = decode_signature(*v, join_path(path, "signature"), file, d);
    if (const Node* v = value.get("success_status")) {
      auto s = d.integer(*v, join_path(path, "success_status"), 200, 299);
      t.success_status = static_cast<int>(s.value_or(200));
    }
    if (const Node* v = value.get("body_limit"))
      t.body_limit = static_cast<std::size_t>(
          d.integer(*v, join_path(path, "body_limit"), 1024, 64L * 1024 * 1024)
              .value_or(1024 * 1024));
    if (const Node* v = value.get("api_token"))
      t.api_token = decode_secret_ref(*v, join_path(path, "api_token"), file, d);
    if (const Node* v = value.get("pseudonyms"))
      decode_pseudonyms(*v, join_path(path, "pseudonyms"), file, d, t.pseudonyms);
    else
      d.error(value, path,
              "no pseudonym key: add pseudonyms: {key: {file: PATH}} (or {env: NAME}), a secret "
              "of at least 32 characters that turns candidate ids into pseudonyms before they "
              "are stored (docs/privacy.md)");
    if (!t.name.empty()) c.tenants.push_back(std::move(t));
  }
}

void decode_service(const Node& root, ServiceConfig& c, const std::string& file, Decoder& d) {
  d.check_keys(root, "",
               {"listen", "tls", "storage", "mail", "log", "reports", "retention", "tenants"});
  if (const Node* n = root.get("reports"); n && d.expect_map(*n, "reports")) {
    d.check_keys(*n, "reports", {"suppression_threshold"});
    if (const Node* v = n->get("suppression_threshold"))
      c.suppression_threshold =
          static_cast<int>(d.integer(*v, "reports.suppression_threshold", 3, 1000)
                               .value_or(c.suppression_threshold));
  }
  if (const Node* n = root.get("retention"); n && d.expect_map(*n, "retention")) {
    d.check_keys(*n, "retention", {"vacancy_days"});
    if (const Node* v = n->get("vacancy_days"))
      c.retention_days = static_cast<int>(
          d.integer(*v, "retention.vacancy_days", 1, 36500).value_or(c.retention_days));
  }
  if (const Node* n = root.get("listen"); n && d.expect_map(*n, "listen")) {
    d.check_keys(*n, "listen",
                 {"address", "port", "threads", "header_timeout_seconds", "body_timeout_seconds",
                  "idle_timeout_seconds", "max_connections"});
    auto seconds = [&](const char* key, int& out) {
      if (const Node* v = n->get(key))
        out = static_cast<int>(d.integer(*v, join_path("listen", key), 1, 3600).value_or(out));
    };
    seconds("header_timeout_seconds", c.header_timeout_seconds);
    seconds("body_timeout_seconds", c.body_timeout_seconds);
    seconds("idle_timeout_seconds", c.idle_timeout_seconds);
    if (const Node* v = n->get("max_connections"))
      c.max_connections = static_cast<int>(
          d.integer(*v, "listen.max_connections", 1, 1'000'000).value_or(c.max_connections));
    if (const Node* v = n->get("address"))
      c.address = d.string(*v, "listen.address").value_or(c.address);
    if (const Node* v = n->get("port"))
      c.port = static_cast<std::uint16_t>(d.integer(*v, "listen.port", 0, 65535).value_or(c.port));
    if (const Node* v = n->get("threads"))
      c.threads = static_cast<int>(d.integer(*v, "listen.threads", 1, 256).value_or(c.threads));
  }
  if (const Node* n = root.get("tls"); n && d.expect_map(*n, "tls")) {
    d.check_keys(*n, "tls", {"certificate", "private_key"});
    if (const Node* v = d.require(*n, "certificate", "tls"))
      c.tls_certificate = resolve_path(file, d.string(*v, "tls.certificate").value_or(""));
    if (const Node* v = d.require(*n, "private_key", "tls"))
      c.tls_private_key = resolve_path(file, d.string(*v, "tls.private_key").value_or(""));
  }
  if (const Node* n = root.get("storage"); n && d.expect_map(*n, "storage")) {
    d.check_keys(*n, "storage", {"sqlite", "dedupe_retention_days", "reconcile_interval_seconds"});
    if (const Node* v = n->get("reconcile_interval_seconds"))
      c.reconcile_interval_seconds = static_cast<int>(
          d.integer(*v, "storage.reconcile_interval_seconds", 0, 7 * 24 * 3600).value_or(3600));
    if (const Node* v = n->get("sqlite"))
      c.sqlite_path = resolve_path(file, d.string(*v, "storage.sqlite").value_or(c.sqlite_path));
    if (const Node* v = n->get("dedupe_retention_days"))
      c.dedupe_retention_days =
          static_cast<int>(d.integer(*v, "storage.dedupe_retention_days", 1, 365).value_or(7));
  } else {
    c.sqlite_path = resolve_path(file, c.sqlite_path);
  }
  if (const Node* n = root.get("mail"); n && d.expect_map(*n, "mail")) {
    d.check_keys(*n, "mail", {"spool_dir", "smtp_url", "username", "password", "from"});
    if (const Node* v = n->get("spool_dir"))
      c.mail_spool_dir = d.string(*v, "mail.spool_dir").value_or(c.mail_spool_dir);
    if (const Node* v = n->get("smtp_url")) c.smtp_url = d.string(*v, "mail.smtp_url").value_or("");
    if (const Node* v = n->get("username"))
      c.smtp_username = decode_secret_ref(*v, "mail.username", file, d);
    if (const Node* v = n->get("password"))
      c.smtp_password = decode_secret_ref(*v, "mail.password", file, d);
    if (const Node* v = n->get("from"))
      c.mail_from = d.string(*v, "mail.from").value_or(c.mail_from);
    if (!c.smtp_url.empty() && c.smtp_url.rfind("smtp://", 0) != 0 &&
        c.smtp_url.rfind("smtps://", 0) != 0)
      d.error(*n->get("smtp_url"), "mail.smtp_url", "expected an smtp:// or smtps:// URL");
  }
  c.mail_spool_dir = resolve_path(file, c.mail_spool_dir);
  if (const Node* n = root.get("log"); n && d.expect_map(*n, "log")) {
    d.check_keys(*n, "log", {"level"});
    if (const Node* v = n->get("level"))
      c.log_level =
          d.choice<std::string>(
               *v, "log.level",
               {{"debug", "debug"}, {"info", "info"}, {"warn", "warn"}, {"error", "error"}})
              .value_or(c.log_level);
  }
  if (const Node* n = d.require(root, "tenants", "")) decode_tenants(*n, c, file, d);
}

}  // namespace

std::string SecretRef::describe() const {
  return env.empty() ? "file " + file : "env " + env;
}

Result<std::string> resolve_secret(const SecretRef& ref, const ReadFile& read) {
  if (!ref.env.empty()) {
    const char* value = std::getenv(ref.env.c_str());
    if (!value || !*value) return not_found("environment variable " + ref.env + " is not set");
    return std::string(value);
  }
  Result<std::string> text = read(ref.file);
  if (!text.ok())
    return not_found("cannot read secret file " + ref.file + ": " + text.status().message());
  std::string s = std::move(text).value();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  if (s.empty()) return invalid_argument("secret file " + ref.file + " is empty");
  return s;
}

const TenantConfig* ServiceConfig::tenant(std::string_view name) const {
  for (const TenantConfig& t : tenants)
    if (t.name == name) return &t;
  return nullptr;
}

bool is_service_config(const Node& root) {
  return root.is_map() && root.get("tenants") != nullptr;
}

ServiceConfigLoad load_service_config(const std::string& path, const ReadFile& read) {
  ServiceConfigLoad out;
  Decoder d;
  Result<std::string> text = read(path);
  if (!text.ok()) {
    d.error(Mark{path, 1, 1}, "", "cannot read the file: " + text.status().message());
  } else if (std::optional<Node> root = parse_document(*text, path, d.diagnostics());
             root && d.expect_map(*root, "")) {
    ServiceConfig c;
    c.source = path;
    decode_service(*root, c, path, d);
    if (d.ok()) out.config = std::move(c);
  }
  out.diagnostics = d.diagnostics();
  return out;
}

}  // namespace mangfold::config
