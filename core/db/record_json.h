// The JSON shape of records and conflicts, shared by `sdndb ... --json` and `sdndb serve`
// (docs/protocol.md: Record, Conflict). Keys keep their order; fields keep column order.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/db/record.h"

namespace sdndb {

// {"id", "version", "modified", "fields": {column: text}, "line", "etag"}
nlohmann::ordered_json RecordToJson(const RecordData& record);
// {"id", "database", "record", "field", "base", "ours", "theirs", "who", "when", "table", "baseKnown"}
// ("base" is "" and "baseKnown" false when the edit carried no base value), and for a
// whole-record conflict (field "*") also "oursFields"/"theirsFields" (the record's fields as an
// object, null on the side that deleted it) and "deletedBy" ("ours" | "theirs" | null).
nlohmann::ordered_json ConflictToJson(const Conflict& conflict, const std::string& database);

}  // namespace sdndb
