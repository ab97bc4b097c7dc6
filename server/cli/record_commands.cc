// list, show, add, edit, delete, conflicts, resolve.
#include <algorithm>
#include <cstdio>
#include <map>

#include "core/db/query.h"
#include "server/cli/context.h"
#include "server/cli/table_format.h"
#include "server/git/git_process.h"

namespace sdndb::cli {

namespace {

bool ParseAssignments(const std::vector<std::string>& items, FieldList* out, std::string* error) {
  for (const auto& a : items) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      *error = "expected FIELD=VALUE, got '" + a + "'";
      return false;
    }
    out->emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  return true;
}

bool ParseVersion(const std::string& s, int64_t* out) {
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || !end || *end || v < 0) return false;
  *out = v;
  return true;
}

struct Opened {
  Catalog catalog;
  std::unique_ptr<Store> store;
};

Result<Opened> Open(Context& ctx, const std::string& db) {
  auto cat = ctx.LoadCatalog();
  if (!cat.ok()) return cat.status();
  auto store = ctx.OpenStore(db, cat.value());
  if (!store.ok()) return store.status();
  return Opened{std::move(cat.value()), std::move(store.value())};
}

void PrintRecord(const Context& ctx, const RecordData& r) {
  size_t w = 8;
  for (const auto& [k, v] : r.fields) w = std::max(w, DisplayWidth(k));
  // Two columns: continuation lines of a multi-line value stay in the value column.
  for (const auto& [k, v] : r.fields)
    std::printf("%s  %s\n", ctx.Bold(Pad(k, w)).c_str(), IndentContinuation(v, w + 2).c_str());
  std::printf("%s  %lld\n", ctx.Bold(Pad("version", w)).c_str(), static_cast<long long>(r.version));
  std::printf("%s  %s\n", ctx.Bold(Pad("modified", w)).c_str(), r.modified.c_str());
}


}  // namespace

int CmdList(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{"wide", "typed"}, {"where", "sort"}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() != 1) return ctx.UsageError();
  auto db = Open(ctx, args->positional[0]);
  if (!db.ok()) return ctx.Fail(db.status());
  auto snap = db->store->Read();
  if (!snap.ok()) return ctx.Fail(snap.status());
  ctx.ReportProblems(snap->problems, snap->problems.size());
  Query query;
  std::string err;
  if (!ParseAssignments(args->All("where"), &query.where, &err)) return ctx.Usage(err);
  if (const std::string* sort = args->Get("sort")) query.sort = *sort;
  auto selected = Select(snap.value(), query);  // the same rules as sdndb/list
  if (!selected.ok()) return ctx.Fail(selected.status());
  const std::vector<const RecordData*>& rows = selected.value();
  if (ctx.json) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto* r : rows) {
      arr.push_back(RecordToJson(*r));
      if (args->Has("typed")) TypeRecordFields(&arr.back());
    }
    PrintJson(arr);
    return kExitOk;
  }
  // Aligned table. Unless --wide, every cell is cut to kMaxCellWidth columns (terminal or not, so
  // piped output looks the same), and on a terminal the widest columns shrink until the table fits.
  const bool wide = args->Has("wide");
  std::vector<std::string> header = snap->columns;
  header.push_back("ver");
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) width[c] = DisplayWidth(header[c]);
  std::vector<std::vector<std::string>> cells;
  for (const auto* r : rows) {
    std::vector<std::string> line;
    for (const auto& [k, v] : r->fields) line.push_back(Fit(v, wide ? size_t{1} << 30 : kMaxCellWidth));
    line.push_back(std::to_string(r->version));
    for (size_t c = 0; c < line.size() && c < width.size(); ++c) width[c] = std::max(width[c], DisplayWidth(line[c]));
    cells.push_back(std::move(line));
  }
  if (ctx.terminal_width > 0 && !wide) {
    auto total = [&] {
      size_t t = 0;
      for (size_t w : width) t += w + 2;
      return t;
    };
    while (total() > static_cast<size_t>(ctx.terminal_width)) {
      auto widest = std::max_element(width.begin(), width.end());
      if (*widest <= 4) break;  // never below 4 characters: "ab…" still tells columns apart
      --*widest;
    }
  }
  std::string line;
  for (size_t c = 0; c < header.size(); ++c) line += Pad(Fit(header[c], width[c]), width[c]) + "  ";
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::printf("%s\n", ctx.Bold(line).c_str());
  for (const auto& row : cells) {
    line.clear();
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) line += Pad(Fit(row[c], width[c]), width[c]) + "  ";
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  }
  std::printf("%zu of %zu records", rows.size(), snap->records.size());
  if (!snap->conflicts.empty())
    std::printf(", %s", ctx.Colored(std::to_string(snap->conflicts.size()) + " unresolved conflicts", 31).c_str());
  std::printf("\n");
  return kExitOk;
}

