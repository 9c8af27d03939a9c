#include "adapters/webcruiter_feed/feed.hpp"

#include <pugixml.hpp>

#include <cstring>

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

std::string text_of(const pugi::xml_node& parent, const std::string& name) {
  return parent.child(name.c_str()).text().as_string();
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
      f.job_types.emplace_back(t.text().as_string());
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
