// Unit tests of the pieces behind `sdndb serve` that need no server process: the wire
// serialisers, the core query and catalog resolution used by the handlers, and the Status ->
// JSON-RPC error mapping fed with real core errors.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <string>
#include <vector>

#include "core/db/catalog.h"
#include "core/db/query.h"
#include "core/db/record_json.h"
#include "server/rpc/json.h"
#include "server/serve/status_map.h"
#include "server/serve/wire.h"
#include "server/serve/workspace.h"
#include "tests/support/fault_env.h"
#include "tests/server/rpc_client.h"

using namespace sdndb;

namespace {

RecordData Tricky() {
  RecordData r;
  r.id = "a\"b\\c";
  r.version = 9223372036854775807;
  r.modified = "2026-11-26T07:15:30.123Z";
  r.line = 42;
  r.fields = {{"id", r.id},
              {"zeta", "control \x01\x1f\b\f\n\r\t end"},
              {"alpha", "unicode \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 del \x7f slash /"},
              {"quote\"key", std::string("nul \0 inside", 12)},
              {"empty", ""},
              {"", "empty column name"}};
  return r;
}

}  // namespace

TEST_CASE("AppendRecordJson is byte for byte RecordToJson(r).dump(), fields in column order") {
  std::vector<RecordData> records = {RecordData{}, Tricky()};
  records[0].id = "1";
  for (const RecordData& r : records) {
    CAPTURE(r.id);
    std::string fast;
    serve::AppendRecordJson(&fast, r);
    CHECK(fast == RecordToJson(r).dump());
    CHECK(fast == rpc::DumpJson(RecordToJson(r)));
  }
  std::string fast;
  serve::AppendRecordJson(&fast, Tricky());
  CHECK(fast.find("\"zeta\"") < fast.find("\"alpha\""));  // column order, not sorted
}

TEST_CASE("AppendRecordJson writes the byte escape like DumpJson") {
  RecordData r;
  r.id = "x";
  r.fields = {{"id", "x"}, {"bad", "a\xff" "b"}, {"lone", "\xC3"}, {"surrogate", "\xED\xA0\x80"},
              {"reserved", "\xF4\x8F\xBF\xBF"}};
  std::string fast;
  serve::AppendRecordJson(&fast, r);
  CHECK(fast == rpc::DumpJson(RecordToJson(r)));
  CHECK(nlohmann::json::parse(fast)["fields"]["bad"] == "a\xF4\x8F\xBF\xBF" "b");
  // A genuine U+10FFFF in the data is four escapes (then not taken for the byte 0xFF).
  CHECK(nlohmann::json::parse(fast)["fields"]["reserved"].get<std::string>().size() == 16);
}

TEST_CASE("AllStrategies walks the enum through StrategyName") {
  std::vector<std::string> names;
  for (Strategy s : serve::AllStrategies()) names.push_back(StrategyName(s));
  CHECK(names == std::vector<std::string>{"error", "last-write-wins", "last-modified-wins", "merge"});
}

