#include "connector/ads/html_scan.hpp"

#include <gumbo.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "connector/ads/text_fold.hpp"

namespace mangfold::ads::internal {
namespace {

constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();

bool is_element(const GumboNode* n) {
  return n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE;
}
bool is_text(const GumboNode* n) {
  return n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
         n->type == GUMBO_NODE_CDATA;
}
GumboTag tag_of(const GumboNode* n) {
  return is_element(n) ? n->v.element.tag : GUMBO_TAG_UNKNOWN;
}

const GumboVector* children_of(const GumboNode* n) {
  if (n->type == GUMBO_NODE_DOCUMENT) return &n->v.document.children;
  if (is_element(n)) return &n->v.element.children;
  return nullptr;
}
const GumboNode* child(const GumboVector& v, unsigned i) {
  return static_cast<const GumboNode*>(v.data[i]);
}

// The start tag is in the source (not implied, not a clone made by the parser), so its
// offset is a place in the input where the element begins.
bool has_source_start(const GumboNode* n) {
  return is_element(n) && n->v.element.original_tag.length > 0 &&
         (n->parse_flags & GUMBO_INSERTION_BY_PARSER) == 0;
}

bool is_heading_tag(GumboTag t) {
  return t >= GUMBO_TAG_H1 && t <= GUMBO_TAG_H6;
}

bool is_block_tag(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_LISTING:
    case GUMBO_TAG_PLAINTEXT:
    case GUMBO_TAG_XMP:
      return true;
    default:
      return is_heading_tag(t);
  }
}

// Inline elements that ad editors use to make a line look like a heading.
bool is_emphasis_tag(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_B:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_U:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_I:
    case GUMBO_TAG_BIG:
      return true;
    default:
      return false;
  }
}

// Elements that end an open <p> when a <p> start tag is met inside them, so a paragraph
// must go before them rather than inside.
bool cannot_hold_paragraph(GumboTag t) {
  return t == GUMBO_TAG_P || is_heading_tag(t) || t == GUMBO_TAG_PRE || t == GUMBO_TAG_DT ||
         t == GUMBO_TAG_SUMMARY || t == GUMBO_TAG_LEGEND || t == GUMBO_TAG_CAPTION;
}

bool is_table_structure(GumboTag t) {
  return t == GUMBO_TAG_TABLE || t == GUMBO_TAG_TBODY || t == GUMBO_TAG_THEAD ||
         t == GUMBO_TAG_TFOOT || t == GUMBO_TAG_TR || t == GUMBO_TAG_COLGROUP;
}

bool style_hides(std::string_view style) {
  std::string compact;
  for (char c : fold(style)) {
    if (c != ' ') compact += c;
  }
  return compact.find("display:none") != std::string::npos ||
         compact.find("visibility:hidden") != std::string::npos;
}

// Content a reader of the ad never sees. Text inside is not the ad's text, and a sentence
// hidden there does not count as present.
bool is_invisible(const GumboNode* n) {
  if (n->type == GUMBO_NODE_COMMENT || n->type == GUMBO_NODE_TEMPLATE) return true;
  if (n->type != GUMBO_NODE_ELEMENT) return false;
  switch (n->v.element.tag) {
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_DATALIST:
      return true;
    default:
      break;
  }
  auto* attrs = const_cast<GumboVector*>(&n->v.element.attributes);
  if (gumbo_get_attribute(attrs, "hidden") != nullptr) return true;
  const GumboAttribute* style = gumbo_get_attribute(attrs, "style");
  return style != nullptr && style_hides(style->value);
}

// Appends the visible text under `root`, with `block_mark` where a block element or <br>
// begins or ends. Stops and returns false once more than `max_bytes` of text or
// `max_nodes` nodes were seen, so that probing every element for a short heading stays
// linear.
bool collect_text(const GumboNode* root, std::string& out, std::size_t max_bytes = kUnbounded,
                  std::size_t max_nodes = kUnbounded, char block_mark = ' ') {
  std::vector<std::pair<const GumboNode*, bool>> stack{{root, false}};
  std::size_t nodes = 0;
  while (!stack.empty()) {
    auto [n, leaving] = stack.back();
    stack.pop_back();
    const bool block = is_block_tag(tag_of(n));
    if (leaving) {
      if (block) out += block_mark;
      continue;
    }
    if (++nodes > max_nodes) return false;
    if (is_invisible(n)) continue;
    if (is_text(n)) {
      out += n->v.text.text;
      if (out.size() > max_bytes) return false;
      continue;
    }
    const GumboVector* kids = children_of(n);
    if (kids == nullptr) continue;
    if (block) out += block_mark;
    stack.emplace_back(n, true);
    for (unsigned i = kids->length; i-- > 0;)
      stack.emplace_back(child(*kids, i), false);
  }
  return true;
}

