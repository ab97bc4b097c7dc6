#include "server/rpc/message.h"

namespace sdndb::rpc {

std::optional<RpcError> ParseBody(std::string_view body, Json* out) {
  if (JsonNestingDepth(body) > kMaxJsonDepth) {
    return RpcError(code::kInvalidRequest,
                    "message nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  try {
    *out = Json(nlohmann::json::parse(body.begin(), body.end()));
  } catch (const nlohmann::json::exception& e) {
    return RpcError(code::kParseError, std::string("parse error: ") + e.what());
  } catch (...) {
    return RpcError(code::kParseError, "parse error");
  }
  return std::nullopt;
}

bool IsValidId(const Json& id) { return id.is_string() || id.is_number(); }

Message Classify(const Json& value) {
  Message m;
  auto invalid = [&m](std::string why) {
    m.kind = Message::Kind::kInvalid;
    m.error = RpcError(code::kInvalidRequest, "invalid request: " + why);
    return m;
  };
  if (!value.is_object()) return invalid("a message must be a JSON object");
  auto id_it = value.find("id");
  bool has_id = id_it != value.end();
  if (has_id && IsValidId(*id_it)) m.id = *id_it;
  auto version = value.find("jsonrpc");
  if (version == value.end() || !version->is_string() || version->get_ref<const std::string&>() != "2.0") {
    return invalid("\"jsonrpc\" must be \"2.0\"");
  }
  auto method = value.find("method");
  if (method != value.end()) {
    if (!method->is_string()) return invalid("\"method\" must be a string");
    m.method = method->get<std::string>();
    auto params = value.find("params");
    if (params != value.end()) {
      if (!params->is_object() && !params->is_array() && !params->is_null()) {
        return invalid("\"params\" must be an object or an array");
      }
      m.params = *params;
    }
    if (!has_id) {
      m.kind = Message::Kind::kNotification;
      return m;
    }
    if (!IsValidId(*id_it)) return invalid("\"id\" must be a string or a number");
    m.kind = Message::Kind::kRequest;
    return m;
  }
  auto result = value.find("result");
  auto error = value.find("error");
  if (has_id && (result != value.end()) != (error != value.end())) {
    if (!IsValidId(*id_it) && !id_it->is_null()) return invalid("\"id\" must be a string or a number");
    m.kind = Message::Kind::kResponse;
    return m;
  }
  return invalid("neither a request, a notification nor a response");
}

}  // namespace sdndb::rpc
