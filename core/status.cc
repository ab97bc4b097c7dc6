#include "core/status.h"

#include <cstring>

namespace sdndb {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kParseError: return "parse error";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kLockTimeout: return "lock timeout";
    case StatusCode::kBusy: return "busy";
    case StatusCode::kIOError: return "I/O error";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kCancelled: return "cancelled";
  }
  return "unknown";
}

Status Status::FromErrno(const std::string& context, int err) {
  return Status(StatusCode::kIOError, context + ": " + std::strerror(err));
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return message_;
}

}  // namespace sdndb
