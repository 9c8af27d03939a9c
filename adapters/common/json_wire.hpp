// Small pieces every JSON-reading adapter needs: JSON Pointer tokens, a readable name for
// a value's type, and the error that carries the pointer of a value that does not map.
// Header-only; adapters include it, the core does not.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace mangfold::adapters {

// A key escaped for use in a JSON Pointer (RFC 6901): "~" → "~0", "/" → "~1".
inline std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

// "an object", "a string", … for messages; never the value itself.
inline std::string json_type_name(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::discarded:
      return "nothing";
    default:
      return "a number";
  }
}

// Thrown inside one adapter's parsing code and caught at its public edge, where it
// becomes kUnprocessable "<pointer>: <message>". It never crosses a module boundary.
struct MappingError {
  std::string pointer;
  std::string message;
};

[[noreturn]] inline void fail(const std::string& pointer, std::string message) {
  throw MappingError{pointer.empty() ? "/" : pointer, std::move(message)};
}

}  // namespace mangfold::adapters
