// Delivering a Message: the Mailer interface, SMTP through libcurl, and a spool folder of
// .eml files (the embedded default when no SMTP server is configured, DESIGN.md §6).
//
// Errors tell the outbox worker what to do (common/status.hpp):
//   kUnavailable         temporary: connection refused or reset, DNS, TLS, timeouts, SMTP
//                        4xx, authentication refused (a configuration fix is expected,
//                        so the mail waits), a full disk. Retry with backoff.
//   kFailedPrecondition  permanent for this message: SMTP 5xx to MAIL FROM, RCPT TO (every
//                        recipient refused) or DATA, e.g. 550 mailbox unavailable. Do not
//                        retry; dead-letter it.
// Messages name the SMTP code and curl's reason, never the message body.
//
// Thread-safety: send() may be called from several threads at once (each call uses its
// own connection or file).
#pragma once

#include <cstdint>
#include <string>

#include "connector/common/status.hpp"
#include "connector/notify/message.hpp"

namespace mangfold::notify {

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Delivers one message to its To and Cc recipients (Reply-To is only a header).
  virtual Status send(const Message& message) = 0;
};

struct SmtpOptions {
  // smtp://host[:port] (STARTTLS when the server offers it) or smtps://host[:port]
  // (TLS from the start). A path names the EHLO domain:
  // smtp://mail.example.org/mangfold.example.org
  std::string url;
  std::string username, password;  // AUTH when username is not empty
  bool require_starttls = false;   // smtp://: refuse to send in clear (CURLUSESSL_ALL)
  std::string ca_file;             // a CA bundle for the server's certificate; empty = system
  std::int64_t connect_timeout_ms = 10'000;  // TCP + TLS handshake
  std::int64_t timeout_ms = 60'000;          // the whole transaction
};

class SmtpMailer final : public Mailer {
 public:
  // kInvalidArgument when the URL is not smtp:// or smtps:// with a host, or a timeout is
  // not positive. Call at start-up to fail on bad config.
  static Status validate(const SmtpOptions& options);

  explicit SmtpMailer(SmtpOptions options);
  // One connection per message; recipients refused while others are accepted are
  // skipped (CURLOPT_MAIL_RCPT_ALLLOWFAILS), so a bad Cc does not stop the manager's mail.
  Status send(const Message& message) override;

 private:
  SmtpOptions options_;
};

// Writes each message as <dir>/<Message-ID without brackets>.eml: a temporary file in the
// same folder, fsync, then rename, so a reader never sees half a message. A message whose
// file exists already is not written again (same Message-ID, same message), so a retried
// send leaves one file. The folder is created when missing.
class SpoolMailer final : public Mailer {
 public:
  explicit SpoolMailer(std::string directory);
  Status send(const Message& message) override;
  // Where send() puts a message with this Message-ID.
  std::string path_for(std::string_view message_id) const;

 private:
  std::string directory_;
};

}  // namespace mangfold::notify