TEST_CASE("Catalog::Resolve: names, paths, the default strategy, confinement") {
  const std::string dir = test::MakeWorkspace(false);
  const std::string outside = test::MakeWorkspace(false);
  test::WriteFile(dir + "/todo_db.sdn", "todos |id, status|\n    1, open\n");
  test::WriteFile(dir + "/.sdndb", "strategy: last-write-wins\nstrategies:\n    todo: error\n");
  REQUIRE(mkdir((dir + "/sub").c_str(), 0755) == 0);
  test::WriteFile(dir + "/sub/extra_db.sdn", "extras |id|\n    1\n");
  test::WriteFile(outside + "/far_db.sdn", "fars |id|\n    1\n");
  REQUIRE(symlink((dir + "/todo_db.sdn").c_str(), (dir + "/sub/alias.sdn").c_str()) == 0);
  REQUIRE(symlink((outside + "/far_db.sdn").c_str(), (dir + "/sub/far.sdn").c_str()) == 0);
  auto cat = Catalog::Load(dir);
  REQUIRE(cat.ok());
  CHECK(cat->default_strategy() == Strategy::kLastWriteWins);

  auto todo = cat->Resolve("todo");
  REQUIRE(todo.ok());
  CHECK(todo->strategy == Strategy::kError);
  for (const std::string& path : {std::string("todo_db.sdn"), std::string("sub/alias.sdn"), dir + "/todo_db.sdn"}) {
    CAPTURE(path);
    auto e = cat->Resolve(path);
    REQUIRE(e.ok());
    CHECK(e->name == "todo");  // the catalog entry, with its own strategy
    CHECK(e->strategy == Strategy::kError);
  }
  auto extra = cat->Resolve("sub/extra_db.sdn");
  REQUIRE(extra.ok());
  CHECK(extra->name == "extra");
  CHECK(extra->strategy == Strategy::kLastWriteWins);  // the folder's default, not merge
  CHECK(extra->path == cat->root() + "/sub/extra_db.sdn");

  for (const std::string& bad : {std::string("sub/far.sdn"), std::string("../x_db.sdn"), outside + "/far_db.sdn"}) {
    CAPTURE(bad);
    auto e = cat->Resolve(bad);
    REQUIRE_FALSE(e.ok());
    CHECK(e.status().code() == StatusCode::kInvalidArgument);
  }
  for (const std::string& missing : {std::string("nope"), std::string(""), std::string("sub/missing_db.sdn")}) {
    CAPTURE(missing);
    auto e = cat->Resolve(missing);
    REQUIRE_FALSE(e.ok());
    CHECK(e.status().code() == StatusCode::kNotFound);
  }
}

namespace {

Snapshot Table(const std::vector<std::vector<std::string>>& rows) {
  Snapshot s;
  s.table = "things";
  s.id_column = "id";
  s.columns = {"id", "n", "word"};
  int line = 2;
  for (const auto& row : rows) {
    RecordData r;
    r.id = row[0];
    r.fields = {{"id", row[0]}, {"n", row[1]}, {"word", row[2]}};
    r.version = static_cast<int64_t>(std::stoll(row[3]));
    r.modified = row[4];
    r.line = line++;
    s.records.push_back(r);
  }
  return s;
}

std::vector<std::string> Ids(const Result<std::vector<const RecordData*>>& rows) {
  std::vector<std::string> out;
  REQUIRE(rows.ok());
  for (const RecordData* r : rows.value()) out.push_back(r->id);
  return out;
}

}  // namespace

TEST_CASE("Select: where, sort (numeric when the whole column is numeric), paging, errors") {
  Snapshot s = Table({{"1", "10", "pear", "3", "2026-01-02"},
                      {"2", "9", "apple", "1", "2026-01-01"},
                      {"3", "9223372036854775807", "fig", "2", ""},
                      {"4", "-5", "apple", "0", "2026-01-03"},
                      {"5", "9223372036854775806", "kiwi", "7", "2026-01-01"}});
  Query q;
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"1", "2", "3", "4", "5"});
  q.descending = true;
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"5", "4", "3", "2", "1"});  // file order reversed

  // 19-digit integers compare exactly (no overflow, no double rounding).
  q = Query{};
  q.sort = "n";
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"4", "2", "1", "5", "3"});
  q.descending = true;
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"3", "5", "1", "2", "4"});

  // Bytewise for text; stable (equal keys keep file order, also descending).
  q = Query{};
  q.sort = "word";
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"2", "4", "3", "5", "1"});
  q.descending = true;
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"1", "5", "3", "2", "4"});

  // version (int) and modified (text) are fields too.
  q = Query{};
  q.sort = "version";
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"4", "2", "3", "1", "5"});
  q.sort = "modified";
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"3", "2", "5", "1", "4"});
  q.sort.clear();
  q.where = {{"version", "7"}};
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"5"});
  q.where = {{"modified", "2026-01-01"}, {"word", "apple"}};
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"2"});

  // where + sort + paging; total counts the matches before paging.
  q = Query{};
  q.where = {{"word", "apple"}};
  q.sort = "n";
  size_t total = 0;
  CHECK(Ids(Select(s, q, &total)) == std::vector<std::string>{"4", "2"});
  CHECK(total == 2);
  q = Query{};
  q.sort = "id";
  q.offset = 1;
  q.limit = 2;
  CHECK(Ids(Select(s, q, &total)) == std::vector<std::string>{"2", "3"});
  CHECK(total == 5);
  q.offset = 99;
  CHECK(Ids(Select(s, q, &total)).empty());
  q.offset = 4;
  q.limit = std::numeric_limits<size_t>::max();
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"5"});

  // Unknown fields name the field.
  q = Query{};
  q.where = {{"colour", "red"}};
  auto bad = Select(s, q);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("'colour'") != std::string::npos);
  q = Query{};
  q.sort = "size";
  bad = Select(s, q);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("'size' in sort") != std::string::npos);
  CHECK(IsQueryField(s, "version"));
  CHECK(IsQueryField(s, "word"));
  CHECK_FALSE(IsQueryField(s, "size"));
}

