// Malformed input: every error is reported as "file:line:col: message", then the source line
// and a caret under the column (1-based, in characters). A quote never closed fails the whole
// parse; every other error is a problem of its row or block and the rest is still read.
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

// The report of the first error: the failed parse's message, else the first problem's report.
std::string FirstError(const std::string& input, const ParseOptions& options = {}) {
  auto parsed = Document::Parse(input, options);
  if (!parsed.ok()) return parsed.status().message();
  REQUIRE_FALSE(parsed.value()->problems().empty());
  // Whatever could not be read is still there byte for byte.
  CHECK(parsed.value()->Serialize() == input);
  return parsed.value()->problems()[0].report;
}

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
    // Only a quote that is never closed takes the whole document down.
    const bool unterminated = std::string(c.message) == "unterminated quoted string";
    CHECK(parsed.ok() == !unterminated);
    if (!parsed.ok()) CHECK(parsed.status().code() == StatusCode::kParseError);
    CHECK(FirstLine(FirstError(c.input)) == std::string("<input>:") + c.location + ": " + c.message);
  }
}

TEST_CASE("errors: a malformed row or block is a problem; the rest stays readable") {
  ParseOptions options;
  options.file_name = "bug_db.sdn";
  const std::string text =
      "notes |id, note|\n"
      "    1, ok\n"
      "    2\n"              // too few cells
      "    3, \"open\n"      // a quote not closed on its line: this line alone is malformed
      "    4, \"fine\"\n"
      "broken = [1, 2]]\n"   // a stray bracket: the block is kept and reported
      "other |a|\n"
      "    x\n";
  auto parsed = Document::Parse(text, options);
  REQUIRE(parsed.ok());
  const Document& doc = *parsed.value();
  CHECK(doc.Serialize() == text);
  REQUIRE(doc.table_count() == 2);
  const auto* notes = doc.table(0);
  REQUIRE(notes->row_count() == 2);
  CHECK(notes->Cell(0, 1) == "ok");
  CHECK(notes->Cell(1, 0) == "4");
  CHECK(notes->Cell(1, 1) == "fine");
  CHECK(doc.table(1)->Cell(0, 0) == "x");
  REQUIRE(doc.problems().size() == 3);
  CHECK(doc.problem_count() == 3);
  CHECK(doc.problems()[0].line == 3);
  CHECK(doc.problems()[0].column == 5);
  CHECK(doc.problems()[0].table == "notes");
  CHECK(doc.problems()[0].message == "row has 1 cell, table 'notes' has 2 columns");
  CHECK(FirstLine(doc.problems()[0].report) == "bug_db.sdn:3:5: row has 1 cell, table 'notes' has 2 columns");
  CHECK(doc.problems()[1].line == 4);
  CHECK(doc.problems()[1].table == "notes");
  CHECK(doc.problems()[2].line == 6);
  CHECK(doc.problems()[2].column == 16);
  CHECK(doc.problems()[2].table.empty());
  CHECK(doc.problems()[2].message == "unbalanced ']'");
  CHECK(doc.TableProblems("notes").size() == 2);
  // The broken block is no value of the document; the tables around it are.
  sdndb::sdn::Value root = doc.ToValue();
  REQUIRE(root.entries.size() == 2);
  CHECK(root.entries[0].first == "notes");
  CHECK(root.entries[1].first == "other");
}

TEST_CASE("errors: message shows the source line and a caret, with the file name") {
  ParseOptions options;
  options.file_name = "todo_db.sdn";
  CHECK(FirstError("todos |id, status|\n    1, open\n    2, \"open\", extra\n", options) ==
        "todo_db.sdn:3:5: row has 3 cells, table 'todos' has 2 columns\n"
        "    2, \"open\", extra\n"
        "    ^");
  auto parsed = Document::Parse("", options);
  // Tabs in the source line are kept in the caret line so the caret lines up.
  parsed = Document::Parse("t |a|\n\t\"x\n", options);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() == "todo_db.sdn:2:2: unterminated quoted string\n\t\"x\n\t^");
  // Columns count characters, not bytes.
  const std::string report = FirstError("k = [\"\xC3\xA9t\xC3\xA9\", [\n", options);
  CHECK(FirstLine(report) == "todo_db.sdn:1:13: unclosed '['");
  CHECK(report.substr(report.rfind('\n') + 1) == "            ^");
}

TEST_CASE("errors: nesting deeper than max_depth") {
  CHECK(FirstLine(FirstError("a = " + std::string(100, '[') + std::string(100, ']') + "\n")) ==
        "<input>:1:68: nesting deeper than 64 levels");

  std::string blocks;
  for (int i = 0; i < 6; ++i) blocks += std::string(static_cast<size_t>(i) * 2, ' ') + "k:\n";
  blocks += std::string(12, ' ') + "v: 1\n";
  ParseOptions options;
  options.max_depth = 3;
  CHECK(FirstLine(FirstError(blocks, options)) == "<input>:5:9: nesting deeper than 3 levels");
  options.max_depth = 10;
  auto parsed = Document::Parse(blocks, options);
  REQUIRE(parsed.ok());
  CHECK(parsed.value()->problems().empty());

  // Deep brackets inside a table cell are bounded too.
  CHECK(FirstLine(FirstError("t |a|\n    " + std::string(5000, '[') + "\n")).find("nesting deeper than 64 levels") !=
        std::string::npos);
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
