// Runs a mapping's expressions over one JSON document: a webhook body (with its request's
// headers) or the documents fetched from an ATS API. Internal to adapters/generic.
//
// An Evaluator lives for one document on one thread. Problems do not throw: the first one
// is kept as a Status (kUnprocessable naming the JSON Pointer that failed and the mapping
// key that asked for it, never the value) and every later call returns "no value".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adapters/generic/mapping.hpp"
#include "connector/common/status.hpp"
#include "connector/domain/adapter.hpp"
#include "connector/domain/vacancy.hpp"

namespace mangfold::generic {

class Evaluator {
 public:
  // `request` gives headers and the raw body (nullptr for fetched documents). `covered`,
  // when set, lists the absolute pointers a body signature covers: reading anything else
  // from the body is refused (kUnauthenticated), so unsigned bytes never reach a verdict.
  Evaluator(const Json& root, const domain::InboundRequest* request = nullptr,
            const std::vector<std::string>* covered = nullptr);

  struct Scope {
    const Json* node;
    std::string path;  // absolute JSON Pointer of `node`
  };
  struct Got {
    Json value;
    std::string where;  // the pointer (or header, or "fixed value") it came from
  };

  Scope root() const { return {&root_, ""}; }

  // The expression's value after `map`/`otherwise`/`default`, not yet converted; nullopt
  // for none (check failed() to tell an error from an absent value).
  std::optional<Got> eval(const Expr& e, const Scope& scope);
  // eval, then `required`, then conversion to e.kind.
  std::optional<Json> field(const Expr& e, const Scope& scope);
  // True when every condition holds for `element`; `same_as` is evaluated at `outer`.
  bool matches(const std::vector<Condition>& conditions, const Scope& element, const Scope& outer);

  bool failed() const { return !status_.ok(); }
  const Status& status() const { return status_; }
  void fail(StatusCode code, const std::string& where, const std::string& message);

 private:
  // `same_as` values, evaluated once per search rather than once per element.
  using SameAs = std::vector<std::optional<Json>>;
  SameAs same_as_values(const std::vector<Condition>& conditions, const Scope& outer);
  bool test(const std::vector<Condition>& conditions, const Scope& element, const SameAs& same_as);
  const Json* read(const Scope& scope, const Pointer& p, std::string& where);
  std::optional<Got> source(const Expr& e, const Scope& scope);
  std::optional<Got> apply_map(const Expr& e, Got got);
  std::optional<Got> render(const Expr& e, const Scope& scope);

  const Json& root_;
  const domain::InboundRequest* request_;
  const std::vector<std::string>* covered_;
  Status status_;
};

// The snapshot a SnapshotMapping describes, from the evaluator's document. Errors as above.
// `elements`, when given, receives where each application was mapped from, in the order of
// snapshot.applications (for api.answers). Only each Scope's `path` (an absolute JSON
// Pointer) stays valid after the call; its `node` may have pointed into a temporary.
Result<domain::Snapshot> map_snapshot(const SnapshotMapping& m, Evaluator& ev,
                                      std::vector<Evaluator::Scope>* elements = nullptr);

// The lower-case hex SHA-256 of `bytes` (event ids from a body digest).
std::string sha256_hex(std::string_view bytes);

}  // namespace mangfold::generic
