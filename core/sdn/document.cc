#include "core/sdn/document.h"

#include <algorithm>
#include <limits>

#include "core/sdn/inline_value.h"
#include "core/sdn/lexer.h"
#include "core/sdn/parser.h"
#include "core/sdn/row_scanner.h"

namespace sdndb::sdn {
namespace {

// Style of rows added to a table that has none to copy it from.
constexpr std::string_view kRowIndent = "    ";
constexpr std::string_view kCellSeparator = ", ";

bool EndsWithNewline(std::string_view text) { return !text.empty() && text.back() == '\n'; }

// The separator between the first two cells of a row when it is a plain `,` + blanks.
bool RowSeparator(std::string_view row, size_t end_of_first, size_t begin_of_second, std::string* separator) {
  if (begin_of_second <= end_of_first) return false;
  std::string_view gap = row.substr(end_of_first, begin_of_second - end_of_first);
  if (gap.empty() || gap[0] != ',') return false;
  for (size_t i = 1; i < gap.size(); ++i) {
    if (!lex::IsBlank(gap[i])) return false;
  }
  separator->assign(gap);
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Table: reading

int Table::ColumnIndex(std::string_view column) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == column) return static_cast<int>(i);
  }
  return -1;
}

int Table::RowLine(size_t row) const { return row < row_items_.size() ? RowItem(row).line : 0; }

std::string_view Table::Spelling(size_t row, size_t col, CellKind* kind) const {
  if (row >= row_items_.size() || col >= columns_.size()) {
    *kind = CellKind::kEmpty;
    return {};
  }
  const Item& item = RowItem(row);
  const CellSpan& cell = cells_[item.cell_begin + col];
  *kind = cell.kind;
  return item.text.substr(cell.begin, cell.len);
}

std::string_view Table::RawCell(size_t row, size_t col) const {
  CellKind kind;
  return Spelling(row, col, &kind);
}

CellKind Table::Kind(size_t row, size_t col) const {
  CellKind kind;
  Spelling(row, col, &kind);
  return kind;
}

std::string Table::Cell(size_t row, size_t col) const {
  CellKind kind;
  const std::string_view raw = Spelling(row, col, &kind);
  switch (kind) {
    case CellKind::kEmpty: return {};
    case CellKind::kQuoted: return UnquoteSpelling(raw);
    case CellKind::kDoubledQuotes: return lex::DecodeDoubledQuotes(raw);
    default: return std::string(raw);
  }
}

Value Table::CellValue(size_t row, size_t col) const {
  CellKind kind;
  const std::string_view raw = Spelling(row, col, &kind);
  if (kind == CellKind::kInline) {
    InlineValueParser parser(raw, kDefaultMaxDepth);
    ScanError error;
    size_t end = 0;
    Value value;
    if (parser.Parse(0, 1, &end, &value, &error)) return value;
    return Value::String(std::string(raw));
  }
  return lex::TokenValue(raw, kind);
}

std::string_view Table::RowText(size_t row) const {
  return row < row_items_.size() ? RowItem(row).text : std::string_view();
}

namespace {

uint64_t HashText(std::string_view text) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}

}  // namespace

std::string_view Table::CellTextView(size_t row, size_t col, std::string* scratch) const {
  CellKind kind;
  const std::string_view raw = Spelling(row, col, &kind);
  switch (kind) {
    case CellKind::kEmpty: return {};
    case CellKind::kQuoted: return lex::UnquoteSpellingView(raw, scratch);
    case CellKind::kDoubledQuotes: *scratch = lex::DecodeDoubledQuotes(raw); return *scratch;
    default: return raw;
  }
}

void Table::IndexInsert(uint32_t row) const {
  std::string scratch, other_scratch;
  std::string_view key = CellTextView(row, index_col_, &scratch);
  const size_t mask = index_slots_.size() - 1;
  for (size_t slot = HashText(key) & mask;; slot = (slot + 1) & mask) {
    uint32_t entry = index_slots_[slot];
    if (entry == 0) {
      index_slots_[slot] = row + 1;
      return;
    }
    if (CellTextView(entry - 1, index_col_, &other_scratch) == key) return;  // first occurrence wins
  }
}

