// Real processes, real files: no lost update under contention, and kill -9 at random moments never
// leaves a torn or half-old file. SDNDB_LONG_TESTS=1 runs the long versions.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "core/db/store.h"
#include "core/io/atomic_file.h"
#include "tests/support/io_test_util.h"

using namespace sdndb;
using sdndb::testing::TempDir;

namespace {


std::unique_ptr<Store> OpenStore(const std::string& path, bool durable, const std::string& table = {}) {
  StoreOptions o;
  o.table = table;
  o.write.durable = durable;
  o.strategy = Strategy::kError;
  o.lock.timeout = std::chrono::milliseconds(60000);
  auto s = Store::Open(path, o);
  if (!s.ok()) _exit(90);
  return std::move(s.value());
}

Status Increment(FieldList& fields, const char* column) {
  for (auto& [k, v] : fields)
    if (k == column) {
      v = std::to_string(std::stoll(v.empty() ? "0" : v) + 1);
      return Status::OK();
    }
  return Status::InvalidArgument("no column");
}

template <typename Fn>
std::vector<pid_t> Spawn(int n, Fn&& child) {
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int code = child(i);
      _exit(code);
    }
    pids.push_back(pid);
  }
  return pids;
}

void WaitAll(const std::vector<pid_t>& pids) {
  for (pid_t p : pids) {
    int status = 0;
    REQUIRE(waitpid(p, &status, 0) == p);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
}

}  // namespace

TEST_CASE("8 processes x 1,000 locked increments of one record lose nothing") {
  TempDir dir;
  std::string path = dir.Write("counter_db.sdn", "counters |id, count, version, modified|\n    c, 0, 0, \"\"\n");
  const int procs = 8, iters = 1000;
  auto start = std::chrono::steady_clock::now();
  WaitAll(Spawn(procs, [&](int) {
    auto store = OpenStore(path, true);
    for (int i = 0; i < iters; ++i)
      if (!store->Update("c", [](FieldList& f) { return Increment(f, "count"); }).ok()) return 1;
    return 0;
  }));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("8000 durable increments in " << secs << " s");
  auto snap = OpenStore(path, true)->Read();
  REQUIRE(snap.ok());
  CHECK(*snap->Find("c")->Get("count") == "8000");
  CHECK(snap->Find("c")->version == 8000);
  CHECK(dir.CountFiles() == 2);  // the database and its lock file; no temp files
}

TEST_CASE("optimistic increments with --expect-version semantics retry on conflict and lose nothing") {
  TempDir dir;
  std::string path = dir.Write("counter_db.sdn", "counters |id, count, version, modified|\n    c, 0, 0, \"\"\n");
  const int procs = 4, iters = 200;
  WaitAll(Spawn(procs, [&](int) {
    auto store = OpenStore(path, false);
    for (int i = 0; i < iters;) {
      auto snap = store->Read();
      if (!snap.ok()) return 1;
      const RecordData* r = snap->Find("c");
      EditRequest req;
      req.id = "c";
      req.changes = {{"count", std::to_string(std::stoll(*r->Get("count")) + 1)}};
      req.base = EditBase{r->version, {{"count", *r->Get("count")}}};
      auto res = store->Edit(req);
      if (!res.ok()) return 2;
      if (res->outcome == EditOutcome::kApplied || res->outcome == EditOutcome::kMerged) ++i;
    }
    return 0;
  }));
  auto snap = OpenStore(path, false)->Read();
  REQUIRE(snap.ok());
  CHECK(*snap->Find("c")->Get("count") == std::to_string(procs * iters));
  CHECK(snap->Find("c")->version == procs * iters);
}

TEST_CASE("writers reaching one file through a symlink and directly share one lock") {
  TempDir dir;
  std::string real = dir.Write("counter_db.sdn", "counters |id, count, version, modified|\n    c, 0, 0, \"\"\n");
  std::string link = dir.path() + "/link_db.sdn";
  REQUIRE(symlink("counter_db.sdn", link.c_str()) == 0);
  const int iters = 150;
  WaitAll(Spawn(4, [&](int me) {
    auto store = OpenStore(me % 2 ? link : real, false);
    for (int i = 0; i < iters; ++i)
      if (!store->Update("c", [](FieldList& f) { return Increment(f, "count"); }).ok()) return 1;
    return 0;
  }));
  auto snap = OpenStore(real, false)->Read();
  REQUIRE(snap.ok());
  CHECK(*snap->Find("c")->Get("count") == std::to_string(4 * iters));
  char target[256] = {0};
  REQUIRE(readlink(link.c_str(), target, sizeof target - 1) > 0);
  CHECK(std::string(target) == "counter_db.sdn");  // the link survives every write
}

TEST_CASE("8 processes editing different records lose nothing") {
  TempDir dir;
  std::string text = "todos |id, status, count, version, modified|\n";
  for (int i = 0; i < 8; ++i) text += "    " + std::to_string(i) + ", open, 0, 0, \"\"\n";
  std::string path = dir.Write("todo_db.sdn", text);
  const int iters = 150;
  WaitAll(Spawn(8, [&](int me) {
    auto store = OpenStore(path, false);
    for (int i = 0; i < iters; ++i)
      if (!store->Update(std::to_string(me), [](FieldList& f) { return Increment(f, "count"); }).ok()) return 1;
    return 0;
  }));
  auto snap = OpenStore(path, false)->Read();
  REQUIRE(snap.ok());
  for (int i = 0; i < 8; ++i) {
    CHECK(*snap->Find(std::to_string(i))->Get("count") == std::to_string(iters));
    CHECK(snap->Find(std::to_string(i))->version == iters);
  }
}

