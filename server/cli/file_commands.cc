// check, fmt, to-json, init: commands on SDN files as text.
#include <sys/stat.h>

#include <cstdio>

#include "core/io/atomic_file.h"
#include "core/db/db_file.h"
#include "core/db/store.h"
#include "core/io/env.h"
#include "core/sdn/document.h"
#include "core/sdn/json.h"
#include "server/cli/context.h"
#include "server/git/git_process.h"

namespace sdndb::cli {

namespace {

// A file named on the command line that cannot be read is an I/O error (exit 4), missing or not.
Result<std::unique_ptr<sdn::Document>> ParseFile(const std::string& path) {
  std::string text;
  Status read = PosixEnv()->ReadFile(path, &text);
  if (read.code() == StatusCode::kNotFound) return Status::IOError(read.message());
  SDNDB_RETURN_IF_ERROR(read);
  return ParseDatabaseText(std::move(text), path);
}

// A diagnostic line of `check`: "FILE:LINE:COL: error: what" like the warnings' "warning:";
// an error without a position is "FILE: error: what".
std::string ErrorLine(const std::string& file, const std::string& message) {
  const std::string prefix = file + ":";
  if (message.rfind(prefix, 0) == 0) {
    size_t i = prefix.size();
    auto digits = [&] {
      const size_t start = i;
      while (i < message.size() && message[i] >= '0' && message[i] <= '9') ++i;
      return i > start;
    };
    if (digits() && i < message.size() && message[i] == ':' && (++i, digits()) && message.compare(i, 2, ": ") == 0)
      return message.substr(0, i + 2) + "error: " + message.substr(i + 2);
  }
  return file + ": error: " + message;
}

// `sdndb init` creates versioned databases: the version/modified columns are there from the start
// (sdndb never adds them to an existing file by itself; see `sdndb migrate --versions`).
const char* kExampleTodo =
    "# Example todo database created by `sdndb init`\n"
    "todos |id, keyword, area, priority, description, file, line, issue, blocked, status, valid, version, modified|\n"
    "    1, TODO, parser, P1, \"Support generic type aliases\", src/parser/types.spl, 120, \"\", \"\", open, true, 0, \"\"\n"
    "    2, FIXME, runtime, P0, \"Crash when closing a channel twice\", src/runtime/chan.spl, 88, \"\", \"\", open, true, 0, \"\"\n"
    "    3, TODO, doc, P3, \"Document the CLI\", doc/cli.md, 1, \"\", \"\", closed, true, 0, \"\"\n";
const char* kExampleFeature =
    "features |id, category, name, description, spec, mode_interpreter, mode_jit, mode_smf_cranelift, mode_smf_llvm, platforms, status, valid, version, modified|\n"
    "    1, Language, Variables, \"let and let mut bindings\", doc/spec/syntax.md, supported, supported, supported, supported, \"linux, macos\", complete, true, 0, \"\"\n"
    "    2, Codegen, \"Cranelift Backend\", \"AOT and JIT code generation\", doc/codegen.md, supported, supported, supported, not_supported, linux, in_progress, true, 0, \"\"\n";
const char* kExampleTask =
    "tasks |id, category, name, description, priority, status, valid, version, modified|\n"
    "    TRACK-001, tracking, \"Refactor core tracking\", \"Normalize bug, feature, test, task and todo tracking\", high, in_progress, true, 0, \"\"\n";

}  // namespace

int CmdCheck(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{"strict"}, {}});
  if (!args.ok()) return ctx.Fail(args.status());
  std::vector<std::string> files = args->positional;
  if (files.empty()) {
    auto cat = ctx.LoadCatalog();
    if (!cat.ok()) return ctx.Fail(cat.status());
    for (const auto& e : cat->databases()) files.push_back(e.path);
  }
  bool failed = false, unreadable = false;
  nlohmann::ordered_json report = nlohmann::ordered_json::array();
  for (const auto& f : files) {
    auto doc = ParseFile(f);
    nlohmann::ordered_json entry{{"file", f}, {"ok", doc.ok()}};
    // Diagnostics are check's output: errors and warnings alike go to stdout.
    if (!doc.ok()) {
      failed = true;
      unreadable = unreadable || ExitCodeFor(doc.status()) == kExitIO;
      entry["error"] = doc.status().message();
      if (!ctx.json) std::printf("%s\n", ErrorLine(f, doc.status().message()).c_str());
    } else {
      // Malformed rows/blocks: the rest of the file is readable, but the file is not valid.
      entry["errors"] = nlohmann::ordered_json::array();
      for (const auto& p : doc.value()->problems()) {
        const std::string line = f + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) +
                                 ": error: " + p.message;
        entry["errors"].push_back(line);
        if (!ctx.json) std::printf("%s\n", line.c_str());
      }
      if (doc.value()->problem_count() > doc.value()->problems().size() && !ctx.json)
        std::printf("%s: ... and %zu more errors\n", f.c_str(),
                     doc.value()->problem_count() - doc.value()->problems().size());
      if (doc.value()->problem_count() > 0) {
        failed = true;
        entry["ok"] = false;
      }
      entry["warnings"] = nlohmann::ordered_json::array();
      auto warn = [&](int line_no, int column, const std::string& message) {
        std::string line = f + ":" + std::to_string(line_no) + ":" + std::to_string(column) + ": " +
                           (args->Has("strict") ? "error" : "warning") + ": " + message;
        entry["warnings"].push_back(line);
        if (!ctx.json) std::printf("%s\n", line.c_str());
        if (args->Has("strict")) failed = true;
      };
      for (const auto& w : doc.value()->warnings()) warn(w.line, w.column, w.message);
      // Keys shared by several rows: sdndb addresses those rows by position (@N) only. (Malformed
      // rows, also among a table's problems, are the reader's errors above.)
      for (const TableInfo& t : DescribeTables(*doc.value(), DatabaseNameFromPath(f)))
        for (const TableInfo::Problem& p : t.problems)
          if (p.kind == "duplicate-key")
            warn(p.lines.empty() ? 0 : p.lines.front(), 1, "table '" + t.name + "': " + p.message);
    }
    report.push_back(entry);
  }
  size_t bad = 0;
  for (const auto& entry : report) bad += entry["ok"] ? 0 : 1;
  if (ctx.json) PrintJson(report);
  else if (!failed) std::printf("%zu file%s ok\n", files.size(), files.size() == 1 ? "" : "s");
  else if (bad > 0) std::printf("%zu of %zu file%s with errors\n", bad, files.size(), files.size() == 1 ? "" : "s");
  return unreadable ? kExitIO : failed ? kExitUsage : kExitOk;  // a file it cannot read: I/O error
}

