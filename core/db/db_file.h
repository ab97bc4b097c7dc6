// The sdndb conventions inside a database file, in one place for the Store, the git merge driver
// and the CLI: which table holds the records, the `version`/`modified` columns, the `conflicts`
// table and how its rows are numbered and updated, the JSON of a whole record in a conflict, and
// parsing a file's text (checking a #sdn-crc32 seal first).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/db/record.h"
#include "core/sdn/document.h"
#include "core/status.h"

namespace sdndb {

inline constexpr char kVersionColumn[] = "version";
inline constexpr char kModifiedColumn[] = "modified";
inline constexpr char kConflictsTable[] = "conflicts";
// id, record, field, base, ours, theirs, who, when (a `table` column follows once a conflict on a
// record outside the default records table is stored)
const std::vector<std::string>& ConflictColumns();
inline constexpr char kConflictTableColumn[] = "table";

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
// The table `table_name` of the document ("" = RecordsTable). NotFound names the tables there
// are; the conflicts table is sdndb's own and is not a records table (InvalidArgument).
Result<sdn::Table*> SelectTable(sdn::Document& doc, const std::string& db_name, const std::string& table_name);
// The key column: `id`, else the first column.
int IdColumn(const sdn::Table& table);
// True when the table carries sdndb's version metadata: it has both a `version` and a `modified`
// column, every `version` cell is an integer (or empty) and every `modified` cell is empty or an
// HLC time ("2026-11-26T07:15:30.123Z"). Anything else (one of them only, `version` = "1.1.0",
// ...) makes both ordinary user columns. Typed tables never carry metadata.
bool IsVersionedTable(const sdn::Table& table);
// Adds `version` (0) and `modified` ("") to a named table that lacks them; typed tables untouched.
// Only on request (`sdndb migrate --versions`, the git merge driver merging versioned sides).
void EnsureVersionColumns(sdn::Table* table);
// A short hash (12 hex digits) of the decoded values of every cell of `row` (metadata included):
// equal for formatting-only differences (quoting, spacing), different when a value changes.
std::string RowEtag(const sdn::Table& table, size_t row);

// The rows of a table grouped by key value (the key column's text), for addressing and for
// reporting duplicated keys. Build once per table state; invalid after rows are added/removed.
class RowKeys {
 public:
  RowKeys(const sdn::Table& table, size_t key_col);
  size_t Count(const std::string& key) const;
  // The address of `row`: its key when unique and non-empty, else "@N" (N = row + 1).
  std::string Address(size_t row) const;
  struct Duplicate {
    std::string key;
    std::vector<size_t> rows;  // 0-based, in file order
  };
  std::vector<Duplicate> Duplicates() const;

 private:
  const sdn::Table* table_;
  size_t key_col_;
  std::unordered_map<std::string, size_t> counts_;
};

// The row addressed by `ref` ("@N" or a key). Errors: NotFound ("no record '<ref>' in <where>");
// InvalidArgument when the key belongs to several rows, naming their lines and @N forms.
Result<size_t> LocateRow(const sdn::Table& table, size_t key_col, const RowKeys& keys, const std::string& ref,
                         const std::string& where);

// A record's fields as a JSON object (column order kept), as stored in whole-record conflicts;
// bytes outside valid UTF-8 as the byte escape (core/sdn/json_string.h), which FieldsFromJson maps
// back, so the stored sides keep every byte.
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
  Conflict Get(size_t row) const;  // table resolved: never "" 
  std::vector<Conflict> All() const;
  int Find(const std::string& id) const;  // row, or -1

  // Records `c`: an open conflict on the same record and field is updated (its original base
  // stays: it is what both sides diverged from); otherwise `c` is appended with the next free id.
  // Returns the conflict as stored.
  Conflict Upsert(Conflict c);
  // Appends `c` as it is, with the next free id when its id is empty or already taken.
  Conflict Append(Conflict c);
  void Remove(size_t row);
  void RemoveOfRecord(const std::string& table, const std::string& record_id);
  // Removes the table from the document when no row is left, so the file looks as before.
  void DropIfEmpty();

 private:
  std::string Cell(size_t row, size_t column) const;
  void Set(size_t row, size_t column, const std::string& value);
  sdn::Table* Create();
  void Index() const;  // builds open_ and max_id_ on first use

  sdn::Document* doc_;
  sdn::Table* table_ = nullptr;
  std::string default_table_;  // name of the records table (conflicts with an empty `table`)
  std::vector<int> columns_;   // ConflictColumns() index (+ `table` last) -> column in table_ (-1 absent)
  mutable bool indexed_ = false;
  // (table, record, field) -> row
  mutable std::map<std::tuple<std::string, std::string, std::string>, size_t> open_;
  mutable int64_t max_id_ = 0;
};

// The conflicts of a document that is only read.
std::vector<Conflict> ReadConflicts(const sdn::Document& doc, const sdn::Table* records);

}  // namespace sdndb
