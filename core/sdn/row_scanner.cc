#include "core/sdn/row_scanner.h"

#include <string>

namespace sdndb::sdn::row_detail {
namespace {

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

}  // namespace

const uint8_t kCharClass[256] = {
#define C8(b) ClassOf(b), ClassOf(b + 1), ClassOf(b + 2), ClassOf(b + 3), ClassOf(b + 4), ClassOf(b + 5), \
              ClassOf(b + 6), ClassOf(b + 7)
#define C64(b) C8(b), C8(b + 8), C8(b + 16), C8(b + 24), C8(b + 32), C8(b + 40), C8(b + 48), C8(b + 56)
    C64(0), C64(64), C64(128), C64(192)
#undef C64
#undef C8
};

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

bool ScanInline(std::string_view text, size_t pos, int depth, int max_depth, size_t* end, ScanError* error) {
  InlineValueParser parser(text, max_depth);
  return parser.Parse(pos, depth, end, nullptr, error);
}

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

}  // namespace sdndb::sdn::row_detail
