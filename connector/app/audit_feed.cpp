#include "connector/app/audit_feed.hpp"

#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <map>

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
  std::vector<policy::WordingHit> wording;  // excluding wording, one by one
};

// Progress on stderr: a bar when stdout and stderr are terminals, else (with --progress) a
// line every tenth of the feed. stdout stays the table or JSON alone.
class Progress {
 public:
  Progress(std::size_t total, bool asked)
      : total_(total),
        bar_(::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO)),
        lines_(asked && !bar_) {}
  void advance() {
    ++done_;
    if (bar_) {
      constexpr std::size_t kWidth = 30;
      const std::size_t filled = total_ ? done_ * kWidth / total_ : kWidth;
      std::cerr << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, ' ') << "] "
                << done_ << "/" << total_ << " ads" << std::flush;
      if (done_ == total_) std::cerr << "\r\033[K" << std::flush;
    } else if (lines_ && (done_ == total_ || done_ % std::max<std::size_t>(1, total_ / 10) == 0)) {
      std::cerr << "audit-feed: " << done_ << "/" << total_ << " ads checked\n";
    }
  }

 private:
  std::size_t total_;
  std::size_t done_ = 0;
  bool bar_;
  bool lines_;
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
  if (v.kind == "ad_sentence" && v.reason_code == "sentence_uncertain") return "UNCERTAIN";
  if (v.kind == "ad_mentions") {
    if (v.outcome == domain::Outcome::kCompliant) return "ok";
    if (v.outcome == domain::Outcome::kShortfall) return "MISSING";
  }
  if (v.kind == "ad_language") {
    if (v.outcome == domain::Outcome::kCompliant) return "ok";
    if (v.outcome == domain::Outcome::kShortfall) return "FLAGGED";
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
           !std::holds_alternative<policy::AdMentions>(r.spec) &&
           !std::holds_alternative<policy::AdLanguage>(r.spec);
  });
  if (ad_policy.rules.empty()) {
    std::cerr << "mangfold audit-feed: " << args.policy
              << " has no ad_sentence, ad_mentions or ad_language rule\n";
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
  Progress progress(ads->size(), args.progress);
  for (const webcruiter_feed::FeedAd& ad : *ads) {
    domain::Snapshot snapshot;
    snapshot.vacancy.id = ad.advert_id;
    snapshot.vacancy.job_types = ad.job_types;
    snapshot.vacancy.ad = ad.ad;
    AdFinding f{&ad, policy::evaluate(ad_policy, snapshot).rules, true, {}};
    for (const auto& r : f.rules)
      if (r.outcome != domain::Outcome::kCompliant && r.outcome != domain::Outcome::kNotApplicable)
        f.complies = false;
    failing += f.complies ? 0 : 1;
    f.wording = policy::excluding_wording(ad_policy, ad.ad);
    findings.push_back(std::move(f));
    progress.advance();
  }

  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const AdFinding& f : findings) {
      nlohmann::json rules = nlohmann::json::object();
      for (const auto& r : f.rules)
        rules[r.rule] = {
            {"kind", r.kind}, {"outcome", domain::to_string(r.outcome)}, {"reason", r.reason}};
      nlohmann::json wording = nlohmann::json::array();
      for (const policy::WordingHit& w : f.wording)
        wording.push_back({{"rule", w.rule},
                           {"id", w.wording->id},
                           {"found", w.found},
                           {"reason", w.wording->reason},
                           {"suggestion", w.wording->suggestion},
                           {"source", w.wording->source}});
      out.push_back({{"advert_id", f.ad->advert_id},
                     {"title", f.ad->title},
                     {"link", f.ad->link},
                     {"language", f.ad->ad.language},
                     {"complies", f.complies},
                     {"rules", rules},
                     {"excluding_wording", wording}});
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
    // One line per kind of finding: a rule's outcome other than met, or one excluding
    // wording; in the policy's rule order.
    std::vector<std::pair<std::string, int>> kinds;
    auto count = [&](const std::string& kind) {
      for (auto& [k, n] : kinds)
        if (k == kind) return void(++n);
      kinds.emplace_back(kind, 1);
    };
    for (const auto& rule : ad_policy.rules)
      for (const AdFinding& f : findings)
        for (const auto& r : f.rules) {
          if (r.rule != rule.name) continue;
          const std::string word = outcome_word(r);
          if (word == "present" || word == "ok" || word == "not_applicable") continue;
          if (r.kind == "ad_language") {
            for (const policy::WordingHit& w : f.wording)
              if (w.rule == rule.name) count(rule.name + " " + w.wording->id);
          } else {
            count(rule.name + " " + word);
          }
        }
    for (const auto& [kind, n] : kinds)
      std::cout << "  " << std::setw(40) << kind << n << (n == 1 ? " ad\n" : " ads\n");
  }
  return failing ? 1 : 0;
}

}  // namespace mangfold::app
