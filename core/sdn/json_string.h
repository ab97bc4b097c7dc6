// JSON string literals that carry any bytes, reversibly. Header-only and free of other
// dependencies, so the JSON-RPC layer (server/rpc) and core/sdn/json share the one implementation.
//
// The byte escape (docs/sdn.md "Bytes are bytes", docs/protocol.md): a byte B (0x80..0xFF) that
// is not part of a valid UTF-8 sequence travels as the code point U+10FF00+B (U+10FF80..U+10FFFF,
// the end of Supplementary Private Use Area-B), written as its UTF-8 bytes F4 8F BE|BF 80|(B&3F).
// So that the mapping is injective, a genuine U+10FF80..U+10FFFF character in the data is written
// as four escape code points, one per byte of its UTF-8 form. The output is valid UTF-8, accepted
// by every strict JSON decoder; DecodeByteEscapes maps every U+10FF80..U+10FFFF back to its byte,
// so the code points of that range are reserved by sdndb's JSON (clients cannot store them).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sdndb::sdn {

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

// True if s[i..] starts with the UTF-8 form of a code point in U+10FF80..U+10FFFF (F4 8F BE|BF xx).
inline bool IsByteEscapeAt(std::string_view s, size_t i) {
  if (s.size() - i < 4) return false;
  const auto b = [&s, i](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  return b(0) == 0xF4 && b(1) == 0x8F && (b(2) == 0xBE || b(2) == 0xBF) && (b(3) & 0xC0) == 0x80;
}

// Appends the escape code point of `byte` (0x80..0xFF): U+10FF00+byte in UTF-8.
inline void AppendByteEscape(std::string* out, unsigned char byte) {
  const char utf8[4] = {'\xF4', '\x8F', static_cast<char>(byte < 0xC0 ? 0xBE : 0xBF),
                        static_cast<char>(0x80 | (byte & 0x3F))};
  out->append(utf8, 4);
}

inline constexpr char kHex[] = "0123456789abcdef";

}  // namespace json_detail

// Appends the non-ASCII text s[i..i+len) (one UTF-8 sequence, or one invalid byte when
// Utf8SequenceLength gives 0) in its escaped form; returns how many bytes of `s` it consumed.
inline size_t AppendNonAsciiEscaped(std::string* out, std::string_view s, size_t i) {
  const size_t len = json_detail::Utf8SequenceLength(s, i);
  if (len == 0) {
    json_detail::AppendByteEscape(out, static_cast<unsigned char>(s[i]));
    return 1;
  }
  if (len == 4 && json_detail::IsByteEscapeAt(s, i)) {  // a genuine U+10FF80..U+10FFFF
    for (size_t k = 0; k < 4; ++k) json_detail::AppendByteEscape(out, static_cast<unsigned char>(s[i + k]));
    return 4;
  }
  out->append(s.data() + i, len);
  return len;
}

// Appends `s` as a JSON string literal (with quotes): control characters, quote and backslash
// escaped as JSON requires, bytes outside valid UTF-8 and U+10FF80..U+10FFFF as the byte escape.
// The result is always valid JSON text in valid UTF-8.
inline void AppendJsonString(std::string* out, std::string_view s) {
  using json_detail::kHex;
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
      i += AppendNonAsciiEscaped(out, s, i);
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

// `s` with the byte escape applied but no JSON quoting (valid UTF-8 whatever `s` holds).
inline std::string EscapeBytes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      out.push_back(s[i++]);
    } else {
      i += AppendNonAsciiEscaped(&out, s, i);
    }
  }
  return out;
}

// True if `s` (a decoded JSON string) holds a code point of U+10FF80..U+10FFFF.
inline bool HasByteEscapes(std::string_view s) {
  for (size_t i = s.find('\xF4'); i != std::string_view::npos; i = s.find('\xF4', i + 1)) {
    if (json_detail::IsByteEscapeAt(s, i)) return true;
  }
  return false;
}

// Maps every U+10FF80..U+10FFFF in `s` (a string decoded from JSON) back to its byte, in place.
// Returns whether anything changed. The result may be invalid UTF-8: that is what the escape is for.
inline bool DecodeByteEscapes(std::string* s) {
  size_t i = s->find('\xF4');
  while (i != std::string::npos && !json_detail::IsByteEscapeAt(*s, i)) i = s->find('\xF4', i + 1);
  if (i == std::string::npos) return false;
  size_t w = i;
  while (i < s->size()) {
    if (json_detail::IsByteEscapeAt(*s, i)) {
      const unsigned char b2 = static_cast<unsigned char>((*s)[i + 2]);
      const unsigned char b3 = static_cast<unsigned char>((*s)[i + 3]);
      (*s)[w++] = static_cast<char>((b2 == 0xBE ? 0x80 : 0xC0) | (b3 & 0x3F));
      i += 4;
    } else {
      (*s)[w++] = (*s)[i++];
    }
  }
  s->resize(w);
  return true;
}

}  // namespace sdndb::sdn
