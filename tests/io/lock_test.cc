// FileLock with real processes: hand-off after SIGKILL, timeouts naming the holder, try-only,
// cancellation, on_wait, the legacy "<db>.lock" of the Simple tools, and mutual exclusion
// under stress.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/io/atomic_file.h"
#include "core/io/env.h"
#include "core/io/file_lock.h"
#include "tests/support/io_test_util.h"

using namespace sdndb;
using sdndb::testing::FileExists;
using sdndb::testing::LongTests;
using sdndb::testing::ForkChild;
using sdndb::testing::NowMicros;
using sdndb::testing::Pipe;
using sdndb::testing::ReadWholeFile;
using sdndb::testing::TempDir;
using sdndb::testing::WaitChild;
using sdndb::testing::WaitChildFor;
using sdndb::testing::WriteWholeFile;
using std::chrono::milliseconds;

namespace {

LockOptions Opts(int timeout_ms, int tick_ms = 100, const char* program = "sdndb test") {
  LockOptions o;
  o.timeout = milliseconds(timeout_ms);
  o.tick = milliseconds(tick_ms);
  o.program = program;
  return o;
}

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A child process that takes the lock, reports '1' (or '0' on failure) and then holds it
// until killed (or 60 s pass).
pid_t SpawnHolder(const std::string& db, const char* program, Pipe* ready) {
  return ForkChild([&] {
    auto lock = FileLock::Acquire(db, Opts(5000, 100, program));
    ready->Send(lock.ok() ? '1' : '0');
    if (!lock.ok()) return 1;
    for (int i = 0; i < 600; ++i) ::usleep(100000);
    return 0;
  });
}

struct HeldByChild {
  HeldByChild(const std::string& db, const char* program = "sdndb edit") {
    pid = SpawnHolder(db, program, &ready);
    char c = 0;
    REQUIRE(ready.Receive(&c, milliseconds(5000)));
    REQUIRE(c == '1');
  }
  ~HeldByChild() { Kill(); }
  void Kill() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      WaitChild(pid);
      pid = -1;
    }
  }
  Pipe ready;
  pid_t pid = -1;
};

// A process that does nothing but live (its pid goes into legacy lock files).
pid_t SpawnSleeper() {
  return ForkChild([] {
    for (int i = 0; i < 600; ++i) ::usleep(100000);
    return 0;
  });
}

}  // namespace

TEST_CASE("lock: acquire, holder record, legacy file, release") {
  TempDir dir;
  const std::string db = dir.Join("todo_db.sdn");
  REQUIRE(WriteWholeFile(db, "todos |id|\n"));
  CHECK(FileLock::LockPathFor(db) == db + ".sdndb-lock");
  CHECK(FileLock::DescribeHolder(db).empty());
  {
    auto lock = FileLock::Acquire(db, Opts(1000, 100, "sdndb edit"));
    REQUIRE_MESSAGE(lock.ok(), lock.status().ToString());
    CHECK((*lock)->lock_path() == db + ".sdndb-lock");
    const std::string record = ReadWholeFile(db + ".sdndb-lock");
    CHECK(record.rfind("pid=" + std::to_string(::getpid()) + " host=", 0) == 0);
    CHECK(Contains(record, " program=sdndb edit since="));
    const std::string who = FileLock::DescribeHolder(db);
    CHECK(who.rfind("pid " + std::to_string(::getpid()) + " (sdndb edit) on host ", 0) == 0);
    CHECK(Contains(who, " for 0."));
    // The Simple-format legacy file exists while we hold the lock.
    const std::string legacy = ReadWholeFile(db + ".lock");
    CHECK(legacy.rfind(std::to_string(::getpid()) + "\n", 0) == 0);
    CHECK(legacy.size() > std::to_string(::getpid()).size() + 10);  // "<pid>\n<unix µs>"
  }
  CHECK_FALSE(FileExists(db + ".lock"));   // removed on release
  CHECK(FileExists(db + ".sdndb-lock"));   // never deleted
  CHECK(FileLock::DescribeHolder(db).empty());
  CHECK(ReadWholeFile(db) == "todos |id|\n");  // the database itself is never touched
}

