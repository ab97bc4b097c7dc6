// Three-way, field-level merge: the rules shared by the engine (stale edits) and the git merge
// driver. Pure functions: deterministic, no I/O.
//
// For one field with base B (what the editor started from; may be unknown), ours O (the edit)
// and theirs T (what is stored now):
//   O == T                 -> T, clean (both sides agree)
//   B known and T == B     -> O, clean (only ours changed it)
//   B known and O == B     -> T, clean (only theirs changed it)
//   otherwise              -> conflict (both changed it differently, or B unknown and O != T)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/db/record.h"

namespace sdndb {

struct FieldOutcome {
  std::string value;  // merged value when clean; theirs when in conflict
  bool conflict = false;
};

FieldOutcome MergeField(const std::optional<std::string>& base, const std::string& ours, const std::string& theirs);

struct FieldConflict {
  std::string field;
  std::optional<std::string> base;
  std::string ours, theirs;
};

struct StaleEditMerge {
  FieldList clean;                       // changes that apply cleanly (value differs from stored)
  std::vector<FieldConflict> conflicts;  // fields changed on both sides
};

// Merges an edit's changes, made on a view with field values `base`, into the stored record
// fields `stored`. Fields absent from `base` have an unknown base.
StaleEditMerge MergeStaleEdit(const std::map<std::string, std::string>& base, const FieldList& changes,
                              const FieldList& stored);

}  // namespace sdndb
