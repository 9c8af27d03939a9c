#include "adapters/native/snapshot_json.hpp"

#include "adapters/common/json_reader.hpp"
#include "adapters/common/json_wire.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>

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

Result<Event> parse_event(std::string_view body, const ParseOptions& options) {
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

}  // namespace mangfold::native
