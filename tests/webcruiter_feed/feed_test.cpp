#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

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

TEST_CASE("bytes that are not UTF-8 become U+FFFD, so that audit-feed can write the ads as JSON") {
  // Found by fuzz/webcruiter_feed.cpp: `mangfold audit-feed --json` aborted on such a feed.
  const std::string xml =
      "<rss xmlns:wc=\"http://webcruiter.no/xml/\"><channel><item>"
      "<title>R\xff"
      "dgiver \xc3\xa6\xc3</title><link>h\xed\xa0\x80</link>"
      "<wc:AdvertId>7\xc0\xaf</wc:AdvertId><wc:JOB_TYPE_COLLECTION>"
      "<wc:Item>F\xf4\x90\x80\x80</wc:Item></wc:JOB_TYPE_COLLECTION>"
      "<description>\xe2\x82</description></item></channel></rss>";
  auto ads = webcruiter_feed::parse_feed(xml);
  REQUIRE(ads.ok());
  REQUIRE(ads->size() == 1);
  const webcruiter_feed::FeedAd& ad = (*ads)[0];
  CHECK(ad.title ==
        "R\xef\xbf\xbd"
        "dgiver \xc3\xa6\xef\xbf\xbd");                       // valid æ kept
  CHECK(ad.link == "h\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate
  CHECK(ad.advert_id == "7\xef\xbf\xbd\xef\xbf\xbd");         // an overlong '/'
  CHECK(ad.job_types ==
        std::vector<std::string>{"F\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"});
  CHECK(ad.ad.body == "\xef\xbf\xbd\xef\xbf\xbd");  // a truncated sequence
  const nlohmann::json fields = {
      {"advert_id", ad.advert_id}, {"title", ad.title}, {"link", ad.link}};
  CHECK_NOTHROW((void)fields.dump(2));
}
