#include "connector/webhook/signature.hpp"

#include <charconv>
#include <string>

namespace mangfold::webhook {

namespace {

// Splits `text` at any of `separators`, skipping empty pieces.
std::vector<std::string_view> split(std::string_view text, std::string_view separators) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find_first_of(separators, start);
    const std::size_t stop = end == std::string_view::npos ? text.size() : end;
    if (stop > start) out.push_back(text.substr(start, stop - start));
    start = stop + 1;
  }
  return out;
}

// Unix seconds: ASCII digits only (no sign, no spaces), within int64.
std::optional<std::int64_t> parse_unix_seconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::string_view> non_empty_header(const HeaderLookup& headers,
                                                 std::string_view name) {
  std::optional<std::string_view> value = headers(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

Status missing_header(std::string_view name) {
  return unauthenticated("missing or empty header " + std::string(name));
}

// Computes one MAC per secret, so each candidate signature costs only comparisons.
Result<std::vector<std::string>> macs_for(HmacAlgorithm algorithm,
                                          const std::vector<Secret>& secrets,
                                          std::string_view content) {
  std::vector<std::string> macs;
  macs.reserve(secrets.size());
  for (const Secret& secret : secrets) {
    Result<std::string> mac = hmac(algorithm, secret.bytes, content);
    if (!mac.ok()) return mac.status();
    macs.push_back(std::move(mac).value());
  }
  return macs;
}

// Compares every candidate with every MAC without stopping early, so the time taken does
// not reveal which secret or which position matched.
bool any_match(const std::vector<std::string>& candidates, const std::vector<std::string>& macs) {
  bool matched = false;
  for (const std::string& candidate : candidates) {
    for (const std::string& mac : macs)
      matched |= constant_time_equal(candidate, mac);
  }
  return matched;
}

std::string standard_webhooks_content(std::string_view id, std::int64_t timestamp,
                                      std::string_view body) {
  // The timestamp is re-formatted from its value, as the reference libraries do, so a
  // sender's leading zeros do not change the signed content.
  std::string content;
  const std::string ts = std::to_string(timestamp);
  content.reserve(id.size() + ts.size() + body.size() + 2);
  content.append(id).append(".").append(ts).append(".").append(body);
  return content;
}

Result<std::string> decode_signature(SignatureEncoding encoding, std::string_view text) {
  return encoding == SignatureEncoding::kHex ? hex_decode(text) : base64_decode(text);
}

std::string encode_signature(SignatureEncoding encoding, std::string_view mac) {
  return encoding == SignatureEncoding::kHex ? hex_encode(mac) : base64_encode(mac);
}

Result<Secret> non_empty_secret(Result<std::string> bytes, std::string_view what) {
  if (!bytes.ok()) {
    return invalid_argument("webhook secret is not valid " + std::string(what) + " (" +
                            bytes.status().message() + "; check for surrounding whitespace)");
  }
  if (bytes->empty()) return invalid_argument("webhook secret is empty");
  return Secret{std::move(bytes).value()};
}

}  // namespace

Result<Secret> parse_standard_webhooks_secret(std::string_view text) {
  constexpr std::string_view kPrefix = "whsec_";
  if (text.substr(0, kPrefix.size()) == kPrefix) text.remove_prefix(kPrefix.size());
  // The reference libraries accept keys without their '=' padding, and ignore the spare
  // bits of the last character before it: so do we (for keys only; signatures stay strict).
  std::string padded(text);
  while (!padded.empty() && padded.back() == '=')
    padded.pop_back();
  const std::size_t pad = padded.size() % 4 == 2 ? 2 : padded.size() % 4 == 3 ? 1 : 0;
  if (pad > 0) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const std::size_t value = kAlphabet.find(padded.back());
    if (value != std::string_view::npos)
      padded.back() = kAlphabet[value & (pad == 1 ? ~std::size_t{0x3} : ~std::size_t{0xF})];
    padded.append(pad, '=');
  }
  return non_empty_secret(base64_decode(padded), "base64 after the whsec_ prefix");
}

Result<Secret> decode_secret(std::string_view text, SecretEncoding encoding) {
  switch (encoding) {
    case SecretEncoding::kRaw:
      return non_empty_secret(std::string(text), "text");
    case SecretEncoding::kHex:
      return non_empty_secret(hex_decode(text), "hex");
    case SecretEncoding::kBase64:
      return non_empty_secret(base64_decode(text), "base64");
  }
  return invalid_argument("unknown secret encoding");
}

