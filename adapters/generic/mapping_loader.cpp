// Decodes a mapping file into a Mapping, reporting every problem with file:line:column and
// key path (connector/config/decoder.hpp), so that one `mangfold check` lists them all.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <tuple>

#include "adapters/generic/json_path.hpp"
#include "adapters/generic/mapping.hpp"
#include "adapters/generic/values.hpp"
#include "connector/config/decoder.hpp"

namespace mangfold::generic {

using config::Decoder;
using config::join_path;
using config::Node;

namespace {

// What an expression may read, by where it stands.
struct Env {
  bool headers = false;      // the inbound request's headers
  bool body_digest = false;  // a digest of the raw body (event ids)
};

Json to_json(const Node& n) {
  switch (n.kind) {
    case Node::Kind::kNull:
      return nullptr;
    case Node::Kind::kSequence: {
      Json a = Json::array();
      for (const Node& item : n.items)
        a.push_back(to_json(item));
      return a;
    }
    case Node::Kind::kMap: {
      Json o = Json::object();
      for (const auto& [k, v] : n.entries)
        o[k.scalar] = to_json(v);
      return o;
    }
    case Node::Kind::kScalar:
      break;
  }
  switch (n.scalar_type) {
    case Node::ScalarType::kBoolean:
      return n.scalar[0] == 't' || n.scalar[0] == 'T';
    case Node::ScalarType::kInteger: {
      // The YAML 1.2 core schema: decimal (leading zeros too), 0o octal, 0x hex.
      std::string_view text = n.scalar;
      int base = 10;
      if (text.rfind("0x", 0) == 0 || text.rfind("0o", 0) == 0) {
        base = text[1] == 'x' ? 16 : 8;
        text.remove_prefix(2);
      }
      if (!text.empty() && text[0] == '+') text.remove_prefix(1);
      long long value = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
      if (ec == std::errc{} && ptr == text.data() + text.size()) return value;
      return n.scalar;  // out of range: keep the text
    }
    case Node::ScalarType::kFloat: {
      try {
        return std::stod(n.scalar);
      } catch (...) {
        return n.scalar;
      }
    }
    case Node::ScalarType::kString:
      break;
  }
  return n.scalar;
}

// For messages: a mapping file is not required to be valid UTF-8 inside a constant, and a
// message must never throw, so bytes that are not UTF-8 print as U+FFFD.
std::string quoted(const Json& j) {
  if (j.is_string()) return "'" + j.get<std::string>() + "'";
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

class Loader {
 public:
  Loader(std::string file, Decoder& d) : file_(std::move(file)), d_(d) {}

  std::optional<Mapping> run(const Node& root);

 private:
  std::optional<Pointer> pointer(const Node& n, const std::string& path);
  std::optional<Expr> expr(const Node& n, const std::string& path, FieldKind kind, const Env& env);
  bool check_constant(const Node& at, const std::string& path, FieldKind kind, const Json& j);
  std::vector<Condition> conditions(const Node& n, const std::string& path, const Env& env);
  std::optional<Template> templ(const Node& n, const std::string& path, unsigned allowed);
  std::shared_ptr<const SnapshotMapping> snapshot(const Node& n, const std::string& path,
                                                  const Env& env);
  std::optional<SnapshotMapping> snapshot_map(const Node& n, const std::string& path,
                                              const Env& env);
  void optional_expr(const Node& map, const char* key, const std::string& path, FieldKind kind,
                     const Env& env, std::optional<Expr>& out);
  std::optional<SignatureSpec> signature(const Node& n, const std::string& path);
  std::vector<config::SecretRef> secrets(const Node& map, const std::string& path,
                                         std::vector<config::Mark>& marks);
  std::optional<config::SecretRef> secret_ref(const Node& n, const std::string& path);
  void event(const std::string& type, const Node& n, const std::string& path, Mapping& m);
  std::optional<ApiSpec> api(const Node& n, const std::string& path);
  void request(const std::string& name, const Node& n, const std::string& path, ApiSpec& api,
               const std::vector<std::string>& earlier);
  std::optional<Json> body_template(const Node& n, const std::string& path, unsigned allowed);
  std::optional<Template> url(const Node& n, const std::string& path, unsigned allowed,
                              const ApiSpec& api);
  // Refuses reads of the body that the mapping's signature does not vouch for, and snapshot
  // events under trust: sender_only.
  void check_signed_reads(const Node& root, const Mapping& m);

  std::string file_;
  Decoder& d_;
  std::map<std::string, std::shared_ptr<const SnapshotMapping>, std::less<>> shapes_;
  std::vector<std::string_view> shape_names_;
  bool lookup_mode_ = false;   // decoding api.lookup.requests
  bool answers_mode_ = false;  // decoding api.answers.request
  std::optional<RequestSpec> answers_request_;

 public:
  std::vector<config::Diagnostic> warnings_;
};

std::optional<Pointer> Loader::pointer(const Node& n, const std::string& path) {
  std::optional<std::string> text = d_.string(n, path);
  if (!text) return std::nullopt;
  std::string error;
  std::optional<Pointer> p = parse_pointer(*text, error);
  if (!p) d_.error(n, path, error);
  return p;
}

bool Loader::check_constant(const Node& at, const std::string& path, FieldKind kind,
                            const Json& j) {
  if (j.is_null()) return true;
  std::string problem;
  if (coerce(kind, j, problem)) return true;
  d_.error(at, path, quoted(j) + ": " + problem.substr(0, problem.find("; add a map")));
  return false;
}

std::optional<Template> Loader::templ(const Node& n, const std::string& path, unsigned allowed) {
  std::optional<std::string> text = d_.string(n, path);
  if (!text) return std::nullopt;
  std::string error;
  std::optional<Template> t = parse_template(*text, allowed, error);
  if (!t) d_.error(n, path, error);
  return t;
}

std::vector<Condition> Loader::conditions(const Node& n, const std::string& path, const Env& env) {
  std::vector<Condition> out;
  if (!d_.expect_map(n, path)) return out;
  if (n.entries.empty()) d_.error(n, path, "list at least one condition");
  for (const auto& [key, value] : n.entries) {
    const std::string cpath = join_path(path, key.scalar);
    Condition c;
    c.path = cpath;
    std::string error;
    // A bare word is one member of the element; a pointer reaches deeper.
    const bool word = key.scalar.empty() || (key.scalar[0] != '/' && key.scalar[0] != '$');
    std::optional<Pointer> p =
        word ? parse_pointer("/" + key.scalar, error) : parse_pointer(key.scalar, error);
    if (!p || p->from_root) {
      d_.error(key, cpath, p ? "a condition tests the element itself: no '$'" : error);
      continue;
    }
    c.key = std::move(*p);
    if (value.is_null()) {
      c.op = Condition::Op::kAbsent;
    } else if (value.is_scalar()) {
      c.literals.push_back(to_json(value));
    } else if (value.is_sequence()) {
      for (const Node& item : value.items) {
        if (!item.is_scalar()) {
          d_.error(item, cpath,
                   "expected a list of plain values, got " + std::string(item.type_name()));
          continue;
        }
        c.literals.push_back(to_json(item));
      }
      if (value.items.empty()) d_.error(value, cpath, "the list of accepted values is empty");
    } else {
      d_.check_keys(value, cpath, {"present", "same_as", "not"});
      if (value.entries.size() != 1) {
        d_.error(value, cpath, "give exactly one of present, same_as, not");
        continue;
      }
      const auto& [op, arg] = value.entries.front();
      if (op.scalar == "present") {
        if (auto b = d_.boolean(arg, join_path(cpath, "present")))
          c.op = *b ? Condition::Op::kPresent : Condition::Op::kAbsent;
      } else if (op.scalar == "same_as") {
        c.op = Condition::Op::kSameAs;
        if (auto e = expr(arg, join_path(cpath, "same_as"), FieldKind::kAny, env))
          c.other = std::make_shared<const Expr>(std::move(*e));
      } else if (op.scalar == "not") {
        c.op = Condition::Op::kNoneOf;
        const std::vector<Node> items = arg.is_sequence() ? arg.items : std::vector<Node>{arg};
        for (const Node& item : items) {
          if (item.is_scalar())
            c.literals.push_back(to_json(item));
          else
            d_.error(item, join_path(cpath, "not"), "expected a plain value or a list of them");
        }
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<Expr> Loader::expr(const Node& n, const std::string& path, FieldKind kind,
                                 const Env& env) {
  Expr e;
  e.kind = kind;
  e.path = path;
  const bool answer = kind == FieldKind::kAnswer;
  if (n.is_scalar()) {
    if (n.scalar_type != Node::ScalarType::kString) {
      if (answer) {
        d_.error(
            n, path,
            "an answer comes from the applicant's own answer in the payload, never a fixed value");
        return std::nullopt;
      }
      e.source = Expr::Source::kValue;
      e.value = to_json(n);
      if (!check_constant(n, path, kind, e.value)) return std::nullopt;
      return e;
    }
    std::string error;
    std::optional<Pointer> p = parse_pointer(n.scalar, error);
    if (!p) {
      d_.error(n, path, error + "; a fixed text is written {value: ...}");
      return std::nullopt;
    }
    e.pointer = std::move(*p);
    return e;
  }
  if (!n.is_map()) {
    d_.error(n, path,
             "expected a JSON Pointer such as /payload/id, or a map such as {pointer: /payload/id, "
             "default: x}, got " +
                 std::string(n.type_name()));
    return std::nullopt;
  }
  d_.check_keys(n, path,
                {"pointer", "header", "value", "find", "each", "where", "get", "first_of",
                 "template", "body_digest", "when", "map", "otherwise", "default", "required"});
  static constexpr std::string_view kSources[] = {"pointer", "header",   "value",    "find",
                                                  "each",    "first_of", "template", "body_digest"};
  std::vector<std::string_view> given;
  for (std::string_view s : kSources)
    if (n.get(s)) given.push_back(s);
  if (given.size() != 1) {
    d_.error(n, path,
             given.empty() ? "no source: give one of pointer, header, value, find, each, first_of, "
                             "template, body_digest"
                           : "give only one source, not " + std::string(given[0]) + " and " +
                                 std::string(given[1]));
    return std::nullopt;
  }
  const std::string_view source = given.front();
  const std::string spath = join_path(path, source);
  const Node& arg = *n.get(source);
  if (answer && source != "pointer" && source != "find" && source != "each" &&
      source != "first_of") {
    d_.error(arg, spath,
             "an answer comes from the applicant's own answer in the payload: use pointer, find, "
             "each or first_of");
    return std::nullopt;
  }
  bool ok = true;
  if (source == "pointer") {
    e.source = Expr::Source::kPointer;
    if (auto p = pointer(arg, spath))
      e.pointer = std::move(*p);
    else
      ok = false;
  } else if (source == "header") {
    e.source = Expr::Source::kHeader;
    e.header = d_.string(arg, spath).value_or("");
    if (!env.headers) {
      d_.error(arg, spath, "there are no request headers here (only in the webhook's own fields)");
      ok = false;
    } else if (e.header.empty()) {
      ok = false;
    }
  } else if (source == "value") {
    e.source = Expr::Source::kValue;
    e.value = to_json(arg);
    ok = check_constant(arg, spath, kind, e.value);
  } else if (source == "find" || source == "each") {
    e.source = source == "find" ? Expr::Source::kFind : Expr::Source::kEach;
    if (source == "each" && !is_list_kind(kind) && kind != FieldKind::kAnswer) {
      d_.error(arg, spath, "each gives a list, and this field takes one value: use find");
      ok = false;
    }
    if (auto p = pointer(arg, spath))
      e.pointer = std::move(*p);
    else
      ok = false;
    if (const Node* w = n.get("where")) e.where = conditions(*w, join_path(path, "where"), env);
    if (const Node* g = n.get("get")) {
      if (auto inner = expr(*g, join_path(path, "get"), element_kind(kind), env))
        e.get = std::make_shared<const Expr>(std::move(*inner));
      else
        ok = false;
    }
  } else if (source == "first_of") {
    e.source = Expr::Source::kFirstOf;
    if (!arg.is_sequence() || arg.items.empty()) {
      d_.error(arg, spath, "expected a list of alternatives, tried in order");
      ok = false;
    } else {
      for (std::size_t i = 0; i < arg.items.size(); ++i) {
        if (auto alt = expr(arg.items[i], spath + "[" + std::to_string(i) + "]", kind, env))
          e.alternatives.push_back(std::move(*alt));
        else
          ok = false;
      }
    }
  } else if (source == "template") {
    e.source = Expr::Source::kTemplate;
    if (auto t = templ(arg, spath, kAllowPointer | (env.headers ? kAllowHeader : 0u)))
      e.tmpl = std::move(*t);
    else
      ok = false;
  } else if (source == "body_digest") {
    e.source = Expr::Source::kBodyDigest;
    if (!env.body_digest) {
      d_.error(arg, spath, "body_digest can only make an event id");
      ok = false;
    } else if (d_.choice<std::string>(arg, spath, {{"sha256", "sha256"}}) != "sha256") {
      ok = false;
    }
  }
  if ((n.get("where") || n.get("get")) && e.source != Expr::Source::kFind &&
      e.source != Expr::Source::kEach) {
    d_.error(n.get("where") ? *n.get("where") : *n.get("get"), path,
             "where and get belong with find or each");
    ok = false;
  }
  if (const Node* w = n.get("when")) e.when = conditions(*w, join_path(path, "when"), env);
  const FieldKind element = element_kind(kind);
  if (const Node* m = n.get("map")) {
    const std::string mpath = join_path(path, "map");
    e.has_map = true;
    if (d_.expect_map(*m, mpath)) {
      for (const auto& [key, value] : m->entries) {
        Json out = to_json(value);
        const std::string kpath = join_path(mpath, key.scalar);
        if (check_constant(value, kpath, element, out))
          e.map.emplace_back(key.scalar, std::move(out));
        else
          ok = false;
      }
    }
  }
  auto fallback = [&](const char* key, std::optional<Json>& out) {
    const Node* v = n.get(key);
    if (!v) return;
    const std::string fpath = join_path(path, key);
    out = to_json(*v);
    if (answer && !out->is_null() && *out != "unknown") {
      d_.error(*v, fpath,
               "an answer the applicant did not give is unknown, never yes or no: use unknown");
      ok = false;
    } else if (!check_constant(*v, fpath, std::string_view(key) == "otherwise" ? element : kind,
                               *out)) {
      ok = false;
    }
  };
  fallback("otherwise", e.otherwise);
  fallback("default", e.default_value);
  if (e.otherwise && !e.has_map) {
    d_.error(*n.get("otherwise"), join_path(path, "otherwise"), "otherwise belongs with map");
    ok = false;
  }
  if (const Node* r = n.get("required"))
    e.required = d_.boolean(*r, join_path(path, "required")).value_or(false);
  if (!ok) return std::nullopt;
  return e;
}

void Loader::optional_expr(const Node& map, const char* key, const std::string& path,
                           FieldKind kind, const Env& env, std::optional<Expr>& out) {
  if (const Node* v = map.get(key)) out = expr(*v, join_path(path, key), kind, env);
}

std::optional<SnapshotMapping> Loader::snapshot_map(const Node& n, const std::string& path,
                                                    const Env& env) {
  SnapshotMapping s;
  s.path = path;
  if (!d_.expect_map(n, path)) return std::nullopt;
  d_.check_keys(n, path, {"vacancy", "applications"});
  bool ok = true;
  const std::string vpath = join_path(path, "vacancy");
  const Node* v = d_.require(n, "vacancy", path);
  if (!v || !d_.expect_map(*v, vpath)) return std::nullopt;
  d_.check_keys(*v, vpath,
                {"id", "title", "department", "url", "job_types", "internal_only", "status",
                 "deadline", "hire_justification_given", "manager", "ad"});
  VacancyMapping& vm = s.vacancy;
  if (const Node* id = d_.require(*v, "id", vpath)) {
    if (auto e = expr(*id, join_path(vpath, "id"), FieldKind::kId, env)) {
      vm.id = std::move(*e);
      vm.id.required = true;
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  optional_expr(*v, "title", vpath, FieldKind::kText, env, vm.title);
  optional_expr(*v, "department", vpath, FieldKind::kText, env, vm.department);
  optional_expr(*v, "url", vpath, FieldKind::kText, env, vm.url);
  optional_expr(*v, "job_types", vpath, FieldKind::kTextList, env, vm.job_types);
  optional_expr(*v, "internal_only", vpath, FieldKind::kBool, env, vm.internal_only);
  optional_expr(*v, "status", vpath, FieldKind::kVacancyStatus, env, vm.status);
  optional_expr(*v, "deadline", vpath, FieldKind::kDate, env, vm.deadline);
  optional_expr(*v, "hire_justification_given", vpath, FieldKind::kBool, env,
                vm.hire_justification_given);
  if (const Node* m = v->get("manager")) {
    const std::string mpath = join_path(vpath, "manager");
    if (d_.expect_map(*m, mpath)) {
      d_.check_keys(*m, mpath, {"name", "email"});
      optional_expr(*m, "name", mpath, FieldKind::kText, env, vm.manager.name);
      optional_expr(*m, "email", mpath, FieldKind::kText, env, vm.manager.email);
    }
  }
  if (const Node* a = v->get("ad")) {
    const std::string apath = join_path(vpath, "ad");
    if (d_.expect_map(*a, apath)) {
      d_.check_keys(*a, apath, {"body", "format", "language"});
      if (const Node* b = d_.require(*a, "body", apath)) {
        if (auto e = expr(*b, join_path(apath, "body"), FieldKind::kText, env)) {
          AdMapping ad;
          ad.body = std::move(*e);
          optional_expr(*a, "format", apath, FieldKind::kAdFormat, env, ad.format);
          optional_expr(*a, "language", apath, FieldKind::kLanguage, env, ad.language);
          vm.ad = std::move(ad);
        }
      }
    }
  }
  if (const Node* a = n.get("applications")) {
    const std::string apath = join_path(path, "applications");
    if (d_.expect_map(*a, apath)) {
      d_.check_keys(*a, apath,
                    {"each", "where", "candidate_id", "stage", "history", "qualification",
                     "answers", "score", "rank"});
      ApplicationsMapping am;
      am.path = apath;
      if (const Node* each = d_.require(*a, "each", apath)) {
        if (auto p = pointer(*each, join_path(apath, "each"))) am.each = std::move(*p);
      }
      if (const Node* w = a->get("where"))
        am.where = conditions(*w, join_path(apath, "where"), env);
      if (const Node* c = d_.require(*a, "candidate_id", apath)) {
        if (auto e = expr(*c, join_path(apath, "candidate_id"), FieldKind::kId, env)) {
          am.candidate_id = std::move(*e);
          am.candidate_id.required = true;
        }
      }
      optional_expr(*a, "stage", apath, FieldKind::kStage, env, am.stage);
      optional_expr(*a, "history", apath, FieldKind::kStageList, env, am.history);
      optional_expr(*a, "qualification", apath, FieldKind::kQualification, env, am.qualification);
      optional_expr(*a, "score", apath, FieldKind::kNumber, env, am.score);
      optional_expr(*a, "rank", apath, FieldKind::kRank, env, am.rank);
      if (const Node* ans = a->get("answers")) {
        const std::string anspath = join_path(apath, "answers");
        if (d_.expect_map(*ans, anspath)) {
          for (const auto& [group, value] : ans->entries) {
            const std::string gpath = join_path(anspath, group.scalar);
            if (!d_.identifier(group, gpath)) continue;
            if (auto e = expr(value, gpath, FieldKind::kAnswer, env))
              am.answers.emplace_back(group.scalar, std::move(*e));
          }
        }
      }
      s.applications = std::move(am);
    }
  }
  if (!ok) return std::nullopt;
  return s;
}

std::shared_ptr<const SnapshotMapping> Loader::snapshot(const Node& n, const std::string& path,
                                                        const Env& env) {
  if (n.is_scalar() && n.scalar_type == Node::ScalarType::kString) {
    auto it = shapes_.find(n.scalar);
    if (it != shapes_.end()) return it->second;
    std::string message = "no shape named '" + n.scalar + "' under shapes";
    if (std::string guess = config::closest(n.scalar, shape_names_); !guess.empty())
      message += " (did you mean '" + guess + "'?)";
    d_.error(n, path, message);
    return nullptr;
  }
  if (auto s = snapshot_map(n, path, env))
    return std::make_shared<const SnapshotMapping>(std::move(*s));
  return nullptr;
}

std::optional<config::SecretRef> Loader::secret_ref(const Node& n, const std::string& path) {
  if (!d_.expect_map(n, path)) return std::nullopt;
  d_.check_keys(n, path, {"env", "file"});
  config::SecretRef ref;
  if (const Node* e = n.get("env")) ref.env = d_.string(*e, join_path(path, "env")).value_or("");
  if (const Node* f = n.get("file")) {
    ref.file = d_.string(*f, join_path(path, "file")).value_or("");
    if (!ref.file.empty() && !std::filesystem::path(ref.file).is_absolute())
      ref.file = (std::filesystem::path(file_).parent_path() / ref.file)
                     .lexically_normal()
                     .generic_string();
  }
  if (ref.env.empty() == ref.file.empty()) {
    d_.error(n, path,
             "give exactly one of env or file (secrets never stand in the mapping itself)");
    return std::nullopt;
  }
  return ref;
}

std::vector<config::SecretRef> Loader::secrets(const Node& map, const std::string& path,
                                               std::vector<config::Mark>& marks) {
  std::vector<config::SecretRef> out;
  if (const Node* s = map.get("secret")) {
    if (auto ref = secret_ref(*s, join_path(path, "secret"))) {
      out.push_back(*ref);
      marks.push_back(s->mark);
    }
  }
  if (const Node* s = map.get("secrets")) {
    const std::string spath = join_path(path, "secrets");
    if (!s->is_sequence()) {
      d_.error(*s, spath,
               "expected a list of secret references, got " + std::string(s->type_name()));
    } else {
      for (std::size_t i = 0; i < s->items.size(); ++i)
        if (auto ref = secret_ref(s->items[i], spath + "[" + std::to_string(i) + "]")) {
          out.push_back(*ref);
          marks.push_back(s->items[i].mark);
        }
    }
  }
  return out;
}

std::optional<SignatureSpec> Loader::signature(const Node& n, const std::string& path) {
  if (!d_.expect_map(n, path)) return std::nullopt;
  d_.check_keys(n, path,
                {"algorithm", "secret", "secrets", "secret_encoding", "signature", "encoding",
                 "prefix", "separators", "signed_content", "timestamp", "timestamp_format",
                 "tolerance_seconds", "structure", "trust"});
  SignatureSpec s;
  s.path = path;
  const Env env{true, false};
  if (const Node* v = n.get("algorithm"))
    s.algorithm = d_.choice<webhook::HmacAlgorithm>(*v, join_path(path, "algorithm"),
                                                    {{"sha1", webhook::HmacAlgorithm::kSha1},
                                                     {"sha256", webhook::HmacAlgorithm::kSha256},
                                                     {"sha512", webhook::HmacAlgorithm::kSha512}})
                      .value_or(s.algorithm);
  if (const Node* v = n.get("secret_encoding"))
    s.secret_encoding =
        d_.choice<webhook::SecretEncoding>(*v, join_path(path, "secret_encoding"),
                                           {{"raw", webhook::SecretEncoding::kRaw},
                                            {"hex", webhook::SecretEncoding::kHex},
                                            {"base64", webhook::SecretEncoding::kBase64}})
            .value_or(s.secret_encoding);
  s.secret_refs = secrets(n, path, s.secret_marks);
  if (s.secret_refs.empty() && !n.get("secret") && !n.get("secrets"))
    d_.error(n, path,
             "no secret: add secret: {env: NAME} (or secrets: [...] during a key rotation)");
  bool ok = true;
  auto source_expr = [&](const char* key, std::optional<Expr>& out) {
    const Node* v = n.get(key);
    if (!v) return;
    const std::string kpath = join_path(path, key);
    out = expr(*v, kpath, FieldKind::kAny, env);
    if (!out) {
      ok = false;
      return;
    }
    if ((out->source != Expr::Source::kHeader && out->source != Expr::Source::kPointer) ||
        out->has_map || out->default_value || !out->when.empty()) {
      d_.error(*v, kpath,
               "expected {header: Name} or a JSON Pointer into the body, without transforms");
      ok = false;
    }
  };
  std::optional<Expr> sig;
  if (const Node* v = d_.require(n, "signature", path)) {
    (void)v;
    source_expr("signature", sig);
  } else {
    ok = false;
  }
  source_expr("timestamp", s.timestamp);
  if (const Node* v = n.get("encoding"))
    s.encoding =
        d_.choice<SignatureSpec::Encoding>(*v, join_path(path, "encoding"),
                                           {{"hex", SignatureSpec::Encoding::kHex},
                                            {"base64", SignatureSpec::Encoding::kBase64},
                                            {"base64_hex", SignatureSpec::Encoding::kBase64OfHex}})
            .value_or(s.encoding);
  if (const Node* v = n.get("prefix"))
    s.prefix = d_.string(*v, join_path(path, "prefix")).value_or("");
  if (const Node* v = n.get("separators"))
    s.separators = d_.string(*v, join_path(path, "separators")).value_or("");
  if (!s.prefix.empty() && s.prefix.find_first_of(s.separators) != std::string::npos &&
      !s.separators.empty())
    d_.error(*n.get("prefix"), join_path(path, "prefix"),
             "the prefix contains one of the separators");
  if (const Node* v = n.get("trust"))
    s.trust = d_.choice<SignatureSpec::Trust>(*v, join_path(path, "trust"),
                                              {{"content", SignatureSpec::Trust::kContent},
                                               {"sender_only", SignatureSpec::Trust::kSenderOnly}})
                  .value_or(s.trust);
  if (const Node* v = n.get("structure"); v && d_.expect_map(*v, join_path(path, "structure"))) {
    const std::string spath = join_path(path, "structure");
    d_.check_keys(*v, spath, {"base64", "separator", "timestamp", "keys"});
    SignatureSpec::Structure st;
    if (const Node* b = v->get("base64"))
      st.base64 = d_.boolean(*b, join_path(spath, "base64")).value_or(false);
    if (const Node* b = v->get("separator")) {
      st.separator = d_.string(*b, join_path(spath, "separator")).value_or(",");
      if (st.separator.empty()) d_.error(*b, join_path(spath, "separator"), "must not be empty");
    }
    if (const Node* b = v->get("timestamp"))
      st.timestamp_key = d_.string(*b, join_path(spath, "timestamp")).value_or("");
    if (const Node* k = d_.require(*v, "keys", spath)) {
      const std::string kpath = join_path(spath, "keys");
      if (k->is_scalar()) {
        st.keys.push_back(d_.string(*k, kpath).value_or(""));
      } else if (k->is_sequence() && !k->items.empty()) {
        for (std::size_t i = 0; i < k->items.size(); ++i)
          st.keys.push_back(
              d_.string(k->items[i], kpath + "[" + std::to_string(i) + "]").value_or(""));
      } else {
        d_.error(*k, kpath, "expected the signature keys, e.g. [v1]");
      }
    }
    if (!st.timestamp_key.empty() && n.get("timestamp"))
      d_.error(*v->get("timestamp"), join_path(spath, "timestamp"),
               "the timestamp is either inside the value (structure.timestamp) or elsewhere "
               "(timestamp:), not both");
    s.structure = std::move(st);
  }
  const unsigned allowed = kAllowBody | kAllowHeader | kAllowPointer | kAllowRaw | kAllowTimestamp |
                           kAllowJson | kAllowOptionalHeader;
  bool content_ok = true;
  const Node* content_node = n.get("signed_content");
  const std::string cpath = join_path(path, "signed_content");
  if (content_node && content_node->is_sequence()) {
    if (content_node->items.empty()) d_.error(*content_node, cpath, "list at least one template");
    for (std::size_t i = 0; i < content_node->items.size(); ++i) {
      if (auto t = templ(content_node->items[i], cpath + "[" + std::to_string(i) + "]", allowed))
        s.contents.push_back(std::move(*t));
      else
        ok = content_ok = false;
    }
  } else if (content_node) {
    if (auto t = templ(*content_node, cpath, allowed))
      s.contents.push_back(std::move(*t));
    else
      ok = content_ok = false;
  } else {
    std::string unused;
    s.contents.push_back(*parse_template("{body}", allowed, unused));
  }
  // What a template vouches for: the whole body, or these parts of it.
  auto coverage = [](const Template& t) {
    std::vector<std::string> parts;
    if (t.uses(TemplatePart::Kind::kBody)) return std::vector<std::string>{"{body}"};
    for (const TemplatePart& p : t.parts)
      if (p.kind == TemplatePart::Kind::kPointer || p.kind == TemplatePart::Kind::kRawPointer ||
          p.kind == TemplatePart::Kind::kJson)
        parts.push_back(p.pointer.text);
    std::sort(parts.begin(), parts.end());
    return parts;
  };
  const Node& content_at = content_node ? *content_node : n;
  if (content_ok && !s.contents.empty()) {
    const std::vector<std::string> first = coverage(s.contents.front());
    for (const Template& t : s.contents)
      if (coverage(t) != first) {
        d_.error(content_at, cpath,
                 "every alternative must sign the same part of the body (the mapping may read "
                 "only what every one of them covers)");
        break;
      }
    if (first.empty() && s.trust == SignatureSpec::Trust::kContent)
      d_.error(content_at, cpath,
               "the signed content covers neither the body ({body}) nor the part the mapping "
               "reads ({raw:/payload}, {json:/payload}): anyone could change what the mapping "
               "reads. If the sender signs only an id or a token, say trust: sender_only (thin "
               "events only)");
    for (const Template& t : s.contents)
      if (t.uses(TemplatePart::Kind::kTimestamp) && !s.has_timestamp()) {
        d_.error(content_at, cpath,
                 "{timestamp} needs timestamp: {header: Name} (or a pointer, or "
                 "structure.timestamp)");
        break;
      }
  }
  if (!s.has_timestamp())
    warnings_.push_back({n.mark, path,
                         "no timestamp: a captured request can be replayed for as long as "
                         "the event id is not yet stored (replay protection rests on "
                         "deduplication alone)"});
  if (const Node* v = n.get("timestamp_format"))
    s.timestamp_format =
        d_.choice<SignatureSpec::TimestampFormat>(
              *v, join_path(path, "timestamp_format"),
              {{"unix_seconds", SignatureSpec::TimestampFormat::kUnixSeconds},
               {"unix_milliseconds", SignatureSpec::TimestampFormat::kUnixMilliseconds},
               {"iso8601", SignatureSpec::TimestampFormat::kIso8601}})
            .value_or(s.timestamp_format);
  if (const Node* v = n.get("tolerance_seconds"))
    s.tolerance_seconds = static_cast<int>(
        d_.integer(*v, join_path(path, "tolerance_seconds"), 1, 86400).value_or(300));
  if (!ok || !sig) return std::nullopt;
  s.signature = std::move(*sig);
  // {raw:/…} is cut from the raw text, so it alone does not wait for the parser.
  s.needs_parsed_body = s.signature.source == Expr::Source::kPointer ||
                        (s.timestamp && s.timestamp->source == Expr::Source::kPointer);
  for (const Template& t : s.contents)
    s.needs_parsed_body = s.needs_parsed_body || t.uses(TemplatePart::Kind::kPointer) ||
                          t.uses(TemplatePart::Kind::kJson);
  return s;
}

void Loader::event(const std::string& type, const Node& n, const std::string& path, Mapping& m) {
  if (!d_.expect_map(n, path)) return;
  d_.check_keys(n, path,
                {"snapshot", "vacancy_id", "lookup", "ignore", "id", "description", "ignore_when"});
  const Env env{true, false};
  const Env id_env{true, true};
  EventMapping e;
  e.type = type;
  e.path = path;
  const int kinds = (n.get("snapshot") ? 1 : 0) + (n.get("vacancy_id") ? 1 : 0) +
                    (n.get("ignore") ? 1 : 0) + (n.get("lookup") ? 1 : 0);
  if (kinds != 1) {
    d_.error(n, path,
             kinds == 0 ? "say what the event carries: snapshot (the vacancy's whole state), "
                          "vacancy_id (fetch the "
                          "state from the ATS), lookup (an application id: api.lookup finds its "
                          "vacancy) or ignore: true"
                        : "give only one of snapshot, vacancy_id, lookup, ignore");
    return;
  }
  if (const Node* v = n.get("description")) d_.string(*v, join_path(path, "description"));
  if (const Node* v = n.get("ignore_when")) {
    e.ignore_when = conditions(*v, join_path(path, "ignore_when"), env);
    if (e.ignore_when.empty() && d_.ok())
      d_.error(*v, join_path(path, "ignore_when"), "give at least one condition");
  }
  if (const Node* v = n.get("id")) {
    e.id = expr(*v, join_path(path, "id"), FieldKind::kId, id_env);
    if (!e.id) return;
  }
  if (const Node* v = n.get("ignore")) {
    if (d_.boolean(*v, join_path(path, "ignore")) != true) {
      if (v->is_scalar() && v->scalar_type == Node::ScalarType::kBoolean)
        d_.error(*v, join_path(path, "ignore"),
                 "ignore: false says nothing; leave the event out, or map it");
      return;
    }
    e.kind = EventMapping::Kind::kIgnore;
  } else if (const Node* lk = n.get("lookup")) {
    e.kind = EventMapping::Kind::kThin;
    e.lookup = expr(*lk, join_path(path, "lookup"), FieldKind::kId, env);
    if (!e.lookup) return;
    e.lookup->required = true;
  } else if (const Node* vid = n.get("vacancy_id")) {
    e.kind = EventMapping::Kind::kThin;
    e.vacancy_id = expr(*vid, join_path(path, "vacancy_id"), FieldKind::kId, env);
    if (!e.vacancy_id) return;
    e.vacancy_id->required = true;
  } else {
    e.kind = EventMapping::Kind::kSnapshot;
    e.snapshot = snapshot(*n.get("snapshot"), join_path(path, "snapshot"), env);
    if (!e.snapshot) return;
  }
  m.events.push_back(std::move(e));
}

std::optional<Json> Loader::body_template(const Node& n, const std::string& path,
                                          unsigned allowed) {
  bool ok = true;
  // Every string in the body may hold placeholders; check them all now.
  std::vector<std::pair<const Node*, std::string>> stack{{&n, path}};
  while (!stack.empty()) {
    auto [at, p] = stack.back();
    stack.pop_back();
    if (at->is_map())
      for (const auto& [k, v] : at->entries)
        stack.emplace_back(&v, join_path(p, k.scalar));
    else if (at->is_sequence())
      for (std::size_t i = 0; i < at->items.size(); ++i)
        stack.emplace_back(&at->items[i], p + "[" + std::to_string(i) + "]");
    else if (at->is_scalar() && at->scalar_type == Node::ScalarType::kString)
      ok = templ(*at, p, allowed).has_value() && ok;
  }
  if (!ok) return std::nullopt;
  return to_json(n);
}

std::optional<Template> Loader::url(const Node& n, const std::string& path, unsigned allowed,
                                    const ApiSpec& api) {
  std::optional<Template> t = templ(n, path, allowed);
  if (!t) return std::nullopt;
  const std::string& text = t->text;
  if (text.rfind("/", 0) == 0) {
    if (api.base_url.empty()) {
      d_.error(n, path, "a URL starting with '/' needs api.base_url");
      return std::nullopt;
    }
  } else if (!acceptable_url_origin(text)) {
    d_.error(n, path, "expected a path starting with '/' or an https:// URL");
    return std::nullopt;
  }
  return t;
}

void Loader::request(const std::string& name, const Node& n, const std::string& path, ApiSpec& api,
                     const std::vector<std::string>& earlier) {
  if (!d_.expect_map(n, path)) return;
  d_.check_keys(n, path, {"method", "url", "body", "optional", "expect", "paginate"});
  RequestSpec r;
  r.name = name;
  r.path = path;
  bool ok = true;
  if (const Node* v = n.get("method"))
    r.method =
        d_.choice<std::string>(*v, join_path(path, "method"), {{"GET", "GET"}, {"POST", "POST"}})
            .value_or("");
  const unsigned allowed = answers_mode_
                               ? (kAllowVacancyId | kAllowApplication)
                               : (lookup_mode_ ? kAllowLookupId : kAllowVacancyId) | kAllowPointer;
  // A placeholder reads a response fetched before this one: /<earlier request>/…
  auto check_refs = [&](const Template& t, const Node& at, const std::string& p) {
    for (const TemplatePart& part : t.parts) {
      if (part.kind != TemplatePart::Kind::kPointer) continue;
      if (part.pointer.tokens.empty() ||
          std::find(earlier.begin(), earlier.end(), part.pointer.tokens.front()) == earlier.end()) {
        d_.error(at, p,
                 "{" + part.pointer.text + "} must name a request declared before '" + name +
                     "', e.g. {/job/id}");
        ok = false;
      }
    }
  };
  if (const Node* v = d_.require(n, "url", path)) {
    if (auto t = url(*v, join_path(path, "url"), allowed, api)) {
      check_refs(*t, *v, join_path(path, "url"));
      r.url = std::move(*t);
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  if (const Node* v = n.get("body")) {
    if (r.method == "GET")
      d_.error(*v, join_path(path, "body"), "a GET request has no body: add method: POST");
    if (auto b = body_template(*v, join_path(path, "body"), allowed)) {
      r.body = std::move(*b);
      std::vector<const Json*> strings{&*r.body};
      while (!strings.empty()) {
        const Json* j = strings.back();
        strings.pop_back();
        if (j->is_structured()) {
          for (const Json& child : *j)
            strings.push_back(&child);
        } else if (j->is_string()) {
          std::string unused;
          if (auto t = parse_template(j->get<std::string>(), allowed, unused))
            check_refs(*t, *v, join_path(path, "body"));
        }
      }
    } else {
      ok = false;
    }
  }
  if (const Node* v = n.get("optional"))
    r.optional = d_.boolean(*v, join_path(path, "optional")).value_or(false);
  if (const Node* v = n.get("expect")) r.expect = conditions(*v, join_path(path, "expect"), Env{});
  if (const Node* v = n.get("paginate")) {
    const std::string ppath = join_path(path, "paginate");
    if (d_.expect_map(*v, ppath)) {
      d_.check_keys(
          *v, ppath,
          {"link_header", "next_url", "cursor", "more", "into_body", "into_query", "items",
           "max_pages", "page", "first_page", "total", "offset", "limit", "page_size"});
      Pagination& pg = r.paginate;
      const int kinds = (v->get("link_header") ? 1 : 0) + (v->get("next_url") ? 1 : 0) +
                        (v->get("cursor") ? 1 : 0) + (v->get("page") ? 1 : 0) +
                        (v->get("offset") ? 1 : 0);
      if (kinds != 1)
        d_.error(*v, ppath,
                 "give one of link_header: true, next_url: /pointer, cursor: /pointer, page: "
                 "query_parameter, offset: query_parameter");
      if (const Node* x = v->get("offset")) {
        pg.kind = Pagination::Kind::kOffset;
        pg.offset_query = d_.string(*x, join_path(ppath, "offset")).value_or("");
        if (pg.offset_query.empty())
          d_.error(*x, join_path(ppath, "offset"), "name the offset's query parameter");
        pg.limit_query = "limit";
        if (const Node* y = v->get("limit"))
          pg.limit_query = d_.string(*y, join_path(ppath, "limit")).value_or("");
        if (pg.limit_query.empty() || pg.limit_query == pg.offset_query)
          d_.error(v->get("limit") ? *v->get("limit") : *x, join_path(ppath, "limit"),
                   "name the page size's query parameter (another than the offset's)");
        if (const Node* y = v->get("page_size"))
          pg.page_size = d_.integer(*y, join_path(ppath, "page_size"), 1, 1000).value_or(100);
        if (const Node* y = v->get("total")) pg.total = pointer(*y, join_path(ppath, "total"));
        if (!v->get("items"))
          d_.error(*v, ppath,
                   "offsets need items: /pointer (a short or empty page ends the listing)");
        if (std::string text = r.url.text; text.find(pg.offset_query + "=") != std::string::npos ||
                                           text.find(pg.limit_query + "=") != std::string::npos)
          d_.error(*x, join_path(ppath, "offset"),
                   "the URL already sets " + pg.offset_query + " or " + pg.limit_query +
                       ": leave both to paginate (page_size sets the limit)");
      } else if (v->get("limit") || v->get("page_size")) {
        d_.error(*v, ppath, "limit and page_size belong with offset");
      }
      if (const Node* x = v->get("page")) {
        pg.kind = Pagination::Kind::kPage;
        pg.page_query = d_.string(*x, join_path(ppath, "page")).value_or("");
        if (pg.page_query.empty())
          d_.error(*x, join_path(ppath, "page"), "name the page number's query parameter");
        if (const Node* y = v->get("first_page"))
          pg.first_page = d_.integer(*y, join_path(ppath, "first_page"), 0, 1).value_or(1);
        if (const Node* y = v->get("total")) pg.total = pointer(*y, join_path(ppath, "total"));
        if (!v->get("items"))
          d_.error(*v, ppath, "page numbers need items: /pointer (an empty page ends the listing)");
      } else if (v->get("first_page") || (v->get("total") && !v->get("offset"))) {
        d_.error(*v, ppath, "first_page belongs with page, total with page or offset");
      }
      if (const Node* x = v->get("link_header")) {
        if (d_.boolean(*x, join_path(ppath, "link_header")) == true)
          pg.kind = Pagination::Kind::kLinkHeader;
      }
      if (const Node* x = v->get("next_url")) {
        pg.kind = Pagination::Kind::kNextUrl;
        if (auto p = pointer(*x, join_path(ppath, "next_url"))) pg.next_url = std::move(*p);
      }
      if (const Node* x = v->get("cursor")) {
        pg.kind = Pagination::Kind::kCursor;
        if (auto p = pointer(*x, join_path(ppath, "cursor"))) pg.cursor = std::move(*p);
        if (const Node* y = v->get("more")) pg.more = pointer(*y, join_path(ppath, "more"));
        if (const Node* y = v->get("into_body")) {
          pg.cursor_into_body = pointer(*y, join_path(ppath, "into_body"));
          if (!r.body)
            d_.error(*y, join_path(ppath, "into_body"), "into_body needs a request body");
        }
        if (const Node* y = v->get("into_query"))
          pg.cursor_query = d_.string(*y, join_path(ppath, "into_query")).value_or("");
        if (!v->get("into_body") && !v->get("into_query"))
          d_.error(*v, ppath, "say where the cursor goes: into_body: /pointer or into_query: name");
      } else if (v->get("more") || v->get("into_body") || v->get("into_query")) {
        d_.error(*v, ppath, "more, into_body and into_query belong with cursor");
      }
      if (const Node* x = v->get("items")) {
        const std::string ipath = join_path(ppath, "items");
        const std::vector<Node> items = x->is_sequence() ? x->items : std::vector<Node>{*x};
        for (std::size_t i = 0; i < items.size(); ++i)
          if (auto p = pointer(items[i],
                               x->is_sequence() ? ipath + "[" + std::to_string(i) + "]" : ipath))
            pg.items.push_back(std::move(*p));
      } else {
        pg.items.push_back(Pointer{});  // the response itself is the list
      }
      if (const Node* x = v->get("max_pages"))
        pg.max_pages =
            static_cast<int>(d_.integer(*x, join_path(ppath, "max_pages"), 1, 1000).value_or(20));
    }
  }
  if (!ok) return;
  if (answers_mode_)
    answers_request_ = std::move(r);
  else
    (lookup_mode_ ? api.lookup_requests : api.requests).push_back(std::move(r));
}

std::optional<ApiSpec> Loader::api(const Node& n, const std::string& path) {
  if (!d_.expect_map(n, path)) return std::nullopt;
  d_.check_keys(
      n, path,
      {"base_url", "auth", "headers", "timeout_seconds", "fetch", "write_ad", "lookup", "answers"});
  ApiSpec api;
  if (const Node* v = n.get("base_url")) {
    const std::string bpath = join_path(path, "base_url");
    api.base_url = d_.string(*v, bpath).value_or("");
    api.base_url_mark = v->mark;
    while (!api.base_url.empty() && api.base_url.back() == '/')
      api.base_url.pop_back();
    // {config:name}: a tenant's value (an account id) in the host or the path. The shape is
    // checked with a stand-in value here and with the tenant's value when the adapter is made.
    std::string shape = api.base_url;
    if (api.base_url.find('{') != std::string::npos) {
      if (auto t = templ(*v, bpath, kAllowConfig)) {
        shape.clear();
        for (const TemplatePart& part : t->parts) {
          if (part.kind == TemplatePart::Kind::kConfig) {
            shape += "account";
            if (std::find(api.base_url_config.begin(), api.base_url_config.end(), part.text) ==
                api.base_url_config.end())
              api.base_url_config.push_back(part.text);
          } else {
            shape += part.text;
          }
        }
        // In the host a value may only be a label before the vendor's own domain
        // ({config:subdomain}.workable.com): the host is never the tenant's to choose.
        const std::string& text = t->text;
        const std::size_t scheme = text.find("://");
        const std::size_t host_end =
            scheme == std::string::npos ? std::string::npos : text.find('/', scheme + 3);
        const std::string host =
            scheme == std::string::npos
                ? std::string()
                : text.substr(scheme + 3, host_end == std::string::npos ? std::string::npos
                                                                        : host_end - scheme - 3);
        for (std::size_t at = host.find("{config:"); at != std::string::npos;
             at = host.find("{config:", at + 1)) {
          const std::size_t close = host.find('}', at);
          const std::string rest = close == std::string::npos ? "" : host.substr(close + 1);
          if (rest.size() < 2 || rest[0] != '.' || rest.find('{') != std::string::npos ||
              rest.find('.', 1) == std::string::npos) {
            d_.error(*v, bpath,
                     "in the host, {config:…} may only be a label before the vendor's own domain, "
                     "e.g. https://{config:subdomain}.workable.com");
            break;
          }
        }
      } else {
        shape = "https://invalid";
      }
    }
    if (!shape.empty() &&
        (!acceptable_url_origin(shape) || shape.find_first_of("?#") != std::string::npos))
      d_.error(*v, bpath,
               "expected an https:// URL without query, e.g. https://api.example.com or "
               "https://api.example.com/accounts/{config:account_id}");
  }
  if (const Node* v = n.get("auth")) {
    const std::string apath = join_path(path, "auth");
    AuthSpec& a = api.auth;
    a.path = apath;
    a.mark = v->mark;
    if (d_.expect_map(*v, apath)) {
      d_.check_keys(*v, apath, {"type", "header", "format", "secret"});
      if (const Node* t = d_.require(*v, "type", apath))
        a.type = d_.choice<AuthSpec::Type>(*t, join_path(apath, "type"),
                                           {{"bearer", AuthSpec::Type::kBearer},
                                            {"basic", AuthSpec::Type::kBasic},
                                            {"header", AuthSpec::Type::kHeader}})
                     .value_or(AuthSpec::Type::kNone);
      if (const Node* h = v->get("header"))
        a.header = d_.string(*h, join_path(apath, "header")).value_or(a.header);
      std::string unused;
      a.format = *parse_template("{secret}", kAllowSecret, unused);
      if (const Node* f = v->get("format")) {
        if (a.type != AuthSpec::Type::kHeader)
          d_.error(*f, join_path(apath, "format"), "format belongs with type: header");
        if (auto t = templ(*f, join_path(apath, "format"), kAllowSecret)) {
          a.format = std::move(*t);
          if (!a.format.uses(TemplatePart::Kind::kSecret))
            d_.error(*f, join_path(apath, "format"), "the format must contain {secret}");
        }
      }
      if (const Node* s = d_.require(*v, "secret", apath))
        if (auto ref = secret_ref(*s, join_path(apath, "secret"))) a.secret = *ref;
    }
  }
  if (const Node* v = n.get("headers")) {
    const std::string hpath = join_path(path, "headers");
    if (d_.expect_map(*v, hpath))
      for (const auto& [k, val] : v->entries) {
        if (auto s = d_.string(val, join_path(hpath, k.scalar)))
          api.headers.emplace_back(k.scalar, *s);
        std::string lower = k.scalar;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (lower == "authorization" && api.auth.type != AuthSpec::Type::kNone)
          d_.error(k, join_path(hpath, k.scalar),
                   "Authorization comes from auth; do not set it twice");
      }
  }
  if (const Node* v = n.get("timeout_seconds"))
    api.timeout_seconds =
        static_cast<int>(d_.integer(*v, join_path(path, "timeout_seconds"), 1, 300).value_or(10));
  if (const Node* f = n.get("fetch")) {
    const std::string fpath = join_path(path, "fetch");
    if (d_.expect_map(*f, fpath)) {
      d_.check_keys(*f, fpath, {"requests", "snapshot"});
      const std::string rpath = join_path(fpath, "requests");
      if (const Node* rs = d_.require(*f, "requests", fpath); rs && d_.expect_map(*rs, rpath)) {
        std::vector<std::string> earlier;
        if (rs->entries.empty()) d_.error(*rs, rpath, "list at least one request");
        for (const auto& [k, val] : rs->entries) {
          if (!d_.identifier(k, join_path(rpath, k.scalar))) continue;
          request(k.scalar, val, join_path(rpath, k.scalar), api, earlier);
          earlier.push_back(k.scalar);
        }
      }
      if (const Node* s = d_.require(*f, "snapshot", fpath))
        api.snapshot = snapshot(*s, join_path(fpath, "snapshot"), Env{});
    }
    if (const Node* l = n.get("lookup"); l && d_.expect_map(*l, join_path(path, "lookup"))) {
      const std::string lpath = join_path(path, "lookup");
      d_.check_keys(*l, lpath, {"requests", "vacancy_id"});
      const std::string rpath = join_path(lpath, "requests");
      if (const Node* rs = d_.require(*l, "requests", lpath); rs && d_.expect_map(*rs, rpath)) {
        std::vector<std::string> earlier;
        if (rs->entries.empty()) d_.error(*rs, rpath, "list at least one request");
        lookup_mode_ = true;
        for (const auto& [k, val] : rs->entries) {
          if (!d_.identifier(k, join_path(rpath, k.scalar))) continue;
          request(k.scalar, val, join_path(rpath, k.scalar), api, earlier);
          earlier.push_back(k.scalar);
        }
        lookup_mode_ = false;
      }
      if (const Node* v = d_.require(*l, "vacancy_id", lpath)) {
        api.lookup_vacancy_id = expr(*v, join_path(lpath, "vacancy_id"), FieldKind::kId, Env{});
        if (api.lookup_vacancy_id) api.lookup_vacancy_id->required = true;
      }
    }
  }
  if (const Node* a = n.get("answers"); a && d_.expect_map(*a, join_path(path, "answers"))) {
    const std::string apath = join_path(path, "answers");
    d_.check_keys(*a, apath, {"request", "answers", "where", "concurrency"});
    AnswersSpec as;
    as.path = apath;
    if (!n.get("fetch"))
      d_.error(*a, apath, "answers per application need api.fetch (the applications to ask for)");
    if (const Node* r = d_.require(*a, "request", apath)) {
      answers_mode_ = true;
      request("answers", *r, join_path(apath, "request"), api, {});
      answers_mode_ = false;
      if (answers_request_) {
        if (answers_request_->paginate.kind != Pagination::Kind::kNone)
          d_.error(*r->get("paginate"), join_path(join_path(apath, "request"), "paginate"),
                   "one application's answers come in one response: no paginate here");
        if (!answers_request_->url.uses(TemplatePart::Kind::kApplication))
          d_.error(*r, join_path(apath, "request"),
                   "the request must name the application, e.g. url: "
                   "\"/candidates/{application:/id}/answers\"");
        as.request = std::move(*answers_request_);
        answers_request_.reset();
      }
    }
    if (const Node* w = a->get("where"))
      as.where = conditions(*w, join_path(apath, "where"), Env{});
    if (const Node* c = a->get("concurrency"))
      as.concurrency =
          static_cast<int>(d_.integer(*c, join_path(apath, "concurrency"), 1, 8).value_or(2));
    if (const Node* ans = d_.require(*a, "answers", apath)) {
      const std::string anspath = join_path(apath, "answers");
      if (d_.expect_map(*ans, anspath)) {
        if (ans->entries.empty()) d_.error(*ans, anspath, "map at least one target group");
        for (const auto& [group, value] : ans->entries) {
          const std::string gpath = join_path(anspath, group.scalar);
          if (!d_.identifier(group, gpath)) continue;
          if (auto e = expr(value, gpath, FieldKind::kAnswer, Env{}))
            as.answers.emplace_back(group.scalar, std::move(*e));
        }
      }
    }
    // A group answered in both places would have two sources of truth.
    if (api.snapshot && api.snapshot->applications)
      for (const auto& [group, e] : api.snapshot->applications->answers)
        for (const auto& [g2, e2] : as.answers)
          if (group == g2)
            d_.error(*a->get("answers")->get(g2), join_path(join_path(apath, "answers"), g2),
                     "'" + g2 + "' is already answered by " + e.path +
                         ": take each group's answer from one place");
    if (api.snapshot && !api.snapshot->applications)
      d_.error(*a, apath, "api.fetch.snapshot maps no applications to ask answers for");
    api.answers = std::move(as);
  }
  if (const Node* w = n.get("write_ad")) {
    const std::string wpath = join_path(path, "write_ad");
    if (d_.expect_map(*w, wpath)) {
      d_.check_keys(*w, wpath,
                    {"method", "url", "body", "ad_at", "language_at", "idempotency_header"});
      WriteSpec ws;
      ws.path = wpath;
      const unsigned allowed = kAllowVacancyId | kAllowRequestId;
      bool ok = true;
      if (const Node* v = w->get("method"))
        ws.method = d_.choice<std::string>(*v, join_path(wpath, "method"),
                                           {{"PUT", "PUT"}, {"PATCH", "PATCH"}, {"POST", "POST"}})
                        .value_or(ws.method);
      if (const Node* v = d_.require(*w, "url", wpath)) {
        if (auto t = url(*v, join_path(wpath, "url"), allowed, api))
          ws.url = std::move(*t);
        else
          ok = false;
      }
      if (const Node* v = w->get("body")) {
        if (!d_.expect_map(*v, join_path(wpath, "body")))
          ok = false;
        else if (auto b = body_template(*v, join_path(wpath, "body"), allowed))
          ws.body = std::move(*b);
        else
          ok = false;
      }
      if (const Node* v = d_.require(*w, "ad_at", wpath)) {
        if (auto p = pointer(*v, join_path(wpath, "ad_at")); p && !p->tokens.empty())
          ws.ad_at = std::move(*p);
        else {
          if (p)
            d_.error(*v, join_path(wpath, "ad_at"),
                     "name where in the body the ad goes, e.g. /data/attributes/body");
          ok = false;
        }
      } else {
        ok = false;
      }
      if (const Node* v = w->get("language_at"))
        ws.language_at = pointer(*v, join_path(wpath, "language_at"));
      if (const Node* v = w->get("idempotency_header"))
        ws.idempotency_header =
            d_.string(*v, join_path(wpath, "idempotency_header")).value_or(ws.idempotency_header);
      if (ok) api.write_ad = std::move(ws);
    }
  }
  if (api.auth.type == AuthSpec::Type::kNone && n.get("auth") == nullptr &&
      (n.get("fetch") || n.get("write_ad")))
    d_.error(n, path,
             "no auth: an ATS API needs credentials (auth: {type: bearer, secret: {env: NAME}})");
  return api;
}

std::optional<Mapping> Loader::run(const Node& root) {
  if (!d_.expect_map(root, "")) return std::nullopt;
  d_.check_keys(root, "",
                {"mapping_version", "name", "description", "signature", "event", "events", "shapes",
                 "api", "handshake"});
  Mapping m;
  m.file = file_;
  if (const Node* v = d_.require(root, "mapping_version", "")) {
    if (auto version = d_.integer(*v, "mapping_version", 1, 1000); version && *version != 1)
      d_.error(*v, "mapping_version", "this connector reads mapping_version 1");
  }
  if (const Node* v = root.get("name")) m.name = d_.string(*v, "name").value_or("");
  if (const Node* v = root.get("description")) d_.string(*v, "description");
  if (const Node* v = root.get("signature")) m.signature = signature(*v, "signature");
  const Env event_env{true, false};
  if (const Node* v = root.get("event"); v && d_.expect_map(*v, "event")) {
    d_.check_keys(*v, "event", {"type", "id", "ignore_when"});
    if (const Node* w = v->get("ignore_when")) {
      m.ignore_when = conditions(*w, "event.ignore_when", event_env);
      if (m.ignore_when.empty() && d_.ok())
        d_.error(*w, "event.ignore_when", "give at least one condition");
    }
    if (const Node* t = v->get("type"))
      m.event_type = expr(*t, "event.type", FieldKind::kAny, event_env);
    if (const Node* i = v->get("id"))
      m.event_id = expr(*i, "event.id", FieldKind::kId, Env{true, true});
  }
  if (const Node* s = root.get("shapes"); s && d_.expect_map(*s, "shapes")) {
    for (const auto& [k, v] : s->entries) {
      const std::string path = join_path("shapes", k.scalar);
      if (!d_.identifier(k, path)) continue;
      if (auto shape = snapshot_map(v, path, event_env))
        shapes_.emplace(k.scalar, std::make_shared<const SnapshotMapping>(std::move(*shape)));
    }
    for (const auto& [name, shape] : shapes_)
      shape_names_.push_back(name);
  }
  if (const Node* h = root.get("handshake"); h && d_.expect_map(*h, "handshake")) {
    d_.check_keys(*h, "handshake", {"header", "status", "echo"});
    HandshakeSpec hs;
    hs.path = "handshake";
    if (const Node* v = d_.require(*h, "header", "handshake"))
      hs.header = d_.string(*v, "handshake.header").value_or("");
    if (const Node* v = h->get("status"))
      hs.status = static_cast<int>(d_.integer(*v, "handshake.status", 200, 299).value_or(200));
    if (const Node* v = h->get("echo")) hs.echo = d_.boolean(*v, "handshake.echo").value_or(true);
    m.handshake = std::move(hs);
  }
  if (const Node* a = root.get("api")) m.api = api(*a, "api");
  const Node* events = d_.require(root, "events", "");
  if (events && d_.expect_map(*events, "events")) {
    if (events->entries.empty()) d_.error(*events, "events", "map at least one event type");
    for (const auto& [k, v] : events->entries)
      event(k.scalar, v, join_path("events", k.scalar), m);
    const Node* event_node = root.get("event");
    const bool type_given = event_node && event_node->is_map() && event_node->get("type");
    if (!type_given && events->entries.size() > 1)
      d_.error(*events, "events",
               "with more than one event type, say where the type is: event: {type: /action} (or "
               "{header: X-Event})");
    const bool have_fetch = m.api && m.api->snapshot && !m.api->requests.empty();
    for (const auto& [k, v] : events->entries)
      if (v.is_map() && v.get("lookup") && !(m.api && m.api->lookup_vacancy_id))
        d_.error(*v.get("lookup"), join_path(join_path("events", k.scalar), "lookup"),
                 "a lookup event needs api.lookup (requests and the vacancy_id in their answers)");
    for (const auto& [k, v] : events->entries)
      if (v.is_map() && (v.get("vacancy_id") || v.get("lookup")) && !have_fetch &&
          !(root.get("api") && root.get("api")->get("fetch"))) {
        const char* key = v.get("vacancy_id") ? "vacancy_id" : "lookup";
        d_.error(*v.get(key), join_path(join_path("events", k.scalar), key),
                 "a thin event needs api.fetch to get the vacancy's state from the ATS");
      }
  }
  if (m.signature && d_.ok()) check_signed_reads(root, m);
  if (!d_.ok()) return std::nullopt;
  return m;
}

namespace {

// The absolute pointers an expression standing at the document's root reads (a `find`
// reads its list; what `get` reads lies inside it).
void root_reads(const Expr& e, std::vector<std::string>& out) {
  for (const Condition& c : e.when)
    out.push_back(extend("", c.key));
  switch (e.source) {
    case Expr::Source::kPointer:
    case Expr::Source::kFind:
    case Expr::Source::kEach:
      out.push_back(extend("", e.pointer));
      break;
    case Expr::Source::kFirstOf:
      for (const Expr& a : e.alternatives)
        root_reads(a, out);
      break;
    case Expr::Source::kTemplate:
      for (const TemplatePart& p : e.tmpl.parts)
        if (p.kind == TemplatePart::Kind::kPointer) out.push_back(extend("", p.pointer));
      break;
    default:
      break;
  }
}

void snapshot_reads(const SnapshotMapping& m, std::vector<std::string>& out) {
  const VacancyMapping& v = m.vacancy;
  root_reads(v.id, out);
  for (const std::optional<Expr>* f :
       {&v.title, &v.department, &v.url, &v.job_types, &v.internal_only, &v.status, &v.deadline,
        &v.hire_justification_given, &v.manager.name, &v.manager.email})
    if (*f) root_reads(**f, out);
  if (v.ad) root_reads(v.ad->body, out);
  if (m.applications) out.push_back(extend("", m.applications->each));
}

bool under(const std::string& pointer, const std::string& covered) {
  return pointer == covered ||
         (pointer.size() > covered.size() && pointer.compare(0, covered.size(), covered) == 0 &&
          pointer[covered.size()] == '/');
}

}  // namespace

void Loader::check_signed_reads(const Node& root, const Mapping& m) {
  const SignatureSpec& sig = *m.signature;
  const Node* events = root.get("events");
  auto event_node = [&](const EventMapping& e) -> const Node& {
    const Node* v = events ? events->get(e.type) : nullptr;
    return v ? *v : root;
  };
  if (sig.trust == SignatureSpec::Trust::kSenderOnly) {
    // Only who sent the event is proven: a snapshot would take unsigned data as the state.
    for (const EventMapping& e : m.events)
      if (e.kind == EventMapping::Kind::kSnapshot)
        d_.error(event_node(e).get("snapshot") ? *event_node(e).get("snapshot") : event_node(e),
                 join_path(e.path, "snapshot"),
                 "signature.trust is sender_only (the sender signs an id or a token, not the "
                 "data): a snapshot would be taken from unsigned data. Map this event as thin "
                 "(vacancy_id: …, the state is then fetched from the ATS's API) or ignore it");
    return;
  }
  std::vector<std::string> covered;
  for (const TemplatePart& p :
       sig.contents.empty() ? std::vector<TemplatePart>{} : sig.contents.front().parts) {
    if (p.kind == TemplatePart::Kind::kBody) return;  // the whole body is signed
    if (p.kind == TemplatePart::Kind::kPointer || p.kind == TemplatePart::Kind::kRawPointer ||
        p.kind == TemplatePart::Kind::kJson)
      covered.push_back(extend("", p.pointer));
  }
  auto check = [&](const std::vector<std::string>& reads, const Node& at, const std::string& path) {
    for (const std::string& r : reads) {
      bool ok = false;
      for (const std::string& c : covered)
        ok = ok || under(r, c);
      if (!ok) {
        d_.error(at, path,
                 "reads " + (r.empty() ? std::string("the whole body") : r) +
                     ", which the signed content (signature.signed_content) does not cover: "
                     "every delivery would be refused. Read inside the signed part, or sign "
                     "what is read");
        return;
      }
    }
  };
  const Node* ev = root.get("event");
  if (m.event_type) {
    std::vector<std::string> reads;
    root_reads(*m.event_type, reads);
    check(reads, ev && ev->get("type") ? *ev->get("type") : root, "event.type");
  }
  if (m.event_id) {
    std::vector<std::string> reads;
    root_reads(*m.event_id, reads);
    check(reads, ev && ev->get("id") ? *ev->get("id") : root, "event.id");
  }
  for (const EventMapping& e : m.events) {
    std::vector<std::string> reads;
    if (e.vacancy_id) root_reads(*e.vacancy_id, reads);
    if (e.lookup) root_reads(*e.lookup, reads);
    if (e.id) root_reads(*e.id, reads);
    if (e.snapshot) snapshot_reads(*e.snapshot, reads);
    for (const Condition& c : e.ignore_when)
      reads.push_back(extend("", c.key));
    check(reads, event_node(e), e.path);
  }
}

}  // namespace

const EventMapping* Mapping::event(std::string_view type) const {
  const EventMapping* any = nullptr;
  for (const EventMapping& e : events) {
    if (e.type == type) return &e;
    if (e.type == "*") any = &e;
  }
  return any;
}

std::optional<Mapping> decode_mapping(const Node& root, const std::string& file,
                                      std::vector<config::Diagnostic>& errors) {
  Decoder d;
  Loader loader(file, d);
  std::optional<Mapping> m = loader.run(root);
  if (m) m->warnings = loader.warnings_;
  // In the order of the file, whatever order the loader checked things in.
  std::vector<config::Diagnostic> found = d.diagnostics();
  std::stable_sort(
      found.begin(), found.end(), [](const config::Diagnostic& a, const config::Diagnostic& b) {
        return std::tie(a.mark.line, a.mark.column) < std::tie(b.mark.line, b.mark.column);
      });
  errors.insert(errors.end(), found.begin(), found.end());
  return m;
}

}  // namespace mangfold::generic
