#include "core/sdn/lexer.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace sdndb::sdn {
namespace lex {
namespace {

inline bool IsWordStart(char c) { return (CharClassOf(c) & kWordStart) != 0; }
inline bool IsWordChar(char c) { return (CharClassOf(c) & kWordPart) != 0; }
inline int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses an integer token; false when it is not one or does not fit in int64.
bool ParseIntToken(std::string_view t, int64_t* out) {
  size_t i = 0;
  bool negative = false;
  if (i < t.size() && t[i] == '-') {
    negative = true;
    ++i;
  }
  if (i >= t.size() || !IsAsciiDigit(t[i])) return false;
  // Accumulate the magnitude as unsigned so INT64_MIN is representable.
  uint64_t magnitude = 0;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (t.size() - i > 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'X')) {
    i += 2;
    bool any_digit = false;
    for (; i < t.size(); ++i) {
      if (t[i] == '_') continue;
      int d = HexDigit(t[i]);
      if (d < 0) return false;
      if (magnitude > (limit - static_cast<uint64_t>(d)) / 16) return false;
      magnitude = magnitude * 16 + static_cast<uint64_t>(d);
      any_digit = true;
    }
    if (!any_digit) return false;
  } else {
    for (; i < t.size(); ++i) {
      if (t[i] == '_') continue;
      if (!IsAsciiDigit(t[i])) return false;
      uint64_t d = static_cast<uint64_t>(t[i] - '0');
      if (magnitude > (limit - d) / 10) return false;
      magnitude = magnitude * 10 + d;
    }
  }
  if (out != nullptr) {
    *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  }
  return true;
}

// Digits with `_` separators (first must be a digit). Returns the end offset, or `i` when none.
size_t ScanDigits(std::string_view t, size_t i) {
  if (i >= t.size() || !IsAsciiDigit(t[i])) return i;
  ++i;
  while (i < t.size() && (IsAsciiDigit(t[i]) || t[i] == '_')) ++i;
  return i;
}

bool IsFloatToken(std::string_view t) {
  size_t i = 0;
  if (i < t.size() && t[i] == '-') ++i;
  size_t after_int = ScanDigits(t, i);
  if (after_int == i) return false;
  i = after_int;
  bool fraction_or_exponent = false;
  if (i < t.size() && t[i] == '.') {
    size_t after_fraction = ScanDigits(t, i + 1);
    if (after_fraction == i + 1) return false;
    i = after_fraction;
    fraction_or_exponent = true;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    size_t after_exponent = ScanDigits(t, i);
    if (after_exponent == i) return false;
    i = after_exponent;
    fraction_or_exponent = true;
  }
  return fraction_or_exponent && i == t.size();
}

}  // namespace

int CountNewlines(std::string_view text, size_t begin, size_t end) {
  int n = 0;
  const char* p = text.data() + begin;
  const char* const e = text.data() + end;
  while (p < e) {
    const void* hit = std::memchr(p, '\n', static_cast<size_t>(e - p));
    if (hit == nullptr) break;
    ++n;
    p = static_cast<const char*>(hit) + 1;
  }
  return n;
}

size_t NextLineStart(std::string_view text, size_t pos) {
  if (pos >= text.size()) return text.size();
  const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
  if (nl == nullptr) return text.size();
  return static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1;
}

size_t LineBreakPos(std::string_view text, size_t pos) {
  size_t next = NextLineStart(text, pos);
  if (next == text.size() && (next == 0 || text[next - 1] != '\n')) return next;
  size_t brk = next - 1;
  if (brk > pos && text[brk - 1] == '\r') --brk;
  return brk;
}

bool IsKeyword(std::string_view t) {
  return t == "true" || t == "false" || t == "null" || t == "nil" || t == "table";
}

bool IsBareWord(std::string_view t) {
  if (t.empty() || !IsWordStart(t[0])) return false;
  for (size_t i = 1; i < t.size(); ++i) {
    if (!IsWordChar(t[i])) return false;
  }
  return true;
}

