#include "adapters/native/snapshot_json.hpp"

#include "adapters/common/json_reader.hpp"
#include "adapters/common/json_wire.hpp"
#include "adapters/native/snapshot_json_internal.hpp"

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>

namespace mangfold::native {

using nlohmann::json;

namespace {

// No vacancy has a million applicants; a larger rank is a sender's bug, not a rank.
constexpr std::uint64_t kMaxRank = 1'000'000;

using adapters::fail;
using adapters::MappingError;
const auto& type_name = adapters::json_type_name;

void only_keys(const json& obj, const std::string& at,
               std::initializer_list<std::string_view> keys) {
  for (const auto& [key, value] : obj.items())
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) fail(at + "/" + key, "unknown key");
}

const json& object(const json& j, const std::string& at) {
  if (!j.is_object()) fail(at, "expected an object, got " + type_name(j));
  return j;
}

std::string text(const json& j, const std::string& at) {
  if (!j.is_string()) fail(at, "expected a string, got " + type_name(j));
  return j.get<std::string>();
}

std::string text_or(const json& obj, const char* key, const std::string& at) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  return text(*it, at + "/" + key);
}

// ATSs send ids as numbers or strings; both become the same string.
std::string id(const json& j, const std::string& at) {
  if (j.is_string()) {
    if (j.get_ref<const std::string&>().empty()) fail(at, "the id is empty");
    return j.get<std::string>();
  }
  if (j.is_number_integer() || j.is_number_unsigned()) return j.dump();
  fail(at, "expected an id (string or integer), got " + type_name(j));
}

bool flag(const json& obj, const char* key, const std::string& at) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return false;
  if (!it->is_boolean()) fail(at + "/" + key, "expected true or false, got " + type_name(*it));
  return it->get<bool>();
}

domain::Stage stage(const json& j, const std::string& at) {
  const std::string s = text(j, at);
  if (auto st = domain::stage_from_string(s)) return *st;
  fail(at,
       "unknown stage (expected one of: applied, interview, interviewed, recommended, offered, "
       "hired, rejected, withdrawn)");
}

// "immigrant_background, disability" for an error message: the policy's names, never the
// sender's.
std::string declared_list(const std::vector<std::string>& groups) {
  std::string out;
  for (const std::string& g : groups)
    out += (out.empty() ? "" : ", ") + g;
  return out;
}

domain::Application application(const json& j, const std::string& at,
                                const std::vector<std::string>& target_groups) {
  object(j, at);
  only_keys(j, at,
            {"candidate_id", "stage", "history", "qualification", "answers", "score", "rank"});
  domain::Application a;
  auto cid = j.find("candidate_id");
  if (cid == j.end()) fail(at + "/candidate_id", "missing required key");
  a.candidate_id = id(*cid, at + "/candidate_id");
  if (auto s = j.find("stage"); s != j.end()) a.stage = stage(*s, at + "/stage");
  if (auto h = j.find("history"); h != j.end() && !h->is_null()) {
    if (!h->is_array()) fail(at + "/history", "expected an array of stages, got " + type_name(*h));
    for (size_t i = 0; i < h->size(); ++i)
      a.history.push_back(stage((*h)[i], at + "/history/" + std::to_string(i)));
  }
  if (auto q = j.find("qualification"); q != j.end() && !q->is_null()) {
    const std::string s = text(*q, at + "/qualification");
    if (s == "qualified")
      a.qualification = domain::Qualification::kQualified;
    else if (s == "not_qualified")
      a.qualification = domain::Qualification::kNotQualified;
    else if (s != "unknown")
      fail(at + "/qualification", "expected qualified, not_qualified or unknown");
  }
  if (auto ans = j.find("answers"); ans != j.end() && !ans->is_null()) {
    object(*ans, at + "/answers");
    for (const auto& [group, value] : ans->items()) {
      // PRIVACY: errors point at the answers object, never at a key inside it.
      const std::string p = at + "/answers";
      if (!target_groups.empty() &&
          std::find(target_groups.begin(), target_groups.end(), group) == target_groups.end())
        fail(p, "an answer for a target group the tenant's policy does not declare (it declares: " +
                    declared_list(target_groups) + ")");
      // null means "did not answer"; the answer itself is never echoed in an error.
      if (value.is_null()) continue;
      if (!value.is_string())
        fail(p, "expected \"yes\", \"no\" or \"unknown\", got " + type_name(value));
      auto answer = domain::answer_from_string(value.get_ref<const std::string&>());
      if (!answer) fail(p, "expected \"yes\", \"no\" or \"unknown\"");
      a.answers.emplace(group, *answer);
    }
  }
  if (auto s = j.find("score"); s != j.end() && !s->is_null()) {
    if (!s->is_number()) fail(at + "/score", "expected a number, got " + type_name(*s));
    a.score = s->get<double>();
  }
  if (auto r = j.find("rank"); r != j.end() && !r->is_null()) {
    // Compared before narrowing: a rank of 2^31 must not wrap into a small one.
    if (!r->is_number_unsigned() || r->get<std::uint64_t>() < 1 ||
        r->get<std::uint64_t>() > kMaxRank)
      fail(at + "/rank", "expected a whole number from 1 (best) to " + std::to_string(kMaxRank));
    a.rank = static_cast<int>(r->get<std::uint64_t>());
  }
  return a;
}

