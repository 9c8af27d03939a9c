// The Webcruiter adapter (adapters/webcruiter) with the shipped example options: the webhook
// event through Adapter::parse, and the Candidate API's responses, which come from outside too.
// The first byte picks what the rest is (modulo 8): 0 and 7 event, 1 advert, 2 candidate page,
// 3 custom data, 4 the Hired Candidate API's list, 5 a process listing, 6 candidate statuses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "adapters/webcruiter/webcruiter_adapter.hpp"
#include "adapters/webcruiter/wire.hpp"
#include "connector/config/document.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using namespace mangfold;

struct Offline : HttpClient {
  Result<OutboundResponse> send(const OutboundRequest&) override { return unavailable("offline"); }
};

struct Setup {
  std::unique_ptr<domain::Adapter> adapter;
  webcruiter::Options options;
};

const Setup& setup() {
  static const Setup s = [] {
    Setup out;
    std::vector<config::Diagnostic> diagnostics;
    std::optional<config::Node> root = config::parse_document(
        fuzz::embedded("examples/webcruiter/mangfold.yaml"), "mangfold.yaml", diagnostics);
    const config::Node* options =
        root ? root->get("tenants") ? root->get("tenants")->get("oslo") : nullptr : nullptr;
    options = options ? options->get("adapter_options") : nullptr;
    if (options == nullptr) std::abort();
    // Secrets resolve to a fixed text: nothing is read from the disk.
    config::ReadFile read = [](const std::string&) -> Result<std::string> {
      return std::string("fuzz-secret");
    };
    webcruiter::AdapterDeps deps;
    deps.http = std::make_shared<Offline>();
    deps.now_unix = [] { return std::int64_t{1'800'000'000}; };
    deps.read_file = read;
    out.adapter = webcruiter::make_webcruiter_adapter(*options, "tenants.oslo.adapter_options",
                                                      std::move(deps), diagnostics);
    std::optional<webcruiter::Options> decoded =
        webcruiter::decode_options(*options, "tenants.oslo.adapter_options", read, diagnostics);
    if (!out.adapter || !decoded) std::abort();
    out.options = std::move(*decoded);
    return out;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Setup& s = setup();
  const std::string_view body = fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 8) {
    case 0:
    case 7: {
      const domain::InboundRequest request{
          body, [](std::string_view) -> std::optional<std::string_view> { return std::nullopt; }};
      Result<domain::InboundEvent> event = s.adapter->parse(request);
      if (!event.ok()) {
        fuzz::require_client_error(event.status(), "webcruiter parse");
      } else if (event->snapshot) {
        fuzz::evaluate_like_the_server(fuzz::shipped_policy("policies/oslo.yaml"),
                                       *event->snapshot);
      }
      break;
    }
    case 1:
      (void)webcruiter::parse_advert_response(body, "advert", s.options);
      break;
    case 2:
      (void)webcruiter::parse_candidates_response(body, "candidates page 1", s.options);
      break;
    case 3: {
      domain::Application application;
      (void)webcruiter::parse_custom_data_response(body, "custom data", s.options, application);
      break;
    }
    case 4:
      if (Result<webcruiter::HiredPage> page =
              webcruiter::parse_hired_response(body, "hired", s.options);
          page.ok())
        for (const webcruiter::Hire& h : page->hires)
          if (h.candidate_id.empty() || h.advert_id.empty()) std::abort();
      break;
    case 5:
      if (Result<webcruiter::ProcessPage> page =
              webcruiter::parse_processes_response(body, "processes", s.options);
          page.ok())
        for (const std::string& id : page->advert_ids)
          if (id.empty() || id.size() > 200) std::abort();
      break;
    case 6:
      (void)webcruiter::parse_statuses_response(body, "statuses", s.options);
      break;
  }
  return 0;
}
