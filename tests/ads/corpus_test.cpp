// Properties of detection and injection over every ad in tests/fixtures/ads (manifest.txt).
#include <doctest/doctest.h>

#include "tests/ads/ad_test_support.hpp"

namespace ads = mangfold::ads;
using ads_test::Case;

namespace {

ads::AdFormat format_of(const std::string& file) {
  return file.ends_with(".txt") ? ads::AdFormat::kText : ads::AdFormat::kHtml;
}

std::string html_paragraph(const std::string& sentence) {
  std::string out = "<p>";
  for (char c : sentence) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out + "</p>";
}

// The invariants every successful injection must keep, whatever the input.
void check_injection(const std::string& input, ads::AdFormat format, const ads::SentenceSpec& spec,
                     const ads::Injection& inj) {
  REQUIRE(inj.changed);
  REQUIRE(inj.offset <= input.size());
  REQUIRE(inj.body.size() == input.size() + inj.length);
  CHECK(inj.body.compare(0, inj.offset, input, 0, inj.offset) == 0);
  CHECK(inj.body.compare(inj.offset + inj.length, std::string::npos, input, inj.offset) == 0);
  const std::string inserted = inj.body.substr(inj.offset, inj.length);
  if (format == ads::AdFormat::kHtml) {
    CHECK(inserted == html_paragraph(spec.sentence));
    bool found = false;
    for (const auto& p : ads_test::paragraphs(inj.body)) {
      if (p.offset == inj.offset && !p.parser_inserted) {
        found = true;
        CHECK(ads::normalize_text(p.text) == ads::normalize_text(spec.sentence));
      }
    }
    CHECK_MESSAGE(found, "no <p> element starts at the insertion offset");
  } else {
    CHECK(inserted.find(spec.sentence) != std::string::npos);
  }
  const ads::Detection after = ads::detect_sentence(inj.body, format, spec);
  CHECK(after.present);
  CHECK(after.matched == spec.sentence);

  auto again = ads::inject_sentence(inj.body, format, spec, ads_test::anchor());
  REQUIRE(again.ok());
  CHECK_FALSE(again->changed);
  CHECK(again->body == inj.body);
}

}  // namespace

TEST_CASE("the corpus has the documented shape") {
  const auto cases = ads_test::manifest();
  CHECK(cases.size() >= 20);
  int present = 0;
  int text = 0;
  for (const Case& c : cases) {
    present += c.present;
    text += format_of(c.file) == ads::AdFormat::kText;
    CHECK_MESSAGE(ads_test::specs().count(c.language) == 1, c.file);
    CHECK_MESSAGE(c.file.find("." + c.language + ".") != std::string::npos, c.file);
    CHECK_MESSAGE((c.present ? c.placement == "-" : c.placement != "-"), c.file);
  }
  CHECK(present >= 5);
  CHECK(cases.size() - present >= 5);
  CHECK(text >= 2);
}

TEST_CASE("every corpus ad: detection, injection, idempotence, byte preservation") {
  for (const Case& c : ads_test::manifest()) {
    CAPTURE(c.file);
    const std::string body = ads_test::read_file(ads_test::fixture_dir() + c.file);
    const ads::AdFormat format = format_of(c.file);
    const ads::SentenceSpec& spec = ads_test::specs().at(c.language);

    const ads::Detection before = ads::detect_sentence(body, format, spec);
    CHECK(before.present == c.present);
    CHECK(before.matched.empty() == !c.present);

    auto inj = ads::inject_sentence(body, format, spec, ads_test::anchor());
    REQUIRE_MESSAGE(inj.ok(), inj.status().message());
    if (c.present) {
      CHECK_FALSE(inj->changed);
      CHECK(inj->body == body);
      continue;
    }
    check_injection(body, format, spec, *inj);

    const std::string visible = ads::visible_text(inj->body, format);
    const std::string sentence = ads::normalize_text(spec.sentence);
    if (c.placement == "end") {
      CHECK(inj->anchor.empty());
      CHECK(visible.ends_with(sentence));
    } else {
      CHECK(inj->anchor == c.placement);
      CHECK(visible.find(sentence + " " + ads::normalize_text(c.placement)) != std::string::npos);
    }
  }
}

TEST_CASE("every prefix of some corpus ads is handled without breaking the invariants") {
  // Truncated bodies exercise unclosed tags, comments, entities and UTF-8 sequences cut in
  // the middle: injection either succeeds with all invariants or refuses cleanly.
  for (const char* file : {"02_full_document.nb.html", "18_bold_line_heading.nb.html",
                           "13_attribute_gt_in_quotes.nb.html", "15_plain_text_heading.nb.txt"}) {
    CAPTURE(file);
    const std::string full = ads_test::read_file(ads_test::fixture_dir() + file);
    const ads::AdFormat format = format_of(file);
    const ads::SentenceSpec& spec = ads_test::specs().at("nb");
    int refused = 0;
    for (std::size_t n = 0; n <= full.size(); ++n) {
      CAPTURE(n);
      const std::string body = full.substr(0, n);
      auto inj = ads::inject_sentence(body, format, spec, ads_test::anchor());
      if (!inj.ok()) {
        CHECK(inj.status().code() == mangfold::StatusCode::kUnprocessable);
        ++refused;
        continue;
      }
      if (!inj->changed) {
        CHECK(ads::detect_sentence(body, format, spec).present);
        continue;
      }
      check_injection(body, format, spec, *inj);
    }
    // Only cuts inside a comment, a <script>/<style> or a tag at the very end may refuse.
    CHECK(refused < static_cast<int>(full.size()) / 2);
  }
}
