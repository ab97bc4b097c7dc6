// Running git (and the merge driver git-setup registered) as child processes, and git's own
// three-way line merge (`git merge-file`) for texts in memory.
// Processes are started with posix_spawnp and an argv (no shell unless asked for), stdin from
// /dev/null, stdout and stderr captured. Blocking.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "server/git/merge_driver.h"

namespace sdndb::git {

struct ProcessRun {
  int exit_code = -1;  // 128 + signal when killed
  std::string out, err;
};

// Runs argv[0] (looked up in PATH) with `argv`. IOError when it cannot be started.
Result<ProcessRun> RunProgram(std::vector<std::string> argv);

// `git merge-file -p` of three texts, with the conflict markers labelled `labels` (ours, base,
// theirs). IOError when git cannot run or reports an error (exit >= 128) or temp files fail.
Result<LineMerge> GitMergeFile(const std::string& base, const std::string& ours, const std::string& theirs,
                               const std::vector<std::string>& labels = {"ours", "base", "theirs"});

// A private temp folder (under $TMPDIR, else /tmp), removed with the files written through it
// when this goes out of scope.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  bool Write(const std::string& name, const std::string& text);  // false on any write error

 private:
  std::string path_;
  std::vector<std::string> files_;
};

// Adds the patterns of sdndb's own per-machine files (lock files `*.sdndb-lock`, the Simple
// tools' `*.sdn.lock`, crashed writers' temp files) to the repository's `.git/info/exclude`
// (never committed, per clone) when `dir` is inside a git work tree. Returns whether the file
// changed; false without error outside a work tree or when git is missing.
// With `within` (a resolved folder), an exclude file outside it is left alone (false): a linked
// worktree's or a submodule's `.git` file may point to a repository elsewhere.
Result<bool> ExcludeSdndbFiles(const std::string& dir, const std::string& within = "");

// After a write to the database at `db_path`: ExcludeSdndbFiles for its folder unless the
// nearest `.git` folder above it already excludes `*.sdndb-lock` (one file read; git runs only
// the first time, or in linked worktrees whose `.git` is a file). Best effort: never fails.
// With `within` (a resolved folder), the search for `.git` stops there: a repository whose
// `.git` lies above `within`, or whose exclude file does (a linked worktree, a submodule), is
// left alone (the server touches nothing outside its root).
void KeepSdndbFilesOutOfGit(const std::string& db_path, const std::string& within = "");

// A POSIX shell word for `s`.
std::string ShellQuote(const std::string& s);

}  // namespace sdndb::git
