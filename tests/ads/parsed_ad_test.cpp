// ParsedAd and VisibleText: reading an ad once gives the answers the body functions give.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/ads/ad_test_support.hpp"

namespace ads = mangfold::ads;

namespace {

ads::AdFormat format_of(const std::string& file) {
  return file.ends_with(".txt") ? ads::AdFormat::kText : ads::AdFormat::kHtml;
}

const std::vector<ads::Topic>& topics() {
  static const std::vector<ads::Topic> kTopics = {
      {"diversity", {"mangfold*", "mangfald*", "diversity"}},
      {"apply", {"søk*", "apply"}},
      {"nothing", {"zyxxy"}},
  };
  return kTopics;
}

void check_same(const mangfold::Result<ads::Injection>& a,
                const mangfold::Result<ads::Injection>& b) {
  REQUIRE(a.ok() == b.ok());
  if (!a.ok()) {
    CHECK(a.status().code() == b.status().code());
    CHECK(a.status().message() == b.status().message());
    return;
  }
  CHECK(a->body == b->body);
  CHECK(a->changed == b->changed);
  CHECK(a->offset == b->offset);
  CHECK(a->length == b->length);
  CHECK(a->anchor == b->anchor);
}

}  // namespace

TEST_CASE("one ParsedAd answers every question as the body functions do, across the corpus") {
  for (const ads_test::Case& c : ads_test::manifest()) {
    CAPTURE(c.file);
    const std::string body = ads_test::read_file(ads_test::fixture_dir() + c.file);
    const ads::AdFormat format = format_of(c.file);
    const ads::ParsedAd parsed(body, format);
    CHECK(parsed.body().data() == body.data());
    CHECK(parsed.format() == format);
    CHECK(parsed.visible_text().folded() == ads::visible_text(body, format));
    CHECK(ads::VisibleText(body, format).folded() == ads::visible_text(body, format));
    CHECK(ads::missing_topics(parsed.visible_text(), topics()) ==
          ads::missing_topics(body, format, topics()));
    // Every language's sentence from the same parse: the tree is only read, never changed.
    for (const auto& [language, spec] : ads_test::specs()) {
      CAPTURE(language);
      const ads::Detection from_text = ads::detect_sentence(parsed.visible_text(), spec);
      const ads::Detection from_body = ads::detect_sentence(body, format, spec);
      CHECK(from_text.present == from_body.present);
      CHECK(from_text.matched == from_body.matched);
      for (const ads::Anchor& anchor : {ads_test::anchor(), ads::Anchor{}}) {
        check_same(ads::inject_sentence(parsed, spec, anchor),
                   ads::inject_sentence(body, format, spec, anchor));
      }
    }
  }
}

