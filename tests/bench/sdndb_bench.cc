// sdndb-bench: the benchmark program of docs/benchmarks.md (see bench.h for the workload). Not
// part of the shipped `sdndb` binary; built with SDNDB_BUILD_BENCH (build/tests/bench/sdndb-bench).
//
//   sdndb-bench cycle   --dir DIR --procs N --ops K [--no-fsync] [--json]
//   sdndb-bench peer    --peer CYCLE_BENCH --mode sqlite|lockfile|nolock --dir DIR --procs N --ops K [--json]
//   sdndb-bench single  [--dir DIR] [--reps R] [--json]
//   sdndb-bench scale   [--dir DIR] [--sizes 1000,10000,100000] [--json]
//   sdndb-bench compare --peer CYCLE_BENCH [--dir WORK] [--procs 1,2,4,8] [--ops K] [--rounds R] [--out DIR]
//                       [--json]
// Common options (before or after the subcommand): --dir DIR, --json, --no-fsync, --timeout SECONDS.
//
// compare runs every configuration in its own process (this program, re-executed, so that peak
// RSS from getrusage is per configuration), R rounds of the whole sweep (configurations
// interleaved, so that a change in machine load hits all systems alike), prints the markdown
// tables (results, ratios sdndb / SQLite, goals) and writes OUT/cycle.png, cycle.json, cycle.md.
// The peer program CYCLE_BENCH is built from tests/bench/peer/cycle_bench.c (.ci/bench does it).
// Without --dir, a fresh folder under $TMPDIR (or /tmp) is used.
// Exit codes: 0 ok, 1 usage, 2 a cycle lost or failed operations, 4 I/O error.
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/bench/bench.h"

namespace sdndb::bench {

namespace {

using nlohmann::ordered_json;

enum ExitCode { kExitOk = 0, kExitUsage = 1, kExitConflict = 2, kExitIO = 4 };

// The command line: a subcommand, its options (--name VALUE or --name=VALUE; the last one wins)
// and flags.
struct Args {
  std::vector<std::string> positional;
  std::set<std::string> flags;
  std::map<std::string, std::string> options;
  const std::string* Get(const std::string& name) const {
    auto it = options.find(name);
    return it == options.end() ? nullptr : &it->second;
  }
};

const std::set<std::string> kValueOptions = {"dir",  "timeout", "procs", "ops", "peer",
                                             "mode", "reps",    "sizes", "out", "rounds"};
const std::set<std::string> kFlags = {"json", "no-fsync", "help"};

Result<Args> ParseArgs(const std::vector<std::string>& argv) {
  Args a;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "-h") {
      a.flags.insert("help");
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      a.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    const size_t eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (kFlags.count(name) && !inline_value) {
      a.flags.insert(name);
    } else if (kValueOptions.count(name)) {
      if (!inline_value) {
        if (i + 1 >= argv.size()) return Status::InvalidArgument("option --" + name + " needs a value");
        value = argv[++i];
      }
      a.options[name] = value;
    } else {
      return Status::InvalidArgument("unknown option --" + name + " (see sdndb-bench --help)");
    }
  }
  return a;
}

// What every subcommand shares: the common options and the error output.
struct Context {
  std::string command;
  std::optional<std::string> dir;
  bool json = false;
  bool no_fsync = false;
  double timeout_s = 10;

