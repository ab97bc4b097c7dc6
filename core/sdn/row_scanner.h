// Table rows: splits one row into cells without copying or decoding anything.
//
// Cells are comma separated. A cell is empty, one token (typed by lex::ClassifyToken), one
// quoted string (may contain commas and raw line breaks), one inline value starting with
// `[`/`{` (commas inside do not split), or verbatim text (kText) when several tokens or
// foreign characters stand between the commas. `#` where a token may start (after blanks or
// a comma) comments out the rest of the row. A trailing comma adds an empty cell.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/sdn/document.h"
#include "core/sdn/inline_value.h"

namespace sdndb::sdn {

struct CellSpan {
  uint32_t begin = 0;  // offset relative to the row start
  uint32_t len = 0;
  CellKind kind = CellKind::kEmpty;
};

struct RowScanResult {
  size_t end = 0;     // offset just past the row's line break (or the end of the text)
  int newlines = 0;   // line breaks consumed, including the final one
};

// Scans the row that starts at `row_start` (its first cell at `first`, after the
// indentation). Appends the cells to `cells`. `depth` is the nesting depth of the row (for
// inline values). Returns false with `error` set on an unterminated quote or bad brackets.
bool ScanRow(std::string_view text, size_t row_start, size_t first, int depth, int max_depth,
             std::vector<CellSpan>* cells, RowScanResult* result, ScanError* error);

}  // namespace sdndb::sdn
