#include "adapters/generic/evaluator.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <map>

#include "adapters/generic/json_path.hpp"
#include "adapters/generic/values.hpp"
#include "connector/webhook/codec.hpp"

namespace mangfold::generic {

namespace {

std::string trimmed_lower(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
  return out;
}

std::string mapping_note(const Expr& e) {
  return " (mapping: " + e.path + ")";
}

bool covers(const std::vector<std::string>& prefixes, const std::string& path) {
  for (const std::string& p : prefixes)
    if (path == p || p.empty() ||
        (path.size() > p.size() && path.compare(0, p.size(), p) == 0 && path[p.size()] == '/'))
      return true;
  return false;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  return webhook::hex_encode(std::string_view(reinterpret_cast<const char*>(md), len));
}

Evaluator::Evaluator(const Json& root, const domain::InboundRequest* request,
                     const std::vector<std::string>* covered)
    : root_(root), request_(request), covered_(covered) {}

void Evaluator::fail(StatusCode code, const std::string& where, const std::string& message) {
  if (failed()) return;
  status_ = Status(code, (where.empty() ? std::string("/") : where) + ": " + message);
}

const Json* Evaluator::read(const Scope& scope, const Pointer& p, std::string& where) {
  where = extend(p.from_root ? std::string() : scope.path, p);
  if (covered_ && !covers(*covered_, where)) {
    fail(
        StatusCode::kUnauthenticated, where,
        "outside the part of the body the signature covers; the mapping may only read signed data");
    return nullptr;
  }
  const Json* j = resolve(p.from_root ? root_ : *scope.node, p);
  return j && !j->is_null() ? j : nullptr;
}

Evaluator::SameAs Evaluator::same_as_values(const std::vector<Condition>& conditions,
                                            const Scope& outer) {
  SameAs values(conditions.size());
  for (std::size_t i = 0; i < conditions.size() && !failed(); ++i) {
    if (conditions[i].op != Condition::Op::kSameAs) continue;
    if (std::optional<Got> got = eval(*conditions[i].other, outer))
      values[i] = std::move(got->value);
  }
  return values;
}

bool Evaluator::matches(const std::vector<Condition>& conditions, const Scope& element,
                        const Scope& outer) {
  const SameAs same_as = same_as_values(conditions, outer);
  return !failed() && test(conditions, element, same_as);
}

bool Evaluator::test(const std::vector<Condition>& conditions, const Scope& element,
                     const SameAs& same_as) {
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    const Condition& c = conditions[i];
    std::string where;
    const Json* target = read(element, c.key, where);
    if (failed()) return false;
    auto equals_any = [&](const std::vector<Json>& literals) {
      if (!target) return false;
      auto one = [&](const Json& v) {
        std::optional<std::string> text = scalar_text(v);
        if (!text) return false;
        return std::any_of(literals.begin(), literals.end(),
                           [&](const Json& l) { return scalar_text(l) == text; });
      };
      // A list matches when any of its items does (e.g. roles: [Recruiter, Hiring Manager]).
      if (target->is_array()) return std::any_of(target->begin(), target->end(), one);
      return one(*target);
    };
    bool ok = false;
    switch (c.op) {
      case Condition::Op::kAnyOf:
        ok = equals_any(c.literals);
        break;
      case Condition::Op::kNoneOf:
        ok = !equals_any(c.literals);
        break;
      case Condition::Op::kPresent:
        ok = target != nullptr;
        break;
      case Condition::Op::kAbsent:
        ok = target == nullptr;
        break;
      case Condition::Op::kSameAs:
        ok = same_as[i] && equals_any({*same_as[i]});
        break;
    }
    if (!ok) return false;
  }
  return true;
}

std::optional<Evaluator::Got> Evaluator::render(const Expr& e, const Scope& scope) {
  std::string out;
  for (const TemplatePart& part : e.tmpl.parts) {
    switch (part.kind) {
      case TemplatePart::Kind::kText:
        out += part.text;
        break;
      case TemplatePart::Kind::kPointer: {
        std::string where;
        const Json* j = read(scope, part.pointer, where);
        if (!j) return std::nullopt;
        std::optional<std::string> text = scalar_text(*j);
        if (!text) {
          fail(StatusCode::kUnprocessable, where,
               "expected text for the template" + mapping_note(e));
          return std::nullopt;
        }
        out += *text;
        break;
      }
      case TemplatePart::Kind::kHeader: {
        std::optional<std::string_view> h = request_ ? request_->header(part.text) : std::nullopt;
        if (!h) return std::nullopt;
        out += *h;
        break;
      }
      default:
        return std::nullopt;  // the loader allows no other placeholder here
    }
  }
  return Got{Json(out), "template " + e.path};
}

std::optional<Evaluator::Got> Evaluator::source(const Expr& e, const Scope& scope) {
  switch (e.source) {
    case Expr::Source::kPointer: {
      std::string where;
      const Json* j = read(scope, e.pointer, where);
      if (!j) return std::nullopt;
      return Got{*j, where};
    }
    case Expr::Source::kHeader: {
      std::optional<std::string_view> h = request_ ? request_->header(e.header) : std::nullopt;
      if (!h) return std::nullopt;
      return Got{Json(std::string(*h)), "header " + e.header};
    }
    case Expr::Source::kValue:
      if (e.value.is_null()) return std::nullopt;
      return Got{e.value, "fixed value " + e.path};
    case Expr::Source::kBodyDigest:
      if (!request_) return std::nullopt;
      return Got{Json(sha256_hex(request_->body)), "body digest"};
    case Expr::Source::kTemplate:
      return render(e, scope);
    case Expr::Source::kFirstOf:
      for (const Expr& alt : e.alternatives) {
        std::optional<Got> got = eval(alt, scope);
        if (failed()) return std::nullopt;
        if (got) return got;
      }
      return std::nullopt;
    case Expr::Source::kFind:
    case Expr::Source::kEach: {
      std::string where;
      const Json* list = read(scope, e.pointer, where);
      if (!list) return std::nullopt;
      const SameAs same_as = same_as_values(e.where, scope);
      if (failed()) return std::nullopt;
      if (list->is_object()) {
        // One object where a list was expected: treat it as a list of one.
        Scope element{list, where};
        if (!test(e.where, element, same_as)) return std::nullopt;
        std::optional<Got> got = e.get ? eval(*e.get, element) : Got{*list, where};
        if (!got || e.source == Expr::Source::kFind) return got;
        return Got{Json::array({got->value}), where};
      }
      if (!list->is_array()) {
        fail(StatusCode::kUnprocessable, where, "expected a list to search" + mapping_note(e));
        return std::nullopt;
      }
      Json all = Json::array();
      for (std::size_t i = 0; i < list->size(); ++i) {
        Scope element{&(*list)[i], extend(where, i)};
        if (!test(e.where, element, same_as)) {
          if (failed()) return std::nullopt;
          continue;
        }
        std::optional<Got> got = e.get ? eval(*e.get, element) : Got{(*list)[i], element.path};
        if (failed()) return std::nullopt;
        if (e.source == Expr::Source::kFind) return got;
        if (got) all.push_back(std::move(got->value));
      }
      if (e.source == Expr::Source::kFind) return std::nullopt;
      return Got{std::move(all), where};
    }
  }
  return std::nullopt;
}

std::optional<Evaluator::Got> Evaluator::apply_map(const Expr& e, Got got) {
  // Exact match first, then ignoring case and surrounding blanks ("Ja", "ja ").
  auto lookup = [&](const Json& v, bool& found) -> Json {
    found = false;
    std::optional<std::string> key = scalar_text(v);
    if (!key) return nullptr;
    for (const auto& [k, out] : e.map)
      if (k == *key) {
        found = true;
        return out;
      }
    const std::string loose = trimmed_lower(*key);
    for (const auto& [k, out] : e.map)
      if (trimmed_lower(k) == loose) {
        found = true;
        return out;
      }
    if (e.otherwise) {
      found = true;
      return *e.otherwise;
    }
    return nullptr;
  };
  if (got.value.is_array()) {
    Json out = Json::array();
    for (std::size_t i = 0; i < got.value.size(); ++i) {
      bool found = false;
      Json mapped = lookup(got.value[i], found);
      if (!found) {
        fail(StatusCode::kUnprocessable, got.where,
             "item " + std::to_string(i) + " is not in the map" + mapping_note(e));
        return std::nullopt;
      }
      if (!mapped.is_null()) out.push_back(std::move(mapped));
    }
    got.value = std::move(out);
    return got;
  }
  if (got.value.is_object()) {
    fail(StatusCode::kUnprocessable, got.where,
         "expected a value to look up in the map, got an object" + mapping_note(e));
    return std::nullopt;
  }
  bool found = false;
  Json mapped = lookup(got.value, found);
  if (!found) {
    fail(StatusCode::kUnprocessable, got.where, "the value is not in the map" + mapping_note(e));
    return std::nullopt;
  }
  if (mapped.is_null()) return std::nullopt;
  got.value = std::move(mapped);
  return got;
}

std::optional<Evaluator::Got> Evaluator::eval(const Expr& e, const Scope& scope) {
  if (failed()) return std::nullopt;
  std::optional<Got> got;
  if (e.when.empty() || matches(e.when, scope, scope)) got = source(e, scope);
  if (failed()) return std::nullopt;
  if (got && e.has_map) got = apply_map(e, std::move(*got));
  if (failed()) return std::nullopt;
  if (!got && e.default_value && !e.default_value->is_null())
    got = Got{*e.default_value, "default of " + e.path};
  return got;
}

std::optional<Json> Evaluator::field(const Expr& e, const Scope& scope) {
  std::optional<Got> got = eval(e, scope);
  if (failed()) return std::nullopt;
  if (!got) {
    if (e.required) {
      std::string where = e.path;
      if (e.source == Expr::Source::kPointer || e.source == Expr::Source::kFind ||
          e.source == Expr::Source::kEach)
        where = extend(e.pointer.from_root ? std::string() : scope.path, e.pointer);
      else if (e.source == Expr::Source::kHeader)
        where = "header " + e.header;
      fail(StatusCode::kUnprocessable, where, "missing" + mapping_note(e));
    }
    return std::nullopt;
  }
  std::string problem;
  std::optional<Json> value = coerce(e.kind, got->value, problem);
  if (!value) fail(StatusCode::kUnprocessable, got->where, problem + mapping_note(e));
  return value;
}

namespace {

// Reads one optional field into `out` through `convert`, when the mapping has it.
template <class T, class F>
void assign(Evaluator& ev, const std::optional<Expr>& e, const Evaluator::Scope& s, T& out,
            F convert) {
  if (!e) return;
  if (std::optional<Json> v = ev.field(*e, s)) out = convert(*v);
}

std::string text(const Json& j) {
  return j.get<std::string>();
}

std::vector<std::string> texts(const Json& j) {
  std::vector<std::string> out;
  for (const Json& item : j)
    out.push_back(item.get<std::string>());
  return out;
}

// Ids are marked required by the loader, so no value is an error here.
std::optional<std::string> required_id(Evaluator& ev, const Expr& e, const Evaluator::Scope& s) {
  std::optional<Json> v = ev.field(e, s);
  if (!v) return std::nullopt;
  return v->get<std::string>();
}

}  // namespace

Result<domain::Snapshot> map_snapshot(const SnapshotMapping& m, Evaluator& ev,
                                      std::vector<Evaluator::Scope>* elements_out) {
  domain::Snapshot snap;
  domain::Vacancy& v = snap.vacancy;
  const Evaluator::Scope root = ev.root();
  const VacancyMapping& vm = m.vacancy;
  if (auto id = required_id(ev, vm.id, root)) v.id = *id;
  assign(ev, vm.title, root, v.title, text);
  assign(ev, vm.department, root, v.department, text);
  assign(ev, vm.url, root, v.url, text);
  assign(ev, vm.job_types, root, v.job_types, texts);
  assign(ev, vm.internal_only, root, v.internal_only, [](const Json& j) { return j.get<bool>(); });
  assign(ev, vm.hire_justification_given, root, v.hire_justification_given,
         [](const Json& j) { return j.get<bool>(); });
  assign(ev, vm.status, root, v.status, [](const Json& j) {
    return j == "closed" ? domain::VacancyStatus::kClosed : domain::VacancyStatus::kOpen;
  });
  assign(ev, vm.deadline, root, v.deadline,
         [](const Json& j) { return domain::Date::parse(j.get<std::string>()); });
  assign(ev, vm.manager.name, root, v.manager.name, text);
  assign(ev, vm.manager.email, root, v.manager.email, text);
  if (vm.ad) {
    if (std::optional<Json> body = ev.field(vm.ad->body, root)) {
      domain::JobAd ad;
      ad.body = body->get<std::string>();
      assign(ev, vm.ad->format, root, ad.format, [](const Json& j) {
        return j == "text" ? domain::AdFormat::kText : domain::AdFormat::kHtml;
      });
      assign(ev, vm.ad->language, root, ad.language,
             [](const Json& j) { return domain::language_from_culture(j.get<std::string>()); });
      v.ad = std::move(ad);
    }
  }
  if (m.applications && !ev.failed()) {
    const ApplicationsMapping& am = *m.applications;
    Expr list;
    list.pointer = am.each;
    list.path = am.path + ".each";
    list.required = true;
    std::optional<Evaluator::Got> got = ev.eval(list, root);
    if (!got && !ev.failed())
      ev.fail(StatusCode::kUnprocessable, extend("", am.each),
              "missing (mapping: " + list.path + ")");
    std::vector<Evaluator::Scope> elements;
    if (got && got->value.is_object()) {
      elements.push_back({&got->value, got->where});
    } else if (got && got->value.is_array()) {
      for (std::size_t i = 0; i < got->value.size(); ++i)
        elements.push_back({&got->value[i], extend(got->where, i)});
    } else if (got) {
      ev.fail(StatusCode::kUnprocessable, got->where,
              "expected a list of applications (mapping: " + list.path + ")");
    }
    // A candidate twice would be counted twice: refused, naming both places.
    std::map<std::string, std::string, std::less<>> first_at;
    for (const Evaluator::Scope& element : elements) {
      if (ev.failed()) break;
      if (!ev.matches(am.where, element, root)) continue;
      domain::Application a;
      if (auto id = required_id(ev, am.candidate_id, element)) {
        a.candidate_id = *id;
        if (auto [it, fresh] = first_at.emplace(*id, element.path); !fresh) {
          ev.fail(StatusCode::kUnprocessable, element.path,
                  "the same candidate as " + (it->second.empty() ? "/" : it->second) +
                      " (each candidate once; mapping: " + am.path + ".candidate_id)");
          break;
        }
      }
      assign(ev, am.stage, element, a.stage,
             [](const Json& j) { return *domain::stage_from_string(j.get<std::string>()); });
      assign(ev, am.history, element, a.history, [](const Json& j) {
        std::vector<domain::Stage> out;
        for (const Json& s : j)
          out.push_back(*domain::stage_from_string(s.get<std::string>()));
        return out;
      });
      assign(ev, am.qualification, element, a.qualification, [](const Json& j) {
        return j == "qualified"       ? domain::Qualification::kQualified
               : j == "not_qualified" ? domain::Qualification::kNotQualified
                                      : domain::Qualification::kUnknown;
      });
      if (am.score) {
        if (std::optional<Json> s = ev.field(*am.score, element)) a.score = s->get<double>();
      }
      if (am.rank) {
        if (std::optional<Json> r = ev.field(*am.rank, element)) a.rank = r->get<int>();
      }
      for (const auto& [group, e] : am.answers) {
        // An answer with no value is simply not there: unknown, never in the group.
        if (std::optional<Json> ans = ev.field(e, element))
          a.answers.insert_or_assign(group, *domain::answer_from_string(ans->get<std::string>()));
      }
      snap.applications.push_back(std::move(a));
      if (elements_out) elements_out->push_back(element);
    }
  }
  if (ev.failed()) return ev.status();
  return snap;
}

}  // namespace mangfold::generic