  int Fail(const Status& st) const {
    int code = st.code() == StatusCode::kInvalidArgument ? kExitUsage
               : st.code() == StatusCode::kConflict      ? kExitConflict
                                                         : kExitIO;
    if (json) {
      ordered_json j;
      j["error"] = {{"kind", StatusCodeName(st.code())}, {"message", st.message()}, {"exit", code}};
      std::fprintf(stderr, "%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::fprintf(stderr, "sdndb-bench%s%s: %s\n", command.empty() ? "" : " ", command.c_str(), st.message().c_str());
    }
    return code;
  }
  int Usage(const std::string& message) const { return Fail(Status::InvalidArgument(message)); }
};

// The path of this program, for re-executing it per configuration.
std::string SelfExePath() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("sdndb-bench");
}

Result<int> IntOption(const Args& a, const char* name, int fallback, int lo, int hi) {
  const std::string* v = a.Get(name);
  if (!v) return fallback;
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  if (v->empty() || *end || n < lo || n > hi)
    return Status::InvalidArgument("--" + std::string(name) + " must be an integer in " + std::to_string(lo) + ".." +
                                   std::to_string(hi));
  return static_cast<int>(n);
}

Result<std::vector<int>> IntList(const Args& a, const char* name, std::vector<int> fallback) {
  const std::string* v = a.Get(name);
  if (!v) return fallback;
  std::vector<int> out;
  std::stringstream ss(*v);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    long n = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end || n < 1 || n > 10000000)
      return Status::InvalidArgument("--" + std::string(name) + " expects a list like 1,2,4,8");
    out.push_back(static_cast<int>(n));
  }
  if (out.empty()) return Status::InvalidArgument("--" + std::string(name) + " is empty");
  return out;
}

// mkdir -p.
Status MakeDirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i < path.size() && path[i] != '/') continue;
    const std::string part = path.substr(0, i);
    if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return Status::FromErrno("mkdir " + part, errno);
  }
  return Status::OK();
}

// The work folder: --dir (created with its parents), else a fresh temporary folder.
Result<std::string> WorkDir(const Context& ctx) {
  if (ctx.dir) {
    SDNDB_RETURN_IF_ERROR(MakeDirs(*ctx.dir));
    return *ctx.dir;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/sdndb-bench.XXXXXX";
  if (!::mkdtemp(templ.data())) return Status::FromErrno("mkdtemp " + templ, errno);
  return templ;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

double Num(const ordered_json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : std::nan("");
}

std::string Cell(const ordered_json& j, const char* key, int digits) {
  double v = Num(j, key);
  return std::isnan(v) ? "–" : Fixed(v, digits);
}

const char* SystemName(const std::string& mode) {
  if (mode == "sdndb") return "sdndb (fsync)";
  if (mode == "sdndb-nofsync") return "sdndb --no-fsync";
  if (mode == "sqlite") return "SQLite WAL sync=FULL";
  if (mode == "lockfile") return "lock file + backoff";
  if (mode == "nolock") return "no lock (control)";
  return "?";
}

std::string ResultsHeader() {
  return "| procs | system | ops/s | p50 ms | p95 ms | p99 ms | lock wait p50 / p99 ms | peak RSS KB | CPU % | lost "
         "updates |\n"
         "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
}

std::string ResultRow(const ordered_json& r) {
  const std::string mode = r.value("mode", "?");
  std::string row = "| " + std::to_string(r.value("procs", 0)) + " | " + SystemName(mode) + " | ";
  if (r.contains("error")) return row + "failed: " + r["error"].get<std::string>() + " | | | | | | | |\n";
  std::string lock =
      r.contains("lock_wait_p99_ms") ? Cell(r, "lock_wait_p50_ms", 3) + " / " + Cell(r, "lock_wait_p99_ms", 2) : "–";
  return row + Cell(r, "ops_per_s", 0) + " | " + Cell(r, "p50_ms", 2) + " | " + Cell(r, "p95_ms", 2) + " | " +
         Cell(r, "p99_ms", 2) + " | " + lock + " | " + Cell(r, "peak_rss_kb", 0) + " | " + Cell(r, "cpu_pct", 0) +
         " | " + Cell(r, "lost_updates", 0) +
         (Num(r, "failed_ops") > 0 ? " (" + Cell(r, "failed_ops", 0) + " failed)" : "") + " |\n";
}

// Runs argv with stdout captured; returns stdout, or an error when the child failed (exit codes
// other than 0 and 2).
Result<std::string> Capture(const std::vector<std::string>& argv) {
  std::string out;
  int status = 0;
  SDNDB_RETURN_IF_ERROR(RunCaptured(argv, &out, &status));
  // Exit 2 from `cycle`: the run completed but lost or failed operations; its JSON counts.
  if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != kExitConflict))
    return Status::IOError(argv[0] + " " + (argv.size() > 1 ? argv.back() : "") + " failed (status " +
                           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  return out;
}

std::string Machine() {
  std::string cpu = "?";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  utsname u{};
  ::uname(&u);
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  return cpu + ", " + std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)) + " CPUs, " + u.sysname + " " + u.release +
         "; load average before the run " + Fixed(load[0], 2) + " " + Fixed(load[1], 2) + " " + Fixed(load[2], 2);
}

