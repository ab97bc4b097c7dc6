// The benchmark workload of sdndb-bench (tests/bench/sdndb_bench.cc; docs/benchmarks.md).
//
// Workload (design document, Part 6): three databases — 91 todos, 68 features, 8 tasks, about
// 40 KB with field sizes like the Simple project's real files. One operation = load all three
// (Store::Read, every record materialized) -> modify one record (Store::Update of the todo
// record `worker % 91`, incrementing its `count` field: an atomic read-modify-write that
// re-reads the file under the lock) -> save (atomic replace, fsync unless no_fsync).
// The SQLite and lock-file peers (tests/bench/peer/cycle_bench.c) do the same: every operation
// increments a counter, so the sum of the counters must grow by procs x ops (else updates were
// lost). Every function here is blocking and single-threaded; RunCycle forks processes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace sdndb::bench {

// ---- data ----

// Writes todo_db.sdn, feature_db.sdn and task_db.sdn into `dir` (created if needed) unless all
// three exist already. Deterministic content.
Status EnsureWorkloadDatabases(const std::string& dir);
// A todo database with `rows` records in the same shape (for the scale benchmark).
std::string TodoDatabaseText(size_t rows);

// ---- statistics ----

struct Percentiles {
  double p50 = 0, p95 = 0, p99 = 0, max = 0, mean = 0;  // in the unit of the samples
};
// Nearest-rank percentiles as cycle_bench computes them (sorted[n*q]). Empty input: all 0.
Percentiles Summarize(std::vector<double> samples);

// ---- the multi-process cycle ----

struct CycleOptions {
  std::string dir;     // holds the three databases (created when absent)
  int procs = 1;       // 1..64
  int ops = 100;       // operations per process
  bool durable = true; // false = --no-fsync (crash-safe, not power-loss-safe)
  double timeout_s = 10;
};

// Runs the workload; returns one JSON object with cycle_bench's fields (mode, procs, iters, ops,
// wall_ms, ops_per_s, p50_ms, p95_ms, p99_ms, expected_sum, sum, lost_updates) plus
// failed_ops, lock_wait_{p50,p95,p99,max}_ms, phase means (phase_us), peak_rss_kb,
// cpu_user_s, cpu_sys_s, cpu_pct. IOError when the databases cannot be created or read.
Result<nlohmann::ordered_json> RunCycle(const CycleOptions& options);

// Runs `peer_binary MODE DIR PROCS OPS` (cycle_bench) as a child and returns its JSON line plus
// peak_rss_kb, cpu_user_s, cpu_sys_s, cpu_pct of the child tree (getrusage(RUSAGE_CHILDREN):
// call it once per process for a correct peak RSS). A peer that fails yields {"mode", "error"}.
// Runs argv (argv[0] a path) with stdout captured into *out; *status is the waitpid status.
// Blocks until the child exits. Errors only for pipe/fork failures.
Status RunCaptured(const std::vector<std::string>& argv, std::string* out, int* status);

Result<nlohmann::ordered_json> RunPeer(const std::string& peer_binary, const std::string& mode,
                                       const std::string& dir, int procs, int ops);

// ---- single-process rows of the design document's table ----

// Medians (and p99) over `reps` repetitions in `dir` (workload databases created when absent):
// load of each database, parse only, load of all three, save todo (durable and not), full cycle.
Result<nlohmann::ordered_json> RunSingle(const std::string& dir, int reps);

// Load and edit cost of todo databases with each of `sizes` records, in a scratch folder
// under `dir`: file size, load (Store::Read) and parse time, durable and no-fsync edit.
Result<nlohmann::ordered_json> RunScale(const std::string& dir, const std::vector<int>& sizes);

// ---- chart ----

struct Series {
  std::string name;
  uint32_t rgb = 0;            // 0xRRGGBB
  std::vector<double> x, y;    // points (y <= 0 is skipped on the log axis)
};
struct Panel {
  std::string title;           // e.g. "throughput (ops/s)"
  std::vector<Series> series;
};
// Writes a PNG (RGB, uncompressed deflate) with the panels side by side, log-scale y,
// x = process counts. IOError when the file cannot be written.
Status WriteChartPng(const std::string& path, const std::vector<Panel>& panels, const std::string& x_label);

}  // namespace sdndb::bench
