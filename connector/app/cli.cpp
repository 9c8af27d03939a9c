#include "connector/app/cli.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <string_view>
#include <variant>

#include "adapters/generic/generic_adapter.hpp"
#include "adapters/native/snapshot_json.hpp"
#include "adapters/webcruiter/probe.hpp"
#include "connector/app/audit_feed.hpp"
#include "connector/app/report_cli.hpp"
#include "connector/app/serve.hpp"
#include "connector/app/sign.hpp"
#include "connector/app/simulate.hpp"
#include "connector/app/storage.hpp"
#include "connector/app/tenants.hpp"
#include "connector/config/decoder.hpp"
#include "connector/config/policy_loader.hpp"
#include "connector/config/service_config.hpp"
#include "connector/notify/plan.hpp"
#include "connector/outbound/curl_http_client.hpp"
#include "connector/policy/engine.hpp"

#ifndef MANGFOLD_VERSION
#define MANGFOLD_VERSION "0.0.0"
#endif

namespace mangfold::app {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;  // check found problems; simulate could not run
constexpr int kExitUsage = 2;

// Where serve, check and report look when no config is named: the Debian package's.
constexpr const char* kDefaultConfig = "/etc/mangfold/mangfold.yaml";

constexpr const char* kExitCodes =
    "Exit status (every command):\n"
    "  0  ok\n"
    "  1  findings or failure: check found problems, an ad lacks the sentence, a command failed\n"
    "  2  usage or configuration error: unknown command or option, a missing or invalid config\n";

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void print_diagnostics(const std::vector<config::Diagnostic>& diagnostics) {
  for (const config::Diagnostic& d : diagnostics)
    std::cout << d.to_string() << "\n";
}

// What serve would refuse beyond the files themselves: every secret the config names must
// be readable and well-formed (signature secrets parsed as their scheme expects, API tokens,
// adapters' credentials, SMTP login), as build_tenants reads them at start.
std::vector<config::Diagnostic> check_secrets(const config::ServiceConfig& c) {
  std::vector<config::Diagnostic> found =
      build_tenants(c, outbound::make_curl_http_client()).diagnostics;
  for (const auto& [ref, key] :
       {std::pair{&c.smtp_username, "mail.username"}, std::pair{&c.smtp_password, "mail.password"}})
    if (*ref)
      if (Result<std::string> value = config::resolve_secret(**ref); !value.ok())
        found.push_back({config::Mark{c.source, 1, 1}, key, value.status().message()});
  return found;
}

// Adapters that can neither write an ad back nor take the changed ad from the webhook's
// answer: an `inject` rule would change nothing, so check refuses it (use `flag`; the
// manager's email then carries the sentence to paste). Webcruiter has no documented API
// to change an advert, and its hooks (ids only) read no answer.
bool adapter_cannot_inject(std::string_view adapter) {
  return adapter == "webcruiter";
}

std::vector<config::Diagnostic> check_ad_modes(const config::TenantConfig& t,
                                               const policy::Policy& policy) {
  std::vector<config::Diagnostic> found;
  if (!adapter_cannot_inject(t.adapter)) return found;
  for (const policy::Rule& rule : policy.rules)
    if (const auto* ad = std::get_if<policy::AdSentence>(&rule.spec);
        ad && rule.enabled && ad->mode == policy::AdMode::kInject)
      found.push_back({t.mark, "tenants." + t.name + ".policy",
                       "rule '" + rule.name + "' of " + t.policy_path +
                           " has mode: inject, but the " + t.adapter +
                           " adapter cannot change ads in the ATS; use mode: flag (the email "
                           "then carries the sentence to paste)"});
  return found;
}

// `check`: each file is a policy or a service config (told apart by a `tenants` key).
// A service config's tenant policies are checked too, and its secrets unless told not to.
int run_check(const std::vector<std::string>& files, bool secrets) {
  int problems = 0;
  for (const std::string& file : files) {
    Result<std::string> text = config::read_file(file);
    std::vector<config::Diagnostic> probe;
    std::optional<config::Node> root;
    if (text.ok()) root = config::parse_document(*text, file, probe);
    if (root && config::is_service_config(*root)) {
      config::ServiceConfigLoad loaded = config::load_service_config(file);
      print_diagnostics(loaded.diagnostics);
      problems += static_cast<int>(loaded.diagnostics.size());
      if (!loaded.config) continue;
      int tenant_problems = 0;
      std::set<std::string> printed;  // a policy's problems are not repeated by check_secrets
      for (const config::TenantConfig& t : loaded.config->tenants) {
        config::PolicyLoad policy = config::load_policy(t.policy_path);
        print_diagnostics(policy.diagnostics);
        tenant_problems += static_cast<int>(policy.diagnostics.size());
        for (const config::Diagnostic& d : policy.diagnostics)
          printed.insert(d.to_string());
        if (policy.policy) {
          const std::vector<config::Diagnostic> modes = check_ad_modes(t, *policy.policy);
          print_diagnostics(modes);
          tenant_problems += static_cast<int>(modes.size());
        }
        if (t.adapter == "generic")
          if (const config::Node* m = t.adapter_options.get("mapping"); m && m->is_scalar()) {
            const std::string mapping = (std::filesystem::path(file).parent_path() / m->scalar)
                                            .lexically_normal()
                                            .generic_string();
            const std::vector<config::Diagnostic> found =
                generic::check_mapping_file(mapping, config::read_file);
            print_diagnostics(found);
            tenant_problems += static_cast<int>(found.size());
            // Warnings (a signature without a timestamp) here too, not only for the file alone.
            if (found.empty())
              if (Result<generic::MappingSummary> m =
                      generic::describe_mapping_file(mapping, config::read_file);
                  m.ok())
                for (const config::Diagnostic& w : m->warnings)
                  std::cout << w.mark.file << ":" << w.mark.line << ":" << w.mark.column << ": "
                            << w.path << ": warning: " << w.message << "\n";
          }
      }
      if (secrets)
        for (const config::Diagnostic& d : check_secrets(*loaded.config))
          if (printed.insert(d.to_string()).second) {
            std::cout << d.to_string() << "\n";
            ++tenant_problems;
          }
      problems += tenant_problems;
      if (tenant_problems == 0)
        std::cout << file << ": ok (service config, " << loaded.config->tenants.size() << " tenants"
                  << (secrets ? ", secrets readable" : ", secrets not checked") << ")\n";
      continue;
    }
    if (root && generic::is_mapping_file(*root)) {
      const std::vector<config::Diagnostic> found =
          generic::check_mapping_file(file, config::read_file);
      print_diagnostics(found);
      problems += static_cast<int>(found.size());
      if (found.empty())
        if (Result<generic::MappingSummary> m =
                generic::describe_mapping_file(file, config::read_file);
            m.ok()) {
          for (const config::Diagnostic& w : m->warnings)
            std::cout << w.mark.file << ":" << w.mark.line << ":" << w.mark.column << ": " << w.path
                      << ": warning: " << w.message << "\n";
          std::cout << file << ": ok (generic mapping " << m->name << ", " << m->event_types
                    << " event types)\n";
        }
      continue;
    }
    // A file with no id of its own is a base that policies extend.
    const bool base = root && root->is_map() && !root->get("id");
    config::PolicyLoad loaded = config::load_policy(
        file, config::read_file, base ? config::PolicyKind::kBase : config::PolicyKind::kComplete);
    print_diagnostics(loaded.diagnostics);
    problems += static_cast<int>(loaded.diagnostics.size());
    if (loaded.policy && base)
      std::cout << file << ": ok (base policy, " << loaded.policy->rules.size() << " rules)\n";
    else if (loaded.policy)
      std::cout << file << ": ok (policy " << loaded.policy->id << " " << loaded.policy->version
                << ", " << loaded.policy->rules.size() << " rules)\n";
  }
  if (problems) std::cout << problems << (problems == 1 ? " problem\n" : " problems\n");
  return problems ? kExitFindings : kExitOk;
}

struct SimulateArgs {
  std::string policy, snapshot, as_of;
  std::string config, tenant, event;  // or: a raw webhook through the tenant's adapter
  bool json = false;
};

// The snapshot to simulate: a native snapshot file, or a raw webhook body read through
// the tenant's adapter (a thin event is fetched from the ATS's API: a read, no writes).
Result<domain::Snapshot> simulate_input(const SimulateArgs& args,
                                        std::shared_ptr<const policy::Policy>& policy) {
  if (args.config.empty()) {
    Result<std::string> text = config::read_file(args.snapshot);
    if (!text.ok())
      return not_found("cannot read " + args.snapshot + ": " + text.status().message());
    // As the native adapter of a tenant with this policy reads it: answers only for the
    // groups the policy declares.
    native::ParseOptions options;
    if (policy)
      for (const policy::TargetGroup& g : policy->groups)
        options.target_groups.push_back(g.name);
    Result<native::Event> event = native::parse_event(*text, options);
    if (!event.ok())
      return Status(event.status().code(), args.snapshot + ": " + event.status().message());
    return std::move(event->snapshot);
  }
  config::ServiceConfigLoad loaded = config::load_service_config(args.config);
  if (!loaded.config) return config::to_status(loaded.diagnostics);
  TenantsLoad tenants = build_tenants(*loaded.config, make_ats_http_client(*loaded.config));
  if (!tenants.tenants) return config::to_status(tenants.diagnostics);
  auto found = tenants.tenants->find(args.tenant);
  if (found == tenants.tenants->end())
    return not_found("no tenant '" + args.tenant + "' in " + args.config);
  policy = found->second.policy;
  Result<std::string> body = config::read_file(args.event);
  if (!body.ok()) return not_found("cannot read " + args.event + ": " + body.status().message());
  const domain::Adapter& adapter = *found->second.adapter;
  Result<domain::InboundEvent> event =
      adapter.parse({*body, [](std::string_view) { return std::optional<std::string_view>{}; }});
  if (!event.ok())
    return Status(event.status().code(), args.event + ": " + event.status().message());
  if (event->snapshot) return std::move(*event->snapshot);
  if (!adapter.fetches())
    return unprocessable(args.event + ": a thin event (ids only) and tenant " + args.tenant +
                         " has no ATS API configured to fetch vacancy " + event->vacancy_id);
  return adapter.fetch_snapshot(event->vacancy_id);
}

int run_simulate(const SimulateArgs& args) {
  std::shared_ptr<const policy::Policy> policy;
  if (args.config.empty()) {
    config::PolicyLoad loaded = config::load_policy(args.policy);
    if (!loaded.policy) {
      print_diagnostics(loaded.diagnostics);
      return kExitFindings;
    }
    policy = std::make_shared<const policy::Policy>(std::move(*loaded.policy));
  }
  Result<domain::Snapshot> snapshot = simulate_input(args, policy);
  if (!snapshot.ok()) {
    std::cerr << snapshot.status().message() << "\n";
    return kExitFindings;
  }
  policy::EvaluationContext context;
  if (!args.as_of.empty()) {
    context.today = domain::Date::parse(args.as_of);
    if (!context.today) {
      std::cerr << "mangfold simulate: --as-of expects a date as YYYY-MM-DD\n";
      return kExitUsage;
    }
  }
  policy::AdMemo ad_memo;  // the ad is read once for both
  context.ad_memo = &ad_memo;
  const domain::Verdict verdict = policy::evaluate(*policy, *snapshot, context);
  Result<std::optional<policy::AdChange>> change =
      policy::plan_ad_injection(*policy, *snapshot, &ad_memo);
  // The emails a first verdict like this one would send.
  const std::int64_t now =
      context.today ? context.today->days_since_epoch() * 86400 : unix_seconds();
  const std::vector<store::OutboxItem> mails = notify::plan_notifications(
      notify::vacancy_info(args.tenant.empty() ? policy->id : args.tenant, snapshot->vacancy,
                           *policy, {}, &ad_memo),
      std::nullopt, verdict, *policy, now);
  if (args.json) {
    std::cout << render_verdict_json(*policy, verdict, change, mails);
    return kExitOk;
  }
  std::cout << render_verdict_text(*policy, *snapshot, verdict) << render_ad_change_text(change)
            << render_emails_text(mails);
  return kExitOk;
}

struct ProbeArgs {
  std::string config, tenant;
  std::vector<std::string> vacancies;
};

// `webcruiter probe`: the tenant's Talentech connection, read-only (adapters/webcruiter/probe.hpp).
int run_webcruiter_probe(const ProbeArgs& args) {
  config::ServiceConfigLoad loaded = config::load_service_config(args.config);
  if (!loaded.config) {
    print_diagnostics(loaded.diagnostics);
    return kExitUsage;
  }
  const config::TenantConfig* tenant = nullptr;
  for (const config::TenantConfig& t : loaded.config->tenants)
    if (t.name == args.tenant) tenant = &t;
  if (!tenant) {
    std::cerr << "mangfold webcruiter probe: no tenant '" << args.tenant << "' in " << args.config
              << "\n";
    return kExitUsage;
  }
  if (tenant->adapter != "webcruiter") {
    std::cerr << "mangfold webcruiter probe: tenant '" << args.tenant << "' uses the "
              << tenant->adapter << " adapter, not webcruiter\n";
    return kExitUsage;
  }
  webcruiter::AdapterDeps deps;
  deps.http = make_ats_http_client(*loaded.config);
  deps.limits = loaded.config->limits;
  webcruiter::ProbeRequest request;
  request.vacancies = args.vacancies;
  const int problems =
      webcruiter::probe(tenant->adapter_options, "tenants." + tenant->name + ".adapter_options",
                        std::move(deps), request, std::cout);
  if (problems)
    std::cerr << "mangfold webcruiter probe: the connection does not work as configured\n";
  return problems ? kExitFindings : kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"Mangfold Connector: interview-policy checks for applicant tracking systems",
               "mangfold"};
  app.set_version_flag("--version", std::string("mangfold ") + MANGFOLD_VERSION);
  app.require_subcommand(1);

