// Three-way merge of one database file: the core of `sdndb merge-driver`.
//
// MergeDatabases(base, ours, theirs) merges three versions of a `.sdn` file. It is right or it
// says so; where a record-level merge cannot be trusted it hands the file to git's own line
// merge (`options.line_merge`, `git merge-file` in the driver), so it is never worse than git.
//
// The file is cut into its tables (a table = its header line through its last row, comments
// between rows included) and the text around them (comments, blank lines, settings, other
// statements), where each table stands as one placeholder line:
//   - the text around the tables merges like git merges text (options.line_merge on it);
//   - a table changed on one side only is taken from that side, byte for byte;
//   - a table changed on both sides merges row by row by its key (`id`, else the first column)
//     and field by field (core/db/merge.h MergeField):
//       * a change made on one side only is taken as is (that side's fields, version, modified);
//       * a field changed on both sides to different values: in the records table (the one the
//         Store uses) a row of the `conflicts` table exactly as the Store writes them (ours =
//         git's "ours", theirs = git's "theirs", the record holds theirs, so `sdndb resolve
//         ID --ours|--theirs` works unchanged); merged records get version max(ours, theirs) + 1
//         and modified = the HLC time when the table has those columns (none are ever added);
//       * a record added on both sides with the same id merges with an unknown base;
//       * delete vs change: a whole-record conflict (field `*`, `<deleted>` marker, the other
//         side's fields as a JSON object); the changed record stays where it is with the content
//         of the side that changed it, so `resolve` keeps or removes it in place;
//       * a column layout changed on one side only (column added, removed, renamed, reordered)
//         is applied: the table is merged into that side's layout; a renamed column is one that
//         took a removed column's place;
//       * the rows of a key that occurs more than once (duplicate ids, keyless log tables) are
//         taken together, in order, from the side that changed them;
//   - existing conflict rows merge three-way by content (a clashing id is renumbered).
// The merge declines (Outcome "line merge", with the reason) and runs options.line_merge on the
// whole file when any version does not parse, or:
//   - the rows of a repeated key (real files have them) changed on both sides;
//   - a table changed its column layout differently on both sides, or was removed on one side
//     and changed on the other;
//   - a record changed on both sides holds a different record on one side (ids that changed
//     meaning): see IdentityChanged below;
//   - a row of a table other than the records table was changed differently on both sides or
//     deleted on one side and changed on the other (such tables have no conflict rows);
//   - the comments between the rows of a table changed on the side the merge does not start
//     from, or the text around the tables does not merge cleanly.
// The result of a record-level merge always parses (checked before returning).
// Pure apart from the clock and options.line_merge: no I/O. Deterministic for a fixed clock.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/db/hlc.h"
#include "core/db/record.h"
#include "core/status.h"

namespace sdndb::git {

struct MergeInput {
  std::string text;
  std::string name;  // used in error messages (e.g. "base", "ours", or the file path)
};

// A line merge of three texts (git merge-file): the merged text (with conflict markers when
// conflicts > 0) and the number of conflicting hunks.
struct LineMerge {
  std::string text;
  int conflicts = 0;
};
using LineMergeFn = std::function<Result<LineMerge>(const std::string& base, const std::string& ours,
                                                    const std::string& theirs)>;

struct MergeOptions {
  std::string database;          // database name (DatabaseNameFromPath of %P): picks the records table
  std::string writer;            // `who` of recorded conflicts
  HybridClock* clock = nullptr;  // nullptr = HybridClock::Global()
  // The line merge used for the text around the tables and as the fallback for the whole file.
  // Unset: the text around the tables must have changed on one side only, and a declined merge
  // is returned as an error (FailedPrecondition with the reason).
  LineMergeFn line_merge;
  // Per table, the columns that identify a record (`.sdndb` `identity:`): the same id holds a
  // different record when any of them differs (both non-empty). Tables not listed use the
  // default rule of IdentityChanged.
  std::map<std::string, std::vector<std::string>> identity;
};

struct MergeReport {
  std::string text;                   // the merged document
  std::vector<Conflict> conflicts;    // conflicts recorded by this merge (as written)
  // Set when the record-level merge declined and `text` is the line merge of the whole file.
  std::string line_merge_reason;
  int line_conflicts = 0;             // conflicting hunks of that line merge
  bool line_merged() const { return !line_merge_reason.empty(); }
  bool clean() const { return conflicts.empty() && line_conflicts == 0; }
};

Result<MergeReport> MergeDatabases(const MergeInput& base, const MergeInput& ours, const MergeInput& theirs,
                                   const MergeOptions& options);

// Whether two versions of a record with the same id are different records (ids that changed
// meaning, e.g. a regenerated database). The identifying fields are the columns named title,
// name, description, summary, text, file or path that are non-empty in both versions. Different
// records: every identifying field differs, and either there are two or more of them, or the
// one there is shares no word (4+ letters or digits) between the versions and more than half of
// at least two other fields differ too. A record without identifying fields never changes
// identity. `a`, `b`: (column, value) pairs without the key, version and modified.
bool IdentityChanged(const FieldList& a, const FieldList& b);
// The same with the identifying columns named (any of them differing: different records).
bool IdentityChanged(const FieldList& a, const FieldList& b, const std::vector<std::string>& identity);

}  // namespace sdndb::git
