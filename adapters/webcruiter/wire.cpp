#include "adapters/webcruiter/wire.hpp"
#include "adapters/common/json_reader.hpp"
#include "adapters/common/json_wire.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace mangfold::webcruiter {

using nlohmann::json;

namespace {

using adapters::fail;
using adapters::MappingError;
using adapters::pointer_token;
const auto& type_name = adapters::json_type_name;

// Webcruiter spells keys in several styles (AdvertId, Culture_Id, apply_within_date,
// JOB_TYPE_COLLECTION) and JSON APIs often camel-case them: compare lower-case without '_'.
std::string normalize_key(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '_') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  return out;
}

// A member of an object found by its normalized name. `value` is nullptr when the key is
// absent or its value is null: optional fields may be either.
struct Field {
  const json* value = nullptr;
  std::string pointer;
  explicit operator bool() const { return value != nullptr; }
};

// `name` as Webcruiter spells it; a missing key is reported under that spelling.
Field field(const json& obj, std::string_view name, const std::string& at) {
  Field f;
  std::string found_key;
  const std::string wanted = normalize_key(name);
  for (const auto& [key, value] : obj.items()) {
    if (normalize_key(key) != wanted) continue;
    if (!found_key.empty())
      // Named by our spelling, not the sender's: the keys may sit inside an answer object.
      fail(at + "/" + std::string(name),
           "two keys here mean the same (" + std::string(name) + "); send one");
    found_key = key;
    f.pointer = at + "/" + pointer_token(key);
    if (!value.is_null()) f.value = &value;
  }
  if (found_key.empty()) f.pointer = at + "/" + std::string(name);
  return f;
}

const json& object(const json& j, const std::string& at) {
  if (!j.is_object()) fail(at, "expected an object, got " + type_name(j));
  return j;
}

std::string text(const Field& f) {
  if (!f) return {};
  if (!f.value->is_string()) fail(f.pointer, "expected a string, got " + type_name(*f.value));
  return f.value->get<std::string>();
}

// Ids arrive as numbers or strings; both become the same text.
std::string id(const json& j, const std::string& at) {
  std::string s;
  if (j.is_string())
    s = j.get<std::string>();
  else if (j.is_number_integer() || j.is_number_unsigned())
    s = j.dump();
  else
    fail(at, "expected an id (a string or a whole number), got " + type_name(j));
  if (s.empty()) fail(at, "the id is empty");
  if (s.size() > 200) fail(at, "the id is longer than 200 characters");
  if (std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
    fail(at, "the id contains control characters");
  return s;
}

std::string id(const Field& f) {
  return f ? id(*f.value, f.pointer) : std::string();
}

bool flag(const Field& f) {
  if (!f) return false;
  const json& v = *f.value;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer() || v.is_number_unsigned()) {
    if (v == 0 || v == 1) return v == 1;
  } else if (v.is_string()) {
    const std::string s = fold_answer(v.get<std::string>());
    if (s == "true" || s == "false") return s == "true";
  }
  fail(f.pointer, "expected true or false, got " + type_name(v));
}

// "2026-10-24", "2026-10-24T23:59:00", or Norwegian "24.10.2026".
std::optional<domain::Date> date(const Field& f) {
  std::string s = text(f);
  if (s.empty()) return std::nullopt;
  if (s.size() > 10 && (s[10] == 'T' || s[10] == ' ')) s.resize(10);
  if (s.size() == 10 && s[2] == '.' && s[5] == '.')
    s = s.substr(6, 4) + "-" + s.substr(3, 2) + "-" + s.substr(0, 2);
  if (auto d = domain::Date::parse(s)) return d;
  fail(f.pointer, "expected a date as YYYY-MM-DD");
}

// A Webcruiter collection: ["Fast", "Vikariat"], {"Item": "Fast"}, {"Item": [...]} or
// [{"Item": "Fast"}], the shapes an XML <wc:Item> list takes as JSON. Empty items are dropped.
void collect_items(const json& j, const std::string& at, std::vector<std::string>& out) {
  if (j.is_null()) return;
  if (j.is_string()) {
    if (!j.get_ref<const std::string&>().empty()) out.push_back(j.get<std::string>());
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i)
      collect_items(j[i], at + "/" + std::to_string(i), out);
  } else if (j.is_object()) {
    if (Field item = field(j, "Item", at)) collect_items(*item.value, item.pointer, out);
  } else {
    fail(at, "expected a list of strings, got " + type_name(j));
  }
}

