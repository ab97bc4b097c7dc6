// Character-level rules of SDN shared by the parser, the row scanner and the editor:
// character classes, token classification, quoted-string scanning and number decoding.
//
// All functions take explicit bounds and never read past them. None allocate except the
// ones returning std::string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/sdn/document.h"
#include "core/sdn/value.h"

namespace sdndb::sdn {

struct ScanError {
  size_t pos = 0;  // offset in the scanned text
  std::string message;
  // A quote never closed until the end of the input: no later line can be trusted, so the
  // whole document fails. Every other error is confined to its row or block.
  bool unrecoverable = false;
};

namespace lex {

// Character classes, one table for the bare-word rules and the row scanner's token loop.
enum : uint8_t {
  kStop = 1,       // , blank \r \n " : ends a token in a table row
  kWordStart = 2,  // may start a bare word: letters, `_`, non-ASCII bytes
  kWordPart = 4,   // may continue a bare word: word starts, digits, `. / - #`
  kDigit = 8,      // 0-9
};
struct CharClassTable {
  uint8_t of[256] = {};
  constexpr CharClassTable() {
    for (int c = 0; c < 256; ++c) {
      const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      const bool digit = c >= '0' && c <= '9';
      const bool start = letter || c == '_' || c >= 0x80;
      uint8_t cls = 0;
      if (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"') cls |= kStop;
      if (start) cls |= kWordStart;
      if (start || digit || c == '.' || c == '/' || c == '-' || c == '#') cls |= kWordPart;
      if (digit) cls |= kDigit;
      of[c] = cls;
    }
  }
};
inline constexpr CharClassTable kCharClasses{};
inline uint8_t CharClassOf(char c) { return kCharClasses.of[static_cast<unsigned char>(c)]; }

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }
inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// True when `pos` is the start of a line break: "\n" or "\r\n". A lone '\r' is not a break.
inline bool AtLineBreak(std::string_view text, size_t pos) {
  if (pos >= text.size()) return false;
  char c = text[pos];
  return c == '\n' || (c == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n');
}
// True at end of input or at a line break.
inline bool AtLineEnd(std::string_view text, size_t pos) {
  return pos >= text.size() || AtLineBreak(text, pos);
}
// Whitespace inside a line: space, tab, and a '\r' that does not start a "\r\n".
inline bool AtInlineSpace(std::string_view text, size_t pos) {
  if (pos >= text.size()) return false;
  char c = text[pos];
  return c == ' ' || c == '\t' || (c == '\r' && !AtLineBreak(text, pos));
}
inline size_t SkipInlineSpace(std::string_view text, size_t pos) {
  const size_t n = text.size();
  while (pos < n) {
    const char c = text[pos];
    if (c == ' ' || c == '\t' || (c == '\r' && !(pos + 1 < n && text[pos + 1] == '\n'))) {
      ++pos;
    } else {
      break;
    }
  }
  return pos;
}
// Number of '\n' in [begin, end) of `text`.
int CountNewlines(std::string_view text, size_t begin, size_t end);
// Offset just past the line break that ends the line containing `pos` (or text.size()).
size_t NextLineStart(std::string_view text, size_t pos);
// Offset of the line break (or end of input) of the line containing `pos`.
size_t LineBreakPos(std::string_view text, size_t pos);

// Classifies one token (no surrounding blanks, not quoted, not bracketed): int (with `_`
// separators, 0x hex, fits in int64), float, bool, null, bare word, or kText for anything
// else (dates, versions, hex-like ids, words starting with '.', out-of-range ints...).
CellKind ClassifyToken(std::string_view token);
// True for a bare word as SDN readers accept it: a letter, '_' or non-ASCII byte first, then
// letters, digits, non-ASCII bytes or `_ . / - #`. Keywords are not excluded here.
bool IsBareWord(std::string_view token);
bool IsKeyword(std::string_view token);  // true false null nil table

// Finds the closing quote of a quoted string whose opening quote is at `open`. Returns its
// offset, or std::string_view::npos when the string is unterminated. Backslash escapes any
// character; raw line breaks are allowed.
size_t FindClosingQuote(std::string_view text, size_t open);
// Like FindClosingQuote, then also over quoted strings glued directly to it (CSV-style doubled
// quotes: `"say ""hi"""`). Returns the offset past the last closing quote (npos when a string
// is unterminated) and sets *glued when more than one string was read.
size_t FindQuotedRunEnd(std::string_view text, size_t open, bool* glued);
// The value of such a run: the strings decoded, joined by one `"` each.
std::string DecodeDoubledQuotes(std::string_view run);

// Verbatim text (several words, a date, ...) from `pos`: runs to the line break, a comment
// or the first character of `stops` outside quoted strings (quoted strings inside are skipped
// whole). A comment is a `#` right after a blank (space, tab or a lone '\r'), as everywhere in
// SDN. Sets *value_end past its last non-blank character and *stop where scanning stopped.
// Returns false with `error` set on an unterminated quoted string (unrecoverable) and, with
// `reject_stray_closers`, on a `]` or `}` that closes nothing opened in the text.
bool ScanVerbatim(std::string_view text, size_t pos, std::string_view stops, size_t* value_end, size_t* stop,
                  ScanError* error, bool reject_stray_closers = false);

// UnquoteSpelling without a copy when the string holds no escape: returns the inside of
// `quoted`, or its decoded value stored in `*scratch`.
std::string_view UnquoteSpellingView(std::string_view quoted, std::string* scratch);

// Decoded values of tokens classified by ClassifyToken.
int64_t DecodeInt(std::string_view token);
double DecodeFloat(std::string_view token);
// The typed value of a token of the given kind (kBare/kText/kInt/kFloat/kBool/kNull), or of a
// quoted string including its quotes (kQuoted), or kEmpty.
Value TokenValue(std::string_view spelling, CellKind kind);

// Column (1-based, in characters) of `pos` on the line starting at `line_start`.
int CharColumn(std::string_view text, size_t line_start, size_t pos);

// Key characters: anything but blanks, line breaks and the punctuation : = | , " [ ] { } ( ).
inline bool IsKeyChar(char c) {
  switch (c) {
    case ' ': case '\t': case '\r': case '\n': case ':': case '=': case '|': case ',':
    case '"': case '[': case ']': case '{': case '}': case '(': case ')':
      return false;
    default:
      return true;
  }
}

}  // namespace lex
}  // namespace sdndb::sdn
