// Classification of one decoded JSON-RPC 2.0 message (the body of one frame, or one element of
// a batch). Pure functions: no I/O, never throw.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/rpc/error.h"
#include "server/rpc/json.h"

namespace sdndb::rpc {

struct Message {
  enum class Kind { kRequest, kNotification, kResponse, kInvalid };
  Kind kind = Kind::kInvalid;
  Json id;             // request/response id (string or number); null when absent/invalid
  std::string method;  // request/notification
  Json params;         // object, array, or null when absent
  std::optional<RpcError> error;  // kInvalid: why
};

// Parses a frame body. Returns the parsed JSON in *out, or the error to send (-32700 for
// invalid JSON or invalid UTF-8, -32600 for nesting deeper than kMaxJsonDepth).
// The body is parsed into nlohmann::json (a sorted map: inserting a key costs log n, where
// ordered_json's linear search would make a hostile object with a million keys quadratic) and
// then converted, so incoming objects arrive with their members sorted by name; a repeated
// member keeps its last value.
std::optional<RpcError> ParseBody(std::string_view body, Json* out);

// Classifies one JSON value (not a batch array) as a JSON-RPC 2.0 message.
// kInvalid carries a -32600 error; `id` is kept when it was a valid id so the error can name it.
// kResponse (a response sent by the client) carries only its id: the server ignores responses,
// so their `result`/`error` are neither copied nor inspected.
Message Classify(const Json& value);

// True for a valid JSON-RPC id: string or number (null is valid only in responses).
bool IsValidId(const Json& id);

}  // namespace sdndb::rpc
