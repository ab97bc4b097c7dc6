// RecordData: one record of a database as the engine sees it, independent of its type.
// Conflict: one unresolved conflict, stored as a row of the file's `conflicts` table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace sdndb {

using FieldList = std::vector<std::pair<std::string, std::string>>;  // ordered (column, text value)

// The value of `field` in `fields` (the first, should it repeat), or nullptr.
const std::string* FindField(const FieldList& fields, std::string_view field);

struct RecordData {
  // The record's address: its key (the key column's value) when no other row of the table has
  // that key and it is not empty, else "@N" (N = 1-based position of the row in the table).
  std::string id;
  int64_t version = 0;    // 0 = never written by sdndb, or a table without version metadata
  std::string modified;   // "2026-11-26T07:15:30.123Z"; "" = never written / no metadata
  FieldList fields;       // every column except sdndb's version/modified, in column order
  int line = 0;           // 1-based line of the row in the file (0 if unknown)
  int position = 0;       // 1-based position of the row in its table (0 if unknown)
  std::string etag;       // short hash of the row's decoded values (RowEtag, db_file.h)

  const std::string* Get(std::string_view field) const;
};

struct Conflict {
  std::string id;      // "c1", "c2", ... unique within the file
  std::string record;  // record id (a key; rows addressed by position never get conflicts)
  std::string field;   // column name, or "*" for a whole-record conflict (delete vs edit)
  std::string base;    // value both sides started from ("" when !base_known)
  std::string ours;    // value of the edit that arrived late (the one that found the conflict)
  std::string theirs;  // value stored in the file when the conflict was found
  std::string who;     // writer of "ours" (e.g. "sdndb-cli@host:pid")
  std::string when;    // HLC time the conflict was recorded
  std::string table;   // the record's table; "" = the file's default records table (when read: its name)
  // False when the late edit carried no base value for the field (a CLI `edit --expect ETAG`
  // names only its changes): `base` is then "" without being the value both sides started from.
  // Stored as the SDN `null` cell in the conflicts table (a known empty base is `""`).
  bool base_known = true;
};

// An address "@N" (N >= 1, decimal): the row's 1-based position. 0 when `ref` is not one.
size_t PositionRef(std::string_view ref);

// Marker used in a whole-record conflict's ours/theirs for "this side deleted the record".
inline constexpr std::string_view kDeletedMarker = "<deleted>";

enum class Strategy { kError, kLastWriteWins, kLastModifiedWins, kMerge };
const char* StrategyName(Strategy s);  // "error", "last-write-wins", "last-modified-wins", "merge"
Result<Strategy> ParseStrategy(std::string_view name);

}  // namespace sdndb