TEST_CASE("lock: two FileLocks in one process exclude each other") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  auto first = FileLock::Acquire(db, Opts(1000));
  REQUIRE(first.ok());
  auto busy = FileLock::Acquire(db, Opts(0));
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.status().code() == StatusCode::kBusy);
  auto timeout = FileLock::Acquire(db, Opts(150, 20));
  REQUIRE_FALSE(timeout.ok());
  CHECK(timeout.status().code() == StatusCode::kLockTimeout);
  CHECK(Contains(timeout.status().message(), "pid " + std::to_string(::getpid())));

  std::atomic<int64_t> got_at{0};
  std::thread waiter([&] {
    auto second = FileLock::Acquire(db, Opts(5000, 50));
    if (second.ok()) got_at = NowMicros();
  });
  ::usleep(150000);
  CHECK(got_at.load() == 0);
  const int64_t released_at = NowMicros();
  first.value().reset();
  waiter.join();
  REQUIRE(got_at.load() != 0);  // long before its 5 s timeout; how fast: sdndb_lock_bench
  CHECK(got_at.load() >= released_at);
}

TEST_CASE("lock: holder killed with SIGKILL -> the waiting acquirer gets it at once") {
  TempDir dir;
  const std::string db = dir.Join("todo_db.sdn");
  std::vector<double> latencies_ms;
  for (int run = 0; run < 10; ++run) {
    HeldByChild holder(db);
    std::atomic<int64_t> got_at{0};
    std::atomic<bool> ok{false};
    std::thread waiter([&] {
      auto lock = FileLock::Acquire(db, Opts(10000));
      ok = lock.ok();
      got_at = NowMicros();
    });
    ::usleep(50000);  // the waiter is blocked in flock by now
    const int64_t killed_at = NowMicros();
    ::kill(holder.pid, SIGKILL);  // not reaped yet: a zombie must count as dead
    waiter.join();
    holder.Kill();
    REQUIRE(ok.load());
    latencies_ms.push_back(static_cast<double>(got_at.load() - killed_at) / 1000.0);
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  // Printed, not asserted (the waiters above had 10 s; measured by sdndb_lock_bench).
  MESSAGE("lock hand-off after SIGKILL of the holder: median " << latencies_ms[latencies_ms.size() / 2]
                                                               << " ms, max " << latencies_ms.back() << " ms");

  // And a fresh acquirer after the holder died gets it without waiting (try-only: timeout 0).
  HeldByChild holder(db);
  holder.Kill();
  auto lock = FileLock::Acquire(db, Opts(0));
  CHECK(lock.ok());
}

TEST_CASE("lock: timeout names the database, the holder pid and its program") {
  TempDir dir;
  const std::string db = dir.Join("todo_db.sdn");
  HeldByChild holder(db, "sdndb edit");
  const int64_t t0 = NowMicros();
  auto lock = FileLock::Acquire(db, Opts(300, 100));
  const int64_t waited = NowMicros() - t0;
  REQUIRE_FALSE(lock.ok());
  CHECK(lock.status().code() == StatusCode::kLockTimeout);
  const std::string& m = lock.status().message();
  MESSAGE(m);
  CHECK(m.rfind(db + ": locked by pid " + std::to_string(holder.pid) + " (sdndb edit) on host ", 0) == 0);
  CHECK(Contains(m, " for "));
  CHECK(waited >= 290000);  // it waited its whole timeout
}

TEST_CASE("lock: try-only returns Busy at once when another process holds it") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  HeldByChild holder(db, "vscode");
  auto lock = FileLock::Acquire(db, Opts(0));
  REQUIRE_FALSE(lock.ok());
  CHECK(lock.status().code() == StatusCode::kBusy);  // the try-only answer, not a timed-out wait
  CHECK(Contains(lock.status().message(), "pid " + std::to_string(holder.pid) + " (vscode)"));
}

