// FileLock: flock(2) on "<db>.sdndb-lock" plus the Simple tools' "<db>.lock". See file_lock.h.
//
// How Acquire waits without polling: flock(LOCK_EX) blocks in the kernel, which hands the
// lock over the moment its holder unlocks or dies. To honour the timeout, the cancel flag and
// on_wait, a per-thread POSIX timer (timer_create with SIGEV_THREAD_ID) sends a real-time
// signal to the waiting thread every `tick`. The signal's handler does nothing and is
// installed without SA_RESTART, so the signal only makes flock return EINTR; the loop then
// checks the deadline and the cancel flag, calls on_wait, and blocks again. The timer is
// periodic, so a signal that lands just before flock enters the kernel costs at most one
// tick. After the wait the signal is blocked, the timer deleted and any pending instance
// drained, so no stray signal interrupts the application's own system calls later.
#include "core/io/file_lock.h"

#include <sched.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "core/io/confine.h"
#include "core/io/env.h"

namespace sdndb {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr double kLegacyMaxAgeMs = 60 * 1000;       // an older legacy lock is stale (the Rust tools' rule)
constexpr milliseconds kLegacyPoll{10};             // the legacy file has no kernel notification

int64_t UnixMillis() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int64_t UnixMicros() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "unknown";
  std::string h(buf);
  for (char& c : h) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') c = '_';
  }
  return h;
}

std::string Seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", std::max(0.0, ms) / 1000.0);
  return buf;
}

