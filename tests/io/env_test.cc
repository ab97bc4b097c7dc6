// PosixEnv's reads: ReadFileWithInfo gives the bytes and the state of the very file they came
// from; the base-class default (for wrappers) keeps the same contract; faults reach it.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "core/io/env.h"
#include "tests/support/fault_env.h"
#include "tests/support/io_test_util.h"

using namespace sdndb;
using sdndb::testing::FaultEnv;
using sdndb::testing::TempDir;

TEST_CASE("env: ReadFileWithInfo returns the bytes and the file's stat") {
  TempDir dir;
  const std::string path = dir.Write("todo_db.sdn", "todos |id|\n    1\n");
  std::string bytes;
  FileInfo info;
  REQUIRE(PosixEnv()->ReadFileWithInfo(path, &bytes, &info).ok());
  CHECK(bytes == "todos |id|\n    1\n");
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(info.exists);
  CHECK_FALSE(info.is_dir);
  CHECK(info.size == bytes.size());
  CHECK(info.inode == static_cast<uint64_t>(st.st_ino));
  CHECK(info.device == static_cast<uint64_t>(st.st_dev));
  CHECK(info.mtime_ns == static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
  CHECK(info.ctime_ns == static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec);
  FileInfo by_stat;
  REQUIRE(PosixEnv()->Stat(path, &by_stat).ok());
  CHECK(by_stat.ctime_ns == info.ctime_ns);

  // A file renamed over the path is a different file: another inode.
  const std::string other = dir.Write("other.sdn", "todos |id|\n");
  REQUIRE(::rename(other.c_str(), path.c_str()) == 0);
  FileInfo after;
  REQUIRE(PosixEnv()->ReadFileWithInfo(path, &bytes, &after).ok());
  CHECK(bytes == "todos |id|\n");
  CHECK(after.inode != info.inode);
}

TEST_CASE("env: ReadFileWithInfo of a missing file is NotFound, of a folder an error") {
  TempDir dir;
  std::string bytes = "stale";
  FileInfo info;
  Status s = PosixEnv()->ReadFileWithInfo(dir.Join("missing_db.sdn"), &bytes, &info);
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message().find("missing_db.sdn") != std::string::npos);
  CHECK(bytes.empty());
  CHECK_FALSE(PosixEnv()->ReadFileWithInfo(dir.path(), &bytes, &info).ok());
}

TEST_CASE("env: the default ReadFileWithInfo (Stat then ReadFile) keeps the contract") {
  TempDir dir;
  const std::string path = dir.Write("a.sdn", "x: 1\n");
  std::string bytes;
  FileInfo info;
  REQUIRE(PosixEnv()->Env::ReadFileWithInfo(path, &bytes, &info).ok());
  CHECK(bytes == "x: 1\n");
  CHECK(info.exists);
  CHECK(info.size == 5);
  CHECK(PosixEnv()->Env::ReadFileWithInfo(dir.Join("none"), &bytes, &info).code() == StatusCode::kNotFound);
}

TEST_CASE("env: faults injected into reads reach ReadFileWithInfo") {
  TempDir dir;
  const std::string path = dir.Write("a.sdn", "x: 1\n");
  FaultEnv env(PosixEnv());
  env.FailNth(FaultEnv::Op::kRead, 1, EIO);
  std::string bytes;
  FileInfo info;
  Status s = env.ReadFileWithInfo(path, &bytes, &info);
  CHECK(s.code() == StatusCode::kIOError);
  CHECK(env.Injected() == 1);
  REQUIRE(env.ReadFileWithInfo(path, &bytes, &info).ok());
  CHECK(bytes == "x: 1\n");
}
