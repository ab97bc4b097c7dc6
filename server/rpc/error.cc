#include "server/rpc/error.h"

namespace sdndb::rpc {

Json RpcError::ToJson() const {
  Json e = Json::object();
  e["code"] = code;
  e["message"] = message;
  if (!data.is_null()) e["data"] = data;
  return e;
}

RpcError InvalidParams(const std::string& field, const std::string& what) {
  return RpcError(code::kInvalidParams, "invalid params: " + field + ": " + what, Json{{"field", field}});
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

Json Notification(const std::string& method, Json params) {
  Json r = Json::object();
  r["jsonrpc"] = "2.0";
  r["method"] = method;
  r["params"] = std::move(params);
  return r;
}

}  // namespace sdndb::rpc
