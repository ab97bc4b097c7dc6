#include "core/sdn/json.h"

#include <cmath>

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
      Json out = Json::object();
      // Count occurrences first so repeated keys become arrays from their first occurrence.
      Json counts = Json::object();
      for (const auto& entry : value.entries) {
        auto it = counts.find(entry.first);
        if (it == counts.end()) {
          counts[entry.first] = 1;
        } else {
          *it = it->get<int>() + 1;
        }
      }
      for (const auto& entry : value.entries) {
        if (counts[entry.first].get<int>() == 1) {
          out[entry.first] = ToJson(entry.second);
        } else {
          Json& slot = out[entry.first];
          if (slot.is_null()) slot = Json::array();
          slot.push_back(ToJson(entry.second));
        }
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