milliseconds Elapsed(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// A file next to the database, as openat(2) names it: `name` relative to descriptor `dir` of
// the database's folder (checked to be inside the root, see LockOptions::root), or the full
// path with dir = AT_FDCWD when unconfined. `path` names it in messages.
struct NearFile {
  int dir = AT_FDCWD;
  std::string name;
  std::string path;
  const char* c_name() const { return name.c_str(); }
  // ".<base><suffix>" in the same folder.
  NearFile Hidden(const std::string& suffix) const {
    NearFile f;
    f.dir = dir;
    const std::string hidden = "." + BaseName(name) + suffix;
    f.name = dir == AT_FDCWD ? DirName(name) + "/" + hidden : hidden;
    f.path = DirName(path) + "/" + hidden;
    return f;
  }
};

NearFile Near(int dir, const std::string& path) {
  NearFile f;
  f.dir = dir;
  f.name = dir == AT_FDCWD ? path : BaseName(path);
  f.path = path;
  return f;
}

// Reads at most `limit` bytes of a small file; false when it cannot be opened.
bool ReadSmallFile(int dir, const std::string& name, std::string* out, struct stat* st, size_t limit = 4096) {
  out->clear();
  int fd;
  do {
    fd = ::openat(dir, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return false;
  if (st != nullptr && ::fstat(fd, st) != 0) {
    ::close(fd);
    return false;
  }
  char buf[4096];
  while (out->size() < limit) {
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, limit - out->size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

// A pid on this host that is running (zombies, i.e. killed but not yet reaped, count as dead).
bool PidAlive(long pid) {
  if (pid <= 0 || pid > 0x3fffffff) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
#if defined(__linux__)
  std::string stat;
  if (ReadSmallFile(AT_FDCWD, "/proc/" + std::to_string(pid) + "/stat", &stat, nullptr, 512)) {
    size_t paren = stat.rfind(')');  // "pid (comm) S ..."; comm may contain spaces and ')'
    if (paren != std::string::npos && paren + 2 < stat.size()) {
      char state = stat[paren + 2];
      if (state == 'Z' || state == 'X') return false;
    }
  }
#endif
  return true;
}

bool ParseLong(const std::string& s, long* out) {
  if (s.empty() || s.size() > 18) return false;
  long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// ---- the holder record: "pid=<pid> host=<host> program=<program> since=<unix ms>\n" ----

using HolderRecord = LockHolder;

std::string FormatRecord(const std::string& program) {
  std::string prog = program.empty() ? "?" : program;
  for (char& c : prog) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return "pid=" + std::to_string(static_cast<long>(::getpid())) + " host=" + HostName() +
         " program=" + prog + " since=" + std::to_string(UnixMillis()) + "\n";
}

bool ParseRecord(std::string text, HolderRecord* r) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == '\0')) text.pop_back();
  if (text.compare(0, 4, "pid=") != 0) return false;
  size_t host = text.find(" host=");
  size_t prog = text.find(" program=", host == std::string::npos ? 0 : host);
  size_t since = text.rfind(" since=");
  if (host == std::string::npos || prog == std::string::npos || since == std::string::npos || since < prog) {
    return false;
  }
  long since_ms = 0;
  if (!ParseLong(text.substr(4, host - 4), &r->pid) || !ParseLong(text.substr(since + 7), &since_ms)) {
    return false;
  }
  r->since_ms = since_ms;
  r->host = text.substr(host + 6, prog - host - 6);
  r->program = text.substr(prog + 9, since - prog - 9);
  return true;
}

// ---- the legacy "<db>.lock" of the Simple tools: "<pid>\n<unix µs>" or empty ----

struct LegacyState {
  enum Kind { kAbsent, kAlive, kStale } kind = kAbsent;
  std::string description;  // for kAlive
  struct stat st {};
};

// The Simple tools' staleness rules, combined so that neither side waits for the other for
// ever: their Rust driver (db_lock.rs) deletes any lock file whose mtime is older than 60 s,
// whatever it holds; their Simple library (database/atomic.spl) deletes one at once when its pid
// is not running. A younger file without a pid (the Rust tools write it empty) is live.
LegacyState InspectLegacy(const NearFile& legacy) {
  const std::string& legacy_path = legacy.path;
  LegacyState s;
  std::string text;
  if (!ReadSmallFile(legacy.dir, legacy.name, &text, &s.st)) {
    // Absent, or something we cannot open (permissions): without content, judge by age.
    if (errno == ENOENT || ::fstatat(legacy.dir, legacy.c_name(), &s.st, AT_SYMLINK_NOFOLLOW) != 0) return s;
    text.clear();
  }
  const double age_ms = static_cast<double>(UnixMillis()) -
                        (static_cast<double>(s.st.st_mtim.tv_sec) * 1000.0 + s.st.st_mtim.tv_nsec / 1e6);
  if (age_ms > kLegacyMaxAgeMs) {
    s.kind = LegacyState::kStale;  // even if its pid is alive (pid reuse, a hung tool)
    return s;
  }
  std::string first = text.substr(0, text.find('\n'));
  while (!first.empty() && (first.back() == '\r' || first.back() == ' ')) first.pop_back();
  long pid = 0;
  if (ParseLong(first, &pid) && pid > 0) {
    // Our own pid can only be a leftover (we hold the flock, so no FileLock of ours made it).
    if (pid != static_cast<long>(::getpid()) && PidAlive(pid)) {
      s.kind = LegacyState::kAlive;
      s.description = "pid " + std::to_string(pid) + " (legacy lock file " + BaseName(legacy_path) + ") for " +
                      Seconds(age_ms);
    } else {
      s.kind = LegacyState::kStale;
    }
    return s;
  }
  // Empty or unreadable (the Rust tools write an empty file): alive while young.
  s.kind = LegacyState::kAlive;
  s.description = "another tool (legacy lock file " + BaseName(legacy_path) + ", no pid) for " + Seconds(age_ms);
  return s;
}

// Creates legacy_path holding `content`, failing with EEXIST if it exists. The content is
// written to a private name first and hard-linked into place, so the lock file is never
// visible empty (a writer killed half-way would otherwise leave an empty file that every tool
// takes as live for 60 s). The private name is fixed: only the flock holder creates it, and a
// crashed holder's leftover may be a second name of a lock file, so it is unlinked, never
// truncated. Without hard links (EPERM, ENOTSUP: some file systems) the file is created in
// place and written at once. Returns 0 or an errno value.
int CreateLegacyFile(const NearFile& legacy, const std::string& content) {
  auto write_all = [&content](int fd) {
    const char* p = content.data();
    size_t left = content.size();
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return n < 0 ? errno : EIO;
      p += n;
      left -= static_cast<size_t>(n);
    }
    return 0;
  };
  auto create = [](const NearFile& f) {
    int fd;
    do {
      fd = ::openat(f.dir, f.c_name(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    } while (fd < 0 && errno == EINTR);
    return fd;
  };
  const NearFile temp = legacy.Hidden(".sdndb-new");
  ::unlinkat(temp.dir, temp.c_name(), 0);
  int fd = create(temp);
  if (fd >= 0) {
    int err = write_all(fd);
    ::close(fd);
    if (err == 0 && ::linkat(temp.dir, temp.c_name(), legacy.dir, legacy.c_name(), 0) != 0) err = errno;
    ::unlinkat(temp.dir, temp.c_name(), 0);
    if (err != EPERM && err != ENOTSUP && err != EOPNOTSUPP) return err;
  } else if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != EACCES) {
    return errno;
  }
  // Fallback: create in place (a short window in which the file is empty).
  fd = create(legacy);
  if (fd < 0) return errno;
  int err = write_all(fd);
  ::close(fd);
  if (err != 0) ::unlinkat(legacy.dir, legacy.c_name(), 0);
  return err;
}

// ---- the wake-up signal and the per-thread tick timer ----

void NoopHandler(int) {}

int WakeSignal() {
#if defined(__linux__)
  static std::once_flag once;
  static int signo = 0;
  std::call_once(once, [] {
    // Take the highest real-time signal nobody has claimed; leave SIGRTMIN.. (used by
    // threading libraries) alone. The handler stays installed for the process lifetime.
    for (int sig = SIGRTMAX; sig > SIGRTMIN + 2; --sig) {
      struct sigaction old;
      if (::sigaction(sig, nullptr, &old) != 0) continue;
      if ((old.sa_flags & SA_SIGINFO) != 0 || old.sa_handler != SIG_DFL) continue;
      struct sigaction sa;
      std::memset(&sa, 0, sizeof sa);
      sa.sa_handler = NoopHandler;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = 0;  // no SA_RESTART: the point is to interrupt flock
      if (::sigaction(sig, &sa, nullptr) == 0) {
        signo = sig;
        return;
      }
    }
  });
  return signo;
#else
  return 0;
#endif
}

#if defined(__linux__)
class TickTimer {
 public:
  explicit TickTimer(int signo) : signo_(signo) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo_);
    if (::pthread_sigmask(SIG_UNBLOCK, &set, &old_mask_) != 0) return;
    mask_changed_ = true;
    struct sigevent sev;
    std::memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = signo_;
#if defined(sigev_notify_thread_id)
    sev.sigev_notify_thread_id = static_cast<pid_t>(::syscall(SYS_gettid));
#else
    sev._sigev_un._tid = static_cast<pid_t>(::syscall(SYS_gettid));
#endif
    if (::timer_create(CLOCK_MONOTONIC, &sev, &timer_) == 0) created_ = true;
  }

  ~TickTimer() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo_);
    if (mask_changed_) ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
    if (created_) ::timer_delete(timer_);
    if (mask_changed_) {
      struct timespec zero = {0, 0};
      while (::sigtimedwait(&set, nullptr, &zero) == signo_) {
      }
      ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    }
  }

  bool ok() const { return created_; }

  // Fires first after `first`, then every `every`.
  bool Arm(milliseconds first, milliseconds every) {
    struct itimerspec its;
    std::memset(&its, 0, sizeof its);
    auto to_ts = [](milliseconds d, struct timespec* ts) {
      int64_t ms = std::max<int64_t>(1, d.count());
      ts->tv_sec = static_cast<time_t>(ms / 1000);
      ts->tv_nsec = static_cast<long>((ms % 1000) * 1000000);
    };
    to_ts(first, &its.it_value);
    to_ts(every, &its.it_interval);
    return ::timer_settime(timer_, 0, &its, nullptr) == 0;
  }

 private:
  int signo_;
  sigset_t old_mask_;
  bool mask_changed_ = false;
  bool created_ = false;
  timer_t timer_{};
};
#endif

