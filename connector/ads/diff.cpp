#include <algorithm>
#include <string>
#include <vector>

#include "connector/ads/ad_text.hpp"

namespace mangfold::ads {
namespace {

// Lines with their '\n', so that "x" and "x\n" differ.
std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < s.size();) {
    std::size_t end = s.find('\n', start);
    end = end == std::string_view::npos ? s.size() : end + 1;
    lines.push_back(s.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::string_view shown(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Unified diff numbering: an empty range is named by the line before it.
std::string range(std::size_t start, std::size_t count) {
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

}  // namespace

// One hunk from the common prefix and suffix of lines: exact for the single insertion an
// injection makes, and still a correct (if not minimal) diff for anything else.
std::string render_diff(std::string_view before, std::string_view after, int context) {
  if (before == after) return {};
  const auto a = split_lines(before);
  const auto b = split_lines(after);
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
    ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  const auto ctx = static_cast<std::size_t>(std::max(context, 0));
  const std::size_t lead = std::min(ctx, prefix);
  const std::size_t trail = std::min(ctx, suffix);
  const std::size_t first = prefix - lead;
  const std::size_t a_changed_end = a.size() - suffix;
  const std::size_t b_changed_end = b.size() - suffix;

  std::string out = "@@ -" + range(first, a_changed_end + trail - first) + " +" +
                    range(first, b_changed_end + trail - first) + " @@\n";
  auto emit = [&out](char mark, std::string_view line) {
    out += mark;
    out += shown(line);
    out += '\n';
  };
  for (std::size_t i = first; i < prefix; ++i)
    emit(' ', a[i]);
  for (std::size_t i = prefix; i < a_changed_end; ++i)
    emit('-', a[i]);
  for (std::size_t i = prefix; i < b_changed_end; ++i)
    emit('+', b[i]);
  for (std::size_t i = a_changed_end; i < a_changed_end + trail; ++i)
    emit(' ', a[i]);
  return out;
}

}  // namespace mangfold::ads
