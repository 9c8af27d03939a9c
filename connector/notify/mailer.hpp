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

// Whenever the connection is encrypted (smtps://, or after STARTTLS) it is TLS 1.2 or newer and
// the server's certificate and host name are verified (against ca_file when set); a certificate
// that does not verify fails the send, it never falls back to clear text.
struct SmtpOptions {
  // smtp://host[:port] (STARTTLS, see below) or smtps://host[:port] (TLS from the start). A path
  // names the EHLO domain: smtp://mail.example.org/mangfold.example.org
  std::string url;
  std::string username, password;  // AUTH when username is not empty
  // smtp:// only. starttls: upgrade with STARTTLS when the server offers it (false: never, the
  // whole session in clear). require_starttls: refuse to send when the server does not offer it.
  bool starttls = true;
  bool require_starttls = false;
  // Credentials are never sent over an unencrypted connection: with a username, STARTTLS is
  // required (as if require_starttls) unless this is set. validate() refuses a username with
  // starttls off unless this is set.
  bool allow_plain_auth = false;
  std::string ca_file;  // a CA bundle for the server's certificate, instead of the system's
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
