// The real server on real-world shapes: every table addressable, keyless/duplicate-key rows by
// @N with etags, structured whole-record conflicts, ids never reused, and sdndb/apply.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "tests/server/rpc_client.h"
#include "tests/support/io_test_util.h"
#include "tests/support/table_fixtures.h"

using namespace sdndb::test;

namespace {

const char* const kBugDb = sdndb::testing::kBugDatabase;

struct Fixture {
  std::string dir = MakeWorkspace();
  std::unique_ptr<ServerProcess> server;
  int next_id = 100;
  Fixture() {
    WriteFile(dir + "/bug_db.sdn", kBugDb);
    server = std::make_unique<ServerProcess>(std::vector<std::string>{"--dir", dir});
    REQUIRE(server->Initialize({{"rootPath", dir}}).contains("result"));
  }
  Json Call(const std::string& method, const Json& params) { return server->Call(next_id++, method, params); }
  std::string Bug() { return ReadFile(dir + "/bug_db.sdn"); }
};

int Code(const Json& r) { return r.contains("error") ? r["error"]["code"].get<int>() : 0; }

}  // namespace

TEST_CASE("sdndb/databases lists every table with key column, count, versioning and problems") {
  Fixture f;
  Json r = f.Call("sdndb/databases", Json::object());
  REQUIRE(r.contains("result"));
  Json bug;
  for (const Json& d : r["result"]["databases"])
    if (d["name"] == "bug") bug = d;
  REQUIRE(bug.is_object());
  CHECK(bug["versioned"] == false);
  REQUIRE(bug["tables"].size() == 3);
  CHECK(bug["tables"][0]["name"] == "bugs");
  CHECK(bug["tables"][0]["default"] == true);
  const Json& notes = bug["tables"][1];
  CHECK(notes["idColumn"] == "bug_id");
  CHECK(notes["count"] == 3);
  REQUIRE(notes["problems"].size() == 1);
  CHECK(notes["problems"][0]["kind"] == "duplicate-key");
  CHECK(notes["problems"][0]["lines"] == Json::array({6, 7}));
  CHECK(bug["tables"][2]["columns"] == Json::array({"skill", "version", "changes"}));
  CHECK(bug["tables"][2]["versioned"] == false);
}

TEST_CASE("table addressing, @N with etags, duplicate keys, user version column") {
  Fixture f;
  // NAME.TABLE and {"database","table"} name the same table.
  Json a = f.Call("sdndb/list", {{"database", "bug.notes"}});
  Json b = f.Call("sdndb/list", {{"database", "bug"}, {"table", "notes"}});
  REQUIRE(a.contains("result"));
  CHECK(a["result"] == b["result"]);
  const Json rows = a["result"]["records"];
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["id"] == "@1");
  CHECK(rows[1]["id"] == "@2");
  CHECK(rows[0]["etag"].get<std::string>().size() == 12);
  CHECK(Code(f.Call("sdndb/list", {{"database", "bug"}, {"table", "nope"}})) == -32012);
  // A key held by two rows is refused with the lines and @N forms.
  Json dup = f.Call("sdndb/get", {{"database", "bug.notes"}, {"id", "bug_001"}});
  CHECK(Code(dup) == -32013);
  CHECK(dup["error"]["data"]["field"] == "id");
  CHECK(dup["error"]["message"].get<std::string>().find("@1, @2") != std::string::npos);
  // Writes through @N need the row's etag, and the right one.
  const std::string before = f.Bug();
  Json no_etag = f.Call("sdndb/edit", {{"database", "bug.notes"}, {"id", "@2"}, {"changes", {{"note", "x"}}}});
  CHECK(Code(no_etag) == -32013);
  CHECK(no_etag["error"]["data"]["field"] == "base.etag");
  Json wrong = f.Call("sdndb/edit", {{"database", "bug.notes"},
                                     {"id", "@2"},
                                     {"changes", {{"note", "x"}}},
                                     {"base", {{"etag", rows[0]["etag"]}}},
                                     {"strategy", "last-write-wins"}});
  CHECK(Code(wrong) == -32010);
  CHECK(wrong["error"]["data"]["record"]["id"] == "@2");
  Json del = f.Call("sdndb/delete", {{"database", "bug.notes"}, {"id", "@1"}, {"baseEtag", rows[1]["etag"]}});
  CHECK(Code(del) == -32010);
  CHECK(f.Bug() == before);
  Json ok = f.Call("sdndb/edit", {{"database", "bug"},
                                  {"table", "notes"},
                                  {"id", "@2"},
                                  {"changes", {{"note", "x"}}},
                                  {"base", {{"etag", rows[1]["etag"]}}}});
  REQUIRE(ok.contains("result"));
  CHECK(ok["result"]["record"]["fields"]["note"] == "x");
  // A user column named `version` is data: edited like any other, never bumped.
  Json v = f.Call("sdndb/edit", {{"database", "bug.skills_updated"}, {"id", "debug"}, {"changes", {{"version", "2.0.0"}}}});
  REQUIRE(v.contains("result"));
  CHECK(v["result"]["record"]["fields"]["version"] == "2.0.0");
  CHECK(v["result"]["record"]["version"] == 0);
  CHECK(f.Bug().find("\"debug\", \"2.0.0\", \"Added a section\"\n") != std::string::npos);
  CHECK(f.Bug().find("version, modified") == std::string::npos);
}

