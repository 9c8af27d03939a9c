// Edge cases of normalisation, detection, anchor choice, escaping, topics and diffs.
#include <doctest/doctest.h>

#include "tests/ads/ad_test_support.hpp"

namespace ads = mangfold::ads;
using ads::AdFormat;

namespace {

const ads::SentenceSpec& nb() {
  return ads_test::specs().at("nb");
}
const std::string kNb = "Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke.";
const std::string kNbParagraph = "<p>" + kNb + "</p>";

bool present(std::string_view html, const ads::SentenceSpec& spec = nb()) {
  return ads::detect_sentence(html, AdFormat::kHtml, spec).present;
}

ads::Injection inject(std::string_view body, AdFormat format = AdFormat::kHtml,
                      const ads::SentenceSpec& spec = nb(),
                      const ads::Anchor& anchor = ads_test::anchor()) {
  auto r = ads::inject_sentence(body, format, spec, anchor);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  return *r;
}

}  // namespace

TEST_CASE("normalize_text folds case, quotes, dashes, spaces and accents") {
  CHECK(ads::normalize_text("ÆØÅ æøå ÄÖÜ É") == "æøå æøå äöü é");
  CHECK(ads::normalize_text("ČŠŽŊĐŦ Ÿ İ") == "čšžŋđŧ ÿ i");  // Sámi letters, Latin Extended-A
  CHECK(ads::normalize_text("«Hei» “du” ‘x’ it’s") == "\"hei\" \"du\" 'x' it's");
  CHECK(ads::normalize_text("a – b — c − d") == "a - b - c - d");
  CHECK(ads::normalize_text("  a\u00a0\u00a0b\t\r\n c\u2009d  ") == "a b c d");
  CHECK(ads::normalize_text("innvandrer\u00adbakgrunn zero\u200bwidth") ==
        "innvandrerbakgrunn zerowidth");
  CHECK(ads::normalize_text("a\xcc\x8a A\xcc\x8a o\xcc\x88") == "å å ö");  // decomposed (NFD)
  CHECK(ads::normalize_text("ПРИВІТ Ελλάδα") == "привіт ελλάδα");
  CHECK(ads::normalize_text("bad \xff\xfe utf8 \xc3") ==
        "bad \xef\xbf\xbd\xef\xbf\xbd utf8 \xef\xbf\xbd");
  CHECK(ads::normalize_text("") == "");
}

TEST_CASE("visible_text strips markup but not words") {
  CHECK(ads::visible_text("<p>Vi <b>opp</b>fordrer</p><p>alle</p>", AdFormat::kHtml) ==
        "vi oppfordrer alle");
  CHECK(ads::visible_text("linje 1<br>linje 2<br/>linje 3", AdFormat::kHtml) ==
        "linje 1 linje 2 linje 3");
  CHECK(
      ads::visible_text("<ul><li>a</li><li>b</li></ul><table><tr><td>c</td><td>d</td></tr></table>",
                        AdFormat::kHtml) == "a b c d");
  CHECK(ads::visible_text("&quot;s&aelig;r&quot; &#230;&#xE6; &amp; &lt;b&gt;", AdFormat::kHtml) ==
        "\"sær\" ææ & <b>");
  CHECK(ads::visible_text("<html><head><title>Tittel</title><style>p{}</style></head>"
                          "<body><!-- c --><script>s()</script><p>tekst</p>"
                          "<template>t</template><noscript>n</noscript></body></html>",
                          AdFormat::kHtml) == "tekst");
  CHECK(ads::visible_text("<p hidden>a</p><div style=\"DISPLAY : none\">b</div>"
                          "<span style='visibility:hidden'>c</span><p>d</p>",
                          AdFormat::kHtml) == "d");
  CHECK(ads::visible_text("<b>Tekst</b> med &amp; som tekst", AdFormat::kText) ==
        "<b>tekst</b> med &amp; som tekst");
}

