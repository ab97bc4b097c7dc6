// Parsing: the SDN language (comments, primitives, dicts, arrays, blocks, tables, typed tables,
// YAML-like text), the lossless round trip of tricky layouts, warnings, ToValue and JSON.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "core/sdn/document.h"
#include "core/sdn/json.h"

using sdndb::sdn::CanonicalCell;
using sdndb::sdn::CellKind;
using sdndb::sdn::Document;
using sdndb::sdn::ParseOptions;
using sdndb::sdn::QuoteString;
using sdndb::sdn::Table;
using sdndb::sdn::ToJson;
using sdndb::sdn::UnescapeQuoted;
using sdndb::sdn::Value;
using Json = nlohmann::ordered_json;

namespace {

std::unique_ptr<Document> MustParse(const std::string& text) {
  auto parsed = Document::Parse(text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
  std::unique_ptr<Document> doc = std::move(parsed).value();
  CHECK(doc->Serialize() == text);
  return doc;
}

Json JsonOf(const std::string& text) { return ToJson(MustParse(text)->ToValue()); }

}  // namespace

TEST_CASE("primitives: ints, floats, bools, null, bare and quoted strings") {
  auto doc = MustParse(
      "i: 42\nneg: -7\nbig: 1_000_000\nhex: 0xC0_00\nf: 1.5\ne: -2.5e3\nt: true\nff: false\n"
      "n: null\nnl: nil\nbare: hello/world.txt-1#x\nq: \"a \\\"b\\\" \\\\ \\n\\t\\r \\z\"\nempty:\n");
  Value v = doc->ToValue();
  REQUIRE(v.entries.size() == 13);
  CHECK(v.entries[0].second.kind == Value::Kind::kInt);
  CHECK(v.entries[0].second.i == 42);
  CHECK(v.entries[1].second.i == -7);
  CHECK(v.entries[2].second.i == 1000000);
  CHECK(v.entries[2].second.s == "1_000_000");
  CHECK(v.entries[3].second.i == 0xC000);
  CHECK(v.entries[4].second.kind == Value::Kind::kFloat);
  CHECK(v.entries[4].second.f == 1.5);
  CHECK(v.entries[5].second.f == -2500.0);
  CHECK(v.entries[6].second.kind == Value::Kind::kBool);
  CHECK(v.entries[6].second.b);
  CHECK_FALSE(v.entries[7].second.b);
  CHECK(v.entries[8].second.kind == Value::Kind::kNull);
  CHECK(v.entries[9].second.kind == Value::Kind::kNull);
  CHECK(v.entries[10].second.s == "hello/world.txt-1#x");
  CHECK(v.entries[11].second.s == "a \"b\" \\ \n\t\r \\z");
  CHECK(v.entries[12].second.kind == Value::Kind::kNull);
  CHECK(doc->warnings().empty());
}

TEST_CASE("comments: whole-line, trailing, inside words and inside quotes") {
  Json j = JsonOf("# top\nurl: file.md#section  # trailing\nq: \"# not a comment\" # yes\n  # indented comment\n");
  CHECK(j["url"] == "file.md#section");
  CHECK(j["q"] == "# not a comment");
}

TEST_CASE("dicts and arrays: short form spanning lines, long form, nesting") {
  Json j = JsonOf(
      "inline = {a: 1, b: [1, 2, 3], c: {d: \"x\"},}\n"
      "multi = [\n    1,  # one\n    \"two\",\n    [3, 4],\n]\n"
      "server:\n    host: localhost\n    port: 8080\n    tls:\n        enabled: true\n        ciphers = [a, b]\n"
      "\n    limits: {max: 10}\n"
      "list:\n    1\n    \"two\"\n    [3]\n"
      "two_space:\n  a: 1\n  b:\n    c: 2\n");
  CHECK(j["inline"] == Json::parse(R"({"a":1,"b":[1,2,3],"c":{"d":"x"}})"));
  CHECK(j["multi"] == Json::parse(R"([1,"two",[3,4]])"));
  CHECK(j["server"] ==
        Json::parse(R"({"host":"localhost","port":8080,"tls":{"enabled":true,"ciphers":["a","b"]},"limits":{"max":10}})"));
  CHECK(j["list"] == Json::parse(R"([1,"two",[3]])"));
  CHECK(j["two_space"] == Json::parse(R"({"a":1,"b":{"c":2}})"));
}

TEST_CASE("tables: named long and short form, typed long and short form, several per file") {
  auto doc = MustParse(
      "people |name, age|\n    alice, 30\n    \"Bob, Jr.\", 41\n\n"
      "point |x, y| 10, 20\n"
      "coords: table{i32, i32} = [(10, 20), (30, 40),]\n"
      "matrix: table{i32, i32, i32}\n    1, 0, 0\n    0, 1, 0\n"
      "cfg:\n    inner |k, v|\n        a, 1\n        b, 2\n");
  REQUIRE(doc->table_count() == 2);
  const Table* people = doc->FindTable("people");
  REQUIRE(people != nullptr);
  CHECK_FALSE(people->typed());
  CHECK(people->row_count() == 2);
  CHECK(people->Cell(1, 0) == "Bob, Jr.");
  CHECK(people->CellValue(1, 1).i == 41);
  const Table* matrix = doc->FindTable("matrix");
  REQUIRE(matrix != nullptr);
  CHECK(matrix->typed());
  CHECK(matrix->columns() == std::vector<std::string>{"i32", "i32", "i32"});
  CHECK(matrix->row_count() == 2);
  CHECK(doc->FindTable("point") == nullptr);  // short forms are read-only values
  Json j = ToJson(doc->ToValue());
  CHECK(j["people"] == Json::parse(R"([{"name":"alice","age":30},{"name":"Bob, Jr.","age":41}])"));
  CHECK(j["point"] == Json::parse(R"([{"x":10,"y":20}])"));
  CHECK(j["coords"] == Json::parse(R"({"types":["i32","i32"],"rows":[[10,20],[30,40]]})"));
  CHECK(j["matrix"] == Json::parse(R"({"types":["i32","i32","i32"],"rows":[[1,0,0],[0,1,0]]})"));
  CHECK(j["cfg"]["inner"] == Json::parse(R"([{"k":"a","v":1},{"k":"b","v":2}])"));
}

TEST_CASE("table cells: kinds, empty cells, trailing comma, comments, inline values, multi-line quotes") {
  auto doc = MustParse(
      "t |a, b, c, d|\n"
      "    1, 2.5, true, null\n"
      "    , \"\", x y z, [1, 2, {k: v}]\n"
      "    word, 0x1F, \"multi\nline, with comma\", 14a73b269158\n"
      "    a,b,c,  # comment eats the rest, d\n"
      "    \"q\", 2, 3, \"4\"#c\n"
      "    nil, , , \n"
      "    a, b, c, d # trailing\n");
  const Table* t = doc->table(0);
  REQUIRE(t->row_count() == 7);
  CHECK(t->Kind(0, 0) == CellKind::kInt);
  CHECK(t->Kind(0, 1) == CellKind::kFloat);
  CHECK(t->Kind(0, 2) == CellKind::kBool);
  CHECK(t->Kind(0, 3) == CellKind::kNull);
  CHECK(t->Kind(1, 0) == CellKind::kEmpty);
  CHECK(t->Kind(1, 1) == CellKind::kQuoted);
  CHECK(t->Cell(1, 1).empty());
  CHECK(t->Kind(1, 2) == CellKind::kText);
  CHECK(t->Cell(1, 2) == "x y z");
  CHECK(t->Kind(1, 3) == CellKind::kInline);
  CHECK(ToJson(t->CellValue(1, 3)) == Json::parse(R"([1,2,{"k":"v"}])"));
  CHECK(t->Kind(2, 0) == CellKind::kBare);
  CHECK(t->CellValue(2, 1).i == 31);
  CHECK(t->Cell(2, 2) == "multi\nline, with comma");
  CHECK(t->Kind(2, 3) == CellKind::kText);
  CHECK(t->Cell(2, 3) == "14a73b269158");
  CHECK(t->RowLine(3) == 6);
  CHECK(t->Cell(3, 2) == "c");
  CHECK(t->Kind(3, 3) == CellKind::kEmpty);  // `#` after a comma starts a comment
  CHECK(t->Cell(4, 0) == "q");
  CHECK(t->RawCell(4, 0) == "\"q\"");
  CHECK(t->Cell(4, 3) == "4");
  CHECK(t->Kind(5, 0) == CellKind::kNull);
  CHECK(t->Kind(5, 3) == CellKind::kEmpty);
  CHECK(t->Cell(6, 3) == "d");
  CHECK(t->RowText(6) == "    a, b, c, d # trailing\n");
  CHECK(doc->warnings().size() == 2);  // `x y z` and `14a73b269158`
}

TEST_CASE("foreign but well-formed text is kept exactly, with warnings") {
  auto doc = MustParse(
      "created: 2026-02-06\ncompany: Acme Corp  # comment\nversion: 2.1.0\nhost: 0.0.0.0\n"
      "t |id, when, who|\n    14a73b269158, 2026-01-29T12:00:00, Alice Chen\n");
  Json j = ToJson(doc->ToValue());
  CHECK(j["created"] == "2026-02-06");
  CHECK(j["company"] == "Acme Corp");
  CHECK(j["version"] == "2.1.0");
  CHECK(j["host"] == "0.0.0.0");
  CHECK(j["t"][0]["id"] == "14a73b269158");
  CHECK(j["t"][0]["when"] == "2026-01-29T12:00:00");
  CHECK(j["t"][0]["who"] == "Alice Chen");
  REQUIRE(doc->warnings().size() == 7);
  CHECK(doc->warnings()[0].line == 1);
  CHECK(doc->warnings()[0].column == 10);
  CHECK(doc->warnings()[6].line == 6);
  CHECK(doc->warnings()[6].column == 40);
}

TEST_CASE("verbatim text ends the same way in a value line, an inline array and a table row") {
  // body -> the string all three contexts keep
  const std::pair<std::string, std::string> cases[] = {
      {"x y\r# c", "x y"},              // a lone CR is a blank: the `#` starts a comment
      {"x y\t# c", "x y"},
      {"x y # c", "x y"},
      {"x y#c", "x y#c"},                // `#` inside a word is text
      {"x \"a # b\" y # c", "x \"a # b\" y"},  // `#` inside quotes is text
      {"2026-01-02 # d", "2026-01-02"},
      {"a  b \r", "a  b"},               // trailing blanks are not part of the value
  };
  for (const auto& [body, expected] : cases) {
    CAPTURE(body);
    auto doc = MustParse("v = " + body + "\nw = [" + body + "\n]\nt |a|\n    " + body + "\n");
    Json j = ToJson(doc->ToValue());
    CHECK(j["v"] == expected);
    CHECK(j["w"][0] == expected);
    CHECK(j["t"][0]["a"] == expected);
    CHECK(doc->table(0)->Cell(0, 0) == expected);
  }
}

TEST_CASE("max_warnings caps the warnings of every kind of row and value line") {
  std::string text = "t |id, when|\n";
  for (int i = 0; i < 20; ++i) text += "    " + std::to_string(i) + ", 2026-01-" + std::to_string(10 + i) + "\n";
  text += "short |a, b| 1.2.3, x y\nblock:\n  nested |a|\n    1.2.3\n    x y\nv: 1.2.3\nw: [x y, 1.2.3]\n";
  auto all = MustParse(text);
  CHECK(all->warnings().size() == 27);  // 20 table rows, 2 short-form cells, 2 nested rows, v, 2 in w
  for (size_t cap : {size_t{0}, size_t{1}, size_t{5}, size_t{21}, size_t{23}, size_t{26}, size_t{27}, size_t{100}}) {
    CAPTURE(cap);
    ParseOptions options;
    options.max_warnings = cap;
    auto parsed = Document::Parse(text, options);
    REQUIRE(parsed.ok());
    const auto& warnings = parsed.value()->warnings();
    REQUIRE(warnings.size() == std::min<size_t>(cap, 27));
    for (size_t i = 0; i < warnings.size(); ++i) {
      CHECK(warnings[i].line == all->warnings()[i].line);
      CHECK(warnings[i].column == all->warnings()[i].column);
      CHECK(warnings[i].message == all->warnings()[i].message);
    }
  }
}

TEST_CASE("YAML-like text blocks and repeated keys") {
  auto doc = MustParse(
      "id: A\ndescription: |\n  first line\n\n    indented # not a comment\n  last\n\n\nid: B\n"
      "notes: |\n  x\nnotes: |\n  y\n");
  Value v = doc->ToValue();
  REQUIRE(v.entries.size() == 5);
  CHECK(v.entries[1].second.s == "first line\n\n  indented # not a comment\nlast\n");
  Json j = ToJson(v);
  CHECK(j["id"] == Json::parse(R"(["A","B"])"));
  CHECK(j["notes"] == Json::parse(R"(["x\n","y\n"])"));
  CHECK(doc->warnings().size() == 5);  // 3 text blocks, 2 repeated keys
  // A repeated key's array stands where the key first occurs; other keys keep their order.
  CHECK(sdndb::sdn::ToJsonText(MustParse("a: 1\nb: [2]\na: [3]\nc: 4\na: 5\n")->ToValue(), -1) ==
        R"({"a":[1,[3],5],"b":[2],"c":4})");
}

TEST_CASE("lossless: CRLF, tabs, missing final newline, blank and comment lines inside tables") {
  const char* inputs[] = {
      "t |a, b|\r\n    1, 2\r\n\r\n    # comment\r\n    3, 4\r\n\r\nx: 1\r\n",
      "t |a, b|\n\t1, 2\n\t3,\t4\n",
      "t |a, b|\n    1, 2",
      "t |a, b|",
      "",
      "\n\n# only comments\n",
      "cfg:\r\n    a: 1\r\n\r\n    b: \"x\"\r\n",
      "t |a, b|\n    1, 2   \n   \n    3, 4  # c\n# col0 comment\n    5, 6\n",
      "d: |\r\n  text\r\n\r\n  more\r\n",
      "a = [1,\n# comment\n2]\n",
      "k: \"multi\nline\"\nt |x|\n    \"a\nb\"\n",
      "\xEF\xBB\xBFt |a|\n    1\n",
  };
  for (const char* input : inputs) {
    CAPTURE(input);
    MustParse(input);
  }
  auto doc = MustParse("t |a, b|\r\n    1, 2\r\n\r\n    # comment\r\n    3, 4\r\n\r\nx: 1\r\n");
  CHECK(doc->line_ending() == "\r\n");
  const Table* t = doc->table(0);
  REQUIRE(t->row_count() == 2);
  CHECK(t->Cell(1, 1) == "4");
  CHECK(t->RowLine(1) == 5);
  CHECK(MustParse("t |a, b|\n    1, 2")->table(0)->Cell(0, 1) == "2");
}

TEST_CASE("FindRow builds the id index") {
  auto doc = MustParse("t |id, v|\n    1, a\n    \"2\", b\n    x-3, c\n    1, dup\n");
  const Table* t = doc->table(0);
  CHECK(t->FindRow("1") == 0);
  CHECK(t->FindRow("2") == 1);
  CHECK(t->FindRow("x-3") == 2);
  CHECK(t->FindRow("c", 1) == 2);
  CHECK(t->FindRow("nope") == -1);
  CHECK(t->FindRow("1", 7) == -1);
}

TEST_CASE("CanonicalCell, QuoteString, UnescapeQuoted") {
  CHECK(CanonicalCell("open") == "open");
  CHECK(CanonicalCell("src/a.b-c_d") == "src/a.b-c_d");
  CHECK(CanonicalCell("") == "\"\"");
  CHECK(CanonicalCell("two words") == "\"two words\"");
  CHECK(CanonicalCell("a,b") == "\"a,b\"");
  CHECK(CanonicalCell("a#b") == "\"a#b\"");
  CHECK(CanonicalCell("a:b") == "\"a:b\"");
  CHECK(CanonicalCell("a|b") == "\"a|b\"");
  CHECK(CanonicalCell(" a") == "\" a\"");
  CHECK(CanonicalCell("42") == "\"42\"");
  CHECK(CanonicalCell("-1.5") == "\"-1.5\"");
  CHECK(CanonicalCell("true") == "\"true\"");
  CHECK(CanonicalCell("nil") == "\"nil\"");
  CHECK(CanonicalCell("table") == "\"table\"");
  CHECK(CanonicalCell("./x") == "\"./x\"");
  CHECK(CanonicalCell("caf\xC3\xA9") == "\"caf\xC3\xA9\"");
  CHECK(CanonicalCell("say \"hi\"\n\t\\") == "\"say \\\"hi\\\"\\n\\t\\\\\"");
  CHECK(QuoteString("x") == "\"x\"");
  CHECK(UnescapeQuoted("a\\nb\\q\\") == "a\nb\\q\\");
}

TEST_CASE("JSON: scalars, non-finite floats, invalid UTF-8 does not throw") {
  Value v = Value::Dict();
  v.entries.emplace_back("f", Value::Float(1e308 * 10));
  v.entries.emplace_back("s", Value::String("bad \xFF utf8"));
  Json j = ToJson(v);
  CHECK(j["f"].is_null());
  // Invalid UTF-8: each byte as the reversible byte escape U+10FF00+B (docs/sdn.md, "Bytes are bytes").
  CHECK(sdndb::sdn::ToJsonText(v) == "{\"f\":null,\"s\":\"bad \xF4\x8F\xBF\xBF utf8\"}");
  CHECK(sdndb::sdn::ToJsonText(v, 2) == "{\n  \"f\": null,\n  \"s\": \"bad \xF4\x8F\xBF\xBF utf8\"\n}");
}

TEST_CASE("bytes are bytes: invalid UTF-8 round-trips through reads, edits and JSON") {
  // Lone continuation bytes, a truncated sequence, an overlong form, an encoded surrogate and
  // a byte above U+10FFFF, in bare cells, quoted cells, absorbed text and comments.
  const std::string bad[] = {"\x80", "\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF\xFE"};
  for (const std::string& b : bad) {
    CAPTURE(b);
    const std::string text = "# note " + b + "\nt |id, a, note|\n    1, x" + b + "y, \"q " + b + "\"\n"
                             "    2, plain, two words " + b + ", with commas\n";
    auto parsed = Document::Parse(text);
    REQUIRE(parsed.ok());
    Document& doc = *parsed.value();
    CHECK(doc.problems().empty());
    CHECK(doc.Serialize() == text);
    Table* t = doc.table(0);
    CHECK(t->Cell(0, 1) == "x" + b + "y");
    CHECK(t->Cell(0, 2) == "q " + b);
    CHECK(t->Cell(1, 2) == "two words " + b + ", with commas");
    // JSON: every invalid byte escaped, the rest as it is; mapping the escapes back gives the bytes.
    const std::string json = sdndb::sdn::ToJsonText(doc.ToValue());
    std::string escaped;
    for (unsigned char c : b) {
      escaped += std::string("\xF4\x8F") + static_cast<char>(c < 0xC0 ? 0xBE : 0xBF) + static_cast<char>(0x80 | (c & 0x3F));
    }
    CHECK(json.find("\"x" + escaped + "y\"") != std::string::npos);
    Json parsed_json = Json::parse(json);  // strict: the output is valid UTF-8
    sdndb::sdn::DecodeByteEscapes(&parsed_json);
    CHECK(parsed_json["t"][0]["a"] == "x" + b + "y");
    // Writing another row keeps them.
    t->SetCell(1, 1, "edited");
    t->AppendRow({"3", "new", "row"});
    const std::string out = doc.Serialize();
    CHECK(out.find("# note " + b + "\n") == 0);
    CHECK(out.find("    1, x" + b + "y, \"q " + b + "\"\n") != std::string::npos);
    auto again = Document::Parse(out);
    REQUIRE(again.ok());
    CHECK(again.value()->table(0)->Cell(1, 2) == "two words " + b + ", with commas");
  }
}

TEST_CASE("SameTablesAndProblems compares the rows too: a write check must see rows that split or join") {
  auto parse = [](const std::string& text) {
    auto d = Document::Parse(text);
    REQUIRE(d.ok());
    return std::move(d.value());
  };
  const auto one = parse("t |a, b|\n  1, 2\n");
  CHECK(sdndb::sdn::SameTablesAndProblems(*one, *parse("t |a, b|\n  1, 2\n")));
  // Same tables and (no) problems, but a row more: what an edit that re-pairs a kept row's open
  // quote produced (fuzz input tests/fuzz/regressions/malformed-row-quote-repaired-by-edit.sdn).
  CHECK_FALSE(sdndb::sdn::SameTablesAndProblems(*one, *parse("t |a, b|\n  1, 2\n  3, 4\n")));
  // Same count, a row that reads differently.
  CHECK_FALSE(sdndb::sdn::SameTablesAndProblems(*one, *parse("t |a, b|\n  1, 3\n")));
}