TEST_CASE("kill -9 at random moments never leaves a torn or stale-mixed file") {
  TempDir dir;
  // Padding makes each write a few KB so kills land inside writes too.
  std::string text = "counters |id, count, pad, version, modified|\n    c, 0, \"" + std::string(4000, 'x') + "\", 0, \"\"\n";
  for (int i = 0; i < 40; ++i) text += "    r" + std::to_string(i) + ", 0, \"" + std::string(100, 'y') + "\", 0, \"\"\n";
  std::string path = dir.Write("crash_db.sdn", text);
  const int runs = sdndb::testing::LongTests() ? 1000 : 200;
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> delay_us(0, 15000);
  long long last_count = 0;
  int kills_mid_run = 0;
  for (int run = 0; run < runs; ++run) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      auto store = OpenStore(path, true);
      for (;;)
        if (!store->Update("c", [](FieldList& f) { return Increment(f, "count"); }).ok()) _exit(3);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    kills_mid_run += WIFSIGNALED(status);
    // Readers take no lock and must always see a whole, consistent file.
    auto snap = OpenStore(path, true)->Read();
    REQUIRE_MESSAGE(snap.ok(), snap.status().message());
    const RecordData* c = snap->Find("c");
    REQUIRE(c != nullptr);
    long long count = std::stoll(*c->Get("count"));
    CHECK(count == c->version);         // count and version were written together: one whole state
    CHECK(count >= last_count);         // no committed state is ever lost
    CHECK(snap->records.size() == 41);  // no row lost
    last_count = count;
  }
  CHECK(kills_mid_run == runs);
  MESSAGE(runs << " kills, " << last_count << " committed increments survived");
  // The next writer cleans up temp files left by killed writers (only ours, under the lock).
  REQUIRE(OpenStore(path, true)->Update("c", [](FieldList& f) { return Increment(f, "count"); }).ok());
  // Clean-up runs once per process per database; a fresh process does it.
  pid_t pid = fork();
  if (pid == 0) {
    auto store = OpenStore(path, true);
    _exit(store->Update("c", [](FieldList& f) { return Increment(f, "count"); }).ok() ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(dir.CountFiles() == 2);  // database + lock file
}

TEST_CASE("processes writing several tables of one file, keyless rows by @N and etag, lose nothing") {
  TempDir dir;
  // No version columns anywhere: stale writes are caught by etags alone.
  std::string path = dir.Write("multi_db.sdn",
                               "multi |id, count|\n    a, 0\n\n"
                               "other |id, count|\n    b, 0\n\n"
                               "log |who, n|\n    x, 0\n    x, 0\n");
  const int iters = 100;
  WaitAll(Spawn(6, [&](int me) {
    if (me < 2) {  // locked increments in the records table and in another table
      auto store = OpenStore(path, false, me == 0 ? "" : "other");
      for (int i = 0; i < iters; ++i)
        if (!store->Update(me == 0 ? "a" : "b", [](FieldList& f) { return Increment(f, "count"); }).ok()) return 1;
      return 0;
    }
    auto log = OpenStore(path, false, "log");
    if (me < 4) {  // appends to the keyless log
      for (int i = 0; i < iters; ++i)
        if (!log->Create({{"who", "p" + std::to_string(me)}, {"n", std::to_string(i)}}).ok()) return 2;
      return 0;
    }
    // Optimistic increments of a keyless row through its position and etag; a stale etag is
    // refused (Conflict) and retried, so no increment is lost or applied twice.
    const std::string ref = me == 4 ? "@1" : "@2";
    for (int i = 0; i < iters;) {
      auto row = log->Get(ref);
      if (!row.ok()) return 3;
      EditRequest req;
      req.id = ref;
      req.changes = {{"n", std::to_string(std::stoll(*row->Get("n")) + 1)}};
      req.base = EditBase{0, {}, row->etag};
      auto res = log->Edit(req);
      if (res.ok()) {
        ++i;
      } else if (res.status().code() != StatusCode::kConflict) {
        return 4;
      }
    }
    return 0;
  }));
  auto records = OpenStore(path, false)->Read();
  REQUIRE(records.ok());
  CHECK(*records->Find("a")->Get("count") == std::to_string(iters));
  auto other = OpenStore(path, false, "other")->Read();
  REQUIRE(other.ok());
  CHECK(*other->Find("b")->Get("count") == std::to_string(iters));
  auto log = OpenStore(path, false, "log")->Read();
  REQUIRE(log.ok());
  REQUIRE(log->records.size() == 2 + 2 * iters);
  CHECK(*log->records[0].Get("n") == std::to_string(iters));
  CHECK(*log->records[1].Get("n") == std::to_string(iters));
  for (const char* who : {"p2", "p3"}) {
    int seen = 0;
    for (const RecordData& r : log->records) seen += *r.Get("who") == who;
    CHECK(seen == iters);
  }
  CHECK(std::string(dir.Read("multi_db.sdn")).find("version") == std::string::npos);
}
