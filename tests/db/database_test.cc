// Phase 3: the generic engine. Typed records for todo/feature/task, the dynamic record, and a
// brand-new record type added in a few lines.
#include "core/db/database.h"

#include <doctest/doctest.h>

#include "core/db/records.h"
#include "tests/support/io_test_util.h"

using namespace sdndb;
using sdndb::testing::TempDir;

// ---- A new record type: everything it takes (11 lines). ----
struct Bug : RecordBase {
  std::string severity, status, title;
  int64_t line = 0;
};
template <>
struct sdndb::RecordTraits<Bug> {
  static const FieldMap<Bug>& Map() {
    static const FieldMap<Bug> m =
        FieldMap<Bug>().Text("severity", &Bug::severity).Text("status", &Bug::status).Text("title", &Bug::title).Int("line", &Bug::line);
    return m;
  }
};
// ---- end of the new type ----

TEST_CASE("typed todo database: read, update, create") {
  TempDir dir;
  std::string path = dir.Write("todo_db.sdn",
                               "todos |id, keyword, area, priority, description, file, line, issue, blocked, status, valid|\n"
                               "    0, TODO, parser, P2, \"Add aliases\", src/a.spl, 492, \"\", \"\", open, false\n");
  auto db = Database<Todo>::Open(path);
  REQUIRE(db.ok());
  auto all = db->All();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  const Todo& t = all.value()[0];
  CHECK(t.id == "0");
  CHECK(t.line == 492);
  CHECK_FALSE(t.valid);
  CHECK(t.description == "Add aliases");

  auto up = db->Update("0", [](Todo& x) {
    x.status = "closed";
    x.line = 500;
  });
  REQUIRE(up.ok());
  CHECK(up->outcome == EditOutcome::kApplied);
  auto again = db->Get("0");
  REQUIRE(again.ok());
  CHECK(again->status == "closed");
  CHECK(again->line == 500);
  CHECK(again->version == 0);  // no version columns in the file: sdndb adds none

  Todo n;
  n.keyword = "FIXME";
  n.description = "new one";
  n.line = 7;
  auto created = db->Create(n);
  REQUIRE(created.ok());
  CHECK(created->id == "1");
  CHECK(created->line == 7);
  CHECK(created->valid);
}

TEST_CASE("typed feature and task databases read the corpus schemas") {
  TempDir dir;
  std::string f = dir.Write("feature_db.sdn",
                            "strings |id, value|\n\n\n"
                            "features |id, category, name, description, spec, mode_interpreter, mode_jit, mode_smf_cranelift, mode_smf_llvm, platforms, status, valid|\n"
                            "    100, Codegen, Cranelift Backend, Cranelift-based code generation backend., doc/codegen.md, supported, supported, supported, supported, , complete, false\n");
  // The records table is the one named after the database ("features"), not the leading `strings`.
  auto named = Database<Feature>::Open(f);
  REQUIRE(named.ok());
  auto cranelift = named->Get("100");
  REQUIRE(cranelift.ok());
  CHECK(cranelift->category == "Codegen");
  auto tasks = Database<Task>::Open(dir.Write("task_db.sdn",
      "tasks |id, category, name, description, priority, status, valid|\n"
      "    TRACK-001,tracking,\"Refactor core tracking\",\"Normalize bug, feature, test, task, and todo tracking\",high,in_progress,true\n"));
  REQUIRE(tasks.ok());
  auto t = tasks->Get("TRACK-001");
  REQUIRE(t.ok());
  CHECK(t->description == "Normalize bug, feature, test, task, and todo tracking");
  CHECK(t->priority == "high");
  CHECK(t->valid);
  auto feats = Database<Feature>::Open(dir.Write("feature2_db.sdn",
      "features |id, category, name, description, spec, mode_interpreter, mode_jit, mode_smf_cranelift, mode_smf_llvm, platforms, status, valid|\n"
      "    100, Codegen, Cranelift Backend, Cranelift-based code generation backend., doc/codegen.md, supported, supported, supported, supported, , complete, false\n"));
  REQUIRE(feats.ok());
  auto ft = feats->Get("100");
  REQUIRE(ft.ok());
  CHECK(ft->name == "Cranelift Backend");
  CHECK(ft->platforms == "");
  CHECK_FALSE(ft->valid);
}

