// Configuration documents (YAML, or JSON, which YAML reads too) as a tree that remembers
// where every value came from, so that each error can name file, line, column and key.
//
// Scalars are typed by the YAML 1.2 core schema: a plain `3` is a number, `"3"` a string,
// `true` a boolean, `~` or nothing null. Dates stay strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connector/common/status.hpp"

namespace mangfold::config {

struct Mark {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

// One problem found while loading: "file:line:column: key.path: message".
struct Diagnostic {
  Mark mark;
  std::string path;  // e.g. "rules.invite_one.min_count"; empty for the whole document
  std::string message;
  std::string to_string() const;
};

struct Node {
  // Defined in document.cpp: with clang and libstdc++ in C++20, an implicit destructor here
  // would instantiate ~vector<pair<Node, Node>> while Node is still incomplete.
  Node();
  Node(const Node&);
  Node(Node&&) noexcept;
  Node& operator=(const Node&);
  Node& operator=(Node&&) noexcept;
  ~Node();

  enum class Kind { kNull, kScalar, kSequence, kMap };
  // For kScalar: what the YAML core schema makes of it.
  enum class ScalarType { kString, kInteger, kFloat, kBoolean };

  Kind kind = Kind::kNull;
  ScalarType scalar_type = ScalarType::kString;
  std::string scalar;                          // kScalar
  std::vector<Node> items;                     // kSequence
  std::vector<std::pair<Node, Node>> entries;  // kMap: key node (a scalar), value node
  Mark mark;

  bool is_map() const { return kind == Kind::kMap; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_null() const { return kind == Kind::kNull; }
  const Node* get(std::string_view key) const;  // kMap only; nullptr when absent
  std::string_view type_name() const;           // "a string", "a map", … for messages
};

// Parses `text`; a syntax error or a duplicate key is added to `errors` (naming `file`)
// and nullopt returned.
std::optional<Node> parse_document(std::string_view text, const std::string& file,
                                   std::vector<Diagnostic>& errors);

// Child over base: maps merge key by key (recursively), anything else in the child
// replaces the base's value. Marks stay with the values, so errors name the right file.
Node merge(const Node& base, const Node& child);

// Diagnostics turned into one Status (kInvalidArgument), one line each.
Status to_status(const std::vector<Diagnostic>& diagnostics);

}  // namespace mangfold::config