TEST_CASE("lock: the cancel flag aborts a wait quickly") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  HeldByChild holder(db);
  std::atomic<bool> cancel{false};
  LockOptions o = Opts(10000, 20);
  o.cancel = &cancel;
  std::thread canceller([&] {
    ::usleep(100000);
    cancel = true;
  });
  const int64_t t0 = NowMicros();
  auto lock = FileLock::Acquire(db, o);
  const int64_t waited = NowMicros() - t0;
  canceller.join();
  REQUIRE_FALSE(lock.ok());
  CHECK(lock.status().code() == StatusCode::kCancelled);
  CHECK(Contains(lock.status().message(), "cancelled"));  // long before the 10 s timeout
  MESSAGE("cancel honoured after " << waited / 1000 << " ms (cancel set at 100 ms, tick 20 ms)");
}

TEST_CASE("lock: on_wait is called about once per tick with the holder") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  HeldByChild holder(db, "nvim");
  std::vector<std::pair<milliseconds, std::string>> calls;
  LockOptions o = Opts(300, 25);
  o.on_wait = [&](milliseconds elapsed, const std::string& who) { calls.emplace_back(elapsed, who); };
  auto lock = FileLock::Acquire(db, o);
  REQUIRE_FALSE(lock.ok());
  // At most once per 25 ms tick of the 300 ms wait; how many on a loaded machine is not asserted.
  CHECK(calls.size() >= 1);
  CHECK(calls.size() <= 13);
  for (size_t i = 0; i < calls.size(); ++i) {
    CHECK(Contains(calls[i].second, "pid " + std::to_string(holder.pid) + " (nvim)"));
    if (i > 0) CHECK(calls[i].first >= calls[i - 1].first);
  }
}

TEST_CASE("lock: closing another descriptor of the lock file does not release it") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  REQUIRE(WriteWholeFile(db, "x\n"));
  auto lock = FileLock::Acquire(db, Opts(1000));
  REQUIRE(lock.ok());
  for (const std::string& p : {db + ".sdndb-lock", db}) {
    int fd = ::open(p.c_str(), O_RDWR);
    REQUIRE(fd >= 0);
    ::close(fd);
  }
  // A second process must still find it held.
  pid_t child = ForkChild([&] {
    auto other = FileLock::Acquire(db, Opts(0));
    return (!other.ok() && other.status().code() == StatusCode::kBusy) ? 0 : 1;
  });
  CHECK(WaitChildFor(child, milliseconds(5000)) == 0);
}

TEST_CASE("lock: readers never wait while the lock is held") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  REQUIRE(WriteWholeFile(db, "todos |id|\n  1\n"));
  HeldByChild holder(db);
  int64_t worst = 0;
  for (int i = 0; i < 100; ++i) {
    const int64_t t0 = NowMicros();
    std::string text;
    REQUIRE(PosixEnv()->ReadFile(db, &text).ok());
    CHECK(text == "todos |id|\n  1\n");
    worst = std::max(worst, NowMicros() - t0);
  }
  // A reader that waited for the lock would never finish (the holder keeps it): finishing is
  // the assertion; the time is printed.
  MESSAGE("slowest of 100 reads while the lock is held: " << worst << " µs");
}

TEST_CASE("lock: a legacy <db>.lock with a live pid makes Acquire wait until it is removed") {
  TempDir dir;
  const std::string db = dir.Join("feature_db.sdn");
  pid_t sleeper = SpawnSleeper();
  REQUIRE(WriteWholeFile(db + ".lock", std::to_string(sleeper) + "\n1700000000000000"));

  auto busy = FileLock::Acquire(db, Opts(0));
  REQUIRE_FALSE(busy.ok());
  CHECK(busy.status().code() == StatusCode::kBusy);
  CHECK(Contains(busy.status().message(), "pid " + std::to_string(sleeper)));
  CHECK(Contains(busy.status().message(), "legacy"));

  std::atomic<int64_t> got_at{0};
  std::atomic<int> reports{0};
  std::string content_while_held;
  std::thread waiter([&] {
    LockOptions o = Opts(5000, 50);
    o.on_wait = [&](milliseconds, const std::string& who) {
      if (Contains(who, "legacy")) ++reports;
    };
    auto lock = FileLock::Acquire(db, o);
    if (lock.ok()) {
      got_at = NowMicros();
      content_while_held = ReadWholeFile(db + ".lock");
    }
  });
  ::usleep(300000);
  CHECK(got_at.load() == 0);  // still waiting for the Simple tool
  const int64_t removed_at = NowMicros();
  REQUIRE(::unlink((db + ".lock").c_str()) == 0);
  waiter.join();
  ::kill(sleeper, SIGKILL);
  WaitChild(sleeper);
  REQUIRE(got_at.load() != 0);
  CHECK(got_at.load() >= removed_at);  // not before the Simple tool's lock was gone
  CHECK(reports.load() >= 1);
  CHECK(content_while_held.rfind(std::to_string(::getpid()) + "\n", 0) == 0);
  CHECK_FALSE(FileExists(db + ".lock"));
}

