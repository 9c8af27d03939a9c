// The service config's tls section: the profile is one of two names, and anything else is a
// diagnostic with the file, line and column of the value.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "connector/config/service_config.hpp"

using namespace mangfold;
using namespace mangfold::config;

namespace {

ServiceConfigLoad load_with_tls(const std::string& tls_section) {
  const std::map<std::string, std::string> files = {
      {"/etc/mangfold/mangfold.yaml", tls_section +
                                          "tenants:\n"
                                          "  oslo:\n"
                                          "    policy: policy.yaml\n"
                                          "    signature: {scheme: hmac, secret: {env: X}}\n"}};
  return load_service_config("/etc/mangfold/mangfold.yaml",
                             [&](const std::string& path) -> Result<std::string> {
                               auto it = files.find(path);
                               if (it == files.end()) return not_found(path);
                               return it->second;
                             });
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
