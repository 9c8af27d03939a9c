// The built-in adapter for the connector's own event format (docs/native-format.md).
#pragma once

#include <memory>

#include "connector/domain/adapter.hpp"

namespace mangfold::native {

std::unique_ptr<domain::Adapter> make_native_adapter();

}  // namespace mangfold::native
