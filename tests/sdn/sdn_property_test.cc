// Generated documents: random tables, cell spellings, comments, blank lines, indentation,
// separators, CRLF and missing final newlines. For each: the round trip is byte-identical,
// cells read back as generated, and one-cell edits change exactly that row's text and reparse
// to the new value.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "core/sdn/document.h"
#include "core/sdn/json.h"

using sdndb::sdn::Document;
using sdndb::sdn::Table;

namespace {

struct GeneratedTable {
  std::string name;
  std::vector<std::vector<std::string>> cells;  // expected Cell() text
};

struct Generated {
  std::string text;
  std::vector<GeneratedTable> tables;
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(int percent) { return static_cast<int>(Pick(100)) < percent; }

  // A random string value, including characters that need quoting.
  std::string Text() {
    static const std::vector<std::string> kPieces = {
        "a", "Z", "_", "word", " ", ",", "#", "\"", "\\", ":", "|", "\t", "\n", "\xC3\xA9", "\xE2\x9C\x85", "1", "0x",
        "-", ".", "/", "[", "]", "{", "}", "true", "null"};
    std::string out;
    size_t n = Pick(7);
    for (size_t i = 0; i < n; ++i) out += kPieces[Pick(kPieces.size())];
    return out;
  }

  // One cell spelling and the text value Cell() must return.
  void Cell(bool allow_empty, std::string* spelling, std::string* value) {
    switch (Pick(allow_empty ? 11 : 10)) {
      case 0: *spelling = std::to_string(static_cast<int64_t>(Pick(100000)) - 500); break;
      case 1: *spelling = std::to_string(Pick(100)) + "_000"; break;
      case 2: *spelling = std::to_string(Pick(100)) + "." + std::to_string(Pick(100)); break;
      case 3: *spelling = std::vector<std::string>{"open", "src/a.spl", "P1", "x-y_z.w", "true", "nil"}[Pick(6)]; break;
      case 4: {
        std::string v = Text();
        *spelling = sdndb::sdn::QuoteString(v);
        *value = v;
        return;
      }
      case 5: {  // raw line break inside quotes
        *spelling = "\"line one,\nline two\"";
        *value = "line one,\nline two";
        return;
      }
      case 6: *spelling = "[1, \"a,b\", {k: v}]"; break;
      case 7: *spelling = std::vector<std::string>{"two words", "2026-02-06", "14a73b269158", "./x y", "BUG-1: fix it"}[Pick(5)]; break;
      case 8: *spelling = "\"\""; *value = ""; return;
      case 9: *spelling = "0x" + std::to_string(10 + Pick(80)); break;
      default: *spelling = ""; *value = ""; return;
    }
    *value = *spelling;
  }

  std::string Comment() { return "# " + std::vector<std::string>{"note", "a, b", "\"q\"", "x|y|"}[Pick(4)]; }

  Generated Document() {
    Generated g;
    const std::string eol = Chance(30) ? "\r\n" : "\n";
    size_t items = 1 + Pick(5);
    for (size_t item = 0; item < items; ++item) {
      switch (Pick(6)) {
        case 0: g.text += Comment() + eol; continue;
        case 1: g.text += eol; continue;
        case 2: g.text += "k" + std::to_string(item) + ": " + std::vector<std::string>{"1", "\"s\"", "[1, 2]", "x y"}[Pick(4)] + eol; continue;
        default: break;
      }
      GeneratedTable table;
      table.name = "t" + std::to_string(item);
      size_t columns = 1 + Pick(6);
      const std::string header_separator = Chance(50) ? ", " : ",";
      g.text += table.name + (Chance(50) ? " |" : "|");
      for (size_t c = 0; c < columns; ++c) g.text += (c > 0 ? header_separator : "") + "c" + std::to_string(c);
      g.text += "|";
      if (Chance(20)) g.text += "  " + Comment();
      g.text += eol;
      const std::string indent = std::vector<std::string>{"    ", "  ", "\t", "        "}[Pick(4)];
      const std::string separator = std::vector<std::string>{", ", ",", " , ", ",\t"}[Pick(4)];
      size_t rows = Pick(9);
      for (size_t r = 0; r < rows; ++r) {
        if (Chance(15)) g.text += (Chance(50) ? indent : "") + Comment() + eol;
        if (Chance(10)) g.text += (Chance(50) ? "  " : "") + eol;
        std::vector<std::string> values;
        g.text += indent;
        for (size_t c = 0; c < columns; ++c) {
          std::string spelling, value;
          Cell(columns > 1, &spelling, &value);
          g.text += (c > 0 ? separator : "") + spelling;
          values.push_back(value);
        }
        if (Chance(15)) g.text += " " + Comment();
        if (Chance(10)) g.text += "  ";
        g.text += eol;
        table.cells.push_back(std::move(values));
      }
      g.tables.push_back(std::move(table));
    }
    if (Chance(20) && !g.text.empty()) {
      // Drop the final line break (if the last line is not needed to end a quoted cell).
      g.text.resize(g.text.size() - eol.size());
    }
    return g;
  }

