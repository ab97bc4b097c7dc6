#include "core/db/store.h"

#include <doctest/doctest.h>

#include <sstream>

#include "core/io/crc32.h"
#include "tests/support/io_test_util.h"

using namespace sdndb;
using sdndb::testing::TempDir;

namespace {

// Without version metadata, as the Simple project writes them.
const char* kTodoPlain =
    "# todo list\n"
    "todos |id, keyword, area, priority, description, file, line, issue, blocked, status, valid|\n"
    "    1, TODO, parser, P2, \"Add generic aliases\", src/a.spl, 492, \"\", \"\", open, true\n"
    "    2, FIXME, runtime, P1, \"Crash, sometimes\", src/b.spl, 10, \"\", \"\", open, true\n"
    "    3, TODO, doc, P3, \"Write docs\", doc/x.md, 1, \"\", \"\", closed, false\n"
    "\n"
    "# another table that must survive\n"
    "notes |id, text|\n"
    "    n1, \"keep me\"\n";

// Versioned, as `sdndb init` creates them.
const char* kTodo =
    "# todo list\n"
    "todos |id, keyword, area, priority, description, file, line, issue, blocked, status, valid, version, modified|\n"
    "    1, TODO, parser, P2, \"Add generic aliases\", src/a.spl, 492, \"\", \"\", open, true, 0, \"\"\n"
    "    2, FIXME, runtime, P1, \"Crash, sometimes\", src/b.spl, 10, \"\", \"\", open, true, 0, \"\"\n"
    "    3, TODO, doc, P3, \"Write docs\", doc/x.md, 1, \"\", \"\", closed, false, 0, \"\"\n"
    "\n"
    "# another table that must survive\n"
    "notes |id, text|\n"
    "    n1, \"keep me\"\n";

std::unique_ptr<Store> OpenStore(const std::string& path, Strategy s = Strategy::kMerge) {
  StoreOptions o;
  o.strategy = s;
  o.writer = "tester@host";
  o.lock.timeout = std::chrono::milliseconds(5000);
  auto st = Store::Open(path, o);
  REQUIRE(st.ok());
  return std::move(st.value());
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string l;
  while (std::getline(ss, l)) out.push_back(l);
  return out;
}

int DifferingLines(const std::string& a, const std::string& b) {
  auto x = Lines(a), y = Lines(b);
  int n = 0;
  for (size_t i = 0; i < std::max(x.size(), y.size()); ++i)
    if (i >= x.size() || i >= y.size() || x[i] != y[i]) ++n;
  return n;
}

EditRequest Change(const std::string& id, FieldList changes) {
  EditRequest r;
  r.id = id;
  r.changes = std::move(changes);
  return r;
}

}  // namespace

TEST_CASE("a file without version columns loads as version 0") {
  TempDir dir;
  auto store = OpenStore(dir.Write("todo_db.sdn", kTodoPlain));
  CHECK(store->name() == "todo");
  auto snap = store->Read();
  REQUIRE(snap.ok());
  CHECK(snap->table == "todos");
  REQUIRE(snap->records.size() == 3);
  CHECK(snap->records[0].version == 0);
  CHECK(snap->records[0].modified == "");
  CHECK(*snap->records[1].Get("description") == "Crash, sometimes");
  CHECK(snap->records[1].line == 4);
  CHECK(snap->conflicts.empty());
}

TEST_CASE("writes never add version columns: the first edit of a plain file changes one line") {
  TempDir dir;
  std::string path = dir.Write("todo_db.sdn", kTodoPlain);
  auto store = OpenStore(path);
  auto r = store->Edit(Change("2", {{"status", "closed"}}));
  REQUIRE(r.ok());
  CHECK(r->outcome == EditOutcome::kApplied);
  CHECK(r->record.version == 0);
  CHECK(r->record.modified.empty());
  CHECK(DifferingLines(kTodoPlain, dir.Read("todo_db.sdn")) == 1);
  CHECK(dir.Read("todo_db.sdn").find("version") == std::string::npos);
}

