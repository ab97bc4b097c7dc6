#include "server/rpc/message.h"

#include "core/sdn/json.h"

namespace sdndb::rpc {

namespace {

// A minimal scanner over text that is already known to be valid JSON (it was just parsed).
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view t, size_t i) {
  while (i < t.size() && IsSpace(t[i])) ++i;
  return i;
}

size_t SkipString(std::string_view t, size_t i) {  // t[i] == '"'
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == '"') {
      return i + 1;
    }
  }
  return t.size();
}

size_t SkipValue(std::string_view t, size_t i) {
  i = SkipSpace(t, i);
  if (i >= t.size()) return i;
  if (t[i] == '"') return SkipString(t, i);
  if (t[i] == '{' || t[i] == '[') {
    int depth = 0;
    while (i < t.size()) {
      char c = t[i];
      if (c == '"') {
        i = SkipString(t, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return i + 1;
      ++i;
    }
    return i;
  }
  while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && !IsSpace(t[i])) ++i;
  return i;
}

bool KeyIsId(std::string_view quoted) {
  if (quoted == "\"id\"") return true;
  if (quoted.find('\\') == std::string_view::npos) return false;
  try {  // an escaped spelling such as "\u0069d"
    return nlohmann::json::parse(quoted.begin(), quoted.end()) == "id";
  } catch (...) {
    return false;
  }
}

// The text of the last top-level "id" member's value of the object at t[i] (as the parser,
// which keeps the last duplicate); "" if none.
std::string IdTokenOfObject(std::string_view t, size_t i) {
  std::string_view found;
  i = SkipSpace(t, i + 1);
  while (i < t.size() && t[i] == '"') {
    size_t key_end = SkipString(t, i);
    const bool is_id = KeyIsId(t.substr(i, key_end - i));
    i = SkipSpace(t, key_end);
    if (i < t.size() && t[i] == ':') ++i;
    size_t value_start = SkipSpace(t, i);
    size_t value_end = SkipValue(t, value_start);
    if (is_id) found = t.substr(value_start, value_end - value_start);
    i = SkipSpace(t, value_end);
    if (i >= t.size() || t[i] != ',') break;
    i = SkipSpace(t, i + 1);
  }
  return std::string(found);
}

// True for a number id that Json may not echo as written.
bool IdNeedsToken(const Json& message) {
  if (!message.is_object()) return false;
  auto id = message.find("id");
  if (id == message.end()) return false;
  return id->is_number_float() || (id->is_number_integer() && id->get<int64_t>() == 0);
}

}  // namespace

std::optional<RpcError> ParseBody(std::string_view body, Json* out, std::vector<std::string>* id_tokens) {
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
  // Every string goes back to its bytes (the byte escape, docs/protocol.md): params, and the
  // envelope too, so a string id written back by DumpJson is the id as the client sent it.
  sdn::DecodeByteEscapes(out);
  if (id_tokens == nullptr) return std::nullopt;
  id_tokens->clear();
  bool needed = IdNeedsToken(*out);
  if (out->is_array()) {
    for (const Json& element : *out) needed = needed || IdNeedsToken(element);
  }
  if (!needed) return std::nullopt;
  size_t i = SkipSpace(body, body.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0);  // the parser skips a BOM
  if (i < body.size() && body[i] == '{') {
    id_tokens->push_back(IdTokenOfObject(body, i));
  } else if (i < body.size() && body[i] == '[') {
    i = SkipSpace(body, i + 1);
    while (i < body.size() && body[i] != ']') {
      id_tokens->push_back(body[i] == '{' ? IdTokenOfObject(body, i) : std::string());
      i = SkipSpace(body, SkipValue(body, i));
      if (i >= body.size() || body[i] != ',') break;
      i = SkipSpace(body, i + 1);
    }
  }
  return std::nullopt;
}

bool IsValidId(const Json& id) { return id.is_string() || id.is_number(); }

Message Classify(const Json& value, std::string_view id_token) {
  Message m;
  auto invalid = [&m](std::string why) {
    m.kind = Message::Kind::kInvalid;
    m.error = RpcError(code::kInvalidRequest, "invalid request: " + why);
    return m;
  };
  if (!value.is_object()) return invalid("a message must be a JSON object");
  auto id_it = value.find("id");
  bool has_id = id_it != value.end();
  if (has_id && IsValidId(*id_it)) {
    m.id = *id_it;
    m.id_text = m.id.is_number() && !id_token.empty() ? std::string(id_token) : DumpJson(m.id);
  }
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
