// The byte codecs moved to connector/common/codec.hpp (used by notify and the adapters too).
// This header keeps the old spelling, webhook::base64_encode and friends, working.
#pragma once

#include "connector/common/codec.hpp"

namespace mangfold::webhook {
using namespace mangfold::codec;  // NOLINT(google-build-using-namespace)
}  // namespace mangfold::webhook