  app.footer(kExitCodes);

  std::vector<std::string> check_files;
  bool no_secrets = false;
  CLI::App* check = app.add_subcommand(
      "check", "Validate policy and service-config files (a config's policies and secrets too)");
  check->add_option("files", check_files,
                    std::string("Files to check [default: ") + kDefaultConfig + "]");
  check->add_flag("--no-secrets", no_secrets,
                  "Do not read the secrets a config names (checking it on another machine)");

  SimulateArgs sim;
  CLI::App* simulate = app.add_subcommand(
      "simulate",
      "Dry-run a vacancy against a policy (no side effects): --policy with --snapshot, "
      "or --config with --tenant and --event (a raw webhook through the tenant's adapter)");
  CLI::Option* policy_opt =
      simulate->add_option("--policy", sim.policy, "Policy file")->check(CLI::ExistingFile);
  CLI::Option* snapshot_opt =
      simulate->add_option("--snapshot", sim.snapshot, "Snapshot file (native JSON format)")
          ->check(CLI::ExistingFile);
  CLI::Option* config_opt =
      simulate->add_option("--config", sim.config, "Service config file")->check(CLI::ExistingFile);
  CLI::Option* tenant_opt =
      simulate->add_option("--tenant", sim.tenant, "Tenant whose adapter and policy apply");
  CLI::Option* event_opt =
      simulate->add_option("--event", sim.event, "A raw webhook body")->check(CLI::ExistingFile);
  policy_opt->needs(snapshot_opt)->excludes(config_opt);
  snapshot_opt->needs(policy_opt);
  config_opt->needs(tenant_opt)->needs(event_opt);
  tenant_opt->needs(config_opt);
  event_opt->needs(config_opt);
  simulate->add_flag("--json", sim.json, "Print the verdict as JSON");
  simulate->add_option("--as-of", sim.as_of, "Evaluate as of this date (YYYY-MM-DD)");
  simulate->callback([&] {
    if (sim.policy.empty() && sim.config.empty())
      throw CLI::RequiredError(
          "simulate needs --policy and --snapshot, or --config, --tenant and --event");
  });