TEST_CASE("detection ignores comments, script, style, template and hidden elements") {
  CHECK_FALSE(present("<p>Annonse.</p><!-- " + kNb + " -->"));
  CHECK_FALSE(present("<p>Annonse.</p><script>var s = '" + kNb + "';</script>"));
  CHECK_FALSE(present("<style>/* " + kNb + " */</style><p>Annonse.</p>"));
  CHECK_FALSE(present("<template>" + kNbParagraph + "</template><p>Annonse.</p>"));
  CHECK_FALSE(present("<div hidden>" + kNbParagraph + "</div>"));
  CHECK_FALSE(present("<p style=\"display:none\">" + kNb + "</p>"));
  CHECK_FALSE(present("<p>Annonse.</p><noscript>" + kNb + "</noscript>"));
  CHECK(present(kNbParagraph));
}

TEST_CASE("detection sees through tags, entities and typography") {
  CHECK(
      present("<p>Vi <b>oppfordrer</b> kvalifiserte <span class=\"x\">kandidater</span> med "
              "innvandrer<i>bakgrunn</i> til å <a href=\"#\">søke</a>.</p>"));
  CHECK(
      present("<p>Vi&nbsp;oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til "
              "&aring;&nbsp;s&oslash;ke</p>"));
  CHECK(present("<P>VI OPPFORDRER KVALIFISERTE KANDIDATER MED INNVANDRERBAKGRUNN TIL Å SØKE!</P>"));
  CHECK(
      present("<p>Vi oppfordrer\n   kvalifiserte\tkandidater med innvandrerbakgrunn til å "
              "søke</p>"));
  CHECK(
      present("<p>Vi oppfordrer kvalifiserte</p><p>kandidater med innvandrerbakgrunn til å "
              "søke.</p>"));  // blocks act as spaces

  const ads::SentenceSpec quoted{"Vi ønsker «alle» med \"ulik\" bakgrunn – særlig deg – velkommen.",
                                 {}};
  CHECK(
      present("<p>Vi ønsker &quot;alle&quot; med \"ulik\" bakgrunn - s&aelig;rlig deg - "
              "velkommen</p>",
              quoted));
  CHECK(present("<p>Vi ønsker “alle” med «ulik» bakgrunn — s&#230;rlig deg — velkommen.</p>",
                quoted));
  CHECK(
      present("<p>Vi ønsker &laquo;alle&raquo; med &ldquo;ulik&rdquo; bakgrunn &ndash; "
              "s&#xe6;rlig deg &mdash; velkommen</p>",
              quoted));
  CHECK_FALSE(present("<p>Vi ønsker alle med ulik bakgrunn – særlig deg – velkommen.</p>", quoted));

  const ads::SentenceSpec apostrophe{"We'd love to hear from you.", {}};
  CHECK(present("<p>We’d love to hear from you!</p>", apostrophe));
  CHECK(present("<p>We&rsquo;d love to hear from you</p>", apostrophe));
}

TEST_CASE("detection matches whole words and reports the wording found") {
  CHECK_FALSE(
      present("<p>Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å "
              "søkeprosessen.</p>"));
  const ads::SentenceSpec only{kNb, {}};
  CHECK_FALSE(
      present("<p>Ovi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å "
              "søke.</p>",
              only));
  CHECK_FALSE(present("<p>Vi oppfordrer kvalifiserte kandidater til å søke.</p>"));

  const auto d = ads::detect_sentence(
      "<p>Kvalifiserte kandidater med innvandrerbakgrunn oppfordres til å søke</p>",
      AdFormat::kHtml, nb());
  CHECK(d.present);
  CHECK(d.matched == "Kvalifiserte kandidater med innvandrerbakgrunn oppfordres til å søke.");
  const auto none = ads::detect_sentence("<p>Annonse</p>", AdFormat::kHtml, nb());
  CHECK_FALSE(none.present);
  CHECK(none.matched.empty());

  // Wordings that are only punctuation would match everything; they match nothing.
  const ads::SentenceSpec odd{"Vi oppfordrer deg til å søke.", {"", "...", " – "}};
  CHECK_FALSE(present("<p>... – ...</p>", odd));
}