CellKind ClassifyToken(std::string_view t) {
  if (t.empty()) return CellKind::kEmpty;
  const char first = t[0];
  if (IsWordStart(first)) {
    if (!IsBareWord(t)) return CellKind::kText;
    switch (t.size()) {
      case 3:
        if (t == "nil") return CellKind::kNull;
        break;
      case 4:
        if (t == "true") return CellKind::kBool;
        if (t == "null") return CellKind::kNull;
        break;
      case 5:
        if (t == "false") return CellKind::kBool;
        if (t == "table") return CellKind::kText;  // the keyword is no value
        break;
      default:
        break;
    }
    return CellKind::kBare;
  }
  if (IsAsciiDigit(first) || first == '-') {
    if (ParseIntToken(t, nullptr)) return CellKind::kInt;
    if (IsFloatToken(t)) return CellKind::kFloat;
  }
  return CellKind::kText;
}

size_t FindClosingQuote(std::string_view text, size_t open) {
  size_t pos = open + 1;
  const char* base = text.data();
  while (pos < text.size()) {
    const void* hit = std::memchr(base + pos, '"', text.size() - pos);
    if (hit == nullptr) return std::string_view::npos;
    size_t q = static_cast<size_t>(static_cast<const char*>(hit) - base);
    // The quote is escaped when preceded by an odd run of backslashes.
    size_t run = 0;
    while (q - run > open + 1 && base[q - run - 1] == '\\') ++run;
    if (run % 2 == 0) return q;
    pos = q + 1;
  }
  return std::string_view::npos;
}

size_t FindQuotedRunEnd(std::string_view text, size_t open, bool* glued) {
  *glued = false;
  size_t q = FindClosingQuote(text, open);
  while (q != std::string_view::npos && q + 1 < text.size() && text[q + 1] == '"') {
    *glued = true;
    q = FindClosingQuote(text, q + 1);
  }
  return q == std::string_view::npos ? q : q + 1;
}

std::string DecodeDoubledQuotes(std::string_view run) {
  std::string out;
  size_t open = 0;
  while (open < run.size() && run[open] == '"') {
    const size_t q = FindClosingQuote(run, open);
    if (q == std::string_view::npos) break;
    if (open > 0) out.push_back('"');
    out += UnescapeQuoted(run.substr(open + 1, q - open - 1));
    open = q + 1;
  }
  return out;
}

bool ScanVerbatim(std::string_view text, size_t pos, std::string_view stops, size_t* value_end, size_t* stop,
                  ScanError* error, bool reject_stray_closers) {
  const size_t n = text.size();
  size_t last_nonblank = pos;
  size_t p = pos;
  int open_brackets = 0;  // `[` and `{` opened in this text and not closed yet
  while (p < n && !AtLineBreak(text, p)) {
    const char ch = text[p];
    if (!stops.empty() && std::memchr(stops.data(), ch, stops.size()) != nullptr) break;
    if (ch == '#' && p > 0 && AtInlineSpace(text, p - 1)) break;
    if (ch == '"') {
      const size_t q = FindClosingQuote(text, p);
      if (q == std::string_view::npos) {
        error->pos = p;
        error->message = "unterminated quoted string";
        error->unrecoverable = true;
        return false;
      }
      p = q + 1;
      last_nonblank = p;
      continue;
    }
    if (!reject_stray_closers) {
      // brackets are text here
    } else if (ch == '[' || ch == '{') {
      ++open_brackets;
    } else if (ch == ']' || ch == '}') {
      if (open_brackets == 0) {
        error->pos = p;
        error->message = std::string("unbalanced '") + ch + "'";
        return false;
      }
      --open_brackets;
    }
    if (!AtInlineSpace(text, p)) last_nonblank = p + 1;
    ++p;
  }
  *value_end = last_nonblank;
  *stop = p;
  return true;
}

