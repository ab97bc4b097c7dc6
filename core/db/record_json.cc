#include "core/db/record_json.h"

namespace sdndb {

nlohmann::ordered_json RecordToJson(const RecordData& r) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r.fields) fields[k] = v;
  return {{"id", r.id}, {"version", r.version}, {"modified", r.modified}, {"fields", fields}, {"line", r.line}};
}

nlohmann::ordered_json ConflictToJson(const Conflict& c, const std::string& database) {
  return {{"id", c.id},     {"database", database}, {"record", c.record}, {"field", c.field},
          {"base", c.base}, {"ours", c.ours},       {"theirs", c.theirs}, {"who", c.who},
          {"when", c.when}};
}

}  // namespace sdndb
