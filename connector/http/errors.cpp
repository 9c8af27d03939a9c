#include <nlohmann/json.hpp>

#include "connector/http/protocol.hpp"
#include "connector/http/server.hpp"

namespace mangfold::http {

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (detail::iequals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

int http_status(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 200;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnprocessable:
      return 422;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Response error_response(int status, std::string_view error, std::string_view detail) {
  const nlohmann::json body = {{"error", error}, {"detail", detail}};
  Response r;
  r.status = status;
  r.content_type = "application/json";
  // Parser messages and handler texts are not guaranteed UTF-8; dump() would throw on them.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response error_response(const Status& s) {
  return error_response(http_status(s.code()), to_string(s.code()), s.message());
}

}  // namespace mangfold::http
