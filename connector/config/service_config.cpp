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
  d.check_keys(n, path, {"env", "file", "credential"});
  SecretRef ref;
  if (const Node* e = n.get("env")) ref.env = d.string(*e, join_path(path, "env")).value_or("");
  if (const Node* f = n.get("file"))
    ref.file = resolve_path(file, d.string(*f, join_path(path, "file")).value_or(""));
  if (const Node* c = n.get("credential")) {
    ref.credential = d.string(*c, join_path(path, "credential")).value_or("");
    if (ref.credential == "." || ref.credential == ".." ||
        ref.credential.find('/') != std::string::npos) {
      d.error(*c, join_path(path, "credential"),
              "a credential is a file name in " + std::string(kSecretsDir) + ", without '/'");
      return std::nullopt;
    }
  }
  if (ref.env.empty() + ref.file.empty() + ref.credential.empty() != 2) {
    d.error(n, path,
            "give exactly one of env, file or credential (secrets never stand in the config "
            "itself)");
    return std::nullopt;
  }
  return ref;
}

// A conninfo value in single quotes, as libpq reads it.
std::string conninfo_value(const std::string& v) {
  std::string out = "'";
  for (char ch : v) {
    if (ch == '\\' || ch == '\'') out += '\\';
    out += ch;
  }
  return out + "'";
}

std::optional<PostgresConfig> decode_postgres(const Node& n, const std::string& file, Decoder& d) {
  const std::string path = "storage.postgres";
  if (!d.expect_map(n, path)) return std::nullopt;
  d.check_keys(n, path,
               {"conninfo", "host", "port", "dbname", "user", "password", "pool", "max_batch"});
  PostgresConfig pg;
  const Node* conninfo = n.get("conninfo");
  if (conninfo) pg.conninfo = d.string(*conninfo, join_path(path, "conninfo")).value_or("");
  std::string built;
  for (const char* key : {"host", "port", "dbname", "user"}) {
    const Node* v = n.get(key);
    if (!v) continue;
    if (conninfo) {
      d.error(*v, join_path(path, key), "give either conninfo or host/port/dbname/user, not both");
      continue;
    }
    std::optional<std::string> value;
    if (std::string_view(key) == "port") {
      if (auto port = d.integer(*v, join_path(path, key), 1, 65535)) value = std::to_string(*port);
    } else {
      value = d.string(*v, join_path(path, key));
    }
    if (value)
      built += (built.empty() ? "" : " ") + std::string(key) + "=" + conninfo_value(*value);
  }
  if (!conninfo) pg.conninfo = built;
  if (pg.conninfo.empty())
    d.error(n, path, "give conninfo, or host and dbname (with port and user as needed)");
  if (const Node* v = n.get("password"))
    pg.password = decode_secret_ref(*v, join_path(path, "password"), file, d);
  if (const Node* v = n.get("pool"))
    pg.pool = static_cast<int>(d.integer(*v, join_path(path, "pool"), 0, 64).value_or(pg.pool));
  if (const Node* v = n.get("max_batch"))
    pg.max_batch = static_cast<int>(
        d.integer(*v, join_path(path, "max_batch"), 1, 10000).value_or(pg.max_batch));
  return pg;
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
                "secrets", "tolerance_seconds", "field", "id_fields"});
  auto str = [&](const char* key, std::string& out) {
    if (const Node* v = n.get(key)) out = d.string(*v, join_path(path, key)).value_or(out);
  };
  if (const Node* v = n.get("scheme"))
    s.scheme = d.choice<std::string>(*v, join_path(path, "scheme"),
                                     {{"standard_webhooks", "standard_webhooks"},
                                      {"hmac", "hmac"},
                                      {"mapping", "mapping"},
                                      {"shared_key", "shared_key"}})
                   .value_or(s.scheme);
  s.header_given = n.get("header") != nullptr;
  str("header", s.header);
  str("field", s.field);
  if (const Node* v = n.get("id_fields")) {
    if (auto ids = d.strings(*v, join_path(path, "id_fields")); ids && !ids->empty())
      s.id_fields = *ids;
    else if (ids)
      d.error(*v, join_path(path, "id_fields"), "name at least one body field holding the id");
  }
  if (s.scheme == "shared_key" && s.header_given == !s.field.empty())
    d.error(n, path,
            "scheme shared_key needs where the key is: either header: NAME or field: NAME, not "
            "both");
  if (s.scheme != "shared_key" && (!s.field.empty() || n.get("id_fields")))
    d.error(n, path, "field and id_fields belong to scheme shared_key");
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
  bool bad_ref = false;
  if (const Node* v = n.get("secret")) {
    if (auto ref = decode_secret_ref(*v, join_path(path, "secret"), file, d))
      s.secrets.push_back(*ref);
    else
      bad_ref = true;
  }
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
        else
          bad_ref = true;
  }
  // scheme mapping: the generic adapter's mapping file verifies the signature itself.
  // A reference that is wrong is reported where it stands; this is for none given at all.
  if (s.secrets.empty() && s.scheme != "mapping" && !bad_ref)
    d.error(n, path, "no secret: add secret: {env: NAME}, {file: PATH} or {credential: NAME}");
  return s;
}

