// The workload of bench.h: data generation, the forked cycle, the peer runner, single-process
// rows and the scale sweep.
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/db/store.h"
#include "core/io/env.h"
#include "core/sdn/document.h"
#include "tests/bench/bench.h"

namespace sdndb::bench {

namespace {

using Clock = std::chrono::steady_clock;

double MicrosSince(Clock::time_point t) { return std::chrono::duration<double, std::micro>(Clock::now() - t).count(); }
double Micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

const char* const kTables[3] = {"todo_db.sdn", "feature_db.sdn", "task_db.sdn"};

// Deterministic word source (xorshift) so every run writes identical files.
class Words {
 public:
  explicit Words(uint32_t seed) : s_(seed ? seed : 1) {}
  uint32_t Next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 17;
    s_ ^= s_ << 5;
    return s_;
  }
  const char* Pick(const char* const* list, size_t n) { return list[Next() % n]; }
  // `count` words from the prose list, e.g. "Add support for generic type aliases".
  std::string Sentence(size_t count) {
    static const char* const kProse[] = {"add",     "support",  "for",    "generic", "type",  "aliases",  "in",
                                         "the",     "parser",   "and",    "runtime", "with",  "tests",    "handle",
                                         "edge",    "cases",    "module", "imports", "cache", "lookup",   "when",
                                         "backend", "compiles", "values", "nested",  "async", "closures", "errors"};
    std::string out;
    for (size_t i = 0; i < count; ++i) {
      if (i) out += ' ';
      std::string w = Pick(kProse, sizeof kProse / sizeof *kProse);
      if (i == 0) w[0] = static_cast<char>(w[0] - 'a' + 'A');
      out += w;
    }
    return out;
  }

 private:
  uint32_t s_;
};

const char* const kAreas[] = {"parser", "runtime", "codegen", "stdlib", "type", "gpu", "lsp", "build"};
const char* const kDirs[] = {"src/compiler_rust/lib/std/src/core", "src/runtime/value", "src/compiler/codegen",
                             "src/app/lsp/handlers", "src/lib/std/src/mcp/lsp"};

std::string TodoRow(Words& w, size_t i) {
  static const char* const kPrio[] = {"P1", "P2", "P3"};
  static const char* const kFiles[] = {"array_ops.spl", "__init__.spl", "interpreter.rs", "lower.spl", "hover.spl"};
  return "    " + std::to_string(i) + ", TODO, " + w.Pick(kAreas, 8) + ", " + w.Pick(kPrio, 3) + ", \"" +
         w.Sentence(5 + w.Next() % 4) + "\", " + w.Pick(kDirs, 5) + "/" + w.Pick(kFiles, 5) + ", " +
         std::to_string(1 + w.Next() % 900) + ", 0, open, 0, \"\"\n";
}

std::string TodoText(size_t rows) {
  Words w(12345);
  // Versioned (as `sdndb init` creates databases): lost updates are counted through the versions.
  std::string out = "todos |id, keyword, area, priority, description, file, line, count, status, version, modified|\n";
  for (size_t i = 0; i < rows; ++i) out += TodoRow(w, i);
  return out;
}

std::string FeatureText() {
  static const char* const kCat[] = {"Codegen", "Runtime", "Language", "Tooling", "Stdlib"};
  static const char* const kMode[] = {"supported", "partial", "planned"};
  Words w(777);
  std::string out =
      "features |id, category, name, description, spec, mode_interpreter, mode_jit, mode_smf_cranelift, "
      "mode_smf_llvm, platforms, count, status, valid|\n";
  for (size_t i = 0; i < 68; ++i) {
    out += "    " + std::to_string(100 + i) + ", " + w.Pick(kCat, 5) + ", \"" + w.Sentence(3) + "\", \"" +
           w.Sentence(22 + w.Next() % 8) + ".\", doc/" + w.Pick(kAreas, 8) + "_technical.md, " + w.Pick(kMode, 3) +
           ", " + w.Pick(kMode, 3) + ", " + w.Pick(kMode, 3) + ", " + w.Pick(kMode, 3) + ", \"\", 0, complete, false\n";
  }
  return out;
}

std::string TaskText() {
  Words w(4242);
  std::string out = "tasks |id, category, name, description, priority, count, status, valid|\n";
  for (size_t i = 0; i < 8; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "TRACK-%03zu", i + 1);
    out += std::string("    ") + id + ", tracking, \"" + w.Sentence(4) + "\", \"" + w.Sentence(60 + w.Next() % 10) +
           "\", high, 0, in_progress, true\n";
  }
  return out;
}

