// Record-level three-way merge of one database file: the core of `sdndb merge-driver`.
//
// MergeDatabases(base, ours, theirs) merges three versions of a `.sdn` database the way the
// engine merges stale edits (core/db/merge.h MergeField), record by record and field by field:
//   - records are matched by id in the records table (same choice as the Store: the table named
//     after the database, else the first table other than `strings`/`conflicts`);
//   - a change made on one side only is taken as is (that side's fields, version and modified);
//   - changes on both sides merge field by field; a field changed on both sides to different
//     values becomes a row of the `conflicts` table (exactly as the Store writes them: ours =
//     the git "ours" value, theirs = the git "theirs" value, and the record holds theirs, so
//     `sdndb resolve ID --ours|--theirs` works unchanged); merged records get version
//     max(ours, theirs) + 1 and modified = the HLC time (after observing both sides);
//   - a record added on both sides with the same id merges with an unknown base (every field
//     that differs is a conflict);
//   - delete vs change: a whole-record conflict (field `*`, `<deleted>` marker, the other side's
//     fields as a JSON object) as the Store records it: when ours deleted, the record stays
//     with theirs' content; when theirs deleted, the record leaves the table and its fields live
//     in the conflict row (`sdndb resolve --ours` brings it back). A delete of a record the other
//     side did not change is clean;
//   - existing conflict rows merge three-way by content: rows added on either side are kept
//     (a clashing id is renumbered), rows resolved on one side (present in base, gone there)
//     are dropped;
//   - other tables (e.g. `strings`) merge by key (first/`id` column, when unique) or, failing
//     that, as a multiset of rows; a cell changed differently on both sides keeps ours and is
//     reported in `unmerged` (there is no conflict row for such tables). Rows are never dropped
//     unless one side deleted them and the other left them unchanged.
//   - text outside tables (comments, settings): a one-sided change is kept (the merge then
//     starts from the side that changed it); a change on both sides keeps ours' text and is
//     reported in `unmerged`.
// The result starts from ours' text and applies theirs' changes, so unchanged lines of ours
// stay byte-identical; theirs' new records are appended at the end of the table.
//
// Errors: ParseError ("file:line:col: ...") when an input does not parse, Corruption when a
// `#sdn-crc32` seal does not match. The result always parses (checked before returning).
// Pure apart from the clock: no I/O. Deterministic for a fixed clock.
#pragma once

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

struct MergeOptions {
  std::string database;          // database name (DatabaseNameFromPath of %P): picks the records table
  std::string writer;            // `who` of recorded conflicts
  HybridClock* clock = nullptr;  // nullptr = HybridClock::Global()
};

struct MergeReport {
  std::string text;                   // the merged document
  std::vector<Conflict> conflicts;    // conflicts recorded by this merge (as written)
  std::vector<std::string> unmerged;  // parts that could not be merged (ours kept), one line each
  int taken_from_theirs = 0;          // records added, changed or removed from theirs' side
  bool clean() const { return conflicts.empty() && unmerged.empty(); }
};

Result<MergeReport> MergeDatabases(const MergeInput& base, const MergeInput& ours, const MergeInput& theirs,
                                   const MergeOptions& options);

}  // namespace sdndb::git
