// The attacker of DESIGN.md §4 rule 7, written against the schema, not the store's code.
//
// It holds what an auditor with read access would hold — the SQLite file (and its WAL),
// the service's logs and every HTTP answer the service gave — plus a list of the people
// who applied (their ATS candidate ids, names and emails), but not the ATS and not the
// connector's secrets. It tries to link a person to a self-declared answer:
//   - finding the person in what is kept: the id, name or email as stored, or as an
//     unkeyed digest of it (alone or with the tenant and vacancy), anywhere in the file's
//     bytes, the logs or the answers;
//   - single-member and all-or-none cells: a vacancy's current counts against its stored
//     candidate rows (e.g. one invitee and invited_in_group = 1; all applicants in the group);
//   - differencing consecutive rows of a verdict log: assuming ATS ids rise with the time
//     of application, the applicants added between two rows are known, and the change in
//     in_group gives them away when it is 0 or all of them;
//   - joining candidate rows across vacancies (the same stored id in two vacancies is the
//     same person) and across tables (stored counts, API counts, stored rows).
// A link is a claim "person X's answer for group G is yes / is not yes". Claims are made
// only where the evidence entails them, so every claim the test sees is a true one.
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/webhook/codec.hpp"

namespace mangfold::privacy_attack {

struct Person {
  std::string tenant, vacancy_id;  // where they applied (the test's truth; not used to link)
  std::string candidate_id, name, email;
};

struct Evidence {
  std::string database;                        // the SQLite file; its -wal is read too when present
  std::vector<std::string> texts;              // log contents and HTTP answer bodies
  std::vector<std::string> vacancies_answers;  // bodies of GET …/vacancies, per tenant
};

struct Finding {
  std::string identifier;  // the candidate id, name or email found
  std::string where;       // what gave it away
};

struct Link {
  std::string candidate_id;  // the person, by the id the test knows them by
  std::string group;
  bool yes = false;  // true: in the group; false: not in the group (no or unknown)
  std::string how;
};

struct Result {
  std::vector<Finding> named;  // identifiers found in what is kept or answered
  std::vector<Link> links;     // answers linked to a named person
};

namespace detail {

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The forms a careless store might keep an identifier in.
inline std::vector<std::string> disguises(const Person& p, const std::string& value) {
  std::vector<std::string> out = {value};
  for (const std::string& input :
       {value, p.vacancy_id + ":" + value, p.tenant + ":" + p.vacancy_id + ":" + value,
        p.tenant + ":" + value, p.vacancy_id + std::string(1, '\0') + value,
        p.tenant + std::string(1, '\0') + p.vacancy_id + std::string(1, '\0') + value}) {
    const std::string hex = webhook::sha256_hex(input);
    out.push_back(hex);
    out.push_back(hex.substr(0, 32));
    out.push_back(hex.substr(0, 16));
  }
  return out;
}

struct Row {
  std::string tenant, vacancy_id, stored_id;
  std::set<std::string> stages;
};

struct Cells {
  std::optional<long long> applicants, in_group, unknown_answer, invited, invited_in_group, hired,
      hired_in_group;
};

struct Observation {
  std::string tenant, vacancy_id, group;
  Cells cells;
};

inline std::optional<long long> number(const nlohmann::json& counts, const char* key) {
  if (!counts.is_object()) return std::nullopt;
  auto it = counts.find(key);
  if (it == counts.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<long long>();
}

inline void read_rules(const std::string& tenant, const std::string& vacancy,
                       const nlohmann::json& rules, std::vector<Observation>& out) {
  if (!rules.is_array()) return;
  for (const auto& r : rules) {
    if (!r.is_object() || !r.contains("counts")) continue;
    const std::string group = r.value("group", "");
    if (group.empty()) continue;
    const nlohmann::json& c = r["counts"];
    Observation o{tenant, vacancy, group, {}};
    o.cells.applicants = number(c, "applicants");
    o.cells.in_group = number(c, "in_group");
    o.cells.unknown_answer = number(c, "unknown_answer");
    o.cells.invited = number(c, "invited");
    o.cells.invited_in_group = number(c, "invited_in_group");
    o.cells.hired = number(c, "hired");
    o.cells.hired_in_group = number(c, "hired_in_group");
    out.push_back(o);
  }
}

class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db_);
      db_ = nullptr;
    }
  }
  ~Db() { sqlite3_close(db_); }
  bool ok() const { return db_ != nullptr; }
  bool has_column(const std::string& table, const std::string& column) {
    bool found = false;
    each("SELECT name FROM pragma_table_info('" + table + "')",
         [&](sqlite3_stmt* st) { found = found || text(st, 0) == column; });
    return found;
  }
  std::vector<std::string> tables() {
    std::vector<std::string> out;
    each("SELECT name FROM sqlite_schema WHERE type = 'table'",
         [&](sqlite3_stmt* st) { out.push_back(text(st, 0)); });
    return out;
  }
  template <typename F>
  void each(const std::string& sql, F&& f) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return;
    while (sqlite3_step(st) == SQLITE_ROW)
      f(st);
    sqlite3_finalize(st);
  }
  static std::string text(sqlite3_stmt* st, int i) {
    const unsigned char* t = sqlite3_column_text(st, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }

 private:
  sqlite3* db_ = nullptr;
};