// Offsets and lengths produced by the implementation that parsed each ad four times
// (before ParsedAd), for each ad's own language and the test anchor: reading the ad once
// must not move a single byte. 0, 0: the sentence is present and nothing is inserted.
TEST_CASE("injection offsets are those of the implementation before ParsedAd") {
  const std::map<std::string, std::pair<std::size_t, std::size_t>> pinned = {
      {"01_fragment_sections.nb.html", {633, 81}},
      {"02_full_document.nb.html", {880, 81}},
      {"03_wrapper_no_anchor.nb.html", {641, 81}},
      {"04_nynorsk_anchor.nn.html", {394, 80}},
      {"05_english_h2.en.html", {498, 79}},
      {"06_sentence_present.nb.html", {0, 0}},
      {"07_split_across_tags.nb.html", {0, 0}},
      {"08_sentence_in_comment.nb.html", {279, 81}},
      {"09_script_style_template.nb.html", {424, 81}},
      {"10_equivalent_wording.nb.html", {0, 0}},
      {"11_entities_nbsp.nb.html", {0, 0}},
      {"12_uppercase_tags.nb.html", {234, 81}},
      {"13_attribute_gt_in_quotes.nb.html", {238, 81}},
      {"14_crlf_line_endings.nb.html", {164, 81}},
      {"15_plain_text_heading.nb.txt", {209, 76}},
      {"16_plain_text_no_heading.nn.txt", {160, 75}},
      {"17_bold_paragraph_heading.nb.html", {336, 81}},
      {"18_bold_line_heading.nb.html", {207, 81}},
      {"19_layout_table.nb.html", {272, 81}},
      {"20_empty_paragraphs_inline_styles.nb.html", {513, 81}},
      {"21_english_typographic_apostrophe.en.html", {0, 0}},
      {"22_hidden_sentence.nb.html", {321, 81}},
      {"23_nested_sections.nb.html", {391, 81}},
      {"24_description_equivalent.nb.html", {0, 0}},
      {"25_nynorsk_present.nn.html", {0, 0}},
      {"26_unclosed_tags_fragment.nb.html", {178, 81}},
      {"27_heading_only_in_comment.nb.html", {326, 81}},
      {"28_plain_text_crlf.en.txt", {113, 76}},
      {"29_bokmal_present_in_list.nb.html", {0, 0}},
      {"30_decomposed_accents.nb.html", {0, 0}},
  };
  int checked = 0;
  for (const ads_test::Case& c : ads_test::manifest()) {
    CAPTURE(c.file);
    const auto it = pinned.find(c.file);
    if (it == pinned.end()) continue;  // an ad added to the corpus later
    const std::string body = ads_test::read_file(ads_test::fixture_dir() + c.file);
    const ads::ParsedAd parsed(body, format_of(c.file));
    auto inj = ads::inject_sentence(parsed, ads_test::specs().at(c.language), ads_test::anchor());
    REQUIRE(inj.ok());
    CHECK(inj->changed == (it->second.second != 0));
    CHECK(inj->offset == it->second.first);
    CHECK(inj->length == it->second.second);
    ++checked;
  }
  CHECK(checked == static_cast<int>(pinned.size()));
}

TEST_CASE("a moved ParsedAd still reads its body, and a VisibleText owns its text") {
  const std::string body =
      "<div><p>Vi søker en rådgiver.</p><h2>Slik søker du</h2><p>Søk her.</p></div>";
  const ads::SentenceSpec& nb = ads_test::specs().at("nb");
  ads::ParsedAd first(body, ads::AdFormat::kHtml);
  ads::ParsedAd moved(std::move(first));
  auto inj = ads::inject_sentence(moved, nb, ads_test::anchor());
  REQUIRE(inj.ok());
  CHECK(inj->anchor == "Slik søker du");
  CHECK(inj->offset == body.find("<h2>"));

  ads::ParsedAd assigned("plain text", ads::AdFormat::kText);
  assigned = std::move(moved);
  CHECK(assigned.visible_text().folded() == "vi søker en rådgiver. slik søker du søk her.");

  auto text = [] {
    std::string temporary =
        "<p>Vi oppfordrer kvalifiserte kandidater med "
        "innvandrerbakgrunn til &aring; s&oslash;ke.</p>";
    return ads::VisibleText(temporary, ads::AdFormat::kHtml);
  }();  // the body is gone; the text is a copy
  CHECK(ads::detect_sentence(text, nb).present);
}

TEST_CASE("injection through a ParsedAd keeps the sentence checks and the fallbacks") {
  const ads::ParsedAd ad("<p>Tekst.</p>", ads::AdFormat::kHtml);
  CHECK(ads::inject_sentence(ad, ads::SentenceSpec{"", {}}, ads_test::anchor()).status().code() ==
        mangfold::StatusCode::kInvalidArgument);
  // All of it an unterminated comment: no position takes the paragraph.
  const ads::ParsedAd comment("<!-- alt er en kommentar", ads::AdFormat::kHtml);
  CHECK(ads::inject_sentence(comment, ads_test::specs().at("nb"), ads_test::anchor())
            .status()
            .code() == mangfold::StatusCode::kUnprocessable);
  // A heading whose paragraph would be swallowed by a <table> falls through to the end.
  const std::string table = "<table><tr><td>x</td></tr><h2>Slik søker du</h2></table><p>y</p>";
  const ads::ParsedAd in_table(table, ads::AdFormat::kHtml);
  check_same(ads::inject_sentence(in_table, ads_test::specs().at("nb"), ads_test::anchor()),
             ads::inject_sentence(table, ads::AdFormat::kHtml, ads_test::specs().at("nb"),
                                  ads_test::anchor()));
}
