#include "server/rpc/json.h"

#include "core/sdn/json.h"
#include "core/sdn/json_string.h"

namespace sdndb::rpc {

std::string DumpJson(const Json& value) { return sdn::DumpJson(value); }

void AppendJsonString(std::string* out, std::string_view s) { sdn::AppendJsonString(out, s); }

int JsonNestingDepth(std::string_view text) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        ++depth;
        if (depth > max_depth) max_depth = depth;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return max_depth;
}

}  // namespace sdndb::rpc
