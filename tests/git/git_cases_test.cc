// Issue 14's numbered cases, each with real git and the real sdndb binary, on histories built from
// the corpus: 03 and 18 are two generations of the Simple project's todo database (ids reassigned
// on regeneration; 18 has the id 119 twice), 07 is its bug database with eight tables. Files
// without version columns stay that way.
#include <doctest/doctest.h>

#include <sstream>

#include "core/sdn/document.h"
#include "tests/cli/run_process.h"
#include "tests/git/git_world.h"
#include "tests/support/io_test_util.h"

using namespace sdndb::testing;

namespace {

// Sets one cell of the `occurrence`-th row whose key is `id` (a lossless edit: that line only).
std::string Edit(const std::string& text, const std::string& table, const std::string& id, const std::string& column,
                 const std::string& value, int occurrence = 0) {
  auto doc = sdndb::sdn::Document::Parse(text);
  REQUIRE_MESSAGE(doc.ok(), doc.status().ToString());
  sdndb::sdn::Table* t = doc.value()->FindTable(table);
  REQUIRE(t != nullptr);
  int col = t->ColumnIndex(column);
  REQUIRE(col >= 0);
  for (size_t r = 0; r < t->row_count(); ++r) {
    if (t->Cell(r, 0) != id || occurrence-- > 0) continue;
    t->SetCell(r, static_cast<size_t>(col), value);
    return doc.value()->Serialize();
  }
  FAIL("no row " << id << " in " << table);
  return text;
}

std::vector<std::string> LinesOf(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The line of the row whose key is `id` (the first one).
std::string RowOf(const std::string& text, const std::string& id) {
  for (const auto& l : LinesOf(text))
    if (l.rfind("    " + id + ",", 0) == 0) return l;
  FAIL("no row " << id);
  return "";
}

std::string ReplaceOnce(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  return s.replace(at, from.size(), to);
}

int CountLinesStartingWith(const std::string& text, const std::string& prefix) {
  int n = 0;
  for (const auto& l : LinesOf(text)) n += l.rfind(prefix, 0) == 0;
  return n;
}

// Lines that differ between a and b (same line count assumed; else a large number).
int DifferentLines(const std::string& a, const std::string& b) {
  auto la = LinesOf(a), lb = LinesOf(b);
  if (la.size() != lb.size()) return 1 << 20;
  int n = 0;
  for (size_t i = 0; i < la.size(); ++i) n += la[i] != lb[i];
  return n;
}

// 03 without one column: header and every row (the last column, `valid`, is bare true/false).
std::string DropLastColumn(const std::string& text) {
  std::string out;
  for (const auto& l : LinesOf(text)) {
    std::string line = l;
    if (line.rfind("todos |", 0) == 0) {
      line = ReplaceOnce(line, ", valid|", "|");
    } else if (line.rfind("    ", 0) == 0) {
      line = line.substr(0, line.rfind(", "));
    }
    out += line + "\n";
  }
  return out;
}

// The table `todos` with its columns in `order` (header and every row, spellings kept).
std::string Reorder(const std::string& text, const std::vector<std::string>& order) {
  auto doc = sdndb::sdn::Document::Parse(text);
  REQUIRE(doc.ok());
  const sdndb::sdn::Table* t = doc.value()->FindTable("todos");
  REQUIRE(t != nullptr);
  std::string out = "todos |";
  for (size_t i = 0; i < order.size(); ++i) out += (i ? ", " : "") + order[i];
  out += "|\n";
  for (size_t r = 0; r < t->row_count(); ++r) {
    out += "    ";
    for (size_t i = 0; i < order.size(); ++i)
      out += (i ? ", " : "") + std::string(t->RawCell(r, static_cast<size_t>(t->ColumnIndex(order[i]))));
    out += "\n";
  }
  return out;
}

// Builds A (ours) and B (theirs) from `base`, commits both, merges B into A.
struct Case {
  GitWorld w;
  ProcessResult merge;
  Case(const std::string& file, const std::string& base, const std::string& ours, const std::string& theirs)
      : w(file, base) {
    w.Write("a", ours);
    w.Commit("a", "ours");
    w.Write("b", theirs);
    w.Commit("b", "theirs");
    merge = w.MergeFromB();
  }
  std::string Merged() const { return w.Read("a"); }
};

}  // namespace

TEST_CASE("case 1: an id that changed meaning is never merged field by field") {
  const std::string base = CorpusFile("03_");
  const std::string regen = CorpusFile("18_");
  // Ours regenerated record 3 (18's id 3 is an unrelated TODO); theirs marked base's 3 done.
  const std::string ours = ReplaceOnce(base, RowOf(base, "3"), RowOf(regen, "3"));
  const std::string theirs = Edit(base, "todos", "3", "status", "done");
  Case c("todo_db.sdn", base, ours, theirs);
  CHECK(c.merge.exit_code != 0);
  CHECK(c.merge.out.find("CONFLICT") != std::string::npos);
  CHECK((c.merge.out + c.merge.err).find("names a different record") != std::string::npos);
  // Never the silent mix: ours' different record 3 marked done.
  CHECK(c.Merged().find(ReplaceOnce(RowOf(regen, "3"), ", open, ", ", done, ")) == std::string::npos);
  int git_conflicts = 0;
  CHECK(c.Merged() == c.w.GitLineMerge(&git_conflicts));
  CHECK(git_conflicts > 0);

}

TEST_CASE("case 1: the whole regenerated file against an edit of the old one: a conflict, not a mix") {
  const std::string base = CorpusFile("03_");
  Case c("todo_db.sdn", base, CorpusFile("18_"), Edit(base, "todos", "3", "status", "done"));
  CHECK(c.merge.exit_code != 0);
  CHECK(c.Merged().find("<<<<<<<") != std::string::npos);
}

TEST_CASE("case 1 and 6: the same record edited on both sides, other fields: merged, one line, no column added") {
  const std::string base = CorpusFile("03_");
  const std::string ours = Edit(base, "todos", "3", "priority", "P1");
  const std::string theirs = Edit(base, "todos", "3", "status", "done");
  Case c("todo_db.sdn", base, ours, theirs);
  CHECK_MESSAGE(c.merge.exit_code == 0, c.merge.out << c.merge.err);
  const std::string merged = c.Merged();
  CHECK(merged == Edit(ours, "todos", "3", "status", "done"));  // only row 3's line changed
  CHECK(DifferentLines(base, merged) == 1);
  CHECK(LinesOf(merged)[0] == LinesOf(base)[0]);  // header untouched: no version columns
}

TEST_CASE("case 1: `.sdndb` names the columns that identify a record") {
  const std::string base = CorpusFile("03_");
  const std::string ours = Edit(base, "todos", "5", "description", "Add support for export * syntax (reworded)");
  const std::string theirs = Edit(base, "todos", "5", "status", "done");
  {  // Default rule: a reworded description in the same file is the same record.
    Case c("todo_db.sdn", base, ours, theirs);
    CHECK_MESSAGE(c.merge.exit_code == 0, c.merge.out << c.merge.err);
    CHECK(c.Merged() == Edit(ours, "todos", "5", "status", "done"));
  }
  // With `identity: todos: [description]` any other description is another record.
  GitWorld w("todo_db.sdn", base);
  const std::string config = "identity:\n    todos: [description]\n";
  REQUIRE(WriteWholeFile(w.Path("a") + "/.sdndb", config));
  w.Write("a", ours);
  w.Commit("a", "ours");
  w.Write("b", theirs);
  w.Commit("b", "theirs");
  auto m = w.MergeFromB();
  CHECK(m.exit_code != 0);
  CHECK((m.out + m.err).find("names a different record") != std::string::npos);
}

TEST_CASE("case 2: a duplicate id in the base never becomes two rows without a conflict") {
  const std::string base = CorpusFile("18_");
  REQUIRE(CountLinesStartingWith(base, "    119, ") == 2);
  SUBCASE("the duplicated record edited on both sides") {
    Case c("todo_db.sdn", base, Edit(base, "todos", "119", "status", "done", 1),
           Edit(base, "todos", "119", "priority", "P1", 1));
    CHECK(c.merge.exit_code != 0);
    const std::string merged = c.Merged();
    CHECK(merged.find("<<<<<<<") != std::string::npos);
    CHECK((c.merge.out + c.merge.err).find("'119' occurs more than once") != std::string::npos);
  }
  SUBCASE("the duplicated record on one side, another record on the other: merged, as git would") {
    Case c("todo_db.sdn", base, Edit(base, "todos", "119", "status", "done", 1),
           Edit(base, "todos", "5", "priority", "P1"));
    CHECK_MESSAGE(c.merge.exit_code == 0, c.merge.out << c.merge.err);
    const std::string merged = c.Merged();
    CHECK(CountLinesStartingWith(merged, "    119, ") == 2);
    int git_conflicts = -1;
    CHECK(merged == c.w.GitLineMerge(&git_conflicts));
    CHECK(git_conflicts == 0);
    CHECK(DifferentLines(base, merged) == 2);
  }
}

TEST_CASE("case 2: a duplicated id's row changed on one side, the next row on the other: merged record by record") {
  const std::string base = CorpusFile("18_");
  const std::string ours = Edit(base, "todos", "119", "status", "done", 1);
  const std::string theirs = Edit(base, "todos", "120", "priority", "P1");
  REQUIRE(base.find(RowOf(base, "120")) == base.find(LinesOf(base)[122]));  // the line after the second 119
  Case c("todo_db.sdn", base, ours, theirs);
  CHECK_MESSAGE(c.merge.exit_code == 0, c.merge.out << c.merge.err);
  CHECK(c.Merged() == Edit(ours, "todos", "120", "priority", "P1"));
  CHECK(CountLinesStartingWith(c.Merged(), "    119, ") == 2);
  CHECK((c.merge.out + c.merge.err).find("git merge-file") == std::string::npos);  // not handed to git
}

TEST_CASE("case 3: a column dropped, renamed or added by one side is applied, never reverted") {
  const std::string base = CorpusFile("03_");
  const std::string edited5 = Edit(base, "todos", "5", "status", "done");
  SUBCASE("theirs dropped `valid`, ours edited a record") {
    const std::string theirs = DropLastColumn(base);
    REQUIRE(sdndb::sdn::Document::Parse(theirs).ok());
    Case c("todo_db.sdn", base, edited5, theirs);
    CHECK_MESSAGE(c.merge.exit_code == 0, c.merge.out << c.merge.err);
    CHECK(c.Merged() == Edit(theirs, "todos", "5", "status", "done"));
  }
  SUBCASE("ours dropped `valid`, theirs edited a record") {
    const std::string ours = DropLastColumn(base);
    Case c("todo_db.sdn", base, ours, edited5);
    CHECK_MESSAGE(c.merge.exit_code == 0, c.merge.out << c.merge.err);
    CHECK(c.Merged() == Edit(ours, "todos", "5", "status", "done"));
  }
  SUBCASE("theirs renamed `issue` to `ticket`") {
    const std::string theirs = ReplaceOnce(base, "line, issue, blocked", "line, ticket, blocked");
    Case c("todo_db.sdn", base, Edit(edited5, "todos", "7", "issue", "#12"), theirs);
    CHECK_MESSAGE(c.merge.exit_code == 0, c.merge.out << c.merge.err);
    CHECK(c.Merged() == Edit(Edit(theirs, "todos", "5", "status", "done"), "todos", "7", "ticket", "#12"));
  }
  SUBCASE("theirs reordered the columns, ours edited two records") {
    const std::vector<std::string> order = {"id", "status", "priority", "keyword", "area", "description", "file",
                                            "line", "issue", "blocked", "valid"};
    const std::string theirs = Reorder(base, order);
    REQUIRE(theirs.size() > 1000);
    Case c("todo_db.sdn", base, Edit(edited5, "todos", "9", "priority", "P1"), theirs);
    CHECK_MESSAGE(c.merge.exit_code == 0, c.merge.out << c.merge.err);
    CHECK(c.Merged() == Edit(Edit(theirs, "todos", "5", "status", "done"), "todos", "9", "priority", "P1"));
  }
  SUBCASE("theirs dropped `valid`, ours changed a `valid` cell: a conflict, not a silent loss") {
    Case c("todo_db.sdn", base, Edit(base, "todos", "5", "valid", "true"), DropLastColumn(base));
    CHECK(c.merge.exit_code != 0);
    CHECK((c.merge.out + c.merge.err).find("column removed by one side was changed by the other") != std::string::npos);
  }
  SUBCASE("both changed the columns differently: a conflict") {
    const std::string ours = ReplaceOnce(edited5, "line, issue, blocked", "line, ticket, blocked");
    Case c("todo_db.sdn", base, ours, DropLastColumn(Edit(base, "todos", "9", "status", "done")));
    CHECK(c.merge.exit_code != 0);
    CHECK((c.merge.out + c.merge.err).find("columns changed differently on both sides") != std::string::npos);
  }
}

TEST_CASE("case 4: comments added on both sides in different places are both kept") {
  const std::string base = CorpusFile("03_");
  const std::string ours = "# ours: regenerated weekly\n" + Edit(base, "todos", "2", "status", "done");
  const std::string theirs = Edit(base, "todos", "7", "status", "done") + "\n# theirs: reviewed\n";
  Case c("todo_db.sdn", base, ours, theirs);
  CHECK_MESSAGE(c.merge.exit_code == 0, c.merge.out << c.merge.err);
  const std::string merged = c.Merged();
  CHECK(merged.rfind("# ours: regenerated weekly\n", 0) == 0);
  CHECK(merged == "# ours: regenerated weekly\n" + Edit(Edit(base, "todos", "2", "status", "done"), "todos", "7",
                                                          "status", "done") + "\n# theirs: reviewed\n");
  // Same as git here, plus comments in the bug database between its tables.
  int git_conflicts = -1;
  CHECK(merged == c.w.GitLineMerge(&git_conflicts));
  const std::string bugs = CorpusFile("07_");
  Case d("bug_db.sdn", bugs, ReplaceOnce(bugs, "\ntest_cases |", "\n# ours: cases below\ntest_cases |"),
         ReplaceOnce(bugs, "\nfixes |", "\n# theirs: fixes below\nfixes |"));
  CHECK_MESSAGE(d.merge.exit_code == 0, d.merge.out << d.merge.err);
  CHECK(d.Merged().find("# ours: cases below\ntest_cases |") != std::string::npos);
  CHECK(d.Merged().find("# theirs: fixes below\nfixes |") != std::string::npos);
}

TEST_CASE("case 5: a version sdndb cannot parse gets git's line merge and its exit code") {
  const std::string base = CorpusFile("07_");
  const std::string ours = Edit(base, "bugs", "cli_001", "status", "fixed");
  // Theirs adds a broken row at the top of the bugs table (too few cells): the reader keeps it
  // as text and reports it, the merge driver leaves such a version to git's line merge.
  const std::string header = "bugs |id, severity, status, title, file, line, description, reproducible_by|\n";
  const std::string theirs = ReplaceOnce(base, header, header + "    broken_001, P1, open\n");
  auto theirs_doc = sdndb::sdn::Document::Parse(theirs);
  REQUIRE(theirs_doc.ok());
  REQUIRE(theirs_doc.value()->problem_count() == 1);
  Case c("bug_db.sdn", base, ours, theirs);
  CHECK_MESSAGE(c.merge.exit_code == 0, c.merge.out << c.merge.err);
  CHECK((c.merge.out + c.merge.err).find("git merge-file") != std::string::npos);
  CHECK((c.merge.out + c.merge.err).find("their version is not valid SDN") != std::string::npos);
  int git_conflicts = -1;
  CHECK(c.Merged() == c.w.GitLineMerge(&git_conflicts));
  CHECK(git_conflicts == 0);

  // All versions parse: a table changed on one side only is taken from it; the keyless `notes`
  // table changed on both sides (repeated keys) goes to git's line merge. Either way, as git.
  const std::string both_notes_ours = Edit(ours, "notes", "bootstrap_001", "note", "ours' note", 0);
  const std::string both_notes_theirs = Edit(base, "notes", "string_001", "note", "theirs' note", 1);
  Case d("bug_db.sdn", base, both_notes_ours, both_notes_theirs);
  CHECK_MESSAGE(d.merge.exit_code == 0, d.merge.out << d.merge.err);
  CHECK(d.Merged() == d.w.GitLineMerge(&git_conflicts));
  CHECK(git_conflicts == 0);
  CHECK(d.Merged().find("ours' note") != std::string::npos);
  CHECK(d.Merged().find("theirs' note") != std::string::npos);
}

TEST_CASE("case 7: git-setup --check runs the registered driver") {
  GitWorld w("todo_db.sdn", "todos |id, title|\n    1, one\n");
  auto ok = w.Sdndb({"git-setup", "--check"}, "a");
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
  auto use_path = w.Sdndb({"git-setup", "--use-path"}, "a");
  REQUIRE(use_path.exit_code == 0);
  // sdndb is not on this PATH: the driver git would run cannot start.
  auto check = RunProcess({SDNDB_BINARY, "--dir", w.Path("a"), "git-setup", "--check"}, {},
                          {"HOME=" + w.Path(""), "GIT_CONFIG_NOSYSTEM=1", "PATH=/usr/bin:/bin"});
  CHECK(check.exit_code == 1);
  CHECK(check.err.find("trying it on a small merge failed") != std::string::npos);
  CHECK(check.err.find("exit 127") != std::string::npos);
  // With sdndb's folder on PATH it runs.
  std::string bin = SDNDB_BINARY;
  auto on_path = RunProcess({SDNDB_BINARY, "--dir", w.Path("a"), "git-setup", "--check"}, {},
                            {"HOME=" + w.Path(""), "GIT_CONFIG_NOSYSTEM=1",
                             "PATH=" + bin.substr(0, bin.rfind('/')) + ":/usr/bin:/bin"});
  CHECK_MESSAGE(on_path.exit_code == 0, on_path.err);
  // A driver command that runs but does not merge.
  w.Git("a", {"config", "merge.sdndb.driver", "true merge-driver %O %A %B %P"});
  auto fake = w.Sdndb({"git-setup", "--check"}, "a");
  CHECK(fake.exit_code == 1);
  CHECK(fake.err.find("trying it on a small merge failed") != std::string::npos);
}

TEST_CASE("case 8: resolve --ours after ours edited / theirs deleted keeps the record in place, spelled as it was") {
  const std::string base = CorpusFile("03_");
  const std::string ours = Edit(base, "todos", "4", "status", "done");
  const std::string theirs = ReplaceOnce(base, RowOf(base, "4") + "\n", "");
  for (const char* choice : {"--ours", "--theirs"}) {
    Case c("todo_db.sdn", base, ours, theirs);
    CHECK(c.merge.exit_code != 0);
    auto conflicts = c.w.Conflicts("a");
    REQUIRE(conflicts.size() == 1);
    CHECK(conflicts[0]["field"] == "*");
    CHECK(conflicts[0]["theirs"] == "<deleted>");
    CHECK(c.Merged().find(RowOf(ours, "4")) != std::string::npos);
    c.w.Ok({"resolve", "todo:" + conflicts[0]["id"].get<std::string>(), choice}, "a");
    CHECK(c.Merged() == (std::string(choice) == "--ours" ? ours : theirs));
  }
}

TEST_CASE("case 9 and done: lock files stay out of git status; after set-up, edits, a merge and a resolve only the database shows") {
  GitWorld w("todo_db.sdn", "todos |id, title, status|\n    1, one, open\n    2, two, open\n");
  CHECK(w.Git("a", {"status", "--porcelain"}).out.empty());
  CHECK(ReadWholeFile(w.Path("a") + "/.git/info/exclude").find("*.sdndb-lock\n") != std::string::npos);
  CHECK(ReadWholeFile(w.Path("a") + "/.git/info/exclude").find("*.sdn.lock\n") != std::string::npos);
  w.Ok({"edit", "todo", "1", "status=done"}, "a");
  REQUIRE(FileExists(w.Path("a") + "/todo_db.sdn.sdndb-lock"));
  CHECK(w.Git("a", {"status", "--porcelain"}).out == " M todo_db.sdn\n");
  w.Commit("a", "a: 1 done");
  w.Ok({"edit", "todo", "1", "status=blocked"}, "b");
  w.Ok({"edit", "todo", "2", "title=TWO"}, "b");
  w.Commit("b", "b");
  auto m = w.MergeFromB();
  CHECK(m.exit_code != 0);
  auto conflicts = w.Conflicts("a");
  REQUIRE(conflicts.size() == 1);
  w.Ok({"resolve", "todo:" + conflicts[0]["id"].get<std::string>(), "--ours"}, "a");
  CHECK(w.Git("a", {"status", "--porcelain"}).out == "UU todo_db.sdn\n");
  w.Git("a", {"add", "-A"});
  CHECK(w.Git("a", {"diff", "--cached", "--name-only"}).out == "todo_db.sdn\n");
  w.Git("a", {"commit", "-q", "--no-edit"});
  CHECK(w.Git("a", {"status", "--porcelain", "--ignored"}).out.find("todo_db.sdn.sdndb-lock") != std::string::npos);
  CHECK(w.Git("a", {"status", "--porcelain"}).out.empty());
  CHECK(w.Git("a", {"ls-files"}).out == ".gitattributes\ntodo_db.sdn\n");

  // `sdndb init` inside a work tree does the same.
  w.Git("", {"init", "-q", w.Path("c")});
  auto init = w.Sdndb({"init", w.Path("c") + "/db"}, "c");
  CHECK_MESSAGE(init.exit_code == 0, init.err);
  CHECK(ReadWholeFile(w.Path("c") + "/.git/info/exclude").find("*.sdndb-lock\n") != std::string::npos);
  w.Ok({"edit", "todo", "1", "status=done"}, "c/db");
  CHECK(w.Git("c", {"status", "--porcelain", "--untracked-files=all"}).out.find("sdndb-lock") == std::string::npos);

  // Any sdndb write inside a work tree, without git-setup or init.
  w.Git("", {"init", "-q", w.Path("d")});
  REQUIRE(RunProcess({"/bin/mkdir", "-p", w.Path("d") + "/sub"}).exit_code == 0);
  REQUIRE(WriteWholeFile(w.Path("d") + "/sub/todo_db.sdn", "todos |id, title|\n    1, one\n"));
  w.Git("d", {"add", "sub/todo_db.sdn"});
  w.Git("d", {"commit", "-q", "-m", "db"});
  w.Ok({"edit", "todo", "1", "title=uno"}, "d/sub");
  REQUIRE(FileExists(w.Path("d") + "/sub/todo_db.sdn.sdndb-lock"));
  CHECK(w.Git("d", {"status", "--porcelain", "--untracked-files=all"}).out == " M sub/todo_db.sdn\n");
}
