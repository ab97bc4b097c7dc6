#include "core/db/db_file.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/io/crc32.h"
#include "core/sdn/json.h"

namespace sdndb {

namespace {

const sdn::Table* FindConflictsTable(const sdn::Document& doc, const sdn::Table* records) {
  const sdn::Table* t = doc.FindTable(kConflictsTable);
  return t == records ? nullptr : t;
}

// ConflictColumns() then `table` (index 8).
constexpr size_t kTableCol = 8;
std::vector<int> ConflictColumnIndexes(const sdn::Table* t) {
  std::vector<int> out;
  for (const auto& name : ConflictColumns()) out.push_back(t ? t->ColumnIndex(name) : -1);
  out.push_back(t ? t->ColumnIndex(kConflictTableColumn) : -1);
  return out;
}

// A conflict's base is unknown when its cell is `null` (Conflict::base_known).
bool BaseKnown(const sdn::Table& t, const std::vector<int>& cols, size_t row) {
  return cols[3] >= 0 && t.Kind(row, static_cast<size_t>(cols[3])) != sdn::CellKind::kNull;
}

Conflict ReadRow(const sdn::Table& t, const std::vector<int>& cols, size_t row, const std::string& default_table) {
  auto cell = [&](size_t i) { return cols[i] >= 0 ? t.Cell(row, static_cast<size_t>(cols[i])) : std::string(); };
  std::string table = cell(kTableCol);
  if (table.empty()) table = default_table;
  const bool base_known = BaseKnown(t, cols, row);
  return {cell(0), cell(1), cell(2), base_known ? cell(3) : std::string(), cell(4), cell(5), cell(6), cell(7), table,
          base_known};
}

bool IsHlcTime(std::string_view s) {
  // 2026-11-26T07:15:30.123Z
  if (s.size() != 24 || s[10] != 'T' || s[23] != 'Z') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22})
    if (s[i] < '0' || s[i] > '9') return false;
  return s[4] == '-' && s[7] == '-' && s[13] == ':' && s[16] == ':' && s[19] == '.';
}

int64_t ConflictNumber(const std::string& id) {
  int64_t n = 0;
  if (id.size() > 1 && id[0] == 'c' && ParseInt64(std::string_view(id).substr(1), &n)) return n;
  return 0;
}

}  // namespace

const std::vector<std::string>& ConflictColumns() {
  static const std::vector<std::string> kColumns = {"id", "record", "field", "base", "ours", "theirs", "who", "when"};
  return kColumns;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  *out = v;
  return true;
}

Result<std::unique_ptr<sdn::Document>> ParseDatabaseText(std::string text, const std::string& file_name) {
  if (HasCrcSeal(text)) SDNDB_RETURN_IF_ERROR(VerifyCrcSeal(text, file_name));
  sdn::ParseOptions po;
  po.file_name = file_name;
  return sdn::Document::Parse(std::move(text), po);
}

const sdn::Table* RecordsTable(const sdn::Document& doc, const std::string& db_name) {
  for (size_t i = 0; i < doc.table_count(); ++i)
    if (doc.table(i)->name() == db_name || doc.table(i)->name() == db_name + "s") return doc.table(i);
  for (size_t i = 0; i < doc.table_count(); ++i)
    if (doc.table(i)->name() != "strings" && doc.table(i)->name() != kConflictsTable) return doc.table(i);
  return doc.table_count() ? doc.table(0) : nullptr;
}

sdn::Table* RecordsTable(sdn::Document& doc, const std::string& db_name) {
  return const_cast<sdn::Table*>(RecordsTable(static_cast<const sdn::Document&>(doc), db_name));
}

Result<sdn::Table*> SelectTable(sdn::Document& doc, const std::string& db_name, const std::string& table_name) {
  sdn::Table* records = RecordsTable(doc, db_name);
  if (table_name.empty() || (records && records->name() == table_name)) {
    if (!records) return Status::InvalidArgument("no table (a database needs a `name |columns|` table)");
    return records;
  }
  if (table_name == kConflictsTable)
    return Status::InvalidArgument("table 'conflicts' is sdndb's record of unresolved conflicts (see sdndb conflicts)");
  if (sdn::Table* t = doc.FindTable(table_name)) return t;
  std::string names;
  for (size_t i = 0; i < doc.table_count(); ++i)
    if (doc.table(i)->name() != kConflictsTable) names += (names.empty() ? "" : ", ") + doc.table(i)->name();
  return Status::NotFound("no table '" + table_name + "' in " + db_name + " (tables: " + names + ")");
}

