#include "core/sdn/row_scanner.h"

#include <cstdint>
#include <string>

#include "core/sdn/lexer.h"

namespace sdndb::sdn {
namespace {

// Character classes of the token fast path.
enum : uint8_t {
  kStop = 1,       // , blank \r \n " : ends a token
  kWordStart = 2,  // letters, `_`, non-ASCII bytes
  kWordPart = 4,   // word starts, digits, `. / - #`
  kDigit = 8,      // 0-9
};

constexpr uint8_t ClassOf(int c) {
  if (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"') return kStop;
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  const bool digit = c >= '0' && c <= '9';
  const bool start = letter || c == '_' || c >= 0x80;
  uint8_t cls = 0;
  if (start) cls |= kWordStart;
  if (start || digit || c == '.' || c == '/' || c == '-' || c == '#') cls |= kWordPart;
  if (digit) cls |= kDigit;
  return cls;
}

const uint8_t kCharClass[256] = {
#define C8(b) ClassOf(b), ClassOf(b + 1), ClassOf(b + 2), ClassOf(b + 3), ClassOf(b + 4), ClassOf(b + 5), \
              ClassOf(b + 6), ClassOf(b + 7)
#define C64(b) C8(b), C8(b + 8), C8(b + 16), C8(b + 24), C8(b + 32), C8(b + 40), C8(b + 48), C8(b + 56)
    C64(0), C64(64), C64(128), C64(192)
#undef C64
#undef C8
};

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
bool ScanQuoted(std::string_view text, size_t pos, size_t* end, ScanError* error) {
  size_t q = lex::FindClosingQuote(text, pos);
  if (q == std::string_view::npos) {
    error->pos = pos;
    error->message = "unterminated quoted string";
    return false;
  }
  *end = q + 1;
  return true;
}

// Verbatim text continuing from `pos` (the end of a first value): sets *value_end (trimmed)
// and *stop (at ',', a comment, a line break or the end).
bool ScanText(std::string_view text, size_t pos, size_t* value_end, size_t* stop, ScanError* error) {
  const size_t n = text.size();
  size_t last_nonblank = pos;
  size_t p = pos;
  while (p < n) {
    char ch = text[p];
    if (ch == ',' || lex::AtLineBreak(text, p)) break;
    if (ch == '#' && p > 0 && lex::AtInlineSpace(text, p - 1)) break;
    if (ch == '"') {
      size_t q = 0;
      if (!ScanQuoted(text, p, &q, error)) return false;
      p = q;
      last_nonblank = p;
      continue;
    }
    if (!lex::AtInlineSpace(text, p)) last_nonblank = p + 1;
    ++p;
  }
  *value_end = last_nonblank;
  *stop = p;
  return true;
}

bool Unbalanced(size_t pos, char c, ScanError* error) {
  error->pos = pos;
  error->message = std::string("unbalanced '") + c + "'";
  return false;
}

}  // namespace

bool ScanRow(std::string_view text, size_t row_start, size_t first, int depth, int max_depth,
             std::vector<CellSpan>* cells, size_t* row_end, ScanError* error) {
  const char* const base = text.data();
  const size_t n = text.size();
  size_t pos = first;
  auto add = [&](size_t begin, size_t end, CellKind kind) {
    cells->push_back(CellSpan{static_cast<uint32_t>(begin - row_start), static_cast<uint32_t>(end - begin), kind});
  };
  while (true) {
    pos = SkipBlanks(base, n, pos);
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
      if (!ScanQuoted(text, pos, &value_end, error)) return false;
      kind = CellKind::kQuoted;
    } else if (c == '[' || c == '{') {
      InlineValueParser inline_parser(text, max_depth);
      if (!inline_parser.Parse(pos, depth + 1, &value_end, nullptr, error)) return false;
      kind = CellKind::kInline;
    } else if (c == ']' || c == '}') {
      return Unbalanced(pos, c, error);
    } else {
      uint8_t all = kCharClass[static_cast<unsigned char>(c)];
      value_end = pos + 1;
      while (value_end < n) {
        const uint8_t cls = kCharClass[static_cast<unsigned char>(base[value_end])];
        if (cls & kStop) break;
        all &= cls;
        ++value_end;
      }
      kind = ClassifyScanned(base + pos, base + value_end, all);
    }
    size_t after = SkipBlanks(base, n, value_end);
    if (after < n && base[after] != ',' && base[after] != '#' && base[after] != '\n' && base[after] != '\r') {
      if (!ScanText(text, value_end, &value_end, &after, error)) return false;
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