TEST_CASE("detection in plain-text ads") {
  CHECK(ads::detect_sentence("Stilling ledig.\n\nVi oppfordrer kvalifiserte kandidater med\n"
                             "innvandrerbakgrunn til å søke.\n",
                             AdFormat::kText, nb())
            .present);
  CHECK_FALSE(ads::detect_sentence("Stilling ledig.", AdFormat::kText, nb()).present);
}

TEST_CASE("injection goes before the first matching heading, in any listed language") {
  SUBCASE("bokmål h3") {
    const std::string body =
        "<p>Intro.</p><h3>Vi tilbyr</h3><p>Lønn.</p><h3>Slik søker du</h3>"
        "<p>Søk.</p>";
    const auto inj = inject(body);
    CHECK(inj.offset == body.find("<h3>Slik"));
    CHECK(inj.anchor == "Slik søker du");
    CHECK(inj.length == kNbParagraph.size());
    CHECK(inj.body == "<p>Intro.</p><h3>Vi tilbyr</h3><p>Lønn.</p>" + kNbParagraph +
                          "<h3>Slik søker du</h3><p>Søk.</p>");
  }
  SUBCASE("nynorsk") {
    const auto& nn = ads_test::specs().at("nn");
    const std::string body = "<h3>Om stillinga</h3><p>Fast.</p><h3>Slik søkjer du</h3><p>Søk.</p>";
    const auto inj = inject(body, AdFormat::kHtml, nn);
    CHECK(inj.offset == body.find("<h3>Slik"));
    CHECK(inj.anchor == "Slik søkjer du");
    CHECK(inj.body.find("<p>Vi oppmodar kvalifiserte kandidatar med innvandrarbakgrunn til å "
                        "søkje.</p><h3>Slik søkjer du</h3>") != std::string::npos);
  }
  SUBCASE("English, h2, case and punctuation differ") {
    const auto& en = ads_test::specs().at("en");
    const std::string body = "<p>Hiring.</p><h2 class=\"x\">HOW TO APPLY:</h2><p>Online.</p>";
    const auto inj = inject(body, AdFormat::kHtml, en);
    CHECK(inj.offset == body.find("<h2"));
    CHECK(inj.anchor == "How to apply");
  }
  SUBCASE("the first in document order wins, whichever heading it is") {
    const std::string body = "<h3>How to apply</h3><p>x</p><h3>Slik søker du</h3><p>y</p>";
    const auto inj = inject(body);
    CHECK(inj.offset == 0);
    CHECK(inj.anchor == "How to apply");
  }
  SUBCASE("heading text with entities and nbsp") {
    const std::string body = "<p>x</p><h4>Slik&nbsp;s&oslash;ker&nbsp;du</h4><p>y</p>";
    CHECK(inject(body).offset == body.find("<h4>"));
  }
  SUBCASE("inside a wrapper, immediately before the heading") {
    const std::string body =
        "<div class=\"ad\"><p>Intro.</p><h3>Slik søker du</h3><p>Søk.</p></div>";
    CHECK(inject(body).body == "<div class=\"ad\"><p>Intro.</p>" + kNbParagraph +
                                   "<h3>Slik søker du</h3><p>Søk.</p></div>");
  }
}

