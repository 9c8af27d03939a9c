// `mangfold audit-feed FILE|URL --policy POLICY`: every ad in a Webcruiter advert feed,
// checked against the policy's ad rules (the §4.3 sentence, §4.1 mentions), as a table
// or JSON. Exit 0 when every ad complies, 1 when any does not, 2 when the feed or policy
// cannot be read.
#pragma once

#include <string>

namespace mangfold {
class HttpClient;
}

namespace mangfold::app {

struct AuditArgs {
  std::string source;  // a file, or an http(s) URL
  std::string policy;
  bool json = false;
};

int run_audit_feed(const AuditArgs& args, HttpClient* http);

}  // namespace mangfold::app
