// list, show, add, edit, delete, conflicts, resolve.
#include <algorithm>
#include <cstdio>
#include <map>

#include "core/db/db_file.h"
#include "core/db/folder_conflicts.h"
#include "core/db/query.h"
#include "core/io/env.h"
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

// Every field; then the record's etag and, in a table with version columns, version and modified
// (a user column named like them is one of the fields).
void PrintRecord(const Context& ctx, const RecordData& r, bool versioned) {
  size_t w = 8;
  for (const auto& [k, v] : r.fields) w = std::max(w, DisplayWidth(k));
  // Two columns: continuation lines of a multi-line value stay in the value column.
  for (const auto& [k, v] : r.fields)
    std::printf("%s  %s\n", ctx.Bold(Pad(k, w)).c_str(), IndentContinuation(v, w + 2).c_str());
  if (versioned) {
    std::printf("%s  %lld\n", ctx.Bold(Pad("(version)", w)).c_str(), static_cast<long long>(r.version));
    std::printf("%s  %s\n", ctx.Bold(Pad("(modified)", w)).c_str(), r.modified.c_str());
  }
  std::printf("%s  %s\n", ctx.Bold(Pad("(etag)", w)).c_str(), r.etag.c_str());
  if (PositionRef(r.id) > 0) std::printf("%s  %s\n", ctx.Bold(Pad("(address)", w)).c_str(), r.id.c_str());
}

// The database named on the command line, or every database of the catalog (OpenStore reports
// an unknown name with the list of databases).
std::vector<std::string> NamedOrAll(const Args& args, const Catalog& catalog) {
  if (!args.positional.empty()) return {args.positional[0]};
  std::vector<std::string> names;
  for (const auto& e : catalog.databases()) names.push_back(e.name);
  return names;
}