struct ContactInfo {
  std::string name, title, email;
};

void collect_contacts(const json& j, const std::string& at, std::vector<ContactInfo>& out) {
  if (j.is_null()) return;
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i)
      collect_contacts(j[i], at + "/" + std::to_string(i), out);
    return;
  }
  object(j, at);
  if (Field inner = field(j, "Contact", at)) {
    collect_contacts(*inner.value, inner.pointer, out);
    return;
  }
  out.push_back(
      {text(field(j, "Name", at)), text(field(j, "Title", at)), text(field(j, "Email", at))});
}

domain::Contact manager_of(const std::vector<ContactInfo>& contacts, const Options& options) {
  if (contacts.empty()) return {};
  const ContactInfo* chosen = &contacts.front();
  if (!options.manager_titles.empty()) {
    for (const ContactInfo& c : contacts) {
      const std::string title = fold_answer(c.title);
      if (std::find(options.manager_titles.begin(), options.manager_titles.end(), title) !=
          options.manager_titles.end()) {
        chosen = &c;
        break;
      }
    }
  }
  domain::Contact m;
  m.name = chosen->name;
  // A malformed address (a trailing dot is common) stays empty: it is never mailed, and the
  // caller reports the vacancy as having no usable manager address.
  std::string email = chosen->email;
  while (!email.empty() && (email.front() == ' ' || email.front() == '\t'))
    email.erase(0, 1);
  while (!email.empty() && (email.back() == ' ' || email.back() == '\t'))
    email.pop_back();
  if (is_valid_email(email)) m.email = std::move(email);
  return m;
}

// The advert in the feed's vocabulary; vacancy.id is left to the caller.
domain::Vacancy advert(const json& a, const std::string& at, const Options& options) {
  object(a, at);
  domain::Vacancy v;
  v.title = text(field(a, "title", at));
  v.url = text(field(a, "link", at));
  v.department = text(field(a, "company_name", at));
  if (Field jt = field(a, "JOB_TYPE_COLLECTION", at))
    collect_items(*jt.value, jt.pointer, v.job_types);
  v.deadline = date(field(a, "apply_within_date", at));
  // Published on the intranet only: no public (web) publication date.
  v.internal_only = text(field(a, "WePubDateFrom", at)).empty() &&
                    !text(field(a, "IntranetPubDateFrom", at)).empty();
  v.status = flag(field(a, "IsClosed", at)) ? domain::VacancyStatus::kClosed
                                            : domain::VacancyStatus::kOpen;
  v.hire_justification_given = flag(field(a, "HireJustificationGiven", at));
  std::vector<ContactInfo> contacts;
  if (Field c = field(a, "CONTACTINFO", at)) collect_contacts(*c.value, c.pointer, contacts);
  v.manager = manager_of(contacts, options);
  if (Field body = field(a, "description", at)) {
    domain::JobAd ad;
    ad.body = text(body);
    ad.format = domain::AdFormat::kHtml;
    ad.language = domain::language_from_culture(text(field(a, "Culture_Id", at)));
    v.ad = std::move(ad);
  }
  return v;
}

StatusMapping status(const std::string& status_id, const std::string& at, const Options& options) {
  if (auto it = options.statuses.find(status_id); it != options.statuses.end()) return it->second;
  if (options.unknown_status) return *options.unknown_status;
  fail(at, "unknown CandidateStatusId " + status_id +
               ": map it in adapter_options.statuses, or set adapter_options.unknown_status");
}