domain::Vacancy vacancy(const json& j, const std::string& at) {
  object(j, at);
  only_keys(j, at,
            {"id", "title", "department", "url", "job_types", "internal_only", "status", "deadline",
             "manager", "ad", "hire_justification_given"});
  domain::Vacancy v;
  auto vid = j.find("id");
  if (vid == j.end()) fail(at + "/id", "missing required key");
  v.id = id(*vid, at + "/id");
  v.title = text_or(j, "title", at);
  v.department = text_or(j, "department", at);
  v.url = text_or(j, "url", at);
  if (auto t = j.find("job_types"); t != j.end() && !t->is_null()) {
    if (!t->is_array())
      fail(at + "/job_types", "expected an array of strings, got " + type_name(*t));
    for (size_t i = 0; i < t->size(); ++i)
      v.job_types.push_back(text((*t)[i], at + "/job_types/" + std::to_string(i)));
  }
  v.internal_only = flag(j, "internal_only", at);
  v.hire_justification_given = flag(j, "hire_justification_given", at);
  if (const std::string s = text_or(j, "status", at); s == "closed")
    v.status = domain::VacancyStatus::kClosed;
  else if (!s.empty() && s != "open")
    fail(at + "/status", "expected \"open\" or \"closed\"");
  if (const std::string d = text_or(j, "deadline", at); !d.empty()) {
    v.deadline = domain::Date::parse(d);
    if (!v.deadline) fail(at + "/deadline", "expected a date as YYYY-MM-DD");
  }
  if (auto m = j.find("manager"); m != j.end() && !m->is_null()) {
    object(*m, at + "/manager");
    only_keys(*m, at + "/manager", {"name", "email", "language"});
    v.manager.name = text_or(*m, "name", at + "/manager");
    v.manager.email = text_or(*m, "email", at + "/manager");
    v.manager.language = domain::language_from_culture(text_or(*m, "language", at + "/manager"));
  }
  if (auto a = j.find("ad"); a != j.end() && !a->is_null()) {
    object(*a, at + "/ad");
    only_keys(*a, at + "/ad", {"language", "format", "body"});
    domain::JobAd ad;
    ad.language = domain::language_from_culture(text_or(*a, "language", at + "/ad"));
    ad.body = text_or(*a, "body", at + "/ad");
    if (const std::string f = text_or(*a, "format", at + "/ad"); f == "text")
      ad.format = domain::AdFormat::kText;
    else if (!f.empty() && f != "html")
      fail(at + "/ad/format", "expected \"html\" or \"text\"");
    v.ad = std::move(ad);
  }
  return v;
}

}  // namespace

