#include "core/sdn/json.h"

#include <cmath>
#include <cstddef>
#include <string_view>
#include <unordered_map>

namespace sdndb::sdn {

nlohmann::ordered_json ToJson(const Value& value) {
  using Json = nlohmann::ordered_json;
  switch (value.kind) {
    case Value::Kind::kNull: return Json();
    case Value::Kind::kBool: return Json(value.b);
    case Value::Kind::kInt: return Json(value.i);
    case Value::Kind::kFloat: return std::isfinite(value.f) ? Json(value.f) : Json();
    case Value::Kind::kString: return Json(value.s);
    case Value::Kind::kArray: {
      Json out = Json::array();
      for (const Value& item : value.items) out.push_back(ToJson(item));
      return out;
    }
    case Value::Kind::kDict: {
      // Count occurrences first so repeated keys become one array at their first occurrence.
      // Keys are unique in `members` by construction, so they are appended without the
      // linear duplicate search of ordered_json's operator[].
      struct KeyInfo {
        size_t count = 0;
        size_t slot = static_cast<size_t>(-1);  // member index of a repeated key's array
      };
      std::unordered_map<std::string_view, KeyInfo> keys;
      keys.reserve(value.entries.size());
      for (const auto& entry : value.entries) ++keys[entry.first].count;
      Json out = Json::object();
      Json::object_t& members = out.get_ref<Json::object_t&>();
      members.reserve(keys.size());
      for (const auto& entry : value.entries) {
        KeyInfo& info = keys[entry.first];
        if (info.count == 1) {
          members.emplace_back(entry.first, ToJson(entry.second));
          continue;
        }
        if (info.slot == static_cast<size_t>(-1)) {
          info.slot = members.size();
          members.emplace_back(entry.first, Json::array());
        }
        (members.begin() + static_cast<std::ptrdiff_t>(info.slot))->second.push_back(ToJson(entry.second));
      }
      return out;
    }
    case Value::Kind::kTable: {
      if (value.typed_table) {
        Json out = Json::object();
        out["types"] = value.columns;
        Json rows = Json::array();
        for (const Value& row : value.items) rows.push_back(ToJson(row));
        out["rows"] = std::move(rows);
        return out;
      }
      Json out = Json::array();
      for (const Value& row : value.items) {
        Json object = Json::object();
        for (size_t col = 0; col < value.columns.size() && col < row.items.size(); ++col) {
          object[value.columns[col]] = ToJson(row.items[col]);
        }
        out.push_back(std::move(object));
      }
      return out;
    }
  }
  return Json();
}

namespace {

void AppendJson(std::string* out, const nlohmann::ordered_json& j, int indent, int level) {
  using Json = nlohmann::ordered_json;
  const bool pretty = indent >= 0;
  auto newline = [&](int at) {
    if (!pretty) return;
    out->push_back('\n');
    out->append(static_cast<size_t>(indent) * static_cast<size_t>(at), ' ');
  };
  switch (j.type()) {
    case Json::value_t::string:
      AppendJsonString(out, j.get_ref<const std::string&>());
      return;
    case Json::value_t::array: {
      if (j.empty()) {
        out->append("[]");
        return;
      }
      out->push_back('[');
      bool first = true;
      for (const Json& item : j) {
        if (!first) out->push_back(',');
        first = false;
        newline(level + 1);
        AppendJson(out, item, indent, level + 1);
      }
      newline(level);
      out->push_back(']');
      return;
    }
    case Json::value_t::object: {
      if (j.empty()) {
        out->append("{}");
        return;
      }
      out->push_back('{');
      bool first = true;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out->push_back(',');
        first = false;
        newline(level + 1);
        AppendJsonString(out, it.key());
        out->append(pretty ? ": " : ":");
        AppendJson(out, it.value(), indent, level + 1);
      }
      newline(level);
      out->push_back('}');
      return;
    }
    default:
      out->append(j.dump());  // null, booleans, numbers: no strings inside
      return;
  }
}

}  // namespace

std::string DumpJson(const nlohmann::ordered_json& json, int indent) {
  try {
    // nlohmann's dump is the fast path; it is right unless a string holds invalid UTF-8 (it
    // throws) or a genuine U+10FF80..U+10FFFF (copied as is: found in its output).
    std::string out = json.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::strict);
    if (!HasByteEscapes(out)) return out;
  } catch (const nlohmann::ordered_json::type_error&) {
    // Invalid UTF-8 somewhere: written below with the byte escape.
  } catch (...) {
    return "null";
  }
  try {
    std::string out;
    AppendJson(&out, json, indent, 0);
    return out;
  } catch (...) {
    return "null";
  }
}

void DecodeByteEscapes(nlohmann::ordered_json* json) {
  using Json = nlohmann::ordered_json;
  switch (json->type()) {
    case Json::value_t::string:
      DecodeByteEscapes(&json->get_ref<std::string&>());
      return;
    case Json::value_t::array:
      for (Json& item : *json) DecodeByteEscapes(&item);
      return;
    case Json::value_t::object: {
      // Keys are immutable in place: rebuild the members only when a key holds an escape.
      Json::object_t& members = json->get_ref<Json::object_t&>();
      bool keys_escaped = false;
      for (auto& member : members) {
        keys_escaped = keys_escaped || HasByteEscapes(member.first);
        DecodeByteEscapes(&member.second);
      }
      if (!keys_escaped) return;
      // Two keys may decode alike ("\u00e9" and the escaped bytes C3 A9): like the parser, the
      // last value wins. Indexed, so a hostile object with many keys stays linear.
      Json::object_t rebuilt;
      std::unordered_map<std::string, size_t> index;
      for (auto& member : members) {
        std::string key = member.first;
        DecodeByteEscapes(&key);
        auto [it, fresh] = index.emplace(key, rebuilt.size());
        if (fresh) {
          rebuilt.emplace_back(std::move(key), std::move(member.second));
        } else {
          (rebuilt.begin() + static_cast<std::ptrdiff_t>(it->second))->second = std::move(member.second);
        }
      }
      members = std::move(rebuilt);
      return;
    }
    default:
      return;
  }
}

std::string ToJsonText(const Value& value, int indent) { return DumpJson(ToJson(value), indent); }

}  // namespace sdndb::sdn
