// End to end with real git and the real sdndb binary: two clones edit one database, then merge
// or rebase through `sdndb merge-driver` (registered with `sdndb git-setup`).
// Every repository lives in a temp folder with its own HOME (no user or system git config).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "core/sdn/document.h"
#include "tests/cli/run_process.h"
#include "tests/git/git_world.h"
#include "tests/support/io_test_util.h"

using namespace sdndb::testing;

namespace {

const char* kDb =
    "# Team tracker: records below, interned strings at the end.\n"
    "project: \"demo\"\n"
    "\n"
    "todos |id, title, status|\n"
    "    1, \"write parser\", open\n"
    "    2, \"write docs\", open\n"
    "    # reviewed items\n"
    "    3, \"fix bug\", open\n"
    "\n"
    "strings |id, text|\n"
    "    s1, alpha\n";

// The todo database of these tests, with the `todo` name for sdndb show.
class TodoWorld : public GitWorld {
 public:
  TodoWorld() : GitWorld("todo_db.sdn", kDb) {}
  nlohmann::json Show(const std::string& repo, const std::string& id) { return GitWorld::Show(repo, "todo", id); }
};

}  // namespace

namespace {

bool Parses(const std::string& text) { return sdndb::sdn::Document::Parse(text).ok(); }

}  // namespace

TEST_CASE("git-setup is idempotent and --check reports what is missing") {
  TempDir home;
  std::vector<std::string> env = {"HOME=" + home.path(), "GIT_CONFIG_NOSYSTEM=1"};
  REQUIRE(RunProcess({"/usr/bin/git", "init", "-q", home.path() + "/r"}, {}, env).exit_code == 0);
  const std::string repo = home.path() + "/r";
  auto check = Sdndb({"--dir", repo, "git-setup", "--check"}, env);
  CHECK(check.exit_code == 1);
  CHECK(check.err.find("*_db.sdn merge=sdndb") != std::string::npos);
  CHECK(check.err.find("merge.sdndb.driver") != std::string::npos);

  home.Write("r/.gitattributes", "*.png binary");  // no final newline
  auto setup = Sdndb({"--dir", repo, "git-setup"}, env);
  CHECK(setup.exit_code == 0);
  CHECK(home.Read("r/.gitattributes") == "*.png binary\n*_db.sdn merge=sdndb\n");
  auto again = Sdndb({"--dir", repo, "git-setup"}, env);
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("already set up") != std::string::npos);
  CHECK(home.Read("r/.gitattributes") == "*.png binary\n*_db.sdn merge=sdndb\n");
  auto ok = Sdndb({"--dir", repo, "git-setup", "--check"}, env);
  CHECK(ok.exit_code == 0);
  auto driver = RunProcess({"/usr/bin/git", "-C", repo, "config", "merge.sdndb.driver"}, {}, env);
  CHECK(driver.out == std::string(SDNDB_BINARY) + " merge-driver %O %A %B %P\n");
  auto name = RunProcess({"/usr/bin/git", "-C", repo, "config", "merge.sdndb.name"}, {}, env);
  CHECK(name.out == "sdndb record merge\n");
  auto attr = RunProcess({"/usr/bin/git", "-C", repo, "check-attr", "merge", "--", "x/todo_db.sdn"}, {}, env);
  CHECK(attr.out == "x/todo_db.sdn: merge: sdndb\n");

  // A driver pointing at a binary that is gone is reported.
  REQUIRE(RunProcess({"/usr/bin/git", "-C", repo, "config", "merge.sdndb.driver",
                      "/nonexistent/sdndb merge-driver %O %A %B %P"}, {}, env).exit_code == 0);
  auto stale = Sdndb({"--dir", repo, "git-setup", "--check"}, env);
  CHECK(stale.exit_code == 1);
  CHECK(stale.err.find("/nonexistent/sdndb") != std::string::npos);

  auto outside = Sdndb({"--dir", home.path(), "git-setup"}, env);
  CHECK(outside.exit_code != 0);
  CHECK(outside.err.find("not inside a git repository") != std::string::npos);
}

