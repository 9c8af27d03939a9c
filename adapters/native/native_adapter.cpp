#include "adapters/native/native_adapter.hpp"

#include "adapters/native/snapshot_json.hpp"

namespace mangfold::native {

namespace {

class NativeAdapter final : public domain::Adapter {
 public:
  std::string_view name() const override { return "native"; }

  Result<domain::InboundEvent> parse(const domain::InboundRequest& request) const override {
    Result<Event> event = parse_event(request.body);
    if (!event.ok()) return event.status();
    return domain::InboundEvent{std::move(event->id), std::move(event->type), std::move(event->snapshot)};
  }
};

}  // namespace

std::unique_ptr<domain::Adapter> make_native_adapter() { return std::make_unique<NativeAdapter>(); }

}  // namespace mangfold::native
