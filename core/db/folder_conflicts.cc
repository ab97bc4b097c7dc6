#include "core/db/folder_conflicts.h"

#include <algorithm>

namespace sdndb {

FolderConflicts ListFolderConflicts(const std::vector<DatabaseEntry>& databases, const ConflictReader& read) {
  FolderConflicts out;
  for (const DatabaseEntry& db : databases) {
    auto conflicts = read(db);
    if (conflicts.ok()) {
      out.readable.push_back({db, std::move(conflicts.value())});
    } else {
      out.unreadable.push_back({db, conflicts.status()});
    }
  }
  return out;
}

Result<DatabaseEntry> FindConflictDatabase(const std::vector<DatabaseEntry>& databases,
                                           const std::string& conflict_id, const ConflictReader& read) {
  FolderConflicts folder = ListFolderConflicts(databases, read);
  const DatabaseEntry* found = nullptr;
  for (const DatabaseConflicts& d : folder.readable) {
    bool here = std::any_of(d.conflicts.begin(), d.conflicts.end(),
                            [&](const Conflict& c) { return c.id == conflict_id; });
    if (!here) continue;
    if (found) {
      return Status::InvalidArgument("conflict '" + conflict_id + "' exists in " + found->name + " and " +
                                     d.database.name + "; name the database (" + found->name + ":" +
                                     conflict_id + ")");
    }
    found = &d.database;
  }
  if (found) return *found;
  if (!folder.unreadable.empty()) return folder.unreadable.front().status;
  return Status::NotFound("no conflict '" + conflict_id + "'");
}

}  // namespace sdndb