  std::string config_path = kDefaultConfig;
  CLI::App* serve = app.add_subcommand("serve", "Run the webhook server");
  serve->add_option("--config", config_path, "Service config file")->capture_default_str();

  SignArgs sign;
  CLI::App* sign_cmd = app.add_subcommand(
      "sign", "Sign an event file for a tenant: print a curl command, or --send it");
  sign_cmd->add_option("--config", sign.config_path, "Service config file")
      ->required()
      ->check(CLI::ExistingFile);
  sign_cmd->add_option("--tenant", sign.tenant, "Tenant name")->required();
  sign_cmd->add_option("--event-id", sign.event_id,
                       "Event id (default: the body's event.id, else random)");
  sign_cmd->add_option("--url", sign.url, "Target URL (default: from the config's listen address)");
  sign_cmd->add_flag("--send", sign.send, "Send the request and print the answer");
  sign_cmd->add_option("file", sign.body_file, "The event body (JSON)")
      ->required()
      ->check(CLI::ExistingFile);

  AuditArgs audit;
  CLI::App* audit_cmd = app.add_subcommand(
      "audit-feed",
      "Check every ad in a Webcruiter advert feed for the encouragement sentence and topics");
  audit_cmd->add_option("source", audit.source, "The feed: a file or an http(s) URL")->required();
  audit_cmd->add_option("--policy", audit.policy, "Policy whose ad rules apply")
      ->required()
      ->check(CLI::ExistingFile);
  audit_cmd->add_flag("--json", audit.json, "Print JSON");
  audit_cmd->add_flag("--progress", audit.progress, "Report progress on stderr");

