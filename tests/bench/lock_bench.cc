// sdndb_lock_bench: how fast FileLock reacts (figures that tests/io/lock_test.cc only prints, as
// tests assert behaviour, never wall-clock times). Run: build/tests/bench/sdndb_lock_bench [REPS]
//   * hand-off: a waiter (another thread) gets the lock after the holder releases it;
//   * hand-off after SIGKILL: the holder is another process, killed while a waiter blocks;
//   * try-only: Acquire with timeout 0 against a held lock answers Busy;
//   * cancel: a waiter whose cancel flag is set stops waiting (tick 20 ms).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/io/file_lock.h"
#include "tests/support/io_test_util.h"

using namespace sdndb;
using namespace sdndb::testing;

namespace {

LockOptions Opts(int timeout_ms, int tick_ms = 100) {
  LockOptions o;
  o.timeout = std::chrono::milliseconds(timeout_ms);
  o.tick = std::chrono::milliseconds(tick_ms);
  o.program = "sdndb_lock_bench";
  return o;
}

void Report(const char* name, std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))] / 1000.0; };
  std::printf("%-28s n=%-4zu p50=%8.3f ms  p95=%8.3f ms  max=%8.3f ms\n", name, us.size(), at(0.5), at(0.95),
              us.back() / 1000.0);
}

// A child that takes the lock, reports it through `ready` and holds it until killed.
pid_t SpawnHolder(const std::string& db, Pipe* ready) {
  return ForkChild([&] {
    auto lock = FileLock::Acquire(db, Opts(5000));
    ready->Send(lock.ok() ? '1' : '0');
    if (!lock.ok()) return 1;
    for (int i = 0; i < 600; ++i) ::usleep(100000);
    return 0;
  });
}

bool HolderReady(Pipe* ready) {
  char c = 0;
  return ready->Receive(&c, std::chrono::milliseconds(10000)) && c == '1';
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 30;
  TempDir dir;
  const std::string db = dir.Join("todo_db.sdn");
  std::vector<double> handoff, killed, try_only, cancel;

  for (int i = 0; i < reps; ++i) {
    auto first = FileLock::Acquire(db, Opts(1000));
    if (!first.ok()) return std::fprintf(stderr, "%s\n", first.status().ToString().c_str()), 1;
    std::atomic<int64_t> got_at{0};
    std::thread waiter([&] {
      auto second = FileLock::Acquire(db, Opts(10000, 50));
      if (second.ok()) got_at = NowMicros();
    });
    ::usleep(20000);
    const int64_t released_at = NowMicros();
    first.value().reset();
    waiter.join();
    if (got_at == 0) return std::fprintf(stderr, "the waiter did not get the lock\n"), 1;
    handoff.push_back(static_cast<double>(got_at - released_at));
  }

  for (int i = 0; i < reps; ++i) {
    Pipe ready;
    pid_t holder = SpawnHolder(db, &ready);
    if (!HolderReady(&ready)) return std::fprintf(stderr, "holder failed\n"), 1;
    std::atomic<int64_t> got_at{0};
    std::thread waiter([&] {
      auto lock = FileLock::Acquire(db, Opts(10000));
      if (lock.ok()) got_at = NowMicros();
    });
    ::usleep(20000);
    int64_t t0 = NowMicros();
    ::kill(holder, SIGKILL);
    waiter.join();
    WaitChild(holder);
    if (got_at == 0) return std::fprintf(stderr, "the waiter did not get the lock\n"), 1;
    killed.push_back(static_cast<double>(got_at - t0));

    holder = SpawnHolder(db, &ready);
    if (!HolderReady(&ready)) return std::fprintf(stderr, "holder failed\n"), 1;
    t0 = NowMicros();
    auto busy = FileLock::Acquire(db, Opts(0));
    try_only.push_back(static_cast<double>(NowMicros() - t0));
    std::atomic<bool> cancelled{false};
    LockOptions o = Opts(10000, 20);
    o.cancel = &cancelled;
    std::atomic<int64_t> set_at{0};
    std::thread canceller([&] {
      ::usleep(30000);
      set_at = NowMicros();
      cancelled = true;
    });
    auto waited = FileLock::Acquire(db, o);
    const int64_t returned_at = NowMicros();
    canceller.join();
    cancel.push_back(static_cast<double>(returned_at - set_at));
    ::kill(holder, SIGKILL);
    WaitChild(holder);
    if (busy.ok() || waited.ok()) return std::fprintf(stderr, "a held lock was granted\n"), 1;
  }

  std::printf("FileLock reaction times, %d repetitions\n", reps);
  Report("hand-off after release", handoff);
  Report("hand-off after SIGKILL", killed);
  Report("try-only answer (Busy)", try_only);
  Report("cancel honoured (tick 20)", cancel);
  double load[3] = {0, 0, 0};
  if (::getloadavg(load, 3) == 3) std::printf("load average: %.2f %.2f %.2f\n", load[0], load[1], load[2]);
  return 0;
}
