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

std::string ToJsonText(const Value& value, int indent) {
  return ToJson(value).dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace sdndb::sdn
