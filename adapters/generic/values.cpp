#include "adapters/generic/values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "adapters/generic/json_path.hpp"
#include "connector/common/ascii.hpp"
#include "connector/domain/vacancy.hpp"

namespace mangfold::generic {

namespace {

std::string type_of(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "a list";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    default:
      return "a number";
  }
}

std::optional<Json> one_of(const Json& j, std::initializer_list<std::string_view> names,
                           std::string_view what, std::string& problem) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    for (std::string_view n : names)
      if (s == n) return Json(s);
  }
  std::string list;
  for (std::string_view n : names)
    list += (list.empty() ? "" : ", ") + std::string(n);
  problem = "not " + std::string(what) + " (expected one of: " + list + "); add a map";
  return std::nullopt;
}

std::optional<Json> scalar(FieldKind kind, const Json& j, std::string& problem) {
  switch (kind) {
    case FieldKind::kAny:
    case FieldKind::kText:
    case FieldKind::kLanguage:
      if (j.is_string()) return j;
      if (j.is_number() || (kind == FieldKind::kAny && j.is_boolean()))
        return Json(*scalar_text(j));
      problem = "expected text, got " + type_of(j);
      return std::nullopt;
    case FieldKind::kId:
      if (j.is_string()) {
        if (j.get_ref<const std::string&>().empty()) {
          problem = "the id is empty";
          return std::nullopt;
        }
        return j;
      }
      if (j.is_number_integer() || j.is_number_unsigned()) return Json(j.dump());
      problem = "expected an id (string or integer), got " + type_of(j);
      return std::nullopt;
    case FieldKind::kBool: {
      if (j.is_boolean()) return j;
      if (j.is_number_integer() || j.is_number_unsigned()) {
        if (j == 0 || j == 1) return Json(j == 1);
      } else if (j.is_string()) {
        const std::string s = ascii_lower(j.get_ref<const std::string&>());
        if (s == "true" || s == "yes" || s == "1") return Json(true);
        if (s == "false" || s == "no" || s == "0") return Json(false);
      }
      problem = "expected true or false, got " + type_of(j);
      return std::nullopt;
    }
    case FieldKind::kNumber: {
      if (j.is_number()) return Json(j.get<double>());
      if (j.is_string()) {
        const std::string& s = j.get_ref<const std::string&>();
        double v = 0;
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (!s.empty() && ec == std::errc{} && ptr == s.data() + s.size() && std::isfinite(v))
          return Json(v);
      }
      problem = "expected a number, got " + type_of(j);
      return std::nullopt;
    }
    case FieldKind::kRank: {
      long v = 0;
      bool ok = false;
      if (j.is_number_integer() || j.is_number_unsigned()) {
        ok = j.get<double>() <= 1e9;
        if (ok) v = j.get<long>();
      } else if (j.is_string()) {
        const std::string& s = j.get_ref<const std::string&>();
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        ok = !s.empty() && ec == std::errc{} && ptr == s.data() + s.size() && v <= 1'000'000'000;
      }
      if (ok && v >= 1) return Json(v);
      problem = "expected a whole number from 1 (best)";
      return std::nullopt;
    }
    case FieldKind::kDate: {
      if (j.is_string()) {
        const std::string& s = j.get_ref<const std::string&>();
        if (s.size() >= 10 && (s.size() == 10 || s[10] == 'T' || s[10] == ' '))
          if (auto d = domain::Date::parse(std::string_view(s).substr(0, 10)))
            return Json(d->to_string());
      }
      problem = "expected a date as YYYY-MM-DD (or an ISO 8601 date-time)";
      return std::nullopt;
    }
    case FieldKind::kStage:
      return one_of(j,
                    {"applied", "interview", "interviewed", "recommended", "offered", "hired",
                     "rejected", "withdrawn"},
                    "a stage", problem);
    case FieldKind::kQualification:
      return one_of(j, {"qualified", "not_qualified", "unknown"}, "a qualification", problem);
    case FieldKind::kVacancyStatus:
      return one_of(j, {"open", "closed"}, "a vacancy status", problem);
    case FieldKind::kAdFormat:
      return one_of(j, {"html", "text"}, "an ad format", problem);
    case FieldKind::kAnswer:
      return one_of(j, {"yes", "no", "unknown"}, "an answer", problem);
    case FieldKind::kTextList:
    case FieldKind::kStageList:
      break;
  }
  problem = "unsupported value";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> scalar_text(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return std::string(j.get<bool>() ? "true" : "false");
  if (j.is_number()) return j.dump();
  return std::nullopt;
}

FieldKind element_kind(FieldKind kind) {
  if (kind == FieldKind::kTextList) return FieldKind::kText;
  if (kind == FieldKind::kStageList) return FieldKind::kStage;
  return kind;
}

bool is_list_kind(FieldKind kind) {
  return kind == FieldKind::kTextList || kind == FieldKind::kStageList;
}

std::optional<Json> coerce(FieldKind kind, const Json& j, std::string& problem) {
  if (is_list_kind(kind)) {
    Json out = Json::array();
    if (!j.is_array()) {
      std::optional<Json> one = scalar(element_kind(kind), j, problem);
      if (!one) return std::nullopt;
      out.push_back(std::move(*one));
      return out;
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (j[i].is_null()) continue;
      std::optional<Json> one = scalar(element_kind(kind), j[i], problem);
      if (!one) {
        problem = "item " + std::to_string(i) + ": " + problem;
        return std::nullopt;
      }
      out.push_back(std::move(*one));
    }
    return out;
  }
  if (kind == FieldKind::kAnswer && j.is_array()) {
    // A multi-select answer: in the group if any chosen option says so, out of it if some
    // option says so and none says in, unknown otherwise (never inferred either way).
    bool yes = false, no = false;
    for (const Json& item : j) {
      if (item.is_null()) continue;
      std::optional<Json> one = scalar(FieldKind::kAnswer, item, problem);
      if (!one) return std::nullopt;
      yes |= *one == "yes";
      no |= *one == "no";
    }
    return Json(yes ? "yes" : no ? "no" : "unknown");
  }
  if (j.is_array() || j.is_object()) {
    problem = "expected a single value, got " + type_of(j);
    return std::nullopt;
  }
  return scalar(kind, j, problem);
}

std::optional<Template> parse_template(std::string_view text, unsigned allowed,
                                       std::string& error) {
  Template t;
  t.text = std::string(text);
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    t.parts.push_back({TemplatePart::Kind::kText, literal, {}});
    literal.clear();
  };
  auto permitted = [&](unsigned bit, std::string_view what) {
    if (allowed & bit) return true;
    error = "the placeholder {" + std::string(what) + "} cannot be used here";
    return false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        literal += '}';
        ++i;
        continue;
      }
      error = "unmatched '}' (write }} for a literal brace)";
      return std::nullopt;
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i);
    if (close == std::string_view::npos) {
      error = "unclosed '{' (write {{ for a literal brace)";
      return std::nullopt;
    }
    const std::string_view name = text.substr(i + 1, close - i - 1);
    i = close;
    flush();
    TemplatePart part;
    if (name == "body") {
      if (!permitted(kAllowBody, name)) return std::nullopt;
      part.kind = TemplatePart::Kind::kBody;
    } else if (name == "timestamp") {
      if (!permitted(kAllowTimestamp, name)) return std::nullopt;
      part.kind = TemplatePart::Kind::kTimestamp;
    } else if (name == "vacancy_id") {
      if (!permitted(kAllowVacancyId, name)) return std::nullopt;
      part.kind = TemplatePart::Kind::kVacancyId;
    } else if (name == "lookup_id") {
      if (!permitted(kAllowLookupId, name)) return std::nullopt;
      part.kind = TemplatePart::Kind::kLookupId;
    } else if (name == "request_id") {
      if (!permitted(kAllowRequestId, name)) return std::nullopt;
      part.kind = TemplatePart::Kind::kRequestId;
    } else if (name == "secret") {
      if (!permitted(kAllowSecret, name)) return std::nullopt;
      part.kind = TemplatePart::Kind::kSecret;
    } else if (name.rfind("header?:", 0) == 0) {
      if (!permitted(kAllowOptionalHeader, "header?:…")) return std::nullopt;
      part.kind = TemplatePart::Kind::kHeader;
      part.optional = true;
      part.text = std::string(name.substr(8));
      if (part.text.empty()) {
        error = "{header?:} needs a header name, e.g. {header?:Link}";
        return std::nullopt;
      }
    } else if (name.rfind("json:", 0) == 0 || name.rfind("json_php:", 0) == 0) {
      const bool php = name[4] == '_';
      if (!permitted(kAllowJson, php ? "json_php:…" : "json:…")) return std::nullopt;
      part.kind = TemplatePart::Kind::kJson;
      part.json_style = php ? TemplatePart::JsonStyle::kPhp : TemplatePart::JsonStyle::kJavaScript;
      std::optional<Pointer> p = parse_pointer(name.substr(php ? 9 : 5), error);
      if (!p) return std::nullopt;
      if (!p->from_root && !p->tokens.empty() && name[php ? 9 : 5] != '/') {
        error = "{json:…} needs a JSON Pointer from the body's root, e.g. {json:/payload}";
        return std::nullopt;
      }
      part.pointer = std::move(*p);
    } else if (name.rfind("header:", 0) == 0) {
      if (!permitted(kAllowHeader, "header:…")) return std::nullopt;
      part.kind = TemplatePart::Kind::kHeader;
      part.text = std::string(name.substr(7));
      if (part.text.empty()) {
        error = "{header:} needs a header name, e.g. {header:X-Timestamp}";
        return std::nullopt;
      }
    } else if (name.rfind("application:", 0) == 0) {
      if (!permitted(kAllowApplication, "application:…")) return std::nullopt;
      part.kind = TemplatePart::Kind::kApplication;
      std::optional<Pointer> p = parse_pointer(name.substr(12), error);
      if (!p) return std::nullopt;
      if (p->from_root || p->tokens.empty()) {
        error = "{application:…} needs a JSON Pointer into the application, e.g. {application:/id}";
        return std::nullopt;
      }
      part.pointer = std::move(*p);
    } else if (name.rfind("config:", 0) == 0) {
      if (!permitted(kAllowConfig, "config:…")) return std::nullopt;
      part.kind = TemplatePart::Kind::kConfig;
      part.text = std::string(name.substr(7));
      bool ok = !part.text.empty() && part.text.size() <= 64;
      for (char ch : part.text)
        ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_');
      if (!ok) {
        error = "{config:…} needs a name of letters, digits and _, e.g. {config:account_id}";
        return std::nullopt;
      }
    } else if (name.rfind("raw:", 0) == 0) {
      if (!permitted(kAllowRaw, "raw:…")) return std::nullopt;
      part.kind = TemplatePart::Kind::kRawPointer;
      std::optional<Pointer> p = parse_pointer(name.substr(4), error);
      if (!p) return std::nullopt;
      part.pointer = std::move(*p);
    } else if (!name.empty() && (name[0] == '/' || name[0] == '$')) {
      if (!permitted(kAllowPointer, name)) return std::nullopt;
      part.kind = TemplatePart::Kind::kPointer;
      std::optional<Pointer> p = parse_pointer(name, error);
      if (!p) return std::nullopt;
      part.pointer = std::move(*p);
    } else {
      std::string names;
      auto add = [&](unsigned bit, std::string_view n) {
        if (allowed & bit) names += (names.empty() ? "" : ", ") + std::string(n);
      };
      add(kAllowPointer, "{/pointer}");
      add(kAllowRaw, "{raw:/pointer}");
      add(kAllowHeader, "{header:Name}");
      add(kAllowOptionalHeader, "{header?:Name}");
      add(kAllowJson, "{json:/pointer}, {json_php:/pointer}");
      add(kAllowBody, "{body}");
      add(kAllowTimestamp, "{timestamp}");
      add(kAllowVacancyId, "{vacancy_id}");
      add(kAllowLookupId, "{lookup_id}");
      add(kAllowApplication, "{application:/pointer}");
      add(kAllowConfig, "{config:name}");
      add(kAllowRequestId, "{request_id}");
      add(kAllowSecret, "{secret}");
      error = "unknown placeholder {" + std::string(name) + "} (expected " + names + ")";
      return std::nullopt;
    }
    t.parts.push_back(std::move(part));
  }
  flush();
  return t;
}

std::string url_origin(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  const std::size_t end = url.find_first_of("/?#", scheme + 3);
  return std::string(url.substr(0, end));
}

bool acceptable_url_origin(std::string_view url) {
  const std::string origin = ascii_lower(url_origin(url));
  if (origin.rfind("https://", 0) == 0) return origin.size() > 8;
  for (std::string_view loopback : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
    if (origin == loopback) return true;
    if (origin.rfind(std::string(loopback) + ":", 0) == 0) return true;
  }
  return false;
}

std::string percent_encode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace mangfold::generic