TEST_CASE("delete then create: a new id, and the stale editor gets a structured whole-record conflict") {
  Fixture f;
  Json held = f.Call("sdndb/get", {{"database", "bug"}, {"id", "bug_002"}})["result"]["record"];
  REQUIRE(held.is_object());
  REQUIRE(f.Call("sdndb/delete", {{"database", "bug"}, {"id", "bug_002"}, {"baseEtag", held["etag"]}}).contains("result"));
  Json created = f.Call("sdndb/create", {{"database", "bug"}, {"fields", {{"title", "Another"}}}});
  REQUIRE(created.contains("result"));
  CHECK(created["result"]["record"]["id"] == "bug_003");
  Json edit_params = {{"database", "bug"},
                      {"id", "bug_002"},
                      {"changes", {{"status", "closed"}}},
                      {"base", {{"etag", held["etag"]}, {"fields", held["fields"]}}},
                      {"strategy", "error"}};
  CHECK(Code(f.Call("sdndb/edit", edit_params)) == -32010);
  edit_params["strategy"] = "merge";
  Json c = f.Call("sdndb/edit", edit_params);
  REQUIRE(c.contains("result"));
  CHECK(c["result"]["outcome"] == "conflict");
  REQUIRE(c["result"]["conflicts"].size() == 1);
  const Json& conflict = c["result"]["conflicts"][0];
  CHECK(conflict["field"] == "*");
  CHECK(conflict["table"] == "bugs");
  CHECK(conflict["deletedBy"] == "theirs");
  CHECK(conflict["theirsFields"].is_null());
  CHECK(conflict["oursFields"]["status"] == "closed");
  CHECK(conflict["oursFields"]["title"] == "Second");
  Json listed = f.Call("sdndb/conflicts", {{"database", "bug"}});
  REQUIRE(listed["result"]["conflicts"].size() == 1);
  CHECK(listed["result"]["conflicts"][0]["deletedBy"] == "theirs");
}

TEST_CASE("sdndb/apply: 50 edits, a create and deletes in one call, with per-item outcomes") {
  Fixture f;
  std::string text = "items |id, n|\n";
  for (int i = 1; i <= 55; ++i) text += "    " + std::to_string(i) + ", 0\n";
  WriteFile(f.dir + "/items_db.sdn", text);
  Json listed = f.Call("sdndb/list", {{"database", "items_db.sdn"}});
  REQUIRE(listed.contains("result"));
  Json edits = Json::array();
  for (int i = 0; i < 50; ++i) {
    const Json& r = listed["result"]["records"][static_cast<size_t>(i)];
    edits.push_back({{"id", r["id"]}, {"changes", {{"n", std::to_string(i + 1)}}}, {"base", {{"etag", r["etag"]}}}});
  }
  edits.push_back({{"id", "54"}, {"changes", {{"colour", "red"}}}});
  Json deletes = Json::array({{{"id", "55"}, {"baseEtag", listed["result"]["records"][54]["etag"]}},
                              {{"id", "99"}}});
  Json r = f.Call("sdndb/apply", {{"database", "items_db.sdn"},
                                  {"edits", edits},
                                  {"creates", Json::array({{{"fields", {{"n", "7"}}}}})},
                                  {"deletes", deletes}});
  REQUIRE_MESSAGE(r.contains("result"), r.dump());
  REQUIRE(r["result"]["edits"].size() == 51);
  for (int i = 0; i < 50; ++i) CHECK(r["result"]["edits"][static_cast<size_t>(i)]["outcome"] == "applied");
  CHECK(r["result"]["edits"][50]["status"] == "error");
  CHECK(r["result"]["edits"][50]["error"]["code"] == -32013);
  CHECK(r["result"]["deletes"][0]["outcome"] == "deleted");
  CHECK(r["result"]["deletes"][1]["error"]["code"] == -32012);
  CHECK(r["result"]["creates"][0]["record"]["id"] == "56");  // 55 was deleted: not reused
  const std::string after = ReadFile(f.dir + "/items_db.sdn");
  CHECK(after.find("    50, 50\n") != std::string::npos);
  CHECK(after.find("    54, 0\n") != std::string::npos);
  CHECK(after.find("    55, 0\n") == std::string::npos);
  CHECK(after.find("    56, 7\n") != std::string::npos);
  // Invalid params name the item.
  Json bad = f.Call("sdndb/apply", {{"database", "items_db.sdn"}, {"edits", Json::array({{{"id", "1"}}})}});
  CHECK(Code(bad) == -32602);
  CHECK(bad["error"]["data"]["field"] == "edits[0].changes");
}

