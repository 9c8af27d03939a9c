// ID-only hooks (connector/ingest/id_hook.hpp, signature scheme shared_key): JSON bodies from
// anyone who can reach /hooks/{tenant}. The first byte picks where the key is (0: a header,
// else the body field "UserData"); the rest is the body. Whatever is accepted must hold ids the
// scheduler and the logs can take: distinct, bounded, UTF-8, and writable as JSON.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>

#include <nlohmann/json.hpp>

#include "connector/common/utf8.hpp"
#include "connector/ingest/id_hook.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mangfold;
  if (size == 0) return 0;
  ingest::IdHookFormat format;
  format.id_fields = {"AdvertId", "advertId", "PositionId", "ProjectId", "vacancy_id"};
  if (data[0] != 0) format.key_field = "UserData";
  Result<ingest::IdHook> hook = ingest::parse_id_hook(fuzz::as_text(data + 1, size - 1), format);
  if (!hook.ok()) {
    fuzz::require_client_error(hook.status(), "parse_id_hook");
    return 0;
  }
  auto fail = [](const char* what) {
    std::fprintf(stderr, "fuzz: an accepted hook %s\n", what);
    std::abort();
  };
  if (hook->vacancy_ids.size() > ingest::kMaxHookIds) fail("names too many vacancies");
  std::set<std::string> seen;
  for (const std::string& id : hook->vacancy_ids) {
    if (id.empty() || id.size() > ingest::kMaxHookIdBytes) fail("has an id of a bad length");
    if (!is_valid_utf8(id)) fail("has an id that is not UTF-8");
    if (!seen.insert(id).second) fail("names a vacancy twice");
  }
  if (format.key_field.empty() && hook->key) fail("has a key although the format has none");
  if (hook->key) (void)ingest::shared_key_matches(*hook->key, {"a-configured-key-0123456789"});
  try {
    (void)nlohmann::json(hook->vacancy_ids).dump();
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "fuzz: hook ids cannot be written as JSON: %s\n", e.what());
    std::abort();
  }
  return 0;
}
