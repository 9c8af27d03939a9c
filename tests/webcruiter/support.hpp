// Shared by the Webcruiter adapter tests: building an adapter from YAML text, reading
// examples and fixtures, and describing snapshots and verdicts as text for comparison.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/webcruiter/webcruiter_adapter.hpp"
#include "connector/config/document.hpp"
#include "connector/domain/verdict.hpp"

namespace mangfold::webcruiter::testing {

inline std::string read_text(const std::string& relative) {
  std::ifstream in(std::string(MANGFOLD_SOURCE_DIR) + "/" + relative, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << relative);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The customer mapping the examples use, as the body of `adapter_options:` (2-space indent).
inline std::string base_mapping() {
  return R"(  statuses:
    1: applied
    2: {stage: applied, qualification: qualified}
    3: {stage: applied, qualification: not_qualified}
    4: interview
    5: interviewed
    6: recommended
    7: offered
    8: hired
    9: rejected
    10: withdrawn
  target_groups:
    immigrant_background:
      question: 9001
      yes: [Ja, 1]
      no: [Nei, 2]
  manager_titles: [Enhetsleder]
)";
}

struct Made {
  std::unique_ptr<domain::Adapter> adapter;
  std::vector<config::Diagnostic> diagnostics;
  std::string errors() const {
    std::string out;
    for (const auto& d : diagnostics)
      out += d.to_string() + "\n";
    return out;
  }
};

// `yaml` is a document whose `adapter_options` key holds the options (file "tenant.yaml").
inline Made make_from_yaml(const std::string& yaml, AdapterDeps deps = {}) {
  Made out;
  std::optional<config::Node> root = config::parse_document(yaml, "tenant.yaml", out.diagnostics);
  REQUIRE_MESSAGE(root.has_value(), out.errors());
  const config::Node* options = root->get("adapter_options");
  REQUIRE(options != nullptr);
  struct Offline : HttpClient {
    Result<OutboundResponse> send(const OutboundRequest&) override {
      return unavailable("offline");
    }
  };
  if (!deps.http) deps.http = std::make_shared<Offline>();
  if (!deps.read_file)
    deps.read_file = [](const std::string& path) -> Result<std::string> {
      return path.find("missing") == std::string::npos
                 ? Result<std::string>("s3cr3t-" + path + "\n")
                 : Result<std::string>(not_found("no such file"));
    };
  out.adapter = make_webcruiter_adapter(*options, "tenants.oslo.adapter_options", std::move(deps),
                                        out.diagnostics);
  return out;
}

inline std::unique_ptr<domain::Adapter> make_adapter(const std::string& extra = "",
                                                     AdapterDeps deps = {}) {
  Made made = make_from_yaml("adapter_options:\n" + base_mapping() + extra, std::move(deps));
  REQUIRE_MESSAGE(made.adapter, made.errors());
  return std::move(made.adapter);
}

inline Result<domain::InboundEvent> parse(const domain::Adapter& adapter, std::string_view body) {
  return adapter.parse(domain::InboundRequest{body, [](std::string_view) { return std::nullopt; }});
}

// Everything in a snapshot, answers included (this is a test), one line per item.
inline std::string describe(const domain::Snapshot& s) {
  std::ostringstream o;
  const domain::Vacancy& v = s.vacancy;
  o << "vacancy " << v.id << " | " << v.title << " | " << v.department << " | " << v.url
    << " | internal " << v.internal_only << " | " << domain::to_string(v.status) << " | deadline "
    << (v.deadline ? v.deadline->to_string() : "-") << " | manager " << v.manager.name << " <"
    << v.manager.email << "> | justification " << v.hire_justification_given << "\n";
  o << "job types:";
  for (const auto& t : v.job_types)
    o << " [" << t << "]";
  o << "\n";
  if (v.ad)
    o << "ad " << v.ad->language << " "
      << (v.ad->format == domain::AdFormat::kHtml ? "html" : "text") << " " << v.ad->body << "\n";
  else
    o << "no ad\n";
  for (const auto& a : s.applications) {
    o << "candidate " << a.candidate_id << " " << domain::to_string(a.stage) << " "
      << domain::to_string(a.qualification) << " history:";
    for (auto h : a.history)
      o << " " << domain::to_string(h);
    o << " answers:";
    for (const auto& [g, ans] : a.answers)
      o << " " << g << "=" << domain::to_string(ans);
    if (a.score) o << " score " << *a.score;
    if (a.rank) o << " rank " << *a.rank;
    o << "\n";
  }
  return o.str();
}

inline std::string describe(const domain::Verdict& v) {
  std::ostringstream o;
  o << "overall " << domain::to_string(v.overall) << " phase " << domain::to_string(v.phase)
    << "\n";
  for (const auto& r : v.rules) {
    const auto& c = r.counts;
    o << r.rule << " " << domain::to_string(r.outcome) << " " << domain::to_string(r.severity)
      << " missing " << r.missing << " " << r.reason_code << " | applicants " << c.applicants
      << " in_group " << c.in_group << " unknown " << c.unknown_answer << " Q "
      << c.qualified_in_group << " N " << c.invited << " I " << c.invited_in_group << " R "
      << c.required << " proposed " << c.proposed << "\n";
  }
  return o.str();
}

}  // namespace mangfold::webcruiter::testing
