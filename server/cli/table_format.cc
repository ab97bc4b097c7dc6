#include "server/cli/table_format.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>

namespace sdndb::cli {

namespace {

// Decodes one UTF-8 character at s[*i] and advances *i; an invalid byte is returned as itself.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  const unsigned char c = static_cast<unsigned char>(s[*i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || *i + len > s.size()) {
    ++*i;
    return c;
  }
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < len; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc & 0xC0) != 0x80) {
      ++*i;
      return c;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  *i += len;
  return cp;
}

struct Range {
  uint32_t first, last;
};

bool InRanges(uint32_t cp, const Range* ranges, size_t n) {
  for (size_t k = 0; k < n; ++k)
    if (cp >= ranges[k].first && cp <= ranges[k].last) return true;
  return false;
}

// Zero columns: combining marks, zero-width space/joiners, variation selectors.
constexpr Range kZeroWidth[] = {{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},  {0x0610, 0x061A},
                                {0x064B, 0x065F}, {0x0E31, 0x0E31}, {0x0E34, 0x0E3A},  {0x1AB0, 0x1AFF},
                                {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x2060, 0x2064},  {0x20D0, 0x20FF},
                                {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xE0100, 0xE01EF}};

// Two columns: East Asian Wide and Fullwidth (Unicode EastAsianWidth W/F) and emoji shown as
// pictographs.
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},   {0x23F0, 0x23F0},
    {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x267F, 0x267F},
    {0x2693, 0x2693},   {0x26A1, 0x26A1},   {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},
    {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
    {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4}, {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF},
    {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251},
    {0x1F260, 0x1F265}, {0x1F300, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F900, 0x1F9FF},
    {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};

size_t CodePointWidth(uint32_t cp) {
  if (InRanges(cp, kZeroWidth, sizeof kZeroWidth / sizeof kZeroWidth[0])) return 0;
  if (InRanges(cp, kWide, sizeof kWide / sizeof kWide[0])) return 2;
  return 1;
}

}  // namespace

size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) width += CodePointWidth(NextCodePoint(s, &i));
  return width;
}

std::string Fit(std::string_view s, size_t width) {
  std::string flat;
  flat.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;  // CR LF: one newline
    if (c == '\n')
      flat += "⏎";
    else if (c == '\r' || c == '\t')
      flat += ' ';
    else
      flat += c;
  }
  if (DisplayWidth(flat) <= width) return flat;
  // Cut so that the text and the "…" (one column) fit.
  std::string out;
  size_t used = 0;
  for (size_t i = 0; i < flat.size();) {
    const size_t start = i;
    const size_t w = CodePointWidth(NextCodePoint(flat, &i));
    if (used + w + 1 > width) break;
    used += w;
    out.append(flat, start, i - start);
  }
  return out + "…";
}

std::string Pad(const std::string& s, size_t width) {
  const size_t w = DisplayWidth(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string IndentContinuation(std::string_view value, size_t indent) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') continue;
    out += c;
    if (c == '\n') out.append(indent, ' ');
  }
  return out;
}

nlohmann::ordered_json TypedValue(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  size_t i = text[0] == '-' ? 1 : 0;
  const size_t digits_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  const size_t int_digits = i - digits_start;
  if (int_digits == 0 || (int_digits > 1 && text[digits_start] == '0')) return text;
  if (i == text.size()) {
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno == ERANGE) return text;
    return static_cast<int64_t>(v);
  }
  if (text[i] != '.' || i + 1 == text.size()) return text;
  for (size_t k = i + 1; k < text.size(); ++k)
    if (text[k] < '0' || text[k] > '9') return text;
  return std::strtod(text.c_str(), nullptr);
}

void TypeRecordFields(nlohmann::ordered_json* record) {
  auto fields = record->find("fields");
  if (fields == record->end() || !fields->is_object()) return;
  for (auto it = fields->begin(); it != fields->end(); ++it)
    if (it->is_string()) *it = TypedValue(it->get<std::string>());
}

}  // namespace sdndb::cli
