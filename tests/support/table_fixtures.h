// Fixtures and checks for tests of real-world table shapes (several tables, keyless rows,
// user columns named like sdndb's metadata). Uses doctest: only for doctest executables.
#pragma once

#include <string>
#include <vector>

namespace sdndb {
namespace testing {
// The 1-based numbers of the lines of `after` that differ from `before`; the line counts must be
// equal (REQUIREd), so an added or removed line fails the test.
std::vector<int> ChangedLines(const std::string& before, const std::string& after);

// A bug database shaped like the Simple project's (lines 1-12): records table `bugs`, a keyless
// log `notes` whose key bug_001 is on lines 6 and 7, and `skills_updated` with a user column
// named `version`.
extern const char* const kBugDatabase;

}  // namespace testing
}  // namespace sdndb
