// ConfinedEnv: the real file system (like PosixEnv), restricted to one root folder. Every path
// it is given is reached through a descriptor of its folder whose real location is checked
// (core/io/confine.h) and then used with openat/renameat/linkat/unlinkat, so a file or folder
// swapped for a symlink that leads outside — before or during the call — makes the call fail
// with OutsideRoot naming the path instead of touching anything outside. A file reached
// through a symlink is checked after opening. Symlinks that stay inside the root work.
// Final components are never followed when creating, renaming, linking or removing (a rename
// over a symlink replaces the link itself, inside the root).
// Contract otherwise as Env (env.h): blocking, thread-safe, Status values, never throws.
#pragma once

#include <memory>
#include <string>

#include "core/io/env.h"

namespace sdndb {

// `root`: an existing folder; it is resolved once (realpath) here. NotFound if it does not exist.
Result<std::unique_ptr<Env>> NewConfinedEnv(const std::string& root);

}  // namespace sdndb
