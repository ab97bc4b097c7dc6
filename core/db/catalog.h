// Catalog: finds the databases of a workspace.
// A folder's databases are its `*_db.sdn` files, plus any listed in an `.sdndb` config file:
//   databases:
//       todo: path/to/todo_db.sdn
//   strategy: merge                 # default strategy
//   strategies:
//       feature: last-modified-wins
// Discovery: an explicit --dir, else the nearest folder upward from the start folder that holds
// `*_db.sdn` files or an `.sdndb` file. Paths are confined to the root: entries that resolve
// (through symlinks) outside it are rejected.
// Errors of Load: NotFound (the root folder does not exist), IOError, OutsideRoot (a `.sdndb`
// that is a symlink leading outside the root), and for a malformed
// `.sdndb`: ParseError (bad SDN, "file:line:col: what") or InvalidArgument (bad strategy, an
// entry without a path or outside the root; the message starts with ".sdndb: ").
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/db/record.h"
#include "core/db/store.h"
#include "core/io/env.h"
#include "core/status.h"

namespace sdndb {

// "*_db.sdn" (a file name, not a path).
bool IsDatabaseFileName(const std::string& name);

struct DatabaseEntry {
  std::string name;  // "todo"
  std::string path;  // absolute
  Strategy strategy = Strategy::kMerge;
  std::string table;  // a table of the file; "" = its records table (StoreOptions::table)
};

class Catalog {
 public:
  // Loads the catalog of folder `root` (must exist). Folder listings and the `.sdndb` file are
  // read through `env` (not owned; must outlive the call).
  static Result<Catalog> Load(const std::string& root, Env* env = PosixEnv());
  // Walks up from `start` to find the root; NotFound if nothing is found.
  static Result<std::string> Discover(const std::string& start, Env* env = PosixEnv());

  const std::string& root() const { return root_; }
  const std::vector<DatabaseEntry>& databases() const { return entries_; }
  // The default strategy of the folder (`.sdndb` `strategy:`, else merge).
  Strategy default_strategy() const { return default_strategy_; }
  const DatabaseEntry* Find(const std::string& name) const;
  // True when `path` resolves (following symlinks) inside the root.
  bool Contains(const std::string& path) const;

  // Confinement of every operation on its databases (not only when the catalog loads): when
  // loaded with PosixEnv(), the catalog's Env is one confined to the root
  // (core/io/confined_env.h); Confine sets `o` to use it and to create lock files only inside
  // the root (LockOptions::root). A catalogued file or folder replaced later by a symlink that
  // leads outside is then refused (OutsideRoot) by the operation itself.
  void Confine(StoreOptions* o) const;
  // The Env the catalog's files are reached through (see Confine), kept alive by env_owner()
  // (null when it is the Env given to Load, which the caller keeps alive).
  Env* env() const { return env_; }
  const std::shared_ptr<Env>& env_owner() const { return confined_env_; }

  // Resolves a `database` argument: a catalog name ("todo"), or a path to a `.sdn` file
  // (relative to the root, or absolute). A path that names a catalog entry's file (through
  // symlinks) yields that entry; another `.sdn` file inside the root yields a new entry named
  // after the file, with the folder's default strategy and its symlink-free path.
  // "NAME.TABLE" (when NAME.TABLE itself is no database) names table TABLE of database NAME
  // (DatabaseEntry::table; whether the table exists is checked when the file is read).
  // Errors: InvalidArgument when the path resolves outside the root (the message is
  // "path is outside the workspace: <name_or_path>"); NotFound ("no database '<x>'") otherwise.
  Result<DatabaseEntry> Resolve(const std::string& name_or_path) const;

 private:
  Result<DatabaseEntry> ResolveFile(const std::string& name_or_path) const;  // Resolve without ".TABLE"
  // `path` with every symlink resolved; a file that does not exist yet is judged by its
  // folder ("" if that does not exist either).
  static std::string Canonical(const std::string& path);
  bool InsideRoot(const std::string& canonical) const;

  std::string root_;
  Strategy default_strategy_ = Strategy::kMerge;
  std::vector<DatabaseEntry> entries_;
  std::vector<std::string> canonical_;  // Canonical(entries_[i].path), computed at Load
  Env* env_ = nullptr;
  std::shared_ptr<Env> confined_env_;   // shared by copies of this catalog
};

}  // namespace sdndb