int Table::FindRow(std::string_view id, size_t col) const {
  if (col >= columns_.size()) return -1;
  if (!index_valid_ || index_col_ != col || index_slots_.size() < 2 * row_items_.size() + 2) {
    size_t capacity = 16;
    while (capacity < 2 * row_items_.size() + 2) capacity *= 2;
    index_slots_.assign(capacity, 0);
    index_col_ = col;
    for (size_t row = 0; row < row_items_.size(); ++row) IndexInsert(static_cast<uint32_t>(row));
    index_valid_ = true;
  }
  std::string scratch;
  const size_t mask = index_slots_.size() - 1;
  for (size_t slot = HashText(id) & mask;; slot = (slot + 1) & mask) {
    uint32_t entry = index_slots_[slot];
    if (entry == 0) return -1;
    if (CellTextView(entry - 1, col, &scratch) == id) return static_cast<int>(entry - 1);
  }
}

Value Table::ToValue() const {
  Value value;
  value.kind = Value::Kind::kTable;
  value.columns = columns_;
  value.typed_table = typed_;
  value.items.reserve(row_items_.size());
  for (size_t row = 0; row < row_items_.size(); ++row) {
    Value cells = Value::Array();
    cells.items.reserve(columns_.size());
    for (size_t col = 0; col < columns_.size(); ++col) cells.items.push_back(CellValue(row, col));
    value.items.push_back(std::move(cells));
  }
  return value;
}

// ---------------------------------------------------------------------------------------
// Table: editing

std::string_view Table::OwnText(std::string text) {
  owned_.push_back(std::make_unique<std::string>(std::move(text)));
  return *owned_.back();
}

void Table::SetCell(size_t row, size_t col, std::string_view value) {
  SetCellRaw(row, col, CanonicalCell(value));
}

void Table::SetCellRaw(size_t row, size_t col, std::string_view spelling) {
  if (row >= row_items_.size() || col >= columns_.size()) return;
  const size_t last = columns_.size() - 1;
  if (col != last && Kind(row, last) == CellKind::kAbsorbed) {
    // An edited row is written in canonical form: the absorbed last cell gets quoted, so the
    // row reads the same with every SDN reader (and a later column can follow it).
    SetCellRaw(row, last, QuoteString(Cell(row, last)));
  }
  Item& item = items_[row_items_[row]];
  const CellSpan cell = cells_[item.cell_begin + col];
  const std::string_view old = item.text;
  // The row's style: is its first comma followed by a blank?
  const CellSpan& first_cell = cells_[item.cell_begin];
  const size_t first_comma = old.find(',', first_cell.begin + first_cell.len);
  const bool spaced_row = first_comma != std::string_view::npos && first_comma + 1 < old.size() &&
                          lex::IsBlank(old[first_comma + 1]);
  auto splice = [&](std::string_view with) {
    std::string text;
    text.reserve(old.size() + with.size() + 2);
    text.append(old.substr(0, cell.begin));
    if (cell.len == 0 && !with.empty() && cell.begin > 0 && old[cell.begin - 1] == ',' && spaced_row) {
      text += ' ';  // filling an empty cell of a spaced row: keep `, x`
    }
    text.append(with);
    size_t rest = cell.begin + cell.len;
    if (rest < old.size() && old[rest] == '#') text += ' ';  // keep a following comment a comment
    text.append(old.substr(rest));
    return text;
  };
  // In a one-column table an empty cell is the whole row, which would then read back as a blank
  // or comment line (no row at all): spell the empty value `""` so the row stays a row.
  if (columns_.size() == 1 && lex::SkipInlineSpace(spelling, 0) == spelling.size()) spelling = "\"\"";
  std::string text = IsOneCell(spelling) ? splice(spelling) : splice(CanonicalCell(spelling));
  std::vector<CellSpan> spans;
  // Cannot fail: one valid cell in place of another keeps a valid row valid.
  if (!Parser::RescanRow(columns_.size(), text, &spans)) return;
  item.text = OwnText(std::move(text));
  std::copy(spans.begin(), spans.end(), cells_.begin() + item.cell_begin);
  if (index_valid_ && index_col_ == col) Touch();
}

