// End-to-end tests of the real `sdndb` binary on temp folders: every command and error path.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <atomic>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

#include "core/io/file_lock.h"
#include "tests/cli/run_process.h"
#include "tests/support/io_test_util.h"

using namespace sdndb::testing;
using nlohmann::json;

namespace {

struct Workspace {
  TempDir dir;
  Workspace() {
    auto r = Sdndb({"init", dir.path()});
    REQUIRE(r.exit_code == 0);
  }
  ProcessResult Run(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), {"--dir", dir.path()});
    return Sdndb(args, env);
  }
  std::string Todo() const { return dir.Read("todo_db.sdn"); }
};

json Json(const ProcessResult& r) {
  auto j = json::parse(r.out, nullptr, false);
  REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << r.out << r.err);
  return j;
}

}  // namespace

TEST_CASE("version, help and usage errors") {
  auto v = Sdndb({"--version"});
  CHECK(v.exit_code == 0);
  CHECK(v.out.rfind("sdndb ", 0) == 0);
  auto h = Sdndb({"--help"});
  CHECK(h.exit_code == 0);
  for (const char* cmd : {"list", "show", "add", "edit", "delete", "conflicts", "resolve", "check", "fmt", "to-json", "init", "serve"})
    CHECK_MESSAGE(h.out.find(cmd) != std::string::npos, cmd);
  auto ch = Sdndb({"edit", "--help"});
  CHECK(ch.exit_code == 0);
  CHECK(ch.out.find("--expect-version") != std::string::npos);
  auto unknown = Sdndb({"frobnicate"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("unknown command 'frobnicate'") != std::string::npos);
  Workspace ws;
  auto bad_opt = ws.Run({"list", "todo", "--colour"});
  CHECK(bad_opt.exit_code == 1);
  CHECK(bad_opt.err.find("unknown option --colour") != std::string::npos);
  auto missing = ws.Run({"show", "todo"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("usage: sdndb show DB ID") != std::string::npos);
}

TEST_CASE("init creates example databases and never overwrites") {
  TempDir dir;
  auto r = Sdndb({"init", dir.path()});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("created") != std::string::npos);
  std::string before = dir.Read("todo_db.sdn");
  auto again = Sdndb({"init", dir.path()});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("kept existing") != std::string::npos);
  CHECK(dir.Read("todo_db.sdn") == before);
}

