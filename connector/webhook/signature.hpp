// Webhook signature verification and signing (DESIGN.md §2.1, §6): Standard Webhooks and
// "<header>: <prefix><mac>" HMAC schemes (GitHub-style and others).
//
// Runs on the raw request body BEFORE anything parses it. Everything here is pure: the
// clock comes in as `now_unix`, headers through a lookup. Options are validated values;
// verifiers are immutable and safe to share between threads.
//
// Errors: a request that fails verification gets kUnauthenticated with an English message
// naming what was wrong (a missing header, a stale timestamp, no matching signature). The
// message never contains the body, a secret, a computed signature or a received header
// value, so it may be logged and returned to the sender. A verifier configured without
// secrets gives kFailedPrecondition. Secret parsers give kInvalidArgument.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/webhook/codec.hpp"

namespace mangfold::webhook {

// Returns the value of the request header `name`, or nullopt when absent. Matching names
// case-insensitively (HTTP header names are) is the caller's job: this module asks for
// "webhook-id" and for the scheme's configured header exactly as spelled. The returned view
// must stay valid for the duration of the call it is passed to. When a header occurs more
// than once, return the values joined with a single space (a separator in both schemes).
using HeaderLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

// A shared HMAC key as raw bytes. Never log it.
struct Secret {
  std::string bytes;
};

// A Standard Webhooks secret: "whsec_" followed by base64, or the bare base64. The text is
// used as is (trim a trailing newline read from a file first). Rejects invalid base64 and
// an empty key. The base64 may leave out its "=" padding, as the reference libraries allow.
Result<Secret> parse_standard_webhooks_secret(std::string_view text);

enum class SecretEncoding {
  kRaw,     // the text's bytes are the key
  kHex,     // the text is hex (either case) of the key
  kBase64,  // the text is standard padded base64 of the key
};
// Decodes a secret given in `encoding`. Rejects malformed text and an empty key.
Result<Secret> decode_secret(std::string_view text, SecretEncoding encoding);

// ---------------------------------------------------------------------------------------
// Standard Webhooks (https://www.standardwebhooks.com/, symmetric "v1" signatures).
// Headers: webhook-id, webhook-timestamp (unix seconds), webhook-signature (a space-separated
// list of "v1,<base64 HMAC-SHA256>"; entries of other versions such as "v1a," are ignored).
// Signed content: "{webhook-id}.{webhook-timestamp}.{body}".

inline constexpr std::string_view kWebhookIdHeader = "webhook-id";
inline constexpr std::string_view kWebhookTimestampHeader = "webhook-timestamp";
inline constexpr std::string_view kWebhookSignatureHeader = "webhook-signature";

struct StandardWebhooksOptions {
  // Accepted keys; several during rotation. Empty: every request fails (kFailedPrecondition).
  std::vector<Secret> secrets;
  // How far webhook-timestamp may lie before or after now (inclusive). Default 300 s, as
  // in the reference libraries. Negative rejects every request.
  std::chrono::seconds tolerance{300};
};

// OK when the timestamp is within tolerance of `now_unix` and any v1 signature matches any
// secret. The timestamp is checked before the signatures.
Status verify_standard_webhooks(const HeaderLookup& headers, std::string_view body,
                                const StandardWebhooksOptions& options, std::int64_t now_unix);

// The webhook-signature entry "v1,<base64>" for this message. Empty only if OpenSSL fails.
std::string sign_standard_webhooks(std::string_view id, std::int64_t timestamp,
                                   std::string_view body, const Secret& secret);

// ---------------------------------------------------------------------------------------
// "<header>: <prefix><encoded HMAC of the body>", e.g. GitHub's
// "X-Hub-Signature-256: sha256=<hex>". No timestamp: replays are stopped by deduplication.

enum class SignatureEncoding { kHex, kBase64 };

struct HmacHeaderScheme {
  std::string header = "X-Hub-Signature-256";
  HmacAlgorithm algorithm = HmacAlgorithm::kSha256;
  // kHex compares case-insensitively (the digits are decoded, then bytes compared).
  SignatureEncoding encoding = SignatureEncoding::kHex;
  // Must match exactly (case-sensitive) at the start of a value; may be empty. Must not
  // contain ',' or whitespace, which separate values.
  std::string prefix = "sha256=";
  // Accepted keys; several during rotation. Empty: every request fails (kFailedPrecondition).
  std::vector<Secret> secrets;
};

// OK when any value in the header matches any secret. The header may hold several values
// separated by ',' and/or whitespace (senders rotating keys).
Status verify_hmac_header(const HeaderLookup& headers, std::string_view body,
                          const HmacHeaderScheme& scheme);

// The full header value: prefix + encoded MAC. `scheme.secrets` is not used. Empty only if
// OpenSSL fails.
std::string sign_hmac_header(const HmacHeaderScheme& scheme, std::string_view body,
                             const Secret& secret);

// GitHub: X-Hub-Signature-256, HMAC-SHA256, lowercase hex, prefix "sha256=". Add secrets
// with decode_secret(text, SecretEncoding::kRaw): GitHub uses the secret text as the key.
HmacHeaderScheme github_scheme();

// Talentech: X-Signature-Base64HmacSha256, HMAC-SHA256, base64, no prefix. Talentech hands
// out its secrets as hex, and the key is the hex-DECODED bytes, not the hex text: add
// secrets with decode_secret(text, SecretEncoding::kHex).
HmacHeaderScheme talentech_scheme();

// ---------------------------------------------------------------------------------------
// One scheme behind one interface, so the HTTP layer and `mangfold sign` need not know
// which a tenant uses. Implementations are immutable; all methods are thread-safe.
class Verifier {
 public:
  virtual ~Verifier() = default;

  // See verify_standard_webhooks / verify_hmac_header. `now_unix` is ignored by schemes
  // without a timestamp.
  virtual Status verify(const HeaderLookup& headers, std::string_view body,
                        std::int64_t now_unix) const = 0;

  // The headers (name, value) a sender would add to deliver `body`, signed with the first
  // configured secret; empty when there is none. Schemes without an id or timestamp ignore
  // those arguments.
  virtual std::vector<std::pair<std::string, std::string>> sign(std::string_view body,
                                                                std::string_view event_id,
                                                                std::int64_t now_unix) const = 0;

  // The sender's event id when the scheme carries one in a header (Standard Webhooks:
  // webhook-id), for deduplication; nullopt otherwise or when absent/empty. Only
  // meaningful after verify() succeeded.
  virtual std::optional<std::string> event_id_from_headers(const HeaderLookup& headers) const = 0;
};

std::unique_ptr<Verifier> make_standard_webhooks_verifier(StandardWebhooksOptions options);
std::unique_ptr<Verifier> make_hmac_header_verifier(HmacHeaderScheme scheme);

}  // namespace mangfold::webhook
