#include "connector/app/sign.hpp"

#include <curl/curl.h>

#include <chrono>
#include <iostream>
#include <random>

#include <nlohmann/json.hpp>

#include "connector/app/tenants.hpp"

namespace mangfold::app {

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string random_event_id() {
  std::random_device rd;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string id = "evt_";
  for (int i = 0; i < 24; ++i)
    id += "0123456789abcdef"[hex(rd)];
  return id;
}

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

int send(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
         const std::string& body) {
  CURL* curl = curl_easy_init();
  if (!curl) return 1;
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const auto& [name, value] : headers)
    list = curl_slist_append(list, (name + ": " + value).c_str());
  std::string answer;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    std::cerr << "mangfold sign: " << url << ": " << curl_easy_strerror(rc) << "\n";
    return 1;
  }
  std::cout << status << " " << answer << "\n";
  return status >= 200 && status < 300 ? 0 : 1;
}

}  // namespace

int run_sign(const SignArgs& args) {
  config::ServiceConfigLoad loaded = config::load_service_config(args.config_path);
  if (!loaded.config) {
    for (const auto& d : loaded.diagnostics)
      std::cerr << d.to_string() << "\n";
    return 1;
  }
  const config::TenantConfig* tenant = loaded.config->tenant(args.tenant);
  if (!tenant) {
    std::cerr << "mangfold sign: no tenant '" << args.tenant << "' in " << args.config_path << "\n";
    return 1;
  }
  Result<std::string> body = config::read_file(args.body_file);
  if (!body.ok()) {
    std::cerr << "mangfold sign: cannot read " << args.body_file << ": " << body.status().message()
              << "\n";
    return 1;
  }
  Result<std::unique_ptr<webhook::Verifier>> verifier = make_verifier(tenant->signature);
  if (!verifier.ok()) {
    std::cerr << "mangfold sign: tenant " << args.tenant << ": " << verifier.status().message()
              << "\n";
    return 1;
  }
  std::string event_id = args.event_id;
  if (event_id.empty()) {
    const auto doc = nlohmann::json::parse(*body, nullptr, false);
    const auto* id = doc.is_object() && doc.contains("event") && doc["event"].is_object() &&
                             doc["event"].contains("id")
                         ? &doc["event"]["id"]
                         : nullptr;
    event_id = id && id->is_string() ? id->get<std::string>() : id ? id->dump() : random_event_id();
  }
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const auto headers = (*verifier)->sign(*body, event_id, now);
  if (tenant->signature.scheme == "mapping") {
    std::cerr << "mangfold sign: tenant " << args.tenant
              << " uses signature scheme mapping: its mapping file signs inside the body, which "
                 "sign cannot do\n";
    return 1;
  }
  if (headers.empty()) {
    std::cerr << "mangfold sign: could not sign (no usable secret)\n";
    return 1;
  }
  std::string url = args.url;
  if (url.empty()) {
    const std::string host = loaded.config->address == "0.0.0.0" || loaded.config->address == "::"
                                 ? "127.0.0.1"
                                 : loaded.config->address;
    url = std::string(loaded.config->tls_certificate.empty() ? "http" : "https") + "://" +
          (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
          std::to_string(loaded.config->port) + "/hooks/" + args.tenant;
  }
  if (args.send) return send(url, headers, *body);
  std::cout << "curl -sS -X POST " << shell_quote(url)
            << " \\\n  -H 'Content-Type: application/json'";
  for (const auto& [name, value] : headers)
    std::cout << " \\\n  -H " << shell_quote(name + ": " + value);
  std::cout << " \\\n  --data-binary @" << shell_quote(args.body_file) << "\n";
  return 0;
}

}  // namespace mangfold::app