TEST_CASE("two clones edit different records: git merge is clean, comments and tables survive") {
  TodoWorld w;
  w.Ok({"edit", "todo", "1", "status=done"}, "a");
  w.Commit("a", "a: 1 done");
  w.Ok({"edit", "todo", "3", "status=wip"}, "b");
  w.Ok({"add", "todo", "title=from b"}, "b");
  w.Commit("b", "b: 3 wip, new record");
  auto m = w.MergeFromB();
  CHECK_MESSAGE(m.exit_code == 0, m.out << m.err);
  std::string merged = w.Read("a");
  CHECK(Parses(merged));
  CHECK(merged.rfind("# Team tracker: records below, interned strings at the end.\nproject: \"demo\"\n", 0) == 0);
  CHECK(merged.find("    # reviewed items\n") != std::string::npos);
  CHECK(merged.find("strings |id, text|\n    s1, alpha\n") != std::string::npos);
  CHECK(w.Show("a", "1")["status"] == "done");
  CHECK(w.Show("a", "3")["status"] == "wip");
  CHECK(w.Show("a", "4")["title"] == "from b");
  CHECK(w.Conflicts("a").empty());
  CHECK(w.Git("a", {"status", "--porcelain", "--untracked-files=no"}).out.empty());
}

TEST_CASE("the same field on both sides: conflict rows, sdndb resolve, then git add/commit") {
  TodoWorld w;
  w.Ok({"edit", "todo", "2", "status=done"}, "a");
  w.Commit("a", "a: 2 done");
  w.Ok({"edit", "todo", "2", "status=dropped", "title=write the docs"}, "b");
  w.Commit("b", "b: 2 dropped");
  auto m = w.MergeFromB();
  CHECK(m.exit_code != 0);
  CHECK(m.out.find("CONFLICT") != std::string::npos);
  std::string merged = w.Read("a");
  CHECK(Parses(merged));
  CHECK(merged.find("<<<<<<<") == std::string::npos);
  auto conflicts = w.Conflicts("a");
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0]["record"] == "2");
  CHECK(conflicts[0]["field"] == "status");
  CHECK(conflicts[0]["base"] == "open");
  CHECK(conflicts[0]["ours"] == "done");
  CHECK(conflicts[0]["theirs"] == "dropped");
  CHECK(w.Show("a", "2")["title"] == "write the docs");  // the one-sided field merged
  w.Ok({"resolve", "todo:" + conflicts[0]["id"].get<std::string>(), "--ours"}, "a");
  CHECK(w.Conflicts("a").empty());
  CHECK(w.Show("a", "2")["status"] == "done");
  w.Git("a", {"add", "todo_db.sdn"});
  w.Git("a", {"commit", "-q", "--no-edit"});
  CHECK(w.Git("a", {"status", "--porcelain", "--untracked-files=no"}).out.empty());
  CHECK(w.Git("a", {"rev-list", "--count", "HEAD"}).out == "4\n");  // initial, a, b, merge
}

TEST_CASE("add/add of the same id, and delete vs edit") {
  TodoWorld w;
  w.Ok({"add", "todo", "title=a's new item"}, "a");  // both get id 4
  w.Ok({"delete", "todo", "3"}, "a");
  w.Commit("a", "a");
  w.Ok({"add", "todo", "title=b's new item"}, "b");
  w.Ok({"edit", "todo", "3", "status=done"}, "b");
  w.Commit("b", "b");
  auto m = w.MergeFromB();
  CHECK(m.exit_code != 0);
  std::string merged = w.Read("a");
  CHECK(Parses(merged));
  auto conflicts = w.Conflicts("a");
  bool title_conflict = false, whole = false;
  for (const auto& c : conflicts) {
    if (c["record"] == "4" && c["field"] == "title") {
      title_conflict = true;
      CHECK(c["ours"] == "a's new item");
      CHECK(c["theirs"] == "b's new item");
    }
    if (c["record"] == "3" && c["field"] == "*") {
      whole = true;
      CHECK(c["ours"] == "<deleted>");
    }
  }
  CHECK(title_conflict);
  CHECK(whole);
  CHECK(w.Show("a", "3")["status"] == "done");  // the record stays until resolved
  for (const auto& c : conflicts) w.Ok({"resolve", "todo:" + c["id"].get<std::string>(), "--ours"}, "a");
  CHECK(w.Show("a", "3").is_null());
  CHECK(w.Show("a", "4")["title"] == "a's new item");
  w.Git("a", {"add", "todo_db.sdn"});
  w.Git("a", {"commit", "-q", "--no-edit"});
}

