// FaultEnv: an Env that forwards to another Env and fails chosen calls, for I/O-error tests
// (SQLite-style countdown: fail the N-th call of an operation with a given errno, once or
// from then on).
//
//   FaultEnv env(PosixEnv());
//   env.FailNth(FaultEnv::Op::kSync, 1, EIO);       // the first fsync fails with EIO
//   Status s = ReplaceFileAtomically(&env, path, bytes);
//
// A failed write first writes half of the data (as a real ENOSPC would), a failed close
// really closes the descriptor, and other failed calls do nothing. Injected messages look
// like the real ones and end in " (injected)". Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/io/env.h"

namespace sdndb {
namespace testing {

class FaultEnv : public Env {
 public:
  enum class Op { kRead, kStat, kCreate, kWrite, kSync, kClose, kRename, kLink, kSyncDir, kRemove, kListDir, kChmod, kResolve };
  static const char* OpName(Op op);
  static std::vector<Op> AllOps();

  explicit FaultEnv(Env* base) : base_(base) {}

  // The n-th (1-based, counted from now) call of `op` fails with `err`; with persistent,
  // every later call fails too.
  void FailNth(Op op, int n, int err, bool persistent = false);
  void ClearFaults();
  int Calls(Op op) const;     // calls of op seen so far (failed ones included)
  int Injected() const;       // how many faults were injected so far

  Status ReadFile(const std::string& path, std::string* out) override;
  Status ReadFileWithInfo(const std::string& path, std::string* out, FileInfo* info) override;  // Op::kRead
  Status Stat(const std::string& path, FileInfo* info) override;
  Status NewExclusiveFile(const std::string& path, uint32_t mode, std::unique_ptr<WritableFile>* out) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Link(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& dir) override;
  Status Remove(const std::string& path) override;
  Status ListDir(const std::string& dir, std::vector<std::string>* names) override;
  Status Chmod(const std::string& path, uint32_t mode) override;
  Status ResolvePath(const std::string& path, std::string* resolved) override;

  // Counts the call and returns the errno to inject for it (0 = none). Used by the files.
  int Tick(Op op);

 private:
  struct Fault {
    int nth = 0;  // absolute call number that fails first
    int err = 0;
    bool persistent = false;
  };
  Env* base_;
  mutable std::mutex mu_;
  std::map<Op, int> calls_;
  std::map<Op, Fault> faults_;
  int injected_ = 0;
};

// "<what> <path>: <strerror(err)> (injected)" as an IOError.
Status InjectedError(const std::string& what, int err);

}  // namespace testing
}  // namespace sdndb
