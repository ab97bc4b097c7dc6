// Parser: builds a Document from source text in one pass over the lines.
//
// The top level is a sequence of statements at column 0 separated by trivia (blank and
// comment lines). Block-form tables become editable Tables whose rows keep offsets into the
// source; every other statement keeps its raw text plus a parsed Value. The segments
// partition the source exactly, which is what makes Serialize() lossless.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/sdn/document.h"
#include "core/sdn/inline_value.h"
#include "core/sdn/row_scanner.h"
#include "core/status.h"

namespace sdndb::sdn {

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options, Document* doc)
      : text_(text), options_(options), doc_(doc) {}

  Status Run();

  // Scans the text of one edited table row, appending its cells to `cells`. Returns false
  // (and leaves `cells` as it was) when the text is not exactly one row of `column_count` cells.
  static bool RescanRow(size_t column_count, std::string_view row_text, std::vector<CellSpan>* cells);

 private:
  enum class LineType { kBlank, kComment, kContent, kEnd };
  struct LineInfo {
    size_t start = 0;    // line start
    size_t content = 0;  // first non-blank character (or the line break)
    int indent = 0;      // columns; a tab counts 4
    LineType type = LineType::kEnd;
  };
  struct Mark {
    size_t pos;
    int line;
  };

  LineInfo Measure(size_t line_start) const;
  // Moves the cursor to `pos` (forward), counting line breaks.
  void MoveTo(size_t pos);
  void SkipLine(const LineInfo& info);
  // Skips blank and comment lines; returns the next content line (or kEnd).
  LineInfo SkipTrivia();
  Mark Save() const { return {pos_, line_}; }
  void Restore(Mark m) { pos_ = m.pos; line_ = m.line; }

  // One `key ...` entry whose line is `info`. At the top level block tables become
  // editable Tables (`*table` set), otherwise the entry's value is stored in `*value`.
  bool ParseEntry(const LineInfo& info, int depth, bool top_level, std::string* key, Value* value,
                  std::unique_ptr<Table>* table);
  bool ParseBlock(int parent_indent, int depth, Value* out);
  bool ParseValueLine(size_t pos, int depth, Value* out);
  bool ParseTextBlock(int key_indent, Value* out);
  // `key {` + lines `name value` (or nested `name {`) + `}`: the brace-block form some Simple
  // tools write (not SDN for the reference parser); read as a dict.
  bool ParseBraceBlock(size_t open_brace, const std::string& key, int depth, Value* out);
  // After a failed top-level statement that started at `start`: records the problem and
  // skips to the next line at column 0 that holds content.
  void SkipMalformedBlock(Mark start);
  // Stores the last failure (error_) as a Problem of `table` ("" outside tables).
  void RecordProblem(const std::string& table);
  // After a row starting at `info` failed: false when the failure leaves nothing after it
  // readable (a quote opened on the row's own line is never closed). Otherwise the row's
  // first line is what is malformed: a quote not closed on it made the row run on into the
  // next lines, so that quote is what gets reported.
  bool RowFailureIsConfined(const LineInfo& info);
  bool ParseBlockTable(const LineInfo& info, size_t close, size_t after, int depth, bool top_level,
                       const std::string& name, bool typed, std::vector<std::string> columns, Value* value,
                       std::unique_ptr<Table>* table);
  bool ParseNamedTable(const LineInfo& info, size_t bar, int depth, bool top_level,
                       const std::string& name, Value* value, std::unique_ptr<Table>* table);
  bool ParseTypedTable(const LineInfo& info, size_t keyword, int depth, bool top_level,
                       const std::string& name, Value* value, std::unique_ptr<Table>* table);
  // Rows indented deeper than `header_indent`, into `table` (editable) or `value` (kTable).
  bool ParseRows(int header_indent, int depth, const std::string& name, size_t column_count,
                 Table* table, Value* value);
  // Scans the row starting at `row_start` (first cell at `first`), appending its cells to
  // `cells`: fails unless it has `column_count` cells, warns about verbatim-text cells.
  bool ScanTableRow(size_t row_start, size_t first, int depth, const std::string& name, size_t column_count,
                    std::vector<CellSpan>* cells, size_t* row_end);
  // Appends the typed values of the scanned row at `row_start` to `value` (a kTable).
  bool AppendValueRow(size_t row_start, int depth, const std::vector<CellSpan>& cells, Value* value);
  bool ParseColumnList(size_t open, char close_char, std::vector<std::string>* names, size_t* close);

  bool Fail(size_t pos, const std::string& message);
  bool Fail(const ScanError& error) {
    fatal_ = fatal_ || error.unrecoverable;
    return Fail(error.pos, error.message);
  }
  void Warn(size_t pos, const std::string& message);
  // True once max_warnings are stored: callers check it before building a message.
  bool WarningsFull() const { return doc_->warnings_.size() >= options_.max_warnings; }
  static std::string Excerpt(std::string_view text);

  std::string_view text_;
  const ParseOptions& options_;
  Document* doc_;
  size_t pos_ = 0;  // always a line start in the line loops
  int line_ = 1;    // line number of pos_
  Status status_;
  Problem error_;        // the last failure (status_ holds its report)
  size_t error_pos_ = 0;  // its offset
  bool fatal_ = false;   // the last failure leaves nothing after it readable
  std::vector<CellSpan> scratch_cells_;
};

// "file:line:col: message\n<source line>\n<caret>" for offset `pos` of `text`. Only ~100 bytes on
// each side of the column are quoted (and ~300 of the message), cut parts marked "[N bytes cut]".
std::string FormatDiagnostic(std::string_view file, std::string_view text, size_t pos, int line, int column,
                             std::string_view message);

}  // namespace sdndb::sdn