TEST_CASE("headings made of bold lines") {
  SUBCASE("<p><strong>…</strong></p> goes before the paragraph") {
    const std::string body =
        "<p>Intro.</p><p><strong><span>Slik søker du:</span></strong></p>"
        "<p>Søk.</p>";
    CHECK(inject(body).offset == body.find("<p><strong>"));
  }
  SUBCASE("a <b> line between <br>s goes before the <b>") {
    const std::string body = "<div>Intro.<br/><br/>\n<b>Slik søker du</b><br>Søk.</div>";
    const auto inj = inject(body);
    CHECK(inj.offset == body.find("<b>"));
    CHECK(inj.anchor == "Slik søker du");
  }
  SUBCASE("a <b> line inside a paragraph goes before that paragraph") {
    const std::string body = "<p>Intro.</p><p>Lønn.<br><b>Slik søker du</b><br>Søk.</p>";
    CHECK(inject(body).offset == body.find("<p>Lønn"));
  }
  SUBCASE("an inline run that ends with a line break ends the previous line") {
    const std::string body = "<div><span>Lønn.<br></span><b>Slik søker du</b><br>Søk.</div>";
    CHECK(inject(body).offset == body.find("<b>"));
  }
  SUBCASE("words after a break inside a neighbouring inline run share the heading's line") {
    const std::string body = "<div><span>Lønn.<br>Les</span> <b>Slik søker du</b><br>Søk.</div>";
    CHECK(inject(body).anchor.empty());
  }
  SUBCASE("a bold phrase inside a sentence is not a heading") {
    const std::string body = "<p>Les <b>Slik søker du</b> i vedlegget.</p><p>Slutt.</p>";
    const auto inj = inject(body);
    CHECK(inj.anchor.empty());
    CHECK(inj.offset == body.size());
  }
  SUBCASE("a plain paragraph whose whole text is the heading") {
    const std::string body = "<p>Intro.</p><p class=\"overskrift\">Slik søker du</p><p>Søk.</p>";
    CHECK(inject(body).offset == body.find("<p class"));
  }
}

TEST_CASE("headings that are not visible are not anchors") {
  const std::string body =
      "<div class=\"ad\"><!-- <h3>Slik søker du</h3> --><p>Intro.</p>"
      "<div hidden><h3>Slik søker du</h3></div><template><h3>Slik søker du"
      "</h3></template><p>Slutt.</p></div>";
  const auto inj = inject(body);
  CHECK(inj.anchor.empty());
  CHECK(inj.offset == body.find("<p>Slutt.</p>") + std::string("<p>Slutt.</p>").size());
}

TEST_CASE("without a heading the sentence goes at the end of the content") {
  SUBCASE("fragment: at the very end") {
    const std::string body = "<p>a</p>\n<p>b</p>";
    const auto inj = inject(body);
    CHECK(inj.offset == body.size());
    CHECK(inj.anchor.empty());
  }
  SUBCASE("single wrapper: before its end tag") {
    const std::string body = "<div class=\"ad\"><p>a</p><p>b</p></div>\n";
    CHECK(inject(body).body == "<div class=\"ad\"><p>a</p><p>b</p>" + kNbParagraph + "</div>\n");
  }
  SUBCASE("nested single wrappers: the innermost") {
    const std::string body = "<div id=\"o\"><section><p>a</p></section></div>";
    CHECK(inject(body).body ==
          "<div id=\"o\"><section><p>a</p>" + kNbParagraph + "</section></div>");
  }
  SUBCASE("several blocks in the wrapper: after the last of them, still inside the wrapper") {
    const std::string body =
        "<div><div class=\"a\"><p>a</p></div><div class=\"b\"><p>b</p></div>"
        "</div>";
    CHECK(inject(body).body ==
          "<div><div class=\"a\"><p>a</p></div><div class=\"b\"><p>b</p>"
          "</div>" +
              kNbParagraph + "</div>");
  }
  SUBCASE("full document: after the last content, before trailing scripts and </body>") {
    const std::string body =
        "<!DOCTYPE html><html><head><title>t</title></head><body>\n"
        "<p>a</p>\n<script>x()</script>\n</body></html>\n";
    const auto inj = inject(body);
    CHECK(inj.offset == body.find("\n<script>"));
  }
  SUBCASE("trailing empty spacer paragraphs neither end the ad nor hide the wrapper") {
    const std::string body = "<div class=\"ad\"><p>a</p><p>&nbsp;</p><br></div>\n<p>&nbsp;</p>";
    CHECK(inject(body).offset == body.find("<p>&nbsp;"));
  }
  SUBCASE("a single-cell layout table: inside the cell") {
    const std::string body = "<table><tr><td><p>a</p></td></tr></table>";
    CHECK(inject(body).body == "<table><tr><td><p>a</p>" + kNbParagraph + "</td></tr></table>");
  }
  SUBCASE("a table with several cells: after the table") {
    const std::string body = "<table><tr><td>a</td><td>b</td></tr></table>";
    CHECK(inject(body).body == body + kNbParagraph);
  }
  SUBCASE("an unterminated comment at the end does not swallow the paragraph") {
    const std::string body = "<p>a</p><!-- utkast: <p>b</p>";
    CHECK(inject(body).offset == std::string("<p>a</p>").size());
  }
  SUBCASE("empty body") {
    CHECK(inject("").body == kNbParagraph);
  }
}

