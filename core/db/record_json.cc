#include "core/db/record_json.h"

#include "core/db/db_file.h"
#include "core/sdn/json_string.h"

namespace sdndb {

nlohmann::ordered_json RecordToJson(const RecordData& r) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r.fields) fields[k] = v;
  return {{"id", r.id},     {"version", r.version}, {"modified", r.modified},
          {"fields", fields}, {"line", r.line},       {"etag", r.etag}};
}

namespace {

// One side of a whole-record conflict: its fields, or null for the side that deleted the record.
nlohmann::ordered_json SideFields(const std::string& side) {
  if (side == kDeletedMarker) return nullptr;
  auto fields = FieldsFromJson(side);
  if (!fields.ok()) return nullptr;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [k, v] : fields.value()) out[k] = v;
  return out;
}

// The text form of a whole-record side: the stored JSON text with its byte escapes mapped back
// to bytes, so that once the output's own escaping is undone, parsing it gives the same field
// values as oursFields/theirsFields (one layer of escapes, not two).
std::string SideText(const std::string& side) {
  std::string text = side;
  if (side != kDeletedMarker) sdn::DecodeByteEscapes(&text);
  return text;
}

}  // namespace

nlohmann::ordered_json ConflictToJson(const Conflict& c, const std::string& database) {
  nlohmann::ordered_json j = {{"id", c.id},     {"database", database}, {"record", c.record}, {"field", c.field},
          {"base", c.base}, {"ours", c.ours},       {"theirs", c.theirs}, {"who", c.who},
          {"when", c.when}, {"table", c.table}, {"baseKnown", c.base_known}};
  if (c.field == "*") {
    j["ours"] = SideText(c.ours);
    j["theirs"] = SideText(c.theirs);
    j["oursFields"] = SideFields(c.ours);
    j["theirsFields"] = SideFields(c.theirs);
    j["deletedBy"] = c.ours == kDeletedMarker ? nlohmann::ordered_json("ours")
                     : c.theirs == kDeletedMarker ? nlohmann::ordered_json("theirs")
                                                  : nlohmann::ordered_json(nullptr);
  }
  return j;
}

}  // namespace sdndb
