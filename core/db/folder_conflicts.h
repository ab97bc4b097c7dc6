// Conflicts across the databases of a workspace: the one rule the CLI and the server share for
// `conflicts` without a database and for resolving a bare conflict id ("c3").
// A database that cannot be read never hides the others and never reads as "no conflict": it is
// reported. No I/O of its own: the caller supplies how a database's conflicts are read (the CLI
// through a Store, the server through its snapshot cache). Not blocking beyond what `read` does.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/db/catalog.h"
#include "core/db/record.h"
#include "core/status.h"

namespace sdndb {

using ConflictReader = std::function<Result<std::vector<Conflict>>(const DatabaseEntry&)>;

struct DatabaseConflicts {
  DatabaseEntry database;
  std::vector<Conflict> conflicts;
};

struct UnreadableDatabase {
  DatabaseEntry database;
  Status status;  // why it could not be read
};

struct FolderConflicts {
  std::vector<DatabaseConflicts> readable;  // every readable database, in `databases` order
  std::vector<UnreadableDatabase> unreadable;
};

FolderConflicts ListFolderConflicts(const std::vector<DatabaseEntry>& databases, const ConflictReader& read);

// The database holding conflict `conflict_id`. Errors: InvalidArgument when several databases hold
// it ("conflict 'c1' exists in todo and task; name the database (todo:c1)"); when none does, the
// first unreadable database's error (it may hold it), else NotFound ("no conflict 'c1'").
Result<DatabaseEntry> FindConflictDatabase(const std::vector<DatabaseEntry>& databases,
                                           const std::string& conflict_id, const ConflictReader& read);

}  // namespace sdndb