int Cycle(Context& ctx, const Args& a) {
  auto procs = IntOption(a, "procs", 1, 1, 64);
  auto ops = IntOption(a, "ops", 100, 1, 10000000);
  if (!procs.ok()) return ctx.Fail(procs.status());
  if (!ops.ok()) return ctx.Fail(ops.status());
  auto dir = WorkDir(ctx);
  if (!dir.ok()) return ctx.Fail(dir.status());
  CycleOptions o;
  o.dir = dir.value();
  o.procs = procs.value();
  o.ops = ops.value();
  o.durable = !ctx.no_fsync;
  o.timeout_s = ctx.timeout_s;
  auto r = RunCycle(o);
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json) {
    std::printf("%s\n", r->dump().c_str());
  } else {
    std::printf("%s%s\nphases (mean µs): %s\n", ResultsHeader().c_str(), ResultRow(r.value()).c_str(),
                r.value()["phase_us"].dump().c_str());
  }
  return r->value("lost_updates", 0) == 0 && r->value("failed_ops", 0) == 0 ? kExitOk : kExitConflict;
}

int Peer(Context& ctx, const Args& a) {
  auto procs = IntOption(a, "procs", 1, 1, 64);
  auto ops = IntOption(a, "ops", 100, 1, 10000000);
  if (!procs.ok()) return ctx.Fail(procs.status());
  if (!ops.ok()) return ctx.Fail(ops.status());
  const std::string* peer = a.Get("peer");
  const std::string* mode = a.Get("mode");
  if (!peer || !mode) return ctx.Usage("peer needs --peer CYCLE_BENCH and --mode sqlite|lockfile|nolock");
  auto dir = WorkDir(ctx);
  if (!dir.ok()) return ctx.Fail(dir.status());
  auto r = RunPeer(*peer, *mode, dir.value(), procs.value(), ops.value());
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json)
    std::printf("%s\n", r->dump().c_str());
  else
    std::printf("%s%s", ResultsHeader().c_str(), ResultRow(r.value()).c_str());
  return kExitOk;
}

int Single(Context& ctx, const Args& a) {
  auto reps = IntOption(a, "reps", 300, 1, 1000000);
  if (!reps.ok()) return ctx.Fail(reps.status());
  auto dir = WorkDir(ctx);
  if (!dir.ok()) return ctx.Fail(dir.status());
  auto r = RunSingle(dir.value(), reps.value());
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json) {
    std::printf("%s\n", r->dump().c_str());
    return kExitOk;
  }
  std::printf(
      "Single process, %s bytes in three databases, %d runs each\n\n| operation | median µs | p99 µs "
      "|\n|---|---:|---:|\n",
      std::to_string(r.value()["bytes"].get<size_t>()).c_str(), reps.value());
  for (const auto& [name, v] : r.value()["rows"].items())
    std::printf("| %s | %s | %s |\n", name.c_str(), Cell(v, "median_us", 1).c_str(), Cell(v, "p99_us", 1).c_str());
  return kExitOk;
}

int Scale(Context& ctx, const Args& a) {
  auto sizes = IntList(a, "sizes", {1000, 10000, 100000});
  if (!sizes.ok()) return ctx.Fail(sizes.status());
  auto dir = WorkDir(ctx);
  if (!dir.ok()) return ctx.Fail(dir.status());
  auto r = RunScale(dir.value(), sizes.value());
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json) {
    std::printf("%s\n", r->dump().c_str());
    return kExitOk;
  }
  std::printf(
      "| records | file KB | parse ms | load ms | load ns/record | edit ms (fsync) | edit ms (no-fsync) |\n"
      "|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& row : r.value()) {
    auto ms = [&](const char* k) { return Fixed(row[k]["median_us"].get<double>() / 1000.0, 3); };
    std::printf("| %d | %s | %s | %s | %s | %s | %s |\n", row["records"].get<int>(),
                Fixed(row["bytes"].get<double>() / 1024.0, 0).c_str(), ms("parse").c_str(), ms("load").c_str(),
                Fixed(row["load_ns_per_record"].get<double>(), 0).c_str(), ms("edit_fsync").c_str(),
                ms("edit_nofsync").c_str());
  }
  return kExitOk;
}

