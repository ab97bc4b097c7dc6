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
    case StatusCode::kOutsideRoot: return "outside the workspace";
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

std::string CapEcho(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return std::string(text.substr(0, cut)) + " [" + std::to_string(text.size() - cut) + " bytes cut]";
}

}  // namespace sdndb
