// Store: the storage engine for one table of one database file (one `.sdn` file). The table is
// StoreOptions::table, by default the file's records table — the one named after the database
// (`todo_db.sdn` -> `todo`/`todos`), else the first table other than `strings`/`conflicts`. Rows
// are addressed by their key (the `id` column, else the first column) when that key is unique in
// the table, else by "@N" (1-based position; writes through "@N" must carry the row's etag).
// Other tables and comments are preserved byte for byte.
//
// Reads take no lock (replacement is atomic, so a reader always sees a whole file).
// Every write is one transaction: lock -> read fresh from disk -> apply -> atomic replace ->
// unlock. A write changes only the lines of the rows it touches (plus the `conflicts` table while
// a conflict is stored): sdndb never adds columns by itself. Tables with version metadata
// (IsVersionedTable, db_file.h: `version` + `modified` of sdndb's shape) get version +1 and an HLC
// `modified` on every change; other tables are left without them (AddVersionColumns adds them on
// request). Every record carries an etag (a hash of its decoded values) usable as edit base.
// Generated ids never reuse an id that was deleted (see NextId in store.cc, docs/storage.md).
//
// All methods are blocking (they may wait for the lock up to options.lock.timeout) and
// thread-safe. Errors: NotFound (record/conflict/table), InvalidArgument (unknown field, bad value,
// a key shared by several rows, "@N" without etag, last-modified-wins without metadata),
// Conflict (Delete with strategy `error` on a changed record; a stale write through "@N"; Edit
// with strategy `error` instead returns outcome kConflict with conflicting_fields and the current
// record, writing nothing), LockTimeout/Busy/Cancelled (lock), IOError, ParseError (malformed
// file; nothing is written), Corruption (bad #sdn-crc32 seal).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/db/record.h"
#include "core/io/atomic_file.h"
#include "core/io/env.h"
#include "core/io/file_lock.h"
#include "core/sdn/document.h"
#include "core/status.h"

namespace sdndb {

struct StoreOptions {
  Env* env = nullptr;              // nullptr = PosixEnv()
  std::shared_ptr<Env> env_owner;  // optional: keeps `env` alive as long as the Store
  LockOptions lock;
  AtomicWriteOptions write;
  Strategy strategy = Strategy::kMerge;
  std::string writer;              // who, recorded in conflicts; default "sdndb@host:pid"
  std::string table;               // the table this store works on; "" = the records table
};

// One table of a file, as listed by `sdndb tables` and sdndb/databases.
struct TableInfo {
  std::string name;
  std::vector<std::string> columns;   // without sdndb's version/modified
  std::string key_column;             // `id`, else the first column
  size_t rows = 0;
  bool versioned = false;             // carries sdndb's version/modified metadata
  bool is_default = false;            // the records table (what NAME alone addresses)
  struct Problem {
    std::string kind;                 // "duplicate-key"
    std::string message;
    std::vector<int> lines;           // 1-based lines of the rows concerned
  };
  std::vector<Problem> problems;
};

// An immutable view of the file at one moment.
struct Snapshot {
  std::string table;                 // name of the table (StoreOptions::table, else the records table)
  std::string id_column;             // its key column (`id`, else the first column)
  bool versioned = false;            // the table carries version/modified metadata
  std::vector<std::string> columns;  // record columns (without version/modified metadata)
  std::vector<RecordData> records;   // in file order
  std::vector<Conflict> conflicts;   // every conflict of the file (each names its table)
  // Malformed rows and blocks of the file (sdn::Document::problems()): the rest was read; these
  // stay in the file byte for byte. `table` names the table of a malformed row.
  std::vector<sdn::Problem> problems;
  std::vector<TableInfo> tables;     // every table of the file but `conflicts`
  // The record with address `id` (RecordData::id: a unique key or "@N"), or nullptr.
  const RecordData* Find(std::string_view id) const;
  // The record addressed by `ref` ("@N" or a key): as LocateRow (db_file.h), so a key shared by
  // several rows is InvalidArgument naming their lines.
  Result<const RecordData*> Locate(const std::string& ref) const;
};

// What a write was based on. A base that does not match the stored row makes the write stale:
// with `etag`, when it differs from the row's etag; else, in a versioned table, when `version`
// differs; else when a value of `fields` differs from the stored one.
struct EditBase {
  int64_t version = 0;
  std::map<std::string, std::string> fields;  // the values the editor saw (may be partial)
  std::string etag;                           // "" = not given
};

struct EditRequest {
  std::string id;
  FieldList changes;                  // column -> new text value
  std::optional<EditBase> base;       // absent: plain atomic read-modify-write
  std::optional<Strategy> strategy;   // absent: the store's strategy
  std::string edited_at;              // HLC time the edit was made (last-modified-wins); "" = now
};

enum class EditOutcome { kApplied, kMerged, kConflict, kUnchanged };
const char* EditOutcomeName(EditOutcome o);  // "applied", "merged", "conflict", "unchanged"

struct EditResult {
  EditOutcome outcome = EditOutcome::kApplied;
  RecordData record;                  // the record as stored after the transaction
  std::vector<Conflict> conflicts;    // conflicts recorded by this edit
  std::vector<std::string> conflicting_fields;  // for strategy `error`: the fields in conflict
};

struct DeleteResult {
  bool deleted = false;
  std::vector<Conflict> conflicts;
  RecordData current;                 // the stored record when not deleted
};

struct DeleteRequest {
  std::string id;
  std::optional<int64_t> base_version;
  std::string base_etag;              // "" = not given
  std::optional<Strategy> strategy;
};

// A batch of writes applied in one transaction (one lock, one durable write): edits first, then
// deletes (all addresses are resolved against the file as it was before the batch), then creates.
struct ApplyRequest {
  std::vector<EditRequest> edits;
  std::vector<FieldList> creates;
  std::vector<DeleteRequest> deletes;
};

// The outcome of each item, in request order. An item that fails (status not ok) changes
// nothing; the other items still apply.
struct ApplyResult {
  struct Edited {
    Status status;
    EditResult result;
  };
  struct Created {
    Status status;
    RecordData record;
  };
  struct Deleted {
    Status status;
    DeleteResult result;
  };
  std::vector<Edited> edits;
  std::vector<Created> creates;
  std::vector<Deleted> deletes;
};

enum class Resolution { kOurs, kTheirs, kValue };

class Store {
 public:
  // Opens (does not read) the database at `path`. The file need not exist for Open; Read of a
  // missing file is NotFound.
  static Result<std::unique_ptr<Store>> Open(const std::string& path, StoreOptions options = {});