Status verify_standard_webhooks(const HeaderLookup& headers, std::string_view body,
                                const StandardWebhooksOptions& options, std::int64_t now_unix) {
  if (options.secrets.empty()) {
    return failed_precondition("no Standard Webhooks secret is configured");
  }
  const auto id = non_empty_header(headers, kWebhookIdHeader);
  if (!id) return missing_header(kWebhookIdHeader);
  const auto timestamp_text = non_empty_header(headers, kWebhookTimestampHeader);
  if (!timestamp_text) return missing_header(kWebhookTimestampHeader);
  const auto signature_header = non_empty_header(headers, kWebhookSignatureHeader);
  if (!signature_header) return missing_header(kWebhookSignatureHeader);

  const std::optional<std::int64_t> timestamp = parse_unix_seconds(*timestamp_text);
  if (!timestamp) {
    return unauthenticated("header webhook-timestamp is not a unix timestamp in seconds");
  }
  // Differences of two int64 values always fit in uint64, so this cannot overflow even for
  // absurd timestamps.
  const std::int64_t tolerance = options.tolerance.count();
  const std::string window = std::to_string(tolerance) + " s";
  if (*timestamp <= now_unix) {
    const std::uint64_t age =
        static_cast<std::uint64_t>(now_unix) - static_cast<std::uint64_t>(*timestamp);
    if (tolerance < 0 || age > static_cast<std::uint64_t>(tolerance)) {
      return unauthenticated("webhook-timestamp is too old: more than " + window +
                             " before the current time");
    }
  } else {
    const std::uint64_t ahead =
        static_cast<std::uint64_t>(*timestamp) - static_cast<std::uint64_t>(now_unix);
    if (tolerance < 0 || ahead > static_cast<std::uint64_t>(tolerance)) {
      return unauthenticated("webhook-timestamp is in the future: more than " + window +
                             " after the current time");
    }
  }

  std::vector<std::string> candidates;
  bool any_v1 = false;
  for (std::string_view entry : split(*signature_header, " \t")) {
    const std::size_t comma = entry.find(',');
    if (comma == std::string_view::npos || entry.substr(0, comma) != "v1") continue;
    any_v1 = true;
    // A malformed v1 entry cannot match; another entry still may.
    Result<std::string> decoded = base64_decode(entry.substr(comma + 1));
    if (decoded.ok() && !decoded->empty()) candidates.push_back(std::move(decoded).value());
  }
  if (!any_v1) return unauthenticated("header webhook-signature has no v1 signature");

  const Result<std::vector<std::string>> macs = macs_for(
      HmacAlgorithm::kSha256, options.secrets, standard_webhooks_content(*id, *timestamp, body));
  if (!macs.ok()) return macs.status();
  if (!any_match(candidates, *macs)) {
    return unauthenticated("no v1 signature in webhook-signature matches a configured secret");
  }
  return Status{};
}

std::string sign_standard_webhooks(std::string_view id, std::int64_t timestamp,
                                   std::string_view body, const Secret& secret) {
  Result<std::string> mac =
      hmac(HmacAlgorithm::kSha256, secret.bytes, standard_webhooks_content(id, timestamp, body));
  if (!mac.ok()) return {};
  return "v1," + base64_encode(*mac);
}

Status verify_hmac_header(const HeaderLookup& headers, std::string_view body,
                          const HmacHeaderScheme& scheme) {
  if (scheme.secrets.empty()) {
    return failed_precondition("no secret is configured for header " + scheme.header);
  }
  const auto value = non_empty_header(headers, scheme.header);
  if (!value) return missing_header(scheme.header);

  std::vector<std::string> candidates;
  bool any_prefixed = false;
  for (std::string_view entry : split(*value, ", \t")) {
    if (entry.substr(0, scheme.prefix.size()) != scheme.prefix) continue;
    any_prefixed = true;
    Result<std::string> decoded =
        decode_signature(scheme.encoding, entry.substr(scheme.prefix.size()));
    if (decoded.ok() && !decoded->empty()) candidates.push_back(std::move(decoded).value());
  }
  if (!any_prefixed) {
    return unauthenticated("header " + scheme.header + " has no value starting with '" +
                           scheme.prefix + "'");
  }
  if (candidates.empty()) {
    return unauthenticated("header " + scheme.header + " holds no well-formed " +
                           (scheme.encoding == SignatureEncoding::kHex ? "hex" : "base64") +
                           " signature");
  }

  const Result<std::vector<std::string>> macs = macs_for(scheme.algorithm, scheme.secrets, body);
  if (!macs.ok()) return macs.status();
  if (!any_match(candidates, *macs)) {
    return unauthenticated("no signature in header " + scheme.header +
                           " matches a configured secret");
  }
  return Status{};
}

