#include "core/sdn/row_scanner.h"

#include <cstring>

#include "core/sdn/lexer.h"

namespace sdndb::sdn {
namespace {

// Characters that end a bare token inside a row.
struct TokenStops {
  bool stop[256] = {};
  constexpr TokenStops() {
    stop[static_cast<unsigned char>(',')] = true;
    stop[static_cast<unsigned char>(' ')] = true;
    stop[static_cast<unsigned char>('\t')] = true;
    stop[static_cast<unsigned char>('\r')] = true;
    stop[static_cast<unsigned char>('\n')] = true;
    stop[static_cast<unsigned char>('"')] = true;
  }
};
constexpr TokenStops kTokenStops;

int CountNewlines(std::string_view text, size_t begin, size_t end) {
  int n = 0;
  const char* p = text.data() + begin;
  const char* e = text.data() + end;
  while (p < e) {
    const void* hit = std::memchr(p, '\n', static_cast<size_t>(e - p));
    if (hit == nullptr) break;
    ++n;
    p = static_cast<const char*>(hit) + 1;
  }
  return n;
}

}  // namespace

bool ScanRow(std::string_view text, size_t row_start, size_t first, int depth, int max_depth,
             std::vector<CellSpan>* cells, RowScanResult* result, ScanError* error) {
  const size_t n = text.size();
  const char* data = text.data();
  int newlines = 0;
  size_t pos = first;
  auto add_cell = [&](size_t begin, size_t end, CellKind kind) {
    cells->push_back(CellSpan{static_cast<uint32_t>(begin - row_start),
                              static_cast<uint32_t>(end - begin), kind});
  };
  auto fail = [&](size_t at, std::string message) {
    error->pos = at;
    error->message = std::move(message);
    return false;
  };

  while (true) {
    pos = lex::SkipInlineSpace(text, pos);
    const size_t cell_start = pos;
    if (pos >= n || lex::AtLineBreak(text, pos) || data[pos] == '#') {
      add_cell(pos, pos, CellKind::kEmpty);
      break;
    }
    if (data[pos] == ',') {
      add_cell(pos, pos, CellKind::kEmpty);
      ++pos;
      continue;
    }
    // One value first; it becomes verbatim text if more follows before the comma.
    size_t value_end;
    CellKind kind;
    char c = data[pos];
    if (c == '"') {
      size_t q = lex::FindClosingQuote(text, pos);
      if (q == std::string_view::npos) return fail(pos, "unterminated quoted string");
      newlines += CountNewlines(text, pos, q);
      value_end = q + 1;
      kind = CellKind::kQuoted;
    } else if (c == ']' || c == '}') {
      return fail(pos, std::string("unbalanced '") + c + "'");
    } else if (c == '[' || c == '{') {
      InlineValueParser inline_parser(text, max_depth);
      if (!inline_parser.Parse(pos, depth + 1, &value_end, nullptr, error)) return false;
      newlines += CountNewlines(text, pos, value_end);
      kind = CellKind::kInline;
    } else {
      value_end = pos + 1;
      while (value_end < n && !kTokenStops.stop[static_cast<unsigned char>(data[value_end])]) ++value_end;
      kind = lex::ClassifyToken(text.substr(pos, value_end - pos));
    }
    size_t after = lex::SkipInlineSpace(text, value_end);
    if (after < n && data[after] != ',' && data[after] != '#' && !lex::AtLineBreak(text, after)) {
      // Verbatim text up to the next comma, comment or line end; quotes still protect commas.
      size_t p = value_end;
      size_t last_nonblank = value_end;
      while (p < n) {
        char ch = data[p];
        if (ch == ',' || lex::AtLineBreak(text, p)) break;
        if (ch == '#' && lex::AtInlineSpace(text, p - 1)) break;
        if (ch == '"') {
          size_t q = lex::FindClosingQuote(text, p);
          if (q == std::string_view::npos) return fail(p, "unterminated quoted string");
          newlines += CountNewlines(text, p, q);
          p = q + 1;
          last_nonblank = p;
          continue;
        }
        if (!lex::AtInlineSpace(text, p)) last_nonblank = p + 1;
        ++p;
      }
      value_end = last_nonblank;
      kind = CellKind::kText;
      after = p;
    }
    add_cell(cell_start, value_end, kind);
    if (after >= n) {
      pos = after;
      break;
    }
    if (data[after] == ',') {
      pos = after + 1;
      continue;
    }
    pos = after;  // comment or line break
    break;
  }
  // Skip a trailing comment; consume the line break.
  size_t line_end = lex::NextLineStart(text, pos);
  if (line_end > pos && data[line_end - 1] == '\n') ++newlines;
  result->end = line_end;
  result->newlines = newlines;
  return true;
}

}  // namespace sdndb::sdn