// --expect ETAG / --expect-version N into a base (nullopt when neither is given).
Result<std::optional<EditBase>> ParseExpect(const Args& args) {
  const std::string* etag = args.Get("expect");
  const std::string* version = args.Get("expect-version");
  if (!etag && !version) return std::optional<EditBase>();
  EditBase base;
  if (etag) base.etag = *etag;
  if (version && !ParseVersion(*version, &base.version))
    return Status::InvalidArgument("--expect-version needs a non-negative integer");
  return std::optional<EditBase>(base);
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
  if (snap->versioned) header.push_back("ver");
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) width[c] = DisplayWidth(header[c]);
  std::vector<std::vector<std::string>> cells;
  for (const auto* r : rows) {
    std::vector<std::string> line;
    for (const auto& [k, v] : r->fields) line.push_back(Fit(v, wide ? size_t{1} << 30 : kMaxCellWidth));
    if (snap->versioned) line.push_back(std::to_string(r->version));
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

// The columns of the conflict's table (in `snapshot`, any table of the file) that a whole-record
// conflict's `ours` (an edit of a record deleted meanwhile) does not carry: Keep Mine restores the
// record with these empty. Empty for any other conflict, or when `ours` is not fields JSON.
std::vector<std::string> FieldsMissingFromOurs(const Conflict& c, const Snapshot& snapshot) {
  std::vector<std::string> missing;
  if (c.field != "*" || c.theirs != kDeletedMarker) return missing;
  auto table = std::find_if(snapshot.tables.begin(), snapshot.tables.end(),
                            [&c](const TableInfo& t) { return t.name == c.table; });
  if (table == snapshot.tables.end()) return missing;
  auto ours = FieldsFromJson(c.ours);
  if (!ours.ok()) return missing;
  for (const std::string& col : table->columns) {
    if (col == table->key_column) continue;
    bool present = false;
    for (const auto& [name, value] : ours.value()) present = present || name == col;
    if (!present) missing.push_back(col);
  }
  return missing;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
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
  auto located = snap->Locate(args->positional[1]);
  if (!located.ok()) return ctx.Fail(located.status());
  const RecordData* r = located.value();
  if (ctx.json) {
    nlohmann::ordered_json j = RecordToJson(*r);
    if (args->Has("typed")) TypeRecordFields(&j);
    PrintJson(j);
  } else {
    PrintRecord(ctx, *r, snap->versioned);
    for (const auto& c : snap->conflicts)
      if (c.record == r->id && c.table == snap->table)
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
  auto args = ParseArgs(argv, {{}, {"expect", "expect-version", "strategy"}});
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
  // The CLI knows the etag or version it expected but not the values it saw; the engine treats
  // the base of every changed field as unknown, so a field changed since is a conflict.
  auto base = ParseExpect(*args);
  if (!base.ok()) return ctx.Fail(base.status());
  req.base = base.value();
  auto res = db->store->Edit(req);
  if (!res.ok()) return ctx.Fail(res.status());
  git::KeepSdndbFilesOutOfGit(db->store->path());
  const EditResult& r = res.value();
  if (r.outcome == EditOutcome::kConflict && r.conflicts.empty()) {
    const std::string fields = JoinNames(r.conflicting_fields);
    const std::string since = req.base && !req.base->etag.empty()
                                  ? "etag " + req.base->etag + " (now " + r.record.etag + ")"
                                  : "version " + std::to_string(req.base ? req.base->version : 0) + " (now " +
                                        std::to_string(r.record.version) + ")";
    return ctx.Fail(Status::Conflict("record '" + req.id + "' changed since " + since + "; conflicting fields: " +
                                     fields + "; nothing written"));
  }
  if (ctx.json) {
    nlohmann::ordered_json j{{"outcome", EditOutcomeName(r.outcome)}, {"record", RecordToJson(r.record)}};
    j["conflicts"] = nlohmann::ordered_json::array();
    for (const auto& c : r.conflicts) j["conflicts"].push_back(ConflictToJson(c, db->store->name()));
    PrintJson(j);
  } else {
    const char* name = db->store->name().c_str();
    if (r.record.etag.empty()) {  // nothing stored: the record was deleted meanwhile
      std::printf("%s %s %s (deleted elsewhere)\n", EditOutcomeName(r.outcome), name, req.id.c_str());
    } else {
      std::printf("%s %s %s (etag %s", EditOutcomeName(r.outcome), name, req.id.c_str(), r.record.etag.c_str());
      if (r.record.version > 0) std::printf(", version %lld", static_cast<long long>(r.record.version));
      std::printf(")\n");
    }
    for (const auto& c : r.conflicts) {
      if (c.field == "*" && c.theirs == kDeletedMarker) {
        std::fprintf(stderr,
                     "conflict %s:%s: record %s was deleted since it was read; your edit is kept in the conflict "
                     "(resolve with: sdndb resolve %s:%s --ours to restore it, --theirs to leave it deleted)\n",
                     name, c.id.c_str(), c.record.c_str(), name, c.id.c_str());
        auto snap = db->store->Read();
        const std::vector<std::string> missing = snap.ok() ? FieldsMissingFromOurs(c, *snap) : std::vector<std::string>{};
        if (!missing.empty())
          std::fprintf(stderr, "  --ours restores only the fields this edit gave; empty after it: %s\n",
                       JoinNames(missing).c_str());
        continue;
      }
      std::fprintf(stderr, "conflict %s:%s on %s: ours '%s' vs theirs '%s' (resolve with: sdndb resolve %s:%s --ours|--theirs)\n",
                   name, c.id.c_str(), c.field.c_str(), c.ours.c_str(), c.theirs.c_str(), name, c.id.c_str());
    }
  }
  return r.outcome == EditOutcome::kConflict ? kExitConflict : kExitOk;
}

int CmdDelete(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{}, {"expect", "expect-version", "strategy"}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() != 2) return ctx.UsageError();
  DeleteRequest req;
  req.id = args->positional[1];
  auto base = ParseExpect(*args);
  if (!base.ok()) return ctx.Fail(base.status());
  if (base.value()) {
    req.base_etag = base.value()->etag;
    if (args->Get("expect-version")) req.base_version = base.value()->version;
  }
  if (const std::string* s = args->Get("strategy")) {
    auto st = ParseStrategy(*s);
    if (!st.ok()) return ctx.Usage(st.status().message());
    req.strategy = st.value();
  }
  auto db = Open(ctx, args->positional[0]);
  if (!db.ok()) return ctx.Fail(db.status());
  auto res = db->store->Delete(req);
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
      std::fprintf(stderr, "conflict %s:%s: record changed since it was read; not deleted (resolve with: sdndb resolve %s:%s --ours|--theirs)\n",
                   db->store->name().c_str(), c.id.c_str(), db->store->name().c_str(), c.id.c_str());
  }
  return res->deleted ? kExitOk : kExitConflict;
}

namespace {

// Reads a database's conflicts through its Store, reporting its malformed rows on stderr.
ConflictReader ConflictReaderFor(Context& ctx, const Catalog& catalog) {
  return [&ctx, &catalog](const DatabaseEntry& db) -> Result<std::vector<Conflict>> {
    auto store = ctx.OpenStore(db.path, catalog);
    if (!store.ok()) return store.status();
    auto snap = store.value()->Read();
    if (!snap.ok()) return snap.status();
    ctx.ReportProblems(snap->problems, snap->problems.size());
    return std::move(snap->conflicts);
  };
}

}  // namespace