// Shared by the flock wait and the legacy wait: deadline, cancel flag and on_wait cadence.
class WaitState {
 public:
  WaitState(const std::string& db_path, const LockOptions& o)
      : db_path_(db_path), o_(o), start_(Clock::now()),
        tick_(std::max(o.tick, milliseconds(1))),
        next_report_(start_ + tick_) {}

  bool try_only() const { return o_.timeout.count() <= 0; }
  milliseconds tick() const { return tick_; }
  milliseconds remaining() const {
    return std::chrono::duration_cast<milliseconds>(start_ + o_.timeout - Clock::now());
  }

  // OK to keep waiting; otherwise Busy / Cancelled / LockTimeout naming the holder.
  Status Check(const std::function<std::string()>& describe) {
    auto who = [&] {
      std::string d = describe();
      return d.empty() ? std::string("another process (holder not recorded)") : d;
    };
    if (try_only()) return Status::Busy(db_path_ + ": locked by " + who());
    if (o_.cancel != nullptr && o_.cancel->load()) {
      return Status::Cancelled(db_path_ + ": waiting for the lock was cancelled after " +
                               Seconds(static_cast<double>(Elapsed(start_).count())) + " (locked by " + who() + ")");
    }
    if (remaining().count() <= 0) return Status::LockTimeout(db_path_ + ": locked by " + who());
    return Status::OK();
  }

