// CRC-32 (reflected polynomial 0xEDB88320, init/xorout 0xFFFFFFFF) and the #sdn-crc32 seal.
#include "core/io/crc32.h"

#include <array>
#include <cinttypes>
#include <cstdio>

namespace sdndb {

namespace {

constexpr char kSealPrefix[] = "#sdn-crc32:";
constexpr size_t kSealPrefixLen = sizeof(kSealPrefix) - 1;

struct Crc32Table {
  std::array<uint32_t, 256> t{};
  constexpr Crc32Table() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
      t[i] = c;
    }
  }
};

constexpr Crc32Table kTable;

// Splits text into the seal line (without its line ending), the line ending, and the body.
struct SealParts {
  std::string_view line;
  std::string_view eol;
  std::string_view body;
};

SealParts SplitSeal(std::string_view text) {
  SealParts p;
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos) {
    p.line = text;
    return p;  // a seal line with no body at all
  }
  size_t line_end = (nl > 0 && text[nl - 1] == '\r') ? nl - 1 : nl;
  p.line = text.substr(0, line_end);
  p.eol = text.substr(line_end, nl + 1 - line_end);
  p.body = text.substr(nl + 1);
  return p;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Where the decimal number of a seal line (after the prefix) begins and ends: blanks may stand
// on both sides of it (`#sdn-crc32: 123`), as the Simple tools read the number with a trimming
// integer parse. A rewrite keeps everything around the number as it was found.
void NumberSpan(std::string_view line, size_t* begin, size_t* end) {
  size_t b = kSealPrefixLen;
  while (b < line.size() && IsBlank(line[b])) ++b;
  size_t e = line.size();
  while (e > b && IsBlank(line[e - 1])) --e;
  *begin = b;
  *end = e;
}

bool ParseU32(std::string_view s, uint32_t* out) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > 0xFFFFFFFFull) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace

uint32_t Crc32(std::string_view data, uint32_t crc) {
  uint32_t c = ~crc;
  for (unsigned char b : data) c = kTable.t[(c ^ b) & 0xFFu] ^ (c >> 8);
  return ~c;
}

bool HasCrcSeal(std::string_view text) {
  return text.substr(0, kSealPrefixLen) == std::string_view(kSealPrefix, kSealPrefixLen);
}

Status VerifyCrcSeal(std::string_view text, const std::string& file) {
  if (!HasCrcSeal(text)) return Status::OK();
  SealParts p = SplitSeal(text);
  uint32_t stored = 0;
  size_t begin = 0, end = 0;
  NumberSpan(p.line, &begin, &end);
  if (!ParseU32(p.line.substr(begin, end - begin), &stored)) {
    return Status::Corruption(file + ":1:1: malformed #sdn-crc32 seal line \"" + std::string(p.line) + "\"");
  }
  uint32_t actual = Crc32(p.body);
  if (stored != actual) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  ":1:1: #sdn-crc32 seal mismatch: the seal says %" PRIu32 " but the content has %" PRIu32
                  " (torn write or hand edit; reseal after checking the file)",
                  stored, actual);
    return Status::Corruption(file + buf);
  }
  return Status::OK();
}

std::string ResealCrc(std::string_view text) {
  SealParts p = SplitSeal(text);
  if (!HasCrcSeal(text)) {
    // No seal yet: add one in front and never drop a line of content. Use the file's line ending.
    p.body = text;
    p.eol = (p.eol.empty() || p.eol == "\n") ? std::string_view("\n") : std::string_view("\r\n");
  }
  std::string eol(p.eol.empty() ? std::string_view("\n") : p.eol);
  std::string out;
  if (HasCrcSeal(text)) {
    size_t begin = 0, end = 0;
    NumberSpan(p.line, &begin, &end);
    out.append(p.line.substr(0, begin));
    out += std::to_string(Crc32(p.body));
    out.append(p.line.substr(end));
  } else {
    out = kSealPrefix + std::to_string(Crc32(p.body));
  }
  out += eol;
  out.append(p.body.data(), p.body.size());
  return out;
}

}  // namespace sdndb
