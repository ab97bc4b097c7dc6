// Malformed input: every error is reported as "file:line:col: message", then the source line
// and a caret under the column (1-based, in characters).
#include <doctest/doctest.h>

#include <string>

#include "core/sdn/document.h"

using sdndb::StatusCode;
using sdndb::sdn::Document;
using sdndb::sdn::ParseOptions;

namespace {

struct ErrorCase {
  const char* input;
  const char* location;  // "line:col"
  const char* message;
};

// The first line of the error message: "<input>:line:col: message".
std::string FirstLine(const std::string& message) { return message.substr(0, message.find('\n')); }

}  // namespace

TEST_CASE("errors: position and message of malformed documents") {
  const ErrorCase cases[] = {
      {"a: \"abc\n", "1:4", "unterminated quoted string"},
      {"t |a, b|\n    1, \"x\n", "2:8", "unterminated quoted string"},
      {"t |a, b|\n    1, 2, 3\n", "2:5", "row has 3 cells, table 't' has 2 columns"},
      {"t |a, b|\n    1\n", "2:5", "row has 1 cell, table 't' has 2 columns"},
      {"t |a, b\n    1, 2\n", "1:3", "unclosed table header: missing '|'"},
      {"a = [1, 2\n", "1:5", "unclosed '['"},
      {"a = [1, 2}\n", "1:10", "mismatched '}', expected ']'"},
      {"a = {x: 1\n", "1:5", "unclosed '{'"},
      {"a: 1\n    b: 2\n", "2:5", "unexpected indentation"},
      {"  a: 1\n", "1:3", "unexpected indentation"},
      {"a:\n    b: 1\n  c: 2\n", "3:3", "indentation does not match any enclosing block"},
      {"a:\n    b: 1\n        c: 2\n", "3:9", "unexpected indentation"},
      {"company Acme\n", "1:9", "expected ':', '=' or '|' after key 'company'"},
      {"key\n", "1:4", "expected ':', '=' or '|' after key 'key'"},
      {"\"x\": 1\n", "1:1", "expected a key"},
      {"a =\n", "1:4", "expected a value after '='"},
      {"t: table{i32, i32\n", "1:9", "unclosed table type list: missing '}'"},
      {"t: table{i32} = (1)\n", "1:17", "expected '[' with the rows of typed table"},
      {"t |a,|\n", "1:6", "empty column name"},
      {"t |a, b|\n    \"\xC3\xA9\", \"\xC3\xBC\n", "2:10", "unterminated quoted string"},
      {"a = [1, \"x]\n", "1:9", "unterminated quoted string"},
      {"t |a|\r\n    1, 2\r\n", "2:5", "row has 2 cells, table 't' has 1 column"},
      {"a:\n\tb: 1\n\t  c: 2\n", "3:4", "unexpected indentation"},
      {"t |a, b| 1, 2, 3\n", "1:10", "row has 3 cells, table 't' has 2 columns"},
      {"a = {x 1}\n", "1:8", "expected ':' after key in inline dict"},
      {"a = [1, , 2]\n", "1:9", "expected a value before ','"},
      {"t |a|\n    foo \"bar\n", "2:9", "unterminated quoted string"},
      {"t |a, b|\n    [1, 2, 3\n", "2:5", "unclosed '['"},
      {"x: 1\nt |a, b|\n    1, {a: [}\n", "3:13", "mismatched '}', expected ']'"},
      {"a = ]\n", "1:5", "unbalanced ']'"},
      {"t |a, b|\n    1, }\n", "2:8", "unbalanced '}'"},
      {"t |a, b|\n    1, 2\n\n  x: 1\n", "4:3", "row has 1 cell, table 't' has 2 columns"},
      {"# c\n\n\"\xE2\x9C\x85 x\" |a|\n", "3:1", "expected a key"},
      {"t |a, b|\n    1, \"multi\nline\", 3\n", "2:5", "row has 3 cells, table 't' has 2 columns"},
      {"t |a, b|\n    1, \"multi\nline\"\n    2, \"x\n", "4:8", "unterminated quoted string"},
      {"a: [1,\n  2,\n  {x: \"y}]\n", "3:7", "unterminated quoted string"},
  };
  for (const ErrorCase& c : cases) {
    CAPTURE(c.input);
    auto parsed = Document::Parse(c.input);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == StatusCode::kParseError);
    CHECK(FirstLine(parsed.status().message()) == std::string("<input>:") + c.location + ": " + c.message);
  }
}

TEST_CASE("errors: message shows the source line and a caret, with the file name") {
  ParseOptions options;
  options.file_name = "todo_db.sdn";
  auto parsed = Document::Parse("todos |id, status|\n    1, open\n    2, open, extra\n", options);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() ==
        "todo_db.sdn:3:5: row has 3 cells, table 'todos' has 2 columns\n"
        "    2, open, extra\n"
        "    ^");
  // Tabs in the source line are kept in the caret line so the caret lines up.
  parsed = Document::Parse("t |a|\n\t\"x\n", options);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() == "todo_db.sdn:2:2: unterminated quoted string\n\t\"x\n\t^");
  // Columns count characters, not bytes.
  parsed = Document::Parse("k = [\"\xC3\xA9t\xC3\xA9\", [\n", options);
  REQUIRE_FALSE(parsed.ok());
  CHECK(FirstLine(parsed.status().message()) == "todo_db.sdn:1:13: unclosed '['");
  CHECK(parsed.status().message().substr(parsed.status().message().rfind('\n') + 1) == "            ^");
}

TEST_CASE("errors: nesting deeper than max_depth") {
  auto parsed = Document::Parse("a = " + std::string(100, '[') + std::string(100, ']') + "\n");
  REQUIRE_FALSE(parsed.ok());
  CHECK(FirstLine(parsed.status().message()) == "<input>:1:68: nesting deeper than 64 levels");

  std::string blocks;
  for (int i = 0; i < 6; ++i) blocks += std::string(static_cast<size_t>(i) * 2, ' ') + "k:\n";
  blocks += std::string(12, ' ') + "v: 1\n";
  ParseOptions options;
  options.max_depth = 3;
  parsed = Document::Parse(blocks, options);
  REQUIRE_FALSE(parsed.ok());
  CHECK(FirstLine(parsed.status().message()) == "<input>:5:9: nesting deeper than 3 levels");
  options.max_depth = 10;
  CHECK(Document::Parse(blocks, options).ok());

  // Deep brackets inside a table cell are bounded too.
  parsed = Document::Parse("t |a|\n    " + std::string(5000, '[') + "\n");
  REQUIRE_FALSE(parsed.ok());
  CHECK(FirstLine(parsed.status().message()).find("nesting deeper than 64 levels") != std::string::npos);
}

TEST_CASE("errors: never crash on truncated prefixes of a valid document") {
  const std::string text =
      "# header\nconfig:\n    name: \"x, y\"\n    list = [1, [2, 3], {a: \"b\"}]\n"
      "t |id, v|\n    1, \"a\\\"b\"\n    2, [1, 2] # c\ntt: table{i32, i32} = [(1, 2), (3, 4)]\n"
      "d: |\n    text\n\n    more\nend: 1\n";
  REQUIRE(Document::Parse(text).ok());
  for (size_t n = 0; n <= text.size(); ++n) {
    auto parsed = Document::Parse(text.substr(0, n));
    if (parsed.ok()) CHECK(parsed.value()->Serialize() == text.substr(0, n));
  }
}
