#include "connector/store/rows.hpp"

#include <nlohmann/json.hpp>

#include "connector/domain/date.hpp"
#include "connector/store/verdict_json.hpp"

namespace mangfold::store::rows {

std::string encode_stages(const std::vector<domain::Stage>& stages) {
  std::string out;
  for (domain::Stage s : stages) {
    if (!out.empty()) out += ',';
    out += domain::to_string(s);
  }
  return out;
}

Result<std::vector<domain::Stage>> decode_stages(std::string_view text) {
  std::vector<domain::Stage> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view name = text.substr(0, comma);
    auto stage = domain::stage_from_string(name);
    if (!stage) return internal_error("store: unknown stage '" + std::string(name) + "' stored");
    out.push_back(*stage);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

VerdictColumns verdict_columns(const domain::Verdict& verdict) {
  std::optional<std::string> rules = internal::rules_text_fast(verdict.rules);
  return {verdict.policy_id, verdict.policy_version, std::string(domain::to_string(verdict.phase)),
          std::string(domain::to_string(verdict.overall)),
          rules ? std::move(*rules) : internal::rules_text_reference(verdict.rules)};
}

// read_vacancy runs this for every event (issue #22): the fast reader answers for the
// columns verdict_columns wrote, the reference for anything else and for every error.
Result<domain::Verdict> verdict_from_columns(const VerdictColumns& c, std::string_view vacancy_id) {
  if (std::optional<domain::Verdict> v = internal::verdict_from_columns_fast(c, vacancy_id))
    return std::move(*v);
  return internal::verdict_from_columns_reference(c, vacancy_id);
}

namespace internal {

Result<domain::Verdict> verdict_from_columns_reference(const VerdictColumns& c,
                                                       std::string_view vacancy_id) {
  nlohmann::json rules = nlohmann::json::parse(c.rules, nullptr, /*allow_exceptions=*/false);
  if (rules.is_discarded()) return internal_error("store: stored verdict rules are not JSON");
  nlohmann::json j = {{"policy_id", c.policy_id},
                      {"policy_version", c.policy_version},
                      {"vacancy_id", std::string(vacancy_id)},
                      {"phase", c.phase},
                      {"overall", c.overall},
                      {"rules", std::move(rules)}};
  auto v = verdict_from_json(j);
  if (!v.ok()) return internal_error("store: stored verdict unreadable: " + v.status().message());
  return v;
}

std::string rules_text_reference(const std::vector<domain::RuleVerdict>& rules) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& r : rules)
    array.push_back(rule_verdict_to_json(r));
  return array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace internal

Status check_changes(const Submission& sub, Changes& c) {
  VacancyRecord& v = c.vacancy;
  if (v.tenant.empty()) v.tenant = sub.tenant;
  if (v.vacancy_id.empty()) v.vacancy_id = sub.vacancy_id;
  if (v.tenant != sub.tenant || v.vacancy_id != sub.vacancy_id)
    return internal_error("store: plan changed the vacancy's tenant or id");
  if (v.status != "open" && v.status != "closed")
    return internal_error("store: vacancy status must be open or closed");
  if (!v.deadline.empty() && !domain::Date::parse(v.deadline))
    return internal_error("store: vacancy deadline must be YYYY-MM-DD");
  for (const CandidateHistory& h : c.candidates)
    if (h.candidate_id.empty()) return internal_error("store: candidate without an id");
  for (const std::string& id : c.retired_candidates)
    if (id.empty()) return internal_error("store: retired candidate without an id");
  for (OutboxItem& o : c.outbox) {
    if (o.tenant.empty()) o.tenant = sub.tenant;
    if (o.vacancy_id.empty()) o.vacancy_id = sub.vacancy_id;
    if (o.tenant != sub.tenant) return internal_error("store: outbox item for another tenant");
    if (o.kind.empty() || o.idempotency_key.empty())
      return internal_error("store: outbox item needs a kind and an idempotency key");
    if (!nlohmann::json::accept(o.payload))
      return internal_error("store: outbox payload is not JSON");
  }
  return Status{};
}

bool is_month(std::string_view m) {
  if (m.size() != 7 || m[4] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6})
    if (m[i] < '0' || m[i] > '9') return false;
  const int month = (m[5] - '0') * 10 + (m[6] - '0');
  return month >= 1 && month <= 12;
}

}  // namespace mangfold::store::rows
