// ReplaceFileAtomically and CleanupTempFiles on real files, with faults injected at every step.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/io/atomic_file.h"
#include "core/io/env.h"
#include "tests/support/fault_env.h"
#include "tests/support/io_test_util.h"

using namespace sdndb;
using sdndb::testing::FaultEnv;
using sdndb::testing::FileExists;
using sdndb::testing::FileMode;
using sdndb::testing::ListFolder;
using sdndb::testing::ReadWholeFile;
using sdndb::testing::TempDir;
using sdndb::testing::WriteWholeFile;

namespace {

std::string Content(char fill, size_t n) {
  std::string s = "# version " + std::string(1, fill) + "\n";
  while (s.size() < n) s += std::string(63, fill) + "\n";
  s.resize(n);
  return s;
}

int TempFilesIn(const std::string& dir, const std::string& name) {
  int n = 0;
  for (const std::string& f : ListFolder(dir)) n += IsOurTempFile(name, f) ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("paths: DirName and BaseName") {
  CHECK(DirName("a/b/c.sdn") == "a/b");
  CHECK(DirName("c.sdn") == ".");
  CHECK(DirName("/c.sdn") == "/");
  CHECK(DirName("a//c.sdn") == "a");
  CHECK(BaseName("a/b/c.sdn") == "c.sdn");
  CHECK(BaseName("c.sdn") == "c.sdn");
}

TEST_CASE("atomic: content is replaced and no temp file remains") {
  TempDir dir;
  const std::string path = dir.Join("todo_db.sdn");
  REQUIRE(WriteWholeFile(path, "old\n"));
  const std::string fresh = Content('n', 40 * 1024);
  for (bool durable : {true, false}) {
    AtomicWriteOptions o;
    o.durable = durable;
    Status s = ReplaceFileAtomically(PosixEnv(), path, fresh, o);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(ReadWholeFile(path) == fresh);
    CHECK(ListFolder(dir.path()) == std::vector<std::string>{"todo_db.sdn"});
  }
  // Empty content is a valid content.
  REQUIRE(ReplaceFileAtomically(PosixEnv(), path, "").ok());
  CHECK(ReadWholeFile(path).empty());
  CHECK(FileExists(path));
}

TEST_CASE("atomic: a new file is created with mode 0644") {
  TempDir dir;
  const std::string path = dir.Join("new.sdn");
  mode_t old_umask = ::umask(077);
  Status s = ReplaceFileAtomically(PosixEnv(), path, "x: 1\n");
  ::umask(old_umask);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(ReadWholeFile(path) == "x: 1\n");
  CHECK(FileMode(path) == 0644);
}

TEST_CASE("atomic: the target's mode is kept") {
  TempDir dir;
  const std::string path = dir.Join("db.sdn");
  for (uint32_t mode : {0600u, 0640u, 0664u, 0200u}) {
    REQUIRE(WriteWholeFile(path, "old\n"));
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    Status s = ReplaceFileAtomically(PosixEnv(), path, "new\n");
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(ReadWholeFile(path) == "new\n");
    CHECK(FileMode(path) == mode);
    ::chmod(path.c_str(), 0644);
    ::unlink(path.c_str());
  }
}

TEST_CASE("atomic: a read-only (0444) file is refused, named, and left as it was") {
  TempDir dir;
  const std::string path = dir.Join("db.sdn");
  for (uint32_t mode : {0444u, 0400u, 0000u}) {
    CAPTURE(mode);
    REQUIRE(WriteWholeFile(path, "old\n"));
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    Status s = ReplaceFileAtomically(PosixEnv(), path, "new\n");
    REQUIRE_FALSE(s.ok());
    CHECK(s.code() == StatusCode::kIOError);
    CHECK(s.message().find(path) != std::string::npos);
    CHECK(s.message().find("read-only") != std::string::npos);
    ::chmod(path.c_str(), 0644);
    CHECK(ReadWholeFile(path) == "old\n");
    ::chmod(path.c_str(), mode);
    CHECK(FileMode(path) == mode);
    CHECK(dir.CountFiles() == 1);  // no temp file left
    ::chmod(path.c_str(), 0644);
    ::unlink(path.c_str());
  }
}

TEST_CASE("atomic: a symlinked target is followed: the link stays, the target is replaced") {
  TempDir dir;
  REQUIRE(::mkdir(dir.Join("real").c_str(), 0755) == 0);
  const std::string target = dir.Join("real/db.sdn");
  REQUIRE(WriteWholeFile(target, "old\n"));
  REQUIRE(::chmod(target.c_str(), 0600) == 0);
  const std::string link = dir.Join("db.sdn");
  REQUIRE(::symlink("real/db.sdn", link.c_str()) == 0);  // relative link
  const std::string link2 = dir.Join("db2.sdn");
  REQUIRE(::symlink(link.c_str(), link2.c_str()) == 0);  // absolute link to a link

  Status s = ReplaceFileAtomically(PosixEnv(), link2, "new\n");
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  struct stat st;
  REQUIRE(::lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  REQUIRE(::lstat(link2.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(ReadWholeFile(target) == "new\n");
  CHECK(FileMode(target) == 0600);
  // The temp file lived next to the target, and is gone.
  CHECK(ListFolder(dir.Join("real")) == std::vector<std::string>{"db.sdn"});

  int removed = -1;
  REQUIRE(CleanupTempFiles(PosixEnv(), link, &removed).ok());
  CHECK(removed == 0);

  // A dangling link: the first write creates the file it names.
  const std::string dangling = dir.Join("later.sdn");
  REQUIRE(::symlink("real/later.sdn", dangling.c_str()) == 0);
  REQUIRE(ReplaceFileAtomically(PosixEnv(), dangling, "made\n").ok());
  REQUIRE(::lstat(dangling.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(ReadWholeFile(dir.Join("real/later.sdn")) == "made\n");
}

TEST_CASE("atomic: a folder as target is refused") {
  TempDir dir;
  Status s = ReplaceFileAtomically(PosixEnv(), dir.path(), "x");
  CHECK(!s.ok());
  CHECK(s.message().find(dir.path()) != std::string::npos);
}

TEST_CASE("atomic: a fault at every step leaves the original intact and no temp file") {
  struct Step {
    FaultEnv::Op op;
    const char* words;  // what the error message must say
  };
  const Step steps[] = {
      {FaultEnv::Op::kCreate, "creating the temp file"}, {FaultEnv::Op::kWrite, "writing the temp file"},
      {FaultEnv::Op::kSync, "fsync of the temp file"},   {FaultEnv::Op::kClose, "closing the temp file"},
      {FaultEnv::Op::kRename, "rename over the target"}, {FaultEnv::Op::kSyncDir, "fsync of the folder"},
      {FaultEnv::Op::kStat, "stat"},                     {FaultEnv::Op::kResolve, "resolving the path"},
  };
  const std::string original = Content('o', 40 * 1024) + std::string("\0\xff\r\n", 4);
  const std::string fresh = Content('n', 50 * 1024);
  for (int err : {ENOSPC, EIO}) {
    for (const Step& step : steps) {
      CAPTURE(FaultEnv::OpName(step.op));
      CAPTURE(err);
      TempDir dir;
      const std::string path = dir.Join("bug_db.sdn");
      REQUIRE(WriteWholeFile(path, original));
      REQUIRE(::chmod(path.c_str(), 0640) == 0);
      struct stat before;
      REQUIRE(::stat(path.c_str(), &before) == 0);

      FaultEnv env(PosixEnv());
      env.FailNth(step.op, 1, err);
      Status s = ReplaceFileAtomically(&env, path, fresh);
      CHECK(env.Injected() == 1);
      REQUIRE(!s.ok());
      CHECK(s.code() == StatusCode::kIOError);
      INFO(s.message());
      CHECK(s.message().find(path) != std::string::npos);                 // names the file
      CHECK(s.message().find(step.words) != std::string::npos);           // names the step
      CHECK(s.message().find(std::strerror(err)) != std::string::npos);   // names the OS error
      CHECK(s.message().find("original") != std::string::npos);           // says what happened to it

      CHECK(ReadWholeFile(path) == original);  // byte for byte
      struct stat after;
      REQUIRE(::stat(path.c_str(), &after) == 0);
      CHECK(after.st_ino == before.st_ino);  // the very same file, not a copy
      CHECK(FileMode(path) == 0640);
      CHECK(ListFolder(dir.path()) == std::vector<std::string>{"bug_db.sdn"});

      // And the next attempt without a fault succeeds.
      Status again = ReplaceFileAtomically(&env, path, fresh);
      REQUIRE_MESSAGE(again.ok(), again.ToString());
      CHECK(ReadWholeFile(path) == fresh);
      CHECK(ListFolder(dir.path()) == std::vector<std::string>{"bug_db.sdn"});
    }
  }
}

TEST_CASE("atomic: a failed fsync is never retried") {
  TempDir dir;
  const std::string path = dir.Join("db.sdn");
  REQUIRE(WriteWholeFile(path, "old\n"));
  FaultEnv env(PosixEnv());
  env.FailNth(FaultEnv::Op::kSync, 1, EIO);
  CHECK(!ReplaceFileAtomically(&env, path, "new\n").ok());
  CHECK(env.Calls(FaultEnv::Op::kSync) == 1);
  CHECK(env.Calls(FaultEnv::Op::kRename) == 0);
}

TEST_CASE("atomic: folder fsync failure when the file did not exist removes the new file") {
  TempDir dir;
  const std::string path = dir.Join("fresh.sdn");
  FaultEnv env(PosixEnv());
  env.FailNth(FaultEnv::Op::kSyncDir, 1, EIO);
  Status s = ReplaceFileAtomically(&env, path, "new\n");
  CHECK(!s.ok());
  CHECK(ListFolder(dir.path()).empty());
}

TEST_CASE("atomic: without hard links the replace still succeeds") {
  TempDir dir;
  const std::string path = dir.Join("db.sdn");
  REQUIRE(WriteWholeFile(path, "old\n"));
  FaultEnv env(PosixEnv());
  env.FailNth(FaultEnv::Op::kLink, 1, EPERM);
  Status s = ReplaceFileAtomically(&env, path, "new\n");
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(ReadWholeFile(path) == "new\n");
  CHECK(ListFolder(dir.path()) == std::vector<std::string>{"db.sdn"});
}

TEST_CASE("atomic: durable=false does no fsync at all") {
  TempDir dir;
  const std::string path = dir.Join("db.sdn");
  REQUIRE(WriteWholeFile(path, "old\n"));
  FaultEnv env(PosixEnv());
  AtomicWriteOptions o;
  o.durable = false;
  REQUIRE(ReplaceFileAtomically(&env, path, "new\n", o).ok());
  CHECK(env.Calls(FaultEnv::Op::kSync) == 0);
  CHECK(env.Calls(FaultEnv::Op::kSyncDir) == 0);
  CHECK(env.Calls(FaultEnv::Op::kLink) == 0);
  REQUIRE(ReplaceFileAtomically(&env, path, "newer\n").ok());
  CHECK(env.Calls(FaultEnv::Op::kSync) == 1);
  CHECK(env.Calls(FaultEnv::Op::kSyncDir) == 1);
}

TEST_CASE("atomic: every k-th call of every operation failing, once and persistently") {
  // SQLite-style countdown over all Env operations a replace makes.
  const std::string original = Content('o', 4096);
  const std::string fresh = Content('n', 5000);
  for (FaultEnv::Op op : FaultEnv::AllOps()) {
    for (bool persistent : {false, true}) {
      for (int k = 1; k <= 3; ++k) {
        CAPTURE(FaultEnv::OpName(op));
        CAPTURE(k);
        CAPTURE(persistent);
        TempDir dir;
        const std::string path = dir.Join("db.sdn");
        REQUIRE(WriteWholeFile(path, original));
        FaultEnv env(PosixEnv());
        env.FailNth(op, k, EIO, persistent);
        Status s = ReplaceFileAtomically(&env, path, fresh);
        const std::string now = ReadWholeFile(path);
        if (s.ok()) {
          CHECK(now == fresh);
        } else {
          CHECK(now == original);
        }
        if (env.Injected() == 0 || op != FaultEnv::Op::kRemove) {
          CHECK(TempFilesIn(dir.path(), "db.sdn") == 0);
        }
      }
    }
  }
}

TEST_CASE("atomic: IsOurTempFile and CleanupTempFiles touch only our temp names") {
  CHECK(IsOurTempFile("db.sdn", ".db.sdn.sdndb-tmp.123.00ab"));
  CHECK(IsOurTempFile("db.sdn", ".db.sdn.sdndb-tmp.123.00ab.old"));
  CHECK_FALSE(IsOurTempFile("db.sdn", ".db.sdn.sdndb-tmp."));
  CHECK_FALSE(IsOurTempFile("db.sdn", ".db.sdn.sdndb-tmp.123"));
  CHECK_FALSE(IsOurTempFile("db.sdn", ".db.sdn.sdndb-tmp.12x.ab"));
  CHECK_FALSE(IsOurTempFile("db.sdn", ".db.sdn.sdndb-tmp.123.notes"));
  CHECK_FALSE(IsOurTempFile("db.sdn", ".other.sdn.sdndb-tmp.123.ab"));
  CHECK_FALSE(IsOurTempFile("db.sdn", "db.sdn.tmp"));
  CHECK_FALSE(IsOurTempFile("db.sdn", "db.sdn"));

  TempDir dir;
  const std::string path = dir.Join("db.sdn");
  const char* ours[] = {".db.sdn.sdndb-tmp.1.ab", ".db.sdn.sdndb-tmp.4242.0123456789abcdef",
                        ".db.sdn.sdndb-tmp.4242.0123456789abcdef.old"};
  const char* theirs[] = {"db.sdn",         "db.sdn.tmp",  "db.sdn.lock", ".db.sdn.sdndb-tmp.1.notes",
                          ".x.sdn.sdndb-tmp.1.ab", "db.sdn.sdndb-lock", ".db.sdn.swp", "other.sdn"};
  for (const char* n : ours) REQUIRE(WriteWholeFile(dir.Join(n), "junk"));
  for (const char* n : theirs) REQUIRE(WriteWholeFile(dir.Join(n), "keep"));
  int removed = 0;
  Status s = CleanupTempFiles(PosixEnv(), path, &removed);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(removed == 3);
  for (const char* n : ours) CHECK_FALSE(FileExists(dir.Join(n)));
  for (const char* n : theirs) CHECK(ReadWholeFile(dir.Join(n)) == "keep");
}

TEST_CASE("atomic: timing of a 40 KB replace (informational)") {
  TempDir dir;
  const std::string path = dir.Join("db.sdn");
  const std::string a = Content('a', 40 * 1024), b = Content('b', 40 * 1024);
  REQUIRE(WriteWholeFile(path, a));
  for (bool durable : {true, false}) {
    AtomicWriteOptions o;
    o.durable = durable;
    const int n = 200;
    int64_t t0 = sdndb::testing::NowMicros();
    for (int i = 0; i < n; ++i) REQUIRE(ReplaceFileAtomically(PosixEnv(), path, i % 2 ? a : b, o).ok());
    double us = static_cast<double>(sdndb::testing::NowMicros() - t0) / n;
    MESSAGE("40 KB atomic replace, durable=" << durable << ": " << us << " us per replace");
  }
}
