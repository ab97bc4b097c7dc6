// libFuzzer target: any input either fails to parse with a well-formed error, or parses (its
// malformed rows/blocks reported as problems), serializes back to the identical bytes, converts
// to strict JSON (whose byte escapes map back to the bytes), and survives one edit (chosen from the input) that must reparse with the edit applied
// and the same problems.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/sdn/document.h"
#include "core/sdn/json.h"

namespace {

[[noreturn]] void Die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "sdn_parse_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

uint64_t Mix(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sdndb::sdn::Document;
  using sdndb::sdn::Table;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = Document::Parse(text);
  if (!parsed.ok()) {
    if (parsed.status().message().rfind("<input>:", 0) != 0) Die("bad error message", parsed.status().message());
    return 0;
  }
  Document& doc = *parsed.value();
  if (doc.Serialize() != text) Die("round trip changed the text", text);
  // Malformed rows/blocks: reported inside the input, with a well-formed report.
  for (const auto& problem : doc.problems()) {
    if (problem.line < 1 || problem.column < 1 || problem.report.rfind("<input>:", 0) != 0)
      Die("bad problem report", problem.report);
  }
  // JSON output is valid for a strict decoder whatever bytes the values hold (the byte escape),
  // and the escape maps any bytes back: checked on the input itself.
  const std::string json = sdndb::sdn::ToJsonText(doc.ToValue());
  if (!nlohmann::json::accept(json)) Die("to-json output is not strict JSON", json);
  {
    const std::string sample = text.substr(0, 4096);
    std::string quoted;
    sdndb::sdn::AppendJsonString(&quoted, sample);
    auto decoded = nlohmann::json::parse(quoted, nullptr, false);
    if (decoded.is_discarded() || !decoded.is_string()) Die("a JSON string literal does not parse", quoted);
    std::string back = decoded.get<std::string>();
    sdndb::sdn::DecodeByteEscapes(&back);
    if (back != sample) Die("the byte escape does not map back", quoted);
  }
  if (doc.table_count() == 0) return 0;

  uint64_t h = Mix(text);
  const size_t table_index = h % doc.table_count();
  Table* table = doc.table(table_index);
  h /= 7;
  // The new value: a slice of the input itself, so the fuzzer controls it.
  const size_t start = size > 0 ? h % size : 0;
  const std::string value = text.substr(start, (h >> 16) % 24);
  h >>= 8;
  const size_t columns = table->columns().size();
  size_t row = 0, col = 0;
  int op = static_cast<int>(h % 5);
  if (table->row_count() == 0 && op != 1 && op != 3) op = 1;
  if (table->row_count() > 0) {
    row = (h >> 4) % table->row_count();
    col = (h >> 20) % columns;
  }
  switch (op) {
    case 0: table->SetCell(row, col, value); break;
    case 1: table->AppendRow(std::vector<std::string>(columns, value)); break;
    case 2: table->RemoveRow(row); break;
    case 3: table->AddColumn("fuzz_col", value); break;
    default: table->SetCellRaw(row, col, value); break;
  }
  const size_t rows = table->row_count();
  const std::string out = doc.Serialize();
  auto reparsed = Document::Parse(out);
  // A malformed row is kept byte for byte, and may read differently once the rows around it
  // change (the Store refuses such writes): the invariants hold for documents without problems,
  // and for the others as long as their problems stay the same.
  const bool had_problems = doc.problem_count() > 0;
  if (!reparsed.ok() && had_problems) return 0;
  if (!reparsed.ok()) Die("edited document does not reparse", reparsed.status().message() + "\n---\n" + out);
  const bool same = sdndb::sdn::SameTablesAndProblems(doc, *reparsed.value());
  if (had_problems && (!same || op == 3)) return 0;
  if (!same) Die("edit changed the tables or the problems", out);
  if (reparsed.value()->table_count() != doc.table_count()) Die("edited document lost tables", out);
  const Table* again = reparsed.value()->table(table_index);
  if (again->row_count() != rows) Die("edited table lost rows", out);
  if (op == 0 && again->Cell(row, col) != value) Die("SetCell value did not read back", out);
  if (op == 1 && again->Cell(rows - 1, 0) != value) Die("AppendRow value did not read back", out);
  return 0;
}