TEST_CASE("versioned tables: each write bumps version and modified; writes touch one line") {
  TempDir dir;
  std::string path = dir.Write("todo_db.sdn", kTodo);
  auto store = OpenStore(path);
  auto r = store->Edit(Change("2", {{"status", "closed"}}));
  REQUIRE(r.ok());
  CHECK(r->outcome == EditOutcome::kApplied);
  CHECK(r->record.version == 1);
  CHECK(r->record.modified.size() == 24);
  std::string after1 = dir.Read("todo_db.sdn");
  CHECK(DifferingLines(kTodo, after1) == 1);
  CHECK(after1.find("# another table that must survive\nnotes |id, text|\n    n1, \"keep me\"\n") != std::string::npos);
  CHECK(after1.rfind("# todo list\n", 0) == 0);

  auto r2 = store->Edit(Change("1", {{"priority", "P0"}}));
  REQUIRE(r2.ok());
  CHECK(r2->record.version == 1);
  std::string after2 = dir.Read("todo_db.sdn");
  CHECK(DifferingLines(after1, after2) == 1);
  auto snap = store->Read();
  REQUIRE(snap.ok());
  CHECK(*snap->Find("1")->Get("priority") == "P0");
  CHECK(*snap->Find("2")->Get("status") == "closed");
  CHECK(snap->Find("3")->version == 0);
}

TEST_CASE("an edit that changes nothing writes nothing") {
  TempDir dir;
  std::string path = dir.Write("todo_db.sdn", kTodo);
  auto store = OpenStore(path);
  auto r = store->Edit(Change("1", {{"status", "open"}}));
  REQUIRE(r.ok());
  CHECK(r->outcome == EditOutcome::kUnchanged);
  CHECK(dir.Read("todo_db.sdn") == kTodo);
}

TEST_CASE("validation errors write nothing") {
  TempDir dir;
  std::string path = dir.Write("todo_db.sdn", kTodo);
  auto store = OpenStore(path);
  auto unknown = store->Edit(Change("1", {{"colour", "red"}}));
  CHECK(unknown.status().code() == StatusCode::kInvalidArgument);
  CHECK(unknown.status().message().find("colour") != std::string::npos);
  auto bad_int = store->Edit(Change("1", {{"line", "twelve"}}));
  CHECK(bad_int.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad_int.status().message().find("line") != std::string::npos);
  auto bad_bool = store->Edit(Change("1", {{"valid", "maybe"}}));
  CHECK(bad_bool.status().code() == StatusCode::kInvalidArgument);
  auto missing = store->Edit(Change("99", {{"status", "open"}}));
  CHECK(missing.status().code() == StatusCode::kNotFound);
  auto id_change = store->Edit(Change("1", {{"id", "7"}}));
  CHECK(id_change.status().code() == StatusCode::kInvalidArgument);
  auto dup = store->Create({{"id", "2"}});
  CHECK(dup.status().code() == StatusCode::kInvalidArgument);
  CHECK(dir.Read("todo_db.sdn") == kTodo);
}

TEST_CASE("create generates ids in the table's style") {
  TempDir dir;
  auto todos = OpenStore(dir.Write("todo_db.sdn", kTodo));
  auto a = todos->Create({{"description", "new, with comma"}, {"line", "5"}});
  REQUIRE(a.ok());
  CHECK(a->id == "4");
  CHECK(a->version == 1);
  auto tasks = OpenStore(dir.Write("task_db.sdn",
                                   "tasks |id, name|\n    TRACK-001, a\n    TRACK-009, b\n    TRACK-002, c\n"));
  auto t = tasks->Create({{"name", "next"}});
  REQUIRE(t.ok());
  CHECK(t->id == "TRACK-010");
  auto snap = todos->Read();
  REQUIRE(snap.ok());
  CHECK(*snap->Find("4")->Get("description") == "new, with comma");
  CHECK(*snap->Find("4")->Get("line") == "5");
  CHECK(*snap->Find("4")->Get("status") == "");
  // Typed columns keep their spelling: the new id and line are bare integers.
  CHECK(dir.Read("todo_db.sdn").find("\n    4, \"\", \"\", \"\", \"new, with comma\", \"\", 5,") != std::string::npos);
}