// Goals of the issue, evaluated for one sdndb mode against SQLite.
std::string Goals(const std::map<int, std::map<std::string, ordered_json>>& by, const std::string& mode) {
  std::string out;
  auto verdict = [](bool ok) { return ok ? "**met**" : "**not met**"; };
  auto get = [&](int p, const std::string& m) -> const ordered_json* {
    auto i = by.find(p);
    if (i == by.end()) return nullptr;
    auto k = i->second.find(m);
    return k == i->second.end() || k->second.contains("error") ? nullptr : &k->second;
  };
  const std::string who = SystemName(mode);
  if (const ordered_json* s = get(8, mode), *q = get(8, "sqlite"); s && q) {
    out += "- " + who + ", 8 processes: throughput " + Cell(*s, "ops_per_s", 0) + " vs SQLite " +
           Cell(*q, "ops_per_s", 0) + " ops/s (goal ≥): " + verdict(Num(*s, "ops_per_s") >= Num(*q, "ops_per_s")) +
           "; p99 " + Cell(*s, "p99_ms", 2) + " ms vs SQLite " + Cell(*q, "p99_ms", 2) +
           " ms (goal ≤ 1/10 of SQLite's and ≤ 10 ms): " +
           verdict(Num(*s, "p99_ms") <= Num(*q, "p99_ms") / 10 && Num(*s, "p99_ms") <= 10) + "\n";
  }
  if (const ordered_json* s = get(1, mode), *q = get(1, "sqlite"); s && q) {
    out += "- " + who + ", 1 process: " + Fixed(Num(*s, "ops_per_s") / Num(*q, "ops_per_s"), 2) +
           "× SQLite's throughput (goal ≥ 0.7×): " + verdict(Num(*s, "ops_per_s") >= 0.7 * Num(*q, "ops_per_s")) + "\n";
  }
  int64_t lost = 0, failed = 0;
  for (const auto& [p, m] : by) {
    auto k = m.find(mode);
    if (k == m.end()) continue;
    lost += k->second.value("lost_updates", int64_t{0});
    failed += k->second.value("failed_ops", int64_t{0});
  }
  out += "- " + who + ": lost updates over all runs " + std::to_string(lost) + ", failed operations " +
         std::to_string(failed) + " (goal 0): " + verdict(lost == 0 && failed == 0) + "\n";
  return out;
}

