// CRC-32 known vectors and the #sdn-crc32 seal of the Simple project.
#include <doctest/doctest.h>

#include <string>

#include "core/io/crc32.h"

using namespace sdndb;

TEST_CASE("crc32: known vectors") {
  CHECK(Crc32("") == 0u);
  CHECK(Crc32("123456789") == 3421780262u);  // 0xCBF43926
  CHECK(Crc32("a") == 0xE8B7BE43u);
  CHECK(Crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);
  CHECK(Crc32(std::string(32, '\0')) == 0x190A55ADu);
  CHECK(Crc32("hello\nworld\n") == 3301268991u);  // `printf 'hello\nworld\n' | gzip -c -n | tail -c 8 | od -An -tu4`
}

TEST_CASE("crc32: incremental computation equals one pass") {
  const std::string s = "todos |id, title|\n  1, \"write tests\"\n";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    CHECK(Crc32(s.substr(cut), Crc32(s.substr(0, cut))) == Crc32(s));
  }
}

TEST_CASE("crc32: seal detection") {
  CHECK(HasCrcSeal("#sdn-crc32:1\nx"));
  CHECK(HasCrcSeal("#sdn-crc32:1"));
  CHECK_FALSE(HasCrcSeal("# sdn-crc32:1\nx"));
  CHECK_FALSE(HasCrcSeal("x\n#sdn-crc32:1\n"));
  CHECK_FALSE(HasCrcSeal(""));
}

TEST_CASE("crc32: seal verify, mismatch, reseal") {
  const std::string good = "#sdn-crc32:3301268991\nhello\nworld\n";
  CHECK(VerifyCrcSeal(good, "bug_db.sdn").ok());
  CHECK(VerifyCrcSeal("no seal\n", "bug_db.sdn").ok());  // absent = nothing to check

  const std::string edited = "#sdn-crc32:3301268991\nhello\nWorld\n";
  Status s = VerifyCrcSeal(edited, "bug_db.sdn");
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kCorruption);
  CHECK(s.message().rfind("bug_db.sdn:", 0) == 0);
  CHECK(s.message().find("3301268991") != std::string::npos);
  CHECK(s.message().find("mismatch") != std::string::npos);

  Status bad = VerifyCrcSeal("#sdn-crc32:12x\nhello\n", "t.sdn");
  CHECK(bad.code() == StatusCode::kCorruption);
  CHECK(bad.message().find("malformed") != std::string::npos);
  CHECK(VerifyCrcSeal("#sdn-crc32:99999999999\nhello\n", "t.sdn").code() == StatusCode::kCorruption);

  const std::string resealed = ResealCrc(edited);
  CHECK(resealed == "#sdn-crc32:" + std::to_string(Crc32("hello\nWorld\n")) + "\nhello\nWorld\n");
  CHECK(VerifyCrcSeal(resealed, "bug_db.sdn").ok());
  CHECK(ResealCrc(good) == good);  // already valid: unchanged
}

TEST_CASE("crc32: CRLF seal lines and edge cases") {
  const std::string body = "a: 1\r\nb: 2\r\n";
  const std::string sealed = ResealCrc("#sdn-crc32:0\r\n" + body);
  CHECK(sealed == "#sdn-crc32:" + std::to_string(Crc32(body)) + "\r\n" + body);
  CHECK(VerifyCrcSeal(sealed, "f").ok());
  // The body is everything after the first line: the CR of the seal line is not part of it.
  CHECK(VerifyCrcSeal("#sdn-crc32:" + std::to_string(Crc32(body)) + "\n" + body, "f").ok());
  // Seal with an empty body.
  CHECK(VerifyCrcSeal("#sdn-crc32:0\n", "f").ok());
  CHECK(VerifyCrcSeal("#sdn-crc32:0", "f").ok());
  // A file without a seal gets one in front; nothing else changes.
  CHECK(ResealCrc("a: 1\n") == "#sdn-crc32:" + std::to_string(Crc32("a: 1\n")) + "\na: 1\n");
  CHECK(ResealCrc("a: 1\r\nb\r\n") == "#sdn-crc32:" + std::to_string(Crc32("a: 1\r\nb\r\n")) + "\r\na: 1\r\nb\r\n");
  // Only the first line is the seal: a second seal-like line is body.
  const std::string twice = ResealCrc("#sdn-crc32:0\n#sdn-crc32:5\nx\n");
  CHECK(VerifyCrcSeal(twice, "f").ok());
  CHECK(twice.find("\n#sdn-crc32:5\nx\n") != std::string::npos);
}

TEST_CASE("crc32: blanks around the number are accepted and kept by a reseal") {
  const std::string body = "bugs |id|\n    1\n";
  const std::string crc = std::to_string(Crc32(body));
  for (const std::string& line : {"#sdn-crc32: " + crc, "#sdn-crc32:\t" + crc + " ", "#sdn-crc32:  " + crc + "\r"}) {
    CAPTURE(line);
    const std::string text = line + "\n" + body;
    CHECK(VerifyCrcSeal(text, "bug_db.sdn").ok());
    // A reseal after an edit changes only the digits.
    const std::string edited = line + "\n" + body + "    2\n";
    CHECK_FALSE(VerifyCrcSeal(edited, "bug_db.sdn").ok());
    const std::string resealed = ResealCrc(edited);
    CHECK(VerifyCrcSeal(resealed, "bug_db.sdn").ok());
    const std::string new_crc = std::to_string(Crc32(body + "    2\n"));
    std::string expected_line = line;
    expected_line.replace(expected_line.find(crc), crc.size(), new_crc);
    CHECK(resealed == expected_line + "\n" + body + "    2\n");
  }
  CHECK_FALSE(VerifyCrcSeal("#sdn-crc32: 12 34\n" + body, "x").ok());  // one number only
  CHECK_FALSE(VerifyCrcSeal("#sdn-crc32: \n" + body, "x").ok());
}