  ReportArgs report_args;
  CLI::App* report_cmd =
      app.add_subcommand("report", "Aggregate figures for a tenant, with small cells suppressed");
  report_args.config = kDefaultConfig;
  report_cmd->add_option("--config", report_args.config, "Service config file (for the database)")
      ->capture_default_str();
  report_cmd->add_option("--tenant", report_args.tenant, "Tenant")->required();
  report_cmd->add_option("--from", report_args.from, "First month, YYYY-MM")->required();
  report_cmd->add_option("--to", report_args.to, "Last month, YYYY-MM")->required();
  report_cmd->add_option("--format", report_args.format, "table, csv, json or html");
  report_cmd->add_option("--lang", report_args.language, "nb, nn or en");
  report_cmd->add_option("--group-by", report_args.group_by, "month, quarter or year");
  report_cmd->add_option("--csv-dialect", report_args.csv_dialect,
                         "rfc4180 or excel-no (default: excel-no under --lang nb|nn)");
  report_cmd->add_option("--group", report_args.group, "Only this target group");
  report_cmd->add_option("--department", report_args.department, "Only this department");
  report_cmd
      ->add_option("--what-if", report_args.what_if, "Recompute past verdicts under this policy")
      ->check(CLI::ExistingFile);

  std::string migrate_from, migrate_to;
  CLI::App* migrate_cmd = app.add_subcommand(
      "migrate-storage", "Copy an SQLite database into PostgreSQL (idempotent, resumable)");
  migrate_cmd->add_option("--from", migrate_from, "sqlite:FILE")->required();
  migrate_cmd->add_option("--to", migrate_to, "postgres:CONNINFO (password from PGPASSWORD)")
      ->required();

