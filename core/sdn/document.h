// The lossless SDN document model.
//
// Document::Parse keeps the exact source text. Serialize() of an unchanged document returns
// the identical bytes (comments, blank lines, spacing, quoting, CRLF/LF, missing final
// newline). Top-level tables in block form (`name |a, b|` + indented rows, or
// `name: table{T, U}` + indented rows) are editable: changing one cell rewrites only that
// row's text; appending or removing a row touches only that row (and, when appending after a
// last row without a final newline, that row's line ending).
//
// Everything else (scalars, dicts, arrays, inline tables, YAML-like `key: |` text blocks) is
// kept as raw text and exposed read-only through ToValue().
//
// Cell values: a cell keeps its original spelling (RawCell). Cell() gives its text value
// (quotes removed and escapes decoded for quoted cells; the spelling itself for others).
// New or changed values get the canonical spelling of CanonicalCell().
//
// Errors: a malformed row or top-level block does not fail the parse: it is kept byte for
// byte and listed in problems() (file:line:col). Parse returns a ParseError Status (message
// "file:line:col: what", the offending source line and a caret) only for damage nothing can
// be read after: a quoted string never closed until the end of the input. Parsing is linear in the input size,
// bounded in nesting depth, never throws and never reads out of bounds.
// Not thread-safe for concurrent mutation; const access from several threads is fine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/sdn/value.h"
#include "core/status.h"

namespace sdndb::sdn {

enum class CellKind : uint8_t {
  kEmpty,   // nothing between the commas: the empty string
  kBare,    // one bare word: a string
  kQuoted,  // one quoted string
  kInt,     // integer, incl. `_` separators and 0x hex
  kFloat,
  kBool,
  kNull,    // null / nil
  kInline,  // an inline array or dict: [..] / {..}
  kText,    // several tokens or characters other readers drop: kept verbatim as a string
  kDoubledQuotes,  // quoted strings glued CSV-style (`"say ""hi"""`): one string, each `""` a `"`
  kAbsorbed,       // a last cell absorbing the rest of its line (commas included): verbatim text
};

struct Diagnostic {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in characters
  std::string message;
};

// A part of the file that could not be read: a malformed row (kept in its table, byte for
// byte, but not a row) or a malformed top-level block (kept as raw text). Editing the rest of
// the document never changes or drops it.
struct Problem {
  int line = 0;       // 1-based
  int column = 0;     // 1-based, in characters
  std::string message;  // what is wrong, e.g. "row has 2 cells, table 'todos' has 3 columns"
  std::string table;    // the table the row belongs to; empty for a top-level block
  std::string report;   // "file:line:col: message", the source line and a caret
};

// One cell of a table row: where its spelling lies in the row text, and its kind.
struct CellSpan {
  uint32_t begin = 0;  // offset relative to the row start
  uint32_t len = 0;
  CellKind kind = CellKind::kEmpty;
};

inline constexpr int kDefaultMaxDepth = 64;

struct ParseOptions {
  std::string file_name = "<input>";  // used in error messages
  size_t max_warnings = 200;
  int max_depth = kDefaultMaxDepth;   // nesting of blocks and brackets
};

class Document;

class Table {
 public:
  const std::string& name() const { return name_; }
  bool typed() const { return typed_; }  // `name: table{T..}`: columns() holds the type names
  const std::vector<std::string>& columns() const { return columns_; }
  int ColumnIndex(std::string_view column) const;  // -1 when absent
  size_t row_count() const { return row_items_.size(); }
  int header_line() const { return header_line_; }
  int RowLine(size_t row) const;  // 1-based line of the row in the source (0 for new rows)

  std::string_view RawCell(size_t row, size_t col) const;  // spelling as written, trimmed
  CellKind Kind(size_t row, size_t col) const;
  std::string Cell(size_t row, size_t col) const;           // text value (see header)
  Value CellValue(size_t row, size_t col) const;            // typed value
  std::string_view RowText(size_t row) const;               // the row's full text incl. line ending

  // Index of the row whose cell in column `col` has text value `id`; -1 if none.
  // The index is built on first use and kept up to date by the edits below.
  int FindRow(std::string_view id, size_t col = 0) const;

  // Sets one cell to `value` (canonical spelling). Only this row's text changes.
  void SetCell(size_t row, size_t col, std::string_view value);
  // Sets one cell to an exact spelling (caller guarantees it is a single valid cell). A
  // spelling that would not read back as exactly this one SDN value (several cells, a
  // comment, an open quote, or verbatim text such as `two words`) is stored as the string
  // CanonicalCell(spelling) instead, so an edit can never break the row.
  void SetCellRaw(size_t row, size_t col, std::string_view spelling);
  // Appends a row (values get canonical spelling); returns its index. Pass one value per
  // column: missing values become empty strings, extra values are ignored.
  size_t AppendRow(const std::vector<std::string>& values);
  void RemoveRow(size_t row);
  // Adds a column at the end of the header; every row gains `default_spelling` (stored as
  // CanonicalCell(default_spelling) when it is not exactly one SDN value, as for SetCellRaw).
  void AddColumn(const std::string& name, std::string_view default_spelling);

  // The table as a Value (kind kTable): columns and one array of typed cell values per row.
  Value ToValue() const;

