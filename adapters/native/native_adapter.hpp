// The built-in adapter for the connector's own event format (docs/native-format.md).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connector/common/input_limits.hpp"
#include "connector/domain/adapter.hpp"

namespace mangfold::native {

// Every event is read within `limits` (adapters/common/json_reader.hpp). `target_groups` are
// the names the tenant's policy declares: an answer for any other name is refused (422).
std::unique_ptr<domain::Adapter> make_native_adapter(const InputLimits& limits = {},
                                                     std::vector<std::string> target_groups = {});

}  // namespace mangfold::native
