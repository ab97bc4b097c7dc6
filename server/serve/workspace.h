// Workspace: the databases reachable by one server (the catalog of the root folder), the
// confinement rule, a content-validated snapshot cache, and per-request Store handles.
//
// Confinement: a `database` parameter is a catalog name ("todo"), or a path to a `.sdn` file
// (relative to the root, or absolute), resolved by Catalog::Resolve: paths must resolve, through
// symlinks, inside the root, otherwise -32016; a file outside the catalog gets the folder's
// default strategy. Catalog entries whose files resolve outside are dropped by Catalog::Load.
//
// Snapshot cache: Read() re-reads the file's bytes (one read, cheap) and returns the cached
// Snapshot when they are identical to the bytes the snapshot was parsed from, so a read never
// returns stale data, whoever changed the file.
//
// Thread-safe: all methods may be called from worker threads concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/db/catalog.h"
#include "core/db/store.h"
#include "server/rpc/error.h"

namespace sdndb::serve {

struct WorkspaceOptions {
  std::chrono::milliseconds lock_timeout{10000};
  std::string writer;  // recorded in conflicts
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
  std::optional<rpc::RpcError> Resolve(const std::string& database, DatabaseEntry* out) const;

  // The current snapshot of the database file (NotFound if the file is missing).
  Result<std::shared_ptr<const Snapshot>> Read(const DatabaseEntry& db);

  // Each record of `snapshot` serialised by AppendRecordJson, computed once per cached snapshot.
  std::shared_ptr<const std::vector<std::string>> RecordJson(const DatabaseEntry& db,
                                                             const std::shared_ptr<const Snapshot>& snapshot);

  // A Store for one write: its lock waits observe `cancel` and report through `on_wait`.
  Result<std::unique_ptr<Store>> OpenStore(
      const DatabaseEntry& db, const std::atomic<bool>* cancel,
      std::function<void(std::chrono::milliseconds, const std::string&)> on_wait) const;

  void set_lock_timeout(std::chrono::milliseconds t);

 private:
  struct CacheEntry {
    std::string bytes;
    std::shared_ptr<const Snapshot> snapshot;
    std::shared_ptr<const std::vector<std::string>> record_json;  // lazily
  };

  WorkspaceOptions options_;
  mutable std::mutex mu_;
  std::optional<Catalog> catalog_;
  std::map<std::string, CacheEntry> cache_;  // by path
};

}  // namespace sdndb::serve
