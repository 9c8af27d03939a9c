// Email templates (mustache) in bokmål (nb), nynorsk (nn) and English (en), and the
// rendering of an outbox payload into a Message.
//
// A template set is, per language, for each template name (payload.hpp: shortfall,
// justification_missing, insufficient_data, ad_flagged, reminder, resolved):
//   <lang>/<name>.subject   one line; no HTML escaping
//   <lang>/<name>.txt       the text/plain body; no HTML escaping
//   <lang>/<name>.html      the text/html content; values HTML-escaped
// and <lang>/footer.txt, <lang>/footer.html (inserted as {{footer}}), layout.html (wraps
// the HTML content as {{{content}}}); `digest.*` per language for the daily digest. The built-ins
// (connector/notify/templates/, embedded at build time) document the variables in
// templates/README.md.
//
// Thread-safety: a Templates value is immutable after load; render() is const and safe
// to call from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"
#include "connector/notify/message.hpp"
#include "connector/notify/payload.hpp"

namespace mangfold::notify {

struct RenderedEmail {
  std::string subject, text, html;
};

class Templates {
 public:
  // The built-in set.
  static Templates builtin();
  // The built-ins, each replaced by the file of the same relative path under
  // `override_dir` when there is one (a tenant's own wording). Empty dir = built-ins.
  // Errors: kNotFound when the directory does not exist; kInvalidArgument naming the
  // file for a template that does not parse or exceeds 256 KiB; kUnavailable when a file
  // cannot be read.
  static Result<Templates> load(const std::string& override_dir);

  // Renders the payload's template in its language (nb for a language without templates).
  // kInvalidArgument for an unknown template name.
  Result<RenderedEmail> render(const Payload& payload) const;

  // The daily digest (templates `digest.*`) of `entries`, in digest_entries' order and all
  // to the same recipient (the first entry's addressing and language are used), dated
  // `date` (unix seconds). kInvalidArgument when entries is empty.
  Result<RenderedEmail> render_digest(const std::vector<Payload>& entries, std::int64_t date) const;

  // The text of a file of the set by relative path ("nb/digest.txt"); empty when absent.
  const std::string& file(const std::string& path) const;

  // Relative paths taken from the override directory, sorted (for the start-up log).
  const std::vector<std::string>& overridden() const { return overridden_; }

 private:
  std::map<std::string, std::string, std::less<>> files_;
  std::vector<std::string> overridden_;
};

// The Message for an outbox payload: rendered text, recipients from the payload, the
// given sender, Message-ID "<key@domain of from>", Date from the payload.
Result<Message> compose(const Payload& payload, const Templates& templates, const Address& from);

// The digest Message for `entries`, with Message-ID "<key@domain of from>", recipients
// from the first entry (cc: every entry's, once) and Date `date`.
Result<Message> compose_digest(const std::vector<Payload>& entries, std::string_view key,
                               std::int64_t date, const Templates& templates, const Address& from);

// The Message-ID for a payload key and a sender: "<mf-…@example.org>".
std::string message_id(std::string_view key, const Address& from);

}  // namespace mangfold::notify