std::string sign_hmac_header(const HmacHeaderScheme& scheme, std::string_view body,
                             const Secret& secret) {
  Result<std::string> mac = hmac(scheme.algorithm, secret.bytes, body);
  if (!mac.ok()) return {};
  return scheme.prefix + encode_signature(scheme.encoding, *mac);
}

HmacHeaderScheme github_scheme() {
  HmacHeaderScheme scheme;
  scheme.header = "X-Hub-Signature-256";
  scheme.algorithm = HmacAlgorithm::kSha256;
  scheme.encoding = SignatureEncoding::kHex;
  scheme.prefix = "sha256=";
  return scheme;
}

HmacHeaderScheme talentech_scheme() {
  HmacHeaderScheme scheme;
  scheme.header = "X-Signature-Base64HmacSha256";
  scheme.algorithm = HmacAlgorithm::kSha256;
  scheme.encoding = SignatureEncoding::kBase64;
  scheme.prefix = "";
  return scheme;
}

namespace {

class StandardWebhooksVerifier final : public Verifier {
 public:
  explicit StandardWebhooksVerifier(StandardWebhooksOptions options)
      : options_(std::move(options)) {}

  Status verify(const HeaderLookup& headers, std::string_view body,
                std::int64_t now_unix) const override {
    return verify_standard_webhooks(headers, body, options_, now_unix);
  }

  std::vector<std::pair<std::string, std::string>> sign(std::string_view body,
                                                        std::string_view event_id,
                                                        std::int64_t now_unix) const override {
    if (options_.secrets.empty()) return {};
    std::string signature =
        sign_standard_webhooks(event_id, now_unix, body, options_.secrets.front());
    if (signature.empty()) return {};
    return {{std::string(kWebhookIdHeader), std::string(event_id)},
            {std::string(kWebhookTimestampHeader), std::to_string(now_unix)},
            {std::string(kWebhookSignatureHeader), std::move(signature)}};
  }

  std::optional<std::string> event_id_from_headers(const HeaderLookup& headers) const override {
    const auto id = non_empty_header(headers, kWebhookIdHeader);
    if (!id) return std::nullopt;
    return std::string(*id);
  }

 private:
  StandardWebhooksOptions options_;
};

class HmacHeaderVerifier final : public Verifier {
 public:
  explicit HmacHeaderVerifier(HmacHeaderScheme scheme) : scheme_(std::move(scheme)) {}

  Status verify(const HeaderLookup& headers, std::string_view body,
                std::int64_t /*now_unix*/) const override {
    return verify_hmac_header(headers, body, scheme_);
  }

  std::vector<std::pair<std::string, std::string>> sign(std::string_view body,
                                                        std::string_view /*event_id*/,
                                                        std::int64_t /*now_unix*/) const override {
    if (scheme_.secrets.empty()) return {};
    std::string value = sign_hmac_header(scheme_, body, scheme_.secrets.front());
    if (value.empty()) return {};
    return {{scheme_.header, std::move(value)}};
  }

  std::optional<std::string> event_id_from_headers(const HeaderLookup& /*headers*/) const override {
    return std::nullopt;
  }

 private:
  HmacHeaderScheme scheme_;
};

}  // namespace

std::unique_ptr<Verifier> make_standard_webhooks_verifier(StandardWebhooksOptions options) {
  return std::make_unique<StandardWebhooksVerifier>(std::move(options));
}

std::unique_ptr<Verifier> make_hmac_header_verifier(HmacHeaderScheme scheme) {
  return std::make_unique<HmacHeaderVerifier>(std::move(scheme));
}

}  // namespace mangfold::webhook
