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
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/db/record.h"
#include "core/status.h"

namespace sdndb {

struct DatabaseEntry {
  std::string name;  // "todo"
  std::string path;  // absolute
  Strategy strategy = Strategy::kMerge;
};

class Catalog {
 public:
  // Loads the catalog of folder `root` (must exist).
  static Result<Catalog> Load(const std::string& root);
  // Walks up from `start` to find the root; NotFound if nothing is found.
  static Result<std::string> Discover(const std::string& start);

  const std::string& root() const { return root_; }
  const std::vector<DatabaseEntry>& databases() const { return entries_; }
  const DatabaseEntry* Find(const std::string& name) const;
  // True when `path` resolves (following symlinks) inside the root.
  bool Contains(const std::string& path) const;

 private:
  std::string root_;
  std::vector<DatabaseEntry> entries_;
};

}  // namespace sdndb
