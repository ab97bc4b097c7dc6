// `sdndb merge-driver %O %A %B %P` and `sdndb git-setup [--check] [--use-path]`.
//
// merge-driver: reads base (%O), ours (%A) and theirs (%B), merges them record by record
// (server/git/merge_driver.h) and replaces %A atomically with the result. Exit 0 when clean,
// 1 when conflicts were recorded (rows of the `conflicts` table), so git marks the path as
// conflicted. Where the record-level merge declines (a version that does not parse, repeated
// keys, ids that changed meaning, ...), %A gets `git merge-file`'s result and the exit code is
// its conflict count, after a note on stderr saying why.
//
// git-setup: adds `*_db.sdn merge=sdndb` to the repository's top-level .gitattributes, sets
// merge.sdndb.name / merge.sdndb.driver in the repository's local git config and adds sdndb's
// lock and temp files to .git/info/exclude; idempotent. The driver command records the absolute
// path of the running binary (/proc/self/exe), so merges work from GUIs, hooks and shells whose
// PATH lacks sdndb; --use-path records plain `sdndb` instead (for repositories shared across
// machines with different install paths). --check changes nothing: exit 0 when everything is in
// place and the registered command, run as git runs it, merges a small example; else 1 with
// what is missing. git is run with posix_spawnp and an argv (no shell).
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <sstream>

#include "core/db/store.h"
#include "core/io/atomic_file.h"
#include "core/io/env.h"
#include "core/db/db_file.h"
#include "core/sdn/document.h"
#include "server/cli/context.h"
#include "server/git/git_process.h"
#include "server/git/merge_driver.h"

namespace sdndb::cli {

namespace {

constexpr const char* kAttributesLine = "*_db.sdn merge=sdndb";
constexpr const char* kDriverName = "sdndb record merge";

// Runs `git [-C dir] args...` and captures its output. Blocking.
Result<git::ProcessRun> RunGit(const std::optional<std::string>& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git"};
  if (dir) argv.insert(argv.end(), {"-C", *dir});
  argv.insert(argv.end(), args.begin(), args.end());
  return git::RunProgram(argv);
}

std::string TrimLine(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t')) ++b;
  return s.substr(b);
}

// The first shell word of `command`, unquoted (enough for what git-setup writes).
std::string FirstWord(const std::string& command) {
  std::string word;
  size_t i = 0;
  while (i < command.size() && command[i] == ' ') ++i;
  for (; i < command.size() && command[i] != ' '; ++i) {
    if (command[i] == '\'') {
      size_t close = command.find('\'', i + 1);
      if (close == std::string::npos) close = command.size();
      word.append(command, i + 1, close - i - 1);
      i = close;
    } else if (command[i] == '\\' && i + 1 < command.size()) {
      word += command[++i];
    } else {
      word += command[i];
    }
  }
  return word;
}

std::string DriverCommand(bool use_path) {
  return (use_path ? std::string("sdndb") : git::ShellQuote(SelfExePath())) + " merge-driver %O %A %B %P";
}

bool HasAttributesLine(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(TrimLine(line));
    std::string pattern, word;
    if (!(words >> pattern) || pattern != "*_db.sdn") continue;
    while (words >> word)
      if (word == "merge=sdndb") return true;
  }
  return false;
}

// Runs the registered driver command as git would (through the shell, %O %A %B %P replaced)
// on a small merge of two different records; "" when it merged them, else what went wrong.
std::string TryDriver(const std::string& command) {
  git::ScratchDir dir;
  if (!dir.ok()) return "cannot create a temp folder to try it";
  const std::string header = "todos |id, title|\n";
  const std::string merged = header + "    1, ours\n    2, theirs\n";
  if (!dir.Write("base", header + "    1, one\n    2, two\n") || !dir.Write("ours", header + "    1, ours\n    2, two\n") ||
      !dir.Write("theirs", header + "    1, one\n    2, theirs\n"))
    return "cannot write the trial merge's files";
  std::string cmd;
  for (size_t i = 0; i < command.size(); ++i) {
    if (command[i] != '%' || i + 1 == command.size()) {
      cmd += command[i];
      continue;
    }
    char f = command[++i];
    if (f == 'O') cmd += git::ShellQuote(dir.path() + "/base");
    else if (f == 'A') cmd += git::ShellQuote(dir.path() + "/ours");
    else if (f == 'B') cmd += git::ShellQuote(dir.path() + "/theirs");
    else if (f == 'P') cmd += "todo_db.sdn";
    else if (f == 'L') cmd += "7";
    else if (f == '%') cmd += '%';
    else (cmd += '%') += f;
  }
  auto run = git::RunProgram({"/bin/sh", "-c", cmd});
  if (!run.ok()) return run.status().message();
  std::string text;
  PosixEnv()->ReadFile(dir.path() + "/ours", &text);
  if (run->exit_code != 0 || text != merged)
    return "trying it on a small merge failed (`" + command + "` exit " + std::to_string(run->exit_code) +
           (run->err.empty() ? std::string() : ": " + TrimLine(run->err)) + ")";
  return "";
}

// `.sdndb` `identity:` of the database's folder in the work tree (git runs the driver at the
// top of the work tree; %P is relative to it):
//   identity:
//       todos: [file, description]
// Absent, unreadable or malformed: none (the default rule applies).
std::map<std::string, std::vector<std::string>> IdentityColumns(const std::string& db_path) {
  std::map<std::string, std::vector<std::string>> out;
  size_t slash = db_path.rfind('/');
  std::string config = (slash == std::string::npos ? std::string(".") : db_path.substr(0, slash)) + "/.sdndb";
  std::string text;
  if (!PosixEnv()->ReadFile(config, &text).ok()) return out;
  auto doc = sdn::Document::Parse(std::move(text), {config});
  if (!doc.ok()) return out;
  sdn::Value v = doc.value()->ToValue();
  for (const auto& [key, value] : v.entries) {
    if (key != "identity" || value.kind != sdn::Value::Kind::kDict) continue;
    for (const auto& [table, cols] : value.entries) {
      std::vector<std::string> names;
      if (cols.kind == sdn::Value::Kind::kString) names.push_back(cols.s);
      for (const auto& item : cols.items)
        if (item.kind == sdn::Value::Kind::kString) names.push_back(item.s);
      out[table] = names;
    }
  }
  return out;
}

std::string Writer() { return "git-merge:" + DefaultWriter(); }

Result<std::string> ReadInput(const std::string& path, const char* role) {
  std::string text;
  Status st = PosixEnv()->ReadFile(path, &text);
  if (!st.ok()) return Status(st.code(), std::string("cannot read ") + role + " version: " + st.message());
  return text;
}

}  // namespace

