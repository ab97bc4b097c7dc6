#include "core/db/db_file.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/io/crc32.h"

namespace sdndb {

namespace {

const sdn::Table* FindConflictsTable(const sdn::Document& doc, const sdn::Table* records) {
  const sdn::Table* t = doc.FindTable(kConflictsTable);
  return t == records ? nullptr : t;
}

std::vector<int> ConflictColumnIndexes(const sdn::Table* t) {
  std::vector<int> out;
  for (const auto& name : ConflictColumns()) out.push_back(t ? t->ColumnIndex(name) : -1);
  return out;
}

Conflict ReadRow(const sdn::Table& t, const std::vector<int>& cols, size_t row) {
  auto cell = [&](size_t i) { return cols[i] >= 0 ? t.Cell(row, static_cast<size_t>(cols[i])) : std::string(); };
  return {cell(0), cell(1), cell(2), cell(3), cell(4), cell(5), cell(6), cell(7)};
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
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<FieldList> FieldsFromJson(const std::string& text) {
  auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("conflict value is not a record");
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
  for (size_t r = 0; r < t->row_count(); ++r) out.push_back(ReadRow(*t, cols, r));
  return out;
}

// ---- ConflictTable ----

ConflictTable::ConflictTable(sdn::Document* doc, const sdn::Table* records)
    : doc_(doc), table_(const_cast<sdn::Table*>(FindConflictsTable(*doc, records))),
      columns_(ConflictColumnIndexes(table_)) {}

std::string ConflictTable::Cell(size_t row, size_t column) const {
  return columns_[column] >= 0 ? table_->Cell(row, static_cast<size_t>(columns_[column])) : std::string();
}

void ConflictTable::Set(size_t row, size_t column, const std::string& value) {
  if (columns_[column] >= 0) table_->SetCell(row, static_cast<size_t>(columns_[column]), value);
}

Conflict ConflictTable::Get(size_t row) const { return ReadRow(*table_, columns_, row); }

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
    open_.emplace(std::make_pair(Cell(r, 1), Cell(r, 2)), r);
    max_id_ = std::max(max_id_, ConflictNumber(Cell(r, 0)));
  }
  indexed_ = true;
}

Conflict ConflictTable::Upsert(Conflict c) {
  Create();
  Index();
  auto it = open_.find({c.record, c.field});
  if (it == open_.end()) return Append(std::move(c));
  const size_t r = it->second;
  c.id = Cell(r, 0);
  c.base = Cell(r, 3);  // the original base stays: it is what both sides diverged from
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
  size_t r = table_->AppendRow(std::vector<std::string>(table_->columns().size()));
  const std::string* values[8] = {&c.id, &c.record, &c.field, &c.base, &c.ours, &c.theirs, &c.who, &c.when};
  for (size_t i = 0; i < 8; ++i) Set(r, i, *values[i]);
  open_.emplace(std::make_pair(c.record, c.field), r);
  max_id_ = std::max(max_id_, ConflictNumber(c.id));
  return c;
}

void ConflictTable::Remove(size_t row) {
  table_->RemoveRow(row);
  indexed_ = false;  // rows after `row` moved up
}

void ConflictTable::RemoveOfRecord(const std::string& record_id) {
  for (size_t r = size(); r-- > 0;)
    if (Cell(r, 1) == record_id) Remove(r);
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
