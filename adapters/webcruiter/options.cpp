#include "adapters/webcruiter/options.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "connector/config/decoder.hpp"
#include "connector/config/service_config.hpp"

namespace mangfold::webcruiter {

namespace {

using config::Decoder;
using config::join_path;
using config::Node;

const std::initializer_list<std::pair<std::string_view, domain::Stage>> kStages = {
    {"applied", domain::Stage::kApplied},         {"interview", domain::Stage::kInterview},
    {"interviewed", domain::Stage::kInterviewed}, {"recommended", domain::Stage::kRecommended},
    {"offered", domain::Stage::kOffered},         {"hired", domain::Stage::kHired},
    {"rejected", domain::Stage::kRejected},       {"withdrawn", domain::Stage::kWithdrawn},
};

// Ids and answer values may be written as numbers or text in YAML; both mean the same text.
std::optional<std::string> scalar_text(Decoder& d, const Node& n, const std::string& path) {
  if (n.is_scalar() && !n.scalar.empty()) return n.scalar;
  d.error(n, path, "expected a value (text or number), got " + std::string(n.type_name()));
  return std::nullopt;
}

std::vector<std::string> scalar_list(Decoder& d, const Node& n, const std::string& path) {
  std::vector<std::string> out;
  if (n.is_scalar()) {
    if (auto s = scalar_text(d, n, path)) out.push_back(fold_answer(*s));
    return out;
  }
  if (!n.is_sequence()) {
    d.error(n, path, "expected a list of values, got " + std::string(n.type_name()));
    return out;
  }
  for (size_t i = 0; i < n.items.size(); ++i)
    if (auto s = scalar_text(d, n.items[i], path + "[" + std::to_string(i) + "]"))
      out.push_back(fold_answer(*s));
  return out;
}

// Secrets never stand in the config: {env: NAME} or {file: PATH}, resolved now so that a
// missing one is reported at start.
std::optional<std::string> secret(Decoder& d, const Node& n, const std::string& path,
                                  const config::ReadFile& read) {
  if (!d.expect_map(n, path)) return std::nullopt;
  d.check_keys(n, path, {"env", "file"});
  config::SecretRef ref;
  if (const Node* e = n.get("env")) ref.env = d.string(*e, join_path(path, "env")).value_or("");
  if (const Node* f = n.get("file")) {
    ref.file = d.string(*f, join_path(path, "file")).value_or("");
    namespace fs = std::filesystem;
    if (!ref.file.empty() && fs::path(ref.file).is_relative() && !n.mark.file.empty())
      ref.file =
          (fs::path(n.mark.file).parent_path() / ref.file).lexically_normal().generic_string();
  }
  if (ref.env.empty() == ref.file.empty()) {
    d.error(n, path, "give exactly one of env or file (secrets never stand in the config itself)");
    return std::nullopt;
  }
  Result<std::string> value = config::resolve_secret(ref, read);
  if (!value.ok()) {
    d.error(n, path, value.status().message());
    return std::nullopt;
  }
  return std::move(value).value();
}

std::optional<StatusMapping> status_mapping(Decoder& d, const Node& n, const std::string& path) {
  StatusMapping m;
  if (n.is_scalar()) {
    auto stage = d.choice<domain::Stage>(n, path, kStages);
    if (!stage) return std::nullopt;
    m.stage = *stage;
    return m;
  }
  if (!n.is_map()) {
    d.error(n, path,
            "expected a stage name or {stage, qualification}, got " + std::string(n.type_name()));
    return std::nullopt;
  }
  d.check_keys(n, path, {"stage", "qualification"});
  bool ok = true;
  if (const Node* s = d.require(n, "stage", path)) {
    if (auto stage = d.choice<domain::Stage>(*s, join_path(path, "stage"), kStages))
      m.stage = *stage;
    else
      ok = false;
  } else {
    ok = false;
  }
  if (const Node* q = n.get("qualification")) {
    auto qual =
        d.choice<domain::Qualification>(*q, join_path(path, "qualification"),
                                        {{"qualified", domain::Qualification::kQualified},
                                         {"not_qualified", domain::Qualification::kNotQualified},
                                         {"unknown", domain::Qualification::kUnknown}});
    if (qual)
      m.qualification = *qual;
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return m;
}

void decode_statuses(Decoder& d, const Node& n, const std::string& path, Options& o) {
  if (!d.expect_map(n, path)) return;
  if (n.entries.empty()) d.error(n, path, "map at least one CandidateStatusId to a stage");
  for (const auto& [key, value] : n.entries) {
    const std::string p = join_path(path, key.scalar);
    if (key.scalar.empty()) {
      d.error(key, p, "a status id cannot be empty");
      continue;
    }
    if (auto m = status_mapping(d, value, p)) o.statuses.emplace(key.scalar, *m);
  }
}

void decode_groups(Decoder& d, const Node& n, const std::string& path, Options& o) {
  if (!d.expect_map(n, path)) return;
  if (n.entries.empty()) d.error(n, path, "map at least one target group to a form question");
  for (const auto& [key, value] : n.entries) {
    const std::string p = join_path(path, key.scalar);
    GroupMapping g;
    g.group = d.identifier(key, p).value_or("");
    if (!d.expect_map(value, p)) continue;
    d.check_keys(value, p, {"question", "yes", "no"});
    if (const Node* q = d.require(value, "question", p))
      g.question_id = scalar_text(d, *q, join_path(p, "question")).value_or("");
    if (const Node* y = value.get("yes")) g.yes = scalar_list(d, *y, join_path(p, "yes"));
    if (const Node* y = value.get("no")) g.no = scalar_list(d, *y, join_path(p, "no"));
    if (g.yes.empty() && g.no.empty())
      d.error(value, p,
              "list the answers that mean yes (and no): every other answer counts as unknown");
    for (const std::string& y : g.yes)
      if (std::find(g.no.begin(), g.no.end(), y) != g.no.end())
        d.error(value, p, "the answer '" + y + "' is listed under both yes and no");
    if (!g.group.empty() && !g.question_id.empty()) o.target_groups.push_back(std::move(g));
  }
}

bool is_http_url(const std::string& s) {
  return (s.rfind("https://", 0) == 0 && s.size() > 8) ||
         (s.rfind("http://", 0) == 0 && s.size() > 7);
}

void decode_path(Decoder& d, const Node& paths, const char* key, const std::string& path,
                 std::string_view placeholder, std::string& out) {
  const Node* n = paths.get(key);
  if (!n) return;
  const std::string p = join_path(path, key);
  auto s = d.string(*n, p);
  if (!s) return;
  if (s->find(placeholder) == std::string::npos) {
    d.error(*n, p, "must contain " + std::string(placeholder));
    return;
  }
  if (!is_http_url(*s) && (s->empty() || (*s)[0] != '/')) {
    d.error(*n, p, "expected a path starting with '/' or an http(s):// URL");
    return;
  }
  out = *s;
}

std::optional<ApiOptions> decode_api(Decoder& d, const Node& n, const std::string& path,
                                     const config::ReadFile& read) {
  if (!d.expect_map(n, path)) return std::nullopt;
  d.check_keys(n, path,
               {"base_url", "auth", "paths", "timeout_seconds", "cache_seconds", "max_pages"});
  ApiOptions api;
  const size_t errors_before = d.diagnostics().size();
  if (const Node* b = d.require(n, "base_url", path)) {
    if (auto s = d.string(*b, join_path(path, "base_url"))) {
      if (!is_http_url(*s) || s->find_first_of(" ?#") != std::string::npos)
        d.error(*b, join_path(path, "base_url"),
                "expected an http:// or https:// URL without query, got '" + *s + "'");
      api.base_url = *s;
      while (!api.base_url.empty() && api.base_url.back() == '/')
        api.base_url.pop_back();
    }
  }
  if (const Node* a = d.require(n, "auth", path)) {
    const std::string ap = join_path(path, "auth");
    if (d.expect_map(*a, ap)) {
      d.check_keys(*a, ap, {"oauth2", "api_key"});
      if (const Node* o = a->get("oauth2")) {
        const std::string op = join_path(ap, "oauth2");
        if (d.expect_map(*o, op)) {
          d.check_keys(*o, op, {"token_url", "client_id", "client_secret", "scope", "client_auth"});
          OAuth2Options oauth;
          if (const Node* t = d.require(*o, "token_url", op)) {
            oauth.token_url = d.string(*t, join_path(op, "token_url")).value_or("");
            if (!oauth.token_url.empty() && !is_http_url(oauth.token_url))
              d.error(*t, join_path(op, "token_url"), "expected an http:// or https:// URL");
          }
          if (const Node* c = d.require(*o, "client_id", op))
            oauth.client_id = scalar_text(d, *c, join_path(op, "client_id")).value_or("");
          if (const Node* s = d.require(*o, "client_secret", op))
            oauth.client_secret = secret(d, *s, join_path(op, "client_secret"), read).value_or("");
          if (const Node* s = o->get("scope"))
            oauth.scope = d.string(*s, join_path(op, "scope")).value_or("");
          if (const Node* c = o->get("client_auth"))
            oauth.basic_auth =
                d.choice<bool>(*c, join_path(op, "client_auth"), {{"basic", true}, {"body", false}})
                    .value_or(true);
          api.oauth2 = std::move(oauth);
        }
      }
      if (const Node* k = a->get("api_key")) {
        const std::string kp = join_path(ap, "api_key");
        if (d.expect_map(*k, kp)) {
          d.check_keys(*k, kp, {"header", "key"});
          ApiKeyOptions key;
          if (const Node* h = k->get("header")) {
            key.header = d.string(*h, join_path(kp, "header")).value_or(key.header);
            const bool token =
                !key.header.empty() &&
                std::all_of(key.header.begin(), key.header.end(), [](char c) {
                  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
                });
            if (!token)
              d.error(*h, join_path(kp, "header"), "expected a header name such as X-Api-Key");
          }
          if (const Node* s = d.require(*k, "key", kp))
            key.key = secret(d, *s, join_path(kp, "key"), read).value_or("");
          api.api_key = std::move(key);
        }
      }
      if (!a->get("oauth2") && !a->get("api_key"))
        d.error(*a, ap, "configure oauth2 (client credentials) or api_key, or both");
    }
  }
  if (const Node* p = n.get("paths")) {
    const std::string pp = join_path(path, "paths");
    if (d.expect_map(*p, pp)) {
      d.check_keys(*p, pp,
                   {"advert", "candidates", "custom_data", "hired", "hired_process", "processes",
                    "statuses"});
      decode_path(d, *p, "advert", pp, "{advertId}", api.advert_path);
      decode_path(d, *p, "candidates", pp, "{advertId}", api.candidates_path);
      decode_path(d, *p, "custom_data", pp, "{candidateId}", api.custom_data_path);
      decode_path(d, *p, "hired", pp, "", api.hired_path);
      decode_path(d, *p, "hired_process", pp, "{candidateId}", api.hired_process_path);
      decode_path(d, *p, "processes", pp, "", api.processes_path);
      decode_path(d, *p, "statuses", pp, "", api.statuses_path);
    }
  }
  auto integer = [&](const char* key, long min, long max, int& out) {
    if (const Node* v = n.get(key))
      out = static_cast<int>(d.integer(*v, join_path(path, key), min, max).value_or(out));
  };
  integer("timeout_seconds", 1, 300, api.timeout_seconds);
  integer("cache_seconds", 0, 3600, api.cache_seconds);
  integer("max_pages", 1, 10'000, api.max_pages);
  if (d.diagnostics().size() != errors_before) return std::nullopt;
  return api;
}

std::optional<SyncOptions> decode_sync(Decoder& d, const Node& n, const std::string& sp,
                                       const Options& o) {
  if (!d.expect_map(n, sp)) return std::nullopt;
  d.check_keys(n, sp, {"discover_from", "feed_url", "hires"});
  SyncOptions sync;
  const Node* from = n.get("discover_from");
  if (from) {
    const std::string fp = join_path(sp, "discover_from");
    sync.from_feed = false;
    std::vector<const Node*> items;
    if (from->is_scalar())
      items.push_back(from);
    else if (from->is_sequence())
      for (const Node& item : from->items)
        items.push_back(&item);
    else
      d.error(*from, fp, "expected a list of sources: feed, api");
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string ip = from->is_sequence() ? fp + "[" + std::to_string(i) + "]" : fp;
      auto source = d.choice<int>(*items[i], ip, {{"feed", 0}, {"api", 1}});
      if (!source) continue;
      bool& on = *source == 0 ? sync.from_feed : sync.from_api;
      if (on) d.error(*items[i], ip, "listed twice");
      on = true;
    }
    if (from->is_sequence() && items.empty())
      d.error(*from, fp, "name at least one source: feed, api");
  }
  if (const Node* f = n.get("feed_url")) {
    const std::string p = join_path(sp, "feed_url");
    sync.feed_url = d.string(*f, p).value_or("");
    if (!sync.feed_url.empty() && !is_http_url(sync.feed_url))
      d.error(*f, p, "expected an http:// or https:// URL");
    if (from && !sync.from_feed)
      d.error(*f, p, "feed_url is set but discover_from does not list feed");
  } else if (sync.from_feed) {
    d.error(from ? *from : n, from ? join_path(sp, "discover_from") : sp,
            "reading the advert feed needs feed_url (or set discover_from: [api])");
  }
  if (const Node* h = n.get("hires")) {
    const std::string hp = join_path(sp, "hires");
    if (d.expect_map(*h, hp)) {
      d.check_keys(*h, hp, {"read", "mark_processed", "message"});
      if (const Node* r = h->get("read"))
        sync.read_hires = d.boolean(*r, join_path(hp, "read")).value_or(true);
      if (const Node* m = h->get("mark_processed"))
        sync.mark_hires_processed = d.boolean(*m, join_path(hp, "mark_processed")).value_or(false);
      if (const Node* m = h->get("message")) {
        sync.process_message = d.string(*m, join_path(hp, "message")).value_or("");
        if (sync.process_message.size() > 500)
          d.error(*m, join_path(hp, "message"), "at most 500 characters");
      }
      if (sync.mark_hires_processed && !sync.read_hires)
        d.error(*h, hp, "mark_processed needs read: true");
    }
  }
  if (!o.api) {
    d.error(n, sp,
            "sync needs api: the feed only names the vacancies, the Candidate API gives their "
            "applicants");
  } else if (sync.from_api && o.api->processes_path.empty()) {
    d.error(from ? *from : n, join_path(sp, "discover_from"),
            "discover_from lists api, but api.paths.processes is not set (the path of the "
            "customer's process listing; ask Talentech)");
  }
  return sync;
}

// An http(s) URL with {vacancy_id}, e.g. https://…/case?advertId={vacancy_id}.
std::string decode_case_url(Decoder& d, const Node& n, const std::string& p) {
  std::optional<std::string> s = d.string(n, p);
  if (!s) return {};
  if (!is_http_url(*s) || s->find_first_of(" \t\r\n\"<>") != std::string::npos) {
    d.error(n, p, "expected an http:// or https:// URL with {vacancy_id}");
    return {};
  }
  std::string rest = *s;
  bool has_id = false;
  for (size_t at = rest.find('{'); at != std::string::npos; at = rest.find('{', at + 1)) {
    if (rest.compare(at, 12, "{vacancy_id}") == 0) {
      has_id = true;
      continue;
    }
    d.error(n, p, "the only placeholder is {vacancy_id}");
    return {};
  }
  if (!has_id) {
    d.error(n, p, "must contain {vacancy_id}");
    return {};
  }
  return *s;
}

}  // namespace

std::string fold_answer(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && space(text.back()))
    text.remove_suffix(1);
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c + 32);
    } else if (c == 0xC3 && i + 1 < out.size()) {
      // UTF-8 for U+00C0..U+00DE (À..Þ, Æ Ø Å among them) except × (U+00D7): lower case is +0x20.
      const auto next = static_cast<unsigned char>(out[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) out[i + 1] = static_cast<char>(next + 0x20);
      ++i;
    }
  }
  return out;
}

