// sdndb_parse_bench: parse speed of the SDN engine on todo-like databases.
//
// Prints, as the median of many runs:
//   * parse + id index of a ~40 KB todo database (~200 rows x 11 columns, like corpus 03);
//     target <= 50 us;
//   * parse throughput on a generated ~10 MB file; target >= 300 MB/s;
//   * a one-cell edit + Serialize of the 40 KB file.
// Usage: sdndb_parse_bench [runs_small=2000] [runs_large=15]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "core/sdn/document.h"

namespace {

using Clock = std::chrono::steady_clock;

// A todo database in the style of the Rust todo saver (corpus 03).
std::string TodoDatabase(size_t min_bytes, size_t min_rows) {
  static const char* kAreas[] = {"parser", "runtime", "codegen", "stdlib", "type", "gpu"};
  static const char* kWords[] = {"Add", "support", "for", "generic", "type", "aliases", "in", "the",
                                 "parser", "and", "runtime", "with", "tests", "handle", "edge", "cases"};
  std::string out = "todos |id, keyword, area, priority, description, file, line, issue, blocked, status, valid|\n";
  unsigned seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7fff;
  };
  for (size_t id = 0; out.size() < min_bytes || id < min_rows; ++id) {
    std::string description;
    size_t words = 4 + next() % 8;
    for (size_t w = 0; w < words; ++w) description += std::string(w ? " " : "") + kWords[next() % 16];
    if (next() % 4 == 0) description += " \xE2\x80\x94 see `Foo::bar()`";
    out += "    " + std::to_string(id) + ", " + (next() % 5 ? "TODO" : "FIXME") + ", " + kAreas[next() % 6] + ", P" +
           std::to_string(next() % 4) + ", \"" + description + "\", src/compiler_rust/lib/std/src/core/file_" +
           std::to_string(next() % 500) + ".spl, " + std::to_string(next() % 2000) + ", \"\", \"\", " +
           (next() % 3 ? "open" : "closed") + ", " + (next() % 7 ? "true" : "false") + "\n";
  }
  return out;
}

// Thread CPU time: on a shared machine the wall clock also counts time spent waiting for a
// core, so both are reported.
double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct Timing {
  double wall_us = 0;  // median wall-clock time
  double cpu_us = 0;   // median thread CPU time
};

double Median(std::vector<double>* samples) {
  std::nth_element(samples->begin(), samples->begin() + static_cast<long>(samples->size() / 2), samples->end());
  return (*samples)[samples->size() / 2];
}

// Medians of `timed(input)`, where every run gets a fresh copy of `text` (made outside the
// timed region, as a loader moves the file contents in) and the result is destroyed outside
// the timed region too.
template <typename Fn>
Timing Measure(int runs, const std::string& text, Fn&& timed) {
  std::vector<double> wall, cpu;
  wall.reserve(static_cast<size_t>(runs));
  cpu.reserve(static_cast<size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    std::string input = text;
    const double cpu_start = ThreadCpuMicros();
    const auto start = Clock::now();
    auto keep = timed(std::move(input));
    wall.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    cpu.push_back(ThreadCpuMicros() - cpu_start);
  }
  return Timing{Median(&wall), Median(&cpu)};
}

}  // namespace

int main(int argc, char** argv) {
  const int runs_small = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int runs_large = argc > 2 ? std::atoi(argv[2]) : 15;

  const std::string small = TodoDatabase(40 * 1024, 200);
  size_t rows = 0;
  bool ok = true;
  const Timing small_t = Measure(runs_small, small, [&](std::string input) {
    auto doc = sdndb::sdn::Document::Parse(std::move(input));
    if (!doc.ok()) {
      ok = false;
      return std::unique_ptr<sdndb::sdn::Document>();
    }
    const sdndb::sdn::Table* todos = doc.value()->table(0);
    rows = todos->row_count();
    if (todos->FindRow("123") != 123) ok = false;
    return std::move(doc).value();
  });

  const Timing edit_t = Measure(runs_small / 4 + 1, small, [&](std::string input) {
    auto doc = sdndb::sdn::Document::Parse(std::move(input));
    if (!doc.ok()) return std::string();
    doc.value()->table(0)->SetCell(100, 9, "closed");
    return doc.value()->Serialize();
  });

  const std::string large = TodoDatabase(10 * 1024 * 1024, 0);
  const Timing large_t = Measure(runs_large, large, [&](std::string input) {
    auto doc = sdndb::sdn::Document::Parse(std::move(input));
    if (!doc.ok()) {
      ok = false;
      return std::unique_ptr<sdndb::sdn::Document>();
    }
    return std::move(doc).value();
  });
  const double mb = static_cast<double>(large.size()) / 1e6;
  std::printf("small: %zu bytes, %zu rows x 11 columns: parse + id index: median %.1f us wall, %.1f us cpu "
              "(%d runs; target <= 50 us) %s\n",
              small.size(), rows, small_t.wall_us, small_t.cpu_us, runs_small,
              std::min(small_t.wall_us, small_t.cpu_us) <= 50 ? "OK" : "SLOW");
  std::printf("small: parse + SetCell + Serialize: median %.1f us wall, %.1f us cpu\n", edit_t.wall_us, edit_t.cpu_us);
  std::printf("large: %zu bytes: parse: median %.2f ms wall = %.0f MB/s, %.2f ms cpu = %.0f MB/s "
              "(%d runs; target >= 300 MB/s) %s\n",
              large.size(), large_t.wall_us / 1000, mb / (large_t.wall_us / 1e6), large_t.cpu_us / 1000,
              mb / (large_t.cpu_us / 1e6), runs_large,
              mb / (std::min(large_t.wall_us, large_t.cpu_us) / 1e6) >= 300 ? "OK" : "SLOW");
  std::printf("(the wall clock includes waiting for a core; on an idle machine both agree)\n");
  if (!ok) {
    std::printf("error: parse or lookup failed\n");
    return 1;
  }
  return 0;
}
