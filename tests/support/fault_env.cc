#include "tests/support/fault_env.h"

#include <cerrno>
#include <cstring>

namespace sdndb {
namespace testing {

namespace {

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultEnv* env, std::unique_ptr<WritableFile> base, std::string path)
      : env_(env), base_(std::move(base)), path_(std::move(path)) {}

  Status Append(std::string_view data) override {
    if (int err = env_->Tick(FaultEnv::Op::kWrite)) {
      (void)base_->Append(data.substr(0, data.size() / 2));  // a short write, then the error
      return InjectedError("write " + path_, err);
    }
    return base_->Append(data);
  }
  Status Sync() override {
    if (int err = env_->Tick(FaultEnv::Op::kSync)) return InjectedError("fsync " + path_, err);
    return base_->Sync();
  }
  Status Close() override {
    if (int err = env_->Tick(FaultEnv::Op::kClose)) {
      (void)base_->Close();  // the descriptor is gone, as after a real failed close(2)
      return InjectedError("close " + path_, err);
    }
    return base_->Close();
  }

 private:
  FaultEnv* env_;
  std::unique_ptr<WritableFile> base_;
  std::string path_;
};

}  // namespace

Status InjectedError(const std::string& what, int err) {
  return Status::IOError(what + ": " + std::strerror(err) + " (injected)");
}

const char* FaultEnv::OpName(Op op) {
  switch (op) {
    case Op::kRead: return "read";
    case Op::kStat: return "stat";
    case Op::kCreate: return "create";
    case Op::kWrite: return "write";
    case Op::kSync: return "sync";
    case Op::kClose: return "close";
    case Op::kRename: return "rename";
    case Op::kLink: return "link";
    case Op::kSyncDir: return "syncdir";
    case Op::kRemove: return "remove";
    case Op::kListDir: return "listdir";
    case Op::kChmod: return "chmod";
    case Op::kResolve: return "resolve";
  }
  return "?";
}

std::vector<FaultEnv::Op> FaultEnv::AllOps() {
  return {Op::kRead,   Op::kStat,    Op::kCreate, Op::kWrite,   Op::kSync,  Op::kClose,  Op::kRename,
          Op::kLink,   Op::kSyncDir, Op::kRemove, Op::kListDir, Op::kChmod, Op::kResolve};
}

void FaultEnv::FailNth(Op op, int n, int err, bool persistent) {
  std::lock_guard<std::mutex> l(mu_);
  faults_[op] = Fault{calls_[op] + n, err, persistent};
}

void FaultEnv::ClearFaults() {
  std::lock_guard<std::mutex> l(mu_);
  faults_.clear();
}

int FaultEnv::Calls(Op op) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = calls_.find(op);
  return it == calls_.end() ? 0 : it->second;
}

int FaultEnv::Injected() const {
  std::lock_guard<std::mutex> l(mu_);
  return injected_;
}

int FaultEnv::Tick(Op op) {
  std::lock_guard<std::mutex> l(mu_);
  int call = ++calls_[op];
  auto it = faults_.find(op);
  if (it == faults_.end()) return 0;
  const Fault& f = it->second;
  if (call == f.nth || (f.persistent && call > f.nth)) {
    ++injected_;
    return f.err;
  }
  return 0;
}

Status FaultEnv::ReadFile(const std::string& path, std::string* out) {
  if (int err = Tick(Op::kRead)) return InjectedError("read " + path, err);
  return base_->ReadFile(path, out);
}

Status FaultEnv::ReadFileWithInfo(const std::string& path, std::string* out, FileInfo* info) {
  if (int err = Tick(Op::kRead)) return InjectedError("read " + path, err);
  return base_->ReadFileWithInfo(path, out, info);
}

Status FaultEnv::Stat(const std::string& path, FileInfo* info) {
  if (int err = Tick(Op::kStat)) return InjectedError("stat " + path, err);
  return base_->Stat(path, info);
}

Status FaultEnv::NewExclusiveFile(const std::string& path, uint32_t mode, std::unique_ptr<WritableFile>* out) {
  if (int err = Tick(Op::kCreate)) return InjectedError("create " + path, err);
  std::unique_ptr<WritableFile> base;
  Status s = base_->NewExclusiveFile(path, mode, &base);
  if (!s.ok()) return s;
  out->reset(new FaultWritableFile(this, std::move(base), path));
  return Status::OK();
}

Status FaultEnv::Rename(const std::string& from, const std::string& to) {
  if (int err = Tick(Op::kRename)) return InjectedError("rename " + from + " -> " + to, err);
  return base_->Rename(from, to);
}

Status FaultEnv::Link(const std::string& from, const std::string& to) {
  if (int err = Tick(Op::kLink)) return InjectedError("link " + from + " -> " + to, err);
  return base_->Link(from, to);
}

Status FaultEnv::SyncDir(const std::string& dir) {
  if (int err = Tick(Op::kSyncDir)) return InjectedError("fsync folder " + dir, err);
  return base_->SyncDir(dir);
}

Status FaultEnv::Remove(const std::string& path) {
  if (int err = Tick(Op::kRemove)) return InjectedError("remove " + path, err);
  return base_->Remove(path);
}

Status FaultEnv::ListDir(const std::string& dir, std::vector<std::string>* names) {
  if (int err = Tick(Op::kListDir)) return InjectedError("list folder " + dir, err);
  return base_->ListDir(dir, names);
}

Status FaultEnv::Chmod(const std::string& path, uint32_t mode) {
  if (int err = Tick(Op::kChmod)) return InjectedError("chmod " + path, err);
  return base_->Chmod(path, mode);
}

Status FaultEnv::ResolvePath(const std::string& path, std::string* resolved) {
  if (int err = Tick(Op::kResolve)) return InjectedError("resolve " + path, err);
  return base_->ResolvePath(path, resolved);
}

}  // namespace testing
}  // namespace sdndb
