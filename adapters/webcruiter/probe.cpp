#include "adapters/webcruiter/probe.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "adapters/webcruiter/candidate_api.hpp"
#include "adapters/webcruiter/options.hpp"

namespace mangfold::webcruiter {

namespace {

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

class Report {
 public:
  explicit Report(std::ostream& out) : out_(out) {}
  void ok(const std::string& line) { out_ << "ok    " << line << "\n"; }
  void fail(const std::string& line) {
    out_ << "FAIL  " << line << "\n";
    ++problems_;
  }
  void note(const std::string& line) { out_ << "--    " << line << "\n"; }
  int problems() const { return problems_; }

 private:
  std::ostream& out_;
  int problems_ = 0;
};

}  // namespace

int probe(const config::Node& node, const std::string& path, AdapterDeps deps,
          const ProbeRequest& request, std::ostream& out) {
  const config::ReadFile read =
      deps.read_file ? deps.read_file : config::ReadFile(config::read_file);
  std::vector<config::Diagnostic> diagnostics;
  std::optional<Options> decoded = decode_options(node, path, read, diagnostics);
  if (!decoded) {
    for (const config::Diagnostic& d : diagnostics)
      out << d.to_string() << "\n";
    return static_cast<int>(diagnostics.size());
  }
  decoded->limits = deps.limits;
  auto options = std::make_shared<const Options>(std::move(*decoded));
  Report report(out);
  out << "Webcruiter probe of " << path << " (read-only: nothing is stored or marked)\n";
  if (!options->api) {
    report.fail(
        "no api configured: the probe needs adapter_options.api (webhook-only tenants with fat "
        "events have nothing to probe)");
    return report.problems();
  }
  if (!deps.http) {
    report.fail("no HTTP client (a wiring bug)");
    return report.problems();
  }
  auto now = deps.now_unix ? std::move(deps.now_unix) : std::function<std::int64_t()>(system_now);
  CandidateApi api(options, deps.http, now);
  const char* auth = options->api->oauth2 && options->api->api_key ? "OAuth2 and API key"
                     : options->api->oauth2                        ? "OAuth2 client credentials"
                                                                   : "API key";

  // Statuses first: the first authenticated request tells whether the credentials work.
  Result<std::vector<StatusEntry>> statuses = api.statuses();
  if (!statuses.ok() && statuses.status().code() == StatusCode::kUnauthenticated) {
    report.fail("credentials (" + std::string(auth) + "): " + statuses.status().message());
    out << report.problems() << (report.problems() == 1 ? " problem\n" : " problems\n");
    return report.problems();
  }
  if (!statuses.ok() && statuses.status().code() == StatusCode::kUnavailable) {
    report.fail("the API cannot be reached: " + statuses.status().message());
    out << report.problems() << (report.problems() == 1 ? " problem\n" : " problems\n");
    return report.problems();
  }
  if (!statuses.ok()) {
    report.fail("candidate statuses: " + statuses.status().message());
  } else {
    report.ok("credentials (" + std::string(auth) + "): accepted");
    std::set<std::string, std::less<>> listed;
    size_t mapped = 0;
    for (const StatusEntry& s : *statuses) {
      listed.insert(s.id);
      if (options->statuses.contains(s.id)) {
        ++mapped;
      } else if (!options->unknown_status) {
        report.fail("candidate status " + s.id + " «" + s.name +
                    "» is not in statuses; with unknown_status: error a vacancy with an "
                    "applicant in it cannot be evaluated");
      } else {
        report.note("candidate status " + s.id + " «" + s.name +
                    "» is not in statuses (read "
                    "as unknown_status)");
      }
    }
    for (const auto& [id, mapping] : options->statuses)
      if (!listed.contains(id))
        report.fail("statuses maps " + id + ", which Webcruiter does not list (a typo?)");
    report.ok("candidate statuses: " + plural(statuses->size(), "in Webcruiter", "in Webcruiter") +
              ", " + std::to_string(mapped) + " mapped");
    for (const StatusEntry& s : *statuses)
      if (options->statuses.contains(s.id))
        out << "        " << s.id << "  " << s.name << " → "
            << domain::to_string(options->statuses.find(s.id)->second.stage) << "\n";
  }

  // What sync mode would discover.
  std::vector<std::string> found;
  auto add = [&](const std::vector<std::string>& ids) {
    for (const std::string& id : ids)
      if (std::find(found.begin(), found.end(), id) == found.end()) found.push_back(id);
  };
  if (!options->sync) {
    report.note("no sync: vacancies come from webhooks only (adapter_options.sync)");
  } else {
    const SyncOptions& sync = *options->sync;
    if (sync.from_feed) {
      Result<std::vector<std::string>> feed = read_advert_feed(*deps.http, *options);
      if (feed.ok()) {
        report.ok("advert feed: " + plural(feed->size(), "published advert", "published adverts"));
        add(*feed);
      } else {
        report.fail(feed.status().message());
      }
    }
    if (sync.from_api) {
      Result<std::vector<std::string>> listed = api.processes();
      if (listed.ok()) {
        report.ok("process listing: " + plural(listed->size(), "open process", "open processes"));
        add(*listed);
      } else {
        report.fail(listed.status().message());
      }
    }
    if (sync.read_hires) {
      Result<std::vector<Hire>> hires = api.hired();
      if (hires.ok()) {
        std::set<std::string> vacancies;
        for (const Hire& h : *hires)
          vacancies.insert(h.advert_id);
        report.ok(
            "hired candidates: " + plural(hires->size(), "unprocessed hire", "unprocessed hires") +
            " on " + plural(vacancies.size(), "vacancy", "vacancies") +
            (sync.mark_hires_processed ? " (sync would mark them processed: hires.mark_processed)"
                                       : " (hires.mark_processed is off)"));
      } else {
        report.fail(hires.status().message());
      }
    } else {
      report.note("hired candidates: not read (sync.hires.read: false)");
    }
  }

  // A few vacancies: their applicants, and whether the form carries the questions.
  std::vector<std::string> sample = request.vacancies;
  if (sample.empty())
    for (size_t i = 0; i < found.size() && static_cast<int>(i) < request.sample; ++i)
      sample.push_back(found[i]);
  bool form_checked = false;
  for (const std::string& id : sample) {
    Result<domain::Snapshot> s = api.fetch(id);
    if (!s.ok()) {
      report.fail("vacancy " + id + ": " + s.status().message());
      continue;
    }
    std::map<std::string, int> stages;
    for (const domain::Application& a : s->applications)
      ++stages[std::string(domain::to_string(a.stage))];
    std::string by_stage;
    for (const auto& [stage, n] : stages)
      by_stage += (by_stage.empty() ? "" : ", ") + stage + " " + std::to_string(n);
    report.ok("vacancy " + id + " «" + s->vacancy.title + "»" +
              (s->vacancy.status == domain::VacancyStatus::kClosed ? " (closed)" : "") + ": " +
              plural(s->applications.size(), "applicant", "applicants") +
              (by_stage.empty() ? "" : " (" + by_stage + ")"));
    if (s->applications.empty()) continue;
    form_checked = true;
    for (const GroupMapping& g : options->target_groups) {
      if (auto missing = s->answers_unavailable.find(g.group);
          missing != s->answers_unavailable.end())
        report.fail("vacancy " + id + ": " + missing->second);
      else
        report.ok("vacancy " + id + ": question " + g.question_id + " (" + g.group +
                  ") is on the integration form");
    }
  }
  if (!form_checked)
    report.note(
        "the integration form was not checked: no vacancy with applicants (name one with "
        "--vacancy)");
  out << (report.problems() == 0
              ? std::string("no problems")
              : plural(static_cast<size_t>(report.problems()), "problem", "problems"))
      << "\n";
  return report.problems();
}

}  // namespace mangfold::webcruiter