int CmdFmt(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{}, {}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() != 1) return ctx.UsageError();
  auto doc = ParseFile(args->positional[0]);
  if (!doc.ok()) return ctx.Fail(doc.status());
  ctx.ReportProblems(doc.value()->problems(), doc.value()->problem_count());
  std::string out = doc.value()->Serialize();
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int CmdToJson(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{}, {}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() != 1) return ctx.UsageError();
  auto doc = ParseFile(args->positional[0]);
  if (!doc.ok()) return ctx.Fail(doc.status());
  ctx.ReportProblems(doc.value()->problems(), doc.value()->problem_count());
  PrintJson(sdn::ToJson(doc.value()->ToValue()));
  return kExitOk;
}

int CmdInit(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{}, {}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() > 1) return ctx.UsageError();
  std::string dir = !args->positional.empty() ? args->positional[0] : ctx.dir ? *ctx.dir : ".";
  mkdir(dir.c_str(), 0755);

  for (auto [name, text] : {std::pair{"todo_db.sdn", kExampleTodo}, std::pair{"feature_db.sdn", kExampleFeature},
                            std::pair{"task_db.sdn", kExampleTask}}) {
    std::string path = dir + "/" + name;
    FileInfo info;
    Status st = PosixEnv()->Stat(path, &info);
    if (!st.ok()) return ctx.Fail(st);
    if (info.exists) {
      std::printf("kept existing %s\n", path.c_str());
      continue;
    }
    st = ReplaceFileAtomically(PosixEnv(), path, text);
    if (!st.ok()) return ctx.Fail(st);
    std::printf("created %s\n", path.c_str());
  }
  // Inside a git work tree, sdndb's lock files stay out of `git status` (nothing is committed).
  auto excluded = git::ExcludeSdndbFiles(dir);
  if (!excluded.ok()) return ctx.Fail(excluded.status());
  if (excluded.value()) std::printf("added sdndb's lock and temp files to .git/info/exclude\n");
  return kExitOk;
}

}  // namespace sdndb::cli
