// The Store on real-world shapes: several tables per file, keyless and duplicate-key rows, user
// columns named `version`, files without version metadata (never gaining columns), etags as
// edit bases, ids never reused after a delete, and Apply as one transaction.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/db/db_file.h"
#include "core/db/store.h"
#include "tests/support/fault_env.h"
#include "tests/support/io_test_util.h"
#include "tests/support/table_fixtures.h"

using namespace sdndb;
using sdndb::testing::FaultEnv;
using sdndb::testing::TempDir;

namespace {

const char* const kBugDb = sdndb::testing::kBugDatabase;

std::unique_ptr<Store> Open(const std::string& path, const std::string& table = {}, Env* env = nullptr) {
  StoreOptions o;
  o.table = table;
  o.env = env;
  o.write.durable = env != nullptr;  // count fsyncs only where a FaultEnv watches them
  auto s = Store::Open(path, o);
  REQUIRE(s.ok());
  return std::move(s.value());
}

using sdndb::testing::ChangedLines;

}  // namespace

TEST_CASE("a table without version columns never gains them: edit, add, delete, resolve") {
  TempDir dir;
  const std::string path = dir.Write("bug_db.sdn", kBugDb);
  auto store = Open(path);
  auto snap = store->Read();
  REQUIRE(snap.ok());
  CHECK_FALSE(snap->versioned);
  CHECK(snap->table == "bugs");

  std::string before = dir.Read("bug_db.sdn");
  EditRequest e;
  e.id = "bug_002";
  e.changes = {{"status", "closed"}};
  auto r = store->Edit(e);
  REQUIRE(r.ok());
  CHECK(r->record.version == 0);
  CHECK(ChangedLines(before, dir.Read("bug_db.sdn")) == std::vector<int>{3});
  CHECK(dir.Read("bug_db.sdn").find("version, modified") == std::string::npos);

  auto added = store->Create({{"severity", "P2"}, {"status", "open"}, {"title", "Third"}});
  REQUIRE(added.ok());
  CHECK(added->id == "bug_003");
  const std::string after_add = dir.Read("bug_db.sdn");
  CHECK(after_add.find("    bug_003, P2, open, \"Third\"\n\nnotes") != std::string::npos);

  // A stale edit recorded as a conflict, then resolved: the file is back to one changed line.
  before = dir.Read("bug_db.sdn");
  EditRequest stale;
  stale.id = "bug_002";
  stale.changes = {{"status", "wontfix"}};
  stale.base = EditBase{0, {{"status", "open"}}};
  auto c = store->Edit(stale);
  REQUIRE(c.ok());
  CHECK(c->outcome == EditOutcome::kConflict);
  REQUIRE(c->conflicts.size() == 1);
  CHECK(c->conflicts[0].table == "bugs");
  CHECK(dir.Read("bug_db.sdn").find("conflicts |") != std::string::npos);
  auto resolved = store->Resolve(c->conflicts[0].id, Resolution::kOurs);
  REQUIRE(resolved.ok());
  CHECK(ChangedLines(before, dir.Read("bug_db.sdn")) == std::vector<int>{3});

  REQUIRE(store->Delete("bug_003", std::nullopt).ok());
  CHECK(dir.Read("bug_db.sdn").find("version") == dir.Read("bug_db.sdn").find("version, changes"));
}

TEST_CASE("a user column named version is plain data: kept by other edits, editable, never bumped") {
  TempDir dir;
  const std::string path = dir.Write("bug_db.sdn", kBugDb);
  auto skills = Open(path, "skills_updated");
  auto snap = skills->Read();
  REQUIRE(snap.ok());
  CHECK_FALSE(snap->versioned);
  CHECK(snap->columns == std::vector<std::string>{"skill", "version", "changes"});
  const std::string before = dir.Read("bug_db.sdn");
  EditRequest e;
  e.id = "debug";
  e.changes = {{"changes", "Rewrote the section"}};
  auto r = skills->Edit(e);
  REQUIRE(r.ok());
  CHECK(*r->record.Get("version") == "1.1.0");
  CHECK(ChangedLines(before, dir.Read("bug_db.sdn")) == std::vector<int>{11});
  e.changes = {{"version", "2.0.0"}};
  r = skills->Edit(e);
  REQUIRE(r.ok());
  CHECK(*r->record.Get("version") == "2.0.0");
  CHECK(dir.Read("bug_db.sdn").find("\"debug\", \"2.0.0\", \"Rewrote the section\"\n") != std::string::npos);
  // Adding version metadata to a table whose users own a `version` column is refused.
  auto m = skills->AddVersionColumns();
  CHECK(m.status().code() == StatusCode::kInvalidArgument);
  CHECK(m.status().message().find("user data") != std::string::npos);
}