// Answer values as folded text: "Ja", 1, true, ["1", "3"], {"Id": 1, "Text": "Ja"}.
// PRIVACY: an error points at the answer (`at`), never into it: keys and values inside
// an answer are the applicant's and never reach a message.
void answer_values(const json& j, const std::string& at, std::vector<std::string>& out,
                   int depth = 0) {
  if (j.is_null()) return;
  if (j.is_string()) {
    out.push_back(fold_answer(j.get<std::string>()));
  } else if (j.is_boolean()) {
    out.push_back(j.get<bool>() ? "true" : "false");
  } else if (j.is_number()) {
    out.push_back(j.dump());
  } else if ((j.is_array() || j.is_object()) && depth < 2) {
    for (const json& value : j)
      answer_values(value, at, out, depth + 1);
  } else {
    fail(at, "expected an answer (text, number, boolean or a list of them), got " + type_name(j));
  }
}

void apply_custom_data(const json& cd, const std::string& at, const Options& options,
                       domain::Application& application,
                       std::set<std::string, std::less<>>* seen = nullptr) {
  // Only configured questions are read at all: another question's answer is not even
  // looked at, so it cannot reach an error message.
  auto configured = [&options](std::string_view question) {
    return std::any_of(options.target_groups.begin(), options.target_groups.end(),
                       [&](const GroupMapping& g) { return g.question_id == question; });
  };
  std::map<std::string, std::vector<std::string>, std::less<>> by_question;
  if (cd.is_array()) {
    for (size_t i = 0; i < cd.size(); ++i) {
      const std::string p = at + "/" + std::to_string(i);
      object(cd[i], p);
      Field q = field(cd[i], "QuestionId", p);
      if (!q) fail(q.pointer, "missing required key");
      const std::string question = id(q);
      if (!configured(question)) continue;
      std::vector<std::string>& values = by_question[question];
      if (Field a = field(cd[i], "Answer", p)) answer_values(*a.value, a.pointer, values);
    }
  } else if (cd.is_object()) {
    if (Field inner = field(cd, "CustomData", at))
      return apply_custom_data(*inner.value, inner.pointer, options, application, seen);
    for (const auto& [question, answer] : cd.items())
      if (configured(question))
        answer_values(answer, at + "/" + pointer_token(question), by_question[question]);
  } else if (!cd.is_null()) {
    fail(at, "expected a list of {QuestionId, Answer}, got " + type_name(cd));
  }
  if (seen)
    for (const auto& [question, values] : by_question)
      seen->insert(question);
  // Only configured questions and answers count; anything else stays unknown (never inferred).
  for (const GroupMapping& g : options.target_groups) {
    auto it = by_question.find(g.question_id);
    if (it == by_question.end()) continue;
    bool yes = false, no = false;
    for (const std::string& v : it->second) {
      yes = yes || std::find(g.yes.begin(), g.yes.end(), v) != g.yes.end();
      no = no || std::find(g.no.begin(), g.no.end(), v) != g.no.end();
    }
    if (yes != no) application.answers[g.group] = yes ? domain::Answer::kYes : domain::Answer::kNo;
  }
}

Candidate candidate(const json& c, const std::string& at, const Options& options) {
  object(c, at);
  Candidate out;
  domain::Application& a = out.application;
  Field cid = field(c, "CandidateId", at);
  if (!cid) fail(cid.pointer, "missing required key");
  a.candidate_id = id(cid);
  out.advert_id = id(field(c, "AdvertId", at));

  std::vector<StatusMapping> path;  // history, oldest first, then the current status
  if (Field h = field(c, "StatusHistory", at)) {
    if (!h.value->is_array())
      fail(h.pointer, "expected an array of status ids, got " + type_name(*h.value));
    for (size_t i = 0; i < h.value->size(); ++i) {
      const json& entry = (*h.value)[i];
      const std::string p = h.pointer + "/" + std::to_string(i);
      Field sid{&entry, p};
      if (entry.is_object()) {
        sid = field(entry, "CandidateStatusId", p);
        if (!sid) fail(sid.pointer, "missing required key");
      }
      const StatusMapping m = status(id(sid), sid.pointer, options);
      a.history.push_back(m.stage);
      path.push_back(m);
    }
  }
  if (Field s = field(c, "CandidateStatusId", at)) {
    const StatusMapping m = status(id(s), s.pointer, options);
    a.stage = m.stage;
    path.push_back(m);
  }
  // The latest status that says anything about qualification decides it: a candidate found
  // qualified and then rejected without an interview stays qualified (and counts in Q).
  for (auto it = path.rbegin(); it != path.rend(); ++it)
    if (it->qualification != domain::Qualification::kUnknown) {
      a.qualification = it->qualification;
      break;
    }
  if (Field s = field(c, "Score", at)) {
    if (!s.value->is_number()) fail(s.pointer, "expected a number, got " + type_name(*s.value));
    a.score = s.value->get<double>();
  }
  if (Field r = field(c, "Rank", at)) {
    if (!r.value->is_number_integer() || r.value->get<long long>() < 1 ||
        r.value->get<long long>() > 1'000'000)
      fail(r.pointer, "expected a whole number from 1 (best)");
    a.rank = r.value->get<int>();
  }
  if (Field cd = field(c, "CustomData", at)) {
    out.has_custom_data = true;
    apply_custom_data(*cd.value, cd.pointer, options, a, &out.questions_seen);
  }
  return out;
}

