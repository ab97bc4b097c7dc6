// Status and Result: how every fallible core operation reports failure.
// The core never lets exceptions cross its API; callers inspect Status codes and map them
// to exit codes (CLI) or JSON-RPC errors (server) in exactly one place each.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sdndb {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad user input: unknown field, bad value, usage
  kParseError,       // malformed SDN; message is "file:line:col: what"
  kNotFound,         // unknown database, record or conflict
  kConflict,         // stale edit rejected or conflict recorded
  kLockTimeout,      // lock not acquired in time; message names the holder
  kBusy,             // try-only lock found the lock held
  kIOError,          // the OS said no (ENOSPC, EIO, ...); message names path and errno
  kCorruption,       // e.g. a #sdn-crc32 seal that does not match
  kCancelled,        // the caller cancelled a blocking wait
  kOutsideRoot,      // a path leads outside the workspace root (e.g. through a swapped symlink)
};

const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status ParseError(std::string m) { return {StatusCode::kParseError, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status LockTimeout(std::string m) { return {StatusCode::kLockTimeout, std::move(m)}; }
  static Status Busy(std::string m) { return {StatusCode::kBusy, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status OutsideRoot(std::string m) { return {StatusCode::kOutsideRoot, std::move(m)}; }
  // "<context>: <strerror(err)>" as an IOError.
  static Status FromErrno(const std::string& context, int err);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T>: a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, Status> v_;
};

// `text` for quoting in an error message: at most max_bytes of it (cut at a UTF-8 boundary),
// followed by " [N bytes cut]" when it was longer, so that echoing input (an id, a key, a line
// of a file) can never make a message larger than a few hundred bytes.
std::string CapEcho(std::string_view text, size_t max_bytes = 200);

}  // namespace sdndb

#define SDNDB_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::sdndb::Status _st = (expr);            \
    if (!_st.ok()) return _st;               \
  } while (0)
