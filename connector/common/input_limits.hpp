// The one budget every reader of outside input works within: JSON from ATS webhooks and
// APIs, and the HTML of job ads. Past a limit a document is refused (JSON: 422 naming
// where) or, for an ad, flagged for a human as "cannot be read safely"; nothing recurses,
// allocates or loops in proportion to a hostile input's nesting beyond these numbers.
// The defaults are far above anything a real ATS sends (Webcruiter events nest about 6
// deep, ads about 20) and can be changed in the service config (`limits:`,
// docs/configuration.md). A plain value; copy it freely.
#pragma once

#include <cstddef>

namespace mangfold {

struct InputLimits {
  // JSON arrays and objects open at once. Deeper documents are refused.
  int json_max_depth = 64;
  // JSON values (scalars, arrays, objects, object keys not counted) in one document.
  std::size_t json_max_values = 2'000'000;
  // HTML elements open at once in a job ad (void elements and those whose end tag may be
  // left out, such as <p> and <li>, are not counted). Deeper ads are flagged, not read.
  int html_max_depth = 256;
  // HTML tags (start and end) in one job ad. More is flagged, not read.
  std::size_t html_max_tags = 50'000;
};

}  // namespace mangfold
