#include "connector/app/simulate.hpp"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "connector/ads/ad_text.hpp"
#include "connector/notify/digest.hpp"
#include "connector/notify/payload.hpp"
#include "connector/notify/templates.hpp"
#include "connector/policy/engine.hpp"
#include "connector/store/verdict_json.hpp"

namespace mangfold::app {

using domain::Outcome;

namespace {

const policy::Rule* find_rule(const policy::Policy& p, const std::string& name) {
  for (const policy::Rule& r : p.rules)
    if (r.name == name) return &r;
  return nullptr;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'a' && c <= 'z' ? c - 32 : c; });
  return out;
}

void interview_arithmetic(std::ostringstream& out, const policy::InterviewMinimum& rule,
                          const domain::RuleVerdict& v) {
  const domain::Counts& c = v.counts;
  out << "    applicants: " << c.applicants << " (in the group: " << c.in_group
      << ", did not answer: " << c.unknown_answer << ")\n";
  out << "    Q = " << c.qualified_in_group << "  qualified applicants in the group";
  if (c.unassessed_in_group) out << " (" << c.unassessed_in_group << " more not yet assessed)";
  out << "\n    N = " << c.invited << "  invited to interview, all applicants\n";
  out << "    I = " << c.invited_in_group << "  invited from the group and qualified\n";
  const int by_share = policy::ceil_share(rule.min_share_ppm, c.invited);
  out << "    R = min(Q, max(min_count, ceil(min_share × N)))"
      << " = min(" << c.qualified_in_group << ", max(" << rule.min_count << ", ceil("
      << format_share(rule.min_share_ppm) << " × " << c.invited << ") = " << by_share
      << ")) = " << c.required << "\n";
}

}  // namespace

std::string format_share(std::uint32_t ppm) {
  std::string s = std::to_string(ppm / 1'000'000);
  std::uint32_t frac = ppm % 1'000'000;
  if (frac == 0) return s;
  std::string digits = std::to_string(frac);
  digits.insert(0, 6 - digits.size(), '0');
  while (digits.back() == '0')
    digits.pop_back();
  return s + "." + digits;
}

std::string render_verdict_text(const policy::Policy& policy, const domain::Snapshot& snapshot,
                                const domain::Verdict& verdict) {
  std::ostringstream out;
  out << "vacancy " << snapshot.vacancy.id;
  if (!snapshot.vacancy.title.empty()) out << " «" << snapshot.vacancy.title << "»";
  out << "\npolicy  " << policy.id << " " << policy.version;
  if (policy.effective_from) out << ", in effect from " << policy.effective_from->to_string();
  out << "\nphase   " << domain::to_string(verdict.phase) << "\nverdict "
      << upper(domain::to_string(verdict.overall)) << "\n";

  for (const domain::RuleVerdict& v : verdict.rules) {
    out << "\n" << v.rule << " (" << v.kind;
    if (!v.group.empty()) out << ", group " << v.group;
    out << "): " << upper(domain::to_string(v.outcome));
    if (v.severity != domain::Severity::kNone) out << " [" << domain::to_string(v.severity) << "]";
    out << "\n";
    const policy::Rule* rule = find_rule(policy, v.rule);
    const auto* im = rule ? std::get_if<policy::InterviewMinimum>(&rule->spec) : nullptr;
    const bool computed =
        v.reason_code != "out_of_scope" && v.reason_code != "policy_not_in_effect";
    if (im && computed) {
      interview_arithmetic(out, *im, v);
      if (v.outcome == Outcome::kShortfall) {
        out << "    -> invite " << v.missing << " more qualified applicant"
            << (v.missing == 1 ? "" : "s") << " from the group (I = " << v.counts.invited_in_group
            << " < R = " << v.counts.required << ")";
        // Under a share each invitation also raises N, and R with it (policies/README.md).
        const domain::Counts& c = v.counts;
        if (v.missing > c.required - c.invited_in_group)
          out << "; each one also adds to N: with N = " << c.invited + v.missing << ", R = "
              << std::min(c.qualified_in_group,
                          std::max(im->min_count,
                                   policy::ceil_share(im->min_share_ppm, c.invited + v.missing)));
        out << "\n";
      } else if (v.outcome == Outcome::kCompliant)
        out << "    -> met (I = " << v.counts.invited_in_group << " >= R = " << v.counts.required
            << ")\n";
      else
        out << "    -> " << v.reason << "\n";
    } else {
      out << "    " << v.reason << "\n";
    }
  }
  return out.str();
}

