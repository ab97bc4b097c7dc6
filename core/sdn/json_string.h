// JSON string literals, with a choice for bytes that are not valid UTF-8. Header-only and
// free of other dependencies, so the JSON-RPC layer (server/rpc, independent of the core) and
// core/sdn/json share the one implementation.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sdndb::sdn {

// What JSON output does with bytes that are not part of a valid UTF-8 sequence.
enum class InvalidUtf8 {
  // Each such byte is written as the escape \udcXX (XX = the byte, U+DC80..U+DCFF, Python's
  // "surrogateescape"): valid JSON text, and reversible, as valid UTF-8 never encodes a lone low
  // surrogate. Some decoders refuse lone surrogates (nlohmann, Neovim's vim.json).
  kEscapeBytes,
  // Each such byte becomes U+FFFD: what every decoder accepts (the JSON-RPC server).
  kReplace,
};

namespace json_detail {

// Length of the valid UTF-8 sequence starting at s[i] (1..4), or 0 if invalid.
inline size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&s](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  const size_t n = s.size() - i;
  auto cont = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return (n >= 2 && cont(i + 1)) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (n < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    const unsigned char c1 = byte(i + 1);
    if (c == 0xE0 && c1 < 0xA0) return 0;  // overlong
    if (c == 0xED && c1 > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (n < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    const unsigned char c1 = byte(i + 1);
    if (c == 0xF0 && c1 < 0x90) return 0;  // overlong
    if (c == 0xF4 && c1 > 0x8F) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

inline constexpr char kHex[] = "0123456789abcdef";

}  // namespace json_detail

// Appends `s` as a JSON string literal (with quotes).
inline void AppendJsonString(std::string* out, std::string_view s, InvalidUtf8 invalid = InvalidUtf8::kEscapeBytes) {
  using json_detail::kHex;
  using json_detail::Utf8SequenceLength;
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Copy runs of plain ASCII in one go.
    size_t run = i;
    while (run < s.size()) {
      const unsigned char c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++run;
    }
    out->append(s.data() + i, run - i);
    i = run;
    if (i >= s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(s, i);
      if (len == 0 && invalid == InvalidUtf8::kReplace) {
        out->append("\xEF\xBF\xBD");  // U+FFFD
        ++i;
      } else if (len == 0) {
        out->append("\\udc");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
        ++i;
      } else {
        out->append(s.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
    ++i;
  }
  out->push_back('"');
}

}  // namespace sdndb::sdn