int Compare(Context& ctx, const Args& a) {
  auto procs_list = IntList(a, "procs", {1, 2, 4, 8});
  auto ops = IntOption(a, "ops", 200, 1, 10000000);
  auto rounds = IntOption(a, "rounds", 1, 1, 100);
  if (!rounds.ok()) return ctx.Fail(rounds.status());
  if (!procs_list.ok()) return ctx.Fail(procs_list.status());
  if (!ops.ok()) return ctx.Fail(ops.status());
  const std::string* peer = a.Get("peer");
  if (!peer) return ctx.Usage("compare needs --peer PATH_TO_CYCLE_BENCH (built from tests/bench/peer/cycle_bench.c)");
  auto work = WorkDir(ctx);
  if (!work.ok()) return ctx.Fail(work.status());
  const std::string out_dir = a.Get("out") ? *a.Get("out") : work.value();
  if (Status st = MakeDirs(out_dir); !st.ok()) return ctx.Fail(st);
  const std::string machine = Machine();
  const std::string self = SelfExePath();
  const std::vector<std::string> modes = {"sdndb", "sdndb-nofsync", "sqlite", "lockfile", "nolock"};

  std::map<int, std::map<std::string, std::vector<ordered_json>>> runs;
  ordered_json all = ordered_json::array();
  for (int round = 0; round < rounds.value(); ++round)
    for (int p : procs_list.value()) {
      for (const auto& mode : modes) {
        const std::string dir = work.value() + "/" + mode + "-p" + std::to_string(p) + "-r" + std::to_string(round);
        std::vector<std::string> argv = {self, "--dir", dir, "--json"};
        if (mode.rfind("sdndb", 0) == 0) {
          if (mode == "sdndb-nofsync") argv.push_back("--no-fsync");
          argv.insert(argv.end(), {"cycle", "--procs", std::to_string(p), "--ops", std::to_string(ops.value())});
        } else {
          argv.insert(argv.end(), {"peer", "--peer", *peer, "--mode", mode, "--procs", std::to_string(p), "--ops",
                                   std::to_string(ops.value())});
        }
        double load[1] = {0};
        ::getloadavg(load, 1);
        auto text = Capture(argv);
        ordered_json r = text.ok() ? ordered_json::parse(text.value(), nullptr, false) : ordered_json();
        if (!text.ok()) r = ordered_json::object({{"mode", mode}, {"procs", p}, {"error", text.status().message()}});
        if (!r.is_object()) r = ordered_json::object({{"mode", mode}, {"procs", p}, {"error", "no result"}});
        r["load_avg_1m"] = load[0];
        r["round"] = round + 1;
        std::fprintf(stderr, "%s\n", r.dump().c_str());
        runs[p][mode].push_back(r);
        all.push_back(r);
      }
    }
  // Per configuration, the round with the median throughput (a failed round counts as 0), with
  // lost updates and failed operations summed over all rounds.
  std::map<int, std::map<std::string, ordered_json>> by;
  for (auto& [p, m] : runs) {
    for (auto& [mode, list] : m) {
      std::vector<ordered_json> sorted = list;
      std::sort(sorted.begin(), sorted.end(), [](const ordered_json& x, const ordered_json& y) {
        double vx = x.contains("error") ? 0 : Num(x, "ops_per_s"), vy = y.contains("error") ? 0 : Num(y, "ops_per_s");
        return vx < vy;
      });
      ordered_json med = sorted[sorted.size() / 2];
      if (!med.contains("error")) {
        int64_t lost = 0, failed = 0;
        for (const auto& r : list) {
          lost += r.value("lost_updates", int64_t{0});
          failed += r.value("failed_ops", int64_t{0});
        }
        med["lost_updates"] = lost;
        med["failed_ops"] = failed;
      }
      by[p][mode] = med;
    }
  }

  std::string md = "Machine: " + machine +
                   "\n\nWorkload: 91 todos + 68 features + 8 tasks; one op = load all three → "
                   "increment one todo's counter → save; " +
                   std::to_string(ops.value()) + " ops per process; " + std::to_string(rounds.value()) +
                   " round(s), the round with the median throughput shown (lost updates: sum "
                   "over all rounds).\n\n";
  md += ResultsHeader();
  for (const auto& [p, m] : by)
    for (const auto& mode : modes)
      if (m.count(mode)) md += ResultRow(m.at(mode));
  md +=
      "\nRatios sdndb / SQLite (throughput: higher is better; p99: lower is better)\n\n"
      "| procs | fsync: ops/s ratio | fsync: p99 ratio | no-fsync: ops/s ratio | no-fsync: p99 ratio |\n"
      "|---:|---:|---:|---:|---:|\n";
  for (const auto& entry : by) {
    const auto& m = entry.second;
    const auto p = entry.first;
    auto ratio = [&](const std::string& mode, const char* key) -> std::string {
      if (!m.count(mode) || !m.count("sqlite")) return "–";
      double v = Num(m.at(mode), key) / Num(m.at("sqlite"), key);
      return std::isnan(v) ? "–" : Fixed(v, 2) + "×";
    };
    md += "| " + std::to_string(p) + " | " + ratio("sdndb", "ops_per_s") + " | " + ratio("sdndb", "p99_ms") + " | " +
          ratio("sdndb-nofsync", "ops_per_s") + " | " + ratio("sdndb-nofsync", "p99_ms") + " |\n";
  }
  md += "\nGoals\n\n" + Goals(by, "sdndb") + Goals(by, "sdndb-nofsync");

  // Chart: throughput and p99 against the process count.
  const std::pair<const char*, uint32_t> colors[] = {
      {"sdndb", 0x1f77b4}, {"sdndb-nofsync", 0x17becf}, {"sqlite", 0xd62728}, {"lockfile", 0x7f7f7f}};
  Panel thr{"throughput (ops/s, log)", {}}, p99{"p99 latency (ms, log)", {}};
  for (const auto& [mode, rgb] : colors) {
    Series st{mode == std::string("sdndb")           ? "sdndb fsync"
              : mode == std::string("sdndb-nofsync") ? "sdndb no-fsync"
              : mode == std::string("sqlite")        ? "sqlite wal full"
                                                     : "lockfile",
              rgb,
              {},
              {}};
    Series sp = st;
    for (const auto& [p, m] : by) {
      if (!m.count(mode) || m.at(mode).contains("error")) continue;
      st.x.push_back(p), st.y.push_back(Num(m.at(mode), "ops_per_s"));
      sp.x.push_back(p), sp.y.push_back(Num(m.at(mode), "p99_ms"));
    }
    thr.series.push_back(st);
    p99.series.push_back(sp);
  }
  const std::string png = out_dir + "/cycle.png";
  Status st = WriteChartPng(png, {thr, p99}, "processes");
  if (!st.ok()) return ctx.Fail(st);
  std::ofstream(out_dir + "/cycle.json") << ordered_json({{"machine", machine}, {"runs", all}}).dump(1) << "\n";
  std::ofstream(out_dir + "/cycle.md") << md;
  if (ctx.json)
    std::printf("%s\n", ordered_json({{"machine", machine}, {"runs", all}, {"chart", png}}).dump().c_str());
  else
    std::printf("%s\nChart: %s\n", md.c_str(), png.c_str());
  return kExitOk;
}

}  // namespace