  const std::string& path() const { return path_; }
  const std::string& name() const { return name_; }  // file stem without "_db"
  Strategy strategy() const { return options_.strategy; }

  Result<Snapshot> Read() const;  // no lock
  // One record (no lock; NotFound when absent). Cheaper than Read() for one record: only that row
  // is materialised.
  Result<RecordData> Get(const std::string& id) const;
  // The snapshot of database `path` whose file holds `text` (for callers that already read the
  // bytes, e.g. to compare them with a cached copy). No I/O.
  static Result<Snapshot> Parse(const std::string& path, std::string text, const std::string& table = {});
  // Parse for each table of `tables`, the text parsed once for all of them (Parse per table would
  // parse it once each). A table that is missing or cannot be read as records (no columns) is left
  // out of the result; fails as Parse does when the document cannot be parsed. No I/O.
  static Result<std::map<std::string, Snapshot>> ParseTables(const std::string& path, std::string text,
                                                             const std::vector<std::string>& tables);
  // Creates a record. When fields lack the id column, an id is generated following the
  // table's id style (max numeric id + 1, or PREFIX-NNN). InvalidArgument if the id exists.
  Result<RecordData> Create(const FieldList& fields);
  Result<EditResult> Edit(const EditRequest& request);
  // Atomic read-modify-write under the lock: `mutate` receives the record's current fields and
  // changes them in place (it runs with the lock held, so keep it short; it must not call the
  // store). Changed fields are validated and written; outcome kApplied or kUnchanged.
  Result<EditResult> Update(const std::string& id, const std::function<Status(FieldList&)>& mutate);
  Result<DeleteResult> Delete(const std::string& id, std::optional<int64_t> base_version,
                              std::optional<Strategy> strategy = std::nullopt);
  Result<DeleteResult> Delete(const DeleteRequest& request);
  // Every item in one transaction; see ApplyRequest/ApplyResult. Errors of the whole batch: lock,
  // I/O and a malformed file (nothing written).
  Result<ApplyResult> Apply(const ApplyRequest& request);
  // Adds sdndb's `version` (0) and `modified` ("") columns to the table (`sdndb migrate
  // --versions`): every row's line changes once. False when it already had them.
  Result<bool> AddVersionColumns();
  // Applies the chosen value and removes the conflict row, in one transaction. The conflict may
  // be about a record of any table of the file (Conflict::table), not only this store's.
  // Returns the record afterwards (nullopt when the record no longer exists).
  Result<std::optional<RecordData>> Resolve(const std::string& conflict_id, Resolution choice,
                                            const std::string& value = {});

 private:
  Store(std::string path, std::string name, StoreOptions options);
  std::string path_, name_;
  StoreOptions options_;
};

// Every table of `doc` but sdndb's conflicts table, with its problems (duplicated keys).
std::vector<TableInfo> DescribeTables(const sdn::Document& doc, const std::string& db_name);

// "todo_db.sdn" -> "todo"; "x/feature_db.sdn" -> "feature"; "notes.sdn" -> "notes".
std::string DatabaseNameFromPath(const std::string& path);

}  // namespace sdndb