// The reference path: read_json's bounded nlohmann tree, then the mapping above. Every
// error message comes from here.
Result<Event> internal::parse_event_reference(std::string_view body, const ParseOptions& options) {
  Result<json> parsed = adapters::read_json(body, options.limits);
  if (!parsed.ok()) return parsed.status();
  const json& doc = *parsed;
  try {
    object(doc, "");
    only_keys(doc, "", {"event", "vacancy", "applications"});
    Event event;
    if (auto e = doc.find("event"); e != doc.end()) {
      object(*e, "/event");
      only_keys(*e, "/event", {"id", "type"});
      if (auto i = e->find("id"); i != e->end()) event.id = id(*i, "/event/id");
      event.type = text_or(*e, "type", "/event");
    }
    auto v = doc.find("vacancy");
    if (v == doc.end()) fail("/vacancy", "missing required key");
    event.snapshot.vacancy = vacancy(*v, "/vacancy");
    if (auto apps = doc.find("applications"); apps != doc.end() && !apps->is_null()) {
      if (!apps->is_array()) fail("/applications", "expected an array, got " + type_name(*apps));
      event.snapshot.applications.reserve(apps->size());
      // A candidate twice would be counted twice: refused, naming both places.
      std::map<std::string, size_t, std::less<>> first_at;
      for (size_t i = 0; i < apps->size(); ++i) {
        const std::string at = "/applications/" + std::to_string(i);
        domain::Application a = application((*apps)[i], at, options.target_groups);
        if (auto [it, fresh] = first_at.emplace(a.candidate_id, i); !fresh)
          fail(at + "/candidate_id", "the same candidate as /applications/" +
                                         std::to_string(it->second) + " (each candidate once)");
        event.snapshot.applications.push_back(std::move(a));
      }
    }
    return event;
  } catch (const MappingError& e) {
    return unprocessable(e.pointer + ": " + e.message);
  }
}

// --- The fast path ------------------------------------------------------------------------
//
// simdjson's DOM parser (one per thread, reused) reads the body and the values are taken
// straight from its tape into the domain types, without an nlohmann tree. It only ever
// answers for a document that the reference path above accepts, and with the same Event:
// at anything else (malformed JSON, a limit reached, a duplicate key, an unknown key, a
// type or value the format refuses, a \u escape, a number simdjson does not read exactly
// like nlohmann) it returns false and parse_event runs the reference path, which produces
// the error. Error messages, line and column included, therefore cannot differ. The fuzzer
// (fuzz/native_event.cpp, whose corpus is replayed by `make test`) runs both paths on every
// input and aborts if they disagree. No exceptions: every step says whether it read.

