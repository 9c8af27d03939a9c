// The service config: secret references ({env}, {file}, {credential} and where a credential
// is read from with and without systemd's $CREDENTIALS_DIRECTORY), and log level names.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>

#include "connector/config/service_config.hpp"
#include "tests/config/config_test_support.hpp"

using namespace mangfold;

namespace {

// A service config with one tenant whose signature secret is `secret_yaml`.
std::string service_yaml(const std::string& secret_yaml) {
  return "tenants:\n"
         "  oslo:\n"
         "    policy: /etc/mangfold/policies/oslo.yaml\n"
         "    signature:\n"
         "      secret: " +
         secret_yaml +
         "\n"
         "    pseudonyms: {key: {env: P}}\n";
}

config::ServiceConfigLoad load(const std::string& yaml) {
  return config::testing::load_yaml(yaml);
}

// Sets an environment variable for one test and restores the previous state.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("a credential reference names a file, not a path") {
  config::ServiceConfigLoad ok = load(service_yaml("{credential: oslo.whsec}"));
  REQUIRE(ok.config);
  const config::SecretRef& ref = ok.config->tenants.at(0).signature.secrets.at(0);
  CHECK(ref.credential == "oslo.whsec");
  CHECK(ref.describe() == "credential oslo.whsec");

  config::ServiceConfigLoad bad = load(service_yaml("{credential: ../shadow}"));
  CHECK_FALSE(bad.config);
  REQUIRE(bad.diagnostics.size() == 1);
  CHECK(bad.diagnostics[0].path == "tenants.oslo.signature.secret.credential");

  config::ServiceConfigLoad two = load(service_yaml("{credential: a, env: B}"));
  CHECK_FALSE(two.config);
  REQUIRE(two.diagnostics.size() == 1);
  CHECK(two.diagnostics[0].message.find("exactly one of env, file or credential") !=
        std::string::npos);
}

TEST_CASE(
    "a credential is read from systemd's credentials folder, else from /etc/mangfold/secrets") {
  std::map<std::string, std::string> files = {
      {"/run/credentials/mangfold.service/mangfold_oslo.whsec", "whsec_from_systemd\n"},
      {"/etc/mangfold/secrets/oslo.whsec", "whsec_from_etc\n"},
  };
  auto read = [&](const std::string& path) -> Result<std::string> {
    auto found = files.find(path);
    if (found == files.end()) return not_found("no such file");
    return found->second;
  };
  config::SecretRef ref;
  ref.credential = "oslo.whsec";
  {
    ScopedEnv env("CREDENTIALS_DIRECTORY", "/run/credentials/mangfold.service");
    CHECK(config::credential_path("oslo.whsec") ==
          "/run/credentials/mangfold.service/mangfold_oslo.whsec");
    Result<std::string> value = config::resolve_secret(ref, read);
    REQUIRE(value.ok());
    CHECK(*value == "whsec_from_systemd");
  }
  {
    ScopedEnv env("CREDENTIALS_DIRECTORY", nullptr);
    Result<std::string> value = config::resolve_secret(ref, read);
    REQUIRE(value.ok());
    CHECK(*value == "whsec_from_etc");
    ref.credential = "missing.whsec";
    Result<std::string> missing = config::resolve_secret(ref, read);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.status().message() ==
          "cannot read secret file /etc/mangfold/secrets/missing.whsec: no such file");
  }
}

TEST_CASE("log.level takes the names log lines use, and the short warn") {
  for (const auto& [name, level] : {std::pair{"warning", "warn"}, std::pair{"warn", "warn"},
                                    std::pair{"error", "error"}, std::pair{"debug", "debug"}}) {
    CAPTURE(name);
    config::ServiceConfigLoad loaded =
        load("log:\n  level: " + std::string(name) + "\n" + service_yaml("{env: X}"));
    REQUIRE(loaded.config);
    CHECK(loaded.config->log_level == level);
  }
  CHECK_FALSE(load("log:\n  level: verbose\n" + service_yaml("{env: X}")).config);
}
