// Whether an HTML job ad may be read with gumbo at all. A linear pre-scan that never builds
// a tree: it counts tags and estimates how deeply elements nest, so that an ad built to make
// the HTML parser (or the tree walks after it) slow — 50,000 nested <div>s, 20,000 unclosed
// <b>s — is refused before any parse. Such an ad "cannot be read safely": the policy flags
// it for a person instead of checking or changing it. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "connector/common/input_limits.hpp"

namespace mangfold::ads {

struct HtmlShape {
  std::size_t tags = 0;  // start and end tags (comments, doctypes and raw text not counted)
  // The most elements open at once, counting every start tag of an element that is neither
  // void (<br>, <img>, …) nor allowed to lose its end tag (<p>, <li>, <td>, …) as open until
  // its end tag. An upper estimate of the parsed tree's depth for such elements.
  int depth = 0;
};

HtmlShape measure_html(std::string_view html);

// nullopt when the ad is within `limits` (html_max_depth, html_max_tags); else why, in
// words for a person, without quoting the ad.
std::optional<std::string> html_over_budget(std::string_view html, const InputLimits& limits);
// The same answer from a shape measured before (html_over_budget(html, limits) ==
// over_budget(measure_html(html), limits)), for callers that remember the shape.
std::optional<std::string> over_budget(const HtmlShape& shape, const InputLimits& limits);

}  // namespace mangfold::ads
