// Table rows: splits one row into cells without copying or decoding anything.
//
// Cells are comma separated. A cell is empty, one token (typed by lex::ClassifyToken), one
// quoted string (may contain commas and raw line breaks; quoted strings glued CSV-style are
// one kDoubledQuotes cell), one inline value starting with `[`/`{` (commas inside do not
// split), verbatim text (kText) when several tokens or foreign characters stand between the
// commas, or, in the last column, the rest of the line (kAbsorbed). `#` where a token may start (after blanks or
// a comma) comments out the rest of the row. A trailing comma adds an empty cell.
//
// This is the hot loop of parsing a database, so the common cases (tokens, quoted strings,
// plain separators) are handled inline; rare cases call out of line.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/sdn/document.h"
#include "core/sdn/inline_value.h"

namespace sdndb::sdn {

inline constexpr size_t kNoAbsorption = static_cast<size_t>(-1);

// Scans the row that starts at `row_start` (its first cell at `first`, after the
// indentation) and appends its cells to `cells`, with offsets relative to `row_start`.
// Sets `*row_end` just past the row's line break (or to the end of the text). `depth` is the
// nesting depth of the row (for inline values). The cell at index `last_column` (the table's
// last column; kNoAbsorption for none) absorbs the rest of the line, commas included, when it
// holds more than one value (kAbsorbed). Returns false with `error` set on an unterminated
// quote (error->unrecoverable) or bad brackets.
bool ScanRow(std::string_view text, size_t row_start, size_t first, int depth, int max_depth, size_t last_column,
             std::vector<CellSpan>* cells, size_t* row_end, ScanError* error);

// True when `spelling` reads back as exactly one table cell: the whole text is one value (an
// empty cell, a token, a quoted string or an inline value), not verbatim text, several
// cells, a comment or a line break. Such a spelling can replace any cell of a valid row.
bool IsOneCell(std::string_view spelling);

}  // namespace sdndb::sdn