size_t Table::AppendRow(const std::vector<std::string>& values) {
  const std::string eol = doc_ != nullptr ? doc_->eol_ : std::string("\n");
  // Copy the indentation and separator style of the last row.
  std::string indent(kRowIndent);
  std::string separator(kCellSeparator);
  if (!row_items_.empty()) {
    const Item& last = RowItem(row_items_.size() - 1);
    size_t i = 0;
    while (i < last.text.size() && lex::IsBlank(last.text[i])) ++i;
    if (i > 0) indent.assign(last.text.substr(0, i));
    if (columns_.size() >= 2) {
      const CellSpan& a = cells_[last.cell_begin];
      const CellSpan& b = cells_[last.cell_begin + 1];
      if (a.len > 0 && b.len > 0) RowSeparator(last.text, a.begin + a.len, b.begin, &separator);
    }
  }
  std::string text = indent;
  for (size_t col = 0; col < columns_.size(); ++col) {
    if (col > 0) text += separator;
    text += CanonicalCell(col < values.size() ? std::string_view(values[col]) : std::string_view());
  }
  text += eol;
  // The text before the new row must end with a line break.
  Item* previous = nullptr;
  for (size_t i = items_.size(); i-- > 0;) {
    if (!items_[i].removed) {
      previous = &items_[i];
      break;
    }
  }
  if (previous != nullptr) {
    if (!EndsWithNewline(previous->text)) previous->text = OwnText(std::string(previous->text) + eol);
  } else if (!EndsWithNewline(header_)) {
    header_ = OwnText(std::string(header_) + eol);
  }
  Item item;
  item.text = OwnText(std::move(text));
  item.is_row = true;
  item.cell_begin = static_cast<uint32_t>(cells_.size());
  if (!Parser::RescanRow(columns_.size(), item.text, &cells_)) {
    cells_.resize(item.cell_begin + columns_.size());  // cannot happen: canonical cells are valid
  }
  items_.push_back(item);
  row_items_.push_back(static_cast<uint32_t>(items_.size() - 1));
  const size_t row = row_items_.size() - 1;
  if (index_valid_ && index_slots_.size() >= 2 * row_items_.size() + 2) {
    IndexInsert(static_cast<uint32_t>(row));
  } else {
    Touch();
  }
  return row;
}

void Table::RemoveRow(size_t row) {
  if (row >= row_items_.size()) return;
  items_[row_items_[row]].removed = true;
  row_items_.erase(row_items_.begin() + static_cast<std::ptrdiff_t>(row));
  Touch();
}

void Table::AddColumn(const std::string& name, std::string_view default_spelling) {
  // Only a spelling that reads back as exactly one cell is used verbatim.
  const std::string spelling =
      IsOneCell(default_spelling) ? std::string(default_spelling) : CanonicalCell(default_spelling);
  // Header: insert before the closing `|` (or `}`), in the header's own separator style.
  std::string header(header_);
  std::string header_separator = ", ";
  if (columns_.size() >= 2 && header.find(", ") == std::string::npos) header_separator = ",";
  std::string insertion = columns_.empty() ? name : header_separator + name;
  if (header_close_ <= header.size()) {
    header.insert(header_close_, insertion);
    header_close_ += insertion.size();
  }
  header_ = OwnText(std::move(header));
  columns_.push_back(name);
  // Rows: append the cell after the last one, in the table's separator style.
  std::string separator(kCellSeparator);
  if (!row_items_.empty() && columns_.size() >= 3) {
    const Item& first = RowItem(0);
    const CellSpan& a = cells_[first.cell_begin];
    const CellSpan& b = cells_[first.cell_begin + 1];
    if (a.len > 0 && b.len > 0) RowSeparator(first.text, a.begin + a.len, b.begin, &separator);
  }
  const size_t old_columns = columns_.size() - 1;
  std::vector<CellSpan> new_cells;
  new_cells.reserve(row_items_.size() * columns_.size());
  for (Item& item : items_) {
    if (!item.is_row || item.removed || old_columns == 0) continue;
    const CellSpan last = cells_[item.cell_begin + old_columns - 1];
    size_t at = last.begin + last.len;
    std::string text(item.text.substr(0, last.begin));
    if (last.kind == CellKind::kAbsorbed) {
      // No longer the last column: its commas would split it. Quote it.
      text += QuoteString(item.text.substr(last.begin, last.len));
    } else {
      text.append(item.text.substr(last.begin, last.len));
    }
    text += separator;
    text += spelling;
    if (at < item.text.size() && item.text[at] == '#') text += ' ';
    text.append(item.text.substr(at));
    item.text = OwnText(std::move(text));
    uint32_t begin = static_cast<uint32_t>(new_cells.size());
    if (!Parser::RescanRow(columns_.size(), item.text, &new_cells)) {
      new_cells.resize(new_cells.size() + columns_.size());  // unreachable: both parts are valid
    }
    item.cell_begin = begin;
  }
  cells_ = std::move(new_cells);
  Touch();
}

