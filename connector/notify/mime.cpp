#include <time.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "connector/notify/message.hpp"
#include "connector/notify/sha256.hpp"
#include "connector/webhook/codec.hpp"

namespace mangfold::notify {

namespace {

constexpr size_t kLineGoal = 78;  // RFC 5322 §2.1.1: SHOULD; 998 is the MUST

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x80; });
}

// Header values come from an ATS and a policy file: a CR or LF in them must never end the
// header (header injection), so every control character becomes a space.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

// Standard base64 with padding (OpenSSL, through the webhook codec).
std::string base64(std::string_view in) {
  return webhook::base64_encode(in);
}

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Encoded-words for `text`, each at most `first_room` (then `room`) octets long, cut only
// between UTF-8 characters so that every word decodes on its own (RFC 2047 §5).
std::vector<std::string> encoded_words(std::string_view text, size_t first_room, size_t room) {
  static constexpr std::string_view kOpen = "=?UTF-8?B?", kClose = "?=";
  std::vector<std::string> words;
  while (!text.empty()) {
    // RFC 2047 §2: an encoded-word is at most 75 characters, whatever room the line has.
    const size_t space = std::min<size_t>(words.empty() ? first_room : room, 75);
    const size_t overhead = kOpen.size() + kClose.size();
    // Base64 turns 3 octets into 4 characters; at least one character per word.
    size_t take = space > overhead + 4 ? (space - overhead) / 4 * 3 : 3;
    take = std::min(take, text.size());
    size_t cut = take;
    while (cut > 0 && cut < text.size() && is_continuation(static_cast<unsigned char>(text[cut])))
      --cut;
    if (cut == 0) cut = take;  // not UTF-8 anyway: cut where it fits
    words.push_back(std::string(kOpen) + base64(text.substr(0, cut)) + std::string(kClose));
    text.remove_prefix(cut);
  }
  return words;
}

// An ASCII phrase that may go into a header as atoms, without quoting.
bool is_atom_phrase(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == ' ' ||
           std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
  });
}

// "Name: " + items joined with ",", folded before an item that would overrun the goal.
std::string header_list(std::string_view name, const std::vector<std::string>& items) {
  std::string out = std::string(name) + ": ";
  size_t column = out.size();
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& item = items[i];
    if (i > 0) {
      out += ',';
      ++column;
      const size_t first = item.find("\r\n");
      const size_t len = first == std::string::npos ? item.size() : first;
      if (column + 1 + len > kLineGoal) {
        out += "\r\n";
        column = 0;
      }
      out += ' ';
      ++column;
    }
    out += item;
    const size_t last = item.rfind("\r\n");
    column = last == std::string::npos ? column + item.size() : item.size() - last - 2;
  }
  return out + "\r\n";
}

}  // namespace

bool is_valid_email(std::string_view a) {
  if (a.empty() || a.size() > 254) return false;
  const size_t at = a.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || a.find('@', at + 1) != a.npos)
    return false;
  const std::string_view local = a.substr(0, at), domain = a.substr(at + 1);
  for (unsigned char c : a) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (std::string_view("\"(),:;<>[\\]").find(static_cast<char>(c)) != std::string_view::npos)
      return false;
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != local.npos) return false;
  const size_t dot = domain.rfind('.');
  if (dot == domain.npos || dot == 0 || dot + 1 == domain.size()) return false;
  if (domain.find("..") != domain.npos || domain.front() == '-' || domain.back() == '-')
    return false;
  for (unsigned char c : domain)
    if (!std::isalnum(c) && c != '-' && c != '.') return false;
  return true;
}

Result<Address> parse_address(std::string_view text) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
      s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
      s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  Address a;
  const size_t open = text.rfind('<');
  if (open != std::string_view::npos && text.back() == '>') {
    a.email = std::string(trim(text.substr(open + 1, text.size() - open - 2)));
    std::string_view name = trim(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    a.name = one_line(name);
  } else {
    a.email = std::string(text);
  }
  if (!is_valid_email(a.email))
    return invalid_argument("not a usable email address: '" + one_line(text) + "'");
  return a;
}

