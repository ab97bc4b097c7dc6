// Every file of the corpus (tests/data/corpus, copied from the Simple project) parses and writes
// back byte-identical, with the tables and row counts recorded in corpus/PROVENANCE.md.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/sdn/document.h"
#include "core/sdn/json.h"

namespace fs = std::filesystem;
using sdndb::sdn::Document;
using sdndb::sdn::ParseOptions;
using sdndb::sdn::Value;

namespace {

// Missing test data fails the test loudly instead of reading as "".
std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read test data file " << path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<fs::path> CorpusFiles() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(SDNDB_TEST_DATA_DIR) / "corpus")) {
    if (entry.path().extension() == ".sdn") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE_MESSAGE(files.size() >= 16, "expected the 16 corpus files in " << SDNDB_TEST_DATA_DIR << "/corpus");
  return files;
}

// Tables and physical row counts per corpus file number (PROVENANCE.md).
const std::map<std::string, std::vector<std::pair<std::string, size_t>>>& ExpectedTables() {
  static const std::map<std::string, std::vector<std::pair<std::string, size_t>>> expected = {
      {"01", {{"tasks", 1}}},
      {"02", {{"file_cache", 0}}},
      {"03", {{"todos", 63}}},
      {"05", {{"strings", 0}, {"features", 20}}},
      {"06", {{"strings", 0}, {"features", 0}}},
      {"07",
       {{"bugs", 19}, {"test_cases", 9}, {"fixes", 12}, {"notes", 26}, {"mcp_analysis", 3},
        {"skills_updated", 2}, {"cleanup", 7}, {"bugs_active", 3}}},
      {"09", {{"tests", 1}}},
      {"10", {{"strings", 16}, {"files", 1}, {"suites", 3}, {"tests", 10}}},
      {"11", {{"sdoctest_runs", 1}, {"sdoctest_blocks", 3}}},
      {"13",
       {{"test_summary", 5}, {"test_groups", 22}, {"hanging_tests", 0}, {"failed_tests", 14},
        {"safe_directories", 15}}},
      {"15", {}},
      {"16", {{"skill_tools", 1}, {"tools", 3}}},
      {"18", {{"todos", 625}}},
      {"19", {{"features", 119}}},
      {"20", {}},  // brace blocks: values, not tables
      {"21", {}},
  };
  return expected;
}

}  // namespace

TEST_CASE("corpus: every file round-trips byte-identical and has the expected tables") {
  std::vector<fs::path> files = CorpusFiles();
  REQUIRE(files.size() >= 12);
  for (const fs::path& path : files) {
    CAPTURE(path.filename().string());
    const std::string text = ReadFile(path);
    ParseOptions options;
    options.file_name = path.filename().string();
    auto parsed = Document::Parse(text, options);
    const std::string number = path.filename().string().substr(0, 2);
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().message());
    const Document& doc = *parsed.value();
    CHECK(doc.Serialize() == text);
    // Every row and block of the real files is read: nothing is set aside as malformed.
    CHECK(doc.problems().empty());

    auto it = ExpectedTables().find(number);
    REQUIRE_MESSAGE(it != ExpectedTables().end(), "corpus file without expectations: " << path);
    REQUIRE(doc.table_count() == it->second.size());
    for (size_t i = 0; i < it->second.size(); ++i) {
      CHECK(doc.table(i)->name() == it->second[i].first);
      CHECK(doc.table(i)->row_count() == it->second[i].second);
    }
    // The JSON view never throws, whatever the content, and reads back as the document: one
    // member per distinct top-level key; each table's rows (repeated names become arrays).
    std::string json_text;
    CHECK_NOTHROW(json_text = sdndb::sdn::ToJsonText(doc.ToValue()));
    nlohmann::ordered_json json;
    REQUIRE_NOTHROW(json = nlohmann::ordered_json::parse(json_text));
    REQUIRE(json.is_object());
    std::map<std::string, size_t> occurrences;
    for (const auto& entry : doc.ToValue().entries) ++occurrences[entry.first];
    CHECK(json.size() == occurrences.size());
    for (size_t i = 0; i < doc.table_count(); ++i) {
      const sdndb::sdn::Table& table = *doc.table(i);
      CAPTURE(table.name());
      if (occurrences[table.name()] != 1) continue;
      const nlohmann::ordered_json& rows = table.typed() ? json[table.name()]["rows"] : json[table.name()];
      REQUIRE(rows.is_array());
      REQUIRE(rows.size() == table.row_count());
      for (size_t r = 0; r < table.row_count(); ++r) {
        const Value cell = table.CellValue(r, 0);
        if (cell.kind != Value::Kind::kString) continue;
        CHECK((table.typed() ? rows[r][0] : rows[r][table.columns()[0]]) == cell.s);
      }
    }
  }
}