int CmdShow(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{"typed"}, {}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() != 2) return ctx.UsageError();
  auto db = Open(ctx, args->positional[0]);
  if (!db.ok()) return ctx.Fail(db.status());
  auto snap = db->store->Read();
  if (!snap.ok()) return ctx.Fail(snap.status());
  ctx.ReportProblems(snap->problems, snap->problems.size());
  const RecordData* r = snap->Find(args->positional[1]);
  if (!r) return ctx.Fail(Status::NotFound("no record '" + args->positional[1] + "' in " + db->store->name()));
  if (ctx.json) {
    nlohmann::ordered_json j = RecordToJson(*r);
    if (args->Has("typed")) TypeRecordFields(&j);
    PrintJson(j);
  } else {
    PrintRecord(ctx, *r);
    for (const auto& c : snap->conflicts)
      if (c.record == r->id)
        std::printf("%s\n", ctx.Colored("conflict " + db->store->name() + ":" + c.id + " on " + c.field + ": ours '" +
                                            c.ours + "' vs theirs '" + c.theirs + "'", 31).c_str());
  }
  return kExitOk;
}

int CmdAdd(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{}, {}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() < 2) return ctx.UsageError();
  FieldList fields;
  std::string err;
  if (!ParseAssignments({args->positional.begin() + 1, args->positional.end()}, &fields, &err)) return ctx.Usage(err);
  auto db = Open(ctx, args->positional[0]);
  if (!db.ok()) return ctx.Fail(db.status());
  auto rec = db->store->Create(fields);
  if (!rec.ok()) return ctx.Fail(rec.status());
  git::KeepSdndbFilesOutOfGit(db->store->path());
  if (ctx.json) PrintJson(RecordToJson(rec.value()));
  else std::printf("added %s %s\n", db->store->name().c_str(), rec->id.c_str());
  return kExitOk;
}

