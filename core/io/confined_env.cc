// ConfinedEnv: PosixEnv's operations relative to checked folder descriptors. See confined_env.h.
#include "core/io/confined_env.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#ifndef O_PATH
#define O_PATH O_RDONLY  // where the kernel has no path-only descriptors
#endif

#include "core/io/confine.h"

namespace sdndb {

namespace {

// A descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int OpenAtRetry(int dir, const std::string& name, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::openat(dir, name.c_str(), flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

class ConfinedEnvImpl final : public Env {
 public:
  explicit ConfinedEnvImpl(std::string root) : root_(std::move(root)) {}

  Status ReadFile(const std::string& path, std::string* out) override { return ReadFileWithInfo(path, out, nullptr); }

  Status ReadFileWithInfo(const std::string& path, std::string* out, FileInfo* info) override {
    out->clear();
    if (info) *info = FileInfo();
    Fd fd;
    SDNDB_RETURN_IF_ERROR(OpenFile(path, O_RDONLY, &fd.fd));
    return ReadFd(fd.fd, path, out, info);
  }

  Status Stat(const std::string& path, FileInfo* info) override {
    *info = FileInfo();
    Fd fd;
    Status s = OpenFile(path, O_PATH, &fd.fd);
    if (s.code() == StatusCode::kNotFound) return Status::OK();
    SDNDB_RETURN_IF_ERROR(s);
    struct stat st;
    if (::fstat(fd.fd, &st) != 0) return Status::FromErrno("stat " + path, errno);
    *info = InfoOf(st);
    return Status::OK();
  }

  Status NewExclusiveFile(const std::string& path, uint32_t mode, std::unique_ptr<WritableFile>* out) override {
    out->reset();
    Fd dir;
    std::string name;
    SDNDB_RETURN_IF_ERROR(OpenParent(path, &dir.fd, &name));
    int fd = OpenAtRetry(dir.fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                         static_cast<mode_t>(mode & 07777));
    if (fd < 0) return Status::FromErrno("create " + path, errno);
    if (::fchmod(fd, static_cast<mode_t>(mode & 07777)) != 0) {
      int err = errno;
      ::close(fd);
      ::unlinkat(dir.fd, name.c_str(), 0);
      return Status::FromErrno("chmod " + path, err);
    }
    *out = NewPosixWritableFile(fd, path);
    return Status::OK();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    Fd from_dir, to_dir;
    std::string from_name, to_name;
    SDNDB_RETURN_IF_ERROR(OpenParent(from, &from_dir.fd, &from_name));
    SDNDB_RETURN_IF_ERROR(OpenParent(to, &to_dir.fd, &to_name));
    if (::renameat(from_dir.fd, from_name.c_str(), to_dir.fd, to_name.c_str()) != 0) {
      return Status::FromErrno("rename " + from + " -> " + to, errno);
    }
    return Status::OK();
  }

  Status Link(const std::string& from, const std::string& to) override {
    Fd from_dir, to_dir;
    std::string from_name, to_name;
    SDNDB_RETURN_IF_ERROR(OpenParent(from, &from_dir.fd, &from_name));
    SDNDB_RETURN_IF_ERROR(OpenParent(to, &to_dir.fd, &to_name));
    if (::linkat(from_dir.fd, from_name.c_str(), to_dir.fd, to_name.c_str(), 0) != 0) {
      return Status::FromErrno("link " + from + " -> " + to, errno);
    }
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    Fd fd;
    SDNDB_RETURN_IF_ERROR(OpenFolderInside(root_, dir, &fd.fd));
    if (::fsync(fd.fd) != 0 && errno != EINVAL && errno != ENOTSUP) {
      return Status::FromErrno("fsync folder " + dir, errno);
    }
    return Status::OK();
  }

  Status Remove(const std::string& path) override {
    Fd dir;
    std::string name;
    Status s = OpenParent(path, &dir.fd, &name);
    if (s.code() == StatusCode::kNotFound) return Status::OK();
    SDNDB_RETURN_IF_ERROR(s);
    if (::unlinkat(dir.fd, name.c_str(), 0) != 0 && errno != ENOENT) return Status::FromErrno("remove " + path, errno);
    return Status::OK();
  }

  Status ListDir(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    int fd = -1;
    Status s = OpenFolderInside(root_, dir, &fd);
    if (!s.ok()) return s.code() == StatusCode::kNotFound ? Status::FromErrno("list folder " + dir, ENOENT) : s;
    return ListFd(fd, dir, names);
  }

  Status Chmod(const std::string& path, uint32_t mode) override {
    Fd fd;
    SDNDB_RETURN_IF_ERROR(OpenFile(path, O_RDONLY | O_NONBLOCK, &fd.fd));
    if (::fchmod(fd.fd, static_cast<mode_t>(mode & 07777)) != 0) return Status::FromErrno("chmod " + path, errno);
    return Status::OK();
  }

  Status ResolvePath(const std::string& path, std::string* resolved) override {
    // Lexical, as PosixEnv's; whatever it yields is checked by the operation that uses it.
    return PosixEnv()->ResolvePath(path, resolved);
  }

 private:
  // The checked folder of `path` and the final component's name.
  Status OpenParent(const std::string& path, int* dir_fd, std::string* name) const {
    *name = BaseName(path);
    if (name->empty() || *name == "." || *name == "..") return OutsideRootError(path, root_);
    Status s = OpenFolderInside(root_, DirName(path), dir_fd);
    if (s.code() == StatusCode::kOutsideRoot) return OutsideRootError(path, root_);  // name the file
    return s;
  }

  // Opens `path` (following a final symlink) and checks the opened file's real location.
  Status OpenFile(const std::string& path, int flags, int* out) const {
    return OpenInside(root_, path, flags, out);
  }

  const std::string root_;
};

}  // namespace

Result<std::unique_ptr<Env>> NewConfinedEnv(const std::string& root) {
  char buf[PATH_MAX];
  if (::realpath(root.c_str(), buf) == nullptr) return Status::NotFound("folder not found: " + root);
  return std::unique_ptr<Env>(new ConfinedEnvImpl(buf));
}

}  // namespace sdndb
