// PosixEnv: the real file system, via POSIX calls. See env.h for the contract.
#include "core/io/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace sdndb {

namespace {

// open(2) retried on EINTR (it can be interrupted on some file systems, e.g. FUSE/NFS).
int OpenRetry(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);  // abandoned without Close(): nothing to report to
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::IOError("write " + path_ + ": file already closed");
    const char* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("write " + path_, errno);
      }
      if (n == 0) return Status::FromErrno("write " + path_ + " (wrote 0 bytes)", EIO);
      p += n;
      left -= static_cast<size_t>(n);
    }
    return Status::OK();
  }

  Status Sync() override {
    if (fd_ < 0) return Status::IOError("fsync " + path_ + ": file already closed");
#if defined(__APPLE__)
    // Plain fsync on macOS does not flush the drive cache.
    if (::fcntl(fd_, F_FULLFSYNC) == 0) return Status::OK();
    if (::fsync(fd_) == 0) return Status::OK();
#else
    // fdatasync also flushes the metadata needed to read the data back (the size).
    if (::fdatasync(fd_) == 0) return Status::OK();
#endif
    // Never retried: after a writeback error the kernel may have dropped the dirty pages,
    // so a second fsync could "succeed" although the data is lost (fsyncgate).
    return Status::FromErrno("fsync " + path_, errno);
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    int fd = fd_;
    fd_ = -1;  // close(2) is never retried, even on EINTR: the descriptor is gone either way
    // EINTR is reported too: on NFS it means the final flush may not have happened.
    if (::close(fd) != 0) return Status::FromErrno("close " + path_, errno);
    return Status::OK();
  }

 private:
  int fd_;
  std::string path_;
};

// Reads the whole file through one descriptor; *info (when wanted) is its fstat, taken before
// reading.
Status ReadThroughDescriptor(const std::string& path, std::string* out, FileInfo* info) {
  out->clear();
  if (info) *info = FileInfo();
  int fd = OpenRetry(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound("read " + path + ": " + std::strerror(err));
    return Status::FromErrno("open " + path, err);
  }
  Status s = ReadFd(fd, path, out, info);
  ::close(fd);  // read-only descriptor: nothing can be lost on close
  return s;
}

class PosixEnvImpl final : public Env {
 public:
  Status ReadFile(const std::string& path, std::string* out) override { return ReadThroughDescriptor(path, out, nullptr); }

  Status ReadFileWithInfo(const std::string& path, std::string* out, FileInfo* info) override {
    return ReadThroughDescriptor(path, out, info);
  }

  Status Stat(const std::string& path, FileInfo* info) override {
    *info = FileInfo();
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::OK();
      return Status::FromErrno("stat " + path, errno);
    }
    *info = InfoOf(st);
    return Status::OK();
  }

  Status NewExclusiveFile(const std::string& path, uint32_t mode,
                          std::unique_ptr<WritableFile>* out) override {
    out->reset();
    int fd = OpenRetry(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                       static_cast<mode_t>(mode & 07777));
    if (fd < 0) return Status::FromErrno("create " + path, errno);
    // The umask filtered the mode given to open(2); set it exactly so that a replaced file
    // keeps its permission bits.
    if (::fchmod(fd, static_cast<mode_t>(mode & 07777)) != 0) {
      int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return Status::FromErrno("chmod " + path, err);
    }
    out->reset(new PosixWritableFile(fd, path));
    return Status::OK();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return Status::FromErrno("rename " + from + " -> " + to, errno);
    }
    return Status::OK();
  }

  Status Link(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) {
      return Status::FromErrno("link " + from + " -> " + to, errno);
    }
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = OpenRetry(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno("open folder " + dir, errno);
    Status s;
    if (::fsync(fd) != 0) {
      int err = errno;
      // A few file systems cannot fsync a directory at all; that is not a write failure.
      if (err != EINVAL && err != ENOTSUP) s = Status::FromErrno("fsync folder " + dir, err);
    }
    ::close(fd);
    return s;
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::FromErrno("remove " + path, errno);
    }
    return Status::OK();
  }

  Status ListDir(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    int fd = OpenRetry(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno("list folder " + dir, errno);
    return ListFd(fd, dir, names);
  }

  Status Chmod(const std::string& path, uint32_t mode) override {
    if (::chmod(path.c_str(), static_cast<mode_t>(mode & 07777)) != 0) {
      return Status::FromErrno("chmod " + path, errno);
    }
    return Status::OK();
  }

  Status ResolvePath(const std::string& path, std::string* resolved) override {
    // Follows the symlink chain of the final component only (a dangling link resolves to
    // the file it names, so the first write creates the target and keeps the link).
    std::string p = path;
    for (int hops = 0; hops < 40; ++hops) {
      struct stat st;
      if (::lstat(p.c_str(), &st) != 0) {
        if (errno == ENOENT) break;
        return Status::FromErrno("stat " + p, errno);
      }
      if (!S_ISLNK(st.st_mode)) break;
      std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 255) + 1, '\0');
      ssize_t n;
      for (;;) {
        n = ::readlink(p.c_str(), &target[0], target.size());
        if (n < 0) return Status::FromErrno("readlink " + p, errno);
        if (static_cast<size_t>(n) < target.size()) break;
        target.resize(target.size() * 2);  // the link grew meanwhile
      }
      target.resize(static_cast<size_t>(n));
      if (target.empty()) return Status::FromErrno("readlink " + p, ENOENT);
      p = target[0] == '/' ? target : DirName(p) + "/" + target;
      if (hops == 39) return Status::FromErrno("resolve " + path, ELOOP);
    }
    *resolved = p;
    return Status::OK();
  }
};

}  // namespace