TEST_CASE("corpus: a one-cell edit in each table rewrites exactly one line") {
  for (const fs::path& path : CorpusFiles()) {
    const std::string text = ReadFile(path);
    auto parsed = Document::Parse(text);
    REQUIRE(parsed.ok());
    for (size_t t = 0; t < parsed.value()->table_count(); ++t) {
      auto copy = Document::Parse(text);
      REQUIRE(copy.ok());
      sdndb::sdn::Table* table = copy.value()->table(t);
      if (table->row_count() == 0) continue;
      CAPTURE(path.filename().string());
      CAPTURE(table->name());
      const size_t row = table->row_count() / 2;
      const size_t col = table->columns().size() - 1;
      table->SetCell(row, col, "edited, with \"quotes\" and # hash");
      const std::string out = copy.value()->Serialize();
      auto reparsed = Document::Parse(out);
      REQUIRE(reparsed.ok());
      const sdndb::sdn::Table* again = reparsed.value()->table(t);
      REQUIRE(again != nullptr);
      CHECK(again->Cell(row, col) == "edited, with \"quotes\" and # hash");
      // Line-by-line: only the row's line differs.
      std::istringstream a(text), b(out);
      std::string la, lb;
      int differing = 0;
      while (std::getline(a, la) && std::getline(b, lb)) differing += la != lb;
      CHECK(differing == 1);
      CHECK(std::count(text.begin(), text.end(), '\n') == std::count(out.begin(), out.end(), '\n'));
    }
  }
}

TEST_CASE("corpus: the YAML-like trailer of the bug database is kept and exposed as text") {
  const std::string text =
      ReadFile(fs::path(SDNDB_TEST_DATA_DIR) / "corpus" / "07_bug_db__doc-bug__1eb5fcd.sdn");
  auto parsed = Document::Parse(text);
  REQUIRE(parsed.ok());
  const Document& doc = *parsed.value();
  CHECK_FALSE(doc.warnings().empty());
  Value root = doc.ToValue();
  std::vector<std::string> ids;
  std::string first_description;
  for (const auto& [key, value] : root.entries) {
    if (key == "id") ids.push_back(value.s);
    if (key == "description" && first_description.empty()) first_description = value.s;
    if (key == "created") CHECK(value.s == "2026-02-06");
  }
  CHECK(ids == std::vector<std::string>{"BUG-042", "BUG-043"});
  CHECK(first_description.rfind("CLOSED: Pure Simple parser already fully supports `static assert` syntax.\n\n", 0) ==
        0);
  CHECK(first_description.find("\n  static assert condition    # identifier") != std::string::npos);
  // Editing a records table leaves the trailer byte-identical.
  auto editable = Document::Parse(text);
  REQUIRE(editable.ok());
  sdndb::sdn::Table* bugs_active = editable.value()->FindTable("bugs_active");
  REQUIRE(bugs_active != nullptr);
  REQUIRE(bugs_active->row_count() > 0);
  bugs_active->SetCell(0, 2, "closed");
  std::string out = editable.value()->Serialize();
  size_t trailer = text.find("# Bug: Static assertion syntax");
  REQUIRE(trailer != std::string::npos);
  CHECK(out.substr(out.size() - (text.size() - trailer)) == text.substr(trailer));
}