TEST_CASE("unicode, quotes, commas and newlines round-trip") {
  TempDir dir;
  auto store = OpenStore(dir.Write("todo_db.sdn", kTodo));
  const std::string tricky = "naïve — \"quoted\", comma\nsecond line\t✅ \\ back";
  REQUIRE(store->Edit(Change("1", {{"description", tricky}})).ok());
  auto snap = store->Read();
  REQUIRE(snap.ok());
  CHECK(*snap->Find("1")->Get("description") == tricky);
  CHECK(snap->records.size() == 3);
}

TEST_CASE("stale edits merge field by field") {
  TempDir dir;
  auto store = OpenStore(dir.Write("todo_db.sdn", kTodo));
  auto v1 = store->Edit(Change("1", {{"status", "blocked"}}));  // someone else: version 0 -> 1
  REQUIRE(v1.ok());
  EditRequest mine = Change("1", {{"priority", "P0"}});
  mine.base = EditBase{0, {{"priority", "P2"}, {"status", "open"}}};
  auto r = store->Edit(mine);
  REQUIRE(r.ok());
  CHECK(r->outcome == EditOutcome::kMerged);
  CHECK(r->record.version == 2);
  CHECK(*r->record.Get("priority") == "P0");
  CHECK(*r->record.Get("status") == "blocked");
}

TEST_CASE("same-field stale edits follow the strategy") {
  TempDir dir;
  std::string path = dir.Write("todo_db.sdn", kTodo);
  auto setup = [&] {
    dir.Write("todo_db.sdn", kTodo);
    REQUIRE(OpenStore(path)->Edit(Change("1", {{"status", "closed"}})).ok());  // theirs
  };
  auto mine = [] {
    EditRequest r = Change("1", {{"status", "blocked"}, {"area", "lexer"}});
    r.base = EditBase{0, {{"status", "open"}, {"area", "parser"}}};
    return r;
  };

  SUBCASE("error: nothing written, current record returned") {
    setup();
    std::string before = dir.Read("todo_db.sdn");
    auto r = OpenStore(path, Strategy::kError)->Edit(mine());
    REQUIRE(r.ok());
    CHECK(r->outcome == EditOutcome::kConflict);
    CHECK(r->conflicting_fields == std::vector<std::string>{"status"});
    CHECK(*r->record.Get("status") == "closed");
    CHECK(dir.Read("todo_db.sdn") == before);
  }
  SUBCASE("last-write-wins: the incoming edit wins") {
    setup();
    auto r = OpenStore(path, Strategy::kLastWriteWins)->Edit(mine());
    REQUIRE(r.ok());
    CHECK(*r->record.Get("status") == "blocked");
    CHECK(*r->record.Get("area") == "lexer");
  }
  SUBCASE("last-modified-wins: an older edit loses, a newer one wins") {
    setup();
    EditRequest old_edit = mine();
    old_edit.edited_at = "2000-01-01T00:00:00.000Z";
    auto r = OpenStore(path, Strategy::kLastModifiedWins)->Edit(old_edit);
    REQUIRE(r.ok());
    CHECK(*r->record.Get("status") == "closed");
    CHECK(*r->record.Get("area") == "lexer");  // clean field still merges
    EditRequest new_edit = mine();
    new_edit.base->version = 0;
    new_edit.edited_at = "2999-01-01T00:00:00.000Z";
    auto r2 = OpenStore(path, Strategy::kLastModifiedWins)->Edit(new_edit);
    REQUIRE(r2.ok());
    CHECK(*r2->record.Get("status") == "blocked");
  }
  SUBCASE("merge: clean fields applied, conflict recorded, resolvable") {
    setup();
    auto store = OpenStore(path, Strategy::kMerge);
    auto r = store->Edit(mine());
    REQUIRE(r.ok());
    CHECK(r->outcome == EditOutcome::kConflict);
    REQUIRE(r->conflicts.size() == 1);
    const Conflict& c = r->conflicts[0];
    CHECK(c.id == "c1");
    CHECK(c.record == "1");
    CHECK(c.field == "status");
    CHECK(c.base == "open");
    CHECK(c.ours == "blocked");
    CHECK(c.theirs == "closed");
    CHECK(c.who == "tester@host");
    CHECK(*r->record.Get("status") == "closed");
    CHECK(*r->record.Get("area") == "lexer");
    std::string text = dir.Read("todo_db.sdn");
    CHECK(text.find("conflicts |id, record, field, base, ours, theirs, who, when|") != std::string::npos);
    auto snap = store->Read();
    REQUIRE(snap.ok());
    REQUIRE(snap->conflicts.size() == 1);

    SUBCASE("ours") {
      auto res = store->Resolve("c1", Resolution::kOurs);
      REQUIRE(res.ok());
      REQUIRE(res->has_value());
      CHECK(*(*res)->Get("status") == "blocked");
    }
    SUBCASE("theirs") {
      auto res = store->Resolve("c1", Resolution::kTheirs);
      REQUIRE(res.ok());
      CHECK(*(*res)->Get("status") == "closed");
    }
    SUBCASE("value") {
      auto res = store->Resolve("c1", Resolution::kValue, "wontfix");
      REQUIRE(res.ok());
      CHECK(*(*res)->Get("status") == "wontfix");
    }
    auto after = store->Read();
    REQUIRE(after.ok());
    CHECK(after->conflicts.empty());
    // The last resolution takes the conflicts table with it.
    CHECK(dir.Read("todo_db.sdn").find("conflicts |") == std::string::npos);
    CHECK(dir.Read("todo_db.sdn").find("notes |id, text|\n    n1, \"keep me\"\n") != std::string::npos);
    CHECK(store->Resolve("c1", Resolution::kOurs).status().code() == StatusCode::kNotFound);
  }
}