Status WriteWhole(const std::string& path, const std::string& text) {
  return ReplaceFileAtomically(PosixEnv(), path, text, AtomicWriteOptions{});
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Sum of the `count` fields and of the versions of the todo records.
Result<std::pair<int64_t, int64_t>> CounterSums(const std::string& dir) {
  auto store = Store::Open(dir + "/todo_db.sdn");
  if (!store.ok()) return store.status();
  auto snap = store.value()->Read();
  if (!snap.ok()) return snap.status();
  int64_t count = 0, versions = 0;
  for (const auto& r : snap->records) {
    if (const std::string* c = r.Get("count")) count += std::strtoll(c->c_str(), nullptr, 10);
    versions += r.version;
  }
  return std::make_pair(count, versions);
}

// ---- timing of the phases of one Store::Update, observed through the Env it calls ----

// Marks of one transaction (times since the op started; < 0 = not reached).
struct Marks {
  Clock::time_point armed;  // Update called
  double first_call = -1;   // first Env call: the lock is held from here on
  double create = -1;       // temp file created: read + parse + modify + serialize done
  double file_sync = 0;     // duration of the temp file's fsync
  double dir_sync = 0;      // duration of the folder fsync
  double renamed = -1;      // rename over the target done
  bool active = false;
};

class TimedFile : public WritableFile {
 public:
  TimedFile(std::unique_ptr<WritableFile> inner, Marks* m) : inner_(std::move(inner)), m_(m) {}
  Status Append(std::string_view data) override { return inner_->Append(data); }
  Status Sync() override {
    auto t = Clock::now();
    Status s = inner_->Sync();
    m_->file_sync += MicrosSince(t);
    return s;
  }
  Status Close() override { return inner_->Close(); }

 private:
  std::unique_ptr<WritableFile> inner_;
  Marks* m_;
};

// Forwards to PosixEnv(), noting when the transaction reaches each step.
class TimingEnv : public Env {
 public:
  Marks marks;
  void Arm() {
    marks = Marks();
    marks.armed = Clock::now();
    marks.active = true;
  }

  Status ReadFile(const std::string& path, std::string* out) override {
    Touch();
    return base_->ReadFile(path, out);
  }
  Status Stat(const std::string& path, FileInfo* info) override {
    Touch();
    return base_->Stat(path, info);
  }
  Status NewExclusiveFile(const std::string& path, uint32_t mode, std::unique_ptr<WritableFile>* out) override {
    Touch();
    if (marks.active && marks.create < 0) marks.create = MicrosSince(marks.armed);
    std::unique_ptr<WritableFile> inner;
    Status s = base_->NewExclusiveFile(path, mode, &inner);
    if (s.ok()) *out = std::make_unique<TimedFile>(std::move(inner), &marks);
    return s;
  }
  Status Rename(const std::string& from, const std::string& to) override {
    Touch();
    Status s = base_->Rename(from, to);
    if (marks.active) marks.renamed = MicrosSince(marks.armed);
    return s;
  }
  Status Link(const std::string& from, const std::string& to) override {
    Touch();
    return base_->Link(from, to);
  }
  Status SyncDir(const std::string& dir) override {
    Touch();
    auto t = Clock::now();
    Status s = base_->SyncDir(dir);
    marks.dir_sync += MicrosSince(t);
    return s;
  }
  Status Remove(const std::string& path) override {
    Touch();
    return base_->Remove(path);
  }
  Status ListDir(const std::string& dir, std::vector<std::string>* names) override {
    Touch();
    return base_->ListDir(dir, names);
  }
  Status Chmod(const std::string& path, uint32_t mode) override {
    Touch();
    return base_->Chmod(path, mode);
  }
  Status ResolvePath(const std::string& path, std::string* resolved) override {
    Touch();
    return base_->ResolvePath(path, resolved);
  }

 private:
  void Touch() {
    if (marks.active && marks.first_call < 0) marks.first_call = MicrosSince(marks.armed);
  }
  Env* base_ = PosixEnv();
};

// One sample per operation, sent from a worker to the parent.
struct Sample {
  double total_us;
  double load_us;     // Store::Read of the three databases (no lock)
  double lock_us;     // Update called -> lock held (waiting + acquiring)
  double tx_us;       // lock held -> temp file created (read, parse, modify, serialize)
  double fsync_us;    // fsync of the temp file
  double dirsync_us;  // fsync of the folder
  double commit_us;   // the rest: write, close, link, rename, unlink, unlock
  int32_t ok;
  int32_t pad;
};

StoreOptions BenchStoreOptions(Env* env, bool durable, double timeout_s, int worker) {
  StoreOptions o;
  o.env = env;
  o.write.durable = durable;
  o.lock.timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  o.lock.program = "sdndb bench";
  o.writer = "bench-" + std::to_string(worker);
  return o;
}

Status IncrementCount(FieldList& fields) {
  for (auto& [k, v] : fields) {
    if (k != "count") continue;
    v = std::to_string(std::strtoll(v.c_str(), nullptr, 10) + 1);
    return Status::OK();
  }
  return Status::InvalidArgument("no count field");
}

// The workers' loop: `ops` operations, samples written to `fd` at the end.
int WorkerMain(const CycleOptions& o, int worker, int fd) {
  TimingEnv env;
  std::unique_ptr<Store> stores[3];
  for (int t = 0; t < 3; ++t) {
    auto s = Store::Open(o.dir + "/" + kTables[t], BenchStoreOptions(&env, o.durable, o.timeout_s, worker));
    if (!s.ok()) return 3;
    stores[t] = std::move(s.value());
  }
  const std::string id = std::to_string(worker % 91);
  std::vector<Sample> samples;
  samples.reserve(static_cast<size_t>(o.ops));
  for (int i = 0; i < o.ops; ++i) {
    Sample s{};
    auto t0 = Clock::now();
    bool ok = true;
    for (auto& st : stores) {
      auto snap = st->Read();  // every record materialized, like the peer's SELECT *
      if (!snap.ok()) {
        ok = false;
        std::fprintf(stderr, "worker %d: %s\n", worker, snap.status().message().c_str());
      }
    }
    s.load_us = MicrosSince(t0);
    env.Arm();
    auto r = stores[0]->Update(id, IncrementCount);
    auto t1 = Clock::now();
    env.marks.active = false;
    if (!r.ok() || r->outcome != EditOutcome::kApplied) {
      ok = false;
      if (!r.ok()) std::fprintf(stderr, "worker %d: %s\n", worker, r.status().message().c_str());
    }
    const Marks& m = env.marks;
    const double update = Micros(m.armed, t1);
    s.total_us = Micros(t0, t1);
    s.lock_us = m.first_call >= 0 ? m.first_call : update;
    s.tx_us = m.create >= 0 ? m.create - s.lock_us : 0;
    s.fsync_us = m.file_sync;
    s.dirsync_us = m.dir_sync;
    s.commit_us = std::max(0.0, update - s.lock_us - s.tx_us - s.fsync_us - s.dirsync_us);
    s.ok = ok ? 1 : 0;
    samples.push_back(s);
  }
  const char* p = reinterpret_cast<const char*>(samples.data());
  size_t left = samples.size() * sizeof(Sample);
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 4;
    p += n;
    left -= static_cast<size_t>(n);
  }
  return 0;
}

