// An email as the mailers send it, and its Internet Message Format (RFC 5322 + MIME).
//
// to_mime() writes multipart/alternative with a text/plain and a text/html part, both
// UTF-8 in quoted-printable; RFC 2047 encoded-words for non-ASCII subjects and display
// names; CRLF line ends, header lines folded below 78 octets where possible and never
// above 998. The output depends only on the Message (no clock, no randomness), so the
// same message renders to the same bytes: the MIME boundary comes from the Message-ID.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connector/common/status.hpp"

namespace mangfold::notify {

struct Address {
  std::string name;   // display name, UTF-8, may be empty
  std::string email;  // addr-spec, ASCII
};

struct Message {
  Address from;
  std::vector<Address> to, cc;
  std::optional<Address> reply_to;
  std::string subject;     // UTF-8, one line
  std::string text;        // the text/plain body, UTF-8, '\n' or CRLF line ends
  std::string html;        // the text/html body, UTF-8
  std::string message_id;  // with angle brackets: "<mf-…@example.org>"
  std::int64_t date = 0;   // unix seconds, for the Date header (written in UTC)
  std::string language;    // Content-Language, e.g. "nb"; empty = none
};

// The whole message, ready for SMTP DATA or an .eml file.
std::string to_mime(const Message& message);

// A plain mailbox address we will send to: ASCII local@domain.tld, no spaces, quotes,
// brackets or control characters, at most 254 octets.
bool is_valid_email(std::string_view address);

// "Kari Nordmann <kari@example.org>" or "kari@example.org" → Address. kInvalidArgument
// when there is no plausible address.
Result<Address> parse_address(std::string_view text);

// --- Building blocks, exposed for tests.

// An unstructured header value (Subject) as it goes after "Name: ": ASCII text as is,
// otherwise RFC 2047 "B" encoded-words of at most 75 octets, split on UTF-8 character
// boundaries and folded with CRLF SP. Control characters become spaces. `used` is the
// length already taken on the first line ("Subject: " = 9).
std::string encode_unstructured(std::string_view text, size_t used);

// One mailbox for From/To/Cc/Reply-To: `name <email>`, with the name quoted when it holds
// specials and encoded per RFC 2047 when it is not ASCII.
std::string format_mailbox(const Address& address);

// Quoted-printable (RFC 2045 §6.7) of UTF-8 text: line ends become CRLF, soft line breaks
// keep encoded lines at most 76 octets, trailing spaces and '=' are encoded.
std::string quoted_printable(std::string_view text);

// RFC 5322 date-time in UTC: "Mon, 02 Mar 2026 09:00:00 +0000".
std::string rfc5322_date(std::int64_t unix_seconds);

}  // namespace mangfold::notify
