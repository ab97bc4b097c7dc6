// What every CLI command shares: global options, output helpers, the catalog, and the single
// place that maps a core Status to an exit code and an error message.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/db/catalog.h"
#include "core/db/record_json.h"
#include "core/db/store.h"
#include "core/status.h"
#include "server/cli/args.h"

namespace sdndb::cli {

enum ExitCode { kExitOk = 0, kExitUsage = 1, kExitConflict = 2, kExitLockTimeout = 3, kExitIO = 4 };

struct Context {
  std::string command;        // e.g. "edit"
  std::optional<std::string> dir;
  bool json = false;
  bool color = false;         // stdout is a terminal and NO_COLOR is unset
  bool no_fsync = false;
  double timeout_s = 10;
  int terminal_width = 0;     // 0 = do not truncate
  mutable std::vector<std::string> opened_paths;  // database files opened (OpenStore), for error paths

  int Fail(const Status& st) const;             // prints the error, returns its exit code
  // `message` with a leading database base name ("x_db.sdn:3:4: ...") replaced by a path the
  // user can open (relative to the current folder, else absolute).
  std::string WithOpenablePath(const std::string& message) const;
  int Usage(const std::string& message) const;  // usage error (exit 1)
  int UsageError() const;                       // "usage: sdndb <this command's usage line>" (exit 1)
  Result<Catalog> LoadCatalog() const;
  Result<std::unique_ptr<Store>> OpenStore(const std::string& db_name, const Catalog& catalog) const;
  // Prints the malformed rows/blocks of a file that was otherwise read, one
  // "file:line:col: error: message" line each, on stderr (a JSON line each with --json).
  void ReportProblems(const std::vector<sdn::Problem>& problems, size_t total) const;
  std::string Bold(const std::string& s) const;
  std::string Colored(const std::string& s, int ansi) const;
};

int ExitCodeFor(const Status& st);
// A `database` argument (NAME, NAME.TABLE or a path) as a catalog entry; an unknown one is NotFound
// naming the folder and its databases.
Result<DatabaseEntry> ResolveDatabase(const std::string& db_name, const Catalog& catalog);
void PrintJson(const nlohmann::ordered_json& j);
// The path of the running sdndb binary ("sdndb" if it cannot be read).
std::string SelfExePath();

// Command entry points: args are what follows the command name.
int CmdList(Context& ctx, const std::vector<std::string>& args);
int CmdShow(Context& ctx, const std::vector<std::string>& args);
int CmdAdd(Context& ctx, const std::vector<std::string>& args);
int CmdEdit(Context& ctx, const std::vector<std::string>& args);
int CmdDelete(Context& ctx, const std::vector<std::string>& args);
int CmdConflicts(Context& ctx, const std::vector<std::string>& args);
int CmdResolve(Context& ctx, const std::vector<std::string>& args);
int CmdCheck(Context& ctx, const std::vector<std::string>& args);
int CmdFmt(Context& ctx, const std::vector<std::string>& args);
int CmdToJson(Context& ctx, const std::vector<std::string>& args);
int CmdInit(Context& ctx, const std::vector<std::string>& args);
int CmdTables(Context& ctx, const std::vector<std::string>& args);
int CmdMigrate(Context& ctx, const std::vector<std::string>& args);
// server/git/: `sdndb merge-driver %O %A %B %P`, `sdndb git-setup [--check]`
int CmdMergeDriver(Context& ctx, const std::vector<std::string>& args);
int CmdGitSetup(Context& ctx, const std::vector<std::string>& args);

}  // namespace sdndb::cli
