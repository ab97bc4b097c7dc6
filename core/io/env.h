// Env: every read and write of database files (and their temp files) goes through this
// interface, so tests can inject faults (ENOSPC, EIO, ...) at any step. PosixEnv() is the real
// one. FileLock works on its lock files with direct syscalls (flock, fcntl).
// All calls are blocking, thread-safe, and report errors as IOError Status values whose
// message names the path and the OS error; they never throw.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct stat;

namespace sdndb {

struct FileInfo {
  bool exists = false;
  bool is_dir = false;
  uint32_t mode = 0;       // permission bits (st_mode & 07777)
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;  // status change: any write, chmod or rename sets it to the clock
  uint64_t inode = 0;
  uint64_t device = 0;
};

// A file opened for writing. Write loops over short writes and EINTR.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Sync() = 0;   // fsync (or fdatasync); a failure is final, never retried
  virtual Status Close() = 0;  // close(2) result is checked
};

class Env {
 public:
  virtual ~Env() = default;

  virtual Status ReadFile(const std::string& path, std::string* out) = 0;  // NotFound if absent
  // ReadFile, and *info describes the file that was read: PosixEnv takes it with fstat on the
  // descriptor it reads, before reading, so a change during the read (or a file renamed over
  // the path) shows up as a different FileInfo next time. NotFound if absent.
  // The default (for wrappers) is Stat then ReadFile: *info is then at most as new as the bytes,
  // which keeps that guarantee, at the cost of one more system call.
  virtual Status ReadFileWithInfo(const std::string& path, std::string* out, FileInfo* info);
  // Follows symlinks. ok + exists=false if absent.
  virtual Status Stat(const std::string& path, FileInfo* info) = 0;
  // Creates path with O_CREAT|O_EXCL|O_NOFOLLOW; fails if it exists. The permission bits are
  // set to exactly `mode` (not filtered by the umask) so a replaced file keeps its mode.
  virtual Status NewExclusiveFile(const std::string& path, uint32_t mode,
                                  std::unique_ptr<WritableFile>* out) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;  // rename(2)
  // Hard link (link(2)); fails if `to` exists or the file system has no hard links.
  // Optional: the default reports "not supported" (ReplaceFileAtomically then works without
  // its rollback copy, see atomic_file.h).
  virtual Status Link(const std::string& from, const std::string& to) {
    return Status::IOError("link " + from + " -> " + to + ": not supported by this Env");
  }
  // fsync of the folder itself, making renames/creations in it durable. File systems that
  // cannot fsync a folder (EINVAL/ENOTSUP) count as success.
  virtual Status SyncDir(const std::string& dir) = 0;
  virtual Status Remove(const std::string& path) = 0;  // ok if already absent
  virtual Status ListDir(const std::string& dir, std::vector<std::string>* names) = 0;
  virtual Status Chmod(const std::string& path, uint32_t mode) = 0;
  // Resolves symlinks in the final component chain (realpath of an existing file,
  // or the path itself when it does not exist yet).
  virtual Status ResolvePath(const std::string& path, std::string* resolved) = 0;
};

// The process-wide real implementation (never deleted).
Env* PosixEnv();

// Building blocks of the POSIX Envs (PosixEnv, ConfinedEnv in confined_env.h).
// A WritableFile over descriptor `fd` (owned; `path` names it in messages).
std::unique_ptr<WritableFile> NewPosixWritableFile(int fd, std::string path);
// Reads `fd` to its end into *out (does not close it); *info (when wanted) is its fstat,
// taken before reading. IOError naming `path`.
Status ReadFd(int fd, const std::string& path, std::string* out, FileInfo* info = nullptr);
// What stat(2) says, as a FileInfo (exists = true).
FileInfo InfoOf(const struct stat& st);
// The names in folder descriptor `dir_fd` (owned: closed), without "." and "..".
Status ListFd(int dir_fd, const std::string& dir, std::vector<std::string>* names);

// Helpers on paths.
std::string DirName(const std::string& path);   // "a/b/c.sdn" -> "a/b"; "c.sdn" -> "."
std::string BaseName(const std::string& path);  // "a/b/c.sdn" -> "c.sdn"

}  // namespace sdndb