TEST_CASE("lock: a legacy <db>.lock whose holder dies while we wait becomes stale") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  pid_t sleeper = SpawnSleeper();
  REQUIRE(WriteWholeFile(db + ".lock", std::to_string(sleeper) + "\n1700000000000000"));
  std::atomic<bool> ok{false};
  std::thread waiter([&] { ok = FileLock::Acquire(db, Opts(5000, 50)).ok(); });
  ::usleep(150000);
  ::kill(sleeper, SIGKILL);  // left as a zombie for a moment: still counts as dead
  waiter.join();
  WaitChild(sleeper);
  CHECK(ok.load());
}

TEST_CASE("lock: a legacy <db>.lock of a dead pid is stale and replaced by ours") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  pid_t dead = ForkChild([] { return 0; });
  WaitChild(dead);
  REQUIRE(WriteWholeFile(db + ".lock", std::to_string(dead) + "\n1700000000000000"));
  auto lock = FileLock::Acquire(db, Opts(0));  // try-only: succeeds only without waiting
  REQUIRE_MESSAGE(lock.ok(), lock.status().ToString());
  CHECK(ReadWholeFile(db + ".lock").rfind(std::to_string(::getpid()) + "\n", 0) == 0);
  lock.value().reset();
  CHECK_FALSE(FileExists(db + ".lock"));
}

TEST_CASE("lock: an empty legacy <db>.lock is live while young and stale after 60 s") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  REQUIRE(WriteWholeFile(db + ".lock", ""));  // what the Rust tools create
  auto lock = FileLock::Acquire(db, Opts(200, 50));
  REQUIRE_FALSE(lock.ok());
  CHECK(lock.status().code() == StatusCode::kLockTimeout);
  CHECK(Contains(lock.status().message(), db + ": locked by "));
  CHECK(Contains(lock.status().message(), "legacy lock file db.sdn.lock"));
  CHECK(FileExists(db + ".lock"));  // a live legacy lock is never removed

  struct timeval old[2];
  ::gettimeofday(&old[0], nullptr);
  old[0].tv_sec -= 120;
  old[1] = old[0];
  REQUIRE(::utimes((db + ".lock").c_str(), old) == 0);
  auto lock2 = FileLock::Acquire(db, Opts(0));
  REQUIRE_MESSAGE(lock2.ok(), lock2.status().ToString());
}

TEST_CASE("lock: a legacy <db>.lock older than 60 s is stale even when its pid is alive") {
  // The Simple tools' Rust driver deletes any lock file older than 60 s; a live pid (pid reuse,
  // pid 1, a hung tool) must not block sdndb for ever either.
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  pid_t sleeper = SpawnSleeper();
  for (long pid : {1L, static_cast<long>(sleeper)}) {
    CAPTURE(pid);
    REQUIRE(WriteWholeFile(db + ".lock", std::to_string(pid) + "\n1700000000000000"));
    auto young = FileLock::Acquire(db, Opts(0));
    REQUIRE_FALSE(young.ok());  // younger than 60 s with a live pid: live
    CHECK(young.status().code() == StatusCode::kBusy);
    struct timeval old[2];
    ::gettimeofday(&old[0], nullptr);
    old[0].tv_sec -= 61;
    old[1] = old[0];
    REQUIRE(::utimes((db + ".lock").c_str(), old) == 0);
    auto lock = FileLock::Acquire(db, Opts(0));
    REQUIRE_MESSAGE(lock.ok(), lock.status().ToString());
    CHECK(ReadWholeFile(db + ".lock").rfind(std::to_string(::getpid()) + "\n", 0) == 0);
    lock.value().reset();
    CHECK_FALSE(FileExists(db + ".lock"));
  }
  ::kill(sleeper, SIGKILL);
  WaitChild(sleeper);
}