// Within the tenant's input limits: depth, size, numbers in range, no key twice.
Result<json> parse_json(std::string_view body, const std::string& where, const Options& options) {
  return adapters::read_json(body, options.limits, where);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  return diff == 0;
}

}  // namespace

bool is_valid_email(std::string_view s) {
  if (s.size() < 3 || s.size() > 254) return false;
  const size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 ||
      s.find('@', at + 1) != std::string_view::npos)
    return false;
  const std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F ||
        std::string_view("<>()[]\\,;:\"").find(c) != std::string_view::npos)
      return false;
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  // The domain needs at least two labels, none empty: "example.org." and "example..org" fail.
  if (domain.find('.') == std::string_view::npos) return false;
  size_t start = 0;
  while (start <= domain.size()) {
    const size_t dot = std::min(domain.find('.', start), domain.size());
    const std::string_view label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      const auto u = static_cast<unsigned char>(c);
      const bool ok = u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    start = dot + 1;
  }
  return true;
}

Result<Event> parse_event(std::string_view body, const Options& options) {
  Result<json> parsed = parse_json(body, "", options);
  if (!parsed.ok()) return parsed.status();
  const json& doc = *parsed;
  try {
    object(doc, "");
    if (options.user_data) {
      // A static shared value Talentech can add to each hook: a second key next to the signature.
      Field u = field(doc, "UserData", "");
      if (!u || !u.value->is_string() ||
          !constant_time_equal(u.value->get_ref<const std::string&>(), *options.user_data))
        return unauthenticated("UserData is missing or does not match the tenant's user_data");
    }
    Event e;
    e.id = id(field(doc, "EventId", ""));
    e.type = text(field(doc, "EventType", ""));
    Field top_id = field(doc, "AdvertId", "");
    Field adv = field(doc, "Advert", "");
    Field cands = field(doc, "Candidates", "");
    e.advert_id = id(top_id);
    if (adv) {
      object(*adv.value, adv.pointer);
      Field inner_id = field(*adv.value, "AdvertId", adv.pointer);
      const std::string inner = id(inner_id);
      if (!inner.empty() && !e.advert_id.empty() && inner != e.advert_id)
        fail(inner_id.pointer, "differs from " + top_id.pointer);
      if (e.advert_id.empty()) e.advert_id = inner;
    }
    if (e.advert_id.empty())
      fail("/AdvertId", "missing required key (the advert's id, here or in Advert)");
    (void)id(field(doc, "CompanyId", ""));
    (void)id(field(doc, "CandidateId", ""));
    // A status the mapping does not know fails now rather than on the fetch that follows.
    if (Field s = field(doc, "CandidateStatusId", "")) (void)status(id(s), s.pointer, options);

    if (adv && cands) {
      domain::Snapshot snapshot;
      snapshot.vacancy = advert(*adv.value, adv.pointer, options);
      snapshot.vacancy.id = e.advert_id;
      if (!cands.value->is_array())
        fail(cands.pointer, "expected an array of candidates, got " + type_name(*cands.value));
      std::set<std::string, std::less<>> seen;
      snapshot.applications.reserve(cands.value->size());
      for (size_t i = 0; i < cands.value->size(); ++i) {
        const std::string p = cands.pointer + "/" + std::to_string(i);
        Candidate c = candidate((*cands.value)[i], p, options);
        if (!c.advert_id.empty() && c.advert_id != e.advert_id)
          fail(p + "/AdvertId", "differs from the event's AdvertId");
        if (!seen.insert(c.application.candidate_id).second)
          fail(p + "/CandidateId", "the same candidate appears twice");
        snapshot.applications.push_back(std::move(c.application));
      }
      e.snapshot = std::move(snapshot);
    } else if (!options.api) {
      fail("",
           "the event carries ids only (no Advert with Candidates) and adapter_options.api is not "
           "configured "
           "to fetch the rest");
    }
    return e;
  } catch (const MappingError& err) {
    return unprocessable(err.pointer + ": " + err.message);
  }
}

