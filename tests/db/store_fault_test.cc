// Fault injection through the Env: every failing step of a Store write leaves the database
// byte-identical, reports a clear I/O error, leaves no temp file, and the next write succeeds.
#include <doctest/doctest.h>

#include <cerrno>

#include "core/db/store.h"
#include "tests/db/db_test_util.h"
#include "tests/support/fault_env.h"

using namespace sdndb;
using sdndb::testing::FaultEnv;
using sdndb::testing::TempDir;

TEST_CASE("ENOSPC and EIO at every write step: original intact, clear error, no temp left") {
  const std::string original = "# tasks\ntasks |id, status|\n    T-1, open\n    T-2, open\n";
  for (FaultEnv::Op op : {FaultEnv::Op::kRead, FaultEnv::Op::kCreate, FaultEnv::Op::kWrite, FaultEnv::Op::kSync,
                          FaultEnv::Op::kClose, FaultEnv::Op::kRename, FaultEnv::Op::kSyncDir}) {
    for (int err : {ENOSPC, EIO}) {
      CAPTURE(FaultEnv::OpName(op));
      CAPTURE(err);
      TempDir dir;
      std::string path = dir.Write("task_db.sdn", original);
      FaultEnv env(PosixEnv());
      StoreOptions o;
      o.env = &env;
      auto store = Store::Open(path, o);
      REQUIRE(store.ok());
      env.FailNth(op, 1, err);
      EditRequest req;
      req.id = "T-1";
      req.changes = {{"status", "done"}};
      auto r = store.value()->Edit(req);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kIOError);
      CHECK(r.status().message().find("task_db.sdn") != std::string::npos);
      CHECK(env.Injected() == 1);
      CHECK(dir.Read("task_db.sdn") == original);
      CHECK(dir.CountFiles() == 2);  // database + lock file: no temp, no legacy lock left behind
      // Nothing is retried as if it had worked; the next transaction re-reads and succeeds.
      auto again = store.value()->Edit(req);
      REQUIRE_MESSAGE(again.ok(), again.status().message());
      CHECK(again->record.version == 1);
      CHECK(store.value()->Read()->Find("T-1")->Get("status")->compare("done") == 0);
    }
  }
}