TEST_CASE("list: table, json, where, sort, truncation, no colour off a terminal") {
  Workspace ws;
  auto t = ws.Run({"list", "todo"});
  CHECK(t.exit_code == 0);
  CHECK(t.out.find("id  keyword") != std::string::npos);
  CHECK(t.out.find("3 of 3 records") != std::string::npos);
  CHECK(t.out.find("\033[") == std::string::npos);
  auto j = ws.Run({"list", "todo", "--json"});
  REQUIRE(j.exit_code == 0);
  json arr = Json(j);
  REQUIRE(arr.size() == 3);
  CHECK(arr[0]["fields"]["description"] == "Support generic type aliases");
  auto w = ws.Run({"list", "todo", "--where", "status=open", "--json"});
  CHECK(Json(w).size() == 2);
  auto s = ws.Run({"list", "todo", "--sort", "line", "--json"});
  json sorted = Json(s);
  CHECK(sorted[0]["id"] == "3");  // line 1
  CHECK(sorted[2]["id"] == "1");  // line 120
  auto narrow = ws.Run({"list", "todo"}, {"COLUMNS=90"});
  std::istringstream lines(narrow.out);
  std::string line;
  int table_lines = 0;
  while (std::getline(lines, line)) {
    if (line.find("records") != std::string::npos) continue;
    size_t chars = 0;
    for (unsigned char c : line) chars += (c & 0xC0) != 0x80;
    CHECK(chars <= 90);
    ++table_lines;
  }
  CHECK(table_lines == 4);
  CHECK(narrow.out.find("…") != std::string::npos);
  auto bad = ws.Run({"list", "todo", "--where", "colour=red"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("unknown field 'colour'") != std::string::npos);
  auto nodb = ws.Run({"list", "bugs"});
  CHECK(nodb.exit_code == 1);
  CHECK(nodb.err.find("unknown database 'bugs'") != std::string::npos);
  CHECK(nodb.err.find("todo") != std::string::npos);
}

TEST_CASE("show, add, edit, delete") {
  Workspace ws;
  auto show = ws.Run({"show", "todo", "2"});
  CHECK(show.exit_code == 0);
  CHECK(show.out.find("Crash when closing a channel twice") != std::string::npos);
  CHECK(show.out.find("version") != std::string::npos);
  auto missing = ws.Run({"show", "todo", "42"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no record '42'") != std::string::npos);

  const std::string tricky = "Ünïcode — \"quotes\", commas\nand a newline ✅";
  auto add = ws.Run({"add", "todo", "description=" + tricky, "line=7", "status=open", "--json"});
  REQUIRE(add.exit_code == 0);
  json rec = Json(add);
  CHECK(rec["id"] == "4");
  CHECK(rec["version"] == 1);
  auto back = ws.Run({"show", "todo", "4", "--json"});
  CHECK(Json(back)["fields"]["description"] == tricky);

  std::string before = ws.Todo();
  auto bad_field = ws.Run({"add", "todo", "colour=red"});
  CHECK(bad_field.exit_code == 1);
  CHECK(bad_field.err.find("unknown field 'colour'") != std::string::npos);
  auto bad_int = ws.Run({"edit", "todo", "1", "line=abc"});
  CHECK(bad_int.exit_code == 1);
  CHECK(bad_int.err.find("expects an integer") != std::string::npos);
  auto bad_assign = ws.Run({"edit", "todo", "1", "status"});
  CHECK(bad_assign.exit_code == 1);
  CHECK(ws.Todo() == before);

  auto edit = ws.Run({"edit", "todo", "1", "status=closed", "priority=P0"});
  CHECK(edit.exit_code == 0);
  CHECK(edit.out.find("applied todo 1 (etag ") != std::string::npos);
  CHECK(edit.out.find(", version 1)") != std::string::npos);
  auto after = Json(ws.Run({"show", "todo", "1", "--json"}));
  CHECK(after["fields"]["status"] == "closed");
  CHECK(after["fields"]["priority"] == "P0");
  CHECK(after["version"] == 1);

  auto del = ws.Run({"delete", "todo", "3"});
  CHECK(del.exit_code == 0);
  CHECK(ws.Run({"show", "todo", "3"}).exit_code == 1);
  auto del_again = ws.Run({"delete", "todo", "3"});
  CHECK(del_again.exit_code == 1);
}

TEST_CASE("a stale --expect-version edit becomes a conflict that conflicts lists and resolve clears") {
  Workspace ws;
  REQUIRE(ws.Run({"edit", "todo", "2", "status=closed"}).exit_code == 0);  // version 1
  // An edit made on version 0 to the same field: conflict (exit 2), recorded with merge.
  auto stale = ws.Run({"edit", "todo", "2", "status=blocked", "--expect-version", "0"});
  CHECK(stale.exit_code == 2);
  CHECK(stale.err.find("conflict todo:c1 on status") != std::string::npos);
  auto list = ws.Run({"conflicts", "--json"});
  REQUIRE(list.exit_code == 0);
  json cs = Json(list);
  REQUIRE(cs.size() == 1);
  CHECK(cs[0]["database"] == "todo");
  CHECK(cs[0]["record"] == "2");
  CHECK(cs[0]["ours"] == "blocked");
  CHECK(cs[0]["theirs"] == "closed");
  CHECK(ws.Run({"conflicts"}).out.find("todo:c1") != std::string::npos);
  CHECK(ws.Run({"list", "todo"}).out.find("1 unresolved conflicts") != std::string::npos);

  auto resolve = ws.Run({"resolve", "c1", "--ours"});
  CHECK(resolve.exit_code == 0);
  CHECK(Json(ws.Run({"show", "todo", "2", "--json"}))["fields"]["status"] == "blocked");
  CHECK(Json(ws.Run({"conflicts", "--json"})).empty());
  CHECK(ws.Run({"resolve", "c1", "--ours"}).exit_code == 1);

  // Strategy error: rejected, nothing written.
  std::string before = ws.Todo();
  auto rejected = ws.Run({"edit", "todo", "2", "status=open", "--expect-version", "0", "--strategy", "error"});
  CHECK(rejected.exit_code == 2);
  CHECK(rejected.err.find("conflicting fields: status") != std::string::npos);
  CHECK(ws.Todo() == before);
  // The CLI knows only the version it expected, not the values it saw: any field that differs
  // from the stored value is a conflict (the engine never guesses a base).
  auto unknown_base = ws.Run({"edit", "todo", "2", "area=lexer", "--expect-version", "0", "--json"});
  CHECK(unknown_base.exit_code == 2);
  CHECK(Json(unknown_base)["outcome"] == "conflict");
  auto resolve_value = ws.Run({"resolve", "todo:c1", "--value", "lexer2"});
  CHECK(resolve_value.exit_code == 0);
  CHECK(Json(ws.Run({"show", "todo", "2", "--json"}))["fields"]["area"] == "lexer2");
  auto bad_strategy = ws.Run({"edit", "todo", "2", "area=x", "--strategy", "coinflip"});
  CHECK(bad_strategy.exit_code == 1);
  auto both = ws.Run({"resolve", "c1", "--ours", "--theirs"});
  CHECK(both.exit_code == 1);
}

TEST_CASE("json errors are json") {
  Workspace ws;
  auto r = ws.Run({"show", "todo", "99", "--json"});
  CHECK(r.exit_code == 1);
  auto j = json::parse(r.err, nullptr, false);
  REQUIRE(!j.is_discarded());
  CHECK(j["error"]["kind"] == "not found");
  CHECK(j["error"]["exit"] == 1);
}

TEST_CASE("lock timeout names the holder and exits 3; waiting is announced") {
  Workspace ws;
  sdndb::LockOptions o;
  o.program = "cli_test holder";
  auto lock = sdndb::FileLock::Acquire(ws.dir.path() + "/todo_db.sdn", o);
  REQUIRE(lock.ok());
  std::string before = ws.Todo();
  auto r = ws.Run({"--timeout", "1", "edit", "todo", "1", "status=closed"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("waiting for lock on todo_db.sdn held by") != std::string::npos);
  CHECK(r.err.find("pid " + std::to_string(getpid())) != std::string::npos);
  CHECK(r.err.find("cli_test holder") != std::string::npos);
  // Readers never wait.
  auto read = ws.Run({"list", "todo", "--json"});
  CHECK(read.exit_code == 0);
  lock.value().reset();
  CHECK(ws.Todo() == before);
  CHECK(ws.Run({"edit", "todo", "1", "status=closed"}).exit_code == 0);
}

TEST_CASE("I/O errors exit 4") {
  Workspace ws;
  REQUIRE(mkdir((ws.dir.path() + "/broken_db.sdn").c_str(), 0755) == 0);  // a folder where a file should be
  auto r = ws.Run({"list", "broken"});
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("broken_db.sdn") != std::string::npos);
}

TEST_CASE("a read-only (0444) database is refused with exit 4 naming the file") {
  Workspace ws;
  const std::string path = ws.dir.Join("todo_db.sdn");
  const std::string before = ws.Todo();
  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  for (std::vector<std::string> args : {std::vector<std::string>{"edit", "todo", "1", "status=closed"},
                                        std::vector<std::string>{"delete", "todo", "2"},
                                        std::vector<std::string>{"add", "todo", "description=x"}}) {
    CAPTURE(args[0]);
    auto r = ws.Run(args);
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("todo_db.sdn") != std::string::npos);
    CHECK(r.err.find("read-only") != std::string::npos);
  }
  CHECK(FileMode(path) == 0444u);
  CHECK(ws.Todo() == before);
  CHECK(ws.Run({"list", "todo"}).exit_code == 0);  // reading is fine
}

TEST_CASE("check, fmt and to-json") {
  TempDir dir;
  std::string good = dir.Write("good.sdn", "# c\nt |a, b|\n    1, \"x, y\"\n\ncfg:\n    port: 8080\n");
  std::string bad = dir.Write("bad.sdn", "t |a, b|\n    1, 2\n    3\n");
  auto ok = Sdndb({"check", good});
  CHECK(ok.exit_code == 0);
  auto ko = Sdndb({"check", good, bad});
  CHECK(ko.exit_code == 1);
  CHECK(ko.out.find(bad + ":3:") != std::string::npos);  // diagnostics are check's output
  auto fmt = Sdndb({"fmt", good});
  CHECK(fmt.exit_code == 0);
  CHECK(fmt.out == dir.Read("good.sdn"));
  auto js = Sdndb({"to-json", good});
  REQUIRE(js.exit_code == 0);
  json j = Json(js);
  CHECK(j["t"][0]["b"] == "x, y");
  CHECK(j["t"][0]["a"] == 1);
  CHECK(j["cfg"]["port"] == 8080);
  // A malformed row: fmt still gives the file's bytes and reports the row on stderr.
  auto fmt_bad = Sdndb({"fmt", bad});
  CHECK(fmt_bad.exit_code == 0);
  CHECK(fmt_bad.out == dir.Read("bad.sdn"));
  CHECK(fmt_bad.err.find(bad + ":3:5: error: row has 1 cell, table 't' has 2 columns") != std::string::npos);
  CHECK(Sdndb({"fmt", dir.path() + "/absent.sdn"}).exit_code == 4);  // cannot be read: I/O error
  // A malformed database is reported and never written.
  TempDir ws;
  std::string text = "todos |id, status|\n    1, open\n    2, \"oops\n";
  ws.Write("todo_db.sdn", text);
  auto edit = Sdndb({"--dir", ws.path(), "edit", "todo", "1", "status=closed"});
  CHECK(edit.exit_code == 1);
  CHECK(edit.err.find("todo_db.sdn:3:") != std::string::npos);
  CHECK(ws.Read("todo_db.sdn") == text);
}

TEST_CASE("a malformed row: the rest is listed and edited, the row is reported and kept byte for byte") {
  TempDir ws;
  const std::string bad_row = "    2, open, stray, cells, and more\n";
  const std::string text = "todos |id, status|\n    1, open\n" + bad_row + "    3, open\n";
  const std::string path = ws.Write("todo_db.sdn", text);
  ws.Write("task_db.sdn", "tasks |id, status|\n    T-1, \"never closed\n");  // unreadable as a whole
  auto list = Sdndb({"--dir", ws.path(), "list", "todo"});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("2 of 2 records") != std::string::npos);
  CHECK(list.err.find("todo_db.sdn:3:5: error: row has 5 cells, table 'todos' has 2 columns") != std::string::npos);
  auto list_json = Sdndb({"--dir", ws.path(), "list", "todo", "--json"});
  REQUIRE(list_json.exit_code == 0);
  CHECK(Json(list_json).size() == 2);
  CHECK(list_json.err.find("\"line\":3") != std::string::npos);
  auto show = Sdndb({"--dir", ws.path(), "show", "todo", "3"});
  CHECK(show.exit_code == 0);
  CHECK(show.err.find("todo_db.sdn:3:5") != std::string::npos);
  auto edit = Sdndb({"--dir", ws.path(), "edit", "todo", "3", "status=closed"});
  CHECK(edit.exit_code == 0);
  const std::string after = ws.Read("todo_db.sdn");
  CHECK(after.find("\n" + bad_row) != std::string::npos);
  CHECK(after.find("    1, open") != std::string::npos);
  CHECK(after.find("    3, closed") != std::string::npos);
  auto check = Sdndb({"check", path});
  CHECK(check.exit_code == 1);
  CHECK(check.out.find(path + ":3:5: error: row has 5 cells") != std::string::npos);  // check's output
  // The folder's conflicts: the unreadable task database is reported, the todo one is listed.
  auto conflicts = Sdndb({"--dir", ws.path(), "conflicts"});
  CHECK(conflicts.exit_code == 0);
  CHECK(conflicts.out.find("no conflicts") != std::string::npos);
  CHECK(conflicts.err.find("task_db.sdn:2:") != std::string::npos);
  // Invalid UTF-8 in JSON: the reversible byte escape U+10FF00+B.
  const std::string bytes = ws.Write("bytes.sdn", "t |a|\n    x\xFFy\n");
  auto js = Sdndb({"to-json", bytes});
  CHECK(js.exit_code == 0);
  CHECK(js.out.find("\"x\xF4\x8F\xBF\xBFy\"") != std::string::npos);
}

TEST_CASE("corpus files: fmt gives identical bytes, check passes") {
  for (const char* name : {"03_todo_db__doc-todo__11ab79b.sdn", "07_bug_db__doc-bug__1eb5fcd.sdn",
                           "15_config__msp430_launchpad__42fcfd1.sdn"}) {
    std::string path = std::string(SDNDB_TEST_DATA_DIR) + "/corpus/" + name;
    auto fmt = Sdndb({"fmt", path});
    CHECK_MESSAGE(fmt.exit_code == 0, name << fmt.err);
    CHECK(fmt.out == ReadWholeFile(path));
    CHECK(Sdndb({"check", path}).exit_code == 0);
  }
}

TEST_CASE("two CLI processes editing at once lose nothing") {
  Workspace ws;
  const int n = 25;
  std::atomic<int> failed_edits{0};  // doctest assertions are not thread-safe: count, check after join
  auto worker = [&](std::string id, std::string field) {
    for (int i = 1; i <= n; ++i)
      if (ws.Run({"edit", "todo", id, field + "=" + std::to_string(i)}).exit_code != 0) ++failed_edits;
  };
  std::thread a(worker, "1", "line");
  std::thread b(worker, "2", "line");
  std::thread c(worker, "1", "issue");
  a.join();
  b.join();
  c.join();
  CHECK(failed_edits == 0);
  json one = Json(ws.Run({"show", "todo", "1", "--json"}));
  json two = Json(ws.Run({"show", "todo", "2", "--json"}));
  CHECK(one["fields"]["line"] == std::to_string(n));
  CHECK(one["fields"]["issue"] == std::to_string(n));
  CHECK(one["version"] == 2 * n);
  CHECK(two["fields"]["line"] == std::to_string(n));
  CHECK(two["version"] == n);
}

TEST_CASE("databases are found upward from the working folder") {
  Workspace ws;
  std::string sub = ws.dir.path() + "/a/b";
  REQUIRE(std::system(("mkdir -p '" + sub + "'").c_str()) == 0);
  auto r = RunProcess({"/bin/sh", "-c", "cd '" + sub + "' && '" SDNDB_BINARY "' list todo --json"});
  CHECK(r.exit_code == 0);
  CHECK(Json(r).size() == 3);
  TempDir empty;
  auto none = RunProcess({"/bin/sh", "-c", "cd '" + empty.path() + "' && '" SDNDB_BINARY "' list todo"});
  CHECK(none.exit_code == 1);
  CHECK(none.err.find("no sdndb databases") != std::string::npos);
}

TEST_CASE(".sdndb config: listed databases, default and per-database strategy, confinement") {
  TempDir dir;
  REQUIRE(Sdndb({"init", dir.path() + "/data"}).exit_code == 0);
  dir.Write(".sdndb",
            "databases:\n"
            "    tasks: data/task_db.sdn\n"
            "    todo: data/todo_db.sdn\n"
            "strategy: error\n"
            "strategies:\n"
            "    todo: merge\n");
  // Found from a subfolder through the config; names come from the config.
  auto list = RunProcess({"/bin/sh", "-c", "mkdir -p '" + dir.path() + "/sub' && cd '" + dir.path() +
                                               "/sub' && '" SDNDB_BINARY "' list tasks --json"});
  REQUIRE(list.exit_code == 0);
  CHECK(Json(list).size() == 1);
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--dir", dir.path()});
    return Sdndb(args);
  };
  REQUIRE(run({"edit", "tasks", "TRACK-001", "status=done"}).exit_code == 0);
  REQUIRE(run({"edit", "todo", "1", "status=closed"}).exit_code == 0);
  // tasks uses the default strategy `error`: a stale edit is refused and nothing is recorded.
  auto refused = run({"edit", "tasks", "TRACK-001", "status=blocked", "--expect-version", "0"});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("nothing written") != std::string::npos);
  // todo overrides it with `merge`: the stale edit is recorded as a conflict.
  auto recorded = run({"edit", "todo", "1", "status=blocked", "--expect-version", "0"});
  CHECK(recorded.exit_code == 2);
  CHECK(Json(run({"conflicts", "todo", "--json"})).size() == 1);
  CHECK(Json(run({"conflicts", "tasks", "--json"})).empty());
  // A config entry that leaves the folder is refused.
  dir.Write(".sdndb", "databases:\n    evil: ../../etc/passwd_db.sdn\n");
  auto evil = run({"list", "evil"});
  CHECK(evil.exit_code == 1);
  CHECK(evil.err.find("outside") != std::string::npos);
  dir.Write(".sdndb", "strategy: sometimes\n");
  auto bad = run({"list", "todo"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("unknown strategy 'sometimes'") != std::string::npos);
}

