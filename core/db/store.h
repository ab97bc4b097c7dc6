// Store: the storage engine for one database file (one `.sdn` file; its records are the rows of
// its records table — the table named after the database (`todo_db.sdn` -> `todo`/`todos`), else
// the first table other than `strings`/`conflicts` — keyed by the `id` column (else the first
// column); other tables and comments are preserved byte for byte).
//
// Reads take no lock (replacement is atomic, so a reader always sees a whole file).
// Every write is one transaction: lock -> read fresh from disk -> apply -> bump version and
// modified (HLC) -> atomic replace -> unlock. Versions: +1 on every change of a record.
// Files without `version`/`modified` columns load as version 0 and gain the columns on the
// first write. Unresolved conflicts live in the same file, in a `conflicts` table.
//
// All methods are blocking (they may wait for the lock up to options.lock.timeout) and
// thread-safe. Errors: NotFound (record/conflict), InvalidArgument (unknown field, bad value),
// Conflict (Delete with strategy `error` on a changed record; Edit with strategy `error`
// instead returns outcome kConflict with conflicting_fields and the current record, writing
// nothing), LockTimeout/Busy/Cancelled (lock), IOError, ParseError
// (malformed file; nothing is written), Corruption (bad #sdn-crc32 seal).
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
};

// An immutable view of the file at one moment.
struct Snapshot {
  std::string table;                 // name of the records table
  std::string id_column;             // its key column (`id`, else the first column)
  std::vector<std::string> columns;  // record columns (without version/modified)
  std::vector<RecordData> records;   // in file order
  std::vector<Conflict> conflicts;
  // Malformed rows and blocks of the file (sdn::Document::problems()): the rest was read; these
  // stay in the file byte for byte. `table` names the table of a malformed row.
  std::vector<sdn::Problem> problems;
  const RecordData* Find(std::string_view id) const;
};

struct EditBase {
  int64_t version = 0;
  std::map<std::string, std::string> fields;  // the values the editor saw (may be partial)
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
  static Result<Snapshot> Parse(const std::string& path, std::string text);
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
  // Applies the chosen value and removes the conflict row, in one transaction.
  // Returns the record afterwards (nullopt when the record no longer exists).
  Result<std::optional<RecordData>> Resolve(const std::string& conflict_id, Resolution choice,
                                            const std::string& value = {});

 private:
  Store(std::string path, std::string name, StoreOptions options);
  std::string path_, name_;
  StoreOptions options_;
};

// "todo_db.sdn" -> "todo"; "x/feature_db.sdn" -> "feature"; "notes.sdn" -> "notes".
std::string DatabaseNameFromPath(const std::string& path);

}  // namespace sdndb