 private:
  std::mt19937_64 rng_;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(start));
      return lines;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
}

// FindRow agrees with a linear search for the first row holding each cell's text value.
void CheckFindRow(const Table& table) {
  for (size_t c = 0; c < table.columns().size(); ++c) {
    for (size_t r = 0; r < table.row_count(); ++r) {
      const std::string id = table.Cell(r, c);
      int first = -1;
      for (size_t k = 0; k < table.row_count() && first < 0; ++k) {
        if (table.Cell(k, c) == id) first = static_cast<int>(k);
      }
      CHECK(table.FindRow(id, c) == first);
    }
    CHECK(table.FindRow("\x01" "absent", c) == -1);
  }
}

}  // namespace

TEST_CASE("property: generated documents round-trip, read back, and edit one row") {
  constexpr int kDocuments = 1500;
  int edits = 0;
  for (int seed = 1; seed <= kDocuments; ++seed) {
    Generator gen(static_cast<uint64_t>(seed));
    Generated g = gen.Document();
    CAPTURE(seed);
    CAPTURE(g.text);
    auto parsed = Document::Parse(g.text);
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
    std::unique_ptr<Document> doc = std::move(parsed).value();
    REQUIRE(doc->Serialize() == g.text);
    REQUIRE(doc->table_count() == g.tables.size());
    for (size_t t = 0; t < g.tables.size(); ++t) {
      const Table* table = doc->table(t);
      REQUIRE(table->name() == g.tables[t].name);
      REQUIRE(table->row_count() == g.tables[t].cells.size());
      for (size_t r = 0; r < table->row_count(); ++r) {
        for (size_t c = 0; c < table->columns().size(); ++c) CHECK(table->Cell(r, c) == g.tables[t].cells[r][c]);
      }
    }

    // One-cell edit.
    std::vector<size_t> with_rows;
    for (size_t t = 0; t < doc->table_count(); ++t) {
      if (doc->table(t)->row_count() > 0) with_rows.push_back(t);
    }
    if (with_rows.empty()) continue;
    const size_t t = with_rows[gen.Pick(with_rows.size())];
    Table* table = doc->table(t);
    const size_t row = gen.Pick(table->row_count());
    const size_t col = gen.Pick(table->columns().size());
    const std::string_view old_row = table->RowText(row);
    const size_t row_offset = static_cast<size_t>(old_row.data() - doc->source().data());
    const bool single_line = old_row.find('\n') + 1 >= old_row.size();
    const std::string new_value = gen.Text();
    table->SetCell(row, col, new_value);
    const std::string out = doc->Serialize();
    const std::string new_row(table->RowText(row));
    CHECK(out == g.text.substr(0, row_offset) + new_row + g.text.substr(row_offset + old_row.size()));
    if (single_line) {
      std::vector<std::string> before = Lines(g.text), after = Lines(out);
      REQUIRE(before.size() == after.size());
      int differing = 0;
      for (size_t i = 0; i < before.size(); ++i) differing += before[i] != after[i];
      CHECK(differing <= 1);
      CHECK((differing == 1 || table->Cell(row, col) == g.tables[t].cells[row][col]));
    }
    auto reparsed = Document::Parse(out);
    REQUIRE_MESSAGE(reparsed.ok(), reparsed.status().message());
    const Table* again = reparsed.value()->table(t);
    for (size_t r = 0; r < again->row_count(); ++r) {
      for (size_t c = 0; c < again->columns().size(); ++c) {
        CHECK(again->Cell(r, c) == ((r == row && c == col) ? new_value : g.tables[t].cells[r][c]));
      }
    }
    ++edits;
    CheckFindRow(*table);

    // A structural edit on the same document must reparse too.
    const size_t columns_before = table->columns().size();
    bool added_column = false;
    std::string added_value;
    switch (gen.Pick(3)) {
      case 0: table->AppendRow(std::vector<std::string>(table->columns().size(), gen.Text())); break;
      case 1: table->RemoveRow(gen.Pick(table->row_count())); break;
      default:
        added_column = true;
        added_value = gen.Chance(50) ? "x" : "not one cell, really";
        table->AddColumn("added", added_value);
        break;
    }
    const size_t rows_after = table->row_count();
    auto structural = Document::Parse(doc->Serialize());
    REQUIRE_MESSAGE(structural.ok(), structural.status().message());
    const Table* reread = structural.value()->table(t);
    CHECK(reread->row_count() == rows_after);
    if (added_column) {
      REQUIRE(table->columns().size() == columns_before + 1);
      REQUIRE(reread->columns().size() == columns_before + 1);
      CHECK(table->columns().back() == "added");
      CHECK(reread->columns().back() == "added");
      for (size_t r = 0; r < rows_after; ++r) {
        CHECK(table->Cell(r, columns_before) == added_value);
        CHECK(reread->Cell(r, columns_before) == added_value);
      }
    }
    CheckFindRow(*table);
  }
  CHECK(edits > 1000);
}

