// JSON-RPC error codes and the RpcError value every layer uses to report a failed request.
// The numeric codes are part of the wire contract (docs/protocol.md, "Errors").
#pragma once

#include <string>
#include <utility>

#include "server/rpc/json.h"

namespace sdndb::rpc {

namespace code {
// JSON-RPC 2.0 / LSP.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerNotInitialized = -32002;
inline constexpr int kRequestCancelled = -32800;
// sdndb application errors: -32010 .. -32019.
inline constexpr int kConflict = -32010;
inline constexpr int kLockTimeout = -32011;
inline constexpr int kNotFound = -32012;
inline constexpr int kValidation = -32013;
inline constexpr int kIOError = -32014;
inline constexpr int kMalformedDatabase = -32015;
inline constexpr int kOutsideWorkspace = -32016;
}  // namespace code

// Error messages are for humans: longer ones are cut (with a marker) when sent. Anything echoed
// from the input (ids, names, paths, source lines) is capped to ~200 bytes where it is quoted.
inline constexpr size_t kMaxErrorMessageBytes = 2048;

struct RpcError {
  int code = code::kInternalError;
  std::string message;
  Json data;  // null = no "data" member

  RpcError() = default;
  RpcError(int c, std::string m, Json d = nullptr) : code(c), message(std::move(m)), data(std::move(d)) {}

  // {"code", "message", "data"?}
  Json ToJson() const;
};

// -32602 with data {"field": field}; message "invalid params: <field>: <what>" (field capped).
RpcError InvalidParams(const std::string& field, const std::string& what);

// A full response object: {"jsonrpc":"2.0","id":id,"error":{...}}.
Json ErrorResponse(const Json& id, const RpcError& error);
// {"jsonrpc":"2.0","id":id,"result":result}.
Json ResultResponse(const Json& id, Json result);
// The same two responses as text, with the id given as JSON text (Message::id_text: a number
// id exactly as the client wrote it, which Json would round to a double) and, for results, the
// result already serialised. Byte-identical to DumpJson of the Json forms otherwise.
std::string ErrorResponseText(const std::string& id_text, const RpcError& error);
std::string ResultResponseText(const std::string& id_text, const std::string& result_json);
// {"jsonrpc":"2.0","method":method,"params":params}.
Json Notification(const std::string& method, Json params);

}  // namespace sdndb::rpc
