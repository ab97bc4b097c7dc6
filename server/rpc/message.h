// Classification of one decoded JSON-RPC 2.0 message (the body of one frame, or one element of
// a batch). Pure functions: no I/O, never throw.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/rpc/error.h"
#include "server/rpc/json.h"

namespace sdndb::rpc {

struct Message {
  enum class Kind { kRequest, kNotification, kResponse, kInvalid };
  Kind kind = Kind::kInvalid;
  Json id;             // request/response id (string or number); null when absent/invalid
  std::string id_text = "null";  // the id as JSON text to echo: a number exactly as sent
  std::string method;  // request/notification
  Json params;         // object, array, or null when absent
  std::optional<RpcError> error;  // kInvalid: why
};

// Parses a frame body. Returns the parsed JSON in *out, or the error to send (-32700 for
// invalid JSON or invalid UTF-8, -32600 for nesting deeper than kMaxJsonDepth).
// The body is parsed into nlohmann::json (a sorted map: inserting a key costs log n, where
// ordered_json's linear search would make a hostile object with a million keys quadratic) and
// then converted, so incoming objects arrive with their members sorted by name; a repeated
// member keeps its last value. Every string (member names too, params and envelope) has its byte
// escapes mapped back to bytes (sdn::DecodeByteEscapes), so handlers see the values as they are
// in the file, and a string id is echoed (DumpJson) as the client spelled it.
// Json holds numbers as int64/uint64/double, so an id like 18446744073709551616, 1.10000000000000001
// or -0 would come back changed; when the body has such an id (a float or a zero), *id_tokens
// (if given) receives the id tokens exactly as written: one entry for an object body, one per
// element for a batch ("" where there is none). Otherwise it is left empty.
std::optional<RpcError> ParseBody(std::string_view body, Json* out, std::vector<std::string>* id_tokens = nullptr);

// Classifies one JSON value (not a batch array) as a JSON-RPC 2.0 message.
// kInvalid carries a -32600 error; `id` is kept when it was a valid id so the error can name it.
// kResponse (a response sent by the client) carries only its id: the server ignores responses,
// so their `result`/`error` are neither copied nor inspected.
// `id_token` is the id as written (from ParseBody), used for id_text when the id is a number.
Message Classify(const Json& value, std::string_view id_token = {});

// True for a valid JSON-RPC id: string or number (null is valid only in responses).
bool IsValidId(const Json& id);

}  // namespace sdndb::rpc
