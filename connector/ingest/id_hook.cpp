#include "connector/ingest/id_hook.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>

#include <nlohmann/json.hpp>

#include "connector/common/utf8.hpp"

namespace mangfold::ingest {

namespace {

using nlohmann::json;

Status id_of(const json& object, const IdHookFormat& format, std::size_t index,
             std::optional<std::string>& out) {
  for (const std::string& field : format.id_fields) {
    auto it = object.find(field);
    if (it == object.end() || it->is_null()) continue;
    const std::string where = "hook[" + std::to_string(index) + "]." + field;
    std::string id;
    if (it->is_string())
      id = it->get<std::string>();
    else if (it->is_number_integer() || it->is_number_unsigned())
      id = it->dump();
    else
      return invalid_argument(where + " must be a string or an integer");
    if (id.empty() || id.size() > kMaxHookIdBytes || !is_valid_utf8(id))
      return invalid_argument(where + " must be 1 to " + std::to_string(kMaxHookIdBytes) +
                              " bytes of UTF-8");
    out = std::move(id);
    return {};
  }
  return {};
}

}  // namespace

Result<IdHook> parse_id_hook(std::string_view body, const IdHookFormat& format) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalid_argument("the hook body is not JSON");
  std::vector<const json*> objects;
  if (doc.is_object()) {
    objects.push_back(&doc);
  } else if (doc.is_array()) {
    if (doc.size() > kMaxHookIds)
      return invalid_argument("the hook body lists more than " + std::to_string(kMaxHookIds) +
                              " objects");
    for (const json& item : doc) {
      if (!item.is_object()) return invalid_argument("the hook body's list holds a non-object");
      objects.push_back(&item);
    }
  } else {
    return invalid_argument("the hook body must be a JSON object or a list of objects");
  }
  IdHook hook;
  bool mismatch = false;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const json& o = *objects[i];
    std::optional<std::string> id;
    if (Status s = id_of(o, format, i, id); !s.ok()) return s;
    if (id &&
        std::find(hook.vacancy_ids.begin(), hook.vacancy_ids.end(), *id) == hook.vacancy_ids.end())
      hook.vacancy_ids.push_back(std::move(*id));
    if (!format.key_field.empty()) {
      auto k = o.find(format.key_field);
      if (k == o.end()) continue;
      if (!k->is_string())
        return invalid_argument("hook[" + std::to_string(i) + "]." + format.key_field +
                                " must be a string");
      // Every object of a batch must carry the same key; one that differs fails the check.
      if (!hook.key)
        hook.key = k->get<std::string>();
      else if (*hook.key != k->get<std::string>())
        mismatch = true;
    }
  }
  if (mismatch) hook.key.reset();
  return hook;
}

bool shared_key_matches(std::string_view given, const std::vector<std::string>& keys) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> a{}, b{};
  SHA256(reinterpret_cast<const unsigned char*>(given.data()), given.size(), a.data());
  bool match = false;
  for (const std::string& key : keys) {  // every key is compared: no early exit
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), b.data());
    match |= !key.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
  }
  return match;
}

}  // namespace mangfold::ingest
