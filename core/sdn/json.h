// JSON view of SDN values (for `sdndb get --json`, the JSON-RPC server and tests).
//
// null/bool/int/float/string map to the JSON scalars (non-finite floats to null). Arrays map
// to arrays. Dicts map to objects in order; a key that occurs more than once maps to an
// array of all its values, in order (nothing is dropped). Named tables map to an array of
// row objects {column: value}; typed tables to {"types": [...], "rows": [[...], ...]}.
// Never throws.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/sdn/value.h"

namespace sdndb::sdn {

nlohmann::ordered_json ToJson(const Value& value);

// ToJson(value) as text; invalid UTF-8 is replaced with U+FFFD instead of throwing.
// `indent` < 0 gives the compact form.
std::string ToJsonText(const Value& value, int indent = -1);

}  // namespace sdndb::sdn