std::string encode_unstructured(std::string_view raw, size_t used) {
  const std::string text = one_line(raw);
  // ASCII text that happens to look like an encoded-word would be decoded by readers;
  // encode it too.
  bool plain = is_ascii(text) && text.find("=?") == std::string::npos;
  // A word too long to fold would break the 998-octet limit: encoded-words can be cut.
  for (size_t start = 0; plain && start < text.size();) {
    const size_t end = std::min(text.find(' ', start), text.size());
    plain = end - start < 900;
    start = end + 1;
  }
  if (plain) {
    // Fold at spaces so that lines stay near the goal.
    std::string out;
    size_t column = used, start = 0;
    while (start < text.size()) {
      size_t end = text.find(' ', start + 1);
      if (end == std::string::npos) end = text.size();
      const std::string_view word(text.data() + start, end - start);
      if (column + word.size() > kLineGoal && column > 1 && word.front() == ' ') {
        out += "\r\n";
        column = 0;
      }
      out += word;
      column += word.size();
      start = end;
    }
    return out;
  }
  const size_t first_room = used < kLineGoal - 16 ? kLineGoal - used : 16;
  const std::vector<std::string> words = encoded_words(text, first_room, kLineGoal - 1);
  std::string out;
  for (size_t i = 0; i < words.size(); ++i)
    out += (i ? "\r\n " : "") + words[i];
  return out;
}

std::string format_mailbox(const Address& a) {
  const std::string email = one_line(a.email);
  const std::string name = one_line(a.name);
  if (name.empty()) return email;
  std::string phrase;
  if (!is_ascii(name) || name.find("=?") != std::string::npos) {
    const std::vector<std::string> words = encoded_words(name, 60, kLineGoal - 1);
    for (size_t i = 0; i < words.size(); ++i)
      phrase += (i ? "\r\n " : "") + words[i];
  } else if (is_atom_phrase(name)) {
    phrase = name;
  } else {
    phrase = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') phrase += '\\';
      phrase += c;
    }
    phrase += '"';
  }
  return phrase + " <" + email + ">";
}

std::string quoted_printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  size_t column = 0;
  auto emit = [&](std::string_view piece) {
    // A soft line break keeps every encoded line at most 76 octets, "=" included.
    if (column + piece.size() > 75) {
      out += "=\r\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      if (c == '\r') ++i;
      out += "\r\n";
      column = 0;
      continue;
    }
    const bool line_end = i + 1 == text.size() || text[i + 1] == '\n' ||
                          (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n');
    const bool literal =
        (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end);
    if (literal) {
      const char ch = static_cast<char>(c);
      emit(std::string_view(&ch, 1));
    } else {
      const char escaped[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      emit(std::string_view(escaped, 3));
    }
  }
  return out;
}

std::string rfc5322_date(std::int64_t unix_seconds) {
  // Written by hand: strftime's %a and %b follow the process locale, RFC 5322 wants English.
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday % 7],
           tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
           tm.tm_sec);
  return buf;
}

std::string to_mime(const Message& m) {
  std::string out;
  out += "Date: " + rfc5322_date(m.date) + "\r\n";
  out += header_list("From", {format_mailbox(m.from)});
  std::vector<std::string> to, cc;
  for (const Address& a : m.to)
    to.push_back(format_mailbox(a));
  for (const Address& a : m.cc)
    cc.push_back(format_mailbox(a));
  out += header_list("To", to);
  if (!cc.empty()) out += header_list("Cc", cc);
  if (m.reply_to) out += header_list("Reply-To", {format_mailbox(*m.reply_to)});
  out += "Subject: " + encode_unstructured(m.subject, 9) + "\r\n";
  out += "Message-ID: " + one_line(m.message_id) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (!m.language.empty()) out += "Content-Language: " + one_line(m.language) + "\r\n";
  // RFC 3834: tells auto-responders (vacation replies) not to answer.
  out += "Auto-Submitted: auto-generated\r\n";
  // Quoted-printable never yields "=_" ('=' is always followed by two hex digits or a line
  // break), so a boundary starting with it cannot occur inside a part.
  const std::string boundary = "=_mf_" + detail::sha256_hex(m.message_id, 12);
  out += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n";
  out += "\r\n";
  out += "This is a multi-part message in MIME format.\r\n";
  auto part = [&](std::string_view type, std::string_view body) {
    out += "\r\n--" + boundary + "\r\n";
    out += "Content-Type: " + std::string(type) + "; charset=UTF-8\r\n";
    out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    out += quoted_printable(body);
  };
  part("text/plain", m.text);
  part("text/html", m.html);
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

}  // namespace mangfold::notify