int CmdEdit(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{}, {"expect-version", "strategy"}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() < 3) return ctx.UsageError();
  EditRequest req;
  req.id = args->positional[1];
  std::string err;
  if (!ParseAssignments({args->positional.begin() + 2, args->positional.end()}, &req.changes, &err)) return ctx.Usage(err);
  if (const std::string* s = args->Get("strategy")) {
    auto st = ParseStrategy(*s);
    if (!st.ok()) return ctx.Usage(st.status().message());
    req.strategy = st.value();
  }
  auto db = Open(ctx, args->positional[0]);
  if (!db.ok()) return ctx.Fail(db.status());
  if (const std::string* v = args->Get("expect-version")) {
    EditBase base;
    if (!ParseVersion(*v, &base.version)) return ctx.Usage("--expect-version needs a non-negative integer");
    // The CLI knows the version it expected but not the values it saw; the engine treats the
    // base of every changed field as unknown, so a field changed since is a conflict.
    req.base = base;
  }
  auto res = db->store->Edit(req);
  if (!res.ok()) return ctx.Fail(res.status());
  git::KeepSdndbFilesOutOfGit(db->store->path());
  const EditResult& r = res.value();
  if (r.outcome == EditOutcome::kConflict && r.conflicts.empty()) {
    std::string fields;
    for (const auto& f : r.conflicting_fields) fields += (fields.empty() ? "" : ", ") + f;
    return ctx.Fail(Status::Conflict("record '" + req.id + "' changed since version " + *args->Get("expect-version") +
                                     " (now " + std::to_string(r.record.version) + "); conflicting fields: " + fields +
                                     "; nothing written"));
  }
  if (ctx.json) {
    nlohmann::ordered_json j{{"outcome", EditOutcomeName(r.outcome)}, {"record", RecordToJson(r.record)}};
    j["conflicts"] = nlohmann::ordered_json::array();
    for (const auto& c : r.conflicts) j["conflicts"].push_back(ConflictToJson(c, db->store->name()));
    PrintJson(j);
  } else {
    std::printf("%s %s %s (version %lld)\n", EditOutcomeName(r.outcome), db->store->name().c_str(), req.id.c_str(),
                static_cast<long long>(r.record.version));
    for (const auto& c : r.conflicts)
      std::fprintf(stderr, "conflict %s:%s on %s: ours '%s' vs theirs '%s' (resolve with: sdndb resolve %s:%s --ours|--theirs)\n",
                   db->store->name().c_str(), c.id.c_str(), c.field.c_str(), c.ours.c_str(), c.theirs.c_str(),
                   db->store->name().c_str(), c.id.c_str());
  }
  return r.outcome == EditOutcome::kConflict ? kExitConflict : kExitOk;
}

int CmdDelete(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{}, {"expect-version", "strategy"}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() != 2) return ctx.UsageError();
  std::optional<int64_t> base;
  if (const std::string* v = args->Get("expect-version")) {
    int64_t n;
    if (!ParseVersion(*v, &n)) return ctx.Usage("--expect-version needs a non-negative integer");
    base = n;
  }
  std::optional<Strategy> strategy;
  if (const std::string* s = args->Get("strategy")) {
    auto st = ParseStrategy(*s);
    if (!st.ok()) return ctx.Usage(st.status().message());
    strategy = st.value();
  }
  auto db = Open(ctx, args->positional[0]);
  if (!db.ok()) return ctx.Fail(db.status());
  auto res = db->store->Delete(args->positional[1], base, strategy);
  if (!res.ok()) return ctx.Fail(res.status());
  git::KeepSdndbFilesOutOfGit(db->store->path());
  if (ctx.json) {
    nlohmann::ordered_json j{{"outcome", res->deleted ? "deleted" : "conflict"}};
    j["conflicts"] = nlohmann::ordered_json::array();
    for (const auto& c : res->conflicts) j["conflicts"].push_back(ConflictToJson(c, db->store->name()));
    PrintJson(j);
  } else if (res->deleted) {
    std::printf("deleted %s %s\n", db->store->name().c_str(), args->positional[1].c_str());
  } else {
    for (const auto& c : res->conflicts)
      std::fprintf(stderr, "conflict %s:%s: record changed since version %s; not deleted (resolve with: sdndb resolve %s:%s --ours|--theirs)\n",
                   db->store->name().c_str(), c.id.c_str(), args->Get("expect-version")->c_str(),
                   db->store->name().c_str(), c.id.c_str());
  }
  return res->deleted ? kExitOk : kExitConflict;
}

