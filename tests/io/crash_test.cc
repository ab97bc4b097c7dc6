// kill -9 soak: a child replaces a file in a loop with complete, self-describing versions;
// the parent kills it at random moments. After every kill the file must be exactly one of
// the complete versions, and CleanupTempFiles must leave no temp file behind.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>

#include "core/io/atomic_file.h"
#include "core/io/crc32.h"
#include "core/io/env.h"
#include "tests/support/io_test_util.h"

using namespace sdndb;
using sdndb::testing::ForkChild;
using sdndb::testing::ListFolder;
using sdndb::testing::LongTests;
using sdndb::testing::Pipe;
using sdndb::testing::ReadWholeFile;
using sdndb::testing::TempDir;
using sdndb::testing::WaitChild;
using std::chrono::milliseconds;

namespace {

// Version n: "#sdn-crc32:<crc>\n" + "version: <n>\nlength: <len>\n" + filler, 2-9 KB long.
// Self-describing: the seal covers the body, the length line gives the body size.
std::string Version(uint64_t n) {
  std::mt19937_64 rng(n * 7919 + 17);
  const size_t len = 2048 + static_cast<size_t>(rng() % 7000);
  std::string filler;
  while (filler.size() < len) {
    filler += "  row " + std::to_string(rng() % 100000) + ", \"" + std::string(rng() % 40, static_cast<char>('a' + n % 26)) + "\"\n";
  }
  filler.resize(len);
  std::string body = "version: " + std::to_string(n) + "\nlength: " + std::to_string(len) + "\n" + filler;
  return ResealCrc("#sdn-crc32:0\n" + body);
}

// Returns the version number the text is a complete copy of, or -1.
long WhichVersion(const std::string& text) {
  if (!VerifyCrcSeal(text, "x").ok() || !HasCrcSeal(text)) return -1;
  size_t v = text.find("\nversion: ");
  if (v == std::string::npos) return -1;
  long n = std::atol(text.c_str() + v + 10);
  return Version(static_cast<uint64_t>(n)) == text ? n : -1;
}

}  // namespace

TEST_CASE("crash: versions are self-describing") {
  CHECK(WhichVersion(Version(3)) == 3);
  std::string torn = Version(3);
  torn.resize(torn.size() / 2);
  CHECK(WhichVersion(torn) == -1);
  std::string mixed = Version(3).substr(0, 1000) + Version(4).substr(1000);
  CHECK(WhichVersion(mixed) == -1);
}

TEST_CASE("crash: kill -9 at random moments never leaves a torn file") {
  const int runs = LongTests() ? 2000 : 400;
  TempDir dir;
  const std::string path = dir.Join("bug_db.sdn");
  REQUIRE(ReplaceFileAtomically(PosixEnv(), path, Version(0)).ok());
  std::mt19937 rng(12345);
  uint64_t next_version = 1;
  int cleaned_total = 0, killed_mid_write = 0, advanced = 0;
  for (int run = 0; run < runs; ++run) {
    const uint64_t first = next_version;
    const bool durable = run % 2 == 0;
    Pipe started;
    pid_t child = ForkChild([&] {
      AtomicWriteOptions o;
      o.durable = durable;
      started.Send('1');
      for (uint64_t n = first;; ++n) {
        if (!ReplaceFileAtomically(PosixEnv(), path, Version(n), o).ok()) return 3;
      }
    });
    char c;
    REQUIRE(started.Receive(&c, milliseconds(5000)));
    ::usleep(static_cast<useconds_t>(rng() % 4000));  // 0-4 ms: some runs die before the first write
    ::kill(child, SIGKILL);
    REQUIRE(WaitChild(child) == 128 + SIGKILL);

    const std::string text = ReadWholeFile(path);
    const long v = WhichVersion(text);
    if (v < 0) {
      FAIL("run " << run << ": torn or missing file, " << text.size() << " bytes");
    }
    CHECK(static_cast<uint64_t>(v) < first + 100000);
    if (static_cast<uint64_t>(v) >= first) {
      ++advanced;
      next_version = static_cast<uint64_t>(v) + 1;
    }
    next_version += 1000;  // every child writes versions no other child wrote

    int removed = 0;
    REQUIRE(CleanupTempFiles(PosixEnv(), path, &removed).ok());
    cleaned_total += removed;
    killed_mid_write += removed > 0 ? 1 : 0;
    const auto names = ListFolder(dir.path());
    REQUIRE(names == std::vector<std::string>{"bug_db.sdn"});
  }
  CHECK(advanced > runs / 4);  // most children did write before they were killed
  MESSAGE(runs << " kills; " << advanced << " after at least one complete replace; " << killed_mid_write << " landed mid-write; " << cleaned_total
               << " temp files cleaned up; the file was always a complete version");
}
