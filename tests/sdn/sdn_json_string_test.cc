// The byte escape of core/sdn/json_string.h (docs/sdn.md "Bytes are bytes"): any bytes go out as
// valid UTF-8 JSON that a strict decoder accepts, and come back exactly, for every byte string.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "core/sdn/json.h"
#include "core/sdn/json_string.h"

using sdndb::sdn::AppendJsonString;
using sdndb::sdn::DecodeByteEscapes;
using sdndb::sdn::DumpJson;
using sdndb::sdn::EscapeBytes;
using Json = nlohmann::ordered_json;

namespace {

std::string Quote(const std::string& s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string Decoded(std::string s) {
  DecodeByteEscapes(&s);
  return s;
}

// The UTF-8 form of a code point (no validity check: also encodes surrogates, for the tests).
std::string Utf8(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return out;
}

// Random byte strings built from pieces that stress the escape: valid UTF-8 of every length,
// lone and random bytes, truncated sequences, genuine U+10FF80..U+10FFFF and its neighbours,
// overlong forms, encoded surrogates, code points above U+10FFFF, JSON specials.
class Pieces {
 public:
  explicit Pieces(uint64_t seed) : rng_(seed) {}

  uint32_t Pick(uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng_); }

  std::string Piece() {
    switch (Pick(0, 11)) {
      case 0: return std::string(1, static_cast<char>(Pick(0x00, 0x7F)));            // ASCII, controls, NUL
      case 1: return std::string(1, static_cast<char>(Pick(0x80, 0xFF)));            // any high byte
      case 2: return Utf8(Pick(0x80, 0x7FF));                                        // 2-byte
      case 3: {                                                                      // 3-byte, no surrogate
        uint32_t cp = Pick(0x800, 0xFFFF);
        return Utf8(cp >= 0xD800 && cp <= 0xDFFF ? cp + 0x800 : cp);
      }
      case 4: return Utf8(Pick(0x10000, 0x10FFFF));                                  // 4-byte
      case 5: return Utf8(Pick(0x10FF70, 0x10FFFF));                                 // the reserved range and below
      case 6: {                                                                      // truncated sequence
        std::string s = Utf8(Pick(0x80, 0x10FFFF));
        return s.substr(0, Pick(1, static_cast<uint32_t>(s.size()) - 1 + (s.size() == 1)));
      }
      case 7: {                                                                      // overlong
        static const char* kOverlong[] = {"\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xE0\x9F\xBF", "\xF0\x80\x80\xAF",
                                          "\xF0\x8F\xBF\xBF"};
        return kOverlong[Pick(0, 5)];
      }
      case 8: return Utf8(Pick(0xD800, 0xDFFF));                                     // surrogate, ED A0..BF xx
      case 9: {                                                                      // above U+10FFFF, F5..FF leads
        std::string s = "\xF4\x90\x80\x80";
        s[0] = static_cast<char>(Pick(0xF4, 0xFF));
        if (static_cast<unsigned char>(s[0]) > 0xF4) s[1] = static_cast<char>(Pick(0x80, 0xBF));
        return s;
      }
      case 10: {                                                                     // escape lookalikes
        static const char* kNear[] = {"\xF4\x8F\xBE", "\xF4\x8F", "\xF4\x8F\xBF\xC0", "\xF4\x8F\xBD\xBF", "\xF4"};
        return kNear[Pick(0, 4)];
      }
      default: {
        static const char* kSpecial[] = {"\"", "\\", "/", "\\u", "a", " ", "\n", "\t"};
        return kSpecial[Pick(0, 7)];
      }
    }
  }

  std::string Text() {
    std::string s;
    for (uint32_t n = Pick(0, 12); n > 0; --n) s += Piece();
    return s;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

TEST_CASE("exact encodings") {
  CHECK(Quote("plain") == "\"plain\"");
  CHECK(Quote("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");  // valid: as is
  CHECK(Quote("x\xFFy") == "\"x\xF4\x8F\xBF\xBFy\"");   // 0xFF -> U+10FFFF
  CHECK(Quote("\x80") == "\"\xF4\x8F\xBE\x80\"");       // 0x80 -> U+10FF80
  CHECK(Quote("\xBF\xC0") == "\"\xF4\x8F\xBE\xBF\xF4\x8F\xBF\x80\"");  // third byte BE below 0xC0, BF from it
  CHECK(Quote("\xC3") == "\"\xF4\x8F\xBF\x83\"");       // truncated sequence: its byte
  CHECK(Quote("\xED\xA0\x80") == "\"\xF4\x8F\xBF\xAD\xF4\x8F\xBE\xA0\xF4\x8F\xBE\x80\"");  // encoded surrogate
  // A genuine U+10FFFF is four escapes, one per byte (F4 8F BF BF), so the mapping stays injective.
  CHECK(Quote("\xF4\x8F\xBF\xBF") ==
        "\"\xF4\x8F\xBF\xB4\xF4\x8F\xBE\x8F\xF4\x8F\xBE\xBF\xF4\x8F\xBE\xBF\"");
  CHECK(Quote("\xF4\x8F\xBD\xBF") == "\"\xF4\x8F\xBD\xBF\"");  // U+10FF7F, just below the range: as is
  CHECK(Quote("q\"\\\n\x01") == "\"q\\\"\\\\\\n\\u0001\"");
  CHECK(EscapeBytes("a\xFF") == "a\xF4\x8F\xBF\xBF");
  // Decoding: every U+10FF80..U+10FFFF to its byte, whichever JSON spelling carried it.
  CHECK(Decoded("x\xF4\x8F\xBF\xBFy") == "x\xFFy");
  CHECK(Json::parse("\"\\udbff\\udfff\\udbff\\udf80\"").get<std::string>() == "\xF4\x8F\xBF\xBF\xF4\x8F\xBE\x80");
  CHECK(Decoded(Json::parse("\"\\udbff\\udfff\\udbff\\udf80\"").get<std::string>()) == "\xFF\x80");
  CHECK(Decoded("\xF4\x8F\xBD\xBF") == "\xF4\x8F\xBD\xBF");  // U+10FF7F is not an escape
  std::string unchanged = "plain \xC3\xA9";
  CHECK_FALSE(DecodeByteEscapes(&unchanged));
  CHECK(unchanged == "plain \xC3\xA9");
}

TEST_CASE("DumpJson escapes keys and values, also where nlohmann's own dump would pass the text") {
  Json j = Json::object();
  j["k\xFF"] = "v\x80";
  CHECK(DumpJson(j) == "{\"k\xF4\x8F\xBF\xBF\":\"v\xF4\x8F\xBE\x80\"}");
  // Valid UTF-8 only, so nlohmann's dump succeeds, but a genuine U+10FFFF must still be escaped.
  Json genuine = Json::array({"\xF4\x8F\xBF\xBF"});
  CHECK(DumpJson(genuine) == "[\"\xF4\x8F\xBF\xB4\xF4\x8F\xBE\x8F\xF4\x8F\xBE\xBF\xF4\x8F\xBE\xBF\"]");
  CHECK(DumpJson(Json::array({"\xF4\x8F\xBF\xBF"}), 2) == "[\n  \"" + EscapeBytes("\xF4\x8F\xBF\xBF") + "\"\n]");
  // Decoding a tree: keys (rebuilt, order kept) and nested values.
  Json back = Json::parse(DumpJson(Json{{"a", 1}, {"k\xFF", Json::array({"v\x80", 2})}, {"z", "\xC3"}}));
  sdndb::sdn::DecodeByteEscapes(&back);
  CHECK(back == Json{{"a", 1}, {"k\xFF", Json::array({"v\x80", 2})}, {"z", "\xC3"}});
  CHECK(back.begin().key() == "a");
  // Two keys that decode alike: the last wins, as the parser does for a repeated key.
  Json twice = Json::parse("{\"\xC3\xA9\":1,\"\xF4\x8F\xBF\x83\xF4\x8F\xBE\xA9\":2}");
  sdndb::sdn::DecodeByteEscapes(&twice);
  CHECK(twice.size() == 1);
  CHECK(twice["\xC3\xA9"] == 2);
}

TEST_CASE("property: any bytes -> JSON a strict decoder accepts -> the same bytes") {
  for (uint64_t seed = 1; seed <= 20000; ++seed) {
    Pieces gen(seed);
    const std::string original = gen.Text();
    CAPTURE(seed);
    const std::string quoted = Quote(original);
    Json parsed;
    try {
      parsed = Json::parse(quoted);  // nlohmann is strict: invalid UTF-8 or a lone surrogate throws
    } catch (const std::exception& e) {
      FAIL("not accepted by the strict decoder: " << e.what());
    }
    REQUIRE(parsed.is_string());
    CHECK(Decoded(parsed.get<std::string>()) == original);
    CHECK(EscapeBytes(original) == parsed.get<std::string>());
    // The same through DumpJson, as an object key and value, pretty or compact.
    Json tree = Json::object();
    tree[original] = Json::array({original, 1});
    Json back = Json::parse(DumpJson(tree, static_cast<int>(seed % 3) - 1));
    sdndb::sdn::DecodeByteEscapes(&back);
    CHECK(back == tree);
  }
}