  // Calls on_wait at most once per tick.
  void Report(const std::function<std::string()>& describe) {
    if (!o_.on_wait) return;
    Clock::time_point now = Clock::now();
    if (now < next_report_) return;
    while (next_report_ <= now) next_report_ += tick_;
    o_.on_wait(Elapsed(start_), describe());
  }

 private:
  const std::string& db_path_;
  const LockOptions& o_;
  Clock::time_point start_;
  milliseconds tick_;
  Clock::time_point next_report_;
};

// Fair hand-off. flock is not FIFO: a holder that unlocks and locks again at once usually wins
// over the waiters the kernel just woke, so under contention some waiters starve (p99 >> p50).
// A waiter therefore marks itself with an OFD read lock on byte 0 of the lock file (OFD locks
// are independent of flock, shared among waiters, and vanish when a waiter dies); a releaser
// that sees a mark yields once after unlocking so a woken waiter runs first.
class WaiterMark {
 public:
  // A byte-range lock description for byte 0 of the lock file.
  static struct flock Byte0(short type) {
    struct flock l {};
    l.l_type = type;
    l.l_whence = SEEK_SET;
    l.l_start = 0;
    l.l_len = 1;
    return l;
  }

  explicit WaiterMark(int fd) : fd_(fd) {
#if defined(F_OFD_SETLK)
    struct flock l = Byte0(F_RDLCK);
    set_ = ::fcntl(fd_, F_OFD_SETLK, &l) == 0;
#endif
  }
  ~WaiterMark() {
#if defined(F_OFD_SETLK)
    if (!set_) return;
    struct flock l = Byte0(F_UNLCK);
    ::fcntl(fd_, F_OFD_SETLK, &l);
#endif
  }
  WaiterMark(const WaiterMark&) = delete;
  WaiterMark& operator=(const WaiterMark&) = delete;

  // True when some process is marked as waiting on the lock file open as fd.
  static bool AnyWaiter(int fd) {
#if defined(F_OFD_GETLK)
    struct flock l = Byte0(F_WRLCK);
    return ::fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
#else
    (void)fd;
    return false;
#endif
  }

 private:
  int fd_;
  bool set_ = false;
};

// Takes flock(LOCK_EX) on fd, waiting as described at the top of this file.
Status LockFd(int fd, const std::string& lock_path, const std::string& db_path, WaitState* wait) {
  auto describe = [&] { return FileLock::DescribeHolder(db_path); };
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return Status::OK();
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return Status::FromErrno("lock " + lock_path, errno);
    break;
  }
  SDNDB_RETURN_IF_ERROR(wait->Check(describe));  // Busy in try-only mode
  WaiterMark mark(fd);

