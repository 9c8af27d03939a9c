// Candidate pseudonyms (DESIGN.md §4 rule 7; docs/privacy.md): an ATS candidate id is
// stored only as HMAC-SHA256(tenant key, tenant NUL vacancy id NUL candidate id), so the
// database, the logs and the API answers name no candidate, and the same person is a
// different pseudonym in every vacancy (no joins across vacancies). The keys live with
// the other secrets, outside the database.
//
// A pseudonym reads "<key id>.<32 hex digits>": the key id (8 hex digits of a SHA-256 of
// the key, which says nothing of the key) tells which key made it, so that rotation can
// be followed with `SELECT substr(candidate_id, 1, 8), count(*) FROM candidate_stages
// GROUP BY 1`.
//
// Immutable after make(); thread-safe to share.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/config/service_config.hpp"
#include "connector/domain/vacancy.hpp"
#include "connector/store/store.hpp"

namespace mangfold::app {

class Pseudonyms {
 public:
  // The shortest key accepted, in bytes of secret text.
  static constexpr std::size_t kMinKeyBytes = 32;

  // `key` makes pseudonyms; `previous` (older keys, newest first) are recognised.
  // kInvalidArgument when a key is shorter than kMinKeyBytes or two keys are the same.
  static Result<std::shared_ptr<const Pseudonyms>> make(std::string key,
                                                        std::vector<std::string> previous = {});

  std::string make_pseudonym(std::string_view tenant, std::string_view vacancy_id,
                             std::string_view candidate_id) const;
  // The pseudonyms the previous keys made of the same id, newest key first.
  std::vector<std::string> previous_pseudonyms(std::string_view tenant, std::string_view vacancy_id,
                                               std::string_view candidate_id) const;
  bool has_previous() const { return !previous_.empty(); }
  const std::string& key_id() const { return key_id_; }

 private:
  struct Key {
    std::string secret, id;
  };
  static std::string pseudonym(const Key& key, std::string_view tenant, std::string_view vacancy_id,
                               std::string_view candidate_id);
  Key key_;
  std::string key_id_;
  std::vector<Key> previous_;
};

// Reads a tenant's keys through its secret references. Errors name the reference (never
// a value) and say what is wrong.
Result<std::shared_ptr<const Pseudonyms>> load_pseudonyms(
    const config::PseudonymConfig& config, const config::ReadFile& read = config::read_file);

using PseudonymMap = std::map<std::string, std::shared_ptr<const Pseudonyms>, std::less<>>;

// Every tenant's keys. Errors name the tenant.
Result<PseudonymMap> load_all_pseudonyms(const config::ServiceConfig& config,
                                         const config::ReadFile& read = config::read_file);

// The store's hook for the migration that replaces kept ATS ids by pseudonyms
// (SqliteOptions::pseudonymize): a tenant missing from `keys` is an error naming it.
std::function<Result<std::string>(std::string_view, std::string_view, std::string_view)>
store_pseudonymizer(PseudonymMap keys);

// What pseudonymise changed in a stored vacancy: histories found under a previous key's
// pseudonym, now under the current one.
struct Rekeyed {
  std::vector<std::pair<std::string, std::string>> renamed;  // old pseudonym → new
};

// Replaces every application's candidate id in `snapshot` by its pseudonym. Where `prior`
// holds a candidate's history under a previous key's pseudonym, renames it in `prior` (so
// the merge finds it) and says so; finish_rekeying then moves it in the store.
Rekeyed pseudonymise(const Pseudonyms& pseudonyms, std::string_view tenant,
                     domain::Snapshot& snapshot, store::StoredVacancy& prior);

// Adds what `rekeyed` needs to `changes`: each renamed history under its new id (from
// `prior`, unless the plan already writes it) and the old id retired.
void finish_rekeying(const Rekeyed& rekeyed, const store::StoredVacancy& prior,
                     store::Changes& changes);

}  // namespace mangfold::app