  ProbeArgs probe_args;
  CLI::App* webcruiter_cmd =
      app.add_subcommand("webcruiter", "Webcruiter (Talentech) tools: probe a tenant's connection");
  webcruiter_cmd->require_subcommand(1);
  CLI::App* probe_cmd = webcruiter_cmd->add_subcommand(
      "probe",
      "Authenticate, list statuses, adverts, processes and hires, check the integration form; "
      "read-only, stores nothing");
  probe_cmd->add_option("--config", probe_args.config, "Service config file")
      ->required()
      ->check(CLI::ExistingFile);
  probe_cmd->add_option("--tenant", probe_args.tenant, "A tenant with adapter: webcruiter")
      ->required();
  probe_cmd->add_option("--vacancy", probe_args.vacancies,
                        "Fetch this vacancy (AdvertId); default: the first three discovered");

  // An unknown command: name the likely one rather than CLI11's generic complaint.
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({}))
      names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      const std::string guess =
          config::closest(argv[1], std::vector<std::string_view>(names.begin(), names.end()));
      std::cerr << "mangfold: unknown command '" << argv[1] << "'"
                << (guess.empty() ? "" : " (did you mean '" + guess + "'?)")
                << "; see mangfold --help\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  // Without --config (or files for check), the packaged config; say where we looked.
  auto config_exists = [](const std::string& path, const char* command) {
    if (std::filesystem::exists(path)) return true;
    std::cerr << "mangfold " << command << ": no config file at " << path
              << (path == kDefaultConfig ? " (the default; name one with --config FILE)" : "")
              << "\n";
    return false;
  };
  if (check->parsed()) {
    if (check_files.empty()) check_files.push_back(kDefaultConfig);
    for (const std::string& f : check_files)
      if (!config_exists(f, "check")) return kExitUsage;
    return run_check(check_files, !no_secrets);
  }
  if (simulate->parsed()) return run_simulate(sim);
  if (serve->parsed())
    return config_exists(config_path, "serve") ? run_serve(config_path) : kExitUsage;
  if (sign_cmd->parsed()) return run_sign(sign);
  if (audit_cmd->parsed()) {
    auto http = outbound::make_curl_http_client();
    return run_audit_feed(audit, http.get());
  }
  if (report_cmd->parsed())
    return config_exists(report_args.config, "report") ? run_report(report_args) : kExitUsage;
  if (migrate_cmd->parsed()) return run_migrate_storage(migrate_from, migrate_to);
  if (probe_cmd->parsed()) return run_webcruiter_probe(probe_args);
  return kExitUsage;
}

}  // namespace mangfold::app