TEST_CASE("lock: writers killed at random moments never leave an empty or blocking legacy lock") {
  // A child takes and releases the lock in a loop; it is stopped (SIGSTOP) and killed (SIGKILL)
  // at a random moment, then the legacy lock must be absent or hold a pid, and never block.
  TempDir dir;
  const std::string db = dir.Join("todo_db.sdn");
  REQUIRE(WriteWholeFile(db, "todos |id|\n"));
  const int kills = LongTests() ? 5000 : 500;
  uint64_t seed = static_cast<uint64_t>(NowMicros());
  auto next = [&seed] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(seed >> 33);
  };
  int left_behind = 0, empty = 0, blocking = 0;
  for (int i = 0; i < kills; ++i) {
    Pipe started;
    pid_t child = ForkChild([&] {
      started.Send('1');
      for (;;) {
        auto lock = FileLock::Acquire(db, Opts(10000, 10, "sdndb kill-loop"));
        if (!lock.ok()) return 1;
      }
    });
    char c = 0;
    REQUIRE(started.Receive(&c, milliseconds(5000)));
    ::usleep(next() % 3000);
    ::kill(child, SIGSTOP);
    ::usleep(next() % 200);
    ::kill(child, SIGKILL);
    WaitChild(child);
    if (FileExists(db + ".lock")) {
      ++left_behind;
      const std::string text = ReadWholeFile(db + ".lock");
      if (text.empty()) ++empty;
      CHECK_MESSAGE(text.rfind(std::to_string(child) + "\n", 0) == 0, "legacy lock: '" << text << "'");
    }
    auto lock = FileLock::Acquire(db, Opts(0));  // try once: a leftover must be stale at once
    if (!lock.ok()) {
      ++blocking;
      CHECK_MESSAGE(false, lock.status().ToString());
    }
  }
  MESSAGE(kills << " kills: legacy lock left behind " << left_behind << " times, empty " << empty
                << ", blocking " << blocking);
  CHECK(empty == 0);
  CHECK(blocking == 0);
  CHECK(left_behind > 0);  // the kills do land inside the locked section
}

TEST_CASE("lock: legacy_lock=false neither honours nor creates <db>.lock") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  REQUIRE(WriteWholeFile(db + ".lock", ""));
  LockOptions o = Opts(0);
  o.legacy_lock = false;
  auto lock = FileLock::Acquire(db, o);
  REQUIRE(lock.ok());
  CHECK(ReadWholeFile(db + ".lock").empty());
  lock.value().reset();
  CHECK(FileExists(db + ".lock"));  // not ours: left alone
}

TEST_CASE("lock: our legacy file is not removed on release if another tool replaced it") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  auto lock = FileLock::Acquire(db, Opts(0));
  REQUIRE(lock.ok());
  // A Rust tool judged it stale after 60 s, deleted it and created its own (empty) one.
  REQUIRE(::unlink((db + ".lock").c_str()) == 0);
  REQUIRE(WriteWholeFile(db + ".lock", ""));
  lock.value().reset();
  CHECK(FileExists(db + ".lock"));
}

namespace {

// Read-increment-write of a counter file under the lock; returns 0 on success.
int IncrementLoop(const std::string& db, int times, int tick_ms) {
  for (int i = 0; i < times; ++i) {
    auto lock = FileLock::Acquire(db, Opts(60000, tick_ms));
    if (!lock.ok()) return 2;
    std::string text;
    if (!PosixEnv()->ReadFile(db, &text).ok()) return 3;
    long v = std::stol(text);
    if (!ReplaceFileAtomically(PosixEnv(), db, std::to_string(v + 1) + "\n").ok()) return 4;
  }
  return 0;
}

}  // namespace

