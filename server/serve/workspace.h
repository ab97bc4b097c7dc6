// Workspace: the databases reachable by one server (the catalog of the root folder), the
// confinement rule, a content-validated snapshot cache, and per-request Store handles.
//
// Confinement: a `database` parameter is a catalog name ("todo"), or a path to a `.sdn` file
// (relative to the root, or absolute), resolved by Catalog::Resolve: paths must resolve, through
// symlinks, inside the root, otherwise -32016; a file outside the catalog gets the folder's
// default strategy. Catalog entries whose files resolve outside are dropped by Catalog::Load.
//
// Snapshot cache: Read() returns the cached Snapshot while the file is unchanged, so a read never
// returns stale data, whoever changed the file:
//   * hit without reading: stat(2) gives the key the cached bytes were read with (device,
//     inode, size, mtime_ns, ctime_ns), and that key was "settled" (the file had not changed
//     for 2 s when it was read, so no later change can share the same timestamps). Writers
//     replace the file by rename (new inode); in-place edits change size or the times;
//   * otherwise the file is read once; bytes equal to the cached ones are a hit;
//   * a miss parses exactly those bytes (Store::Parse) and caches them with the snapshot.
//
// Thread-safe: all methods may be called from worker threads concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/db/catalog.h"
#include "core/db/store.h"
#include "core/io/env.h"
#include "server/rpc/error.h"

namespace sdndb::serve {

// What Env::Stat / Env::ReadFileWithInfo say about a file (see Workspace, "Snapshot cache").
struct FileKey {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = -1;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const FileKey& o) const {
    return device == o.device && inode == o.inode && size == o.size && mtime_ns == o.mtime_ns &&
           ctime_ns == o.ctime_ns;
  }
};

struct WorkspaceOptions {
  std::chrono::milliseconds lock_timeout{10000};
  std::string writer;     // recorded in conflicts
  Env* env = PosixEnv();  // every file access of the workspace and its stores (not owned)
};

class Workspace {
 public:
  explicit Workspace(WorkspaceOptions options) : options_(std::move(options)) {}

  // Loads the catalog of `root` (an existing folder).
  Status Load(const std::string& root);
  // Re-reads the catalog (after .sdndb or *_db.sdn files appeared or vanished).
  Status Reload();

  std::string root() const;
  std::vector<DatabaseEntry> Databases() const;
  // Resolves a `database` parameter (Catalog::Resolve, see the header comment) and maps its
  // Status: -32016 (outside the root), -32012 (no such database).
  // `table`, when given, names the table (over a "NAME.TABLE" form of `database`).
  std::optional<rpc::RpcError> Resolve(const std::string& database, DatabaseEntry* out,
                                       const std::optional<std::string>& table = std::nullopt) const;

  // The current snapshot of the database file's table db.table (NotFound if the file or the
  // table is missing).
  Result<std::shared_ptr<const Snapshot>> Read(const DatabaseEntry& db);
  // Read for each table of `tables` of db's file (db.table is ignored), the file read once and, when
  // it changed, parsed once for all of them (Store::ParseTables): what a rescan of a file with many
  // tables needs. A table that is missing or unreadable as records maps to nullptr. Fails as Read
  // does when the file cannot be read or parsed.
  Result<std::map<std::string, std::shared_ptr<const Snapshot>>> ReadTables(const DatabaseEntry& db,
                                                                            const std::vector<std::string>& tables);

  // Each record of `snapshot` serialised by AppendRecordJson, computed once per cached snapshot.
  std::shared_ptr<const std::vector<std::string>> RecordJson(const DatabaseEntry& db,
                                                             const std::shared_ptr<const Snapshot>& snapshot);

  // A Store for one write: its lock waits observe `cancel` and report through `on_wait`.
  // Before the first write to each database, sdndb's lock/temp file patterns are added to
  // .git/info/exclude when the repository's .git is inside the root (git::KeepSdndbFilesOutOfGit;
  // runs git once, blocking, best effort).
  Result<std::unique_ptr<Store>> OpenStore(
      const DatabaseEntry& db, const std::atomic<bool>* cancel,
      std::function<void(std::chrono::milliseconds, const std::string&)> on_wait) const;

  void set_lock_timeout(std::chrono::milliseconds t);

 private:
  struct CacheEntry {
    // The file's bytes; the tables ReadTables read together share one copy (a file of many tables
    // is not held once per table).
    std::shared_ptr<const std::string> bytes;
    FileKey key;           // the file's stat when `bytes` were read
    bool settled = false;  // key alone may stand for the bytes
    std::shared_ptr<const Snapshot> snapshot;
    std::shared_ptr<const std::vector<std::string>> record_json;  // lazily
  };

  // The Env of the current catalog (confined to the root), and what keeps it alive.
  std::shared_ptr<Env> FileEnv(Env** env) const;

  WorkspaceOptions options_;
  mutable std::mutex mu_;
  std::optional<Catalog> catalog_;
  std::map<std::string, CacheEntry> cache_;  // by CacheKey(db): path and table
  mutable std::set<std::string> git_excluded_;  // database paths whose git exclude was checked
};

}  // namespace sdndb::serve
