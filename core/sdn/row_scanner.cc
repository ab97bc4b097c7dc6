#include "core/sdn/row_scanner.h"

#include <cstdint>
#include <string>

#include "core/sdn/lexer.h"

namespace sdndb::sdn {
namespace {

// Kind of the token [begin, end) whose AND-ed character classes are `all`.
inline CellKind ClassifyScanned(const char* begin, const char* end, uint8_t all) {
  const size_t len = static_cast<size_t>(end - begin);
  const uint8_t first = lex::CharClassOf(*begin);
  if ((first & lex::kWordStart) && (all & lex::kWordPart)) {
    // A bare word, unless it is one of the keywords true/false/null/nil/table.
    if (len < 3 || len > 5 || (*begin != 't' && *begin != 'f' && *begin != 'n')) return CellKind::kBare;
  } else if ((all & lex::kDigit) && len < 19) {
    return CellKind::kInt;  // at most 18 digits: always fits in int64
  }
  return lex::ClassifyToken(std::string_view(begin, len));
}

// Quoted string at `pos`, with any strings glued to it CSV-style: sets *end past the last
// closing quote and *kind. False (error set, unrecoverable) when a string is unterminated.
bool ScanQuoted(std::string_view text, size_t pos, size_t* end, CellKind* kind, ScanError* error) {
  size_t q = lex::FindClosingQuote(text, pos);
  if (q != std::string_view::npos && (q + 1 >= text.size() || text[q + 1] != '"')) {
    *end = q + 1;
    *kind = CellKind::kQuoted;
    return true;
  }
  bool glued = false;
  q = lex::FindQuotedRunEnd(text, pos, &glued);
  if (q == std::string_view::npos) {
    error->pos = pos;
    error->message = "unterminated quoted string";
    error->unrecoverable = true;
    return false;
  }
  *end = q;
  *kind = CellKind::kDoubledQuotes;
  return true;
}

bool Unbalanced(size_t pos, char c, ScanError* error) {
  error->pos = pos;
  error->message = std::string("unbalanced '") + c + "'";
  return false;
}

}  // namespace

bool ScanRow(std::string_view text, size_t row_start, size_t first, int depth, int max_depth, size_t last_column,
             std::vector<CellSpan>* cells, size_t* row_end, ScanError* error) {
  const char* const base = text.data();
  const size_t n = text.size();
  const size_t absorbing_size = last_column == kNoAbsorption ? kNoAbsorption : cells->size() + last_column;
  size_t pos = first;
  auto add = [&](size_t begin, size_t end, CellKind kind) {
    cells->push_back(CellSpan{static_cast<uint32_t>(begin - row_start), static_cast<uint32_t>(end - begin), kind});
  };
  while (true) {
    pos = lex::SkipInlineSpace(text, pos);
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
      if (!ScanQuoted(text, pos, &value_end, &kind, error)) return false;
    } else if (c == '[' || c == '{') {
      InlineValueParser inline_parser(text, max_depth);
      if (!inline_parser.Parse(pos, depth + 1, &value_end, nullptr, error)) return false;
      kind = CellKind::kInline;
    } else if (c == ']' || c == '}') {
      return Unbalanced(pos, c, error);
    } else {
      uint8_t all = lex::CharClassOf(c);
      value_end = pos + 1;
      while (value_end < n) {
        const uint8_t cls = lex::CharClassOf(base[value_end]);
        if (cls & lex::kStop) break;
        all &= cls;
        ++value_end;
      }
      kind = ClassifyScanned(base + pos, base + value_end, all);
    }
    size_t after = lex::SkipInlineSpace(text, value_end);
    if (after < n && base[after] != ',' && base[after] != '#' && base[after] != '\n' && base[after] != '\r') {
      // More than one value before the next comma. The last column takes the rest of the line,
      // commas included (reference parser: parse_table_row, `is_last_col`); others stop at ','.
      if (cells->size() == absorbing_size) {
        if (!lex::ScanVerbatim(text, value_end, "", &value_end, &after, error)) return false;
        kind = CellKind::kAbsorbed;
      } else {
        if (!lex::ScanVerbatim(text, value_end, ",", &value_end, &after, error)) return false;
        kind = CellKind::kText;
      }
    } else if (kind == CellKind::kText && after < n && base[after] == ',' && cells->size() == absorbing_size) {
      // A token the reference lexer splits in several (a date, a version, `14a73b`) starts the
      // last cell: it absorbs the rest of the line too.
      if (!lex::ScanVerbatim(text, value_end, "", &value_end, &after, error)) return false;
      kind = CellKind::kAbsorbed;
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

bool IsOneCell(std::string_view spelling) {
  std::vector<CellSpan> cells;
  size_t end = 0;
  ScanError error;
  return ScanRow(spelling, 0, 0, 1, kDefaultMaxDepth, kNoAbsorption, &cells, &end, &error) &&
         end == spelling.size() && cells.size() == 1 && cells[0].begin == 0 && cells[0].len == spelling.size() &&
         cells[0].kind != CellKind::kText && cells[0].kind != CellKind::kDoubledQuotes;
}

}  // namespace sdndb::sdn