Result<domain::Vacancy> parse_advert_response(std::string_view body, const std::string& where,
                                              const Options& options) {
  Result<json> parsed = parse_json(body, where + ": ", options);
  if (!parsed.ok()) return unprocessable(parsed.status().message());
  try {
    const json* a = &object(*parsed, "");
    std::string at;
    if (Field inner = field(*a, "Advert", ""); inner && inner.value->is_object()) {
      a = inner.value;
      at = inner.pointer;
    }
    domain::Vacancy v = advert(*a, at, options);
    v.id = id(field(*a, "AdvertId", at));
    return v;
  } catch (const MappingError& err) {
    return unprocessable(where + ": " + err.pointer + ": " + err.message);
  }
}

Result<CandidatePage> parse_candidates_response(std::string_view body, const std::string& where,
                                                const Options& options) {
  Result<json> parsed = parse_json(body, where + ": ", options);
  if (!parsed.ok()) return unprocessable(parsed.status().message());
  try {
    const json& doc = *parsed;
    CandidatePage page;
    Field list{&doc, ""};
    if (doc.is_object()) {
      list = field(doc, "Candidates", "");
      if (!list) list = field(doc, "Items", "");
      if (!list) fail("/Candidates", "missing required key (the list of candidates)");
      if (Field next = field(doc, "NextPage", "")) page.next_page = text(next);
      auto number = [&](const char* key) -> std::optional<int> {
        Field f = field(doc, key, "");
        if (!f) return std::nullopt;
        if (!f.value->is_number_integer() || f.value->get<long long>() < 0 ||
            f.value->get<long long>() > 1'000'000)
          fail(f.pointer, "expected a whole number, got " + type_name(*f.value));
        return f.value->get<int>();
      };
      page.page = number("Page");
      page.total_pages = number("TotalPages");
    }
    if (!list.value->is_array())
      fail(list.pointer, "expected an array of candidates, got " + type_name(*list.value));
    for (size_t i = 0; i < list.value->size(); ++i)
      page.candidates.push_back(
          candidate((*list.value)[i], list.pointer + "/" + std::to_string(i), options));
    return page;
  } catch (const MappingError& err) {
    return unprocessable(where + ": " + err.pointer + ": " + err.message);
  }
}

namespace {

// The list of a list response and its paging; `keys` are the list's possible names.
const json& list_of(const json& doc, std::initializer_list<std::string_view> keys,
                    ListPaging& paging, std::string& pointer) {
  pointer.clear();
  if (!doc.is_object()) {
    if (!doc.is_array()) fail("", "expected an array or an object, got " + type_name(doc));
    return doc;
  }
  Field list;
  for (std::string_view k : keys)
    if ((list = field(doc, k, ""))) break;
  if (!list) fail("/" + std::string(*keys.begin()), "missing required key (the list)");
  if (!list.value->is_array())
    fail(list.pointer, "expected an array, got " + type_name(*list.value));
  if (Field next = field(doc, "NextPage", "")) paging.next_page = text(next);
  auto number = [&](const char* key) -> std::optional<int> {
    Field f = field(doc, key, "");
    if (!f) return std::nullopt;
    if (!f.value->is_number_integer() || f.value->get<long long>() < 0 ||
        f.value->get<long long>() > 1'000'000)
      fail(f.pointer, "expected a whole number, got " + type_name(*f.value));
    return f.value->get<int>();
  };
  paging.page = number("Page");
  paging.total_pages = number("TotalPages");
  pointer = list.pointer;
  return *list.value;
}

// The first of `names` that is present (and not null).
Field first_field(const json& obj, std::initializer_list<std::string_view> names,
                  const std::string& at) {
  for (std::string_view n : names)
    if (Field f = field(obj, n, at)) return f;
  return Field{};
}

}  // namespace