namespace {
// The text between the quotes of a quoted spelling (empty when it is not one).
std::string_view QuotedInner(std::string_view quoted) {
  return quoted.size() >= 2 ? quoted.substr(1, quoted.size() - 2) : std::string_view();
}
}  // namespace

std::string_view UnquoteSpellingView(std::string_view quoted, std::string* scratch) {
  const std::string_view inner = QuotedInner(quoted);
  if (inner.find('\\') == std::string_view::npos) return inner;
  *scratch = UnescapeQuoted(inner);
  return *scratch;
}

int64_t DecodeInt(std::string_view token) {
  int64_t v = 0;
  ParseIntToken(token, &v);
  return v;
}

double DecodeFloat(std::string_view token) {
  char buffer[128];
  std::string heap;
  char* out = buffer;
  if (token.size() >= sizeof(buffer)) {
    heap.resize(token.size() + 1);
    out = heap.data();
  }
  size_t n = 0;
  for (char c : token) {
    if (c != '_') out[n++] = c;
  }
  out[n] = '\0';
  double v = 0;
  auto result = std::from_chars(out, out + n, v);
  if (result.ec != std::errc()) {
    // Out of range: let strtod pick inf/0 with the right sign.
    v = std::strtod(out, nullptr);
  }
  return v;
}

Value TokenValue(std::string_view spelling, CellKind kind) {
  switch (kind) {
    case CellKind::kEmpty: return Value::String("");
    case CellKind::kQuoted: return Value::String(UnquoteSpelling(spelling));
    case CellKind::kInt: return Value::Int(DecodeInt(spelling), std::string(spelling));
    case CellKind::kFloat: return Value::Float(DecodeFloat(spelling), std::string(spelling));
    case CellKind::kBool: return Value::Bool(spelling == "true");
    case CellKind::kNull: return Value::Null();
    case CellKind::kDoubledQuotes: return Value::String(DecodeDoubledQuotes(spelling));
    case CellKind::kBare:
    case CellKind::kText:
    case CellKind::kAbsorbed:
    case CellKind::kInline:
      return Value::String(std::string(spelling));
  }
  return Value::Null();
}

int CharColumn(std::string_view text, size_t line_start, size_t pos) {
  int column = 1;
  if (pos > text.size()) pos = text.size();
  for (size_t i = line_start; i < pos; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

}  // namespace lex

std::string QuoteString(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('"');
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(c); break;
    }
  }
  out.push_back('"');
  return out;
}

std::string CanonicalCell(std::string_view value) {
  bool plain = !value.empty() &&
               (lex::IsAsciiLetter(value[0]) || value[0] == '_');
  for (size_t i = 1; plain && i < value.size(); ++i) {
    char c = value[i];
    plain = lex::IsAsciiLetter(c) || lex::IsAsciiDigit(c) || c == '_' || c == '.' || c == '/' || c == '-';
  }
  if (plain && !lex::IsKeyword(value)) return std::string(value);
  return QuoteString(value);
}

std::string UnquoteSpelling(std::string_view quoted) { return UnescapeQuoted(lex::QuotedInner(quoted)); }

std::string UnescapeQuoted(std::string_view inner) {
  // Most quoted cells hold no escapes: one copy. Otherwise copy the runs between escapes.
  size_t bs = inner.find('\\');
  if (bs == std::string_view::npos) return std::string(inner);
  std::string out;
  out.reserve(inner.size());
  size_t i = 0;
  while (bs != std::string_view::npos) {
    out.append(inner.data() + i, bs - i);
    if (bs + 1 >= inner.size()) {  // a lone trailing backslash stays
      out.push_back('\\');
      return out;
    }
    char e = inner[bs + 1];
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case '\\': out.push_back('\\'); break;
      case '"': out.push_back('"'); break;
      default:  // unknown escapes are kept verbatim, both characters
        out.push_back('\\');
        out.push_back(e);
        break;
    }
    i = bs + 2;
    bs = inner.find('\\', i);
  }
  out.append(inner.data() + i, inner.size() - i);
  return out;
}

}  // namespace sdndb::sdn