#if defined(__linux__)
  int signo = WakeSignal();
  if (signo != 0) {
    TickTimer timer(signo);
    if (timer.ok()) {
      for (;;) {
        SDNDB_RETURN_IF_ERROR(wait->Check(describe));
        milliseconds first = std::min(wait->tick(), std::max(wait->remaining(), milliseconds(1)));
        if (!timer.Arm(first, wait->tick())) return Status::FromErrno("arm lock wait timer", errno);
        if (::flock(fd, LOCK_EX) == 0) return Status::OK();
        if (errno != EINTR) return Status::FromErrno("lock " + lock_path, errno);
        wait->Report(describe);
      }
    }
  }
#endif
  // Fallback where no per-thread timer is available: non-blocking attempts once per
  // (short) tick. Only used when the signal or the timer cannot be set up.
  const milliseconds step = std::min(wait->tick(), milliseconds(10));
  for (;;) {
    SDNDB_RETURN_IF_ERROR(wait->Check(describe));
    std::this_thread::sleep_for(std::min(step, std::max(wait->remaining(), milliseconds(1))));
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return Status::OK();
    if (errno != EWOULDBLOCK && errno != EINTR) return Status::FromErrno("lock " + lock_path, errno);
    wait->Report(describe);
  }
}

// Creates the legacy lock file once no live legacy holder is left. *created = its content.
Status TakeLegacyLock(const NearFile& legacy, WaitState* wait, std::string* created) {
  const std::string& legacy_path = legacy.path;
  std::string live_description;
  auto describe = [&] { return live_description; };
  for (;;) {
    const std::string content = std::to_string(static_cast<long>(::getpid())) + "\n" + std::to_string(UnixMicros());
    int err = CreateLegacyFile(legacy, content);
    if (err == 0) {
      *created = content;
      return Status::OK();
    }
    if (err != EEXIST) return Status::FromErrno("create " + legacy_path, err);

    LegacyState st = InspectLegacy(legacy);
    if (st.kind == LegacyState::kStale) {
      // Remove it only if it is still the file we judged (another tool may have replaced it).
      struct stat now;
      if (::fstatat(legacy.dir, legacy.c_name(), &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_ino == st.st.st_ino &&
          now.st_dev == st.st.st_dev) {
        if (::unlinkat(legacy.dir, legacy.c_name(), 0) != 0 && errno != ENOENT) {
          return Status::FromErrno("remove stale " + legacy_path, errno);
        }
      }
      continue;
    }
    if (st.kind == LegacyState::kAbsent) continue;
    live_description = st.description;
    SDNDB_RETURN_IF_ERROR(wait->Check(describe));
    wait->Report(describe);
    std::this_thread::sleep_for(std::min(kLegacyPoll, std::max(wait->remaining(), milliseconds(1))));
  }
}

}  // namespace

std::string FileLock::LockPathFor(const std::string& db_path) { return db_path + ".sdndb-lock"; }

bool FileLock::ReadHolder(const std::string& db_path, LockHolder* out) {
  std::string text;
  if (!ReadSmallFile(AT_FDCWD, LockPathFor(db_path), &text, nullptr)) return false;
  HolderRecord r;
  if (!ParseRecord(text, &r)) return false;
  // A record left by a holder that died on this host is stale: the kernel released its lock.
  if (r.host == HostName() && !PidAlive(r.pid)) return false;
  *out = std::move(r);
  return true;
}

std::string FileLock::DescribeHolder(const std::string& db_path) {
  HolderRecord r;
  if (!ReadHolder(db_path, &r)) return "";
  return "pid " + std::to_string(r.pid) + " (" + r.program + ") on host " + r.host + " for " +
         Seconds(static_cast<double>(UnixMillis() - r.since_ms));
}

