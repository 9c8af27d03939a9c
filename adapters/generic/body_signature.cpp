#include "adapters/generic/body_signature.hpp"

#include <charconv>
#include <cstdlib>

#include "adapters/generic/json_path.hpp"
#include "adapters/generic/json_style.hpp"
#include "adapters/generic/values.hpp"
#include "connector/domain/date.hpp"
#include "connector/webhook/codec.hpp"

namespace mangfold::generic {

namespace {

// A request carrying more candidates than this is refused rather than costing a MAC
// comparison each.
constexpr std::size_t kMaxCandidates = 16;

std::optional<std::int64_t> digits(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::string where_of(const Expr& e) {
  return e.source == Expr::Source::kHeader ? "header " + e.header : "body " + e.pointer.text;
}

// The text of a header- or pointer-sourced value; a number keeps its JSON spelling.
std::optional<std::string> read_text(const Expr& e, const domain::InboundRequest& request,
                                     const Json* parsed) {
  if (e.source == Expr::Source::kHeader) {
    std::optional<std::string_view> h = request.header(e.header);
    if (!h || h->empty()) return std::nullopt;
    return std::string(*h);
  }
  if (!parsed) return std::nullopt;
  const Json* j = resolve(*parsed, e.pointer);
  if (!j) return std::nullopt;
  return scalar_text(*j);
}

std::vector<std::string> split(std::string_view text, std::string_view separators) {
  std::vector<std::string> out;
  if (separators.empty()) {
    out.emplace_back(text);
    return out;
  }
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find_first_of(separators, start);
    const std::size_t stop = end == std::string_view::npos ? text.size() : end;
    if (stop > start) out.emplace_back(text.substr(start, stop - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string_view trim(std::string_view t) {
  while (!t.empty() &&
         (t.front() == ' ' || t.front() == '\t' || t.front() == '\r' || t.front() == '\n'))
    t.remove_prefix(1);
  while (!t.empty() &&
         (t.back() == ' ' || t.back() == '\t' || t.back() == '\r' || t.back() == '\n'))
    t.remove_suffix(1);
  return t;
}

std::optional<std::string> decode(const SignatureSpec& spec, std::string_view candidate) {
  while (!candidate.empty() && (candidate.front() == ' ' || candidate.front() == '\t'))
    candidate.remove_prefix(1);
  while (!candidate.empty() && (candidate.back() == ' ' || candidate.back() == '\t'))
    candidate.remove_suffix(1);
  if (!spec.prefix.empty()) {
    if (candidate.substr(0, spec.prefix.size()) != spec.prefix) return std::nullopt;
    candidate.remove_prefix(spec.prefix.size());
  }
  Result<std::string> bytes = [&]() -> Result<std::string> {
    switch (spec.encoding) {
      case SignatureSpec::Encoding::kHex:
        return webhook::hex_decode(candidate);
      case SignatureSpec::Encoding::kBase64:
        return webhook::base64_decode(candidate);
      case SignatureSpec::Encoding::kBase64OfHex: {
        Result<std::string> hex = webhook::base64_decode(candidate);
        if (!hex.ok()) return hex.status();
        return webhook::hex_decode(*hex);
      }
    }
    return invalid_argument("unknown encoding");
  }();
  if (!bytes.ok() || bytes->empty()) return std::nullopt;
  return std::move(bytes).value();
}

// One alternative of the signed content, built from the request. kUnauthenticated when a
// part it needs is missing.
Result<std::string> build_content(const Template& t, const domain::InboundRequest& request,
                                  const Json* parsed, const std::string& timestamp_text) {
  std::string content;
  for (const TemplatePart& part : t.parts) {
    switch (part.kind) {
      case TemplatePart::Kind::kText:
        content += part.text;
        break;
      case TemplatePart::Kind::kBody:
        content += request.body;
        break;
      case TemplatePart::Kind::kTimestamp:
        content += timestamp_text;
        break;
      case TemplatePart::Kind::kHeader: {
        std::optional<std::string_view> h = request.header(part.text);
        if (!h && !part.optional)
          return unauthenticated("missing header " + part.text + " (part of the signed content)");
        if (h) content += *h;
        break;
      }
      case TemplatePart::Kind::kPointer: {
        const Json* j = parsed ? resolve(*parsed, part.pointer) : nullptr;
        std::optional<std::string> text = j ? scalar_text(*j) : std::nullopt;
        if (!text)
          return unauthenticated("missing body value " + part.pointer.text +
                                 " (part of the signed content)");
        content += *text;
        break;
      }
      case TemplatePart::Kind::kRawPointer:
      case TemplatePart::Kind::kJson: {
        Result<std::string_view> raw = raw_value(request.body, part.pointer);
        if (!raw.ok())
          return unauthenticated("cannot take " + part.pointer.text +
                                 " from the body: " + raw.status().message());
        if (part.kind == TemplatePart::Kind::kRawPointer) {
          content += *raw;
          break;
        }
        Result<std::string> printed = reserialise_json(*raw, part.json_style);
        if (!printed.ok())
          return unauthenticated("cannot re-serialise " + part.pointer.text + " from the body");
        content += *printed;
        break;
      }
      default:
        return internal_error("unexpected placeholder in the signed content");
    }
  }
  return content;
}

}  // namespace

std::optional<std::int64_t> parse_iso8601(std::string_view t) {
  if (t.size() < 20 || t[10] != 'T' || t[13] != ':' || t[16] != ':') return std::nullopt;
  std::optional<domain::Date> date = domain::Date::parse(t.substr(0, 10));
  std::optional<std::int64_t> h = digits(t.substr(11, 2)), m = digits(t.substr(14, 2)),
                              s = digits(t.substr(17, 2));
  if (!date || !h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  std::string_view rest = t.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    std::size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9')
      ++i;
    if (i == 1) return std::nullopt;
    rest.remove_prefix(i);
  }
  std::int64_t offset = 0;
  if (rest == "Z" || rest == "z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    std::optional<std::int64_t> oh = digits(rest.substr(1, 2)), om = digits(rest.substr(4, 2));
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset = (*oh * 3600 + *om * 60) * (rest[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(date->days_since_epoch()) * 86400 + *h * 3600 + *m * 60 + *s -
         offset;
}

std::vector<std::string> covered_pointers(const SignatureSpec& spec) {
  // The loader makes every alternative cover the same part: the first one says which.
  std::vector<std::string> out;
  if (spec.contents.empty() || spec.contents.front().uses(TemplatePart::Kind::kBody)) return out;
  for (const TemplatePart& p : spec.contents.front().parts)
    if (p.kind == TemplatePart::Kind::kPointer || p.kind == TemplatePart::Kind::kRawPointer ||
        p.kind == TemplatePart::Kind::kJson)
      out.push_back(extend("", p.pointer));
  return out;
}

std::string encode_signature(const SignatureSpec& spec, const webhook::Secret& secret,
                             std::string_view content) {
  Result<std::string> mac = webhook::hmac(spec.algorithm, secret.bytes, content);
  if (!mac.ok()) return {};
  switch (spec.encoding) {
    case SignatureSpec::Encoding::kHex:
      return webhook::hex_encode(*mac);
    case SignatureSpec::Encoding::kBase64:
      return webhook::base64_encode(*mac);
    case SignatureSpec::Encoding::kBase64OfHex:
      return webhook::base64_encode(webhook::hex_encode(*mac));
  }
  return {};
}

Status verify_body_signature(const SignatureSpec& spec, const std::vector<webhook::Secret>& secrets,
                             const domain::InboundRequest& request, const Json* parsed,
                             std::int64_t now_unix) {
  if (secrets.empty()) return failed_precondition("the mapping's signature has no secret");
  if (spec.needs_parsed_body && !parsed)
    return internal_error("the body must be parsed before this signature is checked");

  // The signature values: one text, or a list of texts in the body (several keys).
  std::vector<std::string> values;
  if (spec.signature.source == Expr::Source::kPointer && parsed) {
    if (const Json* j = resolve(*parsed, spec.signature.pointer); j && j->is_array()) {
      for (const Json& item : *j)
        if (item.is_string()) values.push_back(item.get<std::string>());
    }
  }
  if (values.empty())
    if (std::optional<std::string> v = read_text(spec.signature, request, parsed))
      values.push_back(std::move(*v));
  if (values.empty())
    return unauthenticated("missing signature (" + where_of(spec.signature) + ")");
  std::vector<std::string> candidates;
  std::optional<std::string> structured_timestamp;
  bool conflicting_timestamps = false;
  for (const std::string& v : values) {
    if (!spec.structure) {
      for (std::string& piece : split(v, spec.separators))
        if (std::optional<std::string> bytes = decode(spec, piece))
          candidates.push_back(std::move(*bytes));
      continue;
    }
    // "t=<unix>,v1=<sig>,v0=<sig>", perhaps base64 of it as a whole.
    std::string text = v;
    if (spec.structure->base64) {
      Result<std::string> plain = webhook::base64_decode(trim(v));
      if (!plain.ok()) continue;
      text = std::move(plain).value();
    }
    for (const std::string& pair : split(text, spec.structure->separator)) {
      const std::string_view p = trim(pair);
      const std::size_t eq = p.find('=');
      if (eq == std::string_view::npos) continue;
      const std::string_view key = trim(p.substr(0, eq)), value = trim(p.substr(eq + 1));
      if (!spec.structure->timestamp_key.empty() && key == spec.structure->timestamp_key) {
        if (structured_timestamp && *structured_timestamp != value) conflicting_timestamps = true;
        structured_timestamp = std::string(value);
        continue;
      }
      for (const std::string& k : spec.structure->keys)
        if (key == k)
          if (std::optional<std::string> bytes = decode(spec, value))
            candidates.push_back(std::move(*bytes));
    }
  }
  if (candidates.empty())
    return unauthenticated("no readable signature in " + where_of(spec.signature) +
                           " (check prefix and encoding)");
  if (candidates.size() > kMaxCandidates)
    return unauthenticated("too many signatures in " + where_of(spec.signature));

  std::string timestamp_text;
  const bool from_structure = spec.structure && !spec.structure->timestamp_key.empty();
  if (from_structure || spec.timestamp) {
    std::optional<std::string> ts =
        from_structure ? structured_timestamp : read_text(*spec.timestamp, request, parsed);
    const std::string where =
        from_structure ? where_of(spec.signature) + " (" + spec.structure->timestamp_key + "=)"
                       : where_of(*spec.timestamp);
    std::optional<std::int64_t> seconds;
    if (ts && !conflicting_timestamps) {
      switch (spec.timestamp_format) {
        case SignatureSpec::TimestampFormat::kUnixSeconds:
          seconds = digits(*ts);
          break;
        case SignatureSpec::TimestampFormat::kUnixMilliseconds:
          if (auto ms = digits(*ts)) seconds = *ms / 1000;
          break;
        case SignatureSpec::TimestampFormat::kIso8601:
          seconds = parse_iso8601(*ts);
          break;
      }
    }
    if (!seconds) return unauthenticated("missing or malformed timestamp (" + where + ")");
    if (std::llabs(now_unix - *seconds) > spec.tolerance_seconds)
      return unauthenticated("timestamp outside the tolerance of " +
                             std::to_string(spec.tolerance_seconds) + " seconds (" + where + ")");
    timestamp_text = std::move(*ts);
  }

  // The signed content: the first alternative that can be built from this request is
  // tried, then the others (a sender whose exact serialisation is not documented).
  std::vector<std::string> contents;
  Status first_problem;
  for (const Template& alternative : spec.contents) {
    Result<std::string> content = build_content(alternative, request, parsed, timestamp_text);
    if (content.ok())
      contents.push_back(std::move(content).value());
    else if (first_problem.ok())
      first_problem = content.status();
  }
  if (contents.empty()) return first_problem;

  // Every candidate against every secret, without stopping early (see connector/webhook).
  bool matched = false;
  for (const webhook::Secret& secret : secrets)
    for (const std::string& content : contents) {
      Result<std::string> mac = webhook::hmac(spec.algorithm, secret.bytes, content);
      if (!mac.ok()) return mac.status();
      for (const std::string& candidate : candidates)
        matched |= webhook::constant_time_equal(candidate, *mac);
    }
  if (!matched) return unauthenticated("no signature matched (" + where_of(spec.signature) + ")");
  return Status{};
}

}  // namespace mangfold::generic
