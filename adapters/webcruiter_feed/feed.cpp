#include "adapters/webcruiter_feed/feed.hpp"

#include <pugixml.hpp>

#include <cstring>
#include <string_view>

namespace mangfold::webcruiter_feed {

namespace {

constexpr const char* kWebcruiterNs = "http://webcruiter.no/xml/";

// The prefix bound to the Webcruiter namespace on the root element ("wc" in practice).
std::string webcruiter_prefix(const pugi::xml_node& root) {
  for (const pugi::xml_attribute& a : root.attributes()) {
    const std::string_view name = a.name();
    if (name.rfind("xmlns:", 0) == 0 && std::strcmp(a.value(), kWebcruiterNs) == 0)
      return std::string(name.substr(6));
  }
  return "wc";
}

// The length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, at most
// U+10FFFF) at the start of `s`, or 0.
std::size_t utf8_sequence(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b = byte(0);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < n || byte(1) < lo || byte(1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  return n;
}

// pugixml passes the bytes of a UTF-8 document through unchecked, and a feed from the internet
// may hold anything: every byte that is not part of valid UTF-8 becomes U+FFFD, so that the ads
// can be printed and written as JSON (audit-feed --json).
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const std::size_t n = utf8_sequence(s);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      s.remove_prefix(1);
    } else {
      out.append(s.substr(0, n));
      s.remove_prefix(n);
    }
  }
  return out;
}

std::string text_of(const pugi::xml_node& parent, const std::string& name) {
  return valid_utf8(parent.child(name.c_str()).text().as_string());
}

}  // namespace

Result<std::vector<FeedAd>> parse_feed(std::string_view xml) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed)
    return invalid_argument(std::string("the feed is not well-formed XML: ") +
                            parsed.description() + " at byte " + std::to_string(parsed.offset));
  const pugi::xml_node rss = doc.child("rss");
  const pugi::xml_node channel = rss.child("channel");
  if (!rss || !channel) return invalid_argument("not an RSS feed: no <rss><channel>");
  const std::string wc = webcruiter_prefix(rss) + ":";
  const std::string channel_culture = text_of(channel, wc + "culture_id");

  std::vector<FeedAd> ads;
  for (const pugi::xml_node& item : channel.children("item")) {
    FeedAd f;
    f.advert_id = text_of(item, wc + "AdvertId");
    f.title = text_of(item, "title");
    f.link = text_of(item, "link");
    f.company = text_of(item, wc + "company_name");
    f.deadline = text_of(item, wc + "apply_within_date");
    // pugixml's named iterators keep the name's pointer: the strings must outlive the loop.
    const std::string collection = wc + "JOB_TYPE_COLLECTION", entry = wc + "Item";
    for (const pugi::xml_node& t : item.child(collection.c_str()).children(entry.c_str()))
      f.job_types.push_back(valid_utf8(t.text().as_string()));
    std::string culture = text_of(item, wc + "Culture_Id");
    if (culture.empty()) culture = channel_culture;
    f.ad.language = domain::language_from_culture(culture);
    f.ad.format = domain::AdFormat::kHtml;
    // The ad as published: the lead text (HTML, entity-escaped in the feed, which the XML
    // parser has already unescaped) and the free-text section.
    f.ad.body = text_of(item, "description");
    const std::string free_text = text_of(item, wc + "AdvertTextFree");
    if (!free_text.empty()) f.ad.body += free_text;
    ads.push_back(std::move(f));
  }
  return ads;
}

}  // namespace mangfold::webcruiter_feed
