#include "connector/notify/payload.hpp"

#include <nlohmann/json.hpp>

namespace mangfold::notify {

namespace {

using nlohmann::json;

json mailbox_json(const Address& a) {
  return json{{"name", a.name}, {"email", a.email}};
}

Address mailbox_from(const json& j) {
  return Address{j.value("name", std::string()), j.at("email").get<std::string>()};
}

}  // namespace

std::string to_json(const Payload& p) {
  json to = json::array(), cc = json::array();
  for (const Address& a : p.to)
    to.push_back(mailbox_json(a));
  for (const Address& a : p.cc)
    cc.push_back(mailbox_json(a));
  const PayloadCounts& c = p.counts;
  json j{
      {"v", p.version},
      {"template", p.template_name},
      {"language", p.language},
      {"key", p.key},
      {"date", p.date},
      {"to", to},
      {"cc", cc},
      {"reply_to", p.reply_to ? mailbox_json(*p.reply_to) : json()},
      {"to_manager", p.to_manager},
      {"vacancy",
       {{"tenant", p.tenant},
        {"id", p.vacancy_id},
        {"title", p.title},
        {"department", p.department},
        {"url", p.url},
        {"manager_name", p.manager_name},
        {"deadline", p.deadline}}},
      {"rule",
       {{"name", p.rule}, {"kind", p.kind}, {"group", p.group}, {"group_label", p.group_label}}},
      {"counts",
       {{"qualified_in_group", c.qualified_in_group},
        {"invited", c.invited},
        {"invited_in_group", c.invited_in_group},
        {"required", c.required},
        {"missing", c.missing},
        {"unassessed_in_group", c.unassessed_in_group},
        {"proposed", c.proposed}}},
      {"outcome", p.outcome},
      {"reason_code", p.reason_code},
      {"severity", p.severity},
      {"phase", p.phase},
  };
  if (p.min_count != 0) j["rule"]["min_count"] = p.min_count;
  if (p.min_share_ppm != 0) j["rule"]["min_share_ppm"] = p.min_share_ppm;
  if (!p.sentence.empty()) {
    j["rule"]["sentence"] = p.sentence;
    j["rule"]["sentence_language"] = p.sentence_language;
    j["rule"]["sentence_before"] = p.sentence_before;
  }
  if (!p.wording.empty()) {
    json list = json::array();
    for (const PayloadWording& w : p.wording)
      list.push_back({{"found", w.found},
                      {"reason", w.reason},
                      {"suggestion", w.suggestion},
                      {"source", w.source}});
    j["rule"]["wording"] = std::move(list);
  }
  if (!p.case_url.empty()) j["vacancy"]["case_url"] = p.case_url;
  if (!p.reminds.empty()) j["reminds"] = p.reminds;
  if (!p.occasion.empty()) j["occasion"] = p.occasion;
  // Replace rather than throw: titles from an ATS may carry broken UTF-8.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<Payload> parse_payload(std::string_view text) {
  try {
    const json j = json::parse(text);
    Payload p;
    p.version = j.at("v").get<int>();
    if (p.version != 1)
      return invalid_argument("email payload version " + std::to_string(p.version) +
                              " is not supported");
    p.template_name = j.at("template").get<std::string>();
    p.reminds = j.value("reminds", std::string());
    p.occasion = j.value("occasion", std::string());
    p.language = j.at("language").get<std::string>();
    p.key = j.at("key").get<std::string>();
    p.date = j.at("date").get<std::int64_t>();
    for (const json& a : j.at("to"))
      p.to.push_back(mailbox_from(a));
    for (const json& a : j.value("cc", json::array()))
      p.cc.push_back(mailbox_from(a));
    if (j.contains("reply_to") && !j.at("reply_to").is_null())
      p.reply_to = mailbox_from(j.at("reply_to"));
    p.to_manager = j.value("to_manager", true);
    const json& v = j.at("vacancy");
    p.tenant = v.value("tenant", std::string());
    p.vacancy_id = v.at("id").get<std::string>();
    p.title = v.value("title", std::string());
    p.department = v.value("department", std::string());
    p.url = v.value("url", std::string());
    p.case_url = v.value("case_url", std::string());
    p.manager_name = v.value("manager_name", std::string());
    p.deadline = v.value("deadline", std::string());
    const json& r = j.at("rule");
    p.rule = r.at("name").get<std::string>();
    p.kind = r.value("kind", std::string());
    p.group = r.value("group", std::string());
    p.group_label = r.value("group_label", std::string());
    p.min_count = r.value("min_count", 0);
    p.min_share_ppm = r.value("min_share_ppm", std::uint32_t{0});
    p.sentence = r.value("sentence", std::string());
    p.sentence_language = r.value("sentence_language", std::string());
    p.sentence_before = r.value("sentence_before", std::vector<std::string>());
    if (r.contains("wording") && r.at("wording").is_array())
      for (const json& w : r.at("wording"))
        if (w.is_object())
          p.wording.push_back({w.value("found", std::string()), w.value("reason", std::string()),
                               w.value("suggestion", std::string()),
                               w.value("source", std::string())});
    const json& c = j.at("counts");
    p.counts.qualified_in_group = c.value("qualified_in_group", 0);
    p.counts.invited = c.value("invited", 0);
    p.counts.invited_in_group = c.value("invited_in_group", 0);
    p.counts.required = c.value("required", 0);
    p.counts.missing = c.value("missing", 0);
    p.counts.unassessed_in_group = c.value("unassessed_in_group", 0);
    p.counts.proposed = c.value("proposed", 0);
    p.outcome = j.value("outcome", std::string());
    p.reason_code = j.value("reason_code", std::string());
    p.severity = j.value("severity", std::string());
    p.phase = j.value("phase", std::string());
    if (p.to.empty()) return invalid_argument("email payload has no recipient");
    if (p.key.empty()) return invalid_argument("email payload has no key");
    return p;
  } catch (const json::exception& e) {
    // nlohmann's messages name the field and type, never the value.
    return invalid_argument(std::string("email payload: ") + e.what());
  }
}

}  // namespace mangfold::notify