FileInfo InfoOf(const struct stat& st) {
  FileInfo info;
  info.exists = true;
  info.is_dir = S_ISDIR(st.st_mode);
  info.mode = static_cast<uint32_t>(st.st_mode & 07777);
  info.size = static_cast<uint64_t>(st.st_size);
#if defined(__APPLE__)
  info.mtime_ns = static_cast<int64_t>(st.st_mtimespec.tv_sec) * 1000000000 + st.st_mtimespec.tv_nsec;
  info.ctime_ns = static_cast<int64_t>(st.st_ctimespec.tv_sec) * 1000000000 + st.st_ctimespec.tv_nsec;
#else
  info.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  info.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
#endif
  info.inode = static_cast<uint64_t>(st.st_ino);
  info.device = static_cast<uint64_t>(st.st_dev);
  return info;
}

std::unique_ptr<WritableFile> NewPosixWritableFile(int fd, std::string path) {
  return std::unique_ptr<WritableFile>(new PosixWritableFile(fd, std::move(path)));
}

Status ReadFd(int fd, const std::string& path, std::string* out, FileInfo* info) {
  out->clear();
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    if (info) return Status::FromErrno("stat " + path, errno);
  } else {
    if (info) *info = InfoOf(st);
    if (st.st_size > 0) out->reserve(static_cast<size_t>(st.st_size));
  }
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      out->clear();
      return Status::FromErrno("read " + path, err);
    }
    if (n == 0) return Status::OK();
    out->append(buf, static_cast<size_t>(n));
  }
}

Status ListFd(int dir_fd, const std::string& dir, std::vector<std::string>* names) {
  names->clear();
  DIR* d = ::fdopendir(dir_fd);
  if (d == nullptr) {
    int err = errno;
    ::close(dir_fd);
    return Status::FromErrno("list folder " + dir, err);
  }
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) {
      int err = errno;
      ::closedir(d);
      if (err != 0) {
        names->clear();
        return Status::FromErrno("list folder " + dir, err);
      }
      return Status::OK();
    }
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names->emplace_back(e->d_name);
  }
}

Status Env::ReadFileWithInfo(const std::string& path, std::string* out, FileInfo* info) {
  out->clear();
  SDNDB_RETURN_IF_ERROR(Stat(path, info));
  if (!info->exists) return Status::NotFound("read " + path + ": No such file or directory");
  return ReadFile(path, out);
}

Env* PosixEnv() {
  static Env* const env = new PosixEnvImpl();  // never deleted: usable during exit
  return env;
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  size_t end = slash;
  while (end > 0 && path[end - 1] == '/') --end;  // "a//b" -> "a"
  if (end == 0) return "/";
  return path.substr(0, end);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace sdndb
