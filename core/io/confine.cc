// Confinement to a root folder. See confine.h.
#include "core/io/confine.h"

#include "core/io/env.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sdndb {

bool PathInsideRoot(const std::string& root, const std::string& real, bool allow_root) {
  if (root.empty() || real.empty()) return false;
  if (real == root) return allow_root;
  if (root == "/") return real[0] == '/';
  return real.size() > root.size() && real.compare(0, root.size(), root) == 0 && real[root.size()] == '/';
}

bool RealPathOfFd(int fd, std::string* out) {
#if defined(__APPLE__)
  char buf[PATH_MAX];
  if (::fcntl(fd, F_GETPATH, buf) != 0) return false;
  *out = buf;
  return true;
#else
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = ::readlink(link.c_str(), &buf[0], buf.size());
    if (n < 0) return false;
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      break;
    }
    buf.resize(buf.size() * 2);
  }
  if (buf.empty() || buf[0] != '/') return false;  // "anon_inode:...", or a file system without paths
  *out = std::move(buf);
  return true;
#endif
}

Status OutsideRootError(const std::string& path, const std::string& root) {
  return Status::OutsideRoot(path + " is outside the workspace " + root + " (a symlink leads out of it)");
}

Status OpenFolderInside(const std::string& root, const std::string& dir, int* fd) {
  *fd = -1;
  int d;
  do {
    d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (d < 0 && errno == EINTR);
  if (d < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return Status::NotFound("open folder " + dir + ": " + std::strerror(err));
    return Status::FromErrno("open folder " + dir, err);
  }
  std::string real;
  if (!RealPathOfFd(d, &real) || !PathInsideRoot(root, real, /*allow_root=*/true)) {
    ::close(d);
    return OutsideRootError(dir, root);
  }
  *fd = d;
  return Status::OK();
}

Status CheckFdInside(const std::string& root, int fd, const std::string& path) {
  std::string real;
  if (!RealPathOfFd(fd, &real) || !PathInsideRoot(root, real, /*allow_root=*/false)) {
    return OutsideRootError(path, root);
  }
  return Status::OK();
}

Status OpenInside(const std::string& root, const std::string& path, int flags, int* fd) {
  *fd = -1;
  const std::string name = BaseName(path);
  if (name.empty() || name == "." || name == "..") return OutsideRootError(path, root);
  int dir = -1;
  Status s = OpenFolderInside(root, DirName(path), &dir);
  if (s.code() == StatusCode::kOutsideRoot) return OutsideRootError(path, root);  // name the file
  SDNDB_RETURN_IF_ERROR(s);
  int f;
  do {
    f = ::openat(dir, name.c_str(), flags | O_CLOEXEC);
  } while (f < 0 && errno == EINTR);
  const int err = errno;
  ::close(dir);
  if (f < 0) {
    if (err == ENOENT) return Status::NotFound("read " + path + ": " + std::strerror(err));
    return Status::FromErrno("open " + path, err);
  }
  s = CheckFdInside(root, f, path);
  if (!s.ok()) {
    ::close(f);
    return s;
  }
  *fd = f;
  return Status::OK();
}

}  // namespace sdndb