TEST_CASE("delete versus edit is a conflict too") {
  TempDir dir;
  std::string path = dir.Write("todo_db.sdn", kTodo);
  auto store = OpenStore(path);
  SUBCASE("edit of a record deleted meanwhile; resolve ours restores it") {
    REQUIRE(store->Edit(Change("2", {{"status", "closed"}})).ok());
    REQUIRE(store->Delete("2", std::nullopt).ok());
    EditRequest mine = Change("2", {{"priority", "P0"}});
    mine.base = EditBase{1, {{"priority", "P1"}, {"description", "Crash, sometimes"}}};
    auto r = store->Edit(mine);
    REQUIRE(r.ok());
    CHECK(r->outcome == EditOutcome::kConflict);
    REQUIRE(r->conflicts.size() == 1);
    CHECK(r->conflicts[0].field == "*");
    CHECK(r->conflicts[0].theirs == "<deleted>");
    CHECK(store->Read()->Find("2") == nullptr);
    CHECK(r->conflicts[0].base == "1");  // the version the edit started from
    auto res = store->Resolve(r->conflicts[0].id, Resolution::kOurs);
    REQUIRE(res.ok());
    REQUIRE(res->has_value());
    CHECK(*(*res)->Get("priority") == "P0");
    CHECK(*(*res)->Get("description") == "Crash, sometimes");
    // Versions never go back: an editor still holding version 1 is stale and merges.
    CHECK((*res)->version == 2);
    EditRequest late = Change("2", {{"priority", "P3"}});
    late.base = EditBase{1, {{"priority", "P1"}}};
    auto merged = store->Edit(late);
    REQUIRE(merged.ok());
    CHECK(merged->outcome == EditOutcome::kConflict);
  }
  SUBCASE("stale delete of an edited record; resolve ours deletes, error strategy refuses") {
    REQUIRE(store->Edit(Change("3", {{"status", "open"}})).ok());  // version 1
    auto refused = store->Delete("3", int64_t{0}, Strategy::kError);
    CHECK(refused.status().code() == StatusCode::kConflict);
    auto d = store->Delete("3", int64_t{0});
    REQUIRE(d.ok());
    CHECK_FALSE(d->deleted);
    REQUIRE(d->conflicts.size() == 1);
    CHECK(d->conflicts[0].ours == "<deleted>");
    CHECK(store->Read()->Find("3") != nullptr);
    auto res = store->Resolve(d->conflicts[0].id, Resolution::kOurs);
    REQUIRE(res.ok());
    CHECK_FALSE(res->has_value());
    CHECK(store->Read()->Find("3") == nullptr);
    CHECK(store->Read()->conflicts.empty());
  }
}

