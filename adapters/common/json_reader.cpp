#include "adapters/common/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "adapters/common/json_wire.hpp"

namespace mangfold::adapters {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxPointerInMessage = 300;

// Builds the document like nlohmann's own DOM parser, but counts depth and values, refuses
// duplicate keys, and remembers where it is so that an error can name a JSON Pointer.
class BoundedDom final : public nlohmann::json_sax<json> {
 public:
  BoundedDom(json& root, const InputLimits& limits) : root_(root), limits_(limits) {}

  bool null() override { return put(json(nullptr)); }
  bool boolean(bool v) override { return put(json(v)); }
  bool number_integer(number_integer_t v) override { return put(json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(json(v)); }
  bool number_float(number_float_t v, const string_t&) override {
    if (!std::isfinite(v)) return refuse(pointer(), "the number is out of range");
    return put(json(v));
  }
  bool string(string_t& v) override { return put(json(std::move(v))); }
  bool binary(binary_t&) override { return refuse(pointer(), "binary values are not JSON"); }

  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    Frame& f = frames_.back();
    if (f.value->contains(k)) {
      f.key = std::move(k);
      return refuse(pointer(), "the key appears twice in one object");
    }
    f.key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    // 406: a number the lexer read but that does not fit a double (1e999).
    if (ex.id == 406) return refuse(pointer(), "the number is out of range");
    malformed_ = true;
    byte_ = position;
    return false;
  }

  bool malformed() const { return malformed_; }
  std::size_t byte() const { return byte_; }
  const std::string& error() const { return error_; }

 private:
  struct Frame {
    json* value = nullptr;
    std::string key;  // objects: the key whose value comes next
  };

  // The pointer of the value being read now.
  std::string pointer() const {
    std::string p;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      p += '/';
      // An outer array's current element is its last (already placed); the innermost
      // array's is the next one, not placed yet.
      const std::size_t size = f.value->is_array() ? f.value->size() : 0;
      p += f.value->is_array() ? std::to_string(i + 1 < frames_.size() ? size - 1 : size)
                               : pointer_token(f.key);
      if (p.size() > kMaxPointerInMessage) {
        p.resize(kMaxPointerInMessage);
        p += "…";
        break;
      }
    }
    return p.empty() ? "/" : p;
  }

  bool refuse(std::string at, const std::string& message) {
    error_ = std::move(at) + ": " + message;
    return false;
  }

  bool count() {
    if (++values_ > limits_.json_max_values)
      return refuse("/", "the document holds more than " + std::to_string(limits_.json_max_values) +
                             " values (limits.json_max_values)");
    return true;
  }

  // Places `v` where the parser is; returns false (after refusing) when over a limit.
  json* place(json&& v) {
    if (!count()) return nullptr;
    if (frames_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Frame& f = frames_.back();
    if (f.value->is_array()) {
      f.value->push_back(std::move(v));
      return &f.value->back();
    }
    json& slot = (*f.value)[f.key];
    slot = std::move(v);
    return &slot;
  }

  bool put(json&& v) { return place(std::move(v)) != nullptr; }

  bool open(json&& container) {
    if (frames_.size() >= static_cast<std::size_t>(std::max(limits_.json_max_depth, 0)))
      return refuse(pointer(), "arrays and objects are nested deeper than " +
                                   std::to_string(limits_.json_max_depth) +
                                   " levels (limits.json_max_depth)");
    json* v = place(std::move(container));
    if (!v) return false;
    frames_.push_back(Frame{v, {}});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  json& root_;
  const InputLimits& limits_;
  std::vector<Frame> frames_;
  std::size_t values_ = 0;
  bool malformed_ = false;
  std::size_t byte_ = 0;
  std::string error_;
};

}  // namespace

Result<json> read_json(std::string_view text, const InputLimits& limits, std::string_view where) {
  json root;
  BoundedDom dom(root, limits);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &dom);
  } catch (const json::exception&) {
    // The SAX interface reports errors through parse_error; anything else is malformed.
    ok = false;
  }
  if (ok) return root;
  if (!dom.malformed() && !dom.error().empty())
    return unprocessable(std::string(where) + dom.error());
  const std::size_t offset =
      std::min(dom.byte() == 0 ? std::size_t{0} : dom.byte() - 1, text.size());
  const std::string_view before = text.substr(0, offset);
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t nl = before.rfind('\n');
  const std::size_t column = offset - (nl == std::string_view::npos ? 0 : nl + 1) + 1;
  return invalid_argument(std::string(where) + "malformed JSON at line " + std::to_string(line) +
                          ", column " + std::to_string(column));
}

}  // namespace mangfold::adapters
