#include "server/git/git_process.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "core/io/atomic_file.h"
#include "core/io/env.h"

extern char** environ;

namespace sdndb::git {

Result<ProcessRun> RunProgram(std::vector<std::string> argv) {
  if (argv.empty()) return Status::InvalidArgument("no program to run");
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  if (pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    close(out[0]);
    close(out[1]);
    return Status::FromErrno("pipe", e);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  std::vector<char*> ptrs;
  for (auto& a : argv) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0].c_str(), &fa, nullptr, ptrs.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(out[0]);
    close(err[0]);
    return Status::IOError("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  ProcessRun run;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[8192];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? run.out : run.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return run;
}

ScratchDir::ScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/sdndb-merge.XXXXXX";
  if (mkdtemp(templ.data())) path_ = templ;
}

ScratchDir::~ScratchDir() {
  for (const auto& f : files_) unlink(f.c_str());
  if (!path_.empty()) rmdir(path_.c_str());
}

bool ScratchDir::Write(const std::string& name, const std::string& text) {
  std::string p = path_ + "/" + name;
  files_.push_back(p);
  std::ofstream f(p, std::ios::binary);
  f << text;
  f.close();
  return static_cast<bool>(f);
}

Result<LineMerge> GitMergeFile(const std::string& base, const std::string& ours, const std::string& theirs,
                               const std::vector<std::string>& labels) {
  ScratchDir dir;
  if (!dir.ok()) return Status::FromErrno("mkdtemp", errno);
  if (!dir.Write("base", base) || !dir.Write("ours", ours) || !dir.Write("theirs", theirs))
    return Status::IOError("cannot write the versions to merge into " + dir.path());
  std::vector<std::string> argv = {"git", "merge-file", "-p"};
  for (const auto& l : labels) argv.insert(argv.end(), {"-L", l});
  argv.insert(argv.end(), {dir.path() + "/ours", dir.path() + "/base", dir.path() + "/theirs"});
  auto run = RunProgram(argv);
  if (!run.ok()) return run.status();
  if (run->exit_code >= 128) return Status::IOError("git merge-file failed: " + run->err);
  return LineMerge{std::move(run->out), run->exit_code};
}

std::string ShellQuote(const std::string& s) {
  bool safe = !s.empty();
  for (char c : s)
    safe &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
            c == '_' || c == '-' || c == '+' || c == ',' || c == ':' || c == '@';
  if (safe) return s;
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace sdndb::git

namespace sdndb::git {

namespace {
const char* const kExcludePatterns[] = {"*.sdndb-lock", "*.sdn.lock", ".*.sdndb-tmp.*", "*.sdndb-ids"};
}  // namespace

Result<bool> ExcludeSdndbFiles(const std::string& dir, const std::string& within) {
  auto run = RunProgram({"git", "-C", dir, "rev-parse", "--is-inside-work-tree", "--git-path", "info/exclude"});
  if (!run.ok() || run->exit_code != 0) return false;  // no git, or not a work tree
  std::string out = run->out;
  size_t nl = out.find('\n');
  if (nl == std::string::npos || out.substr(0, nl) != "true") return false;
  std::string path = out.substr(nl + 1);
  while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
  if (path.empty()) return false;
  if (path[0] != '/') path = dir + "/" + path;
  if (!within.empty()) {
    // The folder holding info/ (info/ itself may be missing), symlinks resolved.
    std::string git_dir = path.substr(0, path.rfind('/'));
    git_dir = git_dir.substr(0, git_dir.rfind('/'));
    if (!PosixEnv()->ResolvePath(git_dir, &git_dir).ok()) return false;
    if (within != "/" && git_dir.compare(0, within.size() + 1, within + "/") != 0) return false;
  }
  std::string text;
  Status rs = PosixEnv()->ReadFile(path, &text);
  if (!rs.ok() && rs.code() != StatusCode::kNotFound) return rs;
  std::string add;
  for (const char* pattern : kExcludePatterns) {
    bool present = false;
    size_t at = 0;
    while (!present && (at = text.find(pattern, at)) != std::string::npos) {
      size_t end = at + std::strlen(pattern);
      present = (at == 0 || text[at - 1] == '\n') && (end == text.size() || text[end] == '\n' || text[end] == '\r');
      at = end;
    }
    if (!present) (add += pattern) += '\n';
  }
  if (add.empty()) return false;
  if (!text.empty() && text.back() != '\n') text += '\n';
  if (text.find("# sdndb") == std::string::npos) text += "# sdndb: per-machine lock and temp files\n";
  text += add;
  mkdir(path.substr(0, path.rfind('/')).c_str(), 0755);  // info/ may be missing in a bare-bones .git
  Status ws = ReplaceFileAtomically(PosixEnv(), path, text);
  if (!ws.ok()) return ws;
  return true;
}

void KeepSdndbFilesOutOfGit(const std::string& db_path, const std::string& within) {
  size_t slash = db_path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : db_path.substr(0, slash);
  if (!PosixEnv()->ResolvePath(dir, &dir).ok()) return;
  for (std::string at = dir;;) {
    FileInfo info;
    if (PosixEnv()->Stat(at + "/.git", &info).ok() && info.exists) {
      if (info.is_dir) {
        std::string text;
        if (PosixEnv()->ReadFile(at + "/.git/info/exclude", &text).ok() &&
            ("\n" + text).find("\n" + std::string(kExcludePatterns[0]) + "\n") != std::string::npos)
          return;
      }
      (void)ExcludeSdndbFiles(dir, within);
      return;
    }
    size_t up = at.rfind('/');
    if (at == within || at == "/" || at == "." || up == std::string::npos) return;
    at = up == 0 ? "/" : at.substr(0, up);
  }
}

}  // namespace sdndb::git