// ---------------------------------------------------------------------------------------
// Document

Result<std::unique_ptr<Document>> Document::Parse(std::string text, const ParseOptions& options) {
  if (text.size() >= std::numeric_limits<uint32_t>::max()) {
    return Status::ParseError(options.file_name + ":1:1: input larger than 4 GiB");
  }
  std::unique_ptr<Document> doc(new Document());
  doc->file_name_ = options.file_name;
  doc->source_ = std::make_shared<const std::string>(std::move(text));
  const std::string& source = *doc->source_;
  size_t first_break = source.find('\n');
  if (first_break != std::string::npos && first_break > 0 && source[first_break - 1] == '\r') doc->eol_ = "\r\n";
  Parser parser(source, options, doc.get());
  Status status = parser.Run();
  if (!status.ok()) return status;
  return Result<std::unique_ptr<Document>>(std::move(doc));
}

void Document::RemoveTable(Table* table) {
  size_t index = 0;
  while (index < tables_.size() && tables_[index].get() != table) ++index;
  if (index == tables_.size()) return;
  size_t seg = 0;
  while (seg < segments_.size() && segments_[seg].table != static_cast<int>(index)) ++seg;
  const bool was_last = seg + 1 >= segments_.size();
  bool added_here = false;
  if (seg < segments_.size()) {
    added_here = segments_[seg].added_table;
    segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(seg));
    // A table added by this Document takes exactly the separator it added, nothing else.
    if (added_here && seg > 0 && segments_[seg - 1].added_separator)
      segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(seg - 1));
  }
  for (Segment& segment : segments_)
    if (segment.table > static_cast<int>(index)) --segment.table;
  tables_.erase(tables_.begin() + static_cast<std::ptrdiff_t>(index));
  if (added_here || !was_last || segments_.empty() || segments_.back().table >= 0) return;
  // A table read from the file (added by an earlier write): the blank separator line that
  // preceded it now ends the document: drop it.
  std::string_view& tail = segments_.back().text;
  const std::string text = TailBytes(4);
  for (std::string_view eol : {std::string_view("\r\n"), std::string_view("\n")}) {
    const std::string blank_end = std::string(eol) + std::string(eol);
    if (text.size() >= blank_end.size() && text.compare(text.size() - blank_end.size(), blank_end.size(), blank_end) == 0 &&
        tail.size() >= eol.size() && tail.substr(tail.size() - eol.size()) == eol) {
      tail.remove_suffix(eol.size());
      return;
    }
  }
}

std::string Document::TailBytes(size_t n) const {
  std::vector<std::string_view> pieces;  // from the end backwards
  size_t have = 0;
  auto take = [&](std::string_view piece) {
    if (piece.empty()) return;
    pieces.push_back(piece);
    have += piece.size();
  };
  for (size_t s = segments_.size(); s-- > 0 && have < n;) {
    const Segment& segment = segments_[s];
    if (segment.table < 0) {
      take(segment.text);
      continue;
    }
    const Table& table = *tables_[static_cast<size_t>(segment.table)];
    for (size_t i = table.items_.size(); i-- > 0 && have < n;) {
      if (!table.items_[i].removed) take(table.items_[i].text);
    }
    if (have < n) take(table.header_);
  }
  std::string out;
  for (size_t i = pieces.size(); i-- > 0;) out.append(pieces[i]);
  return out.size() > n ? out.substr(out.size() - n) : out;
}

