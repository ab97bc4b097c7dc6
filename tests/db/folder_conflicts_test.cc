// Conflicts across a folder's databases: an unreadable database is reported, never hidden, and a
// bare conflict id is found in exactly one database or the reason why not is given.
#include "core/db/folder_conflicts.h"

#include <doctest/doctest.h>

#include <map>

using namespace sdndb;

namespace {

DatabaseEntry Db(const std::string& name) {
  DatabaseEntry e;
  e.name = name;
  e.path = "/w/" + name + "_db.sdn";
  return e; }

Conflict C(const std::string& id) {
  Conflict c;
  c.id = id;
  c.record = "1";
  c.field = "status";
  return c;
}

// A reader over fixed contents; a database absent from `readable` fails with `error`.
ConflictReader Reader(std::map<std::string, std::vector<Conflict>> readable, Status error) {
  return [readable, error](const DatabaseEntry& db) -> Result<std::vector<Conflict>> {
    auto it = readable.find(db.name);
    if (it == readable.end()) return error;
    return it->second;
  };
}

}  // namespace

TEST_CASE("listing: readable databases in order, unreadable ones reported with their error") {
  const Status bad = Status::ParseError("task_db.sdn:1:7: unterminated header");
  FolderConflicts f = ListFolderConflicts({Db("todo"), Db("task"), Db("bug")},
                                          Reader({{"todo", {C("c1")}}, {"bug", {}}}, bad));
  REQUIRE(f.readable.size() == 2);
  CHECK(f.readable[0].database.name == "todo");
  CHECK(f.readable[0].conflicts.size() == 1);
  CHECK(f.readable[1].database.name == "bug");
  REQUIRE(f.unreadable.size() == 1);
  CHECK(f.unreadable[0].database.name == "task");
  CHECK(f.unreadable[0].status.message() == bad.message());
}

TEST_CASE("a bare conflict id: found, ambiguous, hidden by an unreadable database, or absent") {
  const Status bad = Status::ParseError("task_db.sdn:1:7: unterminated header");
  auto found = FindConflictDatabase({Db("todo"), Db("task"), Db("bug")},
                                    "c2", Reader({{"todo", {C("c1")}}, {"bug", {C("c2")}}}, bad));
  REQUIRE(found.ok());
  CHECK(found->name == "bug");

  auto twice = FindConflictDatabase({Db("todo"), Db("bug")}, "c1",
                                    Reader({{"todo", {C("c1")}}, {"bug", {C("c1")}}}, bad));
  REQUIRE(!twice.ok());
  CHECK(twice.status().code() == StatusCode::kInvalidArgument);
  CHECK(twice.status().message().find("todo:c1") != std::string::npos);

  // Not in a readable database, and one could not be read: its error, not "no conflict".
  auto hidden = FindConflictDatabase({Db("todo"), Db("task")}, "c9", Reader({{"todo", {C("c1")}}}, bad));
  REQUIRE(!hidden.ok());
  CHECK(hidden.status().code() == StatusCode::kParseError);

  auto absent = FindConflictDatabase({Db("todo")}, "c9", Reader({{"todo", {C("c1")}}}, bad));
  REQUIRE(!absent.ok());
  CHECK(absent.status().code() == StatusCode::kNotFound);
  CHECK(absent.status().message() == "no conflict 'c9'");
}
