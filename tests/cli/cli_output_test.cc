// The CLI's output on the rough edges of real files: exit codes of unreadable files, error
// positions that name an openable path, check's diagnostics, multi-line values in show, long
// cells and double-width characters in list, typed JSON. Real binary, real files.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/sdn/json.h"
#include "server/cli/table_format.h"
#include "tests/cli/run_process.h"
#include "tests/support/io_test_util.h"

using namespace sdndb::testing;
using nlohmann::json;
using sdndb::cli::DisplayWidth;

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The display column where `needle` starts in `line` (UTF-8 aware).
size_t ColumnOf(const std::string& line, const std::string& needle) {
  const size_t at = line.find(needle);
  REQUIRE_MESSAGE(at != std::string::npos, needle << " not in: " << line);
  return DisplayWidth(line.substr(0, at));
}

}  // namespace

TEST_CASE("a file that cannot be read exits 4 (I/O), as --help says; a usage error 1") {
  TempDir dir;
  for (const char* cmd : {"fmt", "to-json", "check"}) {
    CAPTURE(cmd);
    auto missing = Sdndb({cmd, dir.Join("absent_db.sdn")});
    CHECK(missing.exit_code == 4);
    CHECK((missing.err + missing.out).find("absent_db.sdn") != std::string::npos);
    CHECK(Sdndb({cmd, dir.path()}).exit_code == 4);  // a folder: I/O error too
  }
  auto no_dir = Sdndb({"--dir", dir.Join("nope"), "list", "todo"});
  CHECK(no_dir.exit_code == 4);
  CHECK(no_dir.err.find("folder not found") != std::string::npos);
  CHECK(Sdndb({"list"}).exit_code == 1);
  CHECK(Sdndb({"--help"}).out.find("4 I/O error") != std::string::npos);
}