TEST_CASE("property: a random malformed row in a valid table leaves every other record readable and editable") {
  // Malformed lines for a 3-column table: too few cells, too many cells (the last column's first
  // value is followed by a comma, so nothing is absorbed), a cell starting with a closer, an
  // unclosed bracket, a quote not closed on its line that pairs with nothing after it on rows
  // (the rows below use no quotes).
  const std::vector<std::string> bad_lines = {"    only_one", "    a, b", "    a, b, c, d", "    a, b, c, d, e",
                                              "    ], x, y", "    [1, 2, x, y", "    a, }, c", "    a,, b, c"};
  std::mt19937_64 rng(20261206);
  for (int round = 0; round < 300; ++round) {
    const size_t rows = 1 + rng() % 12;
    std::vector<std::string> lines;
    for (size_t r = 0; r < rows; ++r)
      lines.push_back("    r" + std::to_string(r) + ", v" + std::to_string(rng() % 100) + ", two words " + std::to_string(r));
    const std::string bad = bad_lines[rng() % bad_lines.size()] + (rng() % 4 == 0 ? " # c" : "");
    const size_t at = rng() % (rows + 1);
    std::string text = "t |id, v, note|\n";
    for (size_t r = 0; r <= rows; ++r) {
      if (r == at) text += bad + "\n";
      if (r < rows) text += lines[r] + "\n";
    }
    text += "after: 1\n";
    CAPTURE(text);
    auto parsed = sdndb::sdn::Document::Parse(text);
    REQUIRE(parsed.ok());
    Document& doc = *parsed.value();
    CHECK(doc.Serialize() == text);
    REQUIRE(doc.problems().size() == 1);
    CHECK(doc.problems()[0].line == static_cast<int>(2 + at));
    CHECK(doc.problems()[0].table == "t");
    Table* t = doc.table(0);
    REQUIRE(t->row_count() == rows);
    for (size_t r = 0; r < rows; ++r) {
      CHECK(t->Cell(r, 0) == "r" + std::to_string(r));
      CHECK(t->Cell(r, 2) == "two words " + std::to_string(r));
      CHECK(t->FindRow("r" + std::to_string(r)) == static_cast<int>(r));
    }
    // Edit one record, append one, remove one: the bad line stays byte for byte.
    const size_t edited = rng() % rows;
    t->SetCell(edited, 1, "edited, value");
    t->AppendRow({"new", "x", "y"});
    if (rows > 1) t->RemoveRow((edited + 1) % rows);
    const std::string out = doc.Serialize();
    CHECK(out.find("\n" + bad + "\n") != std::string::npos);
    auto again = sdndb::sdn::Document::Parse(out);
    REQUIRE(again.ok());
    REQUIRE(again.value()->problems().size() == 1);
    const Table* t2 = again.value()->table(0);
    CHECK(t2->row_count() == (rows > 1 ? rows : rows + 1));
    const int found = t2->FindRow("r" + std::to_string(edited));
    REQUIRE(found >= 0);
    CHECK(t2->Cell(static_cast<size_t>(found), 1) == "edited, value");
    CHECK(t2->FindRow("new") >= 0);
    CHECK(sdndb::sdn::ToJson(again.value()->ToValue())["after"] == 1);
  }
}
