#include "fuzz/fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

#include "connector/common/ascii.hpp"
#include "connector/policy/ad_injection.hpp"
#include "connector/policy/engine.hpp"

namespace mangfold::fuzz {

std::string_view embedded(std::string_view path) {
  for (const EmbeddedFile& f : embedded_files())
    if (f.path == path) return f.text;
  std::fprintf(stderr, "fuzz: %.*s is not embedded (fuzz/CMakeLists.txt)\n",
               static_cast<int>(path.size()), path.data());
  std::abort();
}

config::ReadFile embedded_reader(std::vector<std::pair<std::string, std::string>> extra) {
  return [extra = std::move(extra)](const std::string& path) -> Result<std::string> {
    for (const auto& [name, text] : extra)
      if (name == path) return text;
    for (const EmbeddedFile& f : embedded_files())
      if (f.path == path) return std::string(f.text);
    return not_found("no such file");
  };
}

const policy::Policy& shipped_policy(std::string_view path) {
  static std::mutex mu;
  static std::map<std::string, policy::Policy, std::less<>> loaded;
  std::lock_guard lock(mu);
  if (auto it = loaded.find(path); it != loaded.end()) return it->second;
  config::PolicyLoad load = config::load_policy(std::string(path), embedded_reader());
  if (!load.policy) {
    for (const auto& d : load.diagnostics)
      std::fprintf(stderr, "%s\n", d.to_string().c_str());
    std::abort();
  }
  return loaded.emplace(std::string(path), std::move(*load.policy)).first->second;
}

void evaluate_like_the_server(const policy::Policy& policy, const domain::Snapshot& snapshot) {
  policy::AdMemo memo;
  // The server ignores a failed plan (the ad is flagged instead): only a crash counts here.
  (void)policy::plan_ad_injection(policy, snapshot, &memo);
  policy::EvaluationContext context;
  context.today = domain::Date::from_days_since_epoch(20'000);
  context.ad_memo = &memo;
  (void)policy::evaluate(policy, snapshot, context);
}

void require_client_error(const Status& s, std::string_view where) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kUnauthenticated:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kUnprocessable:
      return;
    default:
      std::fprintf(stderr, "fuzz: %.*s answered %s (a 5xx): %s\n", static_cast<int>(where.size()),
                   where.data(), std::string(to_string(s.code())).c_str(), s.message().c_str());
      std::abort();
  }
}

std::pair<std::string_view, std::string_view> split_once(std::string_view input,
                                                         std::string_view separator) {
  const std::size_t at = input.find(separator);
  if (at == std::string_view::npos) return {input, {}};
  return {input.substr(0, at), input.substr(at + separator.size())};
}

std::vector<std::pair<std::string, std::string>> parse_header_lines(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    auto [line, rest] = split_once(text, "\n");
    text = rest;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    out.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return out;
}

std::optional<std::string_view> lookup_header(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  const std::string wanted = ascii_lower(name);
  for (const auto& [n, v] : headers)
    if (ascii_lower(n) == wanted) return std::string_view(v);
  return std::nullopt;
}

}  // namespace mangfold::fuzz