std::string Document::Serialize() const {
  std::string out;
  out.reserve(source_->size() + 256);
  for (const Segment& segment : segments_) {
    if (segment.table < 0) {
      out.append(segment.text);
      continue;
    }
    const Table& table = *tables_[static_cast<size_t>(segment.table)];
    out.append(table.header_);
    for (const Table::Item& item : table.items_) {
      if (!item.removed) out.append(item.text);
    }
  }
  return out;
}

bool SameTablesAndProblems(const Document& a, const Document& b) {
  if (a.table_count() != b.table_count() || a.problem_count() != b.problem_count() ||
      a.problems().size() != b.problems().size()) {
    return false;
  }
  for (size_t i = 0; i < a.table_count(); ++i) {
    const Table& x = *a.table(i);
    const Table& y = *b.table(i);
    if (x.name() != y.name() || x.row_count() != y.row_count()) return false;
    for (size_t r = 0; r < x.row_count(); ++r) {
      if (x.RowText(r) != y.RowText(r)) return false;
    }
  }
  auto after_first_line = [](const std::string& report) { return report.substr(std::min(report.find('\n'), report.size())); };
  for (size_t i = 0; i < a.problems().size(); ++i) {
    const Problem& x = a.problems()[i];
    const Problem& y = b.problems()[i];
    // Not the message: "table 't' has 11 columns" changes when a column is added.
    if (x.table != y.table || x.column != y.column ||
        after_first_line(x.report) != after_first_line(y.report)) {
      return false;
    }
  }
  return true;
}

std::vector<Problem> Document::TableProblems(std::string_view table) const {
  std::vector<Problem> out;
  for (const Problem& problem : problems_) {
    if (problem.table == table) out.push_back(problem);
  }
  return out;
}

Table* Document::FindTable(std::string_view name) {
  for (auto& table : tables_) {
    if (table->name() == name) return table.get();
  }
  return nullptr;
}

const Table* Document::FindTable(std::string_view name) const {
  for (const auto& table : tables_) {
    if (table->name() == name) return table.get();
  }
  return nullptr;
}

Table* Document::AddTable(const std::string& name, const std::vector<std::string>& columns) {
  const std::string tail = TailBytes(3);
  std::string separator;
  if (!tail.empty()) {
    if (tail.back() != '\n') separator += eol_;
    std::string_view view(tail);
    bool blank_line_before = view.size() >= 2 && view[view.size() - 1] == '\n' &&
                             (view[view.size() - 2] == '\n' ||
                              (view.size() >= 3 && view[view.size() - 2] == '\r' && view[view.size() - 3] == '\n'));
    if (!blank_line_before) separator += eol_;
  }
  if (!separator.empty()) {
    owned_.push_back(std::make_unique<std::string>(std::move(separator)));
    Segment segment;
    segment.text = *owned_.back();
    segment.added_separator = true;
    segments_.push_back(std::move(segment));
  }
  auto table = std::make_unique<Table>();
  table->doc_ = this;
  table->name_ = name;
  table->columns_ = columns;
  std::string header = name + " |";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) header += ", ";
    header += columns[i];
  }
  table->header_close_ = header.size();
  header += '|';
  header += eol_;
  table->header_ = table->OwnText(std::move(header));
  Segment segment;
  segment.table = static_cast<int>(tables_.size());
  segment.added_table = true;
  segments_.push_back(std::move(segment));
  tables_.push_back(std::move(table));
  return tables_.back().get();
}

Value Document::ToValue() const {
  Value root = Value::Dict();
  for (const Segment& segment : segments_) {
    if (segment.table >= 0) {
      const Table& table = *tables_[static_cast<size_t>(segment.table)];
      root.entries.emplace_back(table.name(), table.ToValue());
    } else if (!segment.key.empty()) {
      root.entries.emplace_back(segment.key, segment.value);
    }
  }
  return root;
}

}  // namespace sdndb::sdn
