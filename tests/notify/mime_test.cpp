// MIME output: RFC 2047 encoded-words, quoted-printable, folding, CRLF, structure and
// determinism; the SHA-256 behind the Message-IDs.
#include <doctest/doctest.h>

#include <sstream>

#include "connector/notify/message.hpp"
#include "connector/notify/sha256.hpp"

namespace mangfold::notify {
namespace {

std::string base64_decode(std::string_view in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : in) {
    if (c == '=') break;
    const size_t v = kAlphabet.find(c);
    REQUIRE(v != std::string::npos);
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80         ? 1
                       : (c >> 5) == 6  ? 2
                       : (c >> 4) == 14 ? 3
                       : (c >> 3) == 30 ? 4
                                        : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

// Decodes a header value made of B encoded-words separated by folding white space, and
// checks each word on its own: at most 75 octets, decoding to whole UTF-8 characters.
std::string decode_words(std::string value) {
  std::string out;
  size_t pos = 0;
  while ((pos = value.find("=?UTF-8?B?", pos)) != std::string::npos) {
    const size_t end = value.find("?=", pos + 10);
    REQUIRE(end != std::string::npos);
    const std::string word = value.substr(pos, end + 2 - pos);
    CHECK(word.size() <= 75);
    const std::string decoded = base64_decode(value.substr(pos + 10, end - pos - 10));
    CHECK(valid_utf8(decoded));
    out += decoded;
    pos = end + 2;
  }
  return out;
}

std::vector<std::string> crlf_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find("\r\n", start);
    if (end == std::string::npos) {
      if (start < text.size()) lines.push_back(text.substr(start));
      return lines;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 2;
  }
}

Message sample() {
  Message m;
  m.from = {"Mangfold Connector", "mangfold@oslo.example.no"};
  m.to = {{"Kåre Ødegård", "kare.odegard@oslo.example.no"}};
  m.cc = {{"", "mangfold@oslo.example.no"}, {"Nordmann, Kari", "kari@oslo.example.no"}};
  m.reply_to = Address{"", "hr@oslo.example.no"};
  m.subject = "Intervjuordningen er ikke oppfylt – Rådgiver i økonomiavdelingen";
  m.text = "Hei Kåre,\n\nStillingen «Rådgiver» oppfyller ikke intervjuordningen ennå.\n=slutt \n";
  m.html = "<p>Hei Kåre,</p>\n<p>Stillingen <strong>«Rådgiver»</strong></p>\n";
  m.message_id = "<mf-0123456789abcdef0123456789abcdef@oslo.example.no>";
  m.date = 1772442000;
  m.language = "nb";
  return m;
}

TEST_CASE(
    "quoted-printable encodes UTF-8, '=' and trailing white space, and soft-breaks long lines") {
  CHECK(quoted_printable("æøå ÆØÅ") == "=C3=A6=C3=B8=C3=A5 =C3=86=C3=98=C3=85");
  CHECK(quoted_printable("a=b") == "a=3Db");
  CHECK(quoted_printable("end \nnext\t\r\nlast ") == "end=20\r\nnext=09\r\nlast=20");
  CHECK(quoted_printable("a\rb") == "a=0Db");
  const std::string long_line(200, 'x');
  const std::string encoded = quoted_printable(long_line + "ø");
  for (const std::string& line : crlf_lines(encoded))
    CHECK(line.size() <= 76);
  // Removing the soft breaks gives back the text.
  std::string joined;
  for (const std::string& line : crlf_lines(encoded))
    joined += line.back() == '=' ? line.substr(0, line.size() - 1) : line;
  CHECK(joined == long_line + "=C3=B8");
  // An escape is never cut by a soft break.
  const std::string many = quoted_printable(std::string(100, '\xff'));
  for (const std::string& line : crlf_lines(many)) {
    const std::string body = line.back() == '=' ? line.substr(0, line.size() - 1) : line;
    CHECK(body.size() % 3 == 0);
  }
}

TEST_CASE("RFC 2047: ASCII subjects stay readable, others become UTF-8 encoded-words") {
  CHECK(encode_unstructured("Interview scheme not met", 9) == "Interview scheme not met");
  const std::string nb = "Intervjuordningen er ikke oppfylt – Rådgiver i økonomiavdelingen";
  const std::string encoded = encode_unstructured(nb, 9);
  CHECK(encoded.rfind("=?UTF-8?B?", 0) == 0);
  CHECK(decode_words(encoded) == nb);
  // Folded: every physical line within 78 octets, continuation lines start with a space.
  const std::vector<std::string> lines = crlf_lines(encoded);
  CHECK(lines.size() >= 2);
  CHECK(9 + lines[0].size() <= 78);
  for (size_t i = 1; i < lines.size(); ++i) {
    CHECK(lines[i].front() == ' ');
    CHECK(lines[i].size() <= 78);
  }
  // A long run of two-byte letters is never cut inside a letter.
  const std::string letters = [] {
    std::string s;
    for (int i = 0; i < 100; ++i)
      s += "æøå";
    return s;
  }();
  CHECK(decode_words(encode_unstructured(letters, 9)) == letters);
  // Text that looks like an encoded-word is encoded, so readers do not decode it.
  CHECK(decode_words(encode_unstructured("=?UTF-8?B?aGk=?=", 9)) == "=?UTF-8?B?aGk=?=");
  // Long ASCII folds at spaces.
  std::string words;
  for (int i = 0; i < 30; ++i)
    words += "word" + std::to_string(i) + " ";
  words.pop_back();
  for (const std::string& line : crlf_lines(encode_unstructured(words, 9)))
    CHECK(line.size() <= 78);
}

TEST_CASE("a CR or LF in a header value cannot start a new header") {
  Message m = sample();
  m.subject = "Hello\r\nBcc: victim@example.org";
  m.to[0].name = "Kari\nBcc: other@example.org";
  const std::string mime = to_mime(m);
  for (const std::string& line : crlf_lines(mime))
    CHECK(line.rfind("Bcc:", 0) != 0);
  CHECK(mime.find("Subject: Hello  Bcc: victim@example.org\r\n") != std::string::npos);
}

TEST_CASE("mailboxes: plain, quoted or encoded display names") {
  CHECK(format_mailbox({"", "kari@example.org"}) == "kari@example.org");
  CHECK(format_mailbox({"Kari Nordmann", "kari@example.org"}) ==
        "Kari Nordmann <kari@example.org>");
  CHECK(format_mailbox({"Nordmann, Kari", "kari@example.org"}) ==
        "\"Nordmann, Kari\" <kari@example.org>");
  CHECK(format_mailbox({"Kari \"K\" N.", "kari@example.org"}) ==
        "\"Kari \\\"K\\\" N.\" <kari@example.org>");
  const std::string encoded = format_mailbox({"Kåre Ødegård", "kare@example.org"});
  CHECK(encoded.rfind("=?UTF-8?B?", 0) == 0);
  CHECK(encoded.substr(encoded.size() - 19) == " <kare@example.org>");
  CHECK(decode_words(encoded) == "Kåre Ødegård");
}

TEST_CASE("parse_address reads the configured sender") {
  auto a = parse_address("Mangfold Connector <mangfold@oslo.example.no>");
  REQUIRE(a.ok());
  CHECK(a->name == "Mangfold Connector");
  CHECK(a->email == "mangfold@oslo.example.no");
  a = parse_address("  \"Oslo kommune, HR\" <hr@oslo.example.no> ");
  REQUIRE(a.ok());
  CHECK(a->name == "Oslo kommune, HR");
  a = parse_address("hr@oslo.example.no");
  REQUIRE(a.ok());
  CHECK(a->name.empty());
  CHECK(parse_address("Mangfold <localhost>").status().code() == StatusCode::kInvalidArgument);
  CHECK_FALSE(parse_address("").ok());
}

TEST_CASE("Date is RFC 5322 in UTC") {
  CHECK(rfc5322_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(rfc5322_date(1772442000) == "Mon, 02 Mar 2026 09:00:00 +0000");
}

TEST_CASE("to_mime: multipart/alternative with both parts, CRLF, short lines, deterministic") {
  const Message m = sample();
  const std::string mime = to_mime(m);
  CHECK(mime == to_mime(m));
  // CRLF only, every line within 998 octets (78 for headers here).
  for (size_t i = 0; i < mime.size(); ++i)
    if (mime[i] == '\n') REQUIRE((i > 0 && mime[i - 1] == '\r'));
  for (const std::string& line : crlf_lines(mime))
    CHECK(line.size() <= 998);
  const size_t header_end = mime.find("\r\n\r\n");
  REQUIRE(header_end != std::string::npos);
  const std::string headers = mime.substr(0, header_end + 2);
  for (const std::string& line : crlf_lines(headers))
    CHECK(line.size() <= 78);
  for (const char* name :
       {"Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n",
        "\r\nFrom: Mangfold Connector <mangfold@oslo.example.no>\r\n", "\r\nTo: =?UTF-8?B?",
        "\r\nCc: mangfold@oslo.example.no,", "\"Nordmann, Kari\" <kari@oslo.example.no>\r\n",
        "\r\nReply-To: hr@oslo.example.no\r\n", "\r\nSubject: =?UTF-8?B?",
        "\r\nMessage-ID: <mf-0123456789abcdef0123456789abcdef@oslo.example.no>\r\n",
        "\r\nMIME-Version: 1.0\r\n", "\r\nContent-Language: nb\r\n",
        "\r\nContent-Type: multipart/alternative;\r\n boundary=\"=_mf_"})
    CHECK_MESSAGE(headers.find(name) != std::string::npos, name);
  // The boundary: in the header, before each part and closing.
  const size_t b = headers.find("boundary=\"") + 10;
  const std::string boundary = headers.substr(b, headers.find('"', b) - b);
  CHECK(boundary.rfind("=_mf_", 0) == 0);
  const std::string body = mime.substr(header_end + 4);
  size_t count = 0;
  for (size_t p = 0; (p = body.find("--" + boundary, p)) != std::string::npos; p += boundary.size())
    ++count;
  CHECK(count == 3);
  CHECK(body.find("\r\n--" + boundary + "--\r\n") != std::string::npos);
  const size_t plain = body.find(
      "Content-Type: text/plain; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
  const size_t html = body.find(
      "Content-Type: text/html; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
  REQUIRE(plain != std::string::npos);
  REQUIRE(html != std::string::npos);
  CHECK(plain < html);
  CHECK(body.find("Hei K=C3=A5re,\r\n\r\nStillingen =C2=ABR=C3=A5dgiver=C2=BB") !=
        std::string::npos);
  CHECK(body.find("=3Dslutt=20\r\n") != std::string::npos);
  // A different Message-ID, a different boundary.
  Message other = m;
  other.message_id = "<mf-ffff@oslo.example.no>";
  CHECK(to_mime(other).find(boundary) == std::string::npos);
}

TEST_CASE("SHA-256 matches the FIPS 180-4 vectors across block boundaries") {
  CHECK(detail::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(detail::sha256_hex("") ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(detail::sha256_hex(std::string(55, 'a')) ==
        "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(detail::sha256_hex(std::string(56, 'a')) ==
        "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(detail::sha256_hex(std::string(64, 'a')) ==
        "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  CHECK(detail::sha256_hex(std::string(1000, 'a')) ==
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  CHECK(detail::sha256_hex("abc", 4) == "ba7816bf");
}

}  // namespace
}  // namespace mangfold::notify
