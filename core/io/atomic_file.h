// Atomic replacement of a whole file: readers see the old bytes or the new bytes, never a mix.
//
// ReplaceFileAtomically(env, path, bytes, options):
//   1. resolves a symlinked path to its target (the link itself is kept);
//   2. creates "<dir>/.<name>.sdndb-tmp.<pid>.<random>" with O_EXCL in the same folder,
//      with the target's current mode (0644 for a new file);
//   3. appends all bytes, fsyncs (unless options.durable is false), closes (checked);
//   4. renames over the target, then fsyncs the folder (unless !durable);
//   5. only then returns OK.
// A target without any write permission bit (e.g. 0444) is refused (IOError "the file is
// read-only"), although the rename would succeed: read-only means "do not change".
// On any failure the original file is untouched, the temp file is removed, and the Status
// (IOError; InvalidArgument when path is a folder) names the step, the path and the OS error,
// e.g. "replace a/todo.sdn: fsync of the temp file failed: fsync a/.todo.sdn.sdndb-tmp.12.3f..:
// Input/output error; the original file is unchanged". A failed fsync is reported, never retried.
// The folder fsync comes after the rename, so to keep that promise in durable mode the current
// file is first hard-linked to "<temp>.old"; if the folder fsync fails, that link is renamed
// back (message: "the original file was restored"; a target that did not exist is removed
// again), otherwise it is unlinked. Without hard links (Env::Link fails) the replace still
// works, and a failed folder fsync then says the new content is in place but not durable.
// Readers without the lock may briefly see the new content before such a rollback.
// The new file keeps the target's permission bits exactly (not its owner).
// Blocking. Does not lock: callers hold the database's FileLock.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/io/env.h"
#include "core/status.h"

namespace sdndb {

struct AtomicWriteOptions {
  bool durable = true;  // fsync file and folder; false = crash-safe but not power-loss-safe
};

Status ReplaceFileAtomically(Env* env, const std::string& path, std::string_view bytes,
                             const AtomicWriteOptions& options = {});

// True for names ReplaceFileAtomically creates for target `name`: ".<name>.sdndb-tmp.<pid>.<hex>"
// and ".<name>.sdndb-tmp.<pid>.<hex>.old" (nothing else, e.g. not ".<name>.sdndb-tmp.notes").
bool IsOurTempFile(const std::string& target_name, const std::string& candidate);

// Removes leftover temp files of crashed writers for `path` (in the folder of its symlink-
// resolved target, where ReplaceFileAtomically creates them). Only files matching
// IsOurTempFile are touched. The caller must hold the database's FileLock so that no live
// writer's temp file is removed. Returns the number of files removed in *removed.
Status CleanupTempFiles(Env* env, const std::string& path, int* removed);

}  // namespace sdndb
