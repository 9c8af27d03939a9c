// Status and Result<T>: the one error type at module boundaries.
//
// A Status says what went wrong and, through its code, what the caller should do:
// kUnavailable means "try again later", kInvalidArgument means "do not retry, the
// input is wrong". http_status() in connector/http maps codes to HTTP statuses.
// Messages must never carry applicant data (DESIGN.md §4).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mangfold {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // malformed input; retrying the same input will fail again
  kUnprocessable,       // well-formed input that does not map to the domain
  kNotFound,            // unknown tenant, vacancy, file
  kUnauthenticated,     // bad signature or token
  kAlreadyExists,       // duplicate delivery: already applied, nothing to do
  kFailedPrecondition,  // the system is not in a state to do this (e.g. no policy loaded)
  kResourceExhausted,   // a limit was hit (body size, rate)
  kUnavailable,         // transient: storage, network; retry with backoff
  kInternal,            // a bug
};

std::string_view to_string(StatusCode code);

class Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  // OK is the default-constructed Status: `return Status{};`.
  bool ok() const { return code_ == StatusCode::kOk; }
  bool is_ok() const { return ok(); }
  explicit operator bool() const { return ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // True when the same request may succeed later (kUnavailable).
  bool retryable() const { return code_ == StatusCode::kUnavailable; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status unprocessable(std::string m) {
  return {StatusCode::kUnprocessable, std::move(m)};
}
inline Status not_found(std::string m) {
  return {StatusCode::kNotFound, std::move(m)};
}
inline Status unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status already_exists(std::string m) {
  return {StatusCode::kAlreadyExists, std::move(m)};
}
inline Status failed_precondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status resource_exhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status unavailable(std::string m) {
  return {StatusCode::kUnavailable, std::move(m)};
}
inline Status internal_error(std::string m) {
  return {StatusCode::kInternal, std::move(m)};
}

// Either a value or a non-OK Status. Access the value only after checking ok().
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).is_ok() && "Result from an OK status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; OK when a value is held.
  Status status() const { return ok() ? Status{} : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

inline std::string_view to_string(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kUnprocessable:
      return "unprocessable";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

}  // namespace mangfold