TEST_CASE("with --dir, an error position names a path the user can open") {
  TempDir dir;
  dir.Write("bug_db.sdn", "bugs |id, title|\n    1, \"unterminated\n");
  // Run from the temp folder's parent with a relative --dir: the message names parent/bug_db.sdn.
  const std::string parent = dir.path().substr(0, dir.path().rfind('/'));
  const std::string leaf = dir.path().substr(dir.path().rfind('/') + 1);
  auto r = RunProcess({"/bin/sh", "-c", "cd '" + parent + "' && '" SDNDB_BINARY "' --dir '" + leaf + "' list bug"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("sdndb list: " + leaf + "/bug_db.sdn:2:8: ") != std::string::npos);
  // From elsewhere: the absolute path.
  auto abs = RunProcess({"/bin/sh", "-c", "cd / && '" SDNDB_BINARY "' --dir '" + dir.path() + "' show bug 1"});
  CHECK(abs.exit_code == 1);
  CHECK(abs.err.find(dir.path() + "/bug_db.sdn:2:8: ") != std::string::npos);
  // JSON errors too.
  auto js = Sdndb({"--dir", dir.path(), "--json", "list", "bug"});
  CHECK(json::parse(js.err)["error"]["message"].get<std::string>().find("/bug_db.sdn:2:8:") != std::string::npos);
}

TEST_CASE("check prints errors and warnings alike to stdout, as file:line:col: severity: message") {
  TempDir dir;
  const std::string bad = dir.Write("bad_db.sdn", "t |a, b|\n    1, 2\n    3, \"open\n");
  const std::string lenient = dir.Write("lenient_db.sdn", "t |a, b|\n    1, some text (with parens)\n");
  auto r = Sdndb({"check", bad, lenient});
  CHECK(r.exit_code == 1);
  CHECK(r.err.empty());
  CHECK(r.out.find(bad + ":3:8: error: ") != std::string::npos);
  CHECK(r.out.find(lenient + ":2:") != std::string::npos);
  CHECK(r.out.find(": warning: ") != std::string::npos);
  CHECK(r.out.find("1 of 2 files with errors") != std::string::npos);
  auto ok = Sdndb({"check", lenient});
  CHECK(ok.exit_code == 0);
  CHECK(ok.err.empty());
  CHECK(ok.out.find(": warning: ") != std::string::npos);
  CHECK(ok.out.find("1 file ok") != std::string::npos);
  auto strict = Sdndb({"check", "--strict", lenient});
  CHECK(strict.exit_code == 1);
  CHECK(strict.out.find(": error: ") != std::string::npos);
}

TEST_CASE("show keeps two columns for multi-line values: continuation lines are indented") {
  TempDir dir;
  dir.Write("note_db.sdn", "notes |id, text, owner|\n    1, \"first line\\nsecond line\\r\\nthird\", ana\n");
  auto r = Sdndb({"--dir", dir.path(), "show", "note", "1"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::vector<std::string> lines = Lines(r.out);
  REQUIRE(lines.size() >= 5);
  CHECK(lines[1].rfind("text", 0) == 0);
  const size_t value_column = ColumnOf(lines[1], "first line");
  CHECK(lines[2] == std::string(value_column, ' ') + "second line");
  CHECK(lines[3] == std::string(value_column, ' ') + "third");
  CHECK(lines[4].rfind("owner", 0) == 0);
  CHECK(ColumnOf(lines[4], "ana") == value_column);
}

TEST_CASE("list cuts long cells the same way on a terminal or not; --wide prints them whole") {
  TempDir dir;
  const std::string note(4500, 'n');
  dir.Write("todo_db.sdn", "todos |id, note, status|\n    1, \"" + note + "\", open\n    2, short, done\n");
  auto r = Sdndb({"--dir", dir.path(), "list", "todo"});  // stdout is a pipe here
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  for (const std::string& line : Lines(r.out)) CHECK(DisplayWidth(line) <= 2 * 60 + 20);
  CHECK(r.out.find(std::string(59, 'n') + "…") != std::string::npos);
  CHECK(r.out.find(std::string(60, 'n')) == std::string::npos);
  auto wide = Sdndb({"--dir", dir.path(), "list", "todo", "--wide"});
  REQUIRE(wide.exit_code == 0);
  CHECK(wide.out.find(note + "  open") != std::string::npos);
  // A terminal width (COLUMNS) shrinks the table further, still with the same cut marker.
  auto narrow = Sdndb({"--dir", dir.path(), "list", "todo"}, {"COLUMNS=40"});
  REQUIRE(narrow.exit_code == 0);
  for (const std::string& line : Lines(narrow.out))
    if (line.find(" of ") == std::string::npos) CHECK(DisplayWidth(line) <= 40);
}

TEST_CASE("list aligns columns holding double-width characters and emoji") {
  TempDir dir;
  dir.Write("todo_db.sdn",
            "todos |id, title, status|\n"
            "    1, \"漢字のタイトル\", open\n"
            "    2, \"✅ done 🎉\", closed\n"
            "    3, plain ascii title, open\n"
            "    4, \"café ñ\", open\n");
  auto r = Sdndb({"--dir", dir.path(), "list", "todo"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::vector<std::string> lines = Lines(r.out);
  REQUIRE(lines.size() >= 5);
  const size_t status_column = ColumnOf(lines[0], "status");
  CHECK(ColumnOf(lines[1], "open") == status_column);
  CHECK(ColumnOf(lines[2], "closed") == status_column);
  CHECK(ColumnOf(lines[3], "open") == status_column);
  CHECK(ColumnOf(lines[4], "open") == status_column);
}

TEST_CASE("display width: wide, combining and emoji characters; Fit never splits one") {
  CHECK(DisplayWidth("abc") == 3);
  CHECK(DisplayWidth("漢字") == 4);
  CHECK(DisplayWidth("ｆｕｌｌ") == 8);
  CHECK(DisplayWidth("🎉") == 2);
  CHECK(DisplayWidth("e\xCC\x81") == 1);  // e + combining acute
  CHECK(DisplayWidth("⚠\xEF\xB8\x8F") == 1);
  CHECK(sdndb::cli::Fit("漢字漢字", 5) == "漢字…");
  CHECK(sdndb::cli::Fit("a\nb", 10) == "a⏎b");
  CHECK(sdndb::cli::Fit("abcdef", 4) == "abc…");
}

TEST_CASE("list --json and show --json: strings as stored by default, typed with --typed") {
  TempDir dir;
  dir.Write("todo_db.sdn",
            "todos |id, line, done, ratio, code, note|\n"
            "    7, 42, true, 0.5, 007, \"12 apples\"\n");
  auto plain = Sdndb({"--dir", dir.path(), "--json", "list", "todo"});
  REQUIRE_MESSAGE(plain.exit_code == 0, plain.err);
  json p = json::parse(plain.out)[0]["fields"];
  CHECK(p["line"] == "42");  // the documented default: the text of the cell, as the protocol
  CHECK(p["done"] == "true");
  auto typed = Sdndb({"--dir", dir.path(), "--json", "list", "todo", "--typed"});
  REQUIRE_MESSAGE(typed.exit_code == 0, typed.err);
  json t = json::parse(typed.out)[0]["fields"];
  CHECK(t["id"] == 7);
  CHECK(t["line"] == 42);
  CHECK(t["done"] == true);
  CHECK(t["ratio"] == 0.5);
  CHECK(t["code"] == "007");  // leading zero: not a number, kept as text
  CHECK(t["note"] == "12 apples");
  // The same types as to-json gives for these cells.
  json doc = json::parse(Sdndb({"to-json", dir.Join("todo_db.sdn")}).out);
  CHECK(doc["todos"][0]["line"] == t["line"]);
  CHECK(doc["todos"][0]["done"] == t["done"]);
  CHECK(doc["todos"][0]["ratio"] == t["ratio"]);
  auto show = Sdndb({"--dir", dir.path(), "--json", "show", "todo", "7", "--typed"});
  REQUIRE(show.exit_code == 0);
  CHECK(json::parse(show.out)["fields"]["line"] == 42);
}

TEST_CASE("conflicts of an unknown database names the folder's databases, like every other command") {
  TempDir dir;
  REQUIRE(sdndb::testing::WriteWholeFile(dir.Join("todo_db.sdn"), "todos |id, status|\n    1, open\n"));
  auto r = Sdndb({"--dir", dir.path(), "conflicts", "nosuch"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("unknown database 'nosuch'") != std::string::npos);
  CHECK(r.err.find("(databases: todo)") != std::string::npos);
}

TEST_CASE("JSON output carries invalid UTF-8 as the byte escape: strict decoders accept it, decoding gives the bytes") {
  TempDir dir;
  const std::string text =
      "todos |id, title, n|\n"
      "    1, caf\xFF bar, 5\n"
      "    k\x80, \"q \xC3\", 6\n";
  dir.Write("todo_db.sdn", text);
  // json::parse is strict (invalid UTF-8 and lone surrogates throw); DecodeByteEscapes maps back.
  auto decoded = [](const sdndb::testing::ProcessResult& r) {
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    nlohmann::ordered_json j;
    REQUIRE_NOTHROW(j = nlohmann::ordered_json::parse(r.out));
    CHECK(r.out.find("\xF4\x8F\xBF\xBF") != std::string::npos);  // 0xFF as U+10FFFF, raw UTF-8
    sdndb::sdn::DecodeByteEscapes(&j);
    return j;
  };
  auto doc = decoded(Sdndb({"to-json", dir.Join("todo_db.sdn")}));
  CHECK(doc["todos"][0]["title"] == "caf\xFF bar");
  CHECK(doc["todos"][1]["id"] == "k\x80");
  CHECK(doc["todos"][1]["title"] == "q \xC3");
  auto list = decoded(Sdndb({"--dir", dir.path(), "--json", "list", "todo"}));
  CHECK(list[0]["fields"]["title"] == "caf\xFF bar");
  CHECK(list[1]["id"] == "k\x80");
  auto typed = decoded(Sdndb({"--dir", dir.path(), "--json", "list", "todo", "--typed"}));
  CHECK(typed[0]["fields"]["title"] == "caf\xFF bar");
  CHECK(typed[0]["fields"]["n"] == 5);
  CHECK(decoded(Sdndb({"--dir", dir.path(), "--json", "show", "todo", "1"}))["fields"]["title"] == "caf\xFF bar");
  CHECK(dir.Read("todo_db.sdn") == text);  // reads change nothing

  // The only JSON the CLI reads is a whole-record conflict's side stored in the file: a stale edit
  // of a deleted record keeps the bytes there, and resolve --ours restores them.
  auto shown = decoded(Sdndb({"--dir", dir.path(), "--json", "show", "todo", "1"}));
  const std::string etag = shown["etag"];
  REQUIRE(Sdndb({"--dir", dir.path(), "delete", "todo", "1"}).exit_code == 0);
  auto stale = Sdndb({"--dir", dir.path(), "edit", "todo", "1", "title=new\xFF\xFE", "--expect", etag});
  CHECK(stale.exit_code == 2);
  CHECK(dir.Read("todo_db.sdn").find("\xEF\xBF\xBD") == std::string::npos);  // stored escaped, not replaced
  auto conflicts = decoded(Sdndb({"--dir", dir.path(), "--json", "conflicts"}));
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0]["oursFields"]["title"] == "new\xFF\xFE");
  auto resolved = Sdndb({"--dir", dir.path(), "resolve", "todo:c1", "--ours"});
  CHECK_MESSAGE(resolved.exit_code == 0, resolved.err);
  CHECK(dir.Read("todo_db.sdn").find("\"1\", \"new\xFF\xFE\", \"\"\n") != std::string::npos);
}