int CmdMergeDriver(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, ArgSpec{});
  if (!args.ok()) return ctx.Fail(args.status());
  const auto& pos = args->positional;
  if (pos.size() != 4 && pos.size() != 3)
    return ctx.UsageError();
  const std::string& path = pos.size() == 4 ? pos[3] : pos[1];
  const char* roles[3] = {"base", "our", "their"};
  std::string texts[3];
  for (size_t i = 0; i < 3; ++i) {
    auto t = ReadInput(pos[i], roles[i]);
    if (!t.ok()) return ctx.Fail(t.status());
    texts[i] = std::move(t.value());
  }
  git::MergeOptions options;
  options.database = DatabaseNameFromPath(path);
  options.writer = Writer();
  options.identity = IdentityColumns(path);
  options.line_merge = [&path](const std::string& b, const std::string& o, const std::string& t) {
    return git::GitMergeFile(b, o, t, {"ours:" + path, "base:" + path, "theirs:" + path});
  };
  auto merged = git::MergeDatabases({texts[0], path}, {texts[1], path}, {texts[2], path}, options);
  if (!merged.ok())
    return ctx.Fail(Status(merged.status().code(), "cannot merge " + path + ": " + merged.status().message() +
                                                       "\n(" + path + " was left as ours; merge it by hand)"));
  const git::MergeReport& report = merged.value();
  if (report.text != texts[1]) {
    Status st = ReplaceFileAtomically(PosixEnv(), pos[1], report.text);
    if (!st.ok()) return ctx.Fail(st);
  }
  const std::string db = options.database;
  for (const auto& c : report.conflicts) {
    if (c.field == "*")
      std::fprintf(stderr, "sdndb: conflict %s:%s: record '%s' %s (resolve with: sdndb resolve %s:%s --ours|--theirs)\n",
                   db.c_str(), c.id.c_str(), c.record.c_str(),
                   c.ours == kDeletedMarker ? "deleted by ours, changed by theirs" : "changed by ours, deleted by theirs",
                   db.c_str(), c.id.c_str());
    else
      std::fprintf(stderr,
                   "sdndb: conflict %s:%s on %s.%s: ours '%s' vs theirs '%s' (resolve with: sdndb resolve %s:%s "
                   "--ours|--theirs|--value V)\n",
                   db.c_str(), c.id.c_str(), c.record.c_str(), c.field.c_str(), c.ours.c_str(), c.theirs.c_str(),
                   db.c_str(), c.id.c_str());
  }
  if (report.line_merged()) {
    std::fprintf(stderr, "sdndb: %s: merged line by line with git merge-file (%s): %s\n", path.c_str(),
                 report.line_conflicts ? "conflicts marked in the file" : "clean", report.line_merge_reason.c_str());
    return std::min(report.line_conflicts, 127);
  }
  if (!report.clean()) {
    std::fprintf(stderr, "sdndb: %s: %zu conflict(s) recorded in the file; resolve them, then `git add %s` and commit\n",
                 path.c_str(), report.conflicts.size(), path.c_str());
    return 1;
  }
  return 0;
}