inline bool reaches_interview(const std::set<std::string>& stages) {
  for (const char* s : {"interview", "interviewed", "recommended", "offered", "hired"})
    if (stages.count(s)) return true;
  return false;
}

// ATS ids in the order they were issued: numbers by value, then text.
inline bool issued_before(const std::string& a, const std::string& b) {
  auto digits = [](const std::string& s) {
    std::string d;
    for (char c : s)
      if (c >= '0' && c <= '9') d += c;
    return d;
  };
  const std::string da = digits(a), db = digits(b);
  if (da.size() != db.size()) return da.size() < db.size();
  if (da != db) return da < db;
  return a < b;
}

}  // namespace detail

inline Result attack(const Evidence& evidence, const std::vector<Person>& people) {
  using namespace detail;
  Result result;

  // 1. Who is named anywhere: raw bytes of the file and its WAL, logs, answers.
  std::vector<std::pair<std::string, std::string>> haystacks = {
      {"database file", read_bytes(evidence.database)},
      {"database WAL", read_bytes(evidence.database + "-wal")}};
  for (const std::string& t : evidence.texts)
    haystacks.push_back({"log or HTTP answer", t});
  for (const std::string& t : evidence.vacancies_answers)
    haystacks.push_back({"GET …/vacancies", t});
  // stored id → the person it names
  std::map<std::string, const Person*> named_by_form;
  for (const Person& p : people)
    for (const std::string* value : {&p.candidate_id, &p.name, &p.email}) {
      if (value->empty()) continue;
      for (const std::string& form : disguises(p, *value)) {
        if (value == &p.candidate_id) named_by_form[form] = &p;
        for (const auto& [where, hay] : haystacks)
          if (hay.find(form) != std::string::npos) {
            result.named.push_back({*value, where + (form == *value ? "" : " (as a digest)")});
            break;
          }
      }
    }

  // 2. What the database keeps, read as its schema says.
  Db db(evidence.database);
  if (!db.ok()) return result;
  std::vector<Row> rows;
  if (db.has_column("candidate_stages", "candidate_id"))
    db.each("SELECT tenant, vacancy_id, candidate_id, stages FROM candidate_stages",
            [&](sqlite3_stmt* st) {
              Row r{Db::text(st, 0), Db::text(st, 1), Db::text(st, 2), {}};
              std::stringstream s(Db::text(st, 3));
              for (std::string stage; std::getline(s, stage, ',');)
                r.stages.insert(stage);
              rows.push_back(std::move(r));
            });
  // The current figures: a table of them if there is one, else the newest log row, and
  // the API's answer (suppressed cells are null and say nothing).
  std::vector<Observation> current;
  std::map<std::pair<std::string, std::string>, std::vector<std::vector<Observation>>> logs;
  const bool log_has_counts = db.has_column("verdicts", "rules");
  if (log_has_counts)
    db.each("SELECT tenant, vacancy_id, rules FROM verdicts ORDER BY id", [&](sqlite3_stmt* st) {
      std::vector<Observation> obs;
      read_rules(Db::text(st, 0), Db::text(st, 1),
                 nlohmann::json::parse(Db::text(st, 2), nullptr, false), obs);
      logs[{Db::text(st, 0), Db::text(st, 1)}].push_back(std::move(obs));
    });
  for (const std::string& table : db.tables()) {
    if (table == "verdicts" || !db.has_column(table, "rules")) continue;
    db.each("SELECT tenant, vacancy_id, rules FROM " + table, [&](sqlite3_stmt* st) {
      read_rules(Db::text(st, 0), Db::text(st, 1),
                 nlohmann::json::parse(Db::text(st, 2), nullptr, false), current);
    });
  }
  // Emails kept in an outbox carry the counts they told the manager.
  if (db.has_column("outbox", "payload"))
    db.each("SELECT tenant, vacancy_id, payload FROM outbox", [&](sqlite3_stmt* st) {
      const nlohmann::json p = nlohmann::json::parse(Db::text(st, 2), nullptr, false);
      if (!p.is_object() || !p.contains("counts")) return;
      const std::string group =
          p.contains("rule") && p["rule"].is_object() ? p["rule"].value("group", "") : "";
      Observation o{Db::text(st, 0), Db::text(st, 1), group, {}};
      o.cells.invited = number(p["counts"], "invited");
      o.cells.invited_in_group = number(p["counts"], "invited_in_group");
      if (!o.group.empty()) current.push_back(o);
    });
  for (const auto& [key, entries] : logs)
    if (!entries.empty())
      current.insert(current.end(), entries.back().begin(), entries.back().end());
  for (const std::string& body : evidence.vacancies_answers) {
    const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains("vacancies")) continue;
    for (const auto& v : j["vacancies"])
      if (v.is_object() && v.contains("verdict") && v["verdict"].is_object())
        read_rules(j.value("tenant", ""), v.value("vacancy_id", ""), v["verdict"]["rules"],
                   current);
  }

  // 3. Deductions, per stored row: stored id → group → yes.
  std::map<std::pair<std::string, std::string>, std::pair<bool, std::string>> facts;
  auto claim = [&](const Row& r, const std::string& group, bool yes, const std::string& how) {
    facts.emplace(std::make_pair(r.stored_id, group), std::make_pair(yes, how));
  };
  // A cell whose members are all in the group, or none of them (no or unknown).
  auto cell = [&](const std::vector<const Row*>& members, std::optional<long long> total,
                  std::optional<long long> in_group, const std::string& group,
                  const std::string& how) {
    if (!total || !in_group || members.empty()) return;
    if (static_cast<long long>(members.size()) != *total) return;  // not the counted set
    if (*in_group == *total || *in_group == 0)
      for (const Row* r : members)
        claim(*r, group, *in_group == *total, how);
  };
  for (const Observation& o : current) {
    std::vector<const Row*> all, invited, hired;
    for (const Row& r : rows) {
      if (r.tenant != o.tenant || r.vacancy_id != o.vacancy_id) continue;
      all.push_back(&r);
      if (reaches_interview(r.stages)) invited.push_back(&r);
      if (r.stages.count("hired")) hired.push_back(&r);
    }
    cell(all, o.cells.applicants, o.cells.in_group, o.group, "all applicants in one cell");
    cell(invited, o.cells.invited, o.cells.invited_in_group, o.group, "all invitees in one cell");
    cell(hired, o.cells.hired, o.cells.hired_in_group, o.group, "all hires in one cell");
  }
  for (const auto& [key, entries] : logs) {
    std::vector<const Row*> ordered;
    for (const Row& r : rows)
      if (r.tenant == key.first && r.vacancy_id == key.second) ordered.push_back(&r);
    std::sort(ordered.begin(), ordered.end(),
              [](const Row* a, const Row* b) { return issued_before(a->stored_id, b->stored_id); });
    std::map<std::string, std::pair<long long, long long>> previous;  // group → applicants, yes
    for (const std::vector<Observation>& entry : entries)
      for (const Observation& o : entry) {
        if (!o.cells.applicants || !o.cells.in_group) continue;
        const long long a = *o.cells.applicants, g = *o.cells.in_group;
        const auto [a0, g0] =
            previous.count(o.group) ? previous[o.group] : std::make_pair(0LL, 0LL);
        previous[o.group] = {a, g};
        if (a <= a0 || a > static_cast<long long>(ordered.size())) continue;
        const long long added = a - a0, gained = g - g0;
        if (gained != 0 && gained != added) continue;
        for (long long i = a0; i < a; ++i)
          claim(*ordered[static_cast<std::size_t>(i)], o.group, gained == added,
                "differencing consecutive verdict log rows");
      }
  }
  // Joins across vacancies: the same stored id is the same person.
  for (const Row& r : rows)
    for (const Row& other : rows)
      if (&r != &other && r.stored_id == other.stored_id)
        for (const auto& [k, v] : std::map(facts))
          if (k.first == r.stored_id) claim(other, k.second, v.first, v.second + ", joined");

  // 4. Links: a deduced row that names a person.
  for (const auto& [k, v] : facts) {
    auto person = named_by_form.find(k.first);
    if (person == named_by_form.end()) continue;
    result.links.push_back({person->second->candidate_id, k.second, v.first, v.second});
  }
  return result;
}

}  // namespace mangfold::privacy_attack