TEST_CASE("a rebase replays commits through the driver") {
  TodoWorld w;
  w.Ok({"edit", "todo", "1", "title=parser v2"}, "a");
  w.Commit("a", "a: 1");
  w.Ok({"edit", "todo", "2", "status=done"}, "b");
  w.Commit("b", "b: 2");
  w.Ok({"add", "todo", "title=b second"}, "b");
  w.Commit("b", "b: add");
  w.Git("b", {"fetch", "-q", w.Path("a"), "main"});
  auto r = w.Git("b", {"rebase", "FETCH_HEAD"}, false);
  CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
  CHECK(w.Show("b", "1")["title"] == "parser v2");
  CHECK(w.Show("b", "2")["status"] == "done");
  CHECK(w.Show("b", "4")["title"] == "b second");
  CHECK(w.Git("b", {"rev-list", "--count", "HEAD"}).out == "4\n");
  CHECK(w.Conflicts("b").empty());
}

TEST_CASE("a rebase that conflicts: resolve with sdndb, git add, rebase --continue") {
  TodoWorld w;
  w.Ok({"edit", "todo", "1", "status=done"}, "a");
  w.Commit("a", "a: 1 done");
  w.Ok({"edit", "todo", "1", "status=blocked"}, "b");
  w.Commit("b", "b: 1 blocked");
  w.Git("b", {"fetch", "-q", w.Path("a"), "main"});
  auto r = w.Git("b", {"rebase", "FETCH_HEAD"}, false);
  CHECK(r.exit_code != 0);
  CHECK(Parses(w.Read("b")));
  auto conflicts = w.Conflicts("b");
  REQUIRE(conflicts.size() == 1);
  // During a rebase git's "ours" is the upstream being rebased onto, "theirs" the replayed commit.
  CHECK(conflicts[0]["ours"] == "done");
  CHECK(conflicts[0]["theirs"] == "blocked");
  w.Ok({"resolve", "todo:" + conflicts[0]["id"].get<std::string>(), "--theirs"}, "b");
  w.Git("b", {"add", "todo_db.sdn"});
  auto cont = RunProcess({"/usr/bin/git", "-C", w.Path("b"), "-c", "core.editor=true", "rebase", "--continue"}, {},
                         {"HOME=" + w.Path(""), "GIT_CONFIG_NOSYSTEM=1", "GIT_EDITOR=true"});
  CHECK_MESSAGE(cont.exit_code == 0, cont.out << cont.err);
  CHECK(w.Show("b", "1")["status"] == "blocked");
  CHECK(w.Conflicts("b").empty());
  CHECK(w.Git("b", {"rev-list", "--count", "HEAD"}).out == "3\n");
}

TEST_CASE("merge-driver called directly: a broken input gets git's line merge, with the reason on stderr") {
  TempDir d;
  std::string base = d.Write("base", kDb);
  std::string ours_text = std::string(kDb) + "    s2, beta\n";
  std::string ours = d.Write("ours", ours_text);
  const std::string broken = "todos |id, title, status|\n    1, \"broken, open\n";
  std::string theirs = d.Write("theirs", broken);
  REQUIRE_FALSE(sdndb::sdn::Document::Parse(broken).ok());
  auto r = Sdndb({"merge-driver", base, ours, theirs, "db/todo_db.sdn"});
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("git merge-file") != std::string::npos);
  CHECK(r.err.find("their version") != std::string::npos);
  CHECK(r.err.find("db/todo_db.sdn:2:") != std::string::npos);
  // Exactly what git's own line merge gives (conflict markers labelled with the path).
  d.Write("o2", ours_text);
  auto git = RunProcess({"/usr/bin/git", "merge-file", "-p", "-L", "ours:db/todo_db.sdn", "-L", "base:db/todo_db.sdn",
                         "-L", "theirs:db/todo_db.sdn", d.path() + "/o2", base, theirs});
  CHECK(git.exit_code == r.exit_code);
  CHECK(d.Read("ours") == git.out);
  auto usage = Sdndb({"merge-driver", base});
  CHECK(usage.exit_code == 1);
  CHECK(usage.err.find("usage") != std::string::npos);
}
