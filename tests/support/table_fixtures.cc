#include "tests/support/table_fixtures.h"

#include <doctest/doctest.h>

namespace sdndb {
namespace testing {

std::vector<int> ChangedLines(const std::string& before, const std::string& after) {
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      out.push_back(text.substr(pos, nl - pos));
      pos = nl + 1;
    }
    return out;
  };
  auto a = lines(before), b = lines(after);
  REQUIRE_MESSAGE(a.size() == b.size(), "line count changed: " << a.size() << " -> " << b.size());
  std::vector<int> out;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) out.push_back(static_cast<int>(i) + 1);
  return out;
}

const char* const kBugDatabase =
    "bugs |id, severity, status, title|\n"
    "    bug_001, P0, open, \"First\"\n"
    "    bug_002, P1, open, \"Second\"\n"
    "\n"
    "notes |bug_id, timestamp, note|\n"
    "    bug_001, \"2026-02-05T06:00:00\", \"first note\"\n"
    "    bug_001, \"2026-02-05T06:01:00\", \"second note\"\n"
    "    bug_002, \"2026-02-05T06:02:00\", \"third note\"\n"
    "\n"
    "skills_updated |skill, version, changes|\n"
    "    \"debug\", \"1.1.0\", \"Added a section\"\n"
    "    \"mcp\", \"1.0.0\", \"New skill\"\n";

}  // namespace testing
}  // namespace sdndb