TEST_CASE("files of sdndb 0.1 keep their version columns working; migrate adds them on request") {
  TempDir dir;
  const std::string path = dir.Write("todo_db.sdn",
                                     "todos |id, status, version, modified|\n"
                                     "    1, open, 3, \"2026-11-26T07:15:30.123Z\"\n"
                                     "    2, open, 0, \"\"\n");
  auto store = Open(path);
  auto snap = store->Read();
  REQUIRE(snap.ok());
  CHECK(snap->versioned);
  CHECK(snap->records[0].version == 3);
  EditRequest e;
  e.id = "1";
  e.changes = {{"status", "closed"}};
  auto r = store->Edit(e);
  REQUIRE(r.ok());
  CHECK(r->record.version == 4);
  CHECK(r->record.modified > "2026-11-26T07:15:30.123Z");

  const std::string plain = dir.Write("task_db.sdn", "tasks |id, status|\n    1, open\n");
  auto tasks = Open(plain);
  EditRequest lmw;
  lmw.id = "1";
  lmw.changes = {{"status", "closed"}};
  lmw.strategy = Strategy::kLastModifiedWins;
  auto refused = tasks->Edit(lmw);
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  CHECK(refused.status().message().find("migrate --versions") != std::string::npos);
  auto added = tasks->AddVersionColumns();
  REQUIRE(added.ok());
  CHECK(added.value());
  CHECK(dir.Read("task_db.sdn") == "tasks |id, status, version, modified|\n    1, open, 0, \"\"\n");
  auto now = tasks->Edit(lmw);
  REQUIRE(now.ok());
  CHECK(now->record.version == 1);
  auto again = tasks->AddVersionColumns();
  REQUIRE(again.ok());
  CHECK_FALSE(again.value());
}

TEST_CASE("etag: stable across formatting, changed by any value, a stale base merges") {
  TempDir dir;
  const std::string a = dir.Write("a_db.sdn", "items |id, name, n|\n    1, \"Alpha\", 5\n");
  const std::string b = dir.Write("b_db.sdn", "items |id,name,n|\n  1 ,  Alpha ,5\n");
  auto ea = Open(a)->Get("1");
  auto eb = Open(b)->Get("1");
  REQUIRE(ea.ok());
  REQUIRE(eb.ok());
  CHECK(ea->etag.size() == 12);
  CHECK(ea->etag == eb->etag);
  auto store = Open(a);
  EditRequest e;
  e.id = "1";
  e.changes = {{"n", "6"}};
  e.base = EditBase{0, {}, ea->etag};
  auto r = store->Edit(e);
  REQUIRE(r.ok());
  CHECK(r->outcome == EditOutcome::kApplied);
  CHECK(r->record.etag != ea->etag);
  // The same etag is now stale: a change of another field merges, of the same field conflicts.
  EditRequest other;
  other.id = "1";
  other.changes = {{"name", "Beta"}};
  other.base = EditBase{0, {{"name", "Alpha"}}, ea->etag};
  auto merged = store->Edit(other);
  REQUIRE(merged.ok());
  CHECK(merged->outcome == EditOutcome::kMerged);
  EditRequest same;
  same.id = "1";
  same.changes = {{"n", "7"}};
  same.base = EditBase{0, {}, ea->etag};
  same.strategy = Strategy::kError;
  auto conflict = store->Edit(same);
  REQUIRE(conflict.ok());
  CHECK(conflict->outcome == EditOutcome::kConflict);
  CHECK(conflict->conflicting_fields == std::vector<std::string>{"n"});
  CHECK(*Open(a)->Get("1")->Get("n") == "6");
}