TEST_CASE("the benchmark harness is not part of the shipped binary") {
  auto r = Sdndb({"bench", "cycle", "--procs", "1", "--ops", "1"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("unknown command 'bench'") != std::string::npos);
  CHECK(Sdndb({"--help"}).out.find("bench") == std::string::npos);
}

TEST_CASE("resolve without a database name reports an unreadable database instead of 'no conflict'") {
  Workspace ws;
  REQUIRE(ws.Run({"edit", "todo", "2", "status=closed"}).exit_code == 0);
  REQUIRE(ws.Run({"edit", "todo", "2", "status=blocked", "--expect-version", "0"}).exit_code == 2);
  std::string text = ws.Todo();
  ws.dir.Write("todo_db.sdn", text + "    99, \"unterminated\n");
  auto r = ws.Run({"resolve", "c1", "--ours"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("todo_db.sdn:") != std::string::npos);
  CHECK(r.err.find("unterminated") != std::string::npos);
  CHECK(r.err.find("no conflict") == std::string::npos);
}

TEST_CASE("an edit of a record deleted meanwhile: the conflict says so, and --ours names the fields it cannot restore") {
  Workspace ws;
  const std::string etag = Json(ws.Run({"show", "todo", "2", "--json"}))["etag"];
  REQUIRE(ws.Run({"delete", "todo", "2"}).exit_code == 0);
  auto edit = ws.Run({"edit", "todo", "2", "status=done", "--expect", etag});
  CHECK(edit.exit_code == 2);
  CHECK(edit.out == "conflict todo 2 (deleted elsewhere)\n");  // was "(etag )"
  CHECK(edit.err.find("record 2 was deleted since it was read") != std::string::npos);
  CHECK(edit.err.find("sdndb resolve todo:c1 --ours to restore it, --theirs to leave it deleted") != std::string::npos);
  CHECK(edit.err.find("empty after it: keyword, area, priority, description") != std::string::npos);
  CHECK(edit.err.find(", status") == std::string::npos);  // the edited field is not listed as empty

  auto resolve = ws.Run({"resolve", "todo:c1", "--ours"});
  CHECK(resolve.exit_code == 0);
  CHECK(resolve.err.find("restored with the edit's fields only, empty: keyword, area") != std::string::npos);
  auto shown = Json(ws.Run({"show", "todo", "2", "--json"}));
  CHECK(shown["fields"]["status"] == "done");
  CHECK(shown["fields"]["description"] == "");

  // An edit that carried every field (as the editors send) restores it whole: no note.
  const json full = Json(ws.Run({"show", "todo", "3", "--json"}));
  REQUIRE(ws.Run({"delete", "todo", "3"}).exit_code == 0);
  std::vector<std::string> args{"edit", "todo", "3", "--expect", full["etag"].get<std::string>()};
  for (const auto& [k, v] : full["fields"].items())
    if (k != "id") args.push_back(k + "=" + (k == "status" ? std::string("done") : v.get<std::string>()));
  auto whole = ws.Run(args);
  CHECK(whole.exit_code == 2);
  CHECK(whole.err.find("empty after it") == std::string::npos);
  const size_t at = whole.err.find("conflict todo:");
  REQUIRE(at != std::string::npos);
  const std::string conflict = whole.err.substr(at + 9, whole.err.find(':', at + 14) - at - 9);  // "todo:cN"
  auto restored = ws.Run({"resolve", conflict, "--ours"});
  CHECK(restored.exit_code == 0);
  CHECK(restored.err.find("note:") == std::string::npos);
  CHECK(Json(ws.Run({"show", "todo", "3", "--json"}))["fields"]["description"] == full["fields"]["description"]);
}

TEST_CASE("resolve --ours of an edit of a deleted row in another table names that table's missing fields") {
  Workspace ws;
  ws.dir.Write("bug_db.sdn",
               "bugs |id, title, status|\n    b1, crash, open\n\nnotes |id, text, author|\n    n1, hello, ann\n"
               "    n2, world, bob\n");
  const std::string etag = Json(ws.Run({"show", "bug.notes", "n1", "--json"}))["etag"];
  REQUIRE(ws.Run({"delete", "bug.notes", "n1"}).exit_code == 0);
  auto edit = ws.Run({"edit", "bug.notes", "n1", "text=changed", "--expect", etag});
  CHECK(edit.exit_code == 2);
  CHECK(edit.err.find("empty after it: author\n") != std::string::npos);
  // The conflict is resolved through the file's name (its records table is `bugs`): the note
  // still names the columns of `notes`, not those of `bugs` (was "empty: title, status").
  auto resolve = ws.Run({"resolve", "bug:c1", "--ours"});
  CHECK(resolve.exit_code == 0);
  CHECK(resolve.err == "note: n1 was deleted before this edit; restored with the edit's fields only, empty: author\n");
  CHECK(ws.dir.Read("bug_db.sdn").find("    n1, changed, \"\"\n") != std::string::npos);
}

TEST_CASE("two --expect ETAG edits of one field: the conflict's base is shown as unknown, not as \"\"") {
  Workspace ws;
  const std::string etag = Json(ws.Run({"show", "todo", "1", "--json"}))["etag"];
  REQUIRE(ws.Run({"edit", "todo", "1", "status=a", "--expect", etag}).exit_code == 0);
  REQUIRE(ws.Run({"edit", "todo", "1", "status=b", "--expect", etag}).exit_code == 2);
  auto text = ws.Run({"conflicts", "todo"});
  CHECK(text.out.find("    base:   (unknown)\n") != std::string::npos);
  auto j = Json(ws.Run({"conflicts", "todo", "--json"}));
  REQUIRE(j.size() == 1);
  CHECK(j[0]["base"] == "");  // still a string: clients that read `base` keep working
  CHECK(j[0]["baseKnown"] == false);
  CHECK(ws.Todo().find(", status, null, b, a,") != std::string::npos);
}
