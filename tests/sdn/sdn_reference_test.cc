// Constructs the Simple project's reference parser (src/compiler_rust/sdn/src/parser.rs) reads
// leniently, read the same way by sdndb (exact text kept where the reference mangles it), and
// the warnings that name each of them. See docs/sdn.md, "Reading as the reference parser".
#include <doctest/doctest.h>

#include <string>

#include "core/sdn/document.h"
#include "core/sdn/json.h"

using sdndb::sdn::CellKind;
using sdndb::sdn::Document;
using sdndb::sdn::ParseOptions;
using sdndb::sdn::Table;
using sdndb::sdn::Value;

namespace {

std::unique_ptr<Document> MustParse(const std::string& text) {
  auto parsed = Document::Parse(text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  CHECK(parsed.value()->problems().empty());
  CHECK(parsed.value()->Serialize() == text);
  return std::move(parsed.value());
}

bool HasWarning(const Document& doc, int line, int column, const std::string& start) {
  for (const auto& w : doc.warnings())
    if (w.line == line && w.column == column && w.message.rfind(start, 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("reference: the last column absorbs the rest of the line, commas included") {
  // The bug database rows of the issue: unquoted commas in the last column (`note`).
  const std::string text =
      "notes |bug_id, timestamp, note|\n"
      "    BUG-1, 2026-04-16T23:30:00, Narrowed by direct QEMU probes: hosted specs green, guest failures land in x\n"
      "    BUG-2, 2026-04-17, \"quoted, as usual\"\n"
      "    BUG-3, 2026-04-18, two words, then more # a comment\n";
  auto doc = MustParse(text);
  const Table* t = doc->table(0);
  REQUIRE(t->row_count() == 3);
  CHECK(t->Kind(0, 2) == CellKind::kAbsorbed);
  CHECK(t->Cell(0, 2) == "Narrowed by direct QEMU probes: hosted specs green, guest failures land in x");
  CHECK(t->Cell(0, 1) == "2026-04-16T23:30:00");
  CHECK(t->Kind(1, 2) == CellKind::kQuoted);
  CHECK(t->Cell(2, 2) == "two words, then more");  // the comment is not part of it
  CHECK(HasWarning(*doc, 2, 33, "last cell takes the rest of the line, commas included"));
  nlohmann::ordered_json json = sdndb::sdn::ToJson(doc->ToValue());
  CHECK(json["notes"][0]["note"] == "Narrowed by direct QEMU probes: hosted specs green, guest failures land in x");

  // As the reference: absorption starts only when the cell's first value is followed by more
  // than a comma, or is a token the reference lexer splits (a date, a version, `14a73b`).
  auto one_word = Document::Parse("t |a, b|\n    1, word, more\n    1, 2026-01-02, more\n    1, \"q\", more\n");
  REQUIRE(one_word.ok());
  const Table* w = one_word.value()->table(0);
  REQUIRE(w->row_count() == 1);
  CHECK(w->Cell(0, 1) == "2026-01-02, more");
  REQUIRE(one_word.value()->problems().size() == 2);
  CHECK(one_word.value()->problems()[0].line == 2);
  CHECK(one_word.value()->problems()[0].message == "row has 3 cells, table 't' has 2 columns");
  CHECK(one_word.value()->problems()[1].line == 4);
}

TEST_CASE("reference: extra unquoted commas in the last column, generated") {
  // Property: any run of words and commas after the first word of the last cell is that cell.
  const std::string pieces[] = {"a", "b c", ",", ", ", " ,", "x:y", "(p)", "1.2.3", "é", "[z]", "\"q, r\""};
  uint32_t seed = 7;
  for (int i = 0; i < 400; ++i) {
    std::string tail = "start more";
    const int n = 1 + static_cast<int>((seed >> 8) % 6);
    for (int k = 0; k < n; ++k) {
      seed = seed * 1103515245u + 12345u;
      tail += pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
    }
    while (!tail.empty() && (tail.back() == ' ' || tail.back() == ',')) tail.pop_back();
    CAPTURE(tail);
    const std::string text = "t |id, v, note|\n    1, x, " + tail + "\n    2, y, z\n";
    auto parsed = Document::Parse(text);
    REQUIRE(parsed.ok());
    REQUIRE(parsed.value()->problems().empty());
    const Table* t = parsed.value()->table(0);
    REQUIRE(t->row_count() == 2);
    CHECK(t->Cell(0, 2) == tail);
    CHECK(parsed.value()->Serialize() == text);
    // Editing another cell writes the absorbed cell quoted; the value stays.
    auto edited = Document::Parse(text);
    edited.value()->table(0)->SetCell(0, 1, "new");
    const std::string out = edited.value()->Serialize();
    auto again = Document::Parse(out);
    REQUIRE(again.ok());
    CHECK(again.value()->table(0)->Kind(0, 2) == CellKind::kQuoted);
    CHECK(again.value()->table(0)->Cell(0, 2) == tail);
    CHECK(again.value()->table(0)->Cell(0, 1) == "new");
    CHECK(again.value()->table(0)->RowText(1) == "    2, y, z\n");
    // A column added after it: the absorbed cell is quoted, so its commas do not split.
    auto widened = Document::Parse(text);
    widened.value()->table(0)->AddColumn("extra", "0");
    auto reread = Document::Parse(widened.value()->Serialize());
    REQUIRE(reread.ok());
    REQUIRE(reread.value()->problems().empty());
    CHECK(reread.value()->table(0)->Cell(0, 2) == tail);
    CHECK(reread.value()->table(0)->Cell(0, 3) == "0");
  }
}

TEST_CASE("reference: an absorbed last cell is rewritten quoted when its row is edited") {
  auto doc = MustParse("t |id, s, note|\n    1, open, left as, it is\n    2, open, plain\n");
  Table* t = doc->table(0);
  t->SetCell(0, 1, "closed");
  CHECK(doc->Serialize() == "t |id, s, note|\n    1, closed, \"left as, it is\"\n    2, open, plain\n");
  t->SetCell(1, 1, "closed");  // a row without absorption: one cell changes
  CHECK(doc->Serialize() == "t |id, s, note|\n    1, closed, \"left as, it is\"\n    2, closed, plain\n");
}

TEST_CASE("reference: YAML-style `- item` lists under a key") {
  const std::string text = "acceptance:\n    - AC-1\n    - two words, kept\n    -\n    - 5\n    -7\nafter: 1\n";
  auto doc = MustParse(text);
  nlohmann::ordered_json json = sdndb::sdn::ToJson(doc->ToValue());
  CHECK(json["acceptance"] == nlohmann::ordered_json({"AC-1", "two words, kept", nullptr, 5, -7}));
  CHECK(json["after"] == 1);
  CHECK(HasWarning(*doc, 2, 5, "YAML-style list item"));
}

TEST_CASE("reference: CSV-style doubled quotes") {
  auto doc = MustParse("t |a, b|\n    \"say \"\"hi\"\"\", \"\"\"\"\n    x, \"a\"\"b\"\nk: \"v \"\"w\"\"\"\n");
  const Table* t = doc->table(0);
  CHECK(t->Kind(0, 0) == CellKind::kDoubledQuotes);
  CHECK(t->Cell(0, 0) == "say \"hi\"");
  CHECK(t->Cell(0, 1) == "\"");
  CHECK(t->Cell(1, 1) == "a\"b");
  CHECK(t->FindRow("say \"hi\"") == 0);
  nlohmann::ordered_json json = sdndb::sdn::ToJson(doc->ToValue());
  CHECK(json["t"][0]["a"] == "say \"hi\"");
  CHECK(json["k"] == "v \"w\"");
  CHECK(HasWarning(*doc, 2, 5, "CSV-style doubled quotes"));
  // Editing the cell writes the canonical spelling.
  auto edit = MustParse("t |a, b|\n    \"say \"\"hi\"\"\", 1\n");
  edit->table(0)->SetCell(0, 1, "2");
  CHECK(edit->Serialize() == "t |a, b|\n    \"say \"\"hi\"\"\", \"2\"\n");
}

TEST_CASE("reference: a stray closing bracket is an error at file:line:col") {
  ParseOptions options;
  options.file_name = "x.sdn";
  auto parsed = Document::Parse("a: 1\nitems = [1, 2]]\nb: 2\n", options);
  REQUIRE(parsed.ok());
  REQUIRE(parsed.value()->problems().size() == 1);
  const auto& p = parsed.value()->problems()[0];
  CHECK(p.report.substr(0, p.report.find('\n')) == "x.sdn:2:15: unbalanced ']'");
  nlohmann::ordered_json json = sdndb::sdn::ToJson(parsed.value()->ToValue());
  CHECK(json == nlohmann::ordered_json({{"a", 1}, {"b", 2}}));
  // Brackets closed inside text are text.
  auto fine = MustParse("k: see [1] and {x}\n");
  CHECK(sdndb::sdn::ToJson(fine->ToValue())["k"] == "see [1] and {x}");
}

TEST_CASE("reference: brace blocks, nested, with comments and `key: value` lines") {
  const std::string text =
      "run {\n  name \"a b\"\n  count 3\n  # comment\n  inner {\n    ok true\n  }\n  empty\n  ratio: 0.5\n}\n";
  auto doc = MustParse(text);
  nlohmann::ordered_json json = sdndb::sdn::ToJson(doc->ToValue());
  CHECK(json["run"]["name"] == "a b");
  CHECK(json["run"]["count"] == 3);
  CHECK(json["run"]["inner"]["ok"] == true);
  CHECK(json["run"]["empty"] == nullptr);
  CHECK(json["run"]["ratio"] == 0.5);
  // An unclosed block is a problem of that block only.
  auto open = Document::Parse("run {\n  a 1\nt |x|\n    1\n");
  REQUIRE(open.ok());
  REQUIRE(open.value()->problems().size() == 1);
  CHECK(open.value()->problems()[0].message == "unclosed '{' of block 'run'");
  REQUIRE(open.value()->table_count() == 1);
  CHECK(open.value()->table(0)->Cell(0, 0) == "1");
}