TEST_CASE("Select: decimals sort as numbers; one non-number makes the column text") {
  Snapshot s = Table({{"1", "1.5", "", "0", ""}, {"2", "-2e3", "", "0", ""}, {"3", "10", "", "0", ""},
                      {"4", "2", "", "0", ""}});
  Query q;
  q.sort = "n";
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"2", "1", "4", "3"});
  // Numeric or not is decided on the whole column, not on the filtered rows.
  s.records[1].fields[1].second = "n/a";
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"1", "3", "4", "2"});  // bytewise: "1.5" < "10" < "2" < "n/a"
  q.where = {{"id", "3"}};
  CHECK(Ids(Select(s, q)) == std::vector<std::string>{"3"});
  // Empty cells are not numbers either.
  Snapshot e = Table({{"1", "10", "", "0", ""}, {"2", "", "", "0", ""}, {"3", "9", "", "0", ""}});
  Query qe;
  qe.sort = "n";
  CHECK(Ids(Select(e, qe)) == std::vector<std::string>{"2", "1", "3"});
}

// status_map.cc reads data.field / data.kind / data.name out of core messages ("field '...'",
// "no record '...'", "no conflict '...'"). These tests feed it the store's real errors, with no
// context from a handler, so a change of wording in the core fails here.
TEST_CASE("ErrorFromStatus understands the store's own messages") {
  const std::string dir = test::MakeWorkspace(false);
  test::WriteFile(dir + "/todo_db.sdn", "todos |id, status|\n    1, open\n");
  auto store = Store::Open(dir + "/todo_db.sdn");
  REQUIRE(store.ok());
  const serve::ErrorContext none;

  EditRequest edit;
  edit.id = "1";
  edit.changes = {{"colour", "red"}};
  auto unknown_field = store.value()->Edit(edit);
  REQUIRE_FALSE(unknown_field.ok());
  rpc::RpcError e = serve::ErrorFromStatus(unknown_field.status(), none);
  CHECK(e.code == rpc::code::kValidation);
  CHECK(e.data["field"] == "colour");

  auto create_unknown = store.value()->Create({{"colour", "red"}});
  REQUIRE_FALSE(create_unknown.ok());
  CHECK(serve::ErrorFromStatus(create_unknown.status(), none).data["field"] == "colour");

  auto duplicate = store.value()->Create({{"id", "1"}});
  REQUIRE_FALSE(duplicate.ok());
  e = serve::ErrorFromStatus(duplicate.status(), none);
  CHECK(e.code == rpc::code::kValidation);
  CHECK(e.data["field"] == "id");

  edit.id = "404";
  edit.changes = {{"status", "closed"}};
  auto no_record = store.value()->Edit(edit);
  REQUIRE_FALSE(no_record.ok());
  e = serve::ErrorFromStatus(no_record.status(), none);
  CHECK(e.code == rpc::code::kNotFound);
  CHECK(e.data["kind"] == "record");
  CHECK(e.data["name"] == "404");

  auto no_delete = store.value()->Delete("405", std::nullopt);
  REQUIRE_FALSE(no_delete.ok());
  e = serve::ErrorFromStatus(no_delete.status(), none);
  CHECK(e.data["kind"] == "record");
  CHECK(e.data["name"] == "405");

  auto no_conflict = store.value()->Resolve("c77", Resolution::kOurs);
  REQUIRE_FALSE(no_conflict.ok());
  e = serve::ErrorFromStatus(no_conflict.status(), none);
  CHECK(e.code == rpc::code::kNotFound);
  CHECK(e.data["kind"] == "conflict");
  CHECK(e.data["name"] == "c77");
}

