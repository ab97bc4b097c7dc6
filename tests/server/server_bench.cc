// sdndb_server_bench: round-trip latency of `sdndb serve` through pipes, and its memory.
//   list of 1,000 records  (goal p50 <= 1 ms)
//   durable edit           (goal p50 <= 2 ms; fsync of file and folder)
//   server RSS high-water  (goal <= 10 MB; VmHWM from /proc/<pid>/status)
//   an editor save of 50 changed records: one sdndb/apply vs 50 sdndb/edit calls (durable)
// Round trip = request written .. complete response frame received (the client's own JSON
// parsing is excluded: it depends on the client, e.g. V8's JSON.parse in VS Code).
// Usage: sdndb_server_bench [iterations=300] [binary]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <unistd.h>

#include "tests/server/rpc_client.h"

using namespace sdndb::test;
using Clock = std::chrono::steady_clock;

namespace {

std::string ProcStatus(pid_t pid, const char* key) {
  std::string s = ReadFile("/proc/" + std::to_string(pid) + "/status");
  size_t at = s.find(key);
  if (at == std::string::npos) return "?";
  size_t end = s.find('\n', at);
  std::string line = s.substr(at + std::string(key).size(), end - at - std::string(key).size());
  line.erase(0, line.find_first_not_of(" \t"));
  return line;
}

// utime + stime of a process, in microseconds.
double CpuMicros(pid_t pid) {
  std::string s = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  size_t close = s.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> f;
  std::string cur;
  for (size_t i = close + 2; i < s.size(); ++i) {
    if (s[i] == ' ') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur += s[i];
    }
  }
  if (f.size() < 13) return 0;
  double ticks = std::atof(f[11].c_str()) + std::atof(f[12].c_str());
  return ticks * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double g_server_cpu_us_per_call = 0;

void Report(const char* name, std::vector<double> us, double goal_ms) {
  std::sort(us.begin(), us.end());
  auto pct = [&us](double p) { return us[std::min(us.size() - 1, static_cast<size_t>(p * us.size()))] / 1000.0; };
  std::printf("%-26s n=%-4zu p50=%7.3f ms  p95=%7.3f ms  p99=%7.3f ms  max=%7.3f ms  server CPU/call=%6.3f ms  "
              "(goal p50 <= %.0f ms: %s)\n",
              name, us.size(), pct(0.50), pct(0.95), pct(0.99), us.back() / 1000.0, g_server_cpu_us_per_call / 1000.0,
              goal_ms, pct(0.50) <= goal_ms ? "met" : "MISSED");
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = argc > 1 ? std::atoi(argv[1]) : 300;
  std::string binary = argc > 2 ? argv[2] : "";
  std::string dir = MakeWorkspace(false);
  std::string db = "todos |id, keyword, area, priority, description, file, line, issue, blocked, status, valid|\n";
  for (int i = 1; i <= 1000; ++i) {
    db += "    " + std::to_string(i) + ", TODO, area" + std::to_string(i % 7) + ", P" + std::to_string(i % 4) +
          ", \"Benchmark record number " + std::to_string(i) + "\", src/mod" + std::to_string(i) + ".spl, " +
          std::to_string(i * 3) + ", \"\", \"\", open, true\n";
  }
  WriteFile(dir + "/todo_db.sdn", db);

  ServerProcess s({"--dir", dir}, binary);
  Json init = s.Initialize({{"rootPath", dir}, {"clientInfo", {{"name", "bench"}}}});
  if (!init.contains("result")) {
    std::fprintf(stderr, "initialize failed: %s\n", init.dump().c_str());
    return 1;
  }
  std::printf("sdndb serve benchmark: %s, 1000 records (%zu bytes), %d iterations\n", dir.c_str(), db.size(),
              iterations);

  auto measure = [&](const std::string& method, auto make_params, int n) {
    std::vector<double> us;
    double cpu0 = CpuMicros(s.pid());
    for (int i = 0; i < n; ++i) {
      Json params = make_params(i);
      auto t0 = Clock::now();
      Json r = s.Call(i, method, params);
      auto t1 = s.last_frame_at();  // bytes received; client-side JSON parsing is not counted
      if (!r.contains("result")) {
        std::fprintf(stderr, "%s failed: %s\n", method.c_str(), r.dump().substr(0, 300).c_str());
        std::exit(1);
      }
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      s.ClearQueue();
    }
    g_server_cpu_us_per_call = (CpuMicros(s.pid()) - cpu0) / n;
    return us;
  };

  // Warm-up (page cache, snapshot cache).
  measure("sdndb/list", [](int) { return Json{{"database", "todo"}}; }, 20);
  Report("list 1000 records", measure("sdndb/list", [](int) { return Json{{"database", "todo"}}; }, iterations), 1);
  Report("list page of 50 (sorted)",
         measure("sdndb/list", [](int i) { return Json{{"database", "todo"}, {"sort", "priority"}, {"offset", i % 900}, {"limit", 50}}; },
                 iterations),
         1);
  Report("get one record", measure("sdndb/get", [](int i) { return Json{{"database", "todo"}, {"id", std::to_string(1 + i % 1000)}}; }, iterations), 1);
  Report("durable edit",
         measure("sdndb/edit",
                 [](int i) {
                   return Json{{"database", "todo"}, {"id", std::to_string(1 + i % 1000)},
                               {"changes", {{"status", i % 2 ? "open" : "closed"}}}};
                 },
                 iterations),
         2);
  // Change notifications (moved here from serve_test: a test asserts that they come, this
  // measures how fast): another process replaces the file atomically, or the CLI edits it.
  {
    const int n = std::max(10, iterations / 10);
    std::vector<double> rename_us, cli_us;
    const std::string path = dir + "/todo_db.sdn";
    for (int i = 0; i < n; ++i) {
      std::string text = ReadFile(path);
      const std::string mark = i % 2 ? "\"Benchmark record number 1\"" : "\"Benchmark record number 1 (changed)\"";
      const std::string other = i % 2 ? "\"Benchmark record number 1 (changed)\"" : "\"Benchmark record number 1\"";
      size_t at = text.find(other);
      if (at == std::string::npos) break;
      text.replace(at, other.size(), mark);
      s.ClearQueue();
      auto t0 = Clock::now();
      ReplaceAtomically(path, text);
      if (!s.WaitNotification("sdndb/didChange", std::chrono::milliseconds(10000))) {
        std::fprintf(stderr, "no didChange after an atomic rename\n");
        return 1;
      }
      rename_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    // Time from the exit of a CLI edit of record `id` of `database` to the next didChange, n times.
    auto cli_edit_latency = [&](const std::string& database, const std::string& id, std::vector<double>* us) {
      for (int i = 0; i < n; ++i) {
        s.ClearQueue();
        const std::string status = std::string("status=") + (i % 2 ? "open" : "closed");
        if (Run({binary.empty() ? std::string(SDNDB_BINARY) : binary, "edit", database, id, status, "--dir", dir}) != 0) {
          std::fprintf(stderr, "sdndb edit of %s failed\n", database.c_str());
          return false;
        }
        auto cli_done = Clock::now();
        if (!s.WaitNotification("sdndb/didChange", std::chrono::milliseconds(10000))) {
          std::fprintf(stderr, "no didChange after a CLI edit of %s\n", database.c_str());
          return false;
        }
        us->push_back(std::chrono::duration<double, std::micro>(Clock::now() - cli_done).count());
      }
      return true;
    };
    if (!cli_edit_latency("todo", "2", &cli_us)) return 1;
    g_server_cpu_us_per_call = 0;
    Report("didChange after rename", rename_us, 100);
    Report("didChange after CLI exit", cli_us, 100);
    // A file of 100 tables (10,000 rows, ~460 KB): every table of a changed file is re-read, so
    // this shows what parsing it once for all of them (Workspace::ReadTables) costs.
    std::string many;
    for (int t = 0; t < 100; ++t) {
      many += "t" + std::to_string(t) + " |id, title, status, area|\n";
      for (int r = 0; r < 100; ++r)
        many += "    r" + std::to_string(r) + ", \"Record " + std::to_string(r) + " of table " + std::to_string(t) +
                "\", open, area" + std::to_string(r % 7) + "\n";
      many += "\n";
    }
    WriteFile(dir + "/many_db.sdn", many);
    // The new database is announced (a notification per table): wait until that is over.
    if (!s.WaitNotification("sdndb/didChange", std::chrono::milliseconds(10000))) {
      std::fprintf(stderr, "the 100-table database was not announced\n");
      return 1;
    }
    do s.ClearQueue();
    while (s.WaitNotification("sdndb/didChange", std::chrono::milliseconds(500)));
    std::vector<double> many_us;
    if (!cli_edit_latency("many.t50", "r1", &many_us)) return 1;
    Report("didChange, 100-table file", many_us, 100);
  }
  // An editor save of 50 changed lines: one sdndb/apply (one transaction, one fsync) against the
  // same 50 changes as 50 sdndb/edit calls (50 transactions), both durable.
  {
    const int saves = std::max(3, iterations / 30);
    auto edits_of = [](int round) {
      Json edits = Json::array();
      for (int k = 0; k < 50; ++k)
        edits.push_back({{"id", std::to_string(1 + (round * 50 + k) % 1000)},
                         {"changes", {{"description", "save " + std::to_string(round) + " record " + std::to_string(k)}}}});
      return edits;
    };
    std::vector<double> apply_us, edits_us;
    for (int round = 0; round < saves; ++round) {
      Json edits = edits_of(2 * round);
      auto t0 = Clock::now();
      Json r = s.Call("apply" + std::to_string(round), "sdndb/apply", {{"database", "todo"}, {"edits", edits}});
      auto t1 = s.last_frame_at();
      if (!r.contains("result")) {
        std::fprintf(stderr, "sdndb/apply failed: %s\n", r.dump().substr(0, 300).c_str());
        return 1;
      }
      apply_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      s.ClearQueue();
      Json separate = edits_of(2 * round + 1);
      t0 = Clock::now();
      for (size_t k = 0; k < separate.size(); ++k) {
        Json e = separate[k];
        e["database"] = "todo";
        Json one = s.Call("edit" + std::to_string(round) + "." + std::to_string(k), "sdndb/edit", e);
        if (!one.contains("result")) {
          std::fprintf(stderr, "sdndb/edit failed: %s\n", one.dump().substr(0, 300).c_str());
          return 1;
        }
      }
      t1 = s.last_frame_at();
      edits_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      s.ClearQueue();
    }
    std::sort(apply_us.begin(), apply_us.end());
    std::sort(edits_us.begin(), edits_us.end());
    const double apply_ms = apply_us[apply_us.size() / 2] / 1000.0, edits_ms = edits_us[edits_us.size() / 2] / 1000.0;
    std::printf("save of 50 records       n=%-4d sdndb/apply p50=%8.3f ms   50 x sdndb/edit p50=%8.3f ms   (%.1fx)\n",
                saves, apply_ms, edits_ms, edits_ms / apply_ms);
  }
  std::printf("load average: %s", ReadFile("/proc/loadavg").c_str());
  std::printf("server memory: VmHWM %s, VmRSS %s (goal <= 10 MB)\n", ProcStatus(s.pid(), "VmHWM:").c_str(),
              ProcStatus(s.pid(), "VmRSS:").c_str());
  s.Call("bye", "shutdown", nullptr);
  s.Notify("exit");
  return s.WaitExit() == 0 ? 0 : 1;
}