TEST_CASE("lock: mutual exclusion under stress: 8 processes x 500 increments") {
  TempDir dir;
  const std::string db = dir.Join("counter.sdn");
  REQUIRE(WriteWholeFile(db, "0\n"));
  const int64_t t0 = NowMicros();
  std::vector<pid_t> kids;
  for (int p = 0; p < 8; ++p) kids.push_back(ForkChild([&] { return IncrementLoop(db, 500, 100); }));
  // Meanwhile a reader takes no lock, always finds a complete number, never going back.
  long last = 0;
  int reads = 0;
  bool all_done = false;
  while (!all_done) {
    std::string text = ReadWholeFile(db);
    REQUIRE(!text.empty());
    REQUIRE(text.back() == '\n');
    long v = std::stol(text);
    CHECK(v >= last);
    last = v;
    ++reads;
    all_done = v >= 4000;
    if (NowMicros() - t0 > 120000000) break;
    ::usleep(1000);
  }
  for (pid_t k : kids) CHECK(WaitChildFor(k, milliseconds(120000)) == 0);
  const double secs = static_cast<double>(NowMicros() - t0) / 1e6;
  CHECK(ReadWholeFile(db) == "4000\n");
  MESSAGE("8 processes x 500 locked durable increments: " << secs << " s (" << 4000 / secs
                                                          << " commits/s), " << reads << " lock-free reads");
  CHECK_FALSE(FileExists(db + ".lock"));
}

TEST_CASE("lock: mutual exclusion between threads with a fast tick (signal path)") {
  TempDir dir;
  const std::string db = dir.Join("counter.sdn");
  REQUIRE(WriteWholeFile(db, "0\n"));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      if (IncrementLoop(db, 200, 1) != 0) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures.load() == 0);
  CHECK(ReadWholeFile(db) == "800\n");
}

TEST_CASE("lock: DescribeHolder ignores dead holders and names foreign hosts") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  pid_t dead = ForkChild([] { return 0; });
  WaitChild(dead);
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  REQUIRE(WriteWholeFile(db + ".sdndb-lock", "pid=" + std::to_string(dead) + " host=" + host +
                                                 " program=sdndb edit since=1700000000000\n"));
  CHECK(FileLock::DescribeHolder(db).empty());
  REQUIRE(WriteWholeFile(db + ".sdndb-lock", "pid=77 host=laptop program=VS Code (sdndb) since=" +
                                                 std::to_string(static_cast<long long>(::time(nullptr)) * 1000 - 1300) +
                                                 "\n"));
  const std::string who = FileLock::DescribeHolder(db);
  INFO(who);
  CHECK(who.rfind("pid 77 (VS Code (sdndb)) on host laptop for ", 0) == 0);
  const double secs = std::atof(who.c_str() + who.rfind("for ") + 4);
  CHECK(secs >= 1.2);
  CHECK(secs < 2.5);
  REQUIRE(WriteWholeFile(db + ".sdndb-lock", "garbage"));
  CHECK(FileLock::DescribeHolder(db).empty());
  // A stale record does not stop anyone: the kernel lock is what counts.
  auto lock = FileLock::Acquire(db, Opts(0));
  CHECK(lock.ok());
}

TEST_CASE("lock: waiting leaves no pending wake-up signal behind") {
  TempDir dir;
  const std::string db = dir.Join("db.sdn");
  HeldByChild holder(db);
  auto lock = FileLock::Acquire(db, Opts(120, 5));
  REQUIRE(lock.status().code() == StatusCode::kLockTimeout);
  sigset_t pending;
  sigemptyset(&pending);
  REQUIRE(::sigpending(&pending) == 0);
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) CHECK_FALSE(sigismember(&pending, sig));
  // The thread's signal mask is as it was.
  sigset_t mask;
  REQUIRE(::pthread_sigmask(SIG_BLOCK, nullptr, &mask) == 0);
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) CHECK_FALSE(sigismember(&mask, sig));
  // A blocking sleep right after is not cut short by a stray tick.
  const int64_t t0 = NowMicros();
  ::usleep(50000);
  CHECK(NowMicros() - t0 >= 49000);
}
