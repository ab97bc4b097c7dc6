// The record-level three-way merge (server/git/merge_driver.h), in process: rules, minimal
// diffs, conflicts in the Store's format, other tables and comments, and a property test that
// no record is ever dropped.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <set>

#include "core/db/hlc.h"
#include "core/db/store.h"
#include "core/io/crc32.h"
#include "core/sdn/document.h"
#include "server/git/git_process.h"
#include "server/git/merge_driver.h"
#include "tests/support/io_test_util.h"

using sdndb::Conflict;
using sdndb::HybridClock;
using sdndb::git::MergeDatabases;
using sdndb::git::MergeOptions;
using sdndb::git::MergeReport;

namespace {

// A fixed clock: merges are deterministic in tests.
HybridClock& TestClock() {
  static HybridClock clock([] { return int64_t{1800000000000}; });
  return clock;
}

MergeReport Merge(const std::string& b, const std::string& o, const std::string& t, bool expect_ok = true) {
  MergeOptions opt;
  opt.database = "todo";
  opt.writer = "tester";
  opt.clock = &TestClock();
  opt.line_merge = [](const std::string& lb, const std::string& lo, const std::string& lt) {
    return sdndb::git::GitMergeFile(lb, lo, lt);
  };
  auto r = MergeDatabases({b, "base"}, {o, "ours"}, {t, "theirs"}, opt);
  if (expect_ok) REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return r.ok() ? r.value() : MergeReport{};
}

const char* kHeader = "todos |id, title, status, version, modified|\n";
std::string Row(const std::string& id, const std::string& title, const std::string& status, int v,
                const std::string& mod = "2026-01-01T00:00:00.000Z") {
  return "    " + id + ", \"" + title + "\", " + status + ", " + std::to_string(v) + ", \"" + mod + "\"\n";
}

std::string Base() {
  return std::string(kHeader) + Row("1", "one", "open", 1) + Row("2", "two", "open", 1) + Row("3", "three", "open", 1);
}

struct Parsed {
  std::unique_ptr<sdndb::sdn::Document> doc;
  const sdndb::sdn::Table* todos = nullptr;
  std::vector<Conflict> conflicts;
  std::string Get(const std::string& id, const std::string& col) const {
    int r = todos->FindRow(id, 0);
    if (r < 0) return "<absent>";
    int c = todos->ColumnIndex(col);
    return c < 0 ? "<nocol>" : todos->Cell(static_cast<size_t>(r), static_cast<size_t>(c));
  }
};

Parsed ParseOut(const std::string& text) {
  auto d = sdndb::sdn::Document::Parse(text);
  REQUIRE_MESSAGE(d.ok(), d.status().ToString() << "\n" << text);
  Parsed p;
  p.doc = std::move(d.value());
  p.todos = p.doc->FindTable("todos");
  if (const auto* ct = p.doc->FindTable("conflicts")) {
    for (size_t r = 0; r < ct->row_count(); ++r) {
      auto cell = [&](const char* n) { return ct->Cell(r, static_cast<size_t>(ct->ColumnIndex(n))); };
      p.conflicts.push_back({cell("id"), cell("record"), cell("field"), cell("base"), cell("ours"), cell("theirs"),
                             cell("who"), cell("when")});
    }
  }
  return p;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("different records changed on both sides merge cleanly, ours' lines untouched") {
  std::string b = Base();
  std::string o = Replace(b, Row("1", "one", "open", 1), Row("1", "one", "done", 2, "2026-02-01T00:00:00.000Z"));
  std::string t = Replace(b, Row("3", "three", "open", 1), Row("3", "three", "wip", 2, "2026-03-01T00:00:00.000Z"));
  MergeReport r = Merge(b, o, t);
  CHECK(r.clean());
  CHECK(r.text == Replace(o, Row("3", "three", "open", 1), Row("3", "three", "wip", 2, "2026-03-01T00:00:00.000Z")));
}

TEST_CASE("trivial merges return one side exactly") {
  std::string b = Base();
  std::string o = Replace(b, "\"one\"", "\"uno\"");
  CHECK(Merge(b, o, b).text == o);
  CHECK(Merge(b, b, o).text == o);
  CHECK(Merge(b, o, o).text == o);
}

TEST_CASE("same field changed differently: a conflict row in the Store's format, the record holds theirs") {
  std::string b = Base();
  std::string o = Replace(b, Row("2", "two", "open", 1), Row("2", "two", "done", 2, "2026-02-01T00:00:00.000Z"));
  std::string t = Replace(b, Row("2", "two", "open", 1), Row("2", "TWO", "wip", 3, "2026-02-02T00:00:00.000Z"));
  MergeReport r = Merge(b, o, t);
  CHECK_FALSE(r.clean());
  REQUIRE(r.conflicts.size() == 1);
  Parsed p = ParseOut(r.text);
  CHECK(p.Get("2", "status") == "wip");
  CHECK(p.Get("2", "title") == "TWO");  // one-sided change of another field merges
  CHECK(p.Get("2", "version") == "4");  // max(2, 3) + 1
  CHECK(p.Get("2", "modified") > "2026-02-02T00:00:00.000Z");
  REQUIRE(p.conflicts.size() == 1);
  const Conflict& c = p.conflicts[0];
  CHECK(c.id == "c1");
  CHECK(c.record == "2");
  CHECK(c.field == "status");
  CHECK(c.base == "open");
  CHECK(c.ours == "done");
  CHECK(c.theirs == "wip");
  CHECK(c.who == "tester");
  // Rows 1 and 3 and the header are byte-identical.
  CHECK(r.text.rfind(std::string(kHeader) + Row("1", "one", "open", 1), 0) == 0);
  CHECK(r.text.find(Row("3", "three", "open", 1)) != std::string::npos);
  CHECK(r.text.find("\nconflicts |id, record, field, base, ours, theirs, who, when|\n") != std::string::npos);
}

TEST_CASE("the merged conflict resolves with the Store (ours and theirs)") {
  std::string b = Base();
  std::string o = Replace(b, Row("2", "two", "open", 1), Row("2", "two", "done", 2));
  std::string t = Replace(b, Row("2", "two", "open", 1), Row("2", "two", "wip", 2));
  std::string merged = Merge(b, o, t).text;
  for (auto choice : {sdndb::Resolution::kOurs, sdndb::Resolution::kTheirs}) {
    sdndb::testing::TempDir dir;
    std::string path = dir.Write("todo_db.sdn", merged);
    auto store = sdndb::Store::Open(path);
    REQUIRE(store.ok());
    auto snap = store.value()->Read();
    REQUIRE(snap.ok());
    REQUIRE(snap->conflicts.size() == 1);
    auto res = store.value()->Resolve("c1", choice);
    REQUIRE(res.ok());
    REQUIRE(res->has_value());
    CHECK(*res->value().Get("status") == (choice == sdndb::Resolution::kOurs ? "done" : "wip"));
    CHECK(store.value()->Read()->conflicts.empty());
  }
}

TEST_CASE("one-sided change takes that side's version and modified") {
  std::string b = Base();
  std::string o = Replace(b, Row("1", "one", "open", 1), Row("1", "one", "done", 2, "2026-02-01T00:00:00.000Z"));
  std::string t = Replace(b, Row("2", "two", "open", 1), Row("2", "two", "done", 7, "2026-05-01T00:00:00.000Z"));
  Parsed p = ParseOut(Merge(b, o, t).text);
  CHECK(p.Get("1", "version") == "2");
  CHECK(p.Get("2", "version") == "7");
  CHECK(p.Get("2", "modified") == "2026-05-01T00:00:00.000Z");
}

TEST_CASE("the same change on both sides is clean (max version and modified)") {
  std::string b = Base();
  std::string o = Replace(b, Row("1", "one", "open", 1), Row("1", "one", "done", 2, "2026-02-01T00:00:00.000Z"));
  std::string t = Replace(b, Row("1", "one", "open", 1), Row("1", "one", "done", 3, "2026-02-03T00:00:00.000Z"));
  t = Replace(t, Row("3", "three", "open", 1), Row("3", "three", "x", 2));
  MergeReport r = Merge(b, o, t);
  CHECK(r.clean());
  Parsed p = ParseOut(r.text);
  CHECK(p.Get("1", "version") == "3");
  CHECK(p.Get("1", "modified") == "2026-02-03T00:00:00.000Z");
}

TEST_CASE("records added on both sides: different ids both kept (theirs at the end), same id merges") {
  std::string b = Base();
  std::string o = b + Row("4", "ours new", "open", 1);
  std::string t = b + Row("5", "theirs new", "open", 1);
  MergeReport r = Merge(b, o, t);
  CHECK(r.clean());
  CHECK(r.text == o + Row("5", "theirs new", "open", 1));

  SUBCASE("no common ancestor (git passes an empty base)") {
    MergeReport nb = Merge("", o, t);
    CHECK(nb.clean());
    CHECK(ParseOut(nb.text).todos->row_count() == 5);
  }
  SUBCASE("same id, same content") {
    MergeReport same = Merge(b, o, b + Row("4", "ours new", "open", 1));
    CHECK(same.clean());
    CHECK(same.text == o);
  }
  SUBCASE("same id, different content: conflicts without a base (the cell is null, not \"\")") {
    MergeReport diff = Merge(b, o, b + Row("4", "theirs new", "wip", 1));
    REQUIRE(diff.conflicts.size() == 2);
    CHECK_FALSE(diff.conflicts[0].base_known);
    CHECK(diff.conflicts[0].base == "");
    Parsed p = ParseOut(diff.text);
    CHECK(p.Get("4", "title") == "theirs new");
    REQUIRE(p.conflicts.size() == 2);
    CHECK(p.conflicts[0].base == "null");  // the raw cell: SDN null
    CHECK(p.conflicts[0].ours == "ours new");
    CHECK(p.conflicts[1].ours == "open");
    CHECK(p.todos->row_count() == 4);
  }
}

TEST_CASE("delete vs edit: whole-record conflicts as the Store records them") {
  std::string b = Base();
  std::string deleted = Replace(b, Row("2", "two", "open", 1), "");
  std::string edited = Replace(b, Row("2", "two", "open", 1), Row("2", "two", "done", 2));

  SUBCASE("ours deleted, theirs edited: the record stays with theirs' content") {
    MergeReport r = Merge(b, deleted, edited);
    Parsed p = ParseOut(r.text);
    CHECK(p.Get("2", "status") == "done");
    REQUIRE(p.conflicts.size() == 1);
    CHECK(p.conflicts[0].field == "*");
    CHECK(p.conflicts[0].ours == "<deleted>");
    CHECK(p.conflicts[0].theirs == R"({"id":"2","title":"two","status":"done"})");
    // Resolving --ours deletes it, as the engine would.
    sdndb::testing::TempDir dir;
    auto store = sdndb::Store::Open(dir.Write("todo_db.sdn", r.text));
    REQUIRE(store.ok());
    REQUIRE(store.value()->Resolve("c1", sdndb::Resolution::kOurs).ok());
    CHECK(store.value()->Read()->Find("2") == nullptr);
  }
  SUBCASE("ours edited, theirs deleted: the record stays in place until resolved; --ours keeps it as it was") {
    MergeReport r = Merge(b, edited, deleted);
    CHECK(r.text.find(Row("1", "one", "open", 1) + Row("2", "two", "done", 2) + Row("3", "three", "open", 1)) !=
          std::string::npos);
    Parsed p = ParseOut(r.text);
    CHECK(p.Get("2", "status") == "done");
    REQUIRE(p.conflicts.size() == 1);
    CHECK(p.conflicts[0].ours == R"({"id":"2","title":"two","status":"done"})");
    CHECK(p.conflicts[0].theirs == "<deleted>");
    sdndb::testing::TempDir dir;
    auto store = sdndb::Store::Open(dir.Write("todo_db.sdn", r.text));
    REQUIRE(store.ok());
    REQUIRE(store.value()->Resolve("c1", sdndb::Resolution::kOurs).ok());
    const auto snap = store.value()->Read();
    REQUIRE(snap->Find("2") != nullptr);
    CHECK(*snap->Find("2")->Get("status") == "done");
    // Position and spellings kept: only the conflicts table went away.
    CHECK(dir.Read("todo_db.sdn") == edited);
    // --theirs deletes it.
    sdndb::testing::TempDir dir2;
    auto store2 = sdndb::Store::Open(dir2.Write("todo_db.sdn", r.text));
    REQUIRE(store2.ok());
    REQUIRE(store2.value()->Resolve("c1", sdndb::Resolution::kTheirs).ok());
    CHECK(dir2.Read("todo_db.sdn") == deleted);
  }
  SUBCASE("a delete of an unchanged record is clean") {
    CHECK(Merge(b, deleted, Replace(b, Row("3", "three", "open", 1), Row("3", "three", "x", 2))).clean());
    MergeReport r = Merge(b, Replace(b, Row("3", "three", "open", 1), Row("3", "three", "x", 2)), deleted);
    CHECK(r.clean());
    CHECK(ParseOut(r.text).Get("2", "id") == "<absent>");
  }
}

TEST_CASE("existing conflicts: union, clashing ids renumbered, resolved ones stay resolved") {
  const std::string ch = "\nconflicts |id, record, field, base, ours, theirs, who, when|\n";
  auto crow = [](const std::string& id, const std::string& rec, const std::string& ours) {
    return "    " + id + ", " + rec + ", status, open, " + ours + ", x, someone, \"2026-01-01T00:00:00.000Z\"\n";
  };
  std::string b = Base() + ch + crow("c1", "1", "a");
  std::string o = Base() + ch + crow("c1", "1", "a") + crow("c2", "2", "b");  // ours added c2
  std::string t = Base() + ch + crow("c2", "3", "c");  // theirs resolved c1, added its own c2
  MergeReport r = Merge(b, o, t);
  Parsed p = ParseOut(r.text);
  REQUIRE(p.conflicts.size() == 2);
  CHECK(p.conflicts[0].id == "c2");
  CHECK(p.conflicts[0].record == "2");
  CHECK(p.conflicts[1].id == "c3");
  CHECK(p.conflicts[1].record == "3");
  CHECK(r.clean());  // merging existing conflicts records no new one
}

TEST_CASE("comments, settings and other tables survive; strings merge by key") {
  std::string b =
      "# project tracker\n"
      "name: \"demo\"\n\n" +
      std::string(kHeader) + Row("1", "one", "open", 1) + "    # a comment between rows\n" + Row("2", "two", "open", 1) +
      "\nstrings |id, text|\n    s1, alpha\n    s2, beta\n";
  std::string o = Replace(Replace(b, Row("1", "one", "open", 1), Row("1", "one", "done", 2)), "s1, alpha", "s1, ALPHA");
  std::string t = Replace(b, "    s2, beta\n", "    s2, beta\n    s3, gamma\n");
  t = Replace(t, Row("2", "two", "open", 1), Row("2", "two", "wip", 2));
  MergeReport r = Merge(b, o, t);
  CHECK(r.clean());
  CHECK(r.text == Replace(Replace(o, Row("2", "two", "open", 1), Row("2", "two", "wip", 2)), "    s2, beta\n",
                          "    s2, beta\n    s3, gamma\n"));

  SUBCASE("text outside tables changed by theirs only: kept (the merge starts from theirs)") {
    std::string t2 = Replace(t, "# project tracker", "# project tracker (renamed)");
    MergeReport r2 = Merge(b, o, t2);
    CHECK(r2.clean());
    CHECK(r2.text.find("(renamed)") != std::string::npos);
    Parsed p = ParseOut(r2.text);
    CHECK(p.Get("1", "status") == "done");
    CHECK(p.Get("2", "status") == "wip");
    CHECK(r2.text.find("s1, ALPHA") != std::string::npos);
    CHECK(r2.text.find("s3, gamma") != std::string::npos);
  }
  SUBCASE("text outside tables changed on both sides, in different places: both kept") {
    std::string o2 = Replace(o, "# project tracker", "# project tracker (ours)");
    std::string t2 = t + "# theirs' note at the end\n";
    MergeReport r2 = Merge(b, o2, t2);
    CHECK(r2.clean());
    CHECK_FALSE(r2.line_merged());
    CHECK(r2.text.find("# project tracker (ours)\n") == 0);
    CHECK(r2.text.find("# theirs' note at the end\n") == r2.text.size() - std::string("# theirs' note at the end\n").size());
    Parsed p = ParseOut(r2.text);
    CHECK(p.Get("1", "status") == "done");
    CHECK(p.Get("2", "status") == "wip");
  }
  SUBCASE("text outside tables changed on both sides in the same place: git's line merge of the file") {
    std::string o2 = Replace(o, "name: \"demo\"", "name: \"ours\"");
    std::string t2 = Replace(t, "name: \"demo\"", "name: \"theirs\"");
    MergeReport r2 = Merge(b, o2, t2);
    CHECK_FALSE(r2.clean());
    CHECK(r2.line_merged());
    CHECK(r2.line_conflicts >= 1);
    CHECK(r2.text.find("<<<<<<<") != std::string::npos);
    CHECK(r2.text == sdndb::git::GitMergeFile(b, o2, t2).value().text);
  }
  SUBCASE("a strings row changed on both sides: no conflict row exists for it, so git's line merge") {
    std::string t2 = Replace(t, "s1, alpha", "s1, Alpha");
    MergeReport r2 = Merge(b, o, t2);
    CHECK(r2.line_merged());
    CHECK(r2.line_merge_reason.find("'s1'") != std::string::npos);
    CHECK(r2.line_conflicts >= 1);
  }
}

TEST_CASE("a side without version/modified columns, and a column added by one side") {
  std::string b = "todos |id, title, status|\n    1, one, open\n    2, two, open\n";
  std::string o = "todos |id, title, status|\n    1, one, done\n    2, two, open\n";
  std::string t =
      "todos |id, title, status, version, modified|\n    1, one, open, 0, \"\"\n    2, two, wip, 1, "
      "\"2026-04-01T00:00:00.000Z\"\n";
  MergeReport r = Merge(b, o, t);
  CHECK(r.clean());
  Parsed p = ParseOut(r.text);
  CHECK(p.Get("1", "status") == "done");
  CHECK(p.Get("2", "status") == "wip");
  CHECK(p.Get("2", "version") == "1");
  CHECK(p.Get("2", "modified") == "2026-04-01T00:00:00.000Z");

  std::string t2 = "todos |id, title, status, owner|\n    1, one, open, ann\n    2, two, open, bob\n";
  Parsed p2 = ParseOut(Merge(b, o, t2).text);
  CHECK(p2.Get("1", "status") == "done");
  CHECK(p2.Get("1", "owner") == "ann");
  CHECK(p2.Get("2", "owner") == "bob");
}

TEST_CASE("an input that does not parse: git's line merge of the file, the reason names file:line:col") {
  std::string b = Base();
  std::string bad = std::string(kHeader) + "    1, \"unterminated, open, 1, x\n";
  REQUIRE_FALSE(sdndb::sdn::Document::Parse(bad).ok());
  MergeOptions opt;
  opt.database = "todo";
  std::string o = Replace(b, Row("3", "three", "open", 1), Row("3", "three", "x", 2));
  // Without a line merge: an error naming the broken version, then where.
  auto r = MergeDatabases({b, "base"}, {o, "ours"}, {bad, "todo_db.sdn"}, opt);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().rfind("their version is not valid SDN: todo_db.sdn:2:", 0) == 0);
  // With git's line merge: its result and its conflict count.
  opt.line_merge = [](const std::string& lb, const std::string& lo, const std::string& lt) {
    return sdndb::git::GitMergeFile(lb, lo, lt);
  };
  auto lm = MergeDatabases({b, "base"}, {o, "ours"}, {bad, "todo_db.sdn"}, opt);
  REQUIRE(lm.ok());
  CHECK(lm->line_merged());
  CHECK(lm->line_merge_reason.rfind("their version is not valid SDN: todo_db.sdn:2:", 0) == 0);
  auto git = sdndb::git::GitMergeFile(b, o, bad);
  REQUIRE(git.ok());
  CHECK(lm->text == git->text);
  CHECK(lm->line_conflicts == git->conflicts);
}

TEST_CASE("CRLF files and #sdn-crc32 seals stay valid") {
  auto crlf = [](std::string s) {
    std::string out;
    for (char c : s) {
      if (c == '\n') out += '\r';
      out += c;
    }
    return out;
  };
  std::string b = crlf(Base());
  std::string o = crlf(Replace(Base(), Row("1", "one", "open", 1), Row("1", "one", "done", 2)));
  std::string t = crlf(Replace(Base(), Row("3", "three", "open", 1), Row("3", "three", "wip", 2)) + Row("4", "four", "open", 1));
  MergeReport r = Merge(b, o, t);
  CHECK(r.clean());
  CHECK(r.text.find("\n") == r.text.find("\r\n") + 1);
  for (size_t i = 0; i < r.text.size(); ++i)
    if (r.text[i] == '\n') REQUIRE(r.text[i - 1] == '\r');
  CHECK(ParseOut(r.text).Get("4", "title") == "four");

  std::string sb = sdndb::ResealCrc(Base());
  std::string so = sdndb::ResealCrc(Replace(Base(), Row("1", "one", "open", 1), Row("1", "one", "done", 2)));
  std::string st = sdndb::ResealCrc(Replace(Base(), Row("3", "three", "open", 1), Row("3", "three", "wip", 2)));
  MergeReport sr = Merge(sb, so, st);
  CHECK(sr.clean());
  CHECK(sdndb::VerifyCrcSeal(sr.text, "merged").ok());
}

// ---- property test ----

namespace {

struct Rec {
  std::string title, status;
  int version = 1;
};
using Db = std::map<int, Rec>;

std::string Render(const Db& db) {
  std::string s = kHeader;
  for (const auto& [id, r] : db) s += Row(std::to_string(id), r.title, r.status, r.version);
  return s;
}

Db Mutate(const Db& base, std::mt19937& rng, int* next_id) {
  Db d = base;
  std::uniform_int_distribution<int> op(0, 9);
  const char* words[] = {"a", "b", "c"};
  int n = std::uniform_int_distribution<int>(0, 4)(rng);
  for (int i = 0; i < n; ++i) {
    int k = op(rng);
    if (k < 2) {  // add (sometimes with an id the other side also uses)
      int id = (rng() % 3 == 0) ? 100 + static_cast<int>(rng() % 3) : (*next_id)++;
      d[id] = {words[rng() % 3], words[rng() % 3], 1};
    } else if (k < 4 && !d.empty()) {  // delete
      auto it = d.begin();
      std::advance(it, rng() % d.size());
      d.erase(it);
    } else if (!d.empty()) {  // edit
      auto it = d.begin();
      std::advance(it, rng() % d.size());
      (rng() % 2 ? it->second.title : it->second.status) = words[rng() % 3];
      ++it->second.version;
    }
  }
  return d;
}

bool SameRec(const Rec& a, const Rec& b) { return a.title == b.title && a.status == b.status; }

}  // namespace

TEST_CASE("property: the driver never drops a record present in any input") {
  std::mt19937 rng(20260101);
  int checked = 0;
  for (int iter = 0; iter < 400; ++iter) {
    Db base;
    int n = std::uniform_int_distribution<int>(0, 6)(rng);
    for (int i = 1; i <= n; ++i) base[i] = {"t" + std::to_string(i), "open", 1};
    int next_id = 10;
    Db ours = Mutate(base, rng, &next_id);
    int next_id2 = 50;
    Db theirs = Mutate(base, rng, &next_id2);
    MergeReport r = Merge(Render(base), Render(ours), Render(theirs));
    Parsed p = ParseOut(r.text);
    REQUIRE(p.todos != nullptr);
    std::set<std::string> in_conflicts;
    for (const auto& c : p.conflicts) in_conflicts.insert(c.record);
    std::set<int> ids;
    for (const auto& kv : ours) ids.insert(kv.first);
    for (const auto& kv : theirs) ids.insert(kv.first);
    for (int id : ids) {
      const std::string sid = std::to_string(id);
      auto bo = base.find(id);
      auto oo = ours.find(id);
      auto to = theirs.find(id);
      // Allowed to vanish only when one side deleted it and the other left it as in base.
      bool clean_delete = bo != base.end() && ((oo == ours.end() && to != theirs.end() && SameRec(to->second, bo->second) &&
                                                to->second.version == bo->second.version) ||
                                               (to == theirs.end() && oo != ours.end() &&
                                                SameRec(oo->second, bo->second) && oo->second.version == bo->second.version));
      bool kept = p.todos->FindRow(sid, 0) >= 0 || in_conflicts.count(sid) > 0;
      CHECK_MESSAGE((kept || clean_delete), "record " << sid << " lost\nbase:\n"
                                                      << Render(base) << "ours:\n"
                                                      << Render(ours) << "theirs:\n"
                                                      << Render(theirs) << "merged:\n"
                                                      << r.text);
      // Every value of a surviving, unconflicted record comes from one of the sides.
      if (p.todos->FindRow(sid, 0) >= 0 && !in_conflicts.count(sid)) {
        std::string title = p.Get(sid, "title");
        bool from_side = (oo != ours.end() && oo->second.title == title) || (to != theirs.end() && to->second.title == title);
        CHECK(from_side);
      }
      ++checked;
    }
    CHECK_FALSE(r.line_merged());
    // Symmetry of survival: merging the other way keeps the same set of ids (table or conflicts).
    MergeReport rev = Merge(Render(base), Render(theirs), Render(ours));
    Parsed q = ParseOut(rev.text);
    for (int id : ids) {
      const std::string sid = std::to_string(id);
      bool a = p.todos->FindRow(sid, 0) >= 0 || in_conflicts.count(sid);
      bool found_b = q.todos->FindRow(sid, 0) >= 0;
      for (const auto& c : q.conflicts) found_b |= c.record == sid;
      CHECK(a == found_b);
    }
  }
  CHECK(checked > 1000);
}

TEST_CASE("a field both sides changed from an empty value: the conflict's base is a known \"\"") {
  std::string b2 = Base() + Row("5", "five", "\"\"", 1);
  MergeReport r2 = Merge(b2, Replace(b2, Row("5", "five", "\"\"", 1), Row("5", "five", "done", 2)),
                         Replace(b2, Row("5", "five", "\"\"", 1), Row("5", "five", "wip", 2)));
  REQUIRE(r2.conflicts.size() == 1);
  CHECK(r2.conflicts[0].base_known);
  CHECK(r2.text.find("    c1, \"5\", status, \"\", done, wip,") != std::string::npos);
}
