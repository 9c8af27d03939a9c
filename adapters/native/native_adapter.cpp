#include "adapters/native/native_adapter.hpp"

#include "adapters/native/snapshot_json.hpp"

#include <utility>

namespace mangfold::native {

namespace {

class NativeAdapter final : public domain::Adapter {
 public:
  explicit NativeAdapter(ParseOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "native"; }

  Result<domain::InboundEvent> parse(const domain::InboundRequest& request) const override {
    Result<Event> event = parse_event(request.body, options_);
    if (!event.ok()) return event.status();
    domain::InboundEvent out;
    out.id = std::move(event->id);
    out.type = std::move(event->type);
    out.vacancy_id = event->snapshot.vacancy.id;
    out.snapshot = std::move(event->snapshot);
    return out;
  }

 private:
  const ParseOptions options_;
};

}  // namespace

std::unique_ptr<domain::Adapter> make_native_adapter(const InputLimits& limits,
                                                     std::vector<std::string> target_groups) {
  return std::make_unique<NativeAdapter>(ParseOptions{limits, std::move(target_groups)});
}

}  // namespace mangfold::native
