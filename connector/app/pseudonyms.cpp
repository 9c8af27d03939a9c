#include "connector/app/pseudonyms.hpp"

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "connector/common/codec.hpp"

namespace mangfold::app {

namespace {

std::string key_id_of(std::string_view secret) {
  return codec::sha256_hex("mangfold candidate pseudonym key id\n" + std::string(secret))
      .substr(0, 8);
}

}  // namespace

Result<std::shared_ptr<const Pseudonyms>> Pseudonyms::make(std::string key,
                                                           std::vector<std::string> previous) {
  auto out = std::shared_ptr<Pseudonyms>(new Pseudonyms());
  auto check = [](const std::string& k, const std::string& what) -> Status {
    if (k.size() < kMinKeyBytes)
      return invalid_argument(what + " is shorter than " + std::to_string(kMinKeyBytes) +
                              " characters (scripts/dev-secrets shows one way to make one)");
    return Status{};
  };
  if (Status s = check(key, "the pseudonym key"); !s) return s;
  out->key_ = {key, key_id_of(key)};
  out->key_id_ = out->key_.id;
  for (std::size_t i = 0; i < previous.size(); ++i) {
    const std::string what = "previous_keys[" + std::to_string(i) + "]";
    if (Status s = check(previous[i], what); !s) return s;
    if (previous[i] == key) return invalid_argument(what + " is the same as the current key");
    out->previous_.push_back({previous[i], key_id_of(previous[i])});
  }
  return std::shared_ptr<const Pseudonyms>(std::move(out));
}

std::string Pseudonyms::pseudonym(const Key& key, std::string_view tenant,
                                  std::string_view vacancy_id, std::string_view candidate_id) {
  std::string data;
  data.reserve(tenant.size() + vacancy_id.size() + candidate_id.size() + 2);
  data.append(tenant).push_back('\0');
  data.append(vacancy_id).push_back('\0');
  data.append(candidate_id);
  // HMAC-SHA256 fails only if OpenSSL cannot allocate; an empty MAC would merge every
  // candidate, so that is not allowed to pass silently.
  Result<std::string> mac = codec::hmac(codec::HmacAlgorithm::kSha256, key.secret, data);
  if (!mac.ok()) std::abort();
  return key.id + "." + codec::hex_encode(*mac).substr(0, 32);
}

std::string Pseudonyms::make_pseudonym(std::string_view tenant, std::string_view vacancy_id,
                                       std::string_view candidate_id) const {
  return pseudonym(key_, tenant, vacancy_id, candidate_id);
}

std::vector<std::string> Pseudonyms::previous_pseudonyms(std::string_view tenant,
                                                         std::string_view vacancy_id,
                                                         std::string_view candidate_id) const {
  std::vector<std::string> out;
  for (const Key& k : previous_)
    out.push_back(pseudonym(k, tenant, vacancy_id, candidate_id));
  return out;
}

Result<std::shared_ptr<const Pseudonyms>> load_pseudonyms(const config::PseudonymConfig& config,
                                                          const config::ReadFile& read) {
  Result<std::string> key = config::resolve_secret(config.key, read);
  if (!key.ok()) return Status(key.status().code(), "key: " + key.status().message());
  std::vector<std::string> previous;
  for (std::size_t i = 0; i < config.previous_keys.size(); ++i) {
    Result<std::string> k = config::resolve_secret(config.previous_keys[i], read);
    if (!k.ok())
      return Status(k.status().code(),
                    "previous_keys[" + std::to_string(i) + "]: " + k.status().message());
    previous.push_back(std::move(*k));
  }
  return Pseudonyms::make(std::move(*key), std::move(previous));
}

std::function<Result<std::string>(std::string_view, std::string_view, std::string_view)>
store_pseudonymizer(PseudonymMap keys) {
  return [keys = std::move(keys)](std::string_view tenant, std::string_view vacancy_id,
                                  std::string_view candidate_id) -> Result<std::string> {
    auto it = keys.find(tenant);
    if (it == keys.end())
      return failed_precondition(
          "the database holds candidates of this tenant, which the config does not name; add "
          "the tenant with its pseudonyms key (docs/privacy.md, upgrading)");
    return it->second->make_pseudonym(tenant, vacancy_id, candidate_id);
  };
}

Result<PseudonymMap> load_all_pseudonyms(const config::ServiceConfig& config,
                                         const config::ReadFile& read) {
  PseudonymMap out;
  for (const config::TenantConfig& t : config.tenants) {
    auto p = load_pseudonyms(t.pseudonyms, read);
    if (!p.ok())
      return Status(p.status().code(), "tenants." + t.name + ".pseudonyms." + p.status().message());
    out.emplace(t.name, std::move(*p));
  }
  return out;
}

Rekeyed pseudonymise(const Pseudonyms& pseudonyms, std::string_view tenant,
                     domain::Snapshot& snapshot, store::StoredVacancy& prior) {
  Rekeyed out;
  const std::string& vacancy = snapshot.vacancy.id;
  // Only after a rotation can a stored history be under another key's pseudonym.
  std::unordered_map<std::string, std::size_t> stored;
  if (pseudonyms.has_previous())
    for (std::size_t i = 0; i < prior.candidates.size(); ++i)
      stored.emplace(prior.candidates[i].candidate_id, i);
  for (domain::Application& a : snapshot.applications) {
    std::string current = pseudonyms.make_pseudonym(tenant, vacancy, a.candidate_id);
    if (!stored.empty() && !stored.count(current))
      for (const std::string& old : pseudonyms.previous_pseudonyms(tenant, vacancy, a.candidate_id))
        if (auto it = stored.find(old); it != stored.end()) {
          prior.candidates[it->second].candidate_id = current;
          out.renamed.emplace_back(old, current);
          break;
        }
    a.candidate_id = std::move(current);
  }
  if (!out.renamed.empty())
    std::sort(prior.candidates.begin(), prior.candidates.end(),
              [](const store::CandidateHistory& x, const store::CandidateHistory& y) {
                return x.candidate_id < y.candidate_id;
              });
  return out;
}

void finish_rekeying(const Rekeyed& rekeyed, const store::StoredVacancy& prior,
                     store::Changes& changes) {
  for (const auto& [old_id, new_id] : rekeyed.renamed) {
    const bool written =
        std::any_of(changes.candidates.begin(), changes.candidates.end(),
                    [&](const store::CandidateHistory& h) { return h.candidate_id == new_id; });
    if (!written)
      for (const store::CandidateHistory& h : prior.candidates)
        if (h.candidate_id == new_id) changes.candidates.push_back(h);
    changes.retired_candidates.push_back(old_id);
  }
}

}  // namespace mangfold::app