int CmdGitSetup(Context& ctx, const std::vector<std::string>& argv) {
  ArgSpec spec;
  spec.flags = {"check", "use-path"};
  auto args = ParseArgs(argv, spec);
  if (!args.ok()) return ctx.Fail(args.status());
  if (!args->positional.empty()) return ctx.UsageError();
  const bool check = args->Has("check");

  auto top = RunGit(ctx.dir, {"rev-parse", "--show-toplevel"});
  if (!top.ok()) return ctx.Fail(top.status());
  if (top->exit_code != 0)
    return ctx.Fail(Status::InvalidArgument("not inside a git repository (" + TrimLine(top->err) + ")"));
  const std::string root = TrimLine(top->out);
  const std::string attributes_path = root + "/.gitattributes";

  std::string attributes;
  Status rs = PosixEnv()->ReadFile(attributes_path, &attributes);
  if (!rs.ok() && rs.code() != StatusCode::kNotFound) return ctx.Fail(rs);
  const bool has_attributes = HasAttributesLine(attributes);

  auto get = [&](const char* key) -> Result<std::string> {
    auto r = RunGit(root, {"config", "--local", "--get", key});
    if (!r.ok()) return r.status();
    if (r->exit_code == 1) return std::string();  // not set
    if (r->exit_code != 0) return Status::IOError("git config --get " + std::string(key) + ": " + TrimLine(r->err));
    return TrimLine(r->out);
  };
  auto name = get("merge.sdndb.name");
  if (!name.ok()) return ctx.Fail(name.status());
  auto driver = get("merge.sdndb.driver");
  if (!driver.ok()) return ctx.Fail(driver.status());

  if (check) {
    std::vector<std::string> missing;
    if (!has_attributes) missing.push_back("the line `" + std::string(kAttributesLine) + "` in " + attributes_path);
    if (name->empty()) missing.push_back("git config merge.sdndb.name");
    if (driver->empty()) {
      missing.push_back("git config merge.sdndb.driver");
    } else if (driver->find("merge-driver") == std::string::npos) {
      missing.push_back("a merge.sdndb.driver that runs `sdndb merge-driver` (found: " + *driver + ")");
    } else {
      std::string exe = FirstWord(*driver);
      if (exe.find('/') != std::string::npos && access(exe.c_str(), X_OK) != 0)
        missing.push_back("the sdndb binary the driver names (" + exe + " is missing; run `sdndb git-setup` again)");
    }
    if (missing.empty()) {
      std::string failure = TryDriver(*driver);
      if (!failure.empty()) missing.push_back("a merge.sdndb.driver that runs: " + failure);
    }
    if (missing.empty()) {
      std::printf("git merge driver for *_db.sdn is set up in %s (driver: %s)\n", root.c_str(), driver->c_str());
      return kExitOk;
    }
    std::fprintf(stderr, "sdndb git-setup: not set up in %s; missing:\n", root.c_str());
    for (const auto& m : missing) std::fprintf(stderr, "  - %s\n", m.c_str());
    std::fprintf(stderr, "run `sdndb git-setup` to fix\n");
    return kExitUsage;
  }

  std::vector<std::string> done;
  auto excluded = git::ExcludeSdndbFiles(root);
  if (!excluded.ok()) return ctx.Fail(excluded.status());
  if (excluded.value()) done.push_back("added sdndb's lock and temp files to .git/info/exclude (per clone, not committed)");
  if (!has_attributes) {
    std::string text = attributes;
    if (!text.empty() && text.back() != '\n') text += '\n';
    text += std::string(kAttributesLine) + "\n";
    Status st = ReplaceFileAtomically(PosixEnv(), attributes_path, text);
    if (!st.ok()) return ctx.Fail(st);
    done.push_back("added `" + std::string(kAttributesLine) + "` to .gitattributes (commit it)");
  }
  auto set = [&](const char* key, const std::string& value, const std::string& current) -> Status {
    if (current == value) return Status::OK();
    auto r = RunGit(root, {"config", "--local", key, value});
    if (!r.ok()) return r.status();
    if (r->exit_code != 0) return Status::IOError("git config " + std::string(key) + ": " + TrimLine(r->err));
    done.push_back("set git config " + std::string(key) + " = " + value);
    return Status::OK();
  };
  Status st = set("merge.sdndb.name", kDriverName, name.value());
  if (!st.ok()) return ctx.Fail(st);
  st = set("merge.sdndb.driver", DriverCommand(args->Has("use-path")), driver.value());
  if (!st.ok()) return ctx.Fail(st);
  if (done.empty()) {
    std::printf("already set up in %s\n", root.c_str());
  } else {
    for (const auto& d : done) std::printf("%s\n", d.c_str());
  }
  return kExitOk;
}

}  // namespace sdndb::cli
