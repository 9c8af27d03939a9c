// The compiled form of a mapping file (adapters/generic/README.md): what the loader makes of
// the YAML and what the adapter executes. Internal to adapters/generic.
//
// A Mapping is immutable once loaded and safe to share between threads. Every element keeps
// the key path it was written at, so that a payload that does not map can be reported as
// "<JSON Pointer>: <problem> (mapping: <key path>)".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/config/document.hpp"
#include "connector/config/service_config.hpp"
#include "connector/webhook/codec.hpp"
#include "connector/webhook/signature.hpp"

namespace mangfold::generic {

using Json = nlohmann::json;

// An RFC 6901 JSON Pointer. Relative to the current element (inside `applications`, the
// application; inside `get`, the element found) unless written with a leading `$`, which
// anchors it at the document root.
struct Pointer {
  std::vector<std::string> tokens;
  bool from_root = false;
  std::string text;  // as written, for messages
};

// What a mapped value must become. Decides coercion (ids and numbers may arrive as strings
// or numbers) and which constants the loader accepts in `map`, `value`, `default`.
enum class FieldKind {
  kAny,            // event type: any scalar, as text
  kId,             // non-empty string or integer
  kText,           // string or number
  kBool,           // true/false, "true"/"false", "yes"/"no", 1/0
  kNumber,         // number or numeric string
  kRank,           // whole number >= 1, or such a string
  kDate,           // "YYYY-MM-DD", or an ISO 8601 date-time whose date part is taken
  kStage,          // applied, interview, …
  kQualification,  // qualified, not_qualified, unknown
  kVacancyStatus,  // open, closed
  kAdFormat,       // html, text
  kAnswer,         // yes, no, unknown (a list is combined: any yes, else any no, else unknown)
  kLanguage,       // a culture or language tag: "NB-NO", "nb"
  kTextList,       // a list of text, or one text
  kStageList,      // a list of stages, or one stage
};

struct Expr;

// One test in `where:` / `when:`. The key is a pointer into the element tested.
struct Condition {
  enum class Op { kAnyOf, kNoneOf, kPresent, kAbsent, kSameAs };
  Pointer key;
  Op op = Op::kAnyOf;
  std::vector<Json> literals;         // kAnyOf, kNoneOf
  std::shared_ptr<const Expr> other;  // kSameAs: evaluated where the find/when stands
  std::string path;
};

// Text with placeholders: `{/pointer}`, `{$/pointer}`, `{raw:/pointer}`, `{header:Name}`,
// `{body}`, `{timestamp}`, `{vacancy_id}`, `{request_id}`, `{secret}`. `{{` and `}}` are
// literal braces. Which placeholders a template may use depends on where it stands.
struct TemplatePart {
  enum class Kind {
    kText,
    kPointer,
    kRawPointer,
    kHeader,
    kBody,
    kTimestamp,
    kVacancyId,
    kRequestId,
    kSecret,
    kJson,         // {json:/p} / {json_php:/p}: the value re-serialised compactly (json_style)
    kLookupId,     // {lookup_id}: what a lookup event names (api.lookup requests)
    kApplication,  // {application:/p}: a value of one application (api.answers request)
    kConfig        // {config:name}: a tenant's adapter_options.config value (api.base_url)
  };
  // How {json…} prints: JavaScript JSON.stringify, or PHP json_encode (which escapes `/`
  // and every non-ASCII character as \uXXXX).
  enum class JsonStyle { kJavaScript, kPhp };
  Kind kind = Kind::kText;
  std::string text;  // literal text, or the header name
  Pointer pointer;
  bool optional = false;  // {header?:Name}: an absent header is empty text, not an error
  JsonStyle json_style = JsonStyle::kJavaScript;
};

struct Template {
  std::vector<TemplatePart> parts;
  std::string text;  // as written
  bool uses(TemplatePart::Kind k) const {
    for (const TemplatePart& p : parts)
      if (p.kind == k) return true;
    return false;
  }
};

// A value expression: one source, then optional transforms.
struct Expr {
  enum class Source { kPointer, kHeader, kValue, kFind, kEach, kFirstOf, kTemplate, kBodyDigest };
  Source source = Source::kPointer;
  Pointer pointer;                  // kPointer; the array for kFind/kEach
  std::string header;               // kHeader
  Json value;                       // kValue
  std::vector<Condition> where;     // kFind/kEach
  std::shared_ptr<const Expr> get;  // kFind/kEach; null: the element itself
  std::vector<Expr> alternatives;   // kFirstOf
  Template tmpl;                    // kTemplate
  std::vector<Condition> when;      // evaluated first; false: the expression has no value
  bool has_map = false;
  std::vector<std::pair<std::string, Json>> map;  // ATS value (as text) → our value; null: none
  std::optional<Json> otherwise;                  // for values not in `map`; null: none
  std::optional<Json> default_value;              // when there is no value
  bool required = false;                          // no value is an error
  FieldKind kind = FieldKind::kAny;
  std::string path;  // key path in the mapping file
};

struct ManagerMapping {
  std::optional<Expr> name, email;
};

struct AdMapping {
  Expr body;
  std::optional<Expr> format, language;
};

struct VacancyMapping {
  Expr id;
  std::optional<Expr> title, department, url, job_types, internal_only, status, deadline,
      hire_justification_given;
  ManagerMapping manager;
  std::optional<AdMapping> ad;
};

struct ApplicationsMapping {
  Pointer each;  // an array (or one object: one application)
  std::vector<Condition> where;
  Expr candidate_id;
  std::optional<Expr> stage, history, qualification, score, rank;
  std::vector<std::pair<std::string, Expr>> answers;  // target group → answer
  std::string path;
};

struct SnapshotMapping {
  VacancyMapping vacancy;
  std::optional<ApplicationsMapping> applications;  // none: the vacancy has no applications
  std::string path;
};

struct EventMapping {
  enum class Kind { kSnapshot, kThin, kIgnore };
  std::string type;  // the key under `events`; "*" for any other type
  Kind kind = Kind::kIgnore;
  std::shared_ptr<const SnapshotMapping> snapshot;  // kSnapshot
  std::optional<Expr> vacancy_id;                   // kThin
  // kThin naming an application or opportunity rather than its vacancy: api.lookup turns
  // this id into the vacancy id when the vacancy is fetched.
  std::optional<Expr> lookup;
  std::optional<Expr> id;              // overrides event.id
  std::vector<Condition> ignore_when;  // acknowledged and dropped when these hold
  std::string path;
};

// An activation handshake: a request carrying `header` is answered at once with `status`
// (and the header's value echoed back when `echo`), before any signature check. Nothing
// else happens for it.
struct HandshakeSpec {
  std::string header;
  int status = 200;
  bool echo = true;
  std::string path;
};

struct SignatureSpec {
  enum class Encoding { kHex, kBase64, kBase64OfHex };
  // What the signature vouches for. kContent: the signed content (the body or the part the
  // mapping reads). kSenderOnly: only who sent it (an id or token is signed, the data is not):
  // allowed for thin events only, whose vacancy state comes from the authenticated API.
  enum class Trust { kContent, kSenderOnly };
  // A structured value "t=<unix>,v1=<sig>,v0=<sig>", optionally base64-wrapped as a whole.
  struct Structure {
    bool base64 = false;            // the whole value is base64 of the structure
    std::string separator = ",";    // between pairs
    std::string timestamp_key;      // "t": the timestamp inside the value; empty: none
    std::vector<std::string> keys;  // the signature keys accepted, e.g. {"v1"}
  };
  enum class TimestampFormat { kUnixSeconds, kUnixMilliseconds, kIso8601 };
  webhook::HmacAlgorithm algorithm = webhook::HmacAlgorithm::kSha256;
  webhook::SecretEncoding secret_encoding = webhook::SecretEncoding::kRaw;
  std::vector<config::SecretRef> secret_refs;
  std::vector<config::Mark> secret_marks;
  Expr signature;  // a header or a pointer into the body
  Encoding encoding = Encoding::kHex;
  std::string prefix;
  std::string separators;          // several signatures in one value, split at any of these
  std::vector<Template> contents;  // alternatives: any may match; default {"{body}"}
  std::optional<Structure> structure;
  Trust trust = Trust::kContent;
  std::optional<Expr> timestamp;
  TimestampFormat timestamp_format = TimestampFormat::kUnixSeconds;
  int tolerance_seconds = 300;
  bool needs_parsed_body = false;  // the signature, timestamp or content reads the JSON
  std::string path;
  bool has_timestamp() const {
    return timestamp || (structure && !structure->timestamp_key.empty());
  }
};

struct AuthSpec {
  enum class Type { kNone, kBearer, kBasic, kHeader };
  Type type = Type::kNone;
  std::string header = "Authorization";
  Template format;  // kHeader: the header's value, with {secret}
  config::SecretRef secret;
  config::Mark mark;
  std::string path;
};

struct Pagination {
  enum class Kind { kNone, kLinkHeader, kNextUrl, kCursor, kPage, kOffset };
  Kind kind = Kind::kNone;
  Pointer next_url;             // kNextUrl
  Pointer cursor;               // kCursor: where the next cursor is in a response
  std::optional<Pointer> more;  // kCursor: a boolean saying whether there are more pages
  std::optional<Pointer> cursor_into_body;  // kCursor: where to put it in the request body
  std::string cursor_query;                 // kCursor: or which query parameter takes it
  std::vector<Pointer> items;               // the arrays whose pages are concatenated
  int max_pages = 20;
  std::string page_query;        // kPage: the query parameter of the page number
  long long first_page = 1;      // kPage: the number of the first page
  std::optional<Pointer> total;  // kPage, kOffset: the total item count, if the API gives it
  std::string offset_query;      // kOffset: the query parameter of the offset (0, n, 2n, …)
  std::string limit_query;       // kOffset: the query parameter of the page size
  long long page_size = 100;     // kOffset: the page size asked for
};

struct RequestSpec {
  std::string name;  // the key: its response is /<name> in the fetched document
  std::string method = "GET";
  Template url;
  std::optional<Json> body;       // strings may hold placeholders
  std::vector<Condition> expect;  // a response failing these is refused
  bool optional = false;          // skipped when a placeholder has no value; 404 → no document
  Pagination paginate;
  std::string path;
};

struct WriteSpec {
  std::string method = "PATCH";
  Template url;
  Json body = Json::object();
  Pointer ad_at;
  std::optional<Pointer> language_at;
  std::string idempotency_header = "Idempotency-Key";
  std::string path;
};

// api.answers: one request per application, for the answers a vacancy's listing lacks. Its
// URL may use {application:/pointer} (relative to the application's element in the fetched
// documents) and {vacancy_id}; `answers` are read from its response. At most `concurrency`
// requests are in flight at once; each goes through the adapter's HttpClient (and so through
// the tenant's request budget). The responses live in memory for one fetch (DESIGN §4).
struct AnswersSpec {
  RequestSpec request;
  std::vector<std::pair<std::string, Expr>> answers;  // target group → answer, over the response
  std::vector<Condition> where;                       // only applications these hold for
  int concurrency = 2;
  std::string path;
};

struct ApiSpec {
  std::string base_url;  // prefixed to URLs that start with "/"
  // {config:name} placeholders in base_url: filled from the tenant's adapter_options.config
  // when the adapter is made (the account id of a multi-account API).
  std::vector<std::string> base_url_config;
  config::Mark base_url_mark;
  AuthSpec auth;
  std::vector<std::pair<std::string, std::string>> headers;
  int timeout_seconds = 10;
  std::vector<RequestSpec> requests;
  std::shared_ptr<const SnapshotMapping> snapshot;  // over {"<request>": <response>, …}
  // api.lookup: requests over {lookup_id}, and where the vacancy id is in their answers.
  std::vector<RequestSpec> lookup_requests;
  std::optional<Expr> lookup_vacancy_id;
  std::optional<AnswersSpec> answers;
  std::optional<WriteSpec> write_ad;
};

struct Mapping {
  std::string name;
  std::string file;
  std::optional<SignatureSpec> signature;
  std::optional<Expr> event_type;
  std::optional<Expr> event_id;
  std::vector<Condition> ignore_when;  // event.ignore_when: any event these hold for
  std::optional<HandshakeSpec> handshake;
  std::vector<EventMapping> events;
  std::optional<ApiSpec> api;
  // Not errors, but worth saying (`mangfold check`): e.g. a signature without a timestamp.
  std::vector<config::Diagnostic> warnings;

  const EventMapping* event(std::string_view type) const;
};

// Decodes a parsed mapping document. Every problem is added to `errors` with
// file:line:column and key path; nullopt when there was any. Secrets are not read.
std::optional<Mapping> decode_mapping(const config::Node& root, const std::string& file,
                                      std::vector<config::Diagnostic>& errors);

}  // namespace mangfold::generic
