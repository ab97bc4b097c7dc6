// JSON view of SDN values (for `sdndb get --json`, the JSON-RPC server and tests).
//
// null/bool/int/float/string map to the JSON scalars (non-finite floats to null). Arrays map
// to arrays. Dicts map to objects in order; a key that occurs more than once maps to an
// array of all its values, in order (nothing is dropped). Named tables map to an array of
// row objects {column: value}; typed tables to {"types": [...], "rows": [[...], ...]}.
// Never throws.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/sdn/json_string.h"
#include "core/sdn/value.h"

namespace sdndb::sdn {

nlohmann::ordered_json ToJson(const Value& value);

// `json` as text in nlohmann's layout (`indent` < 0: compact; else pretty with `indent`
// spaces), strings (keys too) written as AppendJsonString does: bytes outside valid UTF-8 and
// U+10FF80..U+10FFFF as the byte escape (json_string.h). The one way sdndb writes JSON. Never throws.
std::string DumpJson(const nlohmann::ordered_json& json, int indent = -1);

// Maps the byte escapes in every string of `json` (object keys too) back to their bytes
// (DecodeByteEscapes): what every JSON sdndb reads goes through. Never throws.
void DecodeByteEscapes(nlohmann::ordered_json* json);

// DumpJson(ToJson(value), indent).
std::string ToJsonText(const Value& value, int indent = -1);

}  // namespace sdndb::sdn