TEST_CASE("didChange names the table: one notification per changed table, none for the others") {
  using namespace std::chrono_literals;
  Fixture f;
  f.server->ClearQueue();
  auto rewrite = [&](const std::string& from, const std::string& to) {
    std::string text = f.Bug();
    size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    WriteFile(f.dir + "/bug_db.sdn", text.replace(at, from.size(), to));
  };
  auto next_for_bug = [&](std::chrono::milliseconds wait) -> std::optional<Json> {
    while (auto n = f.server->WaitNotification("sdndb/didChange", wait)) {
      if ((*n)["params"]["database"] == "bug") return (*n)["params"];
    }
    return std::nullopt;
  };

  // Another process edits a note: only the notes table is announced, by its key.
  rewrite("\"third note\"", "\"third note, edited\"");
  auto n = next_for_bug(5000ms);
  REQUIRE(n);
  CHECK((*n)["table"] == "notes");
  CHECK((*n)["changed"] == Json::array({"bug_002"}));
  CHECK((*n)["added"].empty());
  CHECK(!next_for_bug(400ms));  // nothing for bugs or skills_updated

  // A record of the records table, through the server: the records table only.
  Json e = f.Call("sdndb/edit", {{"database", "bug"}, {"id", "bug_001"}, {"changes", {{"status", "closed"}}}});
  REQUIRE(e.contains("result"));
  n = next_for_bug(5000ms);
  REQUIRE(n);
  CHECK((*n)["table"] == "bugs");
  CHECK((*n)["changed"] == Json::array({"bug_001"}));
  CHECK(!next_for_bug(400ms));

  // A row added to a third table, and a table removed from the file.
  rewrite("    \"mcp\", \"1.0.0\", \"New skill\"\n", "    \"mcp\", \"1.0.0\", \"New skill\"\n    \"lsp\", \"0.1.0\", \"Added\"\n");
  n = next_for_bug(5000ms);
  REQUIRE(n);
  CHECK((*n)["table"] == "skills_updated");
  CHECK((*n)["added"] == Json::array({"lsp"}));
  std::string text = f.Bug();
  const size_t from = text.find("notes |"), to = text.find("skills_updated |");
  REQUIRE((from != std::string::npos && to != std::string::npos));
  WriteFile(f.dir + "/bug_db.sdn", text.erase(from, to - from));
  n = next_for_bug(5000ms);
  REQUIRE(n);
  CHECK((*n)["table"] == "notes");
  CHECK((*n)["removed"] == Json::array({"@1", "@2", "bug_002"}));
}

TEST_CASE("didChange when the records table changes: the old one is announced gone, the new one added") {
  using namespace std::chrono_literals;
  Fixture f;
  f.server->ClearQueue();
  std::map<std::string, Json> by_table;
  auto collect = [&]() {
    while (auto n = f.server->WaitNotification("sdndb/didChange", by_table.empty() ? 5000ms : 400ms)) {
      const Json& p = (*n)["params"];
      if (p["database"] != "bug") continue;
      CHECK_MESSAGE(by_table.count(p["table"]) == 0, "one notification per table: " << p.dump());
      by_table[p["table"]] = p;
    }
  };
  // `bugs` (named like the file) is renamed: the records table is now `issues`, the first table.
  std::string text = f.Bug();
  const size_t at = text.find("bugs |");
  REQUIRE(at != std::string::npos);
  WriteFile(f.dir + "/bug_db.sdn", text.replace(at, 4, "issues"));
  collect();
  REQUIRE(by_table.count("bugs") == 1);  // was: nothing at all (the same ids, compared across tables)
  CHECK(by_table["bugs"]["removed"] == Json::array({"bug_001", "bug_002"}));
  CHECK(by_table["bugs"]["added"].empty());
  REQUIRE(by_table.count("issues") == 1);
  CHECK(by_table["issues"]["added"] == Json::array({"bug_001", "bug_002"}));
  CHECK(by_table["issues"]["removed"].empty());
  CHECK(by_table.size() == 2);  // notes and skills_updated did not change
  Json dbs = f.Call("sdndb/databases", Json::object());
  for (const Json& d : dbs["result"]["databases"])
    if (d["name"] == "bug") CHECK(d["table"] == "issues");

  // And back: `issues` goes, `bugs` comes back as the records table.
  by_table.clear();
  WriteFile(f.dir + "/bug_db.sdn", f.Bug().replace(f.Bug().find("issues |"), 6, "bugs"));
  collect();
  REQUIRE(by_table.count("issues") == 1);
  CHECK(by_table["issues"]["removed"] == Json::array({"bug_001", "bug_002"}));
  REQUIRE(by_table.count("bugs") == 1);
  CHECK(by_table["bugs"]["added"] == Json::array({"bug_001", "bug_002"}));
  CHECK(by_table.size() == 2);
}
