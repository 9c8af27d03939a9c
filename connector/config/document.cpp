#include "connector/config/document.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>

namespace mangfold::config {

Node::Node() = default;
Node::Node(const Node&) = default;
Node::Node(Node&&) noexcept = default;
Node& Node::operator=(const Node&) = default;
Node& Node::operator=(Node&&) noexcept = default;
Node::~Node() = default;

namespace {

Mark mark_of(const YAML::Mark& m, const std::string& file) {
  return Mark{file, m.line + 1, m.column + 1};
}

// The YAML 1.2 core schema's resolution of plain scalars.
Node::Kind plain_scalar_kind(const std::string& s, Node::ScalarType& type) {
  static const std::regex kNull("^(~|null|Null|NULL|)$");
  static const std::regex kBool("^(true|True|TRUE|false|False|FALSE)$");
  static const std::regex kInt("^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$");
  static const std::regex kFloat(
      R"(^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$)");
  if (std::regex_match(s, kNull)) return Node::Kind::kNull;
  type = std::regex_match(s, kBool)    ? Node::ScalarType::kBoolean
         : std::regex_match(s, kInt)   ? Node::ScalarType::kInteger
         : std::regex_match(s, kFloat) ? Node::ScalarType::kFloat
                                       : Node::ScalarType::kString;
  return Node::Kind::kScalar;
}

Node convert(const YAML::Node& y, const std::string& file, std::vector<Diagnostic>& errors) {
  Node n;
  n.mark = mark_of(y.Mark(), file);
  switch (y.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      n.kind = Node::Kind::kNull;
      break;
    case YAML::NodeType::Scalar:
      n.scalar = y.Scalar();
      // yaml-cpp tags quoted scalars "!" and plain ones "?".
      n.kind = y.Tag() == "!" ? Node::Kind::kScalar : plain_scalar_kind(n.scalar, n.scalar_type);
      break;
    case YAML::NodeType::Sequence:
      n.kind = Node::Kind::kSequence;
      for (const auto& item : y)
        n.items.push_back(convert(item, file, errors));
      break;
    case YAML::NodeType::Map:
      n.kind = Node::Kind::kMap;
      for (const auto& kv : y) {
        Node key = convert(kv.first, file, errors);
        if (!key.is_scalar()) {
          errors.push_back({key.mark, "", "a map key must be a plain word"});
          continue;
        }
        if (n.get(key.scalar)) {
          errors.push_back({key.mark, key.scalar, "duplicate key"});
          continue;
        }
        Node value = convert(kv.second, file, errors);
        // A map or list is best pointed at by the key that owns it ("rules.x: needs …").
        if (value.is_map() || value.is_sequence() || value.is_null()) value.mark = key.mark;
        n.entries.emplace_back(std::move(key), std::move(value));
      }
      break;
  }
  return n;
}

}  // namespace

std::string Diagnostic::to_string() const {
  std::string out =
      mark.file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column) + ": ";
  if (!path.empty()) out += path + ": ";
  return out + message;
}

const Node* Node::get(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k.scalar == key) return &v;
  return nullptr;
}

std::string_view Node::type_name() const {
  switch (kind) {
    case Kind::kNull:
      return "nothing (null)";
    case Kind::kSequence:
      return "a list";
    case Kind::kMap:
      return "a map";
    case Kind::kScalar:
      break;
  }
  switch (scalar_type) {
    case ScalarType::kInteger:
      return "an integer";
    case ScalarType::kFloat:
      return "a number";
    case ScalarType::kBoolean:
      return "a boolean";
    case ScalarType::kString:
      break;
  }
  return "a string";
}

std::optional<Node> parse_document(std::string_view text, const std::string& file,
                                   std::vector<Diagnostic>& errors) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    errors.push_back(Diagnostic{mark_of(e.mark, file), "", "YAML syntax: " + e.msg});
    return std::nullopt;
  }
  const size_t before = errors.size();
  Node n = convert(root, file, errors);
  if (errors.size() != before) return std::nullopt;
  if (n.is_null()) n.mark = Mark{file, 1, 1};
  return n;
}

Node merge(const Node& base, const Node& child) {
  if (!base.is_map() || !child.is_map()) return child;
  Node out = base;
  out.mark = child.mark;
  for (const auto& [key, value] : child.entries) {
    // Not captured by name: clang 14 (`make fuzz`) cannot capture a structured binding.
    const std::string& name = key.scalar;
    auto it = std::find_if(out.entries.begin(), out.entries.end(),
                           [&](const auto& kv) { return kv.first.scalar == name; });
    if (it == out.entries.end())
      out.entries.emplace_back(key, value);
    else
      it->second = merge(it->second, value);
  }
  return out;
}

Status to_status(const std::vector<Diagnostic>& diagnostics) {
  std::string message;
  for (const Diagnostic& d : diagnostics) {
    if (!message.empty()) message += '\n';
    message += d.to_string();
  }
  return invalid_argument(std::move(message));
}

}  // namespace mangfold::config
