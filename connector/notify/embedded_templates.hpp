// The built-in email templates, embedded at build time from connector/notify/templates/
// (embed_templates.cmake). Internal to connector/notify.
#pragma once

#include <span>
#include <string_view>

namespace mangfold::notify::detail {

struct EmbeddedFile {
  std::string_view path;     // relative to templates/, e.g. "nb/shortfall.txt"
  std::string_view content;  // the file's bytes
};

// Sorted by path; static storage.
std::span<const EmbeddedFile> embedded_templates();

}  // namespace mangfold::notify::detail
