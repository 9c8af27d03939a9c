// The service configuration file (docs/configuration.md): where to listen, where to store,
// how to mail, and the tenants with their adapter, policy and webhook secrets.
// Secrets are references to environment variables, files or systemd credentials, never values
// in the file.
// Relative paths are resolved against the config file's folder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connector/common/input_limits.hpp"
#include "connector/config/document.hpp"
#include "connector/config/policy_loader.hpp"

namespace mangfold::config {

// The folder `{credential: NAME}` reads from, and the id the packaged unit gives it
// (`LoadCredential=mangfold:/etc/mangfold/secrets`): systemd then hands the file NAME in that
// folder to the service as $CREDENTIALS_DIRECTORY/mangfold_NAME.
inline constexpr const char* kSecretsDir = "/etc/mangfold/secrets";
inline constexpr const char* kCredentialPrefix = "mangfold_";

struct SecretRef {
  std::string env;         // name of an environment variable holding the secret
  std::string file;        // or a file holding it (trailing newline ignored)
  std::string credential;  // or a file name in kSecretsDir, read through systemd's credentials
  std::string describe() const;  // "env MANGFOLD_X" / "file /path": for messages, never the value
};

// Where a credential reference is read from: $CREDENTIALS_DIRECTORY/mangfold_NAME when that
// variable is set (the service under systemd), else kSecretsDir/NAME (an operator's shell).
std::string credential_path(const std::string& name);

// Reads the secret a reference points to. Errors name the reference, never a value.
Result<std::string> resolve_secret(const SecretRef& ref, const ReadFile& read = read_file);

struct SignatureConfig {
  // "standard_webhooks", "hmac", or "mapping": the generic adapter's mapping file declares
  // and checks the signature itself (signatures inside the body, custom signed content).
  std::string scheme = "standard_webhooks";
  // scheme hmac:
  std::string header = "X-Hub-Signature-256";
  std::string algorithm = "sha256";  // sha1, sha256, sha512
  std::string encoding = "hex";      // hex, base64
  std::string prefix = "sha256=";
  // how the secret's text becomes key bytes: raw; hex; base64. Standard Webhooks
  // secrets are "whsec_<base64>" and need no setting.
  std::string secret_encoding = "raw";
  std::vector<SecretRef> secrets;  // several for key rotation: any one may sign
  int tolerance_seconds = 300;     // Standard Webhooks timestamp tolerance
  // scheme shared_key (ID-only hooks, e.g. Talentech HR Manager's with a "User Data" key): the
  // static key is in the header `header` or in the top-level JSON body field `field` (one of
  // them); the vacancy ids are in the body fields `id_fields`.
  bool header_given = false;
  std::string field;
  std::vector<std::string> id_fields = {"AdvertId",  "advertId",  "PositionId",    "positionId",
                                        "ProjectId", "projectId", "RecruitmentId", "vacancy_id"};
};

// `tenants.<t>.schedule`: how sync mode visits the tenant's followed vacancies.
struct ScheduleConfig {
  // Default: storage.reconcile_interval_seconds; 0: only when discovered or hooked.
  int visit_interval_seconds = 3600;
  int discover_interval_seconds = 600;   // the adapter's discover() (e.g. the advert feed)
  int follow_days_after_deadline = 180;  // then no longer visited; 0: until the ATS closes it
  int hook_coalesce_seconds = 2;         // hooks for one vacancy within this cost one fetch
};

// `tenants.<t>.api_budget`: what the tenant's adapter may ask of the ATS API.
struct ApiBudgetConfig {
  int requests_per_minute = 0;  // 0: no limit of ours (429 + Retry-After still honoured)
  int burst = 10;               // requests that may go back to back
  int max_wait_seconds = 60;    // a request that would wait longer fails (retried later)
};

// The keys that turn ATS candidate ids into pseudonyms before anything is stored
// (DESIGN.md §4 rule 7; docs/privacy.md). `key` makes new pseudonyms; a stored pseudonym
// made with one of `previous_keys` is still recognised and re-made with `key` when its
// candidate is next seen (key rotation, docs/privacy.md).
struct PseudonymConfig {
  SecretRef key;
  std::vector<SecretRef> previous_keys;
};

// `report_email:` a monthly report email to HR (issue 19): on the first days of each month,
// the report for the month before, sent once through the outbox.
struct ReportEmailConfig {
  std::vector<std::string> recipients;  // at least one address
  std::string language = "nb";          // nb, nn or en
  std::string group_by = "month";       // the report's periods: month, quarter or year
};

struct TenantConfig {
  std::string name;                // the {tenant} in POST /hooks/{tenant}
  std::string display_name;        // the employer's name in reports ("" = the name above)
  std::string adapter = "native";  // native, webcruiter, generic
  std::string policy_path;
  SignatureConfig signature;
  int success_status = 200;              // 200 or 202, as the ATS expects
  std::size_t body_limit = 1024 * 1024;  // bytes
  std::optional<SecretRef> api_token;    // bearer token for /v1/tenants/{tenant}/…
  PseudonymConfig pseudonyms;            // required
  std::string email_templates;  // a folder overriding the built-in email templates; "" = none
  ScheduleConfig schedule;
  bool schedule_interval_given = false;  // else storage.reconcile_interval_seconds
  ApiBudgetConfig api_budget;
  std::optional<ReportEmailConfig> report_email;  // none: no scheduled report email
  // The adapter's own settings (`adapter_options:`), validated by the adapter's factory.
  Node adapter_options;
  Mark mark;  // where the tenant is declared, for messages
};

// `storage.postgres`: several instances on one PostgreSQL database (docs/deploying.md).
struct PostgresConfig {
  // A libpq connection string, given as `conninfo` or built from host/port/dbname/user.
  std::string conninfo;
  std::optional<SecretRef> password;  // none: from conninfo, ~/.pgpass or PGPASSWORD
  int max_batch = 256;                // most events committed in one transaction
  int pool = 4;                       // read connections kept open (the writer has its own)
};

struct ServiceConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 2;
  int header_timeout_seconds = 10;               // a client must send its whole header within this
  int body_timeout_seconds = 30;                 // and its body within this
  int idle_timeout_seconds = 60;                 // keep-alive connections idle longer are closed
  int max_connections = 10000;                   // more are answered 503 and closed
  std::string tls_certificate, tls_private_key;  // both or neither
  std::string tls_profile = "intermediate";      // or "modern" (TLS 1.3 only)
  std::string sqlite_path = "var/mangfold.db";
  std::optional<PostgresConfig> postgres;  // set: PostgreSQL instead of the SQLite file
  int dedupe_retention_days = 7;
  int reconcile_interval_seconds = 3600;    // re-fetch open vacancies from ATS APIs; 0 = never
  std::string mail_spool_dir = "var/mail";  // used when smtp_url is empty
  std::string smtp_url;                     // smtp://host:25, smtps://host:465
  std::optional<SecretRef> smtp_username, smtp_password;
  std::string smtp_ca_file;  // trust this CA bundle for the SMTP server instead of the system's
  std::string smtp_tls;      // implicit, starttls or none; after the URL's scheme when not set
  bool smtp_require_starttls = false;  // starttls: refuse to send when it is not offered
  bool smtp_allow_plain_auth = false;  // AUTH over an unencrypted connection (never by default)
  std::string outbound_ca_file;        // the same for HTTPS calls to ATS APIs
  std::string mail_from =
      "Mangfold Connector <noreply@mangfold.invalid>";  // set a real one for SMTP
  std::string log_level = "info";
  int suppression_threshold = 5;  // reports hide cells below this (never below 3)
  int retention_days = 365;       // vacancy-level rows are deleted this long after closing
  InputLimits limits;             // `limits:`: depth and counts for every JSON and HTML reader
  std::vector<TenantConfig> tenants;
  std::string source;  // the config file's path

  const TenantConfig* tenant(std::string_view name) const;
};

struct ServiceConfigLoad {
  std::optional<ServiceConfig> config;
  std::vector<Diagnostic> diagnostics;
};

ServiceConfigLoad load_service_config(const std::string& path, const ReadFile& read = read_file);

// True when a parsed document looks like a service config (has `tenants`), for `check`.
bool is_service_config(const Node& root);

}  // namespace mangfold::config