bool IsVersionedTable(const sdn::Table& table) {
  if (table.typed()) return false;
  const int v = table.ColumnIndex(kVersionColumn), m = table.ColumnIndex(kModifiedColumn);
  if (v < 0 || m < 0) return false;
  for (size_t r = 0; r < table.row_count(); ++r) {
    int64_t n;
    std::string version = table.Cell(r, static_cast<size_t>(v));
    if (!version.empty() && !ParseInt64(version, &n)) return false;
    std::string modified = table.Cell(r, static_cast<size_t>(m));
    if (!modified.empty() && !IsHlcTime(modified)) return false;
  }
  return true;
}

std::string RowEtag(const sdn::Table& table, size_t row) {
  // FNV-1a 64 over length-prefixed decoded values.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view bytes) {
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  for (size_t c = 0; c < table.columns().size(); ++c) {
    std::string v = table.Cell(row, c);
    std::string len = std::to_string(v.size()) + ":";
    mix(len);
    mix(v);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out(12, '0');
  for (size_t i = 0; i < 12; ++i) out[i] = kHex[(h >> (60 - 4 * i)) & 0xF];
  return out;
}

RowKeys::RowKeys(const sdn::Table& table, size_t key_col) : table_(&table), key_col_(key_col) {
  counts_.reserve(table.row_count());
  for (size_t r = 0; r < table.row_count(); ++r) ++counts_[table.Cell(r, key_col)];
}

size_t RowKeys::Count(const std::string& key) const {
  auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

std::string RowKeys::Address(size_t row) const {
  std::string key = table_->Cell(row, key_col_);
  if (!key.empty() && Count(key) == 1 && PositionRef(key) == 0) return key;
  return "@" + std::to_string(row + 1);
}

std::vector<RowKeys::Duplicate> RowKeys::Duplicates() const {
  std::vector<Duplicate> out;
  std::unordered_map<std::string, size_t> index;  // key -> out
  for (size_t r = 0; r < table_->row_count(); ++r) {
    std::string key = table_->Cell(r, key_col_);
    if (Count(key) < 2) continue;
    auto [it, fresh] = index.emplace(key, out.size());
    if (fresh) out.push_back({key, {}});
    out[it->second].rows.push_back(r);
  }
  return out;
}

Result<size_t> LocateRow(const sdn::Table& table, size_t key_col, const RowKeys& keys, const std::string& ref,
                         const std::string& where) {
  if (size_t n = PositionRef(ref)) {
    if (n > table.row_count()) return Status::NotFound("no record '" + CapEcho(ref) + "' in " + where);
    return n - 1;
  }
  const size_t count = keys.Count(ref);
  if (count == 0) return Status::NotFound("no record '" + CapEcho(ref) + "' in " + where);
  if (count == 1) return static_cast<size_t>(table.FindRow(ref, key_col));
  std::string lines, refs;
  for (size_t r = 0; r < table.row_count(); ++r) {
    if (table.Cell(r, key_col) != ref) continue;
    lines += (lines.empty() ? "" : ", ") + std::to_string(table.RowLine(r));
    refs += (refs.empty() ? "" : ", ") + ("@" + std::to_string(r + 1));
  }
  return Status::InvalidArgument("record '" + CapEcho(ref) + "' is not unique in " + where + ": " + std::to_string(count) +
                                 " rows have that key (lines " + lines + "); address one as " + refs +
                                 " with its etag");
}

int IdColumn(const sdn::Table& table) {
  int c = table.ColumnIndex("id");
  return c >= 0 ? c : 0;
}

void EnsureVersionColumns(sdn::Table* table) {
  if (table->typed()) return;
  if (table->ColumnIndex(kVersionColumn) < 0) table->AddColumn(kVersionColumn, "0");
  if (table->ColumnIndex(kModifiedColumn) < 0) table->AddColumn(kModifiedColumn, "\"\"");
}

std::string FieldsToJson(const FieldList& fields) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [k, v] : fields) j[k] = v;
  return sdn::DumpJson(j);  // bytes outside UTF-8 as the byte escape: Keep Mine/Theirs restores them
}

Result<FieldList> FieldsFromJson(const std::string& text) {
  auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("conflict value is not a record");
  sdn::DecodeByteEscapes(&j);
  FieldList out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_string()) return Status::InvalidArgument("conflict value is not a record");
    out.emplace_back(it.key(), it.value().get<std::string>());
  }
  return out;
}

std::string DefaultWriter() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  const char* user = std::getenv("USER");
  return std::string(user && *user ? user : "user") + "@" + host;
}

std::vector<Conflict> ReadConflicts(const sdn::Document& doc, const sdn::Table* records) {
  std::vector<Conflict> out;
  const sdn::Table* t = FindConflictsTable(doc, records);
  if (!t) return out;
  std::vector<int> cols = ConflictColumnIndexes(t);
  const std::string default_table = records ? records->name() : std::string();
  for (size_t r = 0; r < t->row_count(); ++r) out.push_back(ReadRow(*t, cols, r, default_table));
  return out;
}

