#include "connector/notify/report_email.hpp"

#include <nlohmann/json.hpp>

#include "connector/notify/templates.hpp"

namespace mangfold::notify {

std::string to_json(const ReportEmailPayload& p) {
  nlohmann::json to = nlohmann::json::array();
  for (const Address& a : p.to)
    to.push_back({{"name", a.name}, {"email", a.email}});
  nlohmann::json j{{"v", p.version},     {"key", p.key},           {"tenant", p.tenant},
                   {"period", p.period}, {"language", p.language}, {"date", p.date},
                   {"to", to},           {"subject", p.subject},   {"text", p.text},
                   {"html", p.html}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<ReportEmailPayload> parse_report_email(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return invalid_argument("report email payload: not a JSON object");
  try {
    ReportEmailPayload p;
    p.version = j.at("v").get<int>();
    if (p.version != 1) return invalid_argument("report email payload: unknown version");
    p.key = j.at("key").get<std::string>();
    p.tenant = j.value("tenant", "");
    p.period = j.value("period", "");
    p.language = j.value("language", "");
    p.date = j.at("date").get<std::int64_t>();
    for (const auto& a : j.at("to")) {
      Address address{a.value("name", ""), a.at("email").get<std::string>()};
      if (!is_valid_email(address.email))
        return invalid_argument("report email payload: a recipient is not an address");
      p.to.push_back(std::move(address));
    }
    if (p.to.empty()) return invalid_argument("report email payload: no recipient");
    p.subject = j.at("subject").get<std::string>();
    p.text = j.at("text").get<std::string>();
    p.html = j.at("html").get<std::string>();
    if (p.key.empty()) return invalid_argument("report email payload: no key");
    return p;
  } catch (const nlohmann::json::exception&) {
    return invalid_argument("report email payload: a field is missing or has the wrong type");
  }
}

Message compose_report_email(const ReportEmailPayload& p, const Address& from) {
  Message m;
  m.from = from;
  m.to = p.to;
  m.subject = p.subject;
  m.text = p.text;
  m.html = p.html;
  m.message_id = message_id(p.key, from);
  m.date = p.date;
  m.language = p.language;
  return m;
}

}  // namespace mangfold::notify
