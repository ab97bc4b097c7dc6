// sdndb-bench (the benchmark program) on real processes: the workload counts every update, and
// the databases it creates are real sdndb databases. Figures are printed, never asserted.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/run_process.h"
#include "tests/support/io_test_util.h"

using namespace sdndb::testing;
using nlohmann::json;

TEST_CASE("sdndb-bench cycle: the workload runs in several processes and counts every update") {
  TempDir dir;
  auto r = RunProcess(
      {SDNDB_BENCH_BINARY, "--dir", dir.path(), "--no-fsync", "--json", "cycle", "--procs", "2", "--ops", "5"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  json j = json::parse(r.out);
  CHECK(j["ops"] == 10);
  CHECK(j["lost_updates"] == 0);
  CHECK(j["failed_ops"] == 0);
  CHECK(j["sum"] == j["expected_sum"]);
  CHECK(j["expected_sum"] == 10);
  MESSAGE("2 processes x 5 ops, no fsync: " << j["ops_per_s"] << " ops/s");
  // The databases it created are real sdndb databases.
  auto list = Sdndb({"--dir", dir.path(), "list", "todo", "--json"});
  CHECK(list.exit_code == 0);
  CHECK(json::parse(list.out).size() == 91);
}

TEST_CASE("sdndb-bench: options after the subcommand, usage errors") {
  TempDir dir;
  auto r = RunProcess({SDNDB_BENCH_BINARY, "cycle", "--procs=1", "--ops", "2", "--json", "--dir", dir.path()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(json::parse(r.out)["ops"] == 2);
  auto none = RunProcess({SDNDB_BENCH_BINARY});
  CHECK(none.exit_code == 1);
  CHECK(none.err.find("needs a subcommand") != std::string::npos);
  auto bad = RunProcess({SDNDB_BENCH_BINARY, "cycle", "--procs", "0"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("--procs must be an integer in 1..64") != std::string::npos);
  auto unknown = RunProcess({SDNDB_BENCH_BINARY, "cycle", "--frobnicate"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("unknown option --frobnicate") != std::string::npos);
  auto peer = RunProcess({SDNDB_BENCH_BINARY, "compare"});
  CHECK(peer.exit_code == 1);
  CHECK(peer.err.find("tests/bench/peer/cycle_bench.c") != std::string::npos);
}