namespace {

namespace sj = simdjson;
using Type = sj::dom::element_type;

// Bodies above this take the reference path: the reused parser keeps buffers sized for the
// largest document it has read, and webhook events are a few KiB.
constexpr std::size_t kFastMaxBytes = 256 * 1024;

// The reference path's read_json limits and duplicate-key rule, checked over the tree.
// `level` is the number of arrays and objects open around `e`.
bool within_limits(sj::dom::element e, int level, std::size_t& values, const InputLimits& limits) {
  if (++values > limits.json_max_values) return false;
  const Type t = e.type();
  if (t == Type::ARRAY) {
    if (level >= std::max(limits.json_max_depth, 0)) return false;
    const sj::dom::array array = e.get_array().value_unsafe();
    for (sj::dom::element child : array)
      if (!within_limits(child, level + 1, values, limits)) return false;
  } else if (t == Type::OBJECT) {
    if (level >= std::max(limits.json_max_depth, 0)) return false;
    std::array<std::string_view, 16> small{};
    std::vector<std::string_view> many;
    std::size_t n = 0;
    const sj::dom::object object = e.get_object().value_unsafe();
    for (sj::dom::key_value_pair kv : object) {
      if (n < small.size()) {
        small[n] = kv.key;
      } else {
        if (many.empty()) many.assign(small.begin(), small.end());
        many.push_back(kv.key);
      }
      ++n;
      if (!within_limits(kv.value, level + 1, values, limits)) return false;
    }
    std::string_view* begin = many.empty() ? small.data() : many.data();
    std::sort(begin, begin + n);
    if (std::adjacent_find(begin, begin + n) != begin + n) return false;
  } else if (t == Type::DOUBLE) {
    if (!std::isfinite(e.get_double().value_unsafe())) return false;
  }
  return true;
}

bool as_object(sj::dom::element e, sj::dom::object& out) {
  if (e.type() != Type::OBJECT) return false;
  out = e.get_object().value_unsafe();
  return true;
}

bool only(sj::dom::object obj, std::initializer_list<std::string_view> keys) {
  for (sj::dom::key_value_pair kv : obj)
    if (std::find(keys.begin(), keys.end(), kv.key) == keys.end()) return false;
  return true;
}

// The member `key`, or nothing when it is absent.
std::optional<sj::dom::element> member(sj::dom::object obj, std::string_view key) {
  sj::dom::element v;
  if (obj.at_key(key).get(v) != sj::SUCCESS) return std::nullopt;
  return v;
}
// The member `key` unless it is absent or null.
std::optional<sj::dom::element> present(sj::dom::object obj, std::string_view key) {
  std::optional<sj::dom::element> v = member(obj, key);
  if (v && v->type() == Type::NULL_VALUE) return std::nullopt;
  return v;
}

bool view(sj::dom::element e, std::string_view& out) {
  if (e.type() != Type::STRING) return false;
  out = e.get_string().value_unsafe();
  return true;
}

// text_or: absent or null is empty.
bool text_or(sj::dom::object obj, std::string_view key, std::string& out) {
  std::optional<sj::dom::element> v = present(obj, key);
  std::string_view s;
  if (v && !view(*v, s)) return false;
  out.assign(s);
  return true;
}

bool read_id(sj::dom::element e, std::string& out) {
  switch (e.type()) {
    case Type::STRING:
      out.assign(e.get_string().value_unsafe());
      return !out.empty();
    case Type::INT64:
      out = std::to_string(e.get_int64().value_unsafe());
      return true;
    case Type::UINT64:
      out = std::to_string(e.get_uint64().value_unsafe());
      return true;
    default:
      return false;
  }
}

bool flag(sj::dom::object obj, std::string_view key, bool& out) {
  out = false;
  std::optional<sj::dom::element> v = present(obj, key);
  if (!v) return true;
  if (v->type() != Type::BOOL) return false;
  out = v->get_bool().value_unsafe();
  return true;
}

bool read_stage(sj::dom::element e, domain::Stage& out) {
  std::string_view s;
  if (!view(e, s)) return false;
  std::optional<domain::Stage> st = domain::stage_from_string(s);
  if (!st) return false;
  out = *st;
  return true;
}

bool read_application(sj::dom::element e, const std::vector<std::string>& target_groups,
                      domain::Application& a) {
  sj::dom::object j;
  if (!as_object(e, j) ||
      !only(j, {"candidate_id", "stage", "history", "qualification", "answers", "score", "rank"}))
    return false;
  std::optional<sj::dom::element> cid = member(j, "candidate_id");
  if (!cid || !read_id(*cid, a.candidate_id)) return false;
  if (auto s = member(j, "stage"); s && !read_stage(*s, a.stage)) return false;
  if (auto h = present(j, "history")) {
    if (h->type() != Type::ARRAY) return false;
    const sj::dom::array stages = h->get_array().value_unsafe();
    for (sj::dom::element s : stages)
      if (!read_stage(s, a.history.emplace_back())) return false;
  }
  if (auto q = present(j, "qualification")) {
    std::string_view s;
    if (!view(*q, s)) return false;
    if (s == "qualified")
      a.qualification = domain::Qualification::kQualified;
    else if (s == "not_qualified")
      a.qualification = domain::Qualification::kNotQualified;
    else if (s != "unknown")
      return false;
  }
  if (auto ans = present(j, "answers")) {
    sj::dom::object answers;
    if (!as_object(*ans, answers)) return false;
    for (sj::dom::key_value_pair kv : answers) {
      if (!target_groups.empty() &&
          std::find(target_groups.begin(), target_groups.end(), kv.key) == target_groups.end())
        return false;
      if (kv.value.type() == Type::NULL_VALUE) continue;
      std::string_view s;
      if (!view(kv.value, s)) return false;
      std::optional<domain::Answer> answer = domain::answer_from_string(s);
      if (!answer) return false;
      a.answers.emplace(std::string(kv.key), *answer);
    }
  }
  if (auto s = present(j, "score")) {
    switch (s->type()) {
      case Type::DOUBLE:
        a.score = s->get_double().value_unsafe();
        break;
      case Type::INT64:
        a.score = static_cast<double>(s->get_int64().value_unsafe());
        break;
      case Type::UINT64:
        a.score = static_cast<double>(s->get_uint64().value_unsafe());
        break;
      default:
        return false;
    }
  }
  if (auto r = present(j, "rank")) {
    // nlohmann reads a literal without sign, fraction or exponent as unsigned, simdjson as
    // INT64 when it fits: 1..kMaxRank is such a literal either way.
    std::uint64_t rank = 0;
    if (r->type() == Type::INT64) {
      const std::int64_t v = r->get_int64().value_unsafe();
      if (v < 1) return false;
      rank = static_cast<std::uint64_t>(v);
    } else if (r->type() == Type::UINT64) {
      rank = r->get_uint64().value_unsafe();
    } else {
      return false;
    }
    if (rank > kMaxRank) return false;
    a.rank = static_cast<int>(rank);
  }
  return true;
}

bool read_vacancy(sj::dom::element e, domain::Vacancy& v) {
  sj::dom::object j;
  if (!as_object(e, j) ||
      !only(j, {"id", "title", "department", "url", "job_types", "internal_only", "status",
                "deadline", "manager", "ad", "hire_justification_given"}))
    return false;
  std::optional<sj::dom::element> vid = member(j, "id");
  if (!vid || !read_id(*vid, v.id)) return false;
  if (!text_or(j, "title", v.title) || !text_or(j, "department", v.department) ||
      !text_or(j, "url", v.url))
    return false;
  if (auto t = present(j, "job_types")) {
    if (t->type() != Type::ARRAY) return false;
    const sj::dom::array types = t->get_array().value_unsafe();
    for (sj::dom::element s : types) {
      std::string_view type;
      if (!view(s, type)) return false;
      v.job_types.emplace_back(type);
    }
  }
  if (!flag(j, "internal_only", v.internal_only) ||
      !flag(j, "hire_justification_given", v.hire_justification_given))
    return false;
  std::string s;
  if (!text_or(j, "status", s)) return false;
  if (s == "closed")
    v.status = domain::VacancyStatus::kClosed;
  else if (!s.empty() && s != "open")
    return false;
  if (!text_or(j, "deadline", s)) return false;
  if (!s.empty()) {
    v.deadline = domain::Date::parse(s);
    if (!v.deadline) return false;
  }
  if (auto m = present(j, "manager")) {
    sj::dom::object mo;
    if (!as_object(*m, mo) || !only(mo, {"name", "email", "language"}) ||
        !text_or(mo, "name", v.manager.name) || !text_or(mo, "email", v.manager.email) ||
        !text_or(mo, "language", s))
      return false;
    v.manager.language = domain::language_from_culture(s);
  }
  if (auto a = present(j, "ad")) {
    sj::dom::object ao;
    domain::JobAd ad;
    if (!as_object(*a, ao) || !only(ao, {"language", "format", "body"}) ||
        !text_or(ao, "language", s))
      return false;
    ad.language = domain::language_from_culture(s);
    if (!text_or(ao, "body", ad.body) || !text_or(ao, "format", s)) return false;
    if (s == "text")
      ad.format = domain::AdFormat::kText;
    else if (!s.empty() && s != "html")
      return false;
    v.ad = std::move(ad);
  }
  return true;
}

bool read_event(sj::dom::element doc, const ParseOptions& options, Event& event) {
  std::size_t values = 0;
  sj::dom::object top;
  if (!within_limits(doc, 0, values, options.limits) || !as_object(doc, top) ||
      !only(top, {"event", "vacancy", "applications"}))
    return false;
  if (auto e = member(top, "event")) {
    sj::dom::object eo;
    if (!as_object(*e, eo) || !only(eo, {"id", "type"})) return false;
    if (auto i = member(eo, "id"); i && !read_id(*i, event.id)) return false;
    if (!text_or(eo, "type", event.type)) return false;
  }
  std::optional<sj::dom::element> v = member(top, "vacancy");
  if (!v || !read_vacancy(*v, event.snapshot.vacancy)) return false;
  if (auto apps = present(top, "applications")) {
    if (apps->type() != Type::ARRAY) return false;
    const sj::dom::array list = apps->get_array().value_unsafe();
    std::vector<domain::Application>& out = event.snapshot.applications;
    out.reserve(list.size());
    for (sj::dom::element a : list)
      if (!read_application(a, options.target_groups, out.emplace_back())) return false;
    // A candidate twice: the reference path refuses it, naming both places.
    std::vector<std::string_view> ids;
    ids.reserve(out.size());
    for (const domain::Application& a : out)
      ids.push_back(a.candidate_id);
    std::sort(ids.begin(), ids.end());
    if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) return false;
  }
  return true;
}

}  // namespace