TEST_CASE("delete then create never reuses the id: a stale edit of the deleted record is a conflict") {
  TempDir dir;
  const std::string path = dir.Write("todo_db.sdn", "todos |id, status|\n    1, open\n    2, open\n    3, open\n    4, open\n");
  auto store = Open(path);
  auto held = store->Get("4");  // editor A holds record 4
  REQUIRE(held.ok());
  REQUIRE(store->Delete("4", std::nullopt).ok());  // B deletes it ...
  auto created = store->Create({{"status", "new"}});  // ... and creates a record
  REQUIRE(created.ok());
  CHECK(created->id == "5");
  // A fresh Store (another process) continues after the deleted id too.
  REQUIRE(Open(path)->Delete("5", std::nullopt).ok());
  auto next = Open(path)->Create({{"status", "newer"}});
  REQUIRE(next.ok());
  CHECK(next->id == "6");

  EditRequest stale;
  stale.id = "4";
  stale.changes = {{"status", "closed"}};
  stale.base = EditBase{0, {{"status", "open"}}, held->etag};
  stale.strategy = Strategy::kError;
  auto refused = store->Edit(stale);
  REQUIRE(refused.ok());
  CHECK(refused->outcome == EditOutcome::kConflict);
  CHECK(refused->conflicting_fields == std::vector<std::string>{"*"});
  stale.strategy = Strategy::kMerge;
  auto recorded = store->Edit(stale);
  REQUIRE(recorded.ok());
  CHECK(recorded->outcome == EditOutcome::kConflict);
  REQUIRE(recorded->conflicts.size() == 1);
  CHECK(recorded->conflicts[0].field == "*");
  CHECK(recorded->conflicts[0].theirs == std::string(kDeletedMarker));
  // B re-creates id 4 explicitly with other values: A's etag does not match it.
  DeleteRequest late;
  late.id = "4";
  late.base_etag = held->etag;
  late.strategy = Strategy::kError;
  CHECK(store->Delete(late).status().code() == StatusCode::kNotFound);
  REQUIRE(store->Create({{"id", "4"}, {"status", "someone else's"}}).ok());
  stale.strategy = Strategy::kError;
  auto still = store->Edit(stale);
  REQUIRE(still.ok());
  CHECK(still->outcome == EditOutcome::kConflict);
  CHECK(*store->Get("4")->Get("status") == "someone else's");
  CHECK(store->Delete(late).status().code() == StatusCode::kConflict);
  CHECK(store->Get("4").ok());
}

TEST_CASE("duplicate keys are refused by key and reachable by @N with the right etag only") {
  TempDir dir;
  const std::string path = dir.Write("bug_db.sdn", kBugDb);
  auto notes = Open(path, "notes");
  auto dup = notes->Get("bug_001");
  CHECK(dup.status().code() == StatusCode::kInvalidArgument);
  CHECK(dup.status().message().find("lines 6, 7") != std::string::npos);
  CHECK(dup.status().message().find("@1, @2") != std::string::npos);
  auto snap = notes->Read();
  REQUIRE(snap.ok());
  CHECK(snap->records[0].id == "@1");
  CHECK(snap->records[2].id == "bug_002");  // unique key: addressed by it
  REQUIRE(snap->tables.size() == 3);
  CHECK(snap->tables[1].name == "notes");
  REQUIRE(snap->tables[1].problems.size() == 1);
  CHECK(snap->tables[1].problems[0].lines == std::vector<int>{6, 7});

  EditRequest e;
  e.id = "bug_001";
  e.changes = {{"note", "x"}};
  CHECK(notes->Edit(e).status().code() == StatusCode::kInvalidArgument);
  e.id = "@2";
  CHECK(notes->Edit(e).status().code() == StatusCode::kInvalidArgument);  // no etag
  e.base = EditBase{0, {}, snap->records[0].etag};                          // the etag of @1
  CHECK(notes->Edit(e).status().code() == StatusCode::kConflict);
  DeleteRequest d;
  d.id = "bug_001";
  CHECK(notes->Delete(d).status().code() == StatusCode::kInvalidArgument);
  d.id = "@2";
  d.base_etag = snap->records[0].etag;
  CHECK(notes->Delete(d).status().code() == StatusCode::kConflict);

  const std::string before = dir.Read("bug_db.sdn");
  e.base = EditBase{0, {}, snap->records[1].etag};
  auto r = notes->Edit(e);
  REQUIRE(r.ok());
  CHECK(*r->record.Get("note") == "x");
  CHECK(ChangedLines(before, dir.Read("bug_db.sdn")) == std::vector<int>{7});
  // A keyless table gets no generated key.
  auto added = notes->Create({{"note", "fourth"}});
  REQUIRE(added.ok());
  CHECK(added->id == "@4");
  CHECK(*added->Get("bug_id") == "");
}

