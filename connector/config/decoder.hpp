// Reading typed values out of a Node tree while collecting every problem found, each
// with its file:line:column and key path. Used by the policy and service-config loaders.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/config/document.hpp"
#include "connector/domain/date.hpp"

namespace mangfold::config {

std::string join_path(std::string_view parent, std::string_view key);
// The closest of `candidates` to `word` when it is a plausible typo; empty otherwise.
std::string closest(std::string_view word, const std::vector<std::string_view>& candidates);
// A decimal share in parts per million: 0.5, 1, "50%", "12.5 %". At most 6 decimals,
// above 0 and at most 1 (100 %).
std::optional<std::uint32_t> parse_share(std::string_view text);

// A non-negative decimal in millionths: 0, 0.1, 2.5, 12. At most 6 decimals and 9 whole
// digits, read from the text exactly (0.1 is 100000, never 99999.99…).
std::optional<std::int64_t> parse_decimal_micros(std::string_view text);

class Decoder {
 public:
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  bool ok() const { return diagnostics_.empty(); }
  void error(const Node& at, std::string path, std::string message);
  void error(Mark at, std::string path, std::string message);
  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }

  // Each call reports its own problem and returns nullopt/false/nullptr on error.
  bool expect_map(const Node& n, const std::string& path);
  // Reports every key of `map` not in `allowed`, suggesting the closest allowed key.
  void check_keys(const Node& map, const std::string& path,
                  std::initializer_list<std::string_view> allowed);
  const Node* require(const Node& map, std::string_view key, const std::string& path);

  std::optional<std::string> string(const Node& n, const std::string& path);
  std::optional<std::string> identifier(const Node& n, const std::string& path);  // [a-z0-9_-]
  std::optional<long> integer(const Node& n, const std::string& path, long min, long max);
  std::optional<double> number(const Node& n, const std::string& path, double min, double max);
  std::optional<bool> boolean(const Node& n, const std::string& path);
  std::optional<domain::Date> date(const Node& n, const std::string& path);
  std::optional<std::uint32_t> share(const Node& n, const std::string& path);
  std::optional<std::int64_t> decimal_micros(const Node& n, const std::string& path);
  std::optional<std::string> email(const Node& n, const std::string& path);
  // A list of strings; a single string is accepted as a list of one.
  std::optional<std::vector<std::string>> strings(const Node& n, const std::string& path);
  std::optional<std::string> language(const Node& n,
                                      const std::string& path);  // "nb", "nn", "en", …

  // One of `choices` (by name); reports the valid names otherwise.
  template <class E>
  std::optional<E> choice(const Node& n, const std::string& path,
                          std::initializer_list<std::pair<std::string_view, E>> choices) {
    std::optional<std::string> s = string(n, path);
    if (!s) return std::nullopt;
    std::vector<std::string_view> names;
    for (const auto& [name, value] : choices) {
      if (name == *s) return value;
      names.push_back(name);
    }
    unknown_choice(n, path, *s, names);
    return std::nullopt;
  }

 private:
  void unknown_choice(const Node& n, const std::string& path, const std::string& got,
                      const std::vector<std::string_view>& names);
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace mangfold::config
