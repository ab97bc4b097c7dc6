// The CLI on real-world shapes: `tables`, NAME.TABLE, duplicate keys in check/show/edit/delete,
// @N with --expect, user `version` columns, `migrate --versions`, last-modified-wins without times.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/run_process.h"
#include "tests/support/io_test_util.h"
#include "tests/support/table_fixtures.h"

using namespace sdndb::testing;
using nlohmann::json;

namespace {

const char* const kBugDb = sdndb::testing::kBugDatabase;

struct Folder {
  TempDir dir;
  Folder() { dir.Write("bug_db.sdn", kBugDb); }
  ProcessResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--dir", dir.path()});
    return Sdndb(args);
  }
  std::string Bug() const { return dir.Read("bug_db.sdn"); }
};

json Parse(const ProcessResult& r) {
  auto j = json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << r.out << r.err);
  return j;
}

}  // namespace

TEST_CASE("tables lists every table; NAME.TABLE reaches each of them") {
  Folder f;
  auto t = f.Run({"tables"});
  REQUIRE_MESSAGE(t.exit_code == 0, t.err);
  CHECK(t.out.find("bug.bugs  2 rows  key id  (default)") != std::string::npos);
  CHECK(t.out.find("bug.notes  3 rows  key bug_id") != std::string::npos);
  CHECK(t.out.find("duplicate-key: bug_id 'bug_001' is on 2 rows (lines 6, 7); address them as @1, @2") !=
        std::string::npos);
  json j = Parse(f.Run({"--json", "tables", "bug"}));
  REQUIRE(j[0]["tables"].size() == 3);
  CHECK(j[0]["tables"][2]["columns"] == json::array({"skill", "version", "changes"}));
  json notes = Parse(f.Run({"--json", "list", "bug.notes"}));
  REQUIRE(notes.size() == 3);
  CHECK(notes[0]["id"] == "@1");
  CHECK(notes[2]["id"] == "bug_002");
  auto missing = f.Run({"list", "bug.nope"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no table 'nope' in bug (tables: bugs, notes, skills_updated)") != std::string::npos);
}

TEST_CASE("duplicate keys: check warns with every line (--strict fails), show/edit/delete refuse") {
  Folder f;
  auto check = f.Run({"check"});
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("bug_db.sdn:6:1: warning: table 'notes': bug_id 'bug_001' is on 2 rows (lines 6, 7)") !=
        std::string::npos);
  CHECK(f.Run({"check", "--strict"}).exit_code == 1);
  const std::string before = f.Bug();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"show", "bug.notes", "bug_001"},
        std::vector<std::string>{"edit", "bug.notes", "bug_001", "note=x"},
        std::vector<std::string>{"delete", "bug.notes", "bug_001"}}) {
    auto r = f.Run(args);
    CAPTURE(args[0]);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("lines 6, 7") != std::string::npos);
    CHECK(r.err.find("@1, @2") != std::string::npos);
  }
  // @N needs the right etag.
  json second = Parse(f.Run({"--json", "show", "bug.notes", "@2"}));
  json first = Parse(f.Run({"--json", "show", "bug.notes", "@1"}));
  CHECK(f.Run({"edit", "bug.notes", "@2", "note=x"}).exit_code == 1);
  auto wrong = f.Run({"edit", "bug.notes", "@2", "note=x", "--expect", first["etag"].get<std::string>()});
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.err.find("not the row") != std::string::npos);
  CHECK(f.Run({"delete", "bug.notes", "@2", "--expect", first["etag"].get<std::string>()}).exit_code == 2);
  CHECK(f.Bug() == before);
  auto ok = f.Run({"edit", "bug.notes", "@2", "note=x", "--expect", second["etag"].get<std::string>()});
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
  CHECK(f.Bug().find("    bug_001, \"2026-02-05T06:01:00\", \"x\"\n") != std::string::npos);
}

TEST_CASE("user version columns stay data; versions only by migrate; last-modified-wins needs them") {
  Folder f;
  auto edit = f.Run({"edit", "bug.skills_updated", "debug", "version=2.0.0"});
  REQUIRE_MESSAGE(edit.exit_code == 0, edit.err);
  CHECK(f.Bug().find("\"debug\", \"2.0.0\", \"Added a section\"") != std::string::npos);
  auto lmw = f.Run({"edit", "bug", "bug_001", "status=closed", "--strategy", "last-modified-wins"});
  CHECK(lmw.exit_code == 1);
  CHECK(lmw.err.find("sdndb migrate --versions bug") != std::string::npos);
  auto expect_version = f.Run({"edit", "bug", "bug_001", "status=closed", "--expect-version", "3"});
  CHECK(expect_version.exit_code == 1);
  CHECK(expect_version.err.find("no version columns") != std::string::npos);
  CHECK(f.Run({"migrate", "--versions", "bug.skills_updated"}).exit_code == 1);  // its own `version`
  auto m = f.Run({"migrate", "--versions", "bug"});
  REQUIRE_MESSAGE(m.exit_code == 0, m.err);
  CHECK(f.Bug().rfind("bugs |id, severity, status, title, version, modified|\n    bug_001, P0, open, \"First\", 0, \"\"\n", 0) == 0);
  auto now = f.Run({"--json", "edit", "bug", "bug_001", "status=closed", "--strategy", "last-modified-wins"});
  REQUIRE_MESSAGE(now.exit_code == 0, now.err);
  CHECK(Parse(now)["record"]["version"] == 1);
  auto stale = f.Run({"edit", "bug", "bug_001", "status=open", "--expect-version", "0", "--strategy", "error"});
  CHECK(stale.exit_code == 2);
}
