#include "server/cli/cli.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>

#include "core/io/file_lock.h"
#include "core/sdn/json.h"
#include "server/cli/context.h"
#include "server/serve/serve.h"

namespace sdndb::cli {

namespace {

struct Command {
  const char* name;
  int (*run)(Context&, const std::vector<std::string>&);
  const char* usage;
  const char* help;
};

const Command kCommands[] = {
    {"list", CmdList, "list DB [--where FIELD=VALUE]... [--sort FIELD] [--wide] [--json [--typed]]",
     "List the records of database DB (aligned table, or a JSON array with --json; each record has an\n"
     "etag). DB is NAME (its records table) or NAME.TABLE (any table of the file, see sdndb tables).\n"
     "Cells are cut to 60 columns (\"…\"; newlines shown as \"⏎\"), and on a terminal the widest columns\n"
     "shrink to fit it; --wide prints every cell whole. --json gives field values as strings, exactly as\n"
     "stored (as the JSON-RPC protocol does); --typed turns numbers and true/false into JSON numbers and\n"
     "booleans. Bytes that are not valid UTF-8 appear as U+10FF00+byte (docs/sdn.md, \"Bytes are bytes\")."},
    {"show", CmdShow, "show DB ID [--json [--typed]]",
     "Show every field of one record, with its etag (and version and modified time where the table has\n"
     "them); lines after the first of a multi-line value are indented to the value column. ID is the\n"
     "record's key, or @N (its 1-based position) for rows without a unique key. --json/--typed as for list."},
    {"add", CmdAdd, "add DB FIELD=VALUE... [--json]",
     "Add a record. The id is generated (following the table's id style, never reusing a deleted id)\n"
     "unless id=... is given; tables whose keys are not unique (logs) get no generated key."},
    {"edit", CmdEdit, "edit DB ID FIELD=VALUE... [--expect ETAG | --expect-version N] [--strategy S] [--json]",
     "Change fields of a record atomically. With --expect ETAG (the etag of list/show) or, in a table\n"
     "with version columns, --expect-version N, an edit made on a record that changed since is merged\n"
     "field by field; fields changed on both sides follow the strategy (error, last-write-wins,\n"
     "last-modified-wins, merge = record a conflict). Edits of @N need --expect ETAG."},
    {"delete", CmdDelete, "delete DB ID [--expect ETAG | --expect-version N] [--strategy S]",
     "Delete a record (@N needs --expect ETAG)."},
    {"tables", CmdTables, "tables [NAME] [--json]",
     "List the tables of each database file (or of NAME): columns, key column, rows, version columns,\n"
     "problems (duplicated keys). Address a table as NAME.TABLE."},
    {"migrate", CmdMigrate, "migrate --versions DB[.TABLE]",
     "Add sdndb's version and modified columns to a table (every row's line changes once), so edits\n"
     "count versions and last-modified-wins can compare times. sdndb never adds them by itself."},
    {"conflicts", CmdConflicts, "conflicts [DB] [--json]", "List unresolved conflicts (ids like todo:c1)."},
    {"resolve", CmdResolve, "resolve CONFLICT_ID (--ours | --theirs | --value V)",
     "Resolve a conflict: keep our value, keep the stored value, or set a new value."},
    {"check", CmdCheck, "check [FILE...] [--strict]",
     "Parse SDN files (default: every database) and print every diagnostic to stdout, one per line:\n"
     "file:line:col: error: message, or ...: warning: message (keys shared by several rows are warnings,\n"
     "with every line; --strict makes warnings errors).\n"
     "Exit 0 when all files are fine, 1 when one has errors, 4 when one cannot be read."},
    {"fmt", CmdFmt, "fmt FILE", "Print the re-serialized document (identical bytes for a valid file)."},
    {"to-json", CmdToJson, "to-json FILE", "Print the document as JSON (tables as arrays of objects). Bytes that are not valid UTF-8\n"
     "appear as U+10FF00+byte, a genuine U+10FF80..U+10FFFF as four of those (docs/sdn.md)."},
    {"init", CmdInit, "init [DIR]",
     "Create example todo, feature and task databases (with version columns) in DIR (default: .);\n"
     "inside a git work tree, keep sdndb's lock files out of git status (.git/info/exclude)."},
    {"merge-driver", CmdMergeDriver, "merge-driver BASE OURS THEIRS [PATH]",
     "git merge driver: three-way merge of a database at record and field level (writes OURS);\n"
     "where that could be wrong (unparsable version, repeated keys, ids that changed meaning...),\n"
     "git's line merge (git merge-file) of the file, its exit code, and the reason on stderr."},
    {"git-setup", CmdGitSetup, "git-setup [--check] [--use-path]",
     "Register the sdndb merge driver for *_db.sdn in this repository (.gitattributes and git config)\n"
     "and keep sdndb's lock files out of git status (.git/info/exclude). --check only reports, and\n"
     "runs the registered driver on a small merge; --use-path records `sdndb` (found on PATH)."},
};

void PrintHelp() {
  std::printf(
      "sdndb %s — safe, concurrent editing of SDN record databases\n\n"
      "Usage: sdndb [--dir DIR] [--json] [--timeout SECONDS] [--no-fsync] COMMAND [ARGS]\n\n"
      "Commands:\n",
      SDNDB_VERSION);
  for (const auto& c : kCommands) std::printf("  %s\n", c.usage);
  std::printf(
      "  serve [--dir DIR] [--log FILE]     JSON-RPC 2.0 server over stdio (see docs/protocol.md)\n\n"
      "Databases are the *_db.sdn files of --dir DIR, else of the nearest folder upward holding\n"
      "*_db.sdn files or an .sdndb config; a database is named by its file stem without _db.\n"
      "Exit codes: 0 ok, 1 usage/validation error, 2 conflict, 3 lock timeout, 4 I/O error.\n"
      "Run `sdndb COMMAND --help` for one command.\n");
}

int TerminalWidth() {
  if (const char* c = std::getenv("COLUMNS")) {
    int w = std::atoi(c);
    if (w > 0) return w;
  }
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Context ctx;
  ctx.color = isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
  ctx.terminal_width = TerminalWidth();

  // Global options come before the command; --dir/--json/--timeout are also accepted after it.
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {  // everything after it belongs to the command, verbatim
      rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    auto value_of = [&](const char* name, std::string* out) -> int {
      std::string prefix = std::string("--") + name;
      if (a == prefix) {
        if (i + 1 >= args.size()) return -1;
        *out = args[++i];
        return 1;
      }
      if (a.compare(0, prefix.size() + 1, prefix + "=") == 0) {
        *out = a.substr(prefix.size() + 1);
        return 1;
      }
      return 0;
    };
    std::string v;
    int r;
    if ((r = value_of("dir", &v)) != 0) {
      if (r < 0) return ctx.Usage("option --dir needs a value");
      ctx.dir = v;
    } else if ((r = value_of("timeout", &v)) != 0) {
      char* end = nullptr;
      ctx.timeout_s = r > 0 ? std::strtod(v.c_str(), &end) : -1;
      if (r < 0 || !end || *end || ctx.timeout_s < 0) return ctx.Usage("option --timeout needs a number of seconds");
    } else if (a == "--json") {
      ctx.json = true;
    } else if (a == "--no-fsync") {
      ctx.no_fsync = true;
    } else if (a == "--version" && rest.empty()) {
      std::printf("sdndb %s\n", SDNDB_VERSION);
      return kExitOk;
    } else if ((a == "--help" || a == "-h") && rest.empty()) {
      PrintHelp();
      return kExitOk;
    } else {
      rest.push_back(a);
    }
  }
  if (rest.empty()) {
    PrintHelp();
    return kExitUsage;
  }
  ctx.command = rest[0];
  std::vector<std::string> cmd_args(rest.begin() + 1, rest.end());
  if (ctx.command == "serve") {
    std::vector<std::string> serve_args = cmd_args;
    if (ctx.dir) serve_args.insert(serve_args.begin(), {"--dir", *ctx.dir});
    std::vector<char*> ptrs;
    for (auto& s : serve_args) ptrs.push_back(s.data());
    ptrs.push_back(nullptr);
    return serve::Main(static_cast<int>(serve_args.size()), ptrs.data());
  }
  if (ctx.command == "help") {
    if (cmd_args.empty()) {
      PrintHelp();
      return kExitOk;
    }
    ctx.command = cmd_args[0];
    cmd_args = {"--help"};
  }
  for (const auto& c : kCommands) {
    if (ctx.command != c.name) continue;
    for (const auto& a : cmd_args) {
      if (a == "--help" || a == "-h") {
        std::printf("Usage: sdndb %s\n\n%s\n", c.usage, c.help);
        return kExitOk;
      }
    }
    return c.run(ctx, cmd_args);
  }
  return ctx.Usage("unknown command '" + ctx.command + "' (see sdndb --help)");
}

// ---- Context ----

int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kConflict: return kExitConflict;
    case StatusCode::kLockTimeout:
    case StatusCode::kBusy:
    case StatusCode::kCancelled: return kExitLockTimeout;
    case StatusCode::kIOError:
    case StatusCode::kCorruption: return kExitIO;
    default: return kExitUsage;
  }
}

