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

#include "core/sdn/value.h"

namespace sdndb::sdn {

nlohmann::ordered_json ToJson(const Value& value);

// What JSON output does with bytes that are not part of a valid UTF-8 sequence.
enum class InvalidUtf8 {
  // Each such byte is written as the escape \udcXX (XX = the byte, U+DC80..U+DCFF, Python's
  // "surrogateescape"): valid JSON text, and reversible, as valid UTF-8 never encodes a lone low
  // surrogate. Some decoders refuse lone surrogates (nlohmann, Neovim's vim.json).
  kEscapeBytes,
  // Each such byte becomes U+FFFD: what every decoder accepts (the JSON-RPC server).
  kReplace,
};

// Appends `s` as a JSON string literal (with quotes).
void AppendJsonString(std::string* out, std::string_view s, InvalidUtf8 invalid = InvalidUtf8::kEscapeBytes);

// `json` as text in nlohmann's layout (`indent` < 0: compact; else pretty with `indent`
// spaces), strings written as AppendJsonString does. Never throws.
std::string DumpJson(const nlohmann::ordered_json& json, int indent = -1,
                     InvalidUtf8 invalid = InvalidUtf8::kEscapeBytes);

// DumpJson(ToJson(value), indent).
std::string ToJsonText(const Value& value, int indent = -1);

}  // namespace sdndb::sdn