TEST_CASE("a new record type works end to end") {
  TempDir dir;
  auto db = Database<Bug>::Open(dir.Write("bug_db.sdn", "bugs |id, severity, status, title, line|\n    b1, P0, open, \"It crashes\", 12\n"));
  REQUIRE(db.ok());
  auto b = db->Get("b1");
  REQUIRE(b.ok());
  CHECK(b->title == "It crashes");
  CHECK(b->line == 12);
  REQUIRE(db->Update("b1", [](Bug& x) { x.status = "fixed"; }).ok());
  CHECK(db->Get("b1")->status == "fixed");
  CHECK(db->Get("nope").status().code() == StatusCode::kNotFound);
}

TEST_CASE("the dynamic record serves any table") {
  TempDir dir;
  auto db = Database<DynamicRecord>::Open(dir.Write("tools_db.sdn",
      "tools |id, type, name, purpose|\n    simple_mcp, mcp, \"Simple MCP\", \"Query workspace\"\n"));
  REQUIRE(db.ok());
  auto r = db->Get("simple_mcp");
  REQUIRE(r.ok());
  CHECK(*r->Get("purpose") == "Query workspace");
  REQUIRE(db->Update("simple_mcp", [](DynamicRecord& d) { d.fields[1].second = "cli"; }).ok());
  CHECK(*db->Get("simple_mcp")->Get("type") == "cli");
}

TEST_CASE("typed update merges with a concurrent change to another field") {
  TempDir dir;
  std::string path = dir.Write("task_db.sdn",
      "tasks |id, category, name, description, priority, status, valid|\n    T-1, c, n, d, low, planned, true\n");
  auto db = Database<Task>::Open(path);
  REQUIRE(db.ok());
  auto other = Database<Task>::Open(path);
  REQUIRE(other.ok());
  // Another writer changes the status after our Update read the record, before it writes.
  auto r = db->Update("T-1", [&](Task& t) {
    REQUIRE(other->Update("T-1", [](Task& o) { o.status = "done"; }).ok());
    t.priority = "high";
  });
  REQUIRE(r.ok());
  CHECK(r->outcome == EditOutcome::kMerged);
  auto t = db->Get("T-1");
  CHECK(t->priority == "high");
  CHECK(t->status == "done");
  CHECK(t->version == 0);  // merged through the base field values, without version columns
  // The same field changed by both: a conflict, recorded (merge is the default strategy).
  auto c = db->Update("T-1", [&](Task& x) {
    REQUIRE(other->Update("T-1", [](Task& o) { o.status = "blocked"; }).ok());
    x.status = "cancelled";
  });
  REQUIRE(c.ok());
  CHECK(c->outcome == EditOutcome::kConflict);
  CHECK(db->Get("T-1")->status == "blocked");
}

TEST_CASE("typed create keeps the caller's id") {
  TempDir dir;
  auto db = Database<Task>::Open(dir.Write("task_db.sdn",
      "tasks |id, category, name, description, priority, status, valid|\n"
      "    TRACK-001, c, n, d, low, planned, true\n    TRACK-002, c, n, d, low, planned, true\n"));
  REQUIRE(db.ok());
  Task t;
  t.id = "MY-42";
  t.name = "mine";
  auto created = db->Create(t);
  REQUIRE(created.ok());
  CHECK(created->id == "MY-42");
  Task generated;
  generated.name = "next";
  // Generated ids continue the most common pattern, not the one-off MY-42.
  CHECK(db->Create(generated)->id == "TRACK-003");
}
