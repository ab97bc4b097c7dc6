#include "server/rpc/error.h"

#include "core/status.h"

namespace sdndb::rpc {

Json RpcError::ToJson() const {
  Json e = Json::object();
  e["code"] = code;
  e["message"] = CapEcho(message, kMaxErrorMessageBytes);  // a safety net: excerpts are capped where made
  if (!data.is_null()) e["data"] = data;
  return e;
}

RpcError InvalidParams(const std::string& field, const std::string& what) {
  const std::string shown = CapEcho(field);  // a member name comes from the client
  return RpcError(code::kInvalidParams, "invalid params: " + shown + ": " + what, Json{{"field", shown}});
}

Json ErrorResponse(const Json& id, const RpcError& error) {
  Json r = Json::object();
  r["jsonrpc"] = "2.0";
  r["id"] = id;
  r["error"] = error.ToJson();
  return r;
}

Json ResultResponse(const Json& id, Json result) {
  Json r = Json::object();
  r["jsonrpc"] = "2.0";
  r["id"] = id;
  r["result"] = std::move(result);
  return r;
}

namespace {
std::string ResponseText(const std::string& id_text, const char* member, const std::string& value_json) {
  std::string out;
  out.reserve(id_text.size() + value_json.size() + 40);
  out.append("{\"jsonrpc\":\"2.0\",\"id\":").append(id_text).append(",\"").append(member).append("\":");
  out.append(value_json).append("}");
  return out;
}
}  // namespace

std::string ErrorResponseText(const std::string& id_text, const RpcError& error) {
  return ResponseText(id_text, "error", DumpJson(error.ToJson()));
}

std::string ResultResponseText(const std::string& id_text, const std::string& result_json) {
  return ResponseText(id_text, "result", result_json);
}

Json Notification(const std::string& method, Json params) {
  Json r = Json::object();
  r["jsonrpc"] = "2.0";
  r["method"] = method;
  r["params"] = std::move(params);
  return r;
}

}  // namespace sdndb::rpc
