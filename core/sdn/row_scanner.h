// Table rows: splits one row into cells without copying or decoding anything.
//
// Cells are comma separated. A cell is empty, one token (typed by lex::ClassifyToken), one
// quoted string (may contain commas and raw line breaks), one inline value starting with
// `[`/`{` (commas inside do not split), or verbatim text (kText) when several tokens or
// foreign characters stand between the commas. `#` where a token may start (after blanks or
// a comma) comments out the rest of the row. A trailing comma adds an empty cell.
//
// This is the hot loop of parsing a database, so the common cases (tokens, quoted strings,
// plain separators) are handled inline here; rare cases call out of line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/sdn/document.h"
#include "core/sdn/inline_value.h"
#include "core/sdn/lexer.h"

namespace sdndb::sdn {

struct CellSpan {
  uint32_t begin = 0;  // offset relative to the row start
  uint32_t len = 0;
  CellKind kind = CellKind::kEmpty;
};

namespace row_detail {

// Character classes of the token fast path.
enum : uint8_t {
  kStop = 1,       // , blank \r \n " : ends a token
  kWordStart = 2,  // letters, `_`, non-ASCII bytes
  kWordPart = 4,   // word starts, digits, `. / - #`
  kDigit = 8,      // 0-9
};
extern const uint8_t kCharClass[256];

// Kind of the token [begin, end) whose AND-ed character classes are `all`.
inline CellKind ClassifyScanned(const char* begin, const char* end, uint8_t all) {
  const size_t len = static_cast<size_t>(end - begin);
  const uint8_t first = kCharClass[static_cast<unsigned char>(*begin)];
  if ((first & kWordStart) && (all & kWordPart)) {
    // A bare word, unless it is one of the keywords true/false/null/nil/table.
    if (len < 3 || len > 5 || (*begin != 't' && *begin != 'f' && *begin != 'n')) return CellKind::kBare;
  } else if ((all & kDigit) && len < 19) {
    return CellKind::kInt;  // at most 18 digits: always fits in int64
  }
  return lex::ClassifyToken(std::string_view(begin, len));
}

// Blanks inside a line: space, tab, and a '\r' that does not start "\r\n".
inline size_t SkipBlanks(const char* base, size_t n, size_t pos) {
  while (pos < n) {
    char c = base[pos];
    if (c == ' ' || c == '\t' || (c == '\r' && !(pos + 1 < n && base[pos + 1] == '\n'))) {
      ++pos;
    } else {
      break;
    }
  }
  return pos;
}

// Quoted string at `pos`: sets *end past the closing quote. False (error set) when unterminated.
bool ScanQuoted(std::string_view text, size_t pos, size_t* end, ScanError* error);
// Inline value at `pos`.
bool ScanInline(std::string_view text, size_t pos, int depth, int max_depth, size_t* end, ScanError* error);
// Verbatim text continuing from `pos` (the end of a first value): sets *value_end (trimmed)
// and *stop (at ',', a comment, a line break or the end).
bool ScanText(std::string_view text, size_t pos, size_t* value_end, size_t* stop, ScanError* error);
bool Unbalanced(size_t pos, char c, ScanError* error);

}  // namespace row_detail

// Scans the row that starts at `row_start` (its first cell at `first`, after the
// indentation) and appends its cells to `cells` (a vector of {begin, len, kind} aggregates).
// Sets `*row_end` just past the row's line break (or to the end of the text). `depth` is the
// nesting depth of the row (for inline values). Returns false with `error` set on an
// unterminated quote or bad brackets.
template <typename CellVector>
bool ScanRow(std::string_view text, size_t row_start, size_t first, int depth, int max_depth, CellVector* cells,
             size_t* row_end, ScanError* error) {
  using Cell = typename CellVector::value_type;
  const char* const base = text.data();
  const size_t n = text.size();
  size_t pos = first;
  auto add = [&](size_t begin, size_t end, CellKind kind) {
    cells->push_back(Cell{static_cast<uint32_t>(begin - row_start), static_cast<uint32_t>(end - begin), kind});
  };
  while (true) {
    pos = row_detail::SkipBlanks(base, n, pos);
    const size_t cell_start = pos;
    if (pos >= n) {
      add(pos, pos, CellKind::kEmpty);
      break;
    }
    const char c = base[pos];
    if (c == '\n' || c == '\r' || c == '#') {  // a '\r' here starts "\r\n"
      add(pos, pos, CellKind::kEmpty);
      break;
    }
    if (c == ',') {
      add(pos, pos, CellKind::kEmpty);
      ++pos;
      continue;
    }
    size_t value_end;
    CellKind kind;
    if (c == '"') {
      if (!row_detail::ScanQuoted(text, pos, &value_end, error)) return false;
      kind = CellKind::kQuoted;
    } else if (c == '[' || c == '{') {
      if (!row_detail::ScanInline(text, pos, depth + 1, max_depth, &value_end, error)) return false;
      kind = CellKind::kInline;
    } else if (c == ']' || c == '}') {
      return row_detail::Unbalanced(pos, c, error);
    } else {
      uint8_t all = row_detail::kCharClass[static_cast<unsigned char>(c)];
      value_end = pos + 1;
      while (value_end < n) {
        const uint8_t cls = row_detail::kCharClass[static_cast<unsigned char>(base[value_end])];
        if (cls & row_detail::kStop) break;
        all &= cls;
        ++value_end;
      }
      kind = row_detail::ClassifyScanned(base + pos, base + value_end, all);
    }
    size_t after = row_detail::SkipBlanks(base, n, value_end);
    if (after < n && base[after] != ',' && base[after] != '#' && base[after] != '\n' && base[after] != '\r') {
      if (!row_detail::ScanText(text, value_end, &value_end, &after, error)) return false;
      kind = CellKind::kText;
    }
    add(cell_start, value_end, kind);
    if (after < n && base[after] == ',') {
      pos = after + 1;
      continue;
    }
    pos = after;  // comment, line break or end
    break;
  }
  *row_end = lex::NextLineStart(text, pos);
  return true;
}

}  // namespace sdndb::sdn
