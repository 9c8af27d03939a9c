#include "connector/config/decoder.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace mangfold::config {

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string quoted_list(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i)
    out += (i ? ", " : "") + std::string(names[i]);
  return out;
}

}  // namespace

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return std::string(parent) + "." + std::string(key);
}

std::string closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (std::string_view c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

std::optional<std::uint32_t> parse_share(std::string_view text) {
  std::string_view s = text;
  bool percent = false;
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  if (!s.empty() && s.back() == '%') {
    percent = true;
    s.remove_suffix(1);
    while (!s.empty() && s.back() == ' ')
      s.remove_suffix(1);
  }
  const size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  auto digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  const size_t max_decimals = percent ? 4 : 6;  // ppm resolution either way
  if (!digits(whole) || !digits(fraction) || fraction.size() > max_decimals || whole.size() > 3)
    return std::nullopt;
  std::uint64_t value = 0;
  for (char c : whole)
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  for (size_t i = 0; i < max_decimals; ++i)
    value = value * 10 + (i < fraction.size() ? static_cast<std::uint64_t>(fraction[i] - '0') : 0);
  // value is now in units of 1e-6 (fraction) or 1e-4 % (percent): both ppm.
  if (value == 0 || value > 1'000'000) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

std::optional<std::int64_t> parse_decimal_micros(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  auto digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || !digits(whole) || !digits(fraction) || whole.size() > 9 ||
      fraction.size() > 6 || (dot != std::string_view::npos && fraction.empty()))
    return std::nullopt;
  std::int64_t value = 0;
  for (char c : whole)
    value = value * 10 + (c - '0');
  for (size_t i = 0; i < 6; ++i)
    value = value * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  return value;
}

void Decoder::error(const Node& at, std::string path, std::string message) {
  error(at.mark, std::move(path), std::move(message));
}

void Decoder::error(Mark at, std::string path, std::string message) {
  diagnostics_.push_back(Diagnostic{std::move(at), std::move(path), std::move(message)});
}

bool Decoder::expect_map(const Node& n, const std::string& path) {
  if (n.is_map()) return true;
  error(n, path, "expected a map of keys, got " + std::string(n.type_name()));
  return false;
}

void Decoder::check_keys(const Node& map, const std::string& path,
                         std::initializer_list<std::string_view> allowed) {
  const std::vector<std::string_view> names(allowed);
  for (const auto& [key, value] : map.entries) {
    if (std::find(names.begin(), names.end(), key.scalar) != names.end()) continue;
    std::string message = "unknown key";
    if (std::string guess = closest(key.scalar, names); !guess.empty())
      message += " (did you mean '" + guess + "'?)";
    else
      message += " (expected one of: " + quoted_list(names) + ")";
    error(key, join_path(path, key.scalar), message);
  }
}

const Node* Decoder::require(const Node& map, std::string_view key, const std::string& path) {
  if (const Node* n = map.get(key)) return n;
  error(map, join_path(path, key), "missing required key");
  return nullptr;
}

std::optional<std::string> Decoder::string(const Node& n, const std::string& path) {
  if (n.is_scalar() && n.scalar_type == Node::ScalarType::kString) return n.scalar;
  std::string message = "expected a string, got " + std::string(n.type_name());
  if (n.is_scalar()) message += "; quote it to use it as text: \"" + n.scalar + "\"";
  error(n, path, message);
  return std::nullopt;
}

std::optional<std::string> Decoder::identifier(const Node& n, const std::string& path) {
  std::optional<std::string> s = string(n, path);
  if (!s) return std::nullopt;
  const bool valid =
      !s->empty() && s->size() <= 64 && std::isalnum(static_cast<unsigned char>((*s)[0])) &&
      std::all_of(s->begin(), s->end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      });
  if (valid) return s;
  error(n, path,
        "expected an identifier of lower-case letters, digits, '_' and '-', got '" + *s + "'");
  return std::nullopt;
}

std::optional<long> Decoder::integer(const Node& n, const std::string& path, long min, long max) {
  long value = 0;
  if (n.is_scalar() && n.scalar_type == Node::ScalarType::kInteger) {
    std::string_view s = n.scalar;
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc{} && ptr == s.data() + s.size() && value >= min && value <= max)
      return value;
  } else {
    error(n, path, "expected a whole number, got " + std::string(n.type_name()));
    return std::nullopt;
  }
  error(n, path,
        "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
            ", got " + n.scalar);
  return std::nullopt;
}