int CmdConflicts(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{}, {}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() > 1) return ctx.UsageError();
  auto cat = ctx.LoadCatalog();
  if (!cat.ok()) return ctx.Fail(cat.status());
  // A named database that cannot be read is an error; listing the whole folder, an unreadable file is
  // reported and the others listed (core/db/folder_conflicts.h, the rule the server follows too).
  std::vector<DatabaseEntry> databases;
  for (const auto& name : NamedOrAll(*args, cat.value())) {
    auto entry = ResolveDatabase(name, cat.value());
    if (!entry.ok()) return ctx.Fail(entry.status());
    databases.push_back(entry.value());
  }
  FolderConflicts folder = ListFolderConflicts(databases, ConflictReaderFor(ctx, cat.value()));
  if (!args->positional.empty() && !folder.unreadable.empty()) return ctx.Fail(folder.unreadable.front().status);
  for (const auto& u : folder.unreadable) ctx.Fail(u.status);
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  size_t count = 0;
  for (const auto& [db, conflicts] : folder.readable) {
    const std::string& name = db.name;
    for (const auto& c : conflicts) {
      ++count;
      if (ctx.json) {
        arr.push_back(ConflictToJson(c, name));
      } else {
        std::printf("%s  %s.%s %s.%s\n    base:   %s\n    ours:   %s (%s)\n    theirs: %s\n",
                    ctx.Colored(name + ":" + c.id, 31).c_str(), name.c_str(), c.table.c_str(), c.record.c_str(),
                    c.field.c_str(), c.base_known ? c.base.c_str() : "(unknown)",
                    c.ours.c_str(), c.who.c_str(), c.theirs.c_str());
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
    auto found = FindConflictDatabase(cat->databases(), id, ConflictReaderFor(ctx, cat.value()));
    if (!found.ok()) return ctx.Fail(found.status());
    db_name = found->name;
    auto opened = ctx.OpenStore(db_name, cat.value());
    if (!opened.ok()) return ctx.Fail(opened.status());
    store = std::move(opened.value());
  }
  Resolution how = args->Has("ours") ? Resolution::kOurs : args->Has("theirs") ? Resolution::kTheirs : Resolution::kValue;
  // Keep Mine of an edit whose record was deleted meanwhile restores only the edit's fields: say which stay empty.
  std::vector<std::string> left_empty;
  if (how == Resolution::kOurs) {
    if (auto snap = store->Read(); snap.ok()) {
      for (const Conflict& c : snap->conflicts)
        if (c.id == id) left_empty = FieldsMissingFromOurs(c, *snap);  // c.table: any table of the file
    }
  }
  auto res = store->Resolve(id, how, args->Get("value") ? *args->Get("value") : std::string());
  if (!res.ok()) return ctx.Fail(res.status());
  if (!left_empty.empty() && res->has_value())
    std::fprintf(stderr, "note: %s was deleted before this edit; restored with the edit's fields only, empty: %s\n",
                 (*res)->id.c_str(), JoinNames(left_empty).c_str());
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

int CmdTables(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{}, {}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() > 1) return ctx.UsageError();
  auto cat = ctx.LoadCatalog();
  if (!cat.ok()) return ctx.Fail(cat.status());
  const std::vector<std::string> names = NamedOrAll(*args, cat.value());
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& name : names) {
    auto store = ctx.OpenStore(name, cat.value());
    if (!store.ok()) return ctx.Fail(store.status());
    // The document itself: a file without any table lists none (it is no error here).
    std::string text;
    Status read = PosixEnv()->ReadFile(store.value()->path(), &text);
    if (!read.ok()) return ctx.Fail(read);
    auto doc = ParseDatabaseText(std::move(text), BaseName(store.value()->path()));
    if (!doc.ok()) return ctx.Fail(doc.status());
    nlohmann::ordered_json tables = nlohmann::ordered_json::array();
    for (const TableInfo& t : DescribeTables(*doc.value(), store.value()->name())) {
      nlohmann::ordered_json problems = nlohmann::ordered_json::array();
      for (const auto& p : t.problems)
        problems.push_back({{"kind", p.kind}, {"message", p.message}, {"lines", p.lines}});
      tables.push_back({{"name", t.name},
                        {"columns", t.columns},
                        {"idColumn", t.key_column},
                        {"count", t.rows},
                        {"versioned", t.versioned},
                        {"default", t.is_default},
                        {"problems", problems}});
      if (ctx.json) continue;
      const std::string cols = JoinNames(t.columns);
      std::printf("%s  %zu rows  key %s%s%s  |%s|\n", ctx.Bold(store.value()->name() + "." + t.name).c_str(), t.rows,
                  t.key_column.c_str(), t.is_default ? "  (default)" : "", t.versioned ? "  versioned" : "",
                  cols.c_str());
      for (const auto& p : t.problems) std::printf("    %s: %s\n", ctx.Colored(p.kind, 33).c_str(), p.message.c_str());
    }
    arr.push_back({{"database", store.value()->name()}, {"path", store.value()->path()}, {"tables", tables}});
  }
  if (ctx.json) PrintJson(arr);
  return kExitOk;
}

int CmdMigrate(Context& ctx, const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {{"versions"}, {}});
  if (!args.ok()) return ctx.Fail(args.status());
  if (args->positional.size() != 1 || !args->Has("versions")) return ctx.UsageError();
  auto db = Open(ctx, args->positional[0]);
  if (!db.ok()) return ctx.Fail(db.status());
  auto added = db->store->AddVersionColumns();
  if (!added.ok()) return ctx.Fail(added.status());
  if (ctx.json) PrintJson({{"database", args->positional[0]}, {"added", added.value()}});
  else if (added.value()) std::printf("added version and modified columns to %s\n", args->positional[0].c_str());
  else std::printf("%s already has version columns\n", args->positional[0].c_str());
  return kExitOk;
}

}  // namespace sdndb::cli
