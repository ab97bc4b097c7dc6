// Editing: SetCell / SetCellRaw / AppendRow / RemoveRow / AddColumn / AddTable touch only what
// they must and keep the file's own style (indentation, separators, line endings).
#include <doctest/doctest.h>

#include <string>

#include "core/sdn/document.h"

using sdndb::sdn::CellKind;
using sdndb::sdn::Document;
using sdndb::sdn::Table;

namespace {

std::unique_ptr<Document> MustParse(const std::string& text) {
  auto parsed = Document::Parse(text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  return std::move(parsed).value();
}

// Serializes, reparses and checks the result is valid.
std::unique_ptr<Document> Reparse(const Document& doc) {
  auto parsed = Document::Parse(doc.Serialize());
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  return std::move(parsed).value();
}

}  // namespace

TEST_CASE("SetCell rewrites only that cell's spelling inside the row") {
  auto doc = MustParse(
      "# head\nt |id, title, status|\n    1,  \"First\" ,open   # keep\n    2, \"Second\", closed\nx: 1\n");
  Table* t = doc->table(0);
  t->SetCell(0, 2, "in progress");
  CHECK(doc->Serialize() ==
        "# head\nt |id, title, status|\n    1,  \"First\" ,\"in progress\"   # keep\n    2, \"Second\", closed\nx: 1\n");
  t->SetCell(0, 1, "plain");
  CHECK(t->RowText(0) == "    1,  plain ,\"in progress\"   # keep\n");
  t->SetCell(1, 0, "");
  CHECK(t->RowText(1) == "    \"\", \"Second\", closed\n");
  CHECK(t->Cell(1, 0).empty());
  CHECK(t->Kind(1, 0) == CellKind::kQuoted);
  auto again = Reparse(*doc);
  CHECK(again->table(0)->Cell(0, 2) == "in progress");
  CHECK(again->table(0)->Cell(0, 1) == "plain");
}

TEST_CASE("SetCell on empty cells keeps separators and comments intact") {
  auto doc = MustParse("t |a, b, c|\n    1, , \n    1,,#c\n    , 2, 3\n");
  Table* t = doc->table(0);
  t->SetCell(0, 1, "x");
  t->SetCell(0, 2, "y");
  t->SetCell(1, 2, "z");
  t->SetCell(2, 0, "w");
  CHECK(doc->Serialize() == "t |a, b, c|\n    1, x, y\n    1,,z #c\n    w, 2, 3\n");
  auto again = Reparse(*doc);
  CHECK(again->table(0)->Cell(1, 2) == "z");
}

TEST_CASE("SetCellRaw uses the exact spelling, and falls back to a quoted string when invalid") {
  auto doc = MustParse("t |a, b|\n    1, 2\n");
  Table* t = doc->table(0);
  t->SetCellRaw(0, 1, "42");
  CHECK(t->Kind(0, 1) == CellKind::kInt);
  t->SetCellRaw(0, 0, "[1, 2]");
  CHECK(t->Kind(0, 0) == CellKind::kInline);
  CHECK(doc->Serialize() == "t |a, b|\n    [1, 2], 42\n");
  t->SetCellRaw(0, 1, "a, b");     // would add a cell
  CHECK(t->Cell(0, 1) == "a, b");
  t->SetCellRaw(0, 1, "x # y");    // would turn into a comment
  CHECK(t->Cell(0, 1) == "x # y");
  t->SetCellRaw(0, 1, "\"open");   // unterminated
  CHECK(t->Cell(0, 1) == "\"open");
  auto again = Reparse(*doc);
  CHECK(again->table(0)->Cell(0, 1) == "\"open");
}

TEST_CASE("SetCellRaw and AddColumn keep a spelling exactly when a one-column table reads it as one cell") {
  const std::string spellings[] = {"", "x", "42", "-1.5e3", "true", "nil", "a#", "\"q\"", "\"a, b\"", "\"\"",
                                   "\"l1\nl2\"", "[1, [2]]", "{k: v}", "[a # c\n]", "two words", "2026-01-02",
                                   " x", "x ", "a, b", "x # y", "# c", "\"open", "[1", "]", "\"a\" b", "x\n",
                                   "x\r", "table", "\t"};
  const std::string rows[] = {"    1, 2, 3\n", "    1,2,3 # c\n", "\t1 ,  , 3\r\n", "    \"a\", [x], \"y\"# c"};
  for (const std::string& spelling : spellings) {
    CAPTURE(spelling);
    // The oracle: the whole parser on a one-column table holding just this spelling.
    auto alone = Document::Parse("t |a|\n    " + spelling + "\n");
    const bool one_cell = spelling.empty() || (alone.ok() && alone.value()->table(0)->row_count() == 1 &&
                          alone.value()->table(0)->RawCell(0, 0) == spelling &&
                          alone.value()->table(0)->Kind(0, 0) != CellKind::kText &&
                          alone.value()->table(0)->Kind(0, 0) != CellKind::kAbsorbed &&
                          alone.value()->table(0)->RowText(0) == "    " + spelling + "\n");
    const std::string expected = one_cell ? spelling : sdndb::sdn::CanonicalCell(spelling);
    for (const std::string& row : rows) {
      CAPTURE(row);
      for (size_t col = 0; col < 3; ++col) {
        auto doc = MustParse("t |a, b, c|\n" + row);
        Table* t = doc->table(0);
        t->SetCellRaw(0, col, spelling);
        CHECK(t->RawCell(0, col) == expected);
        auto again = Reparse(*doc);
        REQUIRE(again->table(0)->row_count() == 1);
        CHECK(again->table(0)->RawCell(0, col) == expected);
        CHECK(again->table(0)->Cell(0, col) == t->Cell(0, col));
      }
      auto doc = MustParse("t |a, b, c|\n" + row);
      doc->table(0)->AddColumn("d", spelling);
      CHECK(doc->table(0)->RawCell(0, 3) == expected);
      auto again = Reparse(*doc);
      CHECK(again->table(0)->RawCell(0, 3) == expected);
    }
  }
}

TEST_CASE("AppendRow copies indentation, separator style and line ending") {
  auto doc = MustParse("a |x, y|\n  1,2\n\nb |x, y|\r\n\t1, 2\r\n");
  doc->table(0)->AppendRow({"p", "q r"});
  CHECK(doc->Serialize() == "a |x, y|\n  1,2\n  p,\"q r\"\n\nb |x, y|\r\n\t1, 2\r\n");
  auto crlf = MustParse("b |x, y|\r\n\t1, 2\r\n");
  crlf->table(0)->AppendRow({"3"});  // missing values become empty strings
  CHECK(crlf->Serialize() == "b |x, y|\r\n\t1, 2\r\n\t\"3\", \"\"\r\n");
  CHECK(crlf->table(0)->row_count() == 2);
  CHECK(crlf->table(0)->RowLine(1) == 0);
}

TEST_CASE("AppendRow fixes a missing final newline and works on empty tables") {
  auto doc = MustParse("t |a, b|\n    1, 2");
  CHECK(doc->table(0)->AppendRow({"x", "y"}) == 1);
  CHECK(doc->Serialize() == "t |a, b|\n    1, 2\n    x, y\n");
  auto empty = MustParse("t |a, b|");
  empty->table(0)->AppendRow({"x", "y"});
  CHECK(empty->Serialize() == "t |a, b|\n    x, y\n");
  auto with_trailer = MustParse("t |a|\n    1\n\n# trailing comment\nnext |b|\n");
  with_trailer->table(0)->AppendRow({"two"});
  CHECK(with_trailer->Serialize() == "t |a|\n    1\n    two\n\n# trailing comment\nnext |b|\n");
  with_trailer->FindTable("next")->AppendRow({"n"});
  CHECK(with_trailer->Serialize() == "t |a|\n    1\n    two\n\n# trailing comment\nnext |b|\n    n\n");
}

TEST_CASE("RemoveRow removes only that row") {
  auto doc = MustParse("t |id|\n    1\n    # note\n    2\n\n    3\nx: 1\n");
  Table* t = doc->table(0);
  CHECK(t->FindRow("2") == 1);
  t->RemoveRow(1);
  CHECK(doc->Serialize() == "t |id|\n    1\n    # note\n\n    3\nx: 1\n");
  CHECK(t->row_count() == 2);
  CHECK(t->FindRow("3") == 1);
  CHECK(t->FindRow("2") == -1);
  t->RemoveRow(5);  // out of range: ignored
  t->RemoveRow(1);
  t->RemoveRow(0);
  CHECK(doc->Serialize() == "t |id|\n    # note\n\nx: 1\n");
  t->AppendRow({"9"});
  CHECK(doc->Serialize() == "t |id|\n    # note\n\n    \"9\"\nx: 1\n");
  Reparse(*doc);
}

TEST_CASE("AddColumn appends to the header and a cell to every row") {
  auto doc = MustParse("t |id, v|  # header comment\n    1, a\n    2, b # c\n    3, \n\nu |x,y|\n  1,2\n");
  Table* t = doc->table(0);
  t->AddColumn("valid", "true");
  CHECK(doc->Serialize() ==
        "t |id, v, valid|  # header comment\n    1, a, true\n    2, b, true # c\n    3, , true\n\nu |x,y|\n  1,2\n");
  CHECK(t->columns().back() == "valid");
  CHECK(t->Kind(2, 2) == CellKind::kBool);
  doc->table(1)->AddColumn("z", "two words");
  CHECK(doc->Serialize().substr(doc->Serialize().find("u |")) == "u |x,y,z|\n  1,2,\"two words\"\n");
  auto again = Reparse(*doc);
  CHECK(again->table(0)->columns().size() == 3);
  CHECK(again->table(1)->Cell(0, 2) == "two words");
  auto typed = MustParse("m: table{i32, i32}\n    1, 2\n");
  typed->table(0)->AddColumn("text", "\"x\"");
  CHECK(typed->Serialize() == "m: table{i32, i32, text}\n    1, 2, \"x\"\n");
}

TEST_CASE("AddTable appends a table separated by a blank line") {
  auto doc = MustParse("x: 1");
  Table* t = doc->AddTable("todos", {"id", "title"});
  t->AppendRow({"1", "first todo"});
  CHECK(doc->Serialize() == "x: 1\n\ntodos |id, title|\n    \"1\", \"first todo\"\n");
  auto fresh = MustParse("");
  fresh->AddTable("t", {"a"})->AppendRow({"v"});
  CHECK(fresh->Serialize() == "t |a|\n    v\n");
  auto crlf = MustParse("x: 1\r\n\r\n");
  crlf->AddTable("t", {"a"});
  CHECK(crlf->Serialize() == "x: 1\r\n\r\nt |a|\r\n");
  Reparse(*crlf);
}

TEST_CASE("AddTable and RemoveTable look at the document's end after row edits") {
  struct Case {
    std::string text;
    size_t remove_rows;  // rows removed from the end of table 0 first
    std::string expected;  // after AddTable("u", {"b"})
    std::string removed;   // after RemoveTable of that table
  };
  const Case cases[] = {
      {"t |a|\n    1\n    2", 1, "t |a|\n    1\n\nu |b|\n", "t |a|\n    1\n"},
      {"t |a|\n    1\n", 1, "t |a|\n\nu |b|\n", "t |a|\n"},
      // A blank line that already ended the document stays: RemoveTable takes back exactly the
      // separator AddTable added (none here), so the bytes are as before.
      {"t |a|\r\n    1\r\n\r\n", 1, "t |a|\r\n\r\nu |b|\r\n", "t |a|\r\n\r\n"},
      {"t |a|\n    1\n    # c\n\n", 0, "t |a|\n    1\n    # c\n\nu |b|\n", "t |a|\n    1\n    # c\n\n"},
      {"\n", 0, "\n\nu |b|\n", "\n"},
      {"t |a|", 0, "t |a|\n\nu |b|\n", "t |a|"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto doc = MustParse(c.text);
    Table* t = doc->table_count() > 0 ? doc->table(0) : nullptr;
    for (size_t i = 0; i < c.remove_rows; ++i) t->RemoveRow(t->row_count() - 1);
    Table* added = doc->AddTable("u", {"b"});
    CHECK(doc->Serialize() == c.expected);
    doc->RemoveTable(added);
    CHECK(doc->Serialize() == c.removed);
  }
  // A table written by an earlier session (parsed from the file) takes the blank line before it.
  auto reread = MustParse("t |a|\n    1\n\nconflicts |id|\n");
  reread->RemoveTable(reread->FindTable("conflicts"));
  CHECK(reread->Serialize() == "t |a|\n    1\n");
}

TEST_CASE("edits keep the id index current") {
  auto doc = MustParse("t |id, v|\n    1, a\n    2, b\n");
  Table* t = doc->table(0);
  CHECK(t->FindRow("2") == 1);
  size_t row = t->AppendRow({"3", "c"});
  CHECK(t->FindRow("3") == static_cast<int>(row));
  t->SetCell(0, 0, "one");
  CHECK(t->FindRow("1") == -1);
  CHECK(t->FindRow("one") == 0);
  t->SetCell(1, 1, "bb");  // other column: index stays valid
  CHECK(t->FindRow("2") == 1);
}

TEST_CASE("RemoveTable after AddTable gives back the original bytes") {
  for (std::string original : {std::string("t |a, b|\n    1, 2\n\n# tail comment\n"), std::string("t |a|\r\n    1\r\n"),
                               std::string("x: 1\n")}) {
    auto doc = sdndb::sdn::Document::Parse(original);
    REQUIRE(doc.ok());
    sdndb::sdn::Table* added = doc.value()->AddTable("conflicts", {"id", "record"});
    added->AppendRow({"c1", "7"});
    CHECK(doc.value()->Serialize() != original);
    doc.value()->RemoveTable(added);
    CHECK(doc.value()->Serialize() == original);
    CHECK(doc.value()->FindTable("conflicts") == nullptr);
    // Another table still works after the removal.
    if (sdndb::sdn::Table* t = doc.value()->FindTable("t")) {
      t->SetCell(0, 0, "9");
      CHECK(doc.value()->Serialize().find("9") != std::string::npos);
    }
  }
  // Removing a table in the middle keeps everything around it.
  auto doc = sdndb::sdn::Document::Parse("a |x|\n    1\n\nb |y|\n    2\n\nc |z|\n    3\n");
  REQUIRE(doc.ok());
  doc.value()->RemoveTable(doc.value()->FindTable("b"));
  CHECK(doc.value()->Serialize() == "a |x|\n    1\n\n\nc |z|\n    3\n");
  CHECK(doc.value()->table_count() == 2);
  CHECK(doc.value()->FindTable("c")->Cell(0, 0) == "3");
}

TEST_CASE("emptying the only cell of a row keeps the row (fuzzer finding)") {
  for (std::string text : {std::string("t |a|\n    x\n"), std::string("t |a|\n R\r"), std::string("t |a|\n    x")}) {
    auto doc = MustParse(text);
    doc->table(0)->SetCellRaw(0, 0, "");
    auto again = MustParse(doc->Serialize());
    REQUIRE(again->table(0)->row_count() == 1);
    CHECK(again->table(0)->Cell(0, 0) == "");
    doc->table(0)->SetCell(0, 0, "");
    CHECK(MustParse(doc->Serialize())->table(0)->row_count() == 1);
  }
}

TEST_CASE("emptying the only cell of a row followed by a comment keeps the row (fuzzer finding)") {
  auto doc = MustParse("t |a|\n R\r# note\n");
  doc->table(0)->SetCellRaw(0, 0, "");
  auto again = MustParse(doc->Serialize());
  CHECK(again->table(0)->row_count() == 1);
}
