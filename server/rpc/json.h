// JSON helpers shared by the transport, the dispatcher and the handlers.
// rpc::Json (nlohmann::ordered_json) is the one JSON type: objects keep the order their members
// were added in, so a record's `fields` go out in column order whichever method sends them
// (the same type as core/db/record_json.h). Exceptions nlohmann throws must never leave the
// rpc/serve layer, so everything that may throw (parse, dump, typed access) goes through these
// helpers or is wrapped in try/catch at the boundary.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sdndb::rpc {

using Json = nlohmann::ordered_json;

// Serialises compactly (sdn::DumpJson). Never throws. Bytes that are not valid UTF-8 travel as
// the reversible byte escape U+10FF80..U+10FFFF (core/sdn/json_string.h, docs/protocol.md).
std::string DumpJson(const Json& value);

// Appends `s` as a JSON string literal (with quotes), with the byte escape, so the output is
// always valid JSON. Used by hand-written serialisers on hot paths.
void AppendJsonString(std::string* out, std::string_view s);

// Maximum nesting depth of arrays/objects accepted from the wire.
inline constexpr int kMaxJsonDepth = 64;

// Returns the maximum nesting depth of arrays/objects in `text` (a linear scan that skips
// strings). It does not validate the JSON; it only bounds what the parser will build.
int JsonNestingDepth(std::string_view text);

}  // namespace sdndb::rpc
