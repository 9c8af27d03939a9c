// `mangfold audit-feed FILE|URL --policy POLICY`: every ad in a Webcruiter advert feed,
// checked against the policy's ad rules (the §4.3 sentence, §4.1 mentions, excluding
// wording), as a table with a summary line per finding kind, or JSON. Exit 0 when every ad
// complies, 1 when any does not, 2 when the feed or policy cannot be read.
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
  // Report progress on stderr ("120/480 ads checked"); without it, a progress bar is drawn
  // on stderr only when both stdout and stderr are terminals.
  bool progress = false;
};

int run_audit_feed(const AuditArgs& args, HttpClient* http);

}  // namespace mangfold::app