namespace internal {

std::optional<Event> parse_event_fast(std::string_view body, const ParseOptions& options) {
  // \u escapes: nlohmann and simdjson differ on lone surrogates; such bodies are rare.
  if (body.size() > kFastMaxBytes || body.find("\\u") != std::string_view::npos)
    return std::nullopt;
  thread_local sj::dom::parser parser;
  sj::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != sj::SUCCESS) return std::nullopt;
  Event event;
  if (!read_event(doc, options, event)) return std::nullopt;
  return event;
}

bool same_event(const Event& a, const Event& b) {
  auto same_double = [](const std::optional<double>& x, const std::optional<double>& y) {
    if (x.has_value() != y.has_value()) return false;
    return !x || std::bit_cast<std::uint64_t>(*x) == std::bit_cast<std::uint64_t>(*y);
  };
  const domain::Vacancy& v = a.snapshot.vacancy;
  const domain::Vacancy& w = b.snapshot.vacancy;
  if (a.id != b.id || a.type != b.type || v.id != w.id || v.title != w.title ||
      v.department != w.department || v.url != w.url || v.job_types != w.job_types ||
      v.internal_only != w.internal_only || v.status != w.status || v.deadline != w.deadline ||
      v.manager.name != w.manager.name || v.manager.email != w.manager.email ||
      v.manager.language != w.manager.language ||
      v.hire_justification_given != w.hire_justification_given ||
      v.ad.has_value() != w.ad.has_value() ||
      (v.ad && (v.ad->body != w.ad->body || v.ad->format != w.ad->format ||
                v.ad->language != w.ad->language)) ||
      a.snapshot.answers_unavailable != b.snapshot.answers_unavailable ||
      a.snapshot.applications.size() != b.snapshot.applications.size())
    return false;
  for (std::size_t i = 0; i < a.snapshot.applications.size(); ++i) {
    const domain::Application& x = a.snapshot.applications[i];
    const domain::Application& y = b.snapshot.applications[i];
    if (x.candidate_id != y.candidate_id || x.stage != y.stage || x.history != y.history ||
        x.qualification != y.qualification || x.answers != y.answers ||
        !same_double(x.score, y.score) || x.rank != y.rank)
      return false;
  }
  return true;
}

}  // namespace internal

Result<Event> parse_event(std::string_view body, const ParseOptions& options) {
  if (std::optional<Event> event = internal::parse_event_fast(body, options))
    return std::move(*event);
  return internal::parse_event_reference(body, options);
}

}  // namespace mangfold::native