std::optional<double> Decoder::number(const Node& n, const std::string& path, double min,
                                      double max) {
  if (n.is_scalar() &&
      (n.scalar_type == Node::ScalarType::kInteger || n.scalar_type == Node::ScalarType::kFloat)) {
    double value = 0;
    auto [ptr, ec] = std::from_chars(n.scalar.data(), n.scalar.data() + n.scalar.size(), value);
    if (ec == std::errc{} && ptr == n.scalar.data() + n.scalar.size() && std::isfinite(value) &&
        value >= min && value <= max)
      return value;
    error(n, path,
          "expected a number from " + std::to_string(min) + " to " + std::to_string(max) +
              ", got " + n.scalar);
    return std::nullopt;
  }
  error(n, path, "expected a number, got " + std::string(n.type_name()));
  return std::nullopt;
}

std::optional<bool> Decoder::boolean(const Node& n, const std::string& path) {
  if (n.is_scalar() && n.scalar_type == Node::ScalarType::kBoolean)
    return n.scalar[0] == 't' || n.scalar[0] == 'T';
  error(n, path, "expected true or false, got " + std::string(n.type_name()));
  return std::nullopt;
}

std::optional<domain::Date> Decoder::date(const Node& n, const std::string& path) {
  if (n.is_scalar())
    if (auto d = domain::Date::parse(n.scalar)) return d;
  error(n, path,
        "expected a date as YYYY-MM-DD, got " +
            (n.is_scalar() ? "'" + n.scalar + "'" : std::string(n.type_name())));
  return std::nullopt;
}

std::optional<std::uint32_t> Decoder::share(const Node& n, const std::string& path) {
  if (n.is_scalar())
    if (auto s = parse_share(n.scalar)) return s;
  error(n, path,
        "expected a share above 0 and at most 1, such as 0.5 or \"50%\", got " +
            (n.is_scalar() ? n.scalar : std::string(n.type_name())));
  return std::nullopt;
}

std::optional<std::int64_t> Decoder::decimal_micros(const Node& n, const std::string& path) {
  if (n.is_scalar())
    if (auto v = parse_decimal_micros(n.scalar)) return v;
  error(n, path,
        "expected a decimal number of at least 0 with at most 6 decimals, such as 0.5, got " +
            (n.is_scalar() ? n.scalar : std::string(n.type_name())));
  return std::nullopt;
}

std::optional<std::string> Decoder::email(const Node& n, const std::string& path) {
  std::optional<std::string> s = string(n, path);
  if (!s) return std::nullopt;
  const size_t at = s->find('@');
  const bool valid = at != std::string::npos && at > 0 &&
                     s->find('@', at + 1) == std::string::npos &&
                     s->find('.', at) != std::string::npos && s->back() != '.' &&
                     s->find_first_of(" \t<>,;\"") == std::string::npos;
  if (valid) return s;
  error(n, path, "expected an email address, got '" + *s + "'");
  return std::nullopt;
}

std::optional<std::vector<std::string>> Decoder::strings(const Node& n, const std::string& path) {
  if (n.is_scalar()) {
    if (auto s = string(n, path)) return std::vector<std::string>{*s};
    return std::nullopt;
  }
  if (!n.is_sequence()) {
    error(n, path, "expected a list of strings, got " + std::string(n.type_name()));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < n.items.size(); ++i) {
    if (auto s = string(n.items[i], path + "[" + std::to_string(i) + "]"))
      out.push_back(*s);
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> Decoder::language(const Node& n, const std::string& path) {
  std::optional<std::string> s = string(n, path);
  if (!s) return std::nullopt;
  const bool valid = (s->size() == 2 || s->size() == 3) &&
                     std::all_of(s->begin(), s->end(), [](char c) { return c >= 'a' && c <= 'z'; });
  if (valid) return s;
  error(n, path, "expected a language code such as nb, nn or en, got '" + *s + "'");
  return std::nullopt;
}

void Decoder::unknown_choice(const Node& n, const std::string& path, const std::string& got,
                             const std::vector<std::string_view>& names) {
  std::string message = "unknown value '" + got + "'";
  if (std::string guess = closest(got, names); !guess.empty())
    message += " (did you mean '" + guess + "'?)";
  else
    message += " (expected one of: " + quoted_list(names) + ")";
  error(n, path, message);
}

}  // namespace mangfold::config