int CmdConflicts(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{}, {}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() > 1) return ctx.UsageError();
  auto cat = ctx.LoadCatalog();
  if (!cat.ok()) return ctx.Fail(cat.status());
  // One named database (OpenStore reports an unknown name with the list of databases), or all.
  std::vector<std::string> names;
  if (!args->positional.empty()) names.push_back(args->positional[0]);
  else
    for (const auto& e : cat->databases()) names.push_back(e.name);
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  size_t count = 0;
  for (const auto& name : names) {
    auto store = ctx.OpenStore(name, cat.value());
    if (!store.ok()) return ctx.Fail(store.status());
    auto snap = store.value()->Read();
    // Listing the whole folder: a file that cannot be read is reported and the others listed.
    if (!snap.ok() && !args->positional.empty()) return ctx.Fail(snap.status());
    if (!snap.ok()) {
      ctx.Fail(snap.status());
      continue;
    }
    ctx.ReportProblems(snap->problems, snap->problems.size());
    for (const auto& c : snap->conflicts) {
      ++count;
      if (ctx.json) {
        arr.push_back(ConflictToJson(c, name));
      } else {
        std::printf("%s  %s %s.%s\n    base:   %s\n    ours:   %s (%s)\n    theirs: %s\n",
                    ctx.Colored(name + ":" + c.id, 31).c_str(), name.c_str(), c.record.c_str(), c.field.c_str(),
                    c.base.c_str(), c.ours.c_str(), c.who.c_str(), c.theirs.c_str());
      }
    }
  }
  if (ctx.json) PrintJson(arr);
  else if (count == 0) std::printf("no conflicts\n");
  return kExitOk;
}

int CmdResolve(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{"ours", "theirs"}, {"value"}});
  if (!args.ok()) return ctx.Fail(args.status());
  int choices = args->Has("ours") + args->Has("theirs") + (args->Get("value") != nullptr);
  if (args->positional.size() != 1 || choices != 1)
    return ctx.UsageError();
  auto cat = ctx.LoadCatalog();
  if (!cat.ok()) return ctx.Fail(cat.status());
  // CONFLICT_ID is "db:cN", or "cN" when only one database has such a conflict.
  std::string id = args->positional[0], db_name;
  std::unique_ptr<Store> store;
  if (auto colon = id.find(':'); colon != std::string::npos) {
    db_name = id.substr(0, colon);
    id = id.substr(colon + 1);
    auto opened = ctx.OpenStore(db_name, cat.value());
    if (!opened.ok()) return ctx.Fail(opened.status());
    store = std::move(opened.value());
  } else {
    Status unreadable;  // a database that could not be read may hold it: say so, not "no conflict"
    for (const auto& e : cat->databases()) {
      auto opened = ctx.OpenStore(e.name, cat.value());
      auto snap = opened.ok() ? opened.value()->Read() : Result<Snapshot>(opened.status());
      if (!snap.ok()) {
        if (unreadable.ok()) unreadable = snap.status();
        continue;
      }
      bool here = std::any_of(snap->conflicts.begin(), snap->conflicts.end(), [&](const Conflict& c) { return c.id == id; });
      if (!here) continue;
      if (store) return ctx.Usage("conflict id '" + id + "' exists in " + db_name + " and " + e.name + "; use DB:" + id);
      db_name = e.name;
      store = std::move(opened.value());
    }
    if (!store) return ctx.Fail(unreadable.ok() ? Status::NotFound("no conflict '" + id + "'") : unreadable);
  }
  Resolution how = args->Has("ours") ? Resolution::kOurs : args->Has("theirs") ? Resolution::kTheirs : Resolution::kValue;
  auto res = store->Resolve(id, how, args->Get("value") ? *args->Get("value") : std::string());
  if (!res.ok()) return ctx.Fail(res.status());
  git::KeepSdndbFilesOutOfGit(store->path());
  if (ctx.json) {
    PrintJson({{"resolved", db_name + ":" + id}, {"record", res->has_value() ? RecordToJson(**res) : nullptr}});
  } else {
    std::printf("resolved %s:%s", db_name.c_str(), id.c_str());
    if (res->has_value()) std::printf(" (%s version %lld)", (*res)->id.c_str(), static_cast<long long>((*res)->version));
    std::printf("\n");
  }
  return kExitOk;
}

}  // namespace sdndb::cli
