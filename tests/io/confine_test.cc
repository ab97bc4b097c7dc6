// ConfinedEnv and FileLock's root: files and folders swapped for symlinks that lead outside the
// root are refused (OutsideRoot) by every operation, nothing outside is read, created, replaced
// or removed; symlinks that stay inside keep working.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <limits.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "core/io/atomic_file.h"
#include "core/io/confine.h"
#include "core/io/confined_env.h"
#include "core/io/file_lock.h"
#include "tests/support/io_test_util.h"

using namespace sdndb;
using sdndb::testing::FileExists;
using sdndb::testing::ListFolder;
using sdndb::testing::ReadWholeFile;
using sdndb::testing::TempDir;
using sdndb::testing::WriteWholeFile;

namespace {

std::string Real(const std::string& p) {
  char buf[PATH_MAX];
  REQUIRE(realpath(p.c_str(), buf) != nullptr);
  return buf;
}

// root/ with a real file, a link inside, a link to a file outside, a link to a folder outside.
struct Fixture {
  TempDir root_dir, outside_dir;
  std::string root = Real(root_dir.path());
  std::string outside = Real(outside_dir.path());
  std::unique_ptr<Env> env;
  Fixture() {
    REQUIRE(WriteWholeFile(root + "/in_db.sdn", "inside\n"));
    REQUIRE(::mkdir((root + "/sub").c_str(), 0755) == 0);
    REQUIRE(WriteWholeFile(root + "/sub/deep_db.sdn", "deep\n"));
    REQUIRE(::symlink("sub/deep_db.sdn", (root + "/alias_db.sdn").c_str()) == 0);
    REQUIRE(WriteWholeFile(outside + "/out_db.sdn", "outside\n"));
    REQUIRE(::symlink((outside + "/out_db.sdn").c_str(), (root + "/evil_db.sdn").c_str()) == 0);
    REQUIRE(::symlink(outside.c_str(), (root + "/evildir").c_str()) == 0);
    auto e = NewConfinedEnv(root);
    REQUIRE(e.ok());
    env = std::move(e.value());
  }
  void CheckOutsideUntouched() {
    CHECK(ReadWholeFile(outside + "/out_db.sdn") == "outside\n");
    CHECK(ListFolder(outside) == std::vector<std::string>{"out_db.sdn"});
  }
};

bool Outside(const Status& s) { return s.code() == StatusCode::kOutsideRoot; }

}  // namespace

TEST_CASE("confine: PathInsideRoot") {
  CHECK(PathInsideRoot("/a/b", "/a/b/c", false));
  CHECK_FALSE(PathInsideRoot("/a/b", "/a/bc", false));
  CHECK_FALSE(PathInsideRoot("/a/b", "/a/b", false));
  CHECK(PathInsideRoot("/a/b", "/a/b", true));
  CHECK_FALSE(PathInsideRoot("/a/b", "/a", true));
  CHECK(PathInsideRoot("/", "/x", false));
}

TEST_CASE("confine: reads and stats inside work, through inside symlinks too") {
  Fixture f;
  std::string text;
  REQUIRE(f.env->ReadFile(f.root + "/in_db.sdn", &text).ok());
  CHECK(text == "inside\n");
  REQUIRE(f.env->ReadFile(f.root + "/alias_db.sdn", &text).ok());
  CHECK(text == "deep\n");
  FileInfo info;
  REQUIRE(f.env->Stat(f.root + "/sub/deep_db.sdn", &info).ok());
  CHECK(info.exists);
  REQUIRE(f.env->Stat(f.root + "/missing_db.sdn", &info).ok());
  CHECK_FALSE(info.exists);
  CHECK(f.env->ReadFile(f.root + "/missing_db.sdn", &text).code() == StatusCode::kNotFound);
  std::vector<std::string> names;
  REQUIRE(f.env->ListDir(f.root + "/sub", &names).ok());
  CHECK(names == std::vector<std::string>{"deep_db.sdn"});
  // An atomic replace through the confined env, and through an inside symlink (kept).
  REQUIRE(ReplaceFileAtomically(f.env.get(), f.root + "/alias_db.sdn", "deep 2\n").ok());
  CHECK(ReadWholeFile(f.root + "/sub/deep_db.sdn") == "deep 2\n");
  struct stat st;
  REQUIRE(::lstat((f.root + "/alias_db.sdn").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
}

TEST_CASE("confine: every operation through a symlink to outside is refused, nothing outside changes") {
  Fixture f;
  const std::string file = f.root + "/evil_db.sdn";          // a file link
  const std::string in_dir = f.root + "/evildir/out_db.sdn";  // through a folder link
  for (const std::string& path : {file, in_dir}) {
    CAPTURE(path);
    std::string text;
    Status s = f.env->ReadFile(path, &text);
    CHECK(Outside(s));
    CHECK(s.message().find(path) != std::string::npos);
    CHECK(text.empty());
    FileInfo info;
    CHECK(Outside(f.env->Stat(path, &info)));
    CHECK(Outside(f.env->Chmod(path, 0600)));
    CHECK(Outside(ReplaceFileAtomically(f.env.get(), path, "pwned\n")));
  }
  std::unique_ptr<WritableFile> w;
  CHECK(Outside(f.env->NewExclusiveFile(f.root + "/evildir/new_db.sdn", 0644, &w)));
  CHECK(Outside(f.env->Remove(f.root + "/evildir/out_db.sdn")));
  CHECK(Outside(f.env->Rename(f.root + "/in_db.sdn", f.root + "/evildir/moved_db.sdn")));
  CHECK(Outside(f.env->Link(f.root + "/in_db.sdn", f.root + "/evildir/linked_db.sdn")));
  std::vector<std::string> names;
  CHECK(Outside(f.env->ListDir(f.root + "/evildir", &names)));
  CHECK(Outside(f.env->SyncDir(f.root + "/evildir")));
  std::string text;
  CHECK(Outside(f.env->ReadFile(f.root + "/../" + BaseName(f.outside) + "/out_db.sdn", &text)));
  // Removing or renaming the link itself stays inside: allowed.
  CHECK(f.env->Remove(file).ok());
  CHECK_FALSE(FileExists(file));
  f.CheckOutsideUntouched();
  CHECK(ReadWholeFile(f.root + "/in_db.sdn") == "inside\n");
}

TEST_CASE("confine: FileLock with a root creates no lock file outside") {
  Fixture f;
  LockOptions o;
  o.timeout = std::chrono::milliseconds(0);
  o.root = f.root;
  auto bad = FileLock::Acquire(f.root + "/evildir/out_db.sdn", o);
  REQUIRE_FALSE(bad.ok());
  CHECK(Outside(bad.status()));
  f.CheckOutsideUntouched();
  {
    auto good = FileLock::Acquire(f.root + "/sub/deep_db.sdn", o);
    REQUIRE_MESSAGE(good.ok(), good.status().ToString());
    CHECK(FileExists(f.root + "/sub/deep_db.sdn.sdndb-lock"));
    CHECK(FileExists(f.root + "/sub/deep_db.sdn.lock"));
    // The folder is swapped for a link to outside while the lock is held: release stays inside.
    REQUIRE(::rename((f.root + "/sub").c_str(), (f.root + "/sub.real").c_str()) == 0);
    REQUIRE(::symlink(f.outside.c_str(), (f.root + "/sub").c_str()) == 0);
  }
  CHECK_FALSE(FileExists(f.root + "/sub.real/deep_db.sdn.lock"));  // removed on release
  f.CheckOutsideUntouched();
}