// A path the user can open from the current folder: relative when the file is below it, else
// absolute (database paths are absolute).
static std::string DisplayPath(const std::string& path) {
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd) || std::string(cwd) == "/") return path;
  const std::string here = std::string(cwd) + "/";
  return path.rfind(here, 0) == 0 && path.size() > here.size() ? path.substr(here.size()) : path;
}

// The engine names a database file by its base name ("bug_db.sdn:5:5: ..."); on the command line
// the error names a path the user can open ("docs/example/bug_db.sdn:5:5: ...").
std::string Context::WithOpenablePath(const std::string& message) const {
  for (const std::string& path : opened_paths) {
    const std::string base = BaseName(path) + ":";
    if (message.rfind(base, 0) == 0) return DisplayPath(path) + message.substr(base.size() - 1);
  }
  return message;
}

int Context::Fail(const Status& st_in) const {
  const Status st(st_in.code(), WithOpenablePath(st_in.message()));
  if (json) {
    nlohmann::ordered_json j;
    j["error"] = {{"kind", StatusCodeName(st.code())}, {"message", st.message()}, {"exit", ExitCodeFor(st)}};
    std::fprintf(stderr, "%s\n", sdn::DumpJson(j).c_str());
  } else {
    std::fprintf(stderr, "sdndb %s: %s\n", command.c_str(), st.message().c_str());
  }
  return ExitCodeFor(st);
}

