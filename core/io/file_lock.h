// FileLock: cross-process exclusive lock for one database file.
//
// The lock is flock(2) on a sidecar file "<db path>.sdndb-lock" that is created once and never
// deleted or replaced (so every process locks the same inode). The kernel drops the lock
// when its holder dies: there are no stale locks. Two FileLock objects in one process
// exclude each other (flock is per open file description). Closing some other descriptor
// of the lock file does not release it.
//
// After acquiring, the holder writes "pid=<pid> host=<host> program=<prog> since=<unix ms>"
// into the sidecar so that waiters can name it.
//
// Interoperation with the Simple project's tools: they treat the existence of
// "<db path>.lock" as a lock. While such a file exists and is live, Acquire waits for it too,
// polling every 10 ms (that file has no kernel notification) within the same
// timeout/cancel/on_wait rules; a stale one is removed. Their rules, combined: a file whose
// mtime is older than 60 s is stale whatever it holds (their Rust driver's rule, so a live pid
// — pid reuse, pid 1 — cannot block for ever); a younger one is live when its first line is a
// pid running on this host (not a zombie, not our own pid) or when it has no pid (empty or
// unreadable: the Rust tools write it empty); a dead pid is stale at once (their Simple
// library's rule). This wait happens while already holding the flock. While sdndb holds the
// lock it also creates "<db path>.lock" containing "<pid>\n<unix µs>" (the Simple format), so
// those tools wait for sdndb: written to ".<name>.lock.sdndb-new" and hard-linked into place, it
// is never visible empty, even if sdndb is killed half-way (a leftover of a killed sdndb names a
// dead pid, so it is stale at once). It is removed on release, but only if its content is still
// ours (a Rust tool may have judged it stale after 60 s and put its own there).
//
// Acquire blocks in the kernel (no sleep/retry loop on the flock itself) until the lock
// is granted, the timeout passes (LockTimeout, message like
// "todo_db.sdn: locked by pid 4242 (sdndb edit) on host h for 1.3 s"), or the cancel flag is
// set (Cancelled). It wakes every `tick` to check cancellation and call on_wait once per tick
// with the current holder description (the CLI prints "waiting for lock ..." after 0.5 s).
// The wake-up is a per-thread POSIX timer sending a real-time signal to the waiting thread
// only: on first use the highest free real-time signal (SIGRTMAX downwards, disposition
// SIG_DFL) gets a no-op handler without SA_RESTART, installed once for the process; it is
// unblocked only in the waiting thread and only during the wait, and drained afterwards, so
// the application sees no stray signals. Where that is unavailable it falls back to
// non-blocking attempts every <= 10 ms. timeout == 0: one attempt, Busy if held (by sdndb or a
// live legacy lock). Other errors: IOError (cannot open/lock the lock file, e.g. ENOLCK).
// Acquiring twice from one thread waits for itself (until timeout/cancel).
// Readers never take this lock.
//
// fork(): the lock descriptor is O_CLOEXEC, but a child forked without exec shares it and
// keeps the lock held until it exits too.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"

namespace sdndb {

struct LockOptions {
  std::chrono::milliseconds timeout{10000};   // 0 = try once (Busy if held)
  std::chrono::milliseconds tick{100};
  std::string program = "sdndb";              // written into the holder record
  bool legacy_lock = true;                    // honour and create "<path>.lock"
  const std::atomic<bool>* cancel = nullptr;  // set to true to abandon the wait
  // Confinement (core/io/confine.h): when set (absolute, symlink-free), the database's folder
  // must be this root or inside it, checked on an open descriptor that every lock file is then
  // created through (OutsideRoot otherwise), so no lock file appears outside the root.
  std::string root;
  // Called while waiting: (elapsed, human description of the holder).
  std::function<void(std::chrono::milliseconds, const std::string&)> on_wait;
};

// The holder record of a lock file (see the header comment).
struct LockHolder {
  long pid = 0;
  std::string host;
  std::string program;
  int64_t since_ms = 0;  // unix ms when it took the lock
};

class FileLock {
 public:
  // Acquires the lock for database `db_path`. See the header comment for the contract.
  static Result<std::unique_ptr<FileLock>> Acquire(const std::string& db_path, const LockOptions& options);
  ~FileLock();  // releases: removes our legacy lock file, clears the holder record, unlocks
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  const std::string& lock_path() const { return lock_path_; }

  // Describes the holder recorded in db_path's lock file, e.g. "pid 4242 (sdndb edit) on host
  // h for 1.3 s"; "" when none is recorded or the recorded pid on this host is dead (the
  // kernel released its lock). Never blocks, never locks.
  static std::string DescribeHolder(const std::string& db_path);
  // The same holder as a record; false when DescribeHolder would return "".
  static bool ReadHolder(const std::string& db_path, LockHolder* out);
  static std::string LockPathFor(const std::string& db_path);  // "<db_path>.sdndb-lock"

 private:
  FileLock(int fd, std::string lock_path, std::string legacy_path)
      : fd_(fd), lock_path_(std::move(lock_path)), legacy_path_(std::move(legacy_path)) {}
  int fd_;
  int dir_fd_ = -1;             // the database's folder when confined, else AT_FDCWD (set by Acquire)
  std::string lock_path_;
  std::string legacy_path_;     // "" when we did not create one
  std::string legacy_name_;     // legacy_path_ as openat names it relative to dir_fd_
  std::string legacy_content_;  // what we wrote into it; removed on release only if unchanged
};

}  // namespace sdndb