TEST_CASE("a conflict on another table records that table and resolves there") {
  TempDir dir;
  const std::string path = dir.Write("bug_db.sdn", kBugDb);
  auto skills = Open(path, "skills_updated");
  EditRequest e;
  e.id = "mcp";
  e.changes = {{"changes", "ours"}};
  e.base = EditBase{0, {{"changes", "something else"}}};
  auto r = skills->Edit(e);
  REQUIRE(r.ok());
  REQUIRE(r->conflicts.size() == 1);
  CHECK(r->conflicts[0].table == "skills_updated");
  auto all = Open(path)->Read();
  REQUIRE(all.ok());
  REQUIRE(all->conflicts.size() == 1);
  CHECK(all->conflicts[0].table == "skills_updated");
  // Resolved through the records-table store: the conflict names its table.
  auto resolved = Open(path)->Resolve(all->conflicts[0].id, Resolution::kOurs);
  REQUIRE(resolved.ok());
  REQUIRE(resolved->has_value());
  CHECK(*(*resolved)->Get("changes") == "ours");
  CHECK(dir.Read("bug_db.sdn") ==
        std::string(kBugDb).replace(std::string(kBugDb).find("\"New skill\""), 11, "\"ours\""));
}

TEST_CASE("Apply: 50 edits, deletes and creates in one transaction with one durable write") {
  TempDir dir;
  std::string text = "todos |id, status|\n";
  for (int i = 1; i <= 60; ++i) text += "    " + std::to_string(i) + ", open\n";
  const std::string path = dir.Write("todo_db.sdn", text);
  FaultEnv env(PosixEnv());
  auto store = Open(path, "", &env);
  auto snap = store->Read();
  REQUIRE(snap.ok());
  ApplyRequest req;
  for (int i = 1; i <= 50; ++i) {
    EditRequest e;
    e.id = std::to_string(i);
    e.changes = {{"status", "closed"}};
    e.base = EditBase{0, {}, snap->records[static_cast<size_t>(i - 1)].etag};
    req.edits.push_back(e);
  }
  EditRequest bad;
  bad.id = "51";
  bad.changes = {{"colour", "red"}};
  req.edits.push_back(bad);
  req.deletes.push_back({"60", std::nullopt, snap->records[59].etag, std::nullopt});
  req.deletes.push_back({"59", std::nullopt, "000000000000", Strategy::kError});
  req.creates.push_back({{"status", "new"}});
  const int syncs = env.Calls(FaultEnv::Op::kSync), dirsyncs = env.Calls(FaultEnv::Op::kSyncDir);
  const int renames = env.Calls(FaultEnv::Op::kRename);
  auto r = store->Apply(req);
  REQUIRE(r.ok());
  CHECK(env.Calls(FaultEnv::Op::kSync) - syncs == 1);
  CHECK(env.Calls(FaultEnv::Op::kSyncDir) - dirsyncs == 1);
  // The database replaced once, plus the held-ids file for the deleted id (no fsync).
  CHECK(env.Calls(FaultEnv::Op::kRename) - renames == 2);
  REQUIRE(r->edits.size() == 51);
  for (int i = 0; i < 50; ++i) CHECK(r->edits[static_cast<size_t>(i)].result.outcome == EditOutcome::kApplied);
  CHECK(r->edits[50].status.code() == StatusCode::kInvalidArgument);
  REQUIRE(r->deletes.size() == 2);
  CHECK(r->deletes[0].status.ok());
  CHECK(r->deletes[1].status.code() == StatusCode::kConflict);
  REQUIRE(r->creates.size() == 1);
  CHECK(r->creates[0].record.id == "61");  // 60 was deleted in the same batch: not reused
  auto after = Open(path)->Read();
  REQUIRE(after.ok());
  CHECK(after->records.size() == 60);
  CHECK(*after->Find("50")->Get("status") == "closed");
  CHECK(*after->Find("51")->Get("status") == "open");
  CHECK(after->Find("59") != nullptr);
  CHECK(after->Find("60") == nullptr);
}