void Context::ReportProblems(const std::vector<sdn::Problem>& problems, size_t total) const {
  for (const auto& p : problems) {
    const std::string first_line = p.report.substr(0, p.report.find('\n'));
    if (json) {
      nlohmann::ordered_json j;
      j["problem"] = {{"table", p.table}, {"line", p.line}, {"column", p.column}, {"message", p.message},
                      {"report", first_line}};
      std::fprintf(stderr, "%s\n", sdn::DumpJson(j).c_str());
    } else {
      // The report starts "file:line:col: message"; say it is an error and that the row stays.
      const size_t colon = first_line.find(": ");
      std::fprintf(stderr, "%s: error: %s (kept as it is, not read)\n", first_line.substr(0, colon).c_str(),
                   p.message.c_str());
    }
  }
  if (total > problems.size()) std::fprintf(stderr, "... and %zu more problems\n", total - problems.size());
}

int Context::Usage(const std::string& message) const { return Fail(Status::InvalidArgument(message)); }

int Context::UsageError() const {
  for (const auto& c : kCommands)
    if (command == c.name) return Usage(std::string("usage: sdndb ") + c.usage);
  return Usage("see sdndb --help");
}

Result<Catalog> Context::LoadCatalog() const {
  std::string root;
  if (dir) {
    // A --dir that does not exist is an I/O error (exit 4), like a file that does not.
    FileInfo info;
    if (PosixEnv()->Stat(*dir, &info).ok() && !info.exists) return Status::IOError("folder not found: " + *dir);
    root = *dir;
  } else {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) return Status::FromErrno("getcwd", errno);
    auto found = Catalog::Discover(cwd);
    if (!found.ok()) return found.status();
    root = found.value();
  }
  return Catalog::Load(root);
}

Result<DatabaseEntry> ResolveDatabase(const std::string& db_name, const Catalog& catalog) {
  auto resolved = catalog.Resolve(db_name);  // NAME, NAME.TABLE or a path
  if (resolved.ok() || resolved.status().code() != StatusCode::kNotFound) return resolved;
  std::string names;
  for (const auto& d : catalog.databases()) names += (names.empty() ? "" : ", ") + d.name;
  return Status::NotFound("unknown database '" + db_name + "' in " + catalog.root() +
                          (names.empty() ? " (no databases)" : " (databases: " + names + ")"));
}

Result<std::unique_ptr<Store>> Context::OpenStore(const std::string& db_name, const Catalog& catalog) const {
  auto resolved = ResolveDatabase(db_name, catalog);
  if (!resolved.ok()) return resolved.status();
  const DatabaseEntry* e = &resolved.value();
  StoreOptions o;
  catalog.Confine(&o);
  o.strategy = e->strategy;
  o.table = e->table;
  o.write.durable = !no_fsync;
  o.lock.timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  o.lock.program = "sdndb " + command;
  std::string file = BaseName(e->path);
  auto announced = std::make_shared<bool>(false);
  o.lock.on_wait = [file, announced](std::chrono::milliseconds waited, const std::string& holder) {
    if (*announced || waited.count() < 500) return;
    *announced = true;
    std::fprintf(stderr, "waiting for lock on %s held by %s\n", file.c_str(), holder.empty() ? "another process" : holder.c_str());
  };
  opened_paths.push_back(e->path);
  return Store::Open(e->path, std::move(o));
}

std::string Context::Bold(const std::string& s) const { return color ? "\033[1m" + s + "\033[0m" : s; }
std::string Context::Colored(const std::string& s, int ansi) const {
  return color ? "\033[" + std::to_string(ansi) + "m" + s + "\033[0m" : s;
}

std::string SelfExePath() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("sdndb");
}

void PrintJson(const nlohmann::ordered_json& j) {
  std::string s = sdn::DumpJson(j, 2);  // bytes outside UTF-8 as the reversible byte escape
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

}  // namespace sdndb::cli