std::optional<ReportEmailConfig> decode_report_email(const Node& n, const std::string& path,
                                                     Decoder& d) {
  if (!d.expect_map(n, path)) return std::nullopt;
  d.check_keys(n, path, {"recipients", "language", "group_by"});
  ReportEmailConfig r;
  bool ok = true;
  if (const Node* v = d.require(n, "recipients", path)) {
    const std::string rpath = join_path(path, "recipients");
    if (v->is_scalar()) {
      if (auto e = d.email(*v, rpath))
        r.recipients.push_back(*e);
      else
        ok = false;
    } else if (!v->is_sequence()) {
      d.error(*v, rpath, "expected a list of email addresses");
      ok = false;
    } else {
      for (size_t i = 0; i < v->items.size(); ++i)
        if (auto e = d.email(v->items[i], rpath + "[" + std::to_string(i) + "]"))
          r.recipients.push_back(*e);
        else
          ok = false;
      if (v->items.empty()) {
        d.error(*v, rpath, "no recipients: give at least one email address");
        ok = false;
      }
    }
  } else {
    ok = false;
  }
  if (const Node* v = n.get("language")) {
    auto l = d.choice<std::string>(*v, join_path(path, "language"),
                                   {{"nb", "nb"}, {"nn", "nn"}, {"en", "en"}});
    if (l)
      r.language = *l;
    else
      ok = false;
  }
  if (const Node* v = n.get("group_by")) {
    auto g = d.choice<std::string>(*v, join_path(path, "group_by"),
                                   {{"month", "month"}, {"quarter", "quarter"}, {"year", "year"}});
    if (g)
      r.group_by = *g;
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return r;
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
                  "body_limit", "api_token", "pseudonyms", "display_name", "email_templates",
                  "schedule", "api_budget", "report_email"});
    if (const Node* v = value.get("schedule"); v && d.expect_map(*v, join_path(path, "schedule"))) {
      const std::string sp = join_path(path, "schedule");
      d.check_keys(*v, sp,
                   {"visit_interval_seconds", "discover_interval_seconds",
                    "follow_days_after_deadline", "hook_coalesce_seconds"});
      auto integer = [&](const char* name, long min, long max, int& out) {
        if (const Node* x = v->get(name))
          out = static_cast<int>(d.integer(*x, join_path(sp, name), min, max).value_or(out));
      };
      t.schedule_interval_given = v->get("visit_interval_seconds") != nullptr;
      integer("visit_interval_seconds", 0, 30L * 86400, t.schedule.visit_interval_seconds);
      integer("discover_interval_seconds", 1, 7L * 86400, t.schedule.discover_interval_seconds);
      integer("follow_days_after_deadline", 0, 3650, t.schedule.follow_days_after_deadline);
      integer("hook_coalesce_seconds", 0, 3600, t.schedule.hook_coalesce_seconds);
    }
    if (const Node* v = value.get("api_budget");
        v && d.expect_map(*v, join_path(path, "api_budget"))) {
      const std::string bp = join_path(path, "api_budget");
      d.check_keys(*v, bp, {"requests_per_minute", "burst", "max_wait_seconds"});
      auto integer = [&](const char* name, long min, long max, int& out) {
        if (const Node* x = v->get(name))
          out = static_cast<int>(d.integer(*x, join_path(bp, name), min, max).value_or(out));
      };
      integer("requests_per_minute", 0, 600'000, t.api_budget.requests_per_minute);
      integer("burst", 1, 10'000, t.api_budget.burst);
      integer("max_wait_seconds", 0, 3600, t.api_budget.max_wait_seconds);
    }
    if (const Node* v = value.get("display_name"))
      t.display_name = d.string(*v, join_path(path, "display_name")).value_or("");
    if (const Node* v = value.get("email_templates"))
      t.email_templates =
          resolve_path(file, d.string(*v, join_path(path, "email_templates")).value_or(""));
    if (const Node* v = value.get("report_email"))
      t.report_email = decode_report_email(*v, join_path(path, "report_email"), d);
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

// mail.tls, require_starttls and allow_plain_auth, checked against the URL and the credentials:
// smtps:// is implicit TLS, smtp:// is STARTTLS (default) or none, and credentials never go
// over an unencrypted connection unless allow_plain_auth says so.
void decode_smtp_tls(const Node& mail, ServiceConfig& c, Decoder& d) {
  const bool smtps = c.smtp_url.rfind("smtps://", 0) == 0;
  c.smtp_tls = smtps ? "implicit" : "starttls";
  if (const Node* v = mail.get("tls")) {
    const std::optional<std::string> tls = d.choice<std::string>(
        *v, "mail.tls", {{"implicit", "implicit"}, {"starttls", "starttls"}, {"none", "none"}});
    if (tls && smtps && *tls != "implicit") {
      d.error(*v, "mail.tls",
              "an smtps:// URL is TLS from the first byte (implicit); use smtp:// for " + *tls);
    } else if (tls && !smtps && *tls == "implicit") {
      d.error(*v, "mail.tls", "implicit TLS needs an smtps:// URL (usually port 465)");
    } else if (tls) {
      c.smtp_tls = *tls;
    }
  }
  if (const Node* v = mail.get("require_starttls")) {
    c.smtp_require_starttls = d.boolean(*v, "mail.require_starttls").value_or(false);
    if (c.smtp_require_starttls && c.smtp_tls != "starttls")
      d.error(*v, "mail.require_starttls",
              "only meaningful with tls: starttls (now " + c.smtp_tls + ")");
  }
  if (const Node* v = mail.get("allow_plain_auth"))
    c.smtp_allow_plain_auth = d.boolean(*v, "mail.allow_plain_auth").value_or(false);
  if (c.smtp_tls == "none" && c.smtp_username && !c.smtp_allow_plain_auth) {
    d.error(*mail.get("username"), "mail.username",
            "with tls: none the credentials would be sent unencrypted; use starttls or implicit, "
            "or set allow_plain_auth: true if the network path is protected otherwise");
  }
}

void decode_service(const Node& root, ServiceConfig& c, const std::string& file, Decoder& d) {
  d.check_keys(root, "",
               {"listen", "tls", "storage", "mail", "outbound", "log", "reports", "retention",
                "limits", "tenants"});
  if (const Node* n = root.get("limits"); n && d.expect_map(*n, "limits")) {
    d.check_keys(*n, "limits",
                 {"json_max_depth", "json_max_values", "html_max_depth", "html_max_tags"});
    InputLimits& l = c.limits;
    if (const Node* v = n->get("json_max_depth"))
      l.json_max_depth = static_cast<int>(
          d.integer(*v, "limits.json_max_depth", 8, 10'000).value_or(l.json_max_depth));
    if (const Node* v = n->get("json_max_values"))
      l.json_max_values =
          static_cast<std::size_t>(d.integer(*v, "limits.json_max_values", 1000, 100'000'000)
                                       .value_or(static_cast<long>(l.json_max_values)));
    if (const Node* v = n->get("html_max_depth"))
      l.html_max_depth = static_cast<int>(
          d.integer(*v, "limits.html_max_depth", 16, 10'000).value_or(l.html_max_depth));
    if (const Node* v = n->get("html_max_tags"))
      l.html_max_tags =
          static_cast<std::size_t>(d.integer(*v, "limits.html_max_tags", 100, 10'000'000)
                                       .value_or(static_cast<long>(l.html_max_tags)));
  }
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
    d.check_keys(*n, "tls", {"certificate", "private_key", "profile"});
    if (const Node* v = d.require(*n, "certificate", "tls"))
      c.tls_certificate = resolve_path(file, d.string(*v, "tls.certificate").value_or(""));
    if (const Node* v = d.require(*n, "private_key", "tls"))
      c.tls_private_key = resolve_path(file, d.string(*v, "tls.private_key").value_or(""));
    if (const Node* v = n->get("profile"))
      c.tls_profile =
          d.choice<std::string>(*v, "tls.profile",
                                {{"intermediate", "intermediate"}, {"modern", "modern"}})
              .value_or(c.tls_profile);
  }
  if (const Node* n = root.get("storage"); n && d.expect_map(*n, "storage")) {
    d.check_keys(*n, "storage",
                 {"sqlite", "postgres", "dedupe_retention_days", "reconcile_interval_seconds"});
    if (const Node* v = n->get("postgres")) {
      c.postgres = decode_postgres(*v, file, d);
      if (n->get("sqlite"))
        d.error(*v, "storage.postgres", "give either storage.sqlite or storage.postgres, not both");
    }
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
    d.check_keys(*n, "mail",
                 {"spool_dir", "smtp_url", "username", "password", "from", "ca_file", "tls",
                  "require_starttls", "allow_plain_auth"});
    if (const Node* v = n->get("ca_file"))
      c.smtp_ca_file = resolve_path(file, d.string(*v, "mail.ca_file").value_or(""));
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
    decode_smtp_tls(*n, c, d);
  }
  c.mail_spool_dir = resolve_path(file, c.mail_spool_dir);
  if (const Node* n = root.get("outbound"); n && d.expect_map(*n, "outbound")) {
    d.check_keys(*n, "outbound", {"ca_file"});
    if (const Node* v = n->get("ca_file"))
      c.outbound_ca_file = resolve_path(file, d.string(*v, "outbound.ca_file").value_or(""));
  }
  if (const Node* n = root.get("log"); n && d.expect_map(*n, "log")) {
    d.check_keys(*n, "log", {"level"});
    if (const Node* v = n->get("level"))
      c.log_level = d.choice<std::string>(*v, "log.level",
                                          {{"debug", "debug"},
                                           {"info", "info"},
                                           {"warning", "warn"},  // as log lines name it
                                           {"warn", "warn"},
                                           {"error", "error"}})
                        .value_or(c.log_level);
  }
  if (const Node* n = d.require(root, "tenants", "")) decode_tenants(*n, c, file, d);
  for (TenantConfig& t : c.tenants)
    if (!t.schedule_interval_given)
      t.schedule.visit_interval_seconds = c.reconcile_interval_seconds;
}

}  // namespace

std::string SecretRef::describe() const {
  if (!env.empty()) return "env " + env;
  if (!credential.empty()) return "credential " + credential;
  return "file " + file;
}

std::string credential_path(const std::string& name) {
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (dir && *dir) return std::string(dir) + "/" + kCredentialPrefix + name;
  return std::string(kSecretsDir) + "/" + name;
}

Result<std::string> resolve_secret(const SecretRef& ref, const ReadFile& read) {
  if (!ref.env.empty()) {
    const char* value = std::getenv(ref.env.c_str());
    if (!value || !*value) return not_found("environment variable " + ref.env + " is not set");
    return std::string(value);
  }
  const std::string path = ref.credential.empty() ? ref.file : credential_path(ref.credential);
  Result<std::string> text = read(path);
  if (!text.ok())
    return not_found("cannot read secret file " + path + ": " + text.status().message());
  std::string s = std::move(text).value();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  if (s.empty()) return invalid_argument("secret file " + path + " is empty");
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