Result<HiredPage> parse_hired_response(std::string_view body, const std::string& where,
                                       const Options& options) {
  Result<json> parsed = parse_json(body, where + ": ", options);
  if (!parsed.ok()) return unprocessable(parsed.status().message());
  try {
    HiredPage page;
    std::string at;
    const json& list =
        list_of(*parsed, {"HiredCandidates", "Candidates", "Items"}, page.paging, at);
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string p = at + "/" + std::to_string(i);
      const json& h = object(list[i], p);
      Field candidate = first_field(h, {"CandidateId", "Id"}, p);
      if (!candidate) fail(p + "/CandidateId", "missing required key");
      Hire hire;
      hire.candidate_id = id(candidate);
      hire.advert_id =
          id(first_field(h, {"AdvertId", "ProcessId", "RecruitmentId", "ProjectId"}, p));
      if (hire.advert_id.empty()) {
        ++page.without_advert;
        continue;
      }
      page.hires.push_back(std::move(hire));
    }
    return page;
  } catch (const MappingError& err) {
    return unprocessable(where + ": " + err.pointer + ": " + err.message);
  }
}

Result<ProcessPage> parse_processes_response(std::string_view body, const std::string& where,
                                             const Options& options) {
  Result<json> parsed = parse_json(body, where + ": ", options);
  if (!parsed.ok()) return unprocessable(parsed.status().message());
  try {
    ProcessPage page;
    std::string at;
    const json& list = list_of(
        *parsed, {"Processes", "Projects", "Recruitments", "Adverts", "Items"}, page.paging, at);
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string p = at + "/" + std::to_string(i);
      const json& e = list[i];
      if (e.is_string() || e.is_number_integer() || e.is_number_unsigned()) {
        page.advert_ids.push_back(id(e, p));  // a bare list of ids
        continue;
      }
      object(e, p);
      Field f = first_field(e, {"AdvertId", "ProcessId", "RecruitmentId", "ProjectId", "Id"}, p);
      if (!f) fail(p + "/AdvertId", "missing required key");
      std::string advert = id(f);
      if (flag(field(e, "IsClosed", p))) continue;
      page.advert_ids.push_back(std::move(advert));
    }
    return page;
  } catch (const MappingError& err) {
    return unprocessable(where + ": " + err.pointer + ": " + err.message);
  }
}

Result<std::vector<StatusEntry>> parse_statuses_response(std::string_view body,
                                                         const std::string& where,
                                                         const Options& options) {
  Result<json> parsed = parse_json(body, where + ": ", options);
  if (!parsed.ok()) return unprocessable(parsed.status().message());
  try {
    ListPaging ignored;
    std::string at;
    const json& list = list_of(*parsed, {"Statuses", "CandidateStatuses", "Items"}, ignored, at);
    std::vector<StatusEntry> out;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string p = at + "/" + std::to_string(i);
      const json& e = object(list[i], p);
      Field f = first_field(e, {"CandidateStatusId", "Id"}, p);
      if (!f) fail(p + "/Id", "missing required key");
      StatusEntry entry{id(f), text(first_field(e, {"Name", "Description"}, p))};
      out.push_back(std::move(entry));
    }
    return out;
  } catch (const MappingError& err) {
    return unprocessable(where + ": " + err.pointer + ": " + err.message);
  }
}

Status parse_custom_data_response(std::string_view body, const std::string& where,
                                  const Options& options, domain::Application& application,
                                  std::set<std::string, std::less<>>* questions_seen) {
  Result<json> parsed = parse_json(body, where + ": ", options);
  if (!parsed.ok()) return unprocessable(parsed.status().message());
  try {
    apply_custom_data(*parsed, "", options, application, questions_seen);
    return {};
  } catch (const MappingError& err) {
    return unprocessable(where + ": " + err.pointer + ": " + err.message);
  }
}

}  // namespace mangfold::webcruiter