TEST_CASE("corpus: msp430 board configuration as a value and as JSON") {
  const std::string text =
      ReadFile(fs::path(SDNDB_TEST_DATA_DIR) / "corpus" / "15_config__msp430_launchpad__42fcfd1.sdn");
  auto parsed = Document::Parse(text);
  REQUIRE(parsed.ok());
  nlohmann::ordered_json json = sdndb::sdn::ToJson(parsed.value()->ToValue());
  CHECK(json["board"]["name"] == "MSP430 LaunchPad (MSP430G2553)");
  CHECK(json["board"]["clock"] == 16000000);
  CHECK(json["memory"]["flash"]["origin"] == 0xC000);
  CHECK(json["memory"]["flash"]["length"] == "16K");
  CHECK(json["memory"]["ram"]["permissions"] == "rw");
  CHECK(json["sections"][".text"]["input"] == nlohmann::ordered_json({"*(.text*)", "*(.rodata*)"}));
  CHECK(json["sections"][".stack"]["end"] == 0x03FF);
  CHECK(json["serial"]["tx_pin"] == "P1.2");
  CHECK(json["entry"] == "__reset_vector");
  std::vector<std::string> keys;
  for (auto it = json.begin(); it != json.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"board", "memory", "sections", "peripherals", "serial", "entry"});
  // Hex spelling is kept next to the number.
  Value root = parsed.value()->ToValue();
  const Value& flash = root.entries[1].second.entries[0].second;
  CHECK(flash.entries[0].second.kind == Value::Kind::kInt);
  CHECK(flash.entries[0].second.s == "0xC000");
}

TEST_CASE("corpus: CSV-style doubled quotes of the feature database read as one quote each") {
  const std::string text =
      ReadFile(fs::path(SDNDB_TEST_DATA_DIR) / "corpus" / "19_feature_db__doc-08_tracking-feature__01423e4.sdn");
  auto parsed = Document::Parse(text);
  REQUIRE(parsed.ok());
  const sdndb::sdn::Table* features = parsed.value()->FindTable("features");
  REQUIRE(features != nullptr);
  const int row = features->FindRow("FR-DRIVER-0004");
  REQUIRE(row >= 0);
  const size_t description = static_cast<size_t>(features->ColumnIndex("description"));
  CHECK(features->Kind(static_cast<size_t>(row), description) == sdndb::sdn::CellKind::kDoubledQuotes);
  const std::string value = features->Cell(static_cast<size_t>(row), description);
  CHECK(value.find("reads the \"DRVS\" magic + 64B header") != std::string::npos);
  CHECK(value.find("\"\"") == std::string::npos);
  CHECK(value.front() != '"');
  nlohmann::ordered_json json = sdndb::sdn::ToJson(parsed.value()->ToValue());
  CHECK(json["features"][static_cast<size_t>(row)]["description"] == value);
  // Each such cell is a warning naming its place.
  size_t doubled = 0;
  for (const auto& w : parsed.value()->warnings()) doubled += w.message.rfind("CSV-style doubled quotes", 0) == 0;
  CHECK(doubled >= 7);
}

TEST_CASE("corpus: the brace-block resource usage log reads as one dict per block") {
  const std::string text =
      ReadFile(fs::path(SDNDB_TEST_DATA_DIR) / "corpus" / "20_resource_usage__doc-08_tracking-test__2725ea8.sdn");
  auto parsed = Document::Parse(text);
  REQUIRE(parsed.ok());
  CHECK(parsed.value()->problems().empty());
  nlohmann::ordered_json json = sdndb::sdn::ToJson(parsed.value()->ToValue());
  REQUIRE(json["resource_usage"].is_array());
  REQUIRE(json["resource_usage"].size() == 14);
  const auto& first = json["resource_usage"][0];
  CHECK(first["test_file"] == "test_example.spl");
  CHECK(first["timestamp_ms"] == 1000);
  CHECK(first["max_cpu_percent"] == 45.5);
  CHECK(first["violations"] == "cpu");
  CHECK(first.size() == 11);
  CHECK(json["resource_usage"][1]["violations"] == "");
  CHECK(json["resource_usage"][1]["max_memory_mb"] == 256);
  // One warning per block, at its `{` (the first at 6:16, where the strict reading failed).
  std::vector<int> lines;
  for (const auto& w : parsed.value()->warnings()) {
    if (w.message.find("brace block 'resource_usage {'") != std::string::npos) {
      lines.push_back(w.line);
      CHECK(w.column == 16);
    }
  }
  REQUIRE(lines.size() == 14);
  CHECK(lines[0] == 6);
}