// Pre-order walk over the visible nodes; `visit` returns true to stop.
template <typename Visit>
const GumboNode* find_visible(const GumboNode* root, Visit visit) {
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (is_invisible(n)) continue;
    if (visit(n)) return n;
    if (const GumboVector* kids = children_of(n)) {
      for (unsigned i = kids->length; i-- > 0;)
        stack.push_back(child(*kids, i));
    }
  }
  return nullptr;
}

class HeadingMatcher {
 public:
  explicit HeadingMatcher(const std::vector<std::string>& keys) : keys_(keys) {
    std::size_t longest = 0;
    for (const auto& k : keys_)
      longest = std::max(longest, k.size());
    // Raw text may carry entities' expansions, spacing and markup noise around the words.
    max_bytes_ = 4 * longest + 256;
  }

  // Index of the key that the element's whole visible text equals, or -1.
  int match(const GumboNode* n) const {
    if (keys_.empty()) return -1;
    std::string raw;
    if (!collect_text(n, raw, max_bytes_, kMaxNodes)) return -1;
    const std::string folded = fold(raw);
    const std::string_view key = trim_non_word(folded);
    if (key.empty()) return -1;
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (!keys_[i].empty() && keys_[i] == key) return static_cast<int>(i);
    }
    return -1;
  }

 private:
  static constexpr std::size_t kMaxNodes = 64;
  const std::vector<std::string>& keys_;
  std::size_t max_bytes_ = 0;
};

enum class SiblingKind { kNothing, kBoundary, kWords };

// What a sibling contributes to the line of a candidate heading next to it: for an
// inline run with a line break inside ("<span>Lønn.<br></span>"), only the part on the
// heading's side of the break counts.
SiblingKind sibling_kind(const GumboNode* s, bool before_heading) {
  if (is_invisible(s)) return SiblingKind::kNothing;
  if (is_text(s)) {
    return has_no_words(fold(s->v.text.text)) ? SiblingKind::kNothing : SiblingKind::kWords;
  }
  if (!is_element(s)) return SiblingKind::kNothing;
  if (is_block_tag(s->v.element.tag)) return SiblingKind::kBoundary;
  constexpr char kBreak = '\x1f';  // a control character fold() turns into a space
  std::string raw;
  collect_text(s, raw, kUnbounded, kUnbounded, kBreak);
  const std::size_t cut = before_heading ? raw.rfind(kBreak) : raw.find(kBreak);
  std::string_view near = raw;
  if (cut != std::string::npos) {
    near = before_heading ? near.substr(cut + 1) : near.substr(0, cut);
  }
  if (!has_no_words(fold(near))) return SiblingKind::kWords;
  return cut != std::string::npos ? SiblingKind::kBoundary : SiblingKind::kNothing;
}

// Whether an inline element is alone on its line: between <br>s, block edges or the ends
// of its block, with nothing but punctuation or whitespace beside it.
bool stands_alone(const GumboNode* e) {
  bool back_open = true;
  bool fwd_open = true;
  for (const GumboNode* n = e; n->parent != nullptr && is_element(n->parent); n = n->parent) {
    const GumboVector& sibs = n->parent->v.element.children;
    const auto at = static_cast<unsigned>(n->index_within_parent);
    for (unsigned i = at; back_open && i-- > 0;) {
      SiblingKind k = sibling_kind(child(sibs, i), true);
      if (k == SiblingKind::kWords) return false;
      if (k == SiblingKind::kBoundary) back_open = false;
    }
    for (unsigned i = at + 1; fwd_open && i < sibs.length; ++i) {
      SiblingKind k = sibling_kind(child(sibs, i), false);
      if (k == SiblingKind::kWords) return false;
      if (k == SiblingKind::kBoundary) fwd_open = false;
    }
    if (!back_open && !fwd_open) return true;
    if (is_block_tag(n->parent->v.element.tag)) return true;
  }
  return true;
}

