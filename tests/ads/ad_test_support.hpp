// Shared by the tests of connector/ads: the sentences the tests use, the corpus manifest,
// and an independent gumbo check that a paragraph really is in a document.
#pragma once

#include <gumbo.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "connector/ads/ad_text.hpp"

namespace ads_test {

using mangfold::ads::Anchor;
using mangfold::ads::SentenceSpec;

inline const std::map<std::string, SentenceSpec>& specs() {
  static const std::map<std::string, SentenceSpec> kSpecs = {
      {"nb",
       {"Vi oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke.",
        {"Kvalifiserte kandidater med innvandrerbakgrunn oppfordres til å søke.",
         "oppfordrer kvalifiserte kandidater med innvandrerbakgrunn til å søke"}}},
      {"nn",
       {"Vi oppmodar kvalifiserte kandidatar med innvandrarbakgrunn til å søkje.",
        {"Kvalifiserte kandidatar med innvandrarbakgrunn blir oppmoda til å søkje."}}},
      {"en",
       {"We encourage qualified candidates with an immigrant background to apply.",
        {"Qualified candidates with an immigrant background are encouraged to apply.",
         "We'd love applications from qualified candidates with an immigrant background"}}},
  };
  return kSpecs;
}

inline Anchor anchor() {
  return Anchor{{"Slik søker du", "Slik søkjer du", "How to apply"}};
}

inline std::string fixture_dir() {
  return std::string(MANGFOLD_SOURCE_DIR) + "/tests/fixtures/ads/";
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Case {
  std::string file;
  std::string language;
  bool present = false;
  std::string placement;  // "-", "end" or the heading after "before "
};

inline std::vector<Case> manifest() {
  std::istringstream in(read_file(fixture_dir() + "manifest.txt"));
  std::vector<Case> cases;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream row(line);
    Case c;
    std::string expected;
    std::string placement;
    row >> c.file >> c.language >> expected >> placement;
    if (expected != "present" && expected != "absent") throw std::runtime_error("bad row: " + line);
    c.present = expected == "present";
    if (placement == "before") {
      std::getline(row >> std::ws, c.placement);
    } else {
      c.placement = placement;
    }
    cases.push_back(c);
  }
  return cases;
}

// Every <p> element in the parse of `html`: its start offset and its text (all text nodes
// below it, entities decoded).
struct ParsedParagraph {
  unsigned offset;
  std::string text;
  bool parser_inserted;
};

inline void gather_text(const GumboNode* n, std::string& out) {
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE) {
    out += n->v.text.text;
  } else if (n->type == GUMBO_NODE_ELEMENT) {
    for (unsigned i = 0; i < n->v.element.children.length; ++i) {
      gather_text(static_cast<const GumboNode*>(n->v.element.children.data[i]), out);
    }
  }
}

inline void gather_paragraphs(const GumboNode* n, std::vector<ParsedParagraph>& out) {
  const GumboVector* kids = nullptr;
  if (n->type == GUMBO_NODE_DOCUMENT) kids = &n->v.document.children;
  if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) {
    kids = &n->v.element.children;
    if (n->v.element.tag == GUMBO_TAG_P) {
      ParsedParagraph p{
          n->v.element.start_pos.offset, {}, (n->parse_flags & GUMBO_INSERTION_BY_PARSER) != 0};
      gather_text(n, p.text);
      out.push_back(p);
    }
  }
  if (kids == nullptr) return;
  for (unsigned i = 0; i < kids->length; ++i) {
    gather_paragraphs(static_cast<const GumboNode*>(kids->data[i]), out);
  }
}

inline std::vector<ParsedParagraph> paragraphs(const std::string& html) {
  GumboOutput* out = gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size());
  std::vector<ParsedParagraph> ps;
  gather_paragraphs(out->document, ps);
  gumbo_destroy_output(&kGumboDefaultOptions, out);
  return ps;
}

}  // namespace ads_test
