// The one interface every ATS adapter implements (adapters/<name>/).
//
// An adapter turns an inbound webhook request, already verified, into a domain event:
// an event id and the vacancy's current snapshot. The core never includes an adapter's
// header; connector/app wires adapters by name. Implementations are immutable after
// construction and thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "connector/common/status.hpp"
#include "connector/domain/vacancy.hpp"

namespace mangfold::domain {

struct InboundRequest {
  std::string_view body;
  // Header value by name (case-insensitive), or nullopt.
  std::function<std::optional<std::string_view>(std::string_view)> header;
};

struct InboundEvent {
  std::string id;    // the sender's event id; empty when the request carries none in its body
  std::string type;  // informational
  Snapshot snapshot;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string_view name() const = 0;
  // kInvalidArgument for a malformed body, kUnprocessable for one that does not map to
  // the domain. Messages name the failing field, never quote its value.
  virtual Result<InboundEvent> parse(const InboundRequest& request) const = 0;
};

}  // namespace mangfold::domain