// ---- ConflictTable ----

ConflictTable::ConflictTable(sdn::Document* doc, const sdn::Table* records)
    : doc_(doc), table_(const_cast<sdn::Table*>(FindConflictsTable(*doc, records))),
      default_table_(records ? records->name() : std::string()), columns_(ConflictColumnIndexes(table_)) {}

std::string ConflictTable::Cell(size_t row, size_t column) const {
  return columns_[column] >= 0 ? table_->Cell(row, static_cast<size_t>(columns_[column])) : std::string();
}

void ConflictTable::Set(size_t row, size_t column, const std::string& value) {
  if (columns_[column] >= 0) table_->SetCell(row, static_cast<size_t>(columns_[column]), value);
}

Conflict ConflictTable::Get(size_t row) const { return ReadRow(*table_, columns_, row, default_table_); }

std::vector<Conflict> ConflictTable::All() const {
  std::vector<Conflict> out;
  for (size_t r = 0; r < size(); ++r) out.push_back(Get(r));
  return out;
}

int ConflictTable::Find(const std::string& id) const {
  return table_ ? table_->FindRow(id, static_cast<size_t>(std::max(columns_[0], 0))) : -1;
}

sdn::Table* ConflictTable::Create() {
  if (!table_) {
    table_ = doc_->AddTable(kConflictsTable, ConflictColumns());
    columns_ = ConflictColumnIndexes(table_);
    indexed_ = false;
  }
  return table_;
}

void ConflictTable::Index() const {
  if (indexed_) return;
  open_.clear();
  max_id_ = 0;
  for (size_t r = 0; r < size(); ++r) {
    std::string table = Cell(r, kTableCol);
    open_.emplace(std::make_tuple(table.empty() ? default_table_ : table, Cell(r, 1), Cell(r, 2)), r);
    max_id_ = std::max(max_id_, ConflictNumber(Cell(r, 0)));
  }
  indexed_ = true;
}

Conflict ConflictTable::Upsert(Conflict c) {
  Create();
  Index();
  if (c.table.empty()) c.table = default_table_;
  auto it = open_.find({c.table, c.record, c.field});
  if (it == open_.end()) return Append(std::move(c));
  const size_t r = it->second;
  c.id = Cell(r, 0);
  // The original base stays: it is what both sides diverged from.
  c.base_known = BaseKnown(*table_, columns_, r);
  c.base = c.base_known ? Cell(r, 3) : std::string();
  Set(r, 4, c.ours);
  Set(r, 5, c.theirs);
  Set(r, 6, c.who);
  Set(r, 7, c.when);
  return c;
}

Conflict ConflictTable::Append(Conflict c) {
  Create();
  Index();
  if (c.id.empty() || Find(c.id) >= 0) c.id = "c" + std::to_string(max_id_ + 1);
  if (c.table.empty()) c.table = default_table_;
  // The `table` column exists only once a conflict outside the default records table needs it
  // (sdndb's own table: it may gain a column; files without such conflicts keep their shape).
  const std::string stored_table = c.table == default_table_ ? std::string() : c.table;
  if (!stored_table.empty() && columns_[kTableCol] < 0) {
    table_->AddColumn(kConflictTableColumn, "\"\"");
    columns_ = ConflictColumnIndexes(table_);
  }
  size_t r = table_->AppendRow(std::vector<std::string>(table_->columns().size()));
  const std::string* values[9] = {&c.id, &c.record, &c.field, &c.base, &c.ours, &c.theirs, &c.who, &c.when,
                                  &stored_table};
  for (size_t i = 0; i < 9; ++i) Set(r, i, *values[i]);
  if (!c.base_known && columns_[3] >= 0) table_->SetCellRaw(r, static_cast<size_t>(columns_[3]), "null");
  open_.emplace(std::make_tuple(c.table, c.record, c.field), r);
  max_id_ = std::max(max_id_, ConflictNumber(c.id));
  return c;
}

void ConflictTable::Remove(size_t row) {
  table_->RemoveRow(row);
  indexed_ = false;  // rows after `row` moved up
}

void ConflictTable::RemoveOfRecord(const std::string& table, const std::string& record_id) {
  for (size_t r = size(); r-- > 0;) {
    std::string t = Cell(r, kTableCol);
    if (Cell(r, 1) == record_id && (t.empty() ? default_table_ : t) == table) Remove(r);
  }
}

void ConflictTable::DropIfEmpty() {
  if (table_ && table_->row_count() == 0) {
    doc_->RemoveTable(table_);
    table_ = nullptr;
    columns_ = ConflictColumnIndexes(nullptr);
    indexed_ = false;
  }
}

}  // namespace sdndb
