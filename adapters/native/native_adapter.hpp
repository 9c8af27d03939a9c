// The built-in adapter for the connector's own event format (docs/native-format.md).
#pragma once

#include <memory>

#include "connector/common/input_limits.hpp"
#include "connector/domain/adapter.hpp"

namespace mangfold::native {

// Every event is read within `limits` (adapters/common/json_reader.hpp).
std::unique_ptr<domain::Adapter> make_native_adapter(const InputLimits& limits = {});

}  // namespace mangfold::native