// The element to insert before for a heading made of inline emphasis: the emphasis with
// its inline wrappers, or the enclosing <p> (a <p> cannot sit inside a <p>).
const GumboNode* insertion_target_for_inline(const GumboNode* e) {
  const GumboNode* target = e;
  const GumboNode* n = e;
  while (n->parent != nullptr && is_element(n->parent) && !is_block_tag(n->parent->v.element.tag)) {
    n = n->parent;
    if (has_source_start(n)) target = n;
  }
  const GumboNode* block = n->parent;
  if (block != nullptr && is_element(block) && cannot_hold_paragraph(block->v.element.tag) &&
      has_source_start(block)) {
    return block;
  }
  return target;
}

std::optional<InsertionPoint> find_heading(const GumboNode* body,
                                           const std::vector<std::string>& keys) {
  if (keys.empty()) return std::nullopt;
  HeadingMatcher matcher(keys);
  int index = -1;
  const GumboNode* target = nullptr;
  find_visible(body, [&](const GumboNode* n) {
    if (!has_source_start(n) || n == body) return false;
    const GumboTag t = n->v.element.tag;
    if (is_heading_tag(t) || t == GUMBO_TAG_P || t == GUMBO_TAG_DIV) {
      index = matcher.match(n);
      if (index >= 0) target = n;
    } else if (is_emphasis_tag(t)) {
      index = matcher.match(n);
      if (index >= 0 && stands_alone(n)) target = insertion_target_for_inline(n);
    }
    return target != nullptr;
  });
  if (target == nullptr) return std::nullopt;
  return InsertionPoint{target->v.element.start_pos.offset, index};
}

// The byte offset just past the last source byte that belongs to `root`'s subtree.
std::size_t source_end(const GumboNode* root) {
  std::size_t end = 0;
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (is_element(n)) {
      const GumboElement& e = n->v.element;
      if (e.original_tag.length > 0)
        end = std::max(end, e.start_pos.offset + e.original_tag.length);
      if (e.original_end_tag.length > 0) {
        end = std::max(end, e.end_pos.offset + e.original_end_tag.length);
      }
    } else if (n->type != GUMBO_NODE_DOCUMENT) {
      end = std::max(end, n->v.text.start_pos.offset + n->v.text.original_text.length);
    }
    if (const GumboVector* kids = children_of(n)) {
      for (unsigned i = 0; i < kids->length; ++i)
        stack.push_back(child(*kids, i));
    }
  }
  return end;
}

bool is_significant(const GumboNode* n) {
  if (n->type == GUMBO_NODE_WHITESPACE || is_invisible(n)) return false;
  return is_text(n) || is_element(n);
}

// Whether any visible word is below `root` (stops at the first one).
bool has_words(const GumboNode* root) {
  return find_visible(root, [](const GumboNode* n) {
           return is_text(n) && !has_no_words(fold(n->v.text.text));
         }) != nullptr;
}

// The children that hold the ad's content. Children with visible words are preferred, so
// that trailing "<p>&nbsp;</p>" spacers or a stray <br> neither end the ad nor stop the
// descent into a wrapper; without any such child, every visible non-blank child counts.
std::vector<const GumboNode*> significant_children(const GumboNode* n) {
  std::vector<const GumboNode*> visible;
  std::vector<const GumboNode*> worded;
  if (const GumboVector* kids = children_of(n)) {
    for (unsigned i = 0; i < kids->length; ++i) {
      const GumboNode* k = child(*kids, i);
      if (!is_significant(k)) continue;
      visible.push_back(k);
      if (has_words(k)) worded.push_back(k);
    }
  }
  return worded.empty() ? visible : worded;
}

// Elements that only wrap the ad (a styling or layout shell), so the end of the ad is
// inside them.
bool is_wrapper_tag(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
      return true;
    default:
      return false;
  }
}

// For a layout table with exactly one cell, that cell; a paragraph cannot go anywhere
// else inside a table.
const GumboNode* single_cell(const GumboNode* table) {
  const GumboNode* n = table;
  for (GumboTag want : {GUMBO_TAG_TBODY, GUMBO_TAG_TR}) {
    auto kids = significant_children(n);
    if (kids.size() != 1 || tag_of(kids[0]) != want) return nullptr;
    n = kids[0];
  }
  auto cells = significant_children(n);
  if (cells.size() != 1) return nullptr;
  const GumboTag t = tag_of(cells[0]);
  if ((t != GUMBO_TAG_TD && t != GUMBO_TAG_TH) || !has_source_start(cells[0])) return nullptr;
  return cells[0];
}

