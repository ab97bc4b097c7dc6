// Unit tests of the pieces behind `sdndb serve` that need no server process: the wire
// serialisers, the core query and catalog resolution used by the handlers, and the Status ->
// JSON-RPC error mapping fed with real core errors.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/db/catalog.h"
#include "core/db/record_json.h"
#include "server/rpc/json.h"
#include "server/serve/wire.h"
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

TEST_CASE("AppendRecordJson replaces invalid UTF-8 like DumpJson") {
  RecordData r;
  r.id = "x";
  r.fields = {{"id", "x"}, {"bad", "a\xff" "b"}, {"lone", "\xC3"}, {"surrogate", "\xED\xA0\x80"}};
  std::string fast;
  serve::AppendRecordJson(&fast, r);
  CHECK(fast == rpc::DumpJson(RecordToJson(r)));
  CHECK(nlohmann::json::parse(fast)["fields"]["bad"] == "a\xEF\xBF\xBD" "b");
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