std::optional<Options> decode_options(const config::Node& node, const std::string& path,
                                      const config::ReadFile& read,
                                      std::vector<config::Diagnostic>& diagnostics) {
  Decoder d;
  Options o;
  if (node.is_null()) {
    d.error(node, path,
            "the webcruiter adapter needs adapter_options with statuses and target_groups");
  } else if (d.expect_map(node, path)) {
    d.check_keys(node, path,
                 {"statuses", "unknown_status", "target_groups", "manager_titles", "user_data",
                  "api", "sync", "case_url"});
    if (const Node* n = d.require(node, "statuses", path))
      decode_statuses(d, *n, join_path(path, "statuses"), o);
    if (const Node* n = node.get("unknown_status")) {
      const std::string p = join_path(path, "unknown_status");
      if (!(n->is_scalar() && n->scalar == "error")) {
        if (n->is_scalar() && !std::any_of(kStages.begin(), kStages.end(),
                                           [&](const auto& s) { return s.first == n->scalar; }))
          d.error(
              *n, p,
              "expected error, a stage name or {stage, qualification}, got '" + n->scalar + "'");
        else
          o.unknown_status = status_mapping(d, *n, p);
      }
    }
    if (const Node* n = d.require(node, "target_groups", path))
      decode_groups(d, *n, join_path(path, "target_groups"), o);
    if (const Node* n = node.get("manager_titles"))
      o.manager_titles = scalar_list(d, *n, join_path(path, "manager_titles"));
    if (const Node* n = node.get("user_data"))
      o.user_data = secret(d, *n, join_path(path, "user_data"), read);
    if (const Node* n = node.get("api")) o.api = decode_api(d, *n, join_path(path, "api"), read);
    if (const Node* n = node.get("sync")) o.sync = decode_sync(d, *n, join_path(path, "sync"), o);
    if (const Node* n = node.get("case_url"))
      o.case_url = decode_case_url(d, *n, join_path(path, "case_url"));
  }
  diagnostics.insert(diagnostics.end(), d.diagnostics().begin(), d.diagnostics().end());
  if (!d.ok()) return std::nullopt;
  return o;
}

}  // namespace mangfold::webcruiter
