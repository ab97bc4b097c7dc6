// The sdndb conventions inside a database file, in one place for the Store, the git merge driver
// and the CLI: which table holds the records, the `version`/`modified` columns, the `conflicts`
// table and how its rows are numbered and updated, the JSON of a whole record in a conflict, and
// parsing a file's text (checking a #sdn-crc32 seal first).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/db/record.h"
#include "core/sdn/document.h"
#include "core/status.h"

namespace sdndb {

inline constexpr char kVersionColumn[] = "version";
inline constexpr char kModifiedColumn[] = "modified";
inline constexpr char kConflictsTable[] = "conflicts";
// id, record, field, base, ours, theirs, who, when
const std::vector<std::string>& ConflictColumns();

// A whole decimal int64 (optional '-'); false on anything else, including overflow.
bool ParseInt64(std::string_view s, int64_t* out);

// Parses a database file's text; a #sdn-crc32 seal is verified first (Corruption on mismatch).
// Errors name `file_name`.
Result<std::unique_ptr<sdn::Document>> ParseDatabaseText(std::string text, const std::string& file_name);

// The records table: the one named after the database ("todo" -> "todo" or "todos"), else the
// first table that is not an interning `strings` table or the conflicts table, else the first.
// nullptr for a document without tables.
sdn::Table* RecordsTable(sdn::Document& doc, const std::string& db_name);
const sdn::Table* RecordsTable(const sdn::Document& doc, const std::string& db_name);
// The key column: `id`, else the first column.
int IdColumn(const sdn::Table& table);
// Adds `version` (0) and `modified` ("") to a named table that lacks them; typed tables untouched.
void EnsureVersionColumns(sdn::Table* table);

// A record's fields as a JSON object (column order kept), as stored in whole-record conflicts.
std::string FieldsToJson(const FieldList& fields);
Result<FieldList> FieldsFromJson(const std::string& json);

// "<user>@<host>": who wrote a change, when the caller names nobody.
std::string DefaultWriter();

// The `conflicts` table of a document (never its records table), addressed by column name.
// Created on the first write. Conflict ids are "c<n>", unique within the file.
class ConflictTable {
 public:
  ConflictTable(sdn::Document* doc, const sdn::Table* records);

  size_t size() const { return table_ ? table_->row_count() : 0; }
  Conflict Get(size_t row) const;
  std::vector<Conflict> All() const;
  int Find(const std::string& id) const;  // row, or -1

  // Records `c`: an open conflict on the same record and field is updated (its original base
  // stays: it is what both sides diverged from); otherwise `c` is appended with the next free id.
  // Returns the conflict as stored.
  Conflict Upsert(Conflict c);
  // Appends `c` as it is, with the next free id when its id is empty or already taken.
  Conflict Append(Conflict c);
  void Remove(size_t row);
  void RemoveOfRecord(const std::string& record_id);
  // Removes the table from the document when no row is left, so the file looks as before.
  void DropIfEmpty();

 private:
  std::string Cell(size_t row, size_t column) const;
  void Set(size_t row, size_t column, const std::string& value);
  sdn::Table* Create();
  void Index() const;  // builds open_ and max_id_ on first use

  sdn::Document* doc_;
  sdn::Table* table_ = nullptr;
  std::vector<int> columns_;  // ConflictColumns() index -> column in table_ (-1 absent)
  mutable bool indexed_ = false;
  mutable std::map<std::pair<std::string, std::string>, size_t> open_;  // (record, field) -> row
  mutable int64_t max_id_ = 0;
};

// The conflicts of a document that is only read.
std::vector<Conflict> ReadConflicts(const sdn::Document& doc, const sdn::Table* records);

}  // namespace sdndb