TEST_CASE("a malformed file is reported with its position and never written") {
  TempDir dir;
  const std::string bad = "todos |id, status|\n    1, open\n    2, \"unterminated\n";
  std::string path = dir.Write("todo_db.sdn", bad);
  auto store = OpenStore(path);
  auto r = store->Edit(Change("1", {{"status", "closed"}}));
  CHECK(r.status().code() == StatusCode::kParseError);
  CHECK(r.status().message().rfind("todo_db.sdn:3:", 0) == 0);
  CHECK(dir.Read("todo_db.sdn") == bad);
}

TEST_CASE("sealed files stay sealed; a broken seal is corruption") {
  TempDir dir;
  std::string body = "tasks |id, status|\n    T-1, open\n";
  std::string sealed = "#sdn-crc32:" + std::to_string(Crc32(body)) + "\n" + body;
  std::string path = dir.Write("task_db.sdn", sealed);
  auto store = OpenStore(path);
  REQUIRE(store->Edit(Change("T-1", {{"status", "done"}})).ok());
  std::string after = dir.Read("task_db.sdn");
  CHECK(VerifyCrcSeal(after, "task_db.sdn").ok());
  CHECK(after.find("done") != std::string::npos);
  dir.Write("task_db.sdn", "#sdn-crc32:12345\n" + body);
  CHECK(store->Read().status().code() == StatusCode::kCorruption);
}

TEST_CASE("modified never goes backwards, even after a future timestamp in the file") {
  TempDir dir;
  std::string path = dir.Write("task_db.sdn",
                               "tasks |id, status, version, modified|\n    T-1, open, 3, \"2999-01-01T00:00:00.000Z\"\n");
  auto store = OpenStore(path);
  auto r = store->Edit(Change("T-1", {{"status", "done"}}));
  REQUIRE(r.ok());
  CHECK(r->record.version == 4);
  CHECK(r->record.modified > "2999-01-01T00:00:00.000Z");
}

TEST_CASE("integers that do not fit 64 bits are rejected, not wrapped") {
  TempDir dir;
  std::string path = dir.Write("todo_db.sdn", kTodo);
  auto store = OpenStore(path);
  auto r = store->Edit(Change("1", {{"line", "9999999999999999999"}}));
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(dir.Read("todo_db.sdn") == kTodo);
  REQUIRE(store->Edit(Change("1", {{"line", "-9223372036854775808"}})).ok());
  CHECK(*store->Read()->Find("1")->Get("line") == "-9223372036854775808");
}

TEST_CASE("a second conflict on the same field updates the open one and keeps its base") {
  TempDir dir;
  auto store = OpenStore(dir.Write("todo_db.sdn", kTodo));
  REQUIRE(store->Edit(Change("1", {{"status", "closed"}})).ok());
  EditRequest first = Change("1", {{"status", "blocked"}});
  first.base = EditBase{0, {{"status", "open"}}};
  auto a = store->Edit(first);
  REQUIRE(a.ok());
  REQUIRE(a->conflicts.size() == 1);
  EditRequest second = Change("1", {{"status", "wontfix"}});
  second.base = EditBase{0, {{"status", "later"}}};
  auto b = store->Edit(second);
  REQUIRE(b.ok());
  REQUIRE(b->conflicts.size() == 1);
  CHECK(b->conflicts[0].id == "c1");
  CHECK(b->conflicts[0].base == "open");
  CHECK(b->conflicts[0].ours == "wontfix");
  auto snap = store->Read();
  REQUIRE(snap->conflicts.size() == 1);
  CHECK(snap->conflicts[0].ours == "wontfix");
  CHECK(snap->conflicts[0].base == "open");
}

TEST_CASE("a NUL byte in a value is refused, never changed") {
  TempDir dir;
  std::string path = dir.Write("todo_db.sdn", kTodo);
  auto store = OpenStore(path);
  auto edit = store->Edit(Change("1", {{"description", std::string("a\0b", 3)}}));
  CHECK(edit.status().code() == StatusCode::kInvalidArgument);
  CHECK(edit.status().message() == "field 'description': a value cannot contain a NUL byte");
  auto created = store->Create({{"description", std::string("x\0", 2)}});
  CHECK(created.status().code() == StatusCode::kInvalidArgument);
  CHECK(dir.Read("todo_db.sdn") == kTodo);
}