std::string render_ad_change_text(const Result<std::optional<policy::AdChange>>& change) {
  if (!change.ok())
    return "\nad change: not possible (" + change.status().message() +
           "); the ad is flagged instead\n";
  if (!change->has_value()) return {};
  const policy::AdChange& c = **change;
  return "\nad change (" + c.rule + ", " + c.language +
         "): the sentence is inserted and written back to the ATS\n" +
         ads::render_diff(c.before.body, c.after.body);
}

namespace {

std::string addresses(const std::vector<notify::Address>& list) {
  std::string out;
  for (const notify::Address& a : list)
    out += (out.empty() ? "" : ", ") + a.email;
  return out;
}

}  // namespace

std::string render_emails_text(const std::vector<store::OutboxItem>& mails) {
  const notify::Address from{"Mangfold Connector", "noreply@mangfold.invalid"};
  std::string out;
  auto message = [&out](const std::string& header, const notify::Message& m) {
    out += "\n" + header + " to " + addresses(m.to);
    if (!m.cc.empty()) out += ", cc " + addresses(m.cc);
    out += "\nSubject: " + m.subject + "\n\n" + m.text;
    if (!m.text.empty() && m.text.back() != '\n') out += "\n";
  };
  // Notices for a daily digest: the first digest they join, shown as that digest would be
  // (for this vacancy alone); later ones (reminders) as one line each.
  std::vector<notify::Payload> first_digest;
  std::int64_t digest_at = 0;
  std::vector<std::string> later, keys;
  for (const store::OutboxItem& mail : mails) {
    Result<notify::Payload> payload = notify::parse_payload(mail.payload);
    if (!payload.ok()) {
      out += "\nemail: cannot render (" + payload.status().message() + ")\n";
      continue;
    }
    const bool reminder = payload->template_name == notify::kTemplateReminder;
    if (mail.kind == notify::kDigestKind) {
      if (digest_at == 0 || mail.not_before == digest_at) {
        digest_at = mail.not_before;
        first_digest.push_back(std::move(*payload));
        keys.push_back(mail.idempotency_key);
      } else {
        later.push_back(std::string(reminder ? "reminder" : "notice") +
                        ": joins the daily digest of " +
                        notify::norwegian_time_text(mail.not_before) +
                        (reminder ? " if the rule is still not met" : ""));
      }
      continue;
    }
    Result<notify::Message> m = notify::compose(*payload, notify::Templates::builtin(), from);
    if (!m.ok()) {
      out += "\nemail: cannot render (" + m.status().message() + ")\n";
      continue;
    }
    message(reminder ? "email (reminder, sent on " +
                           notify::norwegian_time_text(mail.not_before).substr(0, 10) +
                           " if the rule is still not met)"
                     : std::string("email"),
            *m);
  }
  if (!first_digest.empty()) {
    std::vector<notify::DigestCandidate> candidates;
    for (notify::Payload& p : first_digest)
      candidates.push_back({std::move(p), true});
    Result<notify::Message> m = notify::compose_digest(
        notify::digest_entries(std::move(candidates)), notify::digest_key(keys), digest_at,
        notify::Templates::builtin(), from);
    if (m.ok())
      message("daily digest at " + notify::norwegian_time_text(digest_at) +
                  " (Norwegian time), with this vacancy's notices,",
              *m);
    else
      out += "\ndaily digest: cannot render (" + m.status().message() + ")\n";
  }
  for (const std::string& line : later)
    out += "\n" + line + "\n";
  return out;
}

std::string render_verdict_json(const policy::Policy& policy, const domain::Verdict& verdict,
                                const Result<std::optional<policy::AdChange>>& change,
                                const std::vector<store::OutboxItem>& mails) {
  nlohmann::json j = store::verdict_to_json(verdict);
  j["policy_effective_from"] = policy.effective_from ? policy.effective_from->to_string() : "";
  if (!change.ok())
    j["ad_change"] = {{"error", change.status().message()}};
  else if (change->has_value())
    j["ad_change"] = {{"rule", (*change)->rule},
                      {"language", (*change)->language},
                      {"body", (*change)->after.body}};
  // The notifications planned, as rows: what the outbox would hold.
  nlohmann::json notifications = nlohmann::json::array();
  for (const store::OutboxItem& mail : mails) {
    Result<notify::Payload> p = notify::parse_payload(mail.payload);
    if (!p.ok()) continue;
    nlohmann::json to = nlohmann::json::array();
    for (const notify::Address& a : p->to)
      to.push_back(a.email);
    nlohmann::json n{
        {"kind", mail.kind},       {"template", p->template_name},
        {"rule", p->rule},         {"to", to},
        {"language", p->language}, {"due", notify::norwegian_time_text(mail.not_before)}};
    notifications.push_back(std::move(n));
  }
  j["notifications"] = std::move(notifications);
  return j.dump(2) + "\n";
}

}  // namespace mangfold::app