TEST_CASE("Workspace and Catalog read through their Env: faults reach every server read") {
  const std::string dir = test::MakeWorkspace(false);
  test::WriteFile(dir + "/todo_db.sdn", "todos |id, status|\n    1, open\n");
  testing::FaultEnv env(PosixEnv());

  // The catalog lists the folder and reads .sdndb through the Env.
  env.FailNth(testing::FaultEnv::Op::kListDir, 1, EIO);
  CHECK(Catalog::Load(dir, &env).status().code() == StatusCode::kIOError);
  test::WriteFile(dir + "/.sdndb", "strategy: merge\n");
  env.ClearFaults();
  env.FailNth(testing::FaultEnv::Op::kRead, 1, EACCES);
  CHECK(Catalog::Load(dir, &env).status().code() == StatusCode::kIOError);
  env.ClearFaults();

  serve::WorkspaceOptions options;
  options.env = &env;
  serve::Workspace ws(options);
  REQUIRE(ws.Load(dir).ok());
  DatabaseEntry todo;
  REQUIRE_FALSE(ws.Resolve("todo", &todo).has_value());

  const int reads_before = env.Calls(testing::FaultEnv::Op::kRead);
  auto snap = ws.Read(todo);
  REQUIRE(snap.ok());
  CHECK(snap.value()->records.size() == 1);
  CHECK(env.Calls(testing::FaultEnv::Op::kRead) == reads_before + 1);  // the file was read through the Env

  // A read error of the database file surfaces as the Env reported it, and drops the cached copy.
  test::WriteFile(dir + "/todo_db.sdn", "todos |id, status|\n    1, open\n    2, closed\n");
  env.FailNth(testing::FaultEnv::Op::kRead, 1, EIO);
  auto failed = ws.Read(todo);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().code() == StatusCode::kIOError);
  CHECK(failed.status().message().find("todo_db.sdn") != std::string::npos);
  auto again = ws.Read(todo);
  REQUIRE(again.ok());
  CHECK(again.value()->records.size() == 2);

  // Writes made through the workspace's stores use the same Env.
  env.ClearFaults();
  env.FailNth(testing::FaultEnv::Op::kCreate, 1, ENOSPC, true);
  auto store = ws.OpenStore(todo, nullptr, nullptr);
  REQUIRE(store.ok());
  CHECK_FALSE(store.value()->Create({{"id", "3"}, {"status", "open"}}).ok());
  CHECK(env.Injected() >= 1);
}

TEST_CASE("DatabaseToJson: problems of a file only when it has some") {
  sdndb::DatabaseEntry entry{"todo", "/w/todo_db.sdn", sdndb::Strategy::kMerge};
  sdndb::Snapshot snap;
  snap.table = "todos";
  CHECK_FALSE(sdndb::serve::DatabaseToJson(entry, snap).contains("problems"));
  sdndb::sdn::Problem p;
  p.line = 3;
  p.column = 5;
  p.message = "row has 1 cell, table 'todos' has 2 columns";
  p.table = "todos";
  snap.problems.push_back(p);
  sdndb::rpc::Json j = sdndb::serve::DatabaseToJson(entry, snap);
  CHECK(j["problems"] == sdndb::rpc::Json::parse(
                             R"([{"table":"todos","line":3,"column":5,"message":"row has 1 cell, table 'todos' has 2 columns"}])"));
  CHECK(j.back() == j["problems"]);  // after the fixed members
}