Result<std::unique_ptr<FileLock>> FileLock::Acquire(const std::string& db_path, const LockOptions& options) {
  if (db_path.empty()) return Status::InvalidArgument("lock: empty database path");
  WaitState wait(db_path, options);
  const std::string lock_path = LockPathFor(db_path);

  // Confined: every lock file is reached through a checked descriptor of the folder, so none
  // is ever created outside the root (see LockOptions::root).
  int dir = AT_FDCWD;
  if (!options.root.empty()) SDNDB_RETURN_IF_ERROR(OpenFolderInside(options.root, DirName(db_path), &dir));
  auto close_dir = [&dir] {
    if (dir != AT_FDCWD) ::close(dir);
    dir = AT_FDCWD;
  };
  const NearFile lock_file = Near(dir, lock_path);

  int fd = -1;
  bool writable = true;
  int replaced = 0;
  for (;;) {
    // Opened without O_TRUNC: the file is shared with the current holder.
    do {
      fd = ::openat(dir, lock_file.c_name(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0 && (errno == EACCES || errno == EROFS)) {
      writable = false;  // still lockable; the holder record just cannot be written
      do {
        fd = ::openat(dir, lock_file.c_name(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      } while (fd < 0 && errno == EINTR);
    }
    if (fd < 0) {
      Status s = Status::FromErrno("open lock file " + lock_path, errno);
      close_dir();
      return s;
    }

    Status s = LockFd(fd, lock_path, db_path, &wait);
    if (!s.ok()) {
      ::close(fd);
      close_dir();
      return s;
    }
    // Someone may have deleted or replaced the lock file while we waited: then we locked an
    // inode nobody else will lock. Start again on the current file.
    struct stat mine, current;
    if (::fstat(fd, &mine) == 0 && ::fstatat(dir, lock_file.c_name(), &current, 0) == 0 &&
        mine.st_ino == current.st_ino && mine.st_dev == current.st_dev) {
      break;
    }
    ::close(fd);
    fd = -1;
    if (++replaced > 1000) {
      close_dir();
      return Status::IOError("lock " + lock_path + ": the lock file keeps being replaced");
    }
    if (!wait.try_only()) {
      Status check = wait.Check([] { return std::string("another process (lock file replaced)"); });
      if (!check.ok()) {
        close_dir();
        return check;
      }
    }
  }

  if (writable) {
    const std::string record = FormatRecord(options.program);
    if (::pwrite(fd, record.data(), record.size(), 0) == static_cast<ssize_t>(record.size())) {
      (void)::ftruncate(fd, static_cast<off_t>(record.size()));
    } else {
      (void)::ftruncate(fd, 0);  // better no record than a previous holder's
    }
  }

  std::unique_ptr<FileLock> lock(new FileLock(fd, lock_path, ""));
  lock->dir_fd_ = dir;  // closed by ~FileLock
  if (options.legacy_lock) {
    const NearFile legacy = Near(dir, db_path + ".lock");
    Status s = TakeLegacyLock(legacy, &wait, &lock->legacy_content_);
    if (!s.ok()) return s;  // ~FileLock releases the flock
    lock->legacy_path_ = legacy.path;
    lock->legacy_name_ = legacy.name;
  }
  return lock;
}

FileLock::~FileLock() {
  if (!legacy_path_.empty()) {
    // Remove the legacy file only if it is still ours (a Rust tool deletes lock files older
    // than 60 s and creates its own, which must not be removed under it).
    std::string text;
    if (ReadSmallFile(dir_fd_, legacy_name_, &text, nullptr) && text == legacy_content_) {
      ::unlinkat(dir_fd_, legacy_name_.c_str(), 0);
    }
  }
  if (fd_ >= 0) {
    (void)::ftruncate(fd_, 0);  // no holder recorded while free
    ::flock(fd_, LOCK_UN);
    const bool hand_off = WaiterMark::AnyWaiter(fd_);
    ::close(fd_);
    if (hand_off) sched_yield();  // let a woken waiter take the lock first (see WaiterMark)
  }
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

}  // namespace sdndb
