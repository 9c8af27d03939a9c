#include <doctest/doctest.h>

#include "adapters/webcruiter_feed/feed.hpp"
#include "tests/support/process.hpp"

using namespace mangfold;

TEST_CASE("the sample feed's ads are read with language, ids and unescaped HTML") {
  const std::string xml = testing::read_file(std::string(MANGFOLD_SOURCE_DIR) +
                                             "/tests/fixtures/webcruiter_feed/sample.xml");
  auto ads = webcruiter_feed::parse_feed(xml);
  REQUIRE(ads.ok());
  REQUIRE(ads->size() == 2);
  CHECK((*ads)[0].advert_id == "4100000001");
  CHECK((*ads)[0].ad.language == "nb");
  CHECK((*ads)[0].ad.body.rfind("<p>Flyktningtjenesten", 0) == 0);
  CHECK((*ads)[0].job_types == std::vector<std::string>{"Fast"});
  CHECK((*ads)[1].ad.language == "nn");
  CHECK((*ads)[1].title == "Renholdsoperatør - helgestillinger");
  CHECK((*ads)[1].deadline == "2026-10-20");
}

TEST_CASE("the Webcruiter namespace is found by its URI, not its prefix") {
  const std::string xml = R"(<rss version="2.0" xmlns:x="http://webcruiter.no/xml/"><channel>
    <x:culture_id>EN-GB</x:culture_id>
    <item><title>T</title><x:AdvertId>7</x:AdvertId><description>&lt;p&gt;Hi&lt;/p&gt;</description></item>
  </channel></rss>)";
  auto ads = webcruiter_feed::parse_feed(xml);
  REQUIRE(ads.ok());
  REQUIRE(ads->size() == 1);
  CHECK((*ads)[0].advert_id == "7");
  CHECK((*ads)[0].ad.language == "en");  // from the channel when the item has none
  CHECK((*ads)[0].ad.body == "<p>Hi</p>");
}

TEST_CASE("malformed XML and non-RSS documents are clear errors") {
  auto bad = webcruiter_feed::parse_feed("<rss><channel><item></channel>");
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().message().find("not well-formed") != std::string::npos);
  auto other = webcruiter_feed::parse_feed("<feed/>");
  CHECK_FALSE(other.ok());
  CHECK(other.status().message().find("not an RSS feed") != std::string::npos);
}