// The innermost element that alone holds all of the ad's content.
const GumboNode* innermost_wrapper(const GumboNode* body) {
  const GumboNode* c = body;
  while (true) {
    auto kids = significant_children(c);
    if (kids.size() != 1 || !has_source_start(kids[0])) return c;
    const GumboTag t = kids[0]->v.element.tag;
    if (is_wrapper_tag(t)) {
      c = kids[0];
    } else if (t == GUMBO_TAG_TABLE) {
      const GumboNode* cell = single_cell(kids[0]);
      if (cell == nullptr) return c;
      c = cell;
    } else {
      return c;
    }
  }
}

std::size_t content_end(const GumboNode* c, std::size_t input_size) {
  std::size_t end = 0;
  bool any = false;
  for (const GumboNode* k : significant_children(c)) {
    end = std::max(end, source_end(k));
    any = true;
  }
  if (any) return end;
  const GumboElement& e = c->v.element;
  if (e.original_end_tag.length > 0) return e.end_pos.offset;
  if (has_source_start(c)) return e.start_pos.offset + e.original_tag.length;
  return input_size;
}

}  // namespace

// Owns one parse. gumbo keeps pointers into the buffer, so the input must outlive it.
class HtmlDocument::Parse {
 public:
  explicit Parse(std::string_view html) : options_(kGumboDefaultOptions) {
    options_.max_errors = 0;  // we never read parse errors; don't spend memory on them
    output_ = gumbo_parse_with_options(&options_, html.data(), html.size());
  }
  ~Parse() { gumbo_destroy_output(&options_, output_); }
  Parse(const Parse&) = delete;
  Parse& operator=(const Parse&) = delete;

  const GumboNode* document() const { return output_->document; }
  // Null for a frameset document.
  const GumboNode* body() const {
    const GumboVector& kids = output_->root->v.element.children;
    for (unsigned i = 0; i < kids.length; ++i) {
      const auto* n = static_cast<const GumboNode*>(kids.data[i]);
      if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_BODY) return n;
    }
    return nullptr;
  }

 private:
  GumboOptions options_;
  GumboOutput* output_ = nullptr;
};

HtmlDocument::HtmlDocument(std::string_view html)
    : size_(html.size()), parse_(std::make_unique<Parse>(html)) {}
HtmlDocument::~HtmlDocument() = default;
HtmlDocument::HtmlDocument(HtmlDocument&&) noexcept = default;
HtmlDocument& HtmlDocument::operator=(HtmlDocument&&) noexcept = default;

std::string HtmlDocument::visible_text() const {
  std::string out;
  collect_text(parse_->document(), out);
  return out;
}

std::vector<InsertionPoint> HtmlDocument::insertion_points(
    const std::vector<std::string>& heading_keys) const {
  std::vector<InsertionPoint> points;
  auto add = [&](InsertionPoint p) {
    p.offset = std::min(p.offset, size_);
    for (const auto& q : points) {
      if (q.offset == p.offset) return;
    }
    points.push_back(p);
  };
  if (const GumboNode* body = parse_->body()) {
    if (auto heading = find_heading(body, heading_keys)) add(*heading);
    add({content_end(innermost_wrapper(body), size_), -1});
    add({content_end(body, size_), -1});
  }
  add({size_, -1});
  return points;
}

bool HtmlDocument::has_paragraph(std::size_t begin, std::size_t end,
                                 std::string_view folded_text) const {
  const GumboNode* p = find_visible(parse_->document(), [&](const GumboNode* n) {
    return is_element(n) && n->v.element.tag == GUMBO_TAG_P && has_source_start(n) &&
           n->v.element.start_pos.offset == begin;
  });
  if (p == nullptr) return false;
  const GumboElement& e = p->v.element;
  if (e.original_end_tag.length == 0 || e.end_pos.offset + e.original_end_tag.length != end) {
    return false;
  }
  if ((p->parse_flags & GUMBO_INSERTION_FOSTER_PARENTED) != 0) return false;
  if (p->parent == nullptr || !is_element(p->parent) ||
      is_table_structure(p->parent->v.element.tag)) {
    return false;
  }
  std::string raw;
  collect_text(p, raw);
  return fold(raw) == folded_text;
}

}  // namespace mangfold::ads::internal