TEST_CASE("injection refuses when no position works and rejects bad sentences") {
  auto r =
      ads::inject_sentence("<!-- alt er en kommentar", AdFormat::kHtml, nb(), ads_test::anchor());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == mangfold::StatusCode::kUnprocessable);

  for (const char* bad : {"", "  ", "...", "Vi \xff oppfordrer", "Vi\x01 oppfordrer"}) {
    CAPTURE(bad);
    auto b = ads::inject_sentence("<p>a</p>", AdFormat::kHtml, {bad, {}}, ads_test::anchor());
    REQUIRE_FALSE(b.ok());
    CHECK(b.status().code() == mangfold::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("the inserted paragraph is escaped and keeps UTF-8 as given") {
  const ads::SentenceSpec spec{
      "Vi oppfordrer \"alle\" fra Asia & Afrika <og> Europa til å søke – også deg.", {}};
  const std::string body = "<p>Annonse.</p>";
  const auto inj = inject(body, AdFormat::kHtml, spec);
  CHECK(inj.body == body +
                        "<p>Vi oppfordrer &quot;alle&quot; fra Asia &amp; Afrika &lt;og&gt; Europa "
                        "til å søke – også deg.</p>");
  CHECK(ads::detect_sentence(inj.body, AdFormat::kHtml, spec).present);
  const auto ps = ads_test::paragraphs(inj.body);
  REQUIRE(ps.size() == 2);
  CHECK(ps[1].text == spec.sentence);
  CHECK_FALSE(inject(inj.body, AdFormat::kHtml, spec).changed);
}

TEST_CASE("injection leaves an ad with the sentence (or an equivalent) unchanged") {
  const std::string body =
      "<p>Kvalifiserte kandidater med innvandrerbakgrunn oppfordres til å "
      "søke.</p><h3>Slik søker du</h3>";
  const auto inj = inject(body);
  CHECK_FALSE(inj.changed);
  CHECK(inj.body == body);
  CHECK(inj.length == 0);
}

TEST_CASE("plain-text ads get the sentence as a paragraph of its own") {
  SUBCASE("before the heading line, blank lines around it") {
    const std::string body = "Ledig stilling.\n\nSlik søker du:\nSøk elektronisk.\n";
    const auto inj = inject(body, AdFormat::kText);
    CHECK(inj.body == "Ledig stilling.\n\n" + kNb + "\n\nSlik søker du:\nSøk elektronisk.\n");
    CHECK(inj.anchor == "Slik søker du");
    CHECK(inj.offset == body.find("Slik"));
  }
  SUBCASE("a heading right after text gets a blank line before the sentence too") {
    const auto inj = inject("Ledig stilling.\nSLIK SØKER DU\nSøk.", AdFormat::kText);
    CHECK(inj.body == "Ledig stilling.\n\n" + kNb + "\n\nSLIK SØKER DU\nSøk.");
  }
  SUBCASE("heading on the first line") {
    CHECK(inject("Slik søker du\nSøk.", AdFormat::kText).body == kNb + "\n\nSlik søker du\nSøk.");
  }
  SUBCASE("a line that only mentions the heading words is not a heading") {
    const auto inj = inject("Les om slik søker du på nettsiden.\n", AdFormat::kText);
    CHECK(inj.body == "Les om slik søker du på nettsiden.\n\n" + kNb + "\n");
  }
  SUBCASE("at the end, keeping trailing whitespace and CRLF") {
    CHECK(inject("Ledig stilling.\r\nLønn etter avtale.\r\n\r\n", AdFormat::kText).body ==
          "Ledig stilling.\r\nLønn etter avtale.\r\n\r\n" + kNb + "\r\n\r\n");
  }
  SUBCASE("empty text") {
    CHECK(inject("", AdFormat::kText).body == kNb);
  }
}

TEST_CASE("missing_topics: whole words, prefixes with '*', visible text only") {
  const std::vector<ads::Topic> topics = {
      {"diversity_goals", {"mangfold*", "gjenspeile befolkningen", "diversity"}},
      {"about_employer", {"om oss", "om arbeidsgiveren"}},
      {"inclusion", {"IA-virksomhet", "inkluderende arbeidsliv"}},
      {"nothing_usable", {"", "*", "..."}},
      {"no_keywords", {}},
  };
  auto missing = [&](std::string_view html) {
    return ads::missing_topics(html, AdFormat::kHtml, topics);
  };
  using V = std::vector<std::string>;
  CHECK(missing("<p>Vi ønsker MANGFOLDET velkommen.</p><h3>Om  oss</h3><p>Vi er en "
                "IA&#8209;virksomhet.</p>") == V{"nothing_usable", "no_keywords"});
  CHECK(missing("<p>Vi ønsker å gjenspeile befolkningen.</p>") ==
        V{"about_employer", "inclusion", "nothing_usable", "no_keywords"});
  // Whole words only, unless the keyword ends in '*'.
  CHECK(missing("<p>Diversityplan. Romoss. Kommunemangfold.</p>") ==
        V{"diversity_goals", "about_employer", "inclusion", "nothing_usable", "no_keywords"});
  // Not in comments or scripts.
  CHECK(missing("<!-- mangfold --><script>diversity()</script><p>Om oss</p>") ==
        V{"diversity_goals", "inclusion", "nothing_usable", "no_keywords"});
  CHECK(ads::missing_topics("Vi har et inkluderende arbeidsliv.", AdFormat::kText, topics) ==
        V{"diversity_goals", "about_employer", "nothing_usable", "no_keywords"});
}

TEST_CASE("render_diff output is pinned") {
  CHECK(ads::render_diff("same\n", "same\n").empty());
  CHECK(ads::render_diff("a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nd\nX\ne\nf\ng\n") ==
        "@@ -2,6 +2,7 @@\n"
        " b\n"
        " c\n"
        " d\n"
        "+X\n"
        " e\n"
        " f\n"
        " g\n");
  CHECK(ads::render_diff("<p>a</p>", "<p>a</p><p>S</p>") ==
        "@@ -1,1 +1,1 @@\n"
        "-<p>a</p>\n"
        "+<p>a</p><p>S</p>\n");
  CHECK(ads::render_diff("x\r\ny\r\n", "x\r\nS\r\ny\r\n", 1) ==
        "@@ -1,2 +1,3 @@\n"
        " x\n"
        "+S\n"
        " y\n");
  CHECK(ads::render_diff("", "new\n", 3) == "@@ -0,0 +1,1 @@\n+new\n");
}

TEST_CASE("render_diff of a real injection shows the inserted line with context") {
  const std::string body = "<div>\n<p>a</p>\n<h3>Slik søker du</h3>\n<p>b</p>\n</div>\n";
  const auto inj = inject(body);
  CHECK(ads::render_diff(body, inj.body, 1) ==
        "@@ -2,3 +2,3 @@\n"
        " <p>a</p>\n"
        "-<h3>Slik søker du</h3>\n"
        "+" +
            kNbParagraph +
            "<h3>Slik søker du</h3>\n"
            " <p>b</p>\n");
}

TEST_CASE("deeply nested and large inputs are handled iteratively") {
  std::string deep;
  for (int i = 0; i < 3000; ++i)
    deep += "<div>";
  deep += "<p>Innhold.</p>";
  const auto inj = inject(deep);
  CHECK(inj.changed);
  CHECK(ads::detect_sentence(inj.body, AdFormat::kHtml, nb()).present);

  std::string big;
  for (int i = 0; i < 5000; ++i)
    big += "<p>Avsnitt " + std::to_string(i) + " med tekst.</p>\n";
  big += "<h3>Slik søker du</h3>";
  CHECK(inject(big).offset == big.find("<h3>"));
}