TEST_CASE("Apply resolves every @N against the file before the batch") {
  TempDir dir;
  const std::string path = dir.Write("bug_db.sdn", kBugDb);
  auto notes = Open(path, "notes");
  auto snap = notes->Read();
  REQUIRE(snap.ok());
  ApplyRequest req;
  req.deletes.push_back({"@1", std::nullopt, snap->records[0].etag, std::nullopt});
  req.deletes.push_back({"@2", std::nullopt, snap->records[1].etag, std::nullopt});
  EditRequest e;
  e.id = "@3";
  e.changes = {{"note", "kept"}};
  e.base = EditBase{0, {}, snap->records[2].etag};
  req.edits.push_back(e);
  auto r = notes->Apply(req);
  REQUIRE(r.ok());
  CHECK(r->edits[0].status.ok());
  CHECK(r->deletes[0].status.ok());
  CHECK(r->deletes[1].status.ok());
  auto after = notes->Read();
  REQUIRE(after.ok());
  REQUIRE(after->records.size() == 1);
  CHECK(*after->records[0].Get("note") == "kept");
}

TEST_CASE("a whole-record conflict side keeps invalid UTF-8: stored as valid JSON, read back as the bytes") {
  const FieldList fields{{"title", "caf\xFF bar"}, {"note", "q \xC3"}, {"k\x80", "\xF4\x8F\xBF\xBF"}};
  const std::string text = FieldsToJson(fields);
  CHECK(nlohmann::json::accept(text));                             // strict: valid UTF-8 JSON
  CHECK(text.find("\xEF\xBF\xBD") == std::string::npos);           // nothing replaced by U+FFFD
  CHECK(text.find("\"caf\xF4\x8F\xBF\xBF bar\"") != std::string::npos);  // the byte escape
  auto back = FieldsFromJson(text);
  REQUIRE(back.ok());
  CHECK(back.value() == fields);
}

TEST_CASE("ParseTables: one parse gives what Parse gives for each table; missing tables are left out") {
  const std::string text = std::string(kBugDb) +
                           "\nconflicts |id, record, field, base, ours, theirs, who, when|\n"
                           "    c1, bug_001, status, open, closed, fixed, \"a@b\", \"2026-01-01T00:00:00.000Z\"\n";
  const std::string path = "/nowhere/bug_db.sdn";  // no I/O: the text is given
  auto all = Store::ParseTables(path, text, {"notes", "skills_updated", "bugs", "conflicts_gone", "bugs"});
  REQUIRE(all.ok());
  CHECK(all->size() == 3);
  CHECK(all->count("conflicts_gone") == 0);
  for (const std::string table : {"bugs", "notes", "skills_updated"}) {
    CAPTURE(table);
    auto one = Store::Parse(path, text, table);
    REQUIRE(one.ok());
    REQUIRE(all->count(table) == 1);
    const Snapshot& s = all->at(table);
    CHECK(s.table == table);
    CHECK(s.table == one->table);
    CHECK(s.id_column == one->id_column);
    CHECK(s.versioned == one->versioned);
    CHECK(s.columns == one->columns);
    REQUIRE(s.records.size() == one->records.size());
    for (size_t r = 0; r < s.records.size(); ++r) {
      CHECK(s.records[r].id == one->records[r].id);
      CHECK(s.records[r].fields == one->records[r].fields);
      CHECK(s.records[r].line == one->records[r].line);
      CHECK(s.records[r].etag == one->records[r].etag);
    }
    REQUIRE(s.conflicts.size() == 1);
    CHECK(s.conflicts[0].table == "bugs");  // every table's snapshot carries the file's conflicts
    CHECK(s.tables.size() == one->tables.size());
    CHECK(s.problems.size() == one->problems.size());
  }
  CHECK(all->at("notes").records[0].id == "@1");  // keyless rows keep their addresses
}