double Seconds(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

struct ChildUsage {
  double user_s = 0, sys_s = 0;
  long maxrss_kb = 0;
};
ChildUsage Children() {
  rusage ru{};
  ::getrusage(RUSAGE_CHILDREN, &ru);
  return {Seconds(ru.ru_utime), Seconds(ru.ru_stime), ru.ru_maxrss};
}

double Round(double v, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

}  // namespace

// ---- public ----

std::string TodoDatabaseText(size_t rows) { return TodoText(rows); }

Status EnsureWorkloadDatabases(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Status::FromErrno("mkdir " + dir, errno);
  const std::string texts[3] = {TodoText(91), FeatureText(), TaskText()};
  for (int t = 0; t < 3; ++t) {
    const std::string path = dir + "/" + kTables[t];
    if (!Exists(path)) SDNDB_RETURN_IF_ERROR(WriteWhole(path, texts[t]));
  }
  return Status::OK();
}

Percentiles Summarize(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  auto at = [&](double q) { return v[std::min(n - 1, static_cast<size_t>(static_cast<double>(n) * q))]; };
  p.p50 = v[n / 2];
  p.p95 = at(0.95);
  p.p99 = at(0.99);
  p.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  p.mean = sum / static_cast<double>(n);
  return p;
}

Result<nlohmann::ordered_json> RunCycle(const CycleOptions& o) {
  if (o.procs < 1 || o.procs > 64) return Status::InvalidArgument("--procs must be 1..64");
  if (o.ops < 1) return Status::InvalidArgument("--ops must be >= 1");
  SDNDB_RETURN_IF_ERROR(EnsureWorkloadDatabases(o.dir));
  auto before = CounterSums(o.dir);
  if (!before.ok()) return before.status();
  std::fflush(nullptr);
  const ChildUsage usage0 = Children();

  std::vector<int> fds;
  std::vector<pid_t> pids;
  auto t0 = Clock::now();
  for (int w = 0; w < o.procs; ++w) {
    int p[2];
    if (::pipe(p) != 0) return Status::FromErrno("pipe", errno);
    pid_t pid = ::fork();
    if (pid < 0) return Status::FromErrno("fork", errno);
    if (pid == 0) {
      ::close(p[0]);
      for (int fd : fds) ::close(fd);
      std::_Exit(WorkerMain(o, w, p[1]));
    }
    ::close(p[1]);
    fds.push_back(p[0]);
    pids.push_back(pid);
  }
  // Drain every pipe concurrently so that no worker blocks on a full pipe.
  std::vector<std::string> data(fds.size());
  std::vector<pollfd> pfds;
  for (int fd : fds) pfds.push_back({fd, POLLIN, 0});
  size_t open_fds = fds.size();
  while (open_fds > 0) {
    if (::poll(pfds.data(), pfds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("poll", errno);
    }
    for (size_t i = 0; i < pfds.size(); ++i) {
      if (pfds[i].fd < 0 || pfds[i].revents == 0) continue;
      char buf[65536];
      ssize_t n = ::read(pfds[i].fd, buf, sizeof buf);
      if (n > 0) {
        data[i].append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(pfds[i].fd);
        pfds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int failed_workers = 0;
  for (pid_t pid : pids) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed_workers;
  }
  const double wall_us = MicrosSince(t0);
  const ChildUsage usage1 = Children();

  std::vector<double> total, lock;
  double load = 0, tx = 0, fsync = 0, dirsync = 0, commit = 0;
  int64_t ok_ops = 0, failed = 0;
  for (const auto& d : data) {
    for (size_t off = 0; off + sizeof(Sample) <= d.size(); off += sizeof(Sample)) {
      Sample s;
      std::memcpy(&s, d.data() + off, sizeof s);
      total.push_back(s.total_us);
      lock.push_back(s.lock_us);
      load += s.load_us, tx += s.tx_us, fsync += s.fsync_us, dirsync += s.dirsync_us, commit += s.commit_us;
      if (s.ok)
        ++ok_ops;
      else
        ++failed;
    }
  }
  const int64_t expected = static_cast<int64_t>(o.procs) * o.ops;
  failed += expected - static_cast<int64_t>(total.size());  // samples of crashed workers
  auto after = CounterSums(o.dir);
  if (!after.ok()) return after.status();
  const int64_t sum = after->first - before->first;
  const int64_t vsum = after->second - before->second;
  const Percentiles pt = Summarize(total), pl = Summarize(lock);
  const double n = total.empty() ? 1 : static_cast<double>(total.size());
  const double cpu_user = usage1.user_s - usage0.user_s, cpu_sys = usage1.sys_s - usage0.sys_s;

  nlohmann::ordered_json j;
  j["mode"] = o.durable ? "sdndb" : "sdndb-nofsync";
  j["procs"] = o.procs;
  j["iters"] = o.ops;
  j["ops"] = total.size();
  j["wall_ms"] = Round(wall_us / 1e3, 1);
  j["ops_per_s"] = Round(static_cast<double>(total.size()) / (wall_us / 1e6), 1);
  j["p50_ms"] = Round(pt.p50 / 1e3, 3);
  j["p95_ms"] = Round(pt.p95 / 1e3, 3);
  j["p99_ms"] = Round(pt.p99 / 1e3, 3);
  j["max_ms"] = Round(pt.max / 1e3, 3);
  j["expected_sum"] = expected;
  j["sum"] = sum;
  // An update is lost when a successful operation left no trace in the counters or versions.
  j["lost_updates"] = std::max(ok_ops - sum, ok_ops - vsum);
  j["failed_ops"] = failed;
  j["failed_workers"] = failed_workers;
  j["lock_wait_p50_ms"] = Round(pl.p50 / 1e3, 3);
  j["lock_wait_p95_ms"] = Round(pl.p95 / 1e3, 3);
  j["lock_wait_p99_ms"] = Round(pl.p99 / 1e3, 3);
  j["lock_wait_max_ms"] = Round(pl.max / 1e3, 3);
  j["phase_us"] = {{"load3", Round(load / n, 1)},
                   {"lock", Round(pl.mean, 1)},
                   {"read_parse_serialize", Round(tx / n, 1)},
                   {"fsync_file", Round(fsync / n, 1)},
                   {"fsync_dir", Round(dirsync / n, 1)},
                   {"write_rename_unlock", Round(commit / n, 1)}};
  j["peak_rss_kb"] = usage1.maxrss_kb;
  j["cpu_user_s"] = Round(cpu_user, 3);
  j["cpu_sys_s"] = Round(cpu_sys, 3);
  j["cpu_pct"] = Round(100.0 * (cpu_user + cpu_sys) / (wall_us / 1e6), 1);
  return j;
}

Status RunCaptured(const std::vector<std::string>& argv, std::string* out, int* status) {
  int p[2];
  if (::pipe(p) != 0) return Status::FromErrno("pipe", errno);
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(p[0]);
    ::close(p[1]);
    return Status::FromErrno("fork", errno);
  }
  if (pid == 0) {
    ::dup2(p[1], STDOUT_FILENO);
    ::close(p[0]);
    ::close(p[1]);
    std::vector<char*> ptrs;
    for (const auto& a : argv) ptrs.push_back(const_cast<char*>(a.c_str()));
    ptrs.push_back(nullptr);
    ::execv(ptrs[0], ptrs.data());
    std::fprintf(stderr, "exec %s: %s\n", argv[0].c_str(), std::strerror(errno));
    std::_Exit(127);
  }
  ::close(p[1]);
  out->clear();
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(p[0]);
  while (::waitpid(pid, status, 0) < 0 && errno == EINTR) {
  }
  return Status::OK();
}

Result<nlohmann::ordered_json> RunPeer(const std::string& peer, const std::string& mode, const std::string& dir,
                                       int procs, int ops) {
  const ChildUsage usage0 = Children();
  auto t0 = Clock::now();
  std::string out;
  int status = 0;
  SDNDB_RETURN_IF_ERROR(RunCaptured({peer, mode, dir, std::to_string(procs), std::to_string(ops)}, &out, &status));
  const double wall_s = MicrosSince(t0) / 1e6;
  const ChildUsage usage1 = Children();
  auto j = nlohmann::ordered_json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    nlohmann::ordered_json e;
    e["mode"] = mode;
    e["procs"] = procs;
    e["error"] = "peer exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                 " (e.g. its 10 s lock timeout)";
    return e;
  }
  const double cpu_user = usage1.user_s - usage0.user_s, cpu_sys = usage1.sys_s - usage0.sys_s;
  j["peak_rss_kb"] = usage1.maxrss_kb;
  j["cpu_user_s"] = Round(cpu_user, 3);
  j["cpu_sys_s"] = Round(cpu_sys, 3);
  j["cpu_pct"] = Round(100.0 * (cpu_user + cpu_sys) / wall_s, 1);
  return j;
}

namespace {

// Median and p99 (µs) of `reps` runs of fn.
template <typename Fn>
Result<nlohmann::ordered_json> Time(int reps, Fn&& fn) {
  std::vector<double> us;
  us.reserve(static_cast<size_t>(reps));
  for (int i = 0; i < reps; ++i) {
    auto t = Clock::now();
    SDNDB_RETURN_IF_ERROR(fn());
    us.push_back(MicrosSince(t));
  }
  Percentiles p = Summarize(us);
  nlohmann::ordered_json j;
  j["median_us"] = Round(p.p50, 1);
  j["p99_us"] = Round(p.p99, 1);
  return j;
}

Status ReadAll(const std::string& path, std::string* out) { return PosixEnv()->ReadFile(path, out); }

Status ParseOnly(const std::string& text) {
  auto d = sdn::Document::Parse(text);
  return d.ok() ? Status::OK() : d.status();
}

}  // namespace

Result<nlohmann::ordered_json> RunSingle(const std::string& dir, int reps) {
  SDNDB_RETURN_IF_ERROR(EnsureWorkloadDatabases(dir));
  std::unique_ptr<Store> durable[3], fast[3];
  std::string texts[3];
  size_t bytes = 0;
  for (int t = 0; t < 3; ++t) {
    const std::string path = dir + "/" + kTables[t];
    auto a = Store::Open(path, BenchStoreOptions(nullptr, true, 10, 0));
    auto b = Store::Open(path, BenchStoreOptions(nullptr, false, 10, 0));
    if (!a.ok()) return a.status();
    if (!b.ok()) return b.status();
    durable[t] = std::move(a.value());
    fast[t] = std::move(b.value());
    SDNDB_RETURN_IF_ERROR(ReadAll(path, &texts[t]));
    bytes += texts[t].size();
  }
  auto load = [&](int t) { return [&, t] { return durable[t]->Read().status(); }; };
  auto cycle = [&](std::unique_ptr<Store>* s) {
    return [s] {
      for (int t = 0; t < 3; ++t) SDNDB_RETURN_IF_ERROR(s[t]->Read().status());
      return s[0]->Update("0", IncrementCount).status();
    };
  };
  nlohmann::ordered_json j;
  j["bytes"] = bytes;
  j["reps"] = reps;
  nlohmann::ordered_json rows = nlohmann::ordered_json::object();
  const char* names[3] = {"load todo_db.sdn", "load feature_db.sdn", "load task_db.sdn"};
  for (int t = 0; t < 3; ++t) {
    auto r = Time(reps, load(t));
    if (!r.ok()) return r.status();
    rows[names[t]] = r.value();
  }
  struct Row {
    const char* name;
    std::function<Status()> fn;
  };
  const Row more[] = {
      {"load all three (Store::Read)",
       [&] {
         for (int t = 0; t < 3; ++t) SDNDB_RETURN_IF_ERROR(durable[t]->Read().status());
         return Status::OK();
       }},
      {"parse all three (in memory)",
       [&] {
         for (int t = 0; t < 3; ++t) SDNDB_RETURN_IF_ERROR(ParseOnly(texts[t]));
         return Status::OK();
       }},
      {"save todo_db.sdn (Update, fsync)", [&] { return durable[0]->Update("1", IncrementCount).status(); }},
      {"save todo_db.sdn (Update, no-fsync)", [&] { return fast[0]->Update("1", IncrementCount).status(); }},
      {"full cycle (fsync)", cycle(durable)},
      {"full cycle (no-fsync)", cycle(fast)},
  };
  for (const auto& row : more) {
    auto r = Time(reps, row.fn);
    if (!r.ok()) return r.status();
    rows[row.name] = r.value();
  }
  j["rows"] = rows;
  return j;
}

Result<nlohmann::ordered_json> RunScale(const std::string& dir, const std::vector<int>& sizes) {
  const std::string scratch = dir + "/scale";
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Status::FromErrno("mkdir " + dir, errno);
  if (::mkdir(scratch.c_str(), 0755) != 0 && errno != EEXIST) return Status::FromErrno("mkdir " + scratch, errno);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (int n : sizes) {
    if (n < 1) return Status::InvalidArgument("sizes must be >= 1");
    const std::string path = scratch + "/todo_db.sdn";
    const std::string text = TodoText(static_cast<size_t>(n));
    SDNDB_RETURN_IF_ERROR(WriteWhole(path, text));
    auto a = Store::Open(path, BenchStoreOptions(nullptr, true, 10, 0));
    auto b = Store::Open(path, BenchStoreOptions(nullptr, false, 10, 0));
    if (!a.ok()) return a.status();
    if (!b.ok()) return b.status();
    // About 0.2 s per measurement at the ~1 µs/record these cost, at least 5 runs.
    const int reps = std::max(5, std::min(500, 200000 / n));
    const std::string mid = std::to_string(n / 2);
    // One write first, so every measured write finds the same kind of file (versions > 0).
    SDNDB_RETURN_IF_ERROR(b.value()->Update(mid, IncrementCount).status());
    std::string current;
    SDNDB_RETURN_IF_ERROR(ReadAll(path, &current));
    auto parse = Time(reps, [&] { return ParseOnly(current); });
    auto load = Time(reps, [&] { return a.value()->Read().status(); });
    auto edit = Time(reps, [&] { return a.value()->Update(mid, IncrementCount).status(); });
    auto edit_fast = Time(reps, [&] { return b.value()->Update(mid, IncrementCount).status(); });
    for (auto* r : {&parse, &load, &edit, &edit_fast})
      if (!r->ok()) return r->status();
    nlohmann::ordered_json j;
    j["records"] = n;
    j["bytes"] = current.size();
    j["reps"] = reps;
    j["parse"] = parse.value();
    j["load"] = load.value();
    j["edit_fsync"] = edit.value();
    j["edit_nofsync"] = edit_fast.value();
    j["load_ns_per_record"] = Round(load.value()["median_us"].get<double>() * 1000.0 / n, 1);
    out.push_back(j);
  }
  ::unlink((scratch + "/todo_db.sdn").c_str());
  return out;
}

}  // namespace sdndb::bench
