// Confinement of file operations to a root folder. A file or folder inside the root that is
// replaced by a symlink leading outside (a git checkout of such a link, another process) must
// never make sdndb read, create, replace or remove anything outside the root, whenever the
// swap happens.
//
// The rule: open the folder (following symlinks), ask the kernel where that descriptor really
// is (/proc/self/fd on Linux, F_GETPATH on macOS) and refuse it unless it is the root or inside
// it; then work relative to the descriptor (openat, renameat, linkat, unlinkat), so a swap
// after the check changes nothing. An opened file is checked the same way. Symlinks that stay
// inside the root keep working.
// Blocking, thread-safe, never throw. The root must be absolute and symlink-free (realpath).
#pragma once

#include <string>

#include "core/status.h"

namespace sdndb {

// True when `real` (absolute, symlink-free) is inside `root`, or equal to it if allow_root.
bool PathInsideRoot(const std::string& root, const std::string& real, bool allow_root);

// The kernel's path of an open descriptor; false when it cannot be known.
bool RealPathOfFd(int fd, std::string* out);

// "<path> is outside the workspace <root> (a symlink leads out of it)": OutsideRoot.
Status OutsideRootError(const std::string& path, const std::string& root);

// Opens folder `dir` (O_DIRECTORY, following symlinks) and checks that it is `root` or inside
// it. *fd is then the caller's to close. Errors: NotFound (absent), OutsideRoot, IOError.
Status OpenFolderInside(const std::string& root, const std::string& dir, int* fd);

// Checks that descriptor `fd`, opened for `path`, lies strictly inside `root` (OutsideRoot
// otherwise, also when its location cannot be known).
Status CheckFdInside(const std::string& root, int fd, const std::string& path);

// Opens file `path` with `flags` (a final symlink is followed) through its checked folder and
// checks the opened file too: inside `root`, or OutsideRoot. NotFound when it (or its folder)
// does not exist; IOError otherwise. *fd is then the caller's to close.
Status OpenInside(const std::string& root, const std::string& path, int flags, int* fd);

}  // namespace sdndb
