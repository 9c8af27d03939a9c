// Test helpers for the generic adapter: in-memory files, a fake HttpClient that answers
// from a table and records what it was asked, and request builders.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/generic/generic_adapter.hpp"
#include "connector/common/http_client.hpp"
#include "connector/config/policy_loader.hpp"
#include "connector/domain/adapter.hpp"

namespace generic_test {

using namespace mangfold;

inline std::string source_path(const std::string& relative) {
  return std::string(MANGFOLD_SOURCE_DIR) + "/" + relative;
}

inline std::string read_source(const std::string& relative) {
  Result<std::string> text = config::read_file(source_path(relative));
  REQUIRE_MESSAGE(text.ok(), relative << ": " << text.status().message());
  return *text;
}

// Files in memory first, then the disk.
struct Files {
  std::map<std::string, std::string> files;
  config::ReadFile reader() const {
    return [files = files](const std::string& path) -> Result<std::string> {
      auto it = files.find(path);
      if (it != files.end()) return it->second;
      return config::read_file(path);
    };
  }
};

class FakeHttp : public HttpClient {
 public:
  struct Canned {
    Canned(int s = 200, std::string b = {}, std::vector<std::pair<std::string, std::string>> h = {},
           bool failure = false)
        : status(s), body(std::move(b)), headers(std::move(h)), transport_failure(failure) {}
    int status;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool transport_failure;
  };
  // Answers `method url` (and, when given, only a request whose body contains `body_has`).
  void on(const std::string& method, const std::string& url, Canned answer,
          std::string body_has = "") {
    routes_.push_back({method + " " + url, std::move(body_has), std::move(answer)});
  }
  Result<OutboundResponse> send(const OutboundRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    sent.push_back(request);
    for (const Route& r : routes_) {
      if (r.key != request.method + " " + request.url) continue;
      if (!r.body_has.empty() && request.body.find(r.body_has) == std::string::npos) continue;
      if (r.answer.transport_failure) return unavailable("connection refused");
      return OutboundResponse{r.answer.status, r.answer.headers, r.answer.body};
    }
    return OutboundResponse{404, {}, "{\"error\":\"not found\"}"};
  }
  std::string header_of(std::size_t i, const std::string& name) const {
    OutboundResponse view{0, sent.at(i).headers, {}};
    return view.header(name);
  }
  std::vector<OutboundRequest> sent;

 private:
  struct Route {
    std::string key;
    std::string body_has;
    Canned answer;
  };
  std::vector<Route> routes_;
  std::mutex mutex_;
};

struct Request {
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
  domain::InboundRequest view() const {
    return domain::InboundRequest{
        body, [this](std::string_view name) -> std::optional<std::string_view> {
          std::string lower(name);
          for (char& c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          auto it = headers.find(lower);
          if (it == headers.end()) return std::nullopt;
          return std::string_view(it->second);
        }};
  }
};

// Loads a mapping given as text (at a made-up path) or fails the test with its diagnostics.
inline std::unique_ptr<domain::Adapter> adapter_from_text(
    const std::string& yaml, Files files = {}, std::shared_ptr<HttpClient> http = nullptr,
    std::int64_t now = 1'800'000'000) {
  files.files["/mem/mapping.yaml"] = yaml;
  std::vector<config::Diagnostic> diagnostics;
  generic::AdapterDeps deps{std::move(http), files.reader(), [now] { return now; }};
  auto adapter = generic::load_generic_adapter("/mem/mapping.yaml", std::move(deps), diagnostics);
  std::string all;
  for (const auto& d : diagnostics)
    all += d.to_string() + "\n";
  REQUIRE_MESSAGE(adapter != nullptr, all);
  return adapter;
}

// Every diagnostic of a mapping given as text, one per line.
inline std::string diagnostics_of(const std::string& yaml) {
  Files files;
  files.files["/mem/mapping.yaml"] = yaml;
  std::string all;
  for (const auto& d : generic::check_mapping_file("/mem/mapping.yaml", files.reader()))
    all += d.to_string() + "\n";
  return all;
}

}  // namespace generic_test