TEST_CASE("malformed rows: the snapshot lists them, writes keep them byte for byte") {
  TempDir dir;
  const std::string bad = "    9, TODO, broken row without enough cells\n";
  std::string text = kTodo;
  text.insert(text.find("    2, FIXME"), bad);
  std::string path = dir.Write("todo_db.sdn", text);
  auto store = OpenStore(path);
  auto snap = store->Read();
  REQUIRE(snap.ok());
  CHECK(snap->records.size() == 3);
  REQUIRE(snap->problems.size() == 1);
  CHECK(snap->problems[0].table == "todos");
  CHECK(snap->problems[0].line == 4);
  REQUIRE(store->Edit(Change("2", {{"status", "closed"}})).ok());
  REQUIRE(store->Create({{"description", "new"}}).ok());
  REQUIRE(store->Delete("3", std::nullopt).ok());
  const std::string after = dir.Read("todo_db.sdn");
  CHECK(after.find("\n" + bad) != std::string::npos);
  auto again = store->Read();
  REQUIRE(again.ok());
  CHECK(again->records.size() == 3);
  CHECK(again->problems.size() == 1);
}

TEST_CASE("a conflict whose edit carried no base value records the base as unknown (null), not as \"\"") {
  TempDir dir;
  const std::string path = dir.Write("todo_db.sdn", kTodoPlain);
  auto store = OpenStore(path);
  const std::string etag = store->Read()->Find("1")->etag;
  auto edit = [&](const std::string& status, std::map<std::string, std::string> base_fields) {
    EditRequest e;
    e.id = "1";
    e.changes = {{"status", status}};
    e.base = EditBase{0, std::move(base_fields), etag};
    auto r = store->Edit(e);
    REQUIRE(r.ok());
    return r.value();
  };
  CHECK(edit("closed", {}).outcome == EditOutcome::kApplied);
  // Based on the etag alone (as the CLI's --expect ETAG): the value it started from is unknown.
  auto late = edit("blocked", {});
  REQUIRE(late.conflicts.size() == 1);
  CHECK_FALSE(late.conflicts[0].base_known);
  CHECK(late.conflicts[0].base == "");
  CHECK(dir.Read("todo_db.sdn").find("    c1, \"1\", status, null, blocked, closed,") != std::string::npos);
  auto read = store->Read();
  REQUIRE(read->conflicts.size() == 1);
  CHECK_FALSE(read->conflicts[0].base_known);
  CHECK(read->conflicts[0].base == "");  // the cell's text is `null`: no value
  // A later conflict on the same field updates the row and keeps its (unknown) base.
  auto again = edit("wontfix", {});
  REQUIRE(again.conflicts.size() == 1);
  CHECK_FALSE(again.conflicts[0].base_known);
  CHECK(again.conflicts[0].base == "");
  CHECK(dir.Read("todo_db.sdn").find("    c1, \"1\", status, null, wontfix, closed,") != std::string::npos);

  // A known empty base stays a known "": the editors send the values they showed.
  REQUIRE(store->Resolve("c1", Resolution::kTheirs).ok());
  EditRequest blank;
  blank.id = "1";
  blank.changes = {{"issue", "#7"}};
  REQUIRE(store->Edit(blank).ok());  // issue: "" -> "#7" by another writer
  EditRequest from_empty;
  from_empty.id = "1";
  from_empty.changes = {{"issue", "#8"}};
  from_empty.base = EditBase{0, {{"issue", ""}}, etag};  // stale etag, but the value it saw was ""
  auto known = store->Edit(from_empty);
  REQUIRE(known.ok());
  REQUIRE(known->conflicts.size() == 1);
  CHECK(known->conflicts[0].base_known);
  CHECK(known->conflicts[0].base == "");
  CHECK(store->Read()->conflicts[0].base_known);
  CHECK(dir.Read("todo_db.sdn").find(", issue, \"\", \"#8\", \"#7\",") != std::string::npos);
}