 private:
  friend class Document;
  friend class Parser;
  struct Item {            // one row, a trivia line (blank/comment) or a malformed row
    std::string_view text; // points into the document source or into owned storage
    bool is_row = false;
    bool malformed = false;  // a row that could not be read: kept as text, reported as a Problem
    bool removed = false;
    uint32_t cell_begin = 0;  // rows: index into cells_
    int line = 0;             // rows from the source: 1-based line (0 for new rows)
  };

  std::string_view OwnText(std::string text);  // keeps text alive in this table
  void Touch() const { index_valid_ = false; }
  const Item& RowItem(size_t row) const { return items_[row_items_[row]]; }
  // The cell's spelling and kind, looked up once ({} and kEmpty when out of range).
  std::string_view Spelling(size_t row, size_t col, CellKind* kind) const;

  Document* doc_ = nullptr;
  std::string name_;
  bool typed_ = false;
  std::vector<std::string> columns_;
  std::string_view header_;  // header line(s) incl. line ending (and the inline row, if any)
  size_t header_close_ = 0;  // offset in header_ of the closing `|` (or `}` of a typed table)
  int header_line_ = 0;
  std::vector<Item> items_;
  std::vector<uint32_t> row_items_;  // row index -> item index
  std::vector<CellSpan> cells_;      // columns_.size() per row item
  std::vector<std::unique_ptr<std::string>> owned_;
  mutable bool index_valid_ = false;
  mutable size_t index_col_ = 0;
  // Open-addressing hash index over one column's text values: slot = row + 1, 0 = empty.
  // Keys are not copied: they are compared against the cells themselves.
  mutable std::vector<uint32_t> index_slots_;
  std::string_view CellTextView(size_t row, size_t col, std::string* scratch) const;
  void IndexInsert(uint32_t row) const;
};

class Document {
 public:
  static Result<std::unique_ptr<Document>> Parse(std::string text, const ParseOptions& options = {});

  std::string Serialize() const;
  const std::string& source() const { return *source_; }
  const std::string& file_name() const { return file_name_; }
  const std::string& line_ending() const { return eol_; }

  size_t table_count() const { return tables_.size(); }
  Table* table(size_t i) { return tables_[i].get(); }
  const Table* table(size_t i) const { return tables_[i].get(); }
  Table* FindTable(std::string_view name);
  const Table* FindTable(std::string_view name) const;
  // Appends a new table at the end of the document, separated by a blank line.
  Table* AddTable(const std::string& name, const std::vector<std::string>& columns);
  // Removes a table (header, rows and the comment/blank lines inside it); pointers to it die.
  // A table added by AddTable in this Document takes back exactly the separator it added, so
  // AddTable then RemoveTable gives the original bytes. A table read from the file that was the
  // last thing in it also takes the blank line before it when that line now ends the document.
  void RemoveTable(Table* table);

  const std::vector<Diagnostic>& warnings() const { return warnings_; }
  // Malformed rows and blocks, in file order (at most ParseOptions::max_warnings of them are
  // stored; problem_count() counts all). Parse fails only when nothing after the damage can
  // be trusted (a quote never closed until the end of the input).
  const std::vector<Problem>& problems() const { return problems_; }
  size_t problem_count() const { return problem_count_; }
  // The stored problems of one table (by name).
  std::vector<Problem> TableProblems(std::string_view table) const;
  // The whole document as an ordered dict: statements in order; tables as Value tables.
  Value ToValue() const;

 private:
  friend class Parser;
  friend class Table;
  Document() = default;
  // The last `n` bytes of Serialize() (fewer when the document is shorter), without building it.
  std::string TailBytes(size_t n) const;
  struct Segment {
    std::string_view text;  // raw text (empty when table >= 0)
    int table = -1;
    std::string key;        // for statements (never empty): the key (for ToValue); empty otherwise
    Value value;            // for statements: the parsed value
    bool added_separator = false;  // the blank line AddTable put before a new table
    bool added_table = false;      // a table segment AddTable created (in this Document)
  };

  std::shared_ptr<const std::string> source_;
  std::string file_name_;
  std::string eol_ = "\n";
  std::vector<Segment> segments_;
  std::vector<std::unique_ptr<Table>> tables_;
  std::vector<std::unique_ptr<std::string>> owned_;
  std::vector<Diagnostic> warnings_;
  std::vector<Problem> problems_;
  size_t problem_count_ = 0;
};

// True when `a` and `b` have the same tables (by name, in order) with the same rows (count and
// each row's text) and the same problems (table, column and source line; line numbers and
// messages may differ). An edited document with malformed rows must pass this against the reparse
// of its own serialization before it is written: a kept row can otherwise read differently once
// the rows around it change (a quote it leaves open pairs with another one, so rows split or join).
bool SameTablesAndProblems(const Document& a, const Document& b);

// Canonical spelling of a string value in a table cell: bare when it is a plain word that
// reads back as the same string, otherwise quoted with \\ \" \n \t \r escapes.
std::string CanonicalCell(std::string_view value);
// Quoted spelling, always.
std::string QuoteString(std::string_view value);
// Decodes the inside of a quoted string (without the quotes).
std::string UnescapeQuoted(std::string_view inner);
// The value of a quoted spelling (with its quotes): the inside, decoded ("" if not quoted).
std::string UnquoteSpelling(std::string_view quoted);

}  // namespace sdndb::sdn
