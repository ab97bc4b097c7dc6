// Fault injection through the Env: every failing step of a Store write leaves the database
// byte-identical, reports a clear I/O error, leaves no temp file, and the next write succeeds.
#include <doctest/doctest.h>

#include <cerrno>

#include "core/db/store.h"
#include "tests/support/io_test_util.h"
#include "tests/support/fault_env.h"

using namespace sdndb;
using sdndb::testing::FaultEnv;
using sdndb::testing::TempDir;

TEST_CASE("ENOSPC and EIO at every write step: original intact, clear error, no temp left") {
  const std::string original = "# tasks\ntasks |id, status|\n    T-1, open\n    T-2, open\n";
  int injected_failures = 0;
  for (FaultEnv::Op op : FaultEnv::AllOps()) {
    for (int err : {ENOSPC, EIO}) {
      const std::string op_name = FaultEnv::OpName(op);
      CAPTURE(op_name);
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
      if (env.Injected() == 0) continue;  // this operation is not on the write path
      if (r.ok()) {
        // Only best-effort steps may fail without failing the write: temp clean-up (list, remove),
        // the rollback link, and resolving a symlink (the path itself is used then).
        CHECK((op == FaultEnv::Op::kListDir || op == FaultEnv::Op::kRemove || op == FaultEnv::Op::kLink ||
               op == FaultEnv::Op::kResolve));
        CHECK(dir.Read("task_db.sdn").find("T-1, done") != std::string::npos);
        continue;
      }
      ++injected_failures;
      CHECK(r.status().code() == StatusCode::kIOError);
      CHECK(r.status().message().find("task_db.sdn") != std::string::npos);
      CHECK(dir.Read("task_db.sdn") == original);
      CHECK(dir.CountFiles() == 2);  // database + lock file: no temp, no legacy lock left behind
      // Nothing is retried as if it had worked; the next transaction re-reads and succeeds.
      auto again = store.value()->Edit(req);
      REQUIRE_MESSAGE(again.ok(), again.status().message());
      CHECK(again->outcome == EditOutcome::kApplied);
      CHECK(again->record.version == 0);  // a table without version columns gains none
      CHECK(store.value()->Read()->Find("T-1")->Get("status")->compare("done") == 0);
    }
  }
  CHECK(injected_failures >= 14);  // read, resolve, stat, create, write, sync, close, rename, dir sync... x2 errnos
}