const char kUsage[] =
    "Usage: sdndb-bench [--dir DIR] [--json] [--no-fsync] [--timeout SECONDS] SUBCOMMAND [OPTIONS]\n\n"
    "  cycle   --procs N --ops K          the design document's workload (load all three databases,\n"
    "                                     modify one record, save) in N processes\n"
    "  peer    --peer CYCLE_BENCH --mode sqlite|lockfile|nolock --procs N --ops K\n"
    "  single  [--reps R]                 single-process rows (load, parse, save, cycle)\n"
    "  scale   [--sizes 1000,10000,100000] load and edit cost by database size\n"
    "  compare --peer CYCLE_BENCH [--procs 1,2,4,8] [--ops K] [--rounds R] [--out DIR]\n"
    "                                     every system, tables + chart (docs/benchmarks.md)\n";

int Run(const std::vector<std::string>& argv) {
  Context ctx;
  auto parsed = ParseArgs(argv);
  if (!parsed.ok()) return ctx.Fail(parsed.status());
  const Args& a = parsed.value();
  if (a.flags.count("help")) {
    std::printf("%s", kUsage);
    return kExitOk;
  }
  ctx.command = a.positional.empty() ? "" : a.positional[0];
  ctx.json = a.flags.count("json") > 0;
  ctx.no_fsync = a.flags.count("no-fsync") > 0;
  if (const std::string* d = a.Get("dir")) ctx.dir = *d;
  if (const std::string* t = a.Get("timeout")) {
    char* end = nullptr;
    ctx.timeout_s = std::strtod(t->c_str(), &end);
    if (t->empty() || *end || ctx.timeout_s < 0) return ctx.Usage("option --timeout needs a number of seconds");
  }
  if (ctx.command == "cycle") return Cycle(ctx, a);
  if (ctx.command == "peer") return Peer(ctx, a);
  if (ctx.command == "single") return Single(ctx, a);
  if (ctx.command == "scale") return Scale(ctx, a);
  if (ctx.command == "compare") return Compare(ctx, a);
  std::fprintf(stderr, "%s", kUsage);
  return ctx.Usage("needs a subcommand: cycle, peer, single, scale or compare");
}

}  // namespace sdndb::bench

int main(int argc, char** argv) { return sdndb::bench::Run(std::vector<std::string>(argv + 1, argv + argc)); }
