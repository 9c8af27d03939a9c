// The service config's TLS settings: the listener's profile, and how mail is encrypted. Every
// wrong value or contradiction is a diagnostic with the file, line and column.
#include <doctest/doctest.h>

#include <string>

#include "connector/config/service_config.hpp"
#include "tests/config/config_test_support.hpp"

using namespace mangfold;
using namespace mangfold::config;

namespace {

ServiceConfigLoad load_with_tls(const std::string& section) {
  return testing::load_with_section(section);
}

}  // namespace

TEST_CASE("tls.profile: intermediate by default, modern on request") {
  ServiceConfigLoad plain = load_with_tls("tls: {certificate: c.pem, private_key: k.pem}\n");
  REQUIRE(plain.config);
  CHECK(plain.config->tls_profile == "intermediate");
  CHECK(plain.config->tls_certificate == "/etc/mangfold/c.pem");

  ServiceConfigLoad modern =
      load_with_tls("tls:\n  certificate: c.pem\n  private_key: k.pem\n  profile: modern\n");
  REQUIRE(modern.config);
  CHECK(modern.config->tls_profile == "modern");
}

TEST_CASE("tls.profile: an unknown name is an error at its file, line and column") {
  ServiceConfigLoad bad =
      load_with_tls("tls:\n  certificate: c.pem\n  private_key: k.pem\n  profile: old\n");
  CHECK_FALSE(bad.config);
  REQUIRE(bad.diagnostics.size() == 1);
  const std::string text = bad.diagnostics[0].to_string();
  CHECK(text.rfind("/etc/mangfold/mangfold.yaml:4:12: tls.profile:", 0) == 0);
  CHECK(text.find("intermediate") != std::string::npos);
  CHECK(text.find("modern") != std::string::npos);
}

TEST_CASE("mail.tls: follows the URL's scheme unless set, and must agree with it") {
  ServiceConfigLoad starttls = load_with_tls("mail: {smtp_url: 'smtp://relay.example.no:25'}\n");
  REQUIRE(starttls.config);
  CHECK(starttls.config->smtp_tls == "starttls");
  CHECK_FALSE(starttls.config->smtp_require_starttls);
  ServiceConfigLoad implicit = load_with_tls("mail: {smtp_url: 'smtps://relay.example.no'}\n");
  REQUIRE(implicit.config);
  CHECK(implicit.config->smtp_tls == "implicit");
  ServiceConfigLoad required = load_with_tls(
      "mail:\n  smtp_url: smtp://relay.example.no:25\n  tls: starttls\n  require_starttls: true\n"
      "  ca_file: ca.pem\n");
  REQUIRE(required.config);
  CHECK(required.config->smtp_require_starttls);
  CHECK(required.config->smtp_ca_file == "/etc/mangfold/ca.pem");

  ServiceConfigLoad wrong =
      load_with_tls("mail:\n  smtp_url: smtp://relay.example.no:25\n  tls: implicit\n");
  CHECK_FALSE(wrong.config);
  REQUIRE(wrong.diagnostics.size() == 1);
  CHECK(wrong.diagnostics[0].to_string().rfind("/etc/mangfold/mangfold.yaml:3:8: mail.tls:", 0) ==
        0);
  CHECK(wrong.diagnostics[0].to_string().find("smtps://") != std::string::npos);

  ServiceConfigLoad pointless = load_with_tls(
      "mail:\n  smtp_url: smtp://relay.example.no:25\n  tls: none\n  require_starttls: true\n");
  CHECK_FALSE(pointless.config);
  REQUIRE(pointless.diagnostics.size() == 1);
  CHECK(pointless.diagnostics[0].path == "mail.require_starttls");
}

TEST_CASE("mail: credentials over an unencrypted connection need allow_plain_auth") {
  const std::string mail =
      "mail:\n  smtp_url: smtp://exchange.example.no:25\n  tls: none\n"
      "  username: {env: SMTP_USER}\n  password: {env: SMTP_PASSWORD}\n";
  ServiceConfigLoad refused = load_with_tls(mail);
  CHECK_FALSE(refused.config);
  REQUIRE(refused.diagnostics.size() == 1);
  CAPTURE(refused.diagnostics[0].to_string());
  CHECK(refused.diagnostics[0].to_string().rfind("/etc/mangfold/mangfold.yaml:4:3: mail.username:",
                                                 0) == 0);
  CHECK(refused.diagnostics[0].message.find("allow_plain_auth") != std::string::npos);

  ServiceConfigLoad allowed = load_with_tls(mail + "  allow_plain_auth: true\n");
  REQUIRE(allowed.config);
  CHECK(allowed.config->smtp_tls == "none");
  CHECK(allowed.config->smtp_allow_plain_auth);
}

TEST_CASE("tenants.<t>.email_templates and display_name are accepted as documented") {
  ServiceConfigLoad load = testing::load_yaml(
      "tenants:\n"
      "  oslo:\n"
      "    display_name: Oslo kommune\n"
      "    email_templates: templates/oslo\n"
      "    policy: policy.yaml\n"
      "    signature: {scheme: hmac, secret: {env: X}}\n"
      "    pseudonyms: {key: {env: P}}\n");
  REQUIRE(load.config);
  REQUIRE(load.config->tenants.size() == 1);
  CHECK(load.config->tenants[0].display_name == "Oslo kommune");
  CHECK(load.config->tenants[0].email_templates == "/etc/mangfold/templates/oslo");
}
