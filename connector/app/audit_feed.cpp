#include "connector/app/audit_feed.hpp"

#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "adapters/webcruiter_feed/feed.hpp"
#include "connector/common/http_client.hpp"
#include "connector/config/policy_loader.hpp"
#include "connector/policy/engine.hpp"

namespace mangfold::app {

namespace {

struct AdFinding {
  const webcruiter_feed::FeedAd* ad;
  std::vector<domain::RuleVerdict> rules;  // the ad rules only
  bool complies = true;
};

Result<std::string> read_source(const std::string& source, HttpClient* http) {
  if (source.rfind("http://", 0) != 0 && source.rfind("https://", 0) != 0)
    return config::read_file(source);
  if (!http) return failed_precondition("no HTTP client to fetch " + source);
  OutboundRequest request;
  request.url = source;
  request.headers.emplace_back("Accept", "application/rss+xml, application/xml, text/xml");
  Result<OutboundResponse> response = http->send(request);
  if (!response.ok()) return response.status();
  if (response->status != 200)
    return unavailable("HTTP " + std::to_string(response->status) + " from " + source);
  return std::move(response->body);
}

std::string outcome_word(const domain::RuleVerdict& v) {
  if (v.kind == "ad_sentence") {
    if (v.outcome == domain::Outcome::kCompliant) return "present";
    if (v.outcome == domain::Outcome::kShortfall) return "MISSING";
  }
  if (v.kind == "ad_mentions") {
    if (v.outcome == domain::Outcome::kCompliant) return "ok";
    if (v.outcome == domain::Outcome::kShortfall) return "MISSING";
  }
  return std::string(domain::to_string(v.outcome));
}

}  // namespace

int run_audit_feed(const AuditArgs& args, HttpClient* http) {
  config::PolicyLoad loaded = config::load_policy(args.policy);
  if (!loaded.policy) {
    for (const auto& d : loaded.diagnostics)
      std::cerr << d.to_string() << "\n";
    return 2;
  }
  // Only the ad rules matter here; the engine evaluates them on a snapshot with the ad.
  policy::Policy ad_policy = *loaded.policy;
  std::erase_if(ad_policy.rules, [](const policy::Rule& r) {
    return !std::holds_alternative<policy::AdSentence>(r.spec) &&
           !std::holds_alternative<policy::AdMentions>(r.spec);
  });
  if (ad_policy.rules.empty()) {
    std::cerr << "mangfold audit-feed: " << args.policy
              << " has no ad_sentence or ad_mentions rule\n";
    return 2;
  }
  Result<std::string> xml = read_source(args.source, http);
  if (!xml.ok()) {
    std::cerr << "mangfold audit-feed: " << args.source << ": " << xml.status().message() << "\n";
    return 2;
  }
  Result<std::vector<webcruiter_feed::FeedAd>> ads = webcruiter_feed::parse_feed(*xml);
  if (!ads.ok()) {
    std::cerr << "mangfold audit-feed: " << args.source << ": " << ads.status().message() << "\n";
    return 2;
  }

  std::vector<AdFinding> findings;
  int failing = 0;
  for (const webcruiter_feed::FeedAd& ad : *ads) {
    domain::Snapshot snapshot;
    snapshot.vacancy.id = ad.advert_id;
    snapshot.vacancy.job_types = ad.job_types;
    snapshot.vacancy.ad = ad.ad;
    AdFinding f{&ad, policy::evaluate(ad_policy, snapshot).rules, true};
    for (const auto& r : f.rules)
      if (r.outcome != domain::Outcome::kCompliant && r.outcome != domain::Outcome::kNotApplicable)
        f.complies = false;
    failing += f.complies ? 0 : 1;
    findings.push_back(std::move(f));
  }

  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const AdFinding& f : findings) {
      nlohmann::json rules = nlohmann::json::object();
      for (const auto& r : f.rules)
        rules[r.rule] = {
            {"kind", r.kind}, {"outcome", domain::to_string(r.outcome)}, {"reason", r.reason}};
      out.push_back({{"advert_id", f.ad->advert_id},
                     {"title", f.ad->title},
                     {"link", f.ad->link},
                     {"language", f.ad->ad.language},
                     {"complies", f.complies},
                     {"rules", rules}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << std::left << std::setw(12) << "advert" << std::setw(6) << "lang";
    for (const auto& r : ad_policy.rules)
      std::cout << std::setw(22) << r.name;
    std::cout << "title\n";
    for (const AdFinding& f : findings) {
      std::cout << std::setw(12) << f.ad->advert_id << std::setw(6) << f.ad->ad.language;
      for (const auto& r : f.rules)
        std::cout << std::setw(22) << outcome_word(r);
      std::cout << f.ad->title << "\n";
    }
    std::cout << findings.size() << (findings.size() == 1 ? " ad, " : " ads, ") << failing
              << (failing == 1 ? " does not comply\n" : " do not comply\n");
  }
  return failing ? 1 : 0;
}

}  // namespace mangfold::app
