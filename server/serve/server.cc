#include "server/serve/server.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include <asio/post.hpp>

#include "core/db/folder_conflicts.h"
#include "core/db/query.h"
#include "core/io/env.h"
#include "server/rpc/params.h"
#include "server/serve/status_map.h"

#ifndef SDNDB_VERSION
#define SDNDB_VERSION "0.0.0"
#endif

namespace sdndb::serve {

using rpc::CallContext;
using rpc::Reply;
namespace code = rpc::code;

struct Server::Answer {
  Json result;
  std::optional<RpcError> error;
  std::optional<std::string> raw;  // pre-serialised result
  static Answer Raw(std::string r) {
    Answer a{Json()};
    a.raw = std::move(r);
    return a;
  }
  Answer(Json r) : result(std::move(r)) {}         // NOLINT: implicit by design
  Answer(RpcError e) : error(std::move(e)) {}      // NOLINT
};

namespace {

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

std::string CurrentDir() {
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf)) return buf;
  return ".";
}

RpcError Validation(const std::string& field, const std::string& message) {
  return RpcError(code::kValidation, message, Json{{"field", field}});
}

bool SameRecord(const RecordData& a, const RecordData& b) {
  return a.version == b.version && a.modified == b.modified && a.fields == b.fields;
}

bool SameConflicts(const std::vector<Conflict>& a, const std::vector<Conflict>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].ours != b[i].ours || a[i].theirs != b[i].theirs) return false;
  }
  return true;
}

// Strategy `error` (store.h): an edit that met changed fields comes back as outcome kConflict with
// the conflicting fields, nothing written; Edit and Apply answer it with this error.
bool IsFieldConflict(const EditResult& e) {
  return e.outcome == EditOutcome::kConflict && !e.conflicting_fields.empty();
}

RpcError FieldConflictError(const DatabaseEntry& db, const std::string& id, const EditResult& e) {
  ErrorContext ec{db.name, db.path, "record", id};
  ec.current = e.record;
  ec.fields = e.conflicting_fields;
  return ErrorFromStatus(Status::Conflict("record '" + CapEcho(id) + "' was changed by someone else (fields in conflict)"),
                         ec);
}

Json ConflictsToJson(const std::vector<Conflict>& conflicts, const std::string& database) {
  Json out = Json::array();
  for (const Conflict& c : conflicts) out.push_back(ConflictToJson(c, database));
  return out;
}

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options, std::function<void(std::string)> send,
               std::function<void(int)> exit)
    : io_(io),
      options_(std::move(options)),
      dispatcher_(rpc::DispatcherHooks{std::move(send),
                                       [&io](std::function<void()> f) { asio::post(io, std::move(f)); },
                                       std::move(exit), options_.log}),
      pool_(static_cast<size_t>(std::max(1, options_.threads))),
      changes_(asio::make_strand(pool_.get_executor())),
      workspace_(WorkspaceOptions{std::chrono::milliseconds(10000),
                                  "sdndb-serve@" + HostName() + ":" + std::to_string(getpid())}) {
  Register();
}

Server::~Server() { Stop(); }

void Server::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (watcher_) watcher_->Stop();
  dispatcher_.CancelAll();
  pool_.join();
}

void Server::Log(const std::string& message) const {
  if (options_.log) options_.log(message);
}

void Server::Submit(Reply reply, const CallContext& ctx, Job job) {
  asio::post(pool_, [this, reply = std::move(reply), ctx, job = std::move(job)]() mutable {
    if (ctx.is_cancelled()) {
      reply.Fail(RpcError(code::kRequestCancelled, "request cancelled"));
      return;
    }
    try {
      Answer a = job(ctx);
      if (a.error) {
        reply.Fail(std::move(*a.error));
      } else if (a.raw) {
        reply.OkRaw(std::move(*a.raw));
      } else {
        reply.Ok(std::move(a.result));
      }
    } catch (const std::exception& e) {
      Log(ctx.method + " failed: " + e.what());
      reply.Fail(RpcError(code::kInternalError, std::string("internal error: ") + e.what()));
    } catch (...) {
      reply.Fail(RpcError(code::kInternalError, "internal error"));
    }
  });
}

// Registers a method whose params parse into P and whose work runs on the pool.
#define SDNDB_METHOD(NAME, P, CALL)                                                          \
  dispatcher_.AddMethod(NAME, [this](const Json& params, Reply reply, const CallContext& ctx) { \
    P p;                                                                                     \
    if (auto err = FromJson(params, &p)) return reply.Fail(std::move(*err));                 \
    Submit(std::move(reply), ctx, [this, p = std::move(p)](const CallContext& c) {           \
      (void)c;                                                                               \
      return CALL;                                                                           \
    });                                                                                      \
  })

void Server::Register() {
  dispatcher_.AddMethod("initialize", [this](const Json& params, Reply reply, const CallContext& ctx) {
    Initialize(params, std::move(reply), ctx);
  });
  dispatcher_.AddMethod("sdndb/databases", [this](const Json& params, Reply reply, const CallContext& ctx) {
    rpc::ParamReader p(params);
    if (!p.ok()) return reply.Fail(p.error());
    Submit(std::move(reply), ctx, [this](const CallContext& c) { return Databases(c); });
  });
  SDNDB_METHOD("sdndb/list", ListParams, List(p));
  SDNDB_METHOD("sdndb/get", GetParams, Get(p));
  SDNDB_METHOD("sdndb/create", CreateParams, Create(p, c));
  SDNDB_METHOD("sdndb/edit", EditParams, Edit(p, c));
  SDNDB_METHOD("sdndb/delete", DeleteParams, Delete(p, c));
  SDNDB_METHOD("sdndb/conflicts", ConflictsParams, Conflicts(p));
  SDNDB_METHOD("sdndb/resolve", ResolveParams, Resolve(p, c));
  SDNDB_METHOD("sdndb/apply", ApplyParams, Apply(p, c));
}

#undef SDNDB_METHOD

// ---- lifecycle ----

void Server::Initialize(const Json& params, Reply reply, const CallContext&) {
  // Params are checked here; discovery and the catalog read files, so they run on the pool.
  // The dispatcher answers other requests -32002 until this reply is sent.
  auto p = std::make_shared<InitializeParams>();
  if (auto err = FromJson(params, p.get())) return reply.Fail(std::move(*err));
  asio::post(pool_, [this, p, reply = std::move(reply)]() mutable {
    try {
      Answer a = LoadWorkspace(*p);
      if (a.error) return reply.Fail(std::move(*a.error));
      // Watching starts and the baseline snapshots are taken before the reply, so any change
      // after the client's first reads is announced (answering first left a window in which a
      // change became part of the baseline unannounced).
      auto answer = std::make_shared<std::pair<Reply, Json>>(std::move(reply), std::move(a.result));
      asio::post(io_, [this, answer]() {
        if (stopped_) return answer->first.Ok(std::move(answer->second));
        StartWatching([answer]() { answer->first.Ok(std::move(answer->second)); });
      });
    } catch (const std::exception& e) {
      Log(std::string("initialize failed: ") + e.what());
      reply.Fail(RpcError(code::kInternalError, std::string("internal error: ") + e.what()));
    }
  });
}

Server::Answer Server::LoadWorkspace(const InitializeParams& p) {
  std::string root;
  if (options_.dir) {
    root = *options_.dir;
  } else if (p.root) {
    // The editor's folder confines the server: never climb above it (an empty folder simply
    // has no databases yet), or files above the workspace would be exposed.
    root = *p.root;
  } else {
    std::string start = CurrentDir();
    auto found = Catalog::Discover(start);
    root = found.ok() ? found.value() : start;
  }
  Status st = workspace_.Load(root);
  if (!st.ok()) {
    if (st.code() == StatusCode::kNotFound) {
      // The member that supplied the folder; "root" when none did (the server's working folder).
      const std::string field = options_.dir ? "--dir" : (p.root ? p.root_member : "root");
      return rpc::InvalidParams(field, "folder not found: " + root);
    }
    return CatalogError(st, root);
  }
  default_strategy_ = p.strategy;
  if (p.lock_timeout_ms) workspace_.set_lock_timeout(std::chrono::milliseconds(*p.lock_timeout_ms));
  dispatcher_.set_progress_supported(p.work_done_progress);
  Log("initialize: client " + (p.client_name.empty() ? std::string("?") : p.client_name) + ", root " +
      workspace_.root() + ", " + std::to_string(workspace_.Databases().size()) + " database(s)");
  Json strategies = Json::array();
  for (Strategy s : AllStrategies()) strategies.push_back(StrategyName(s));
  return Json{{"serverInfo", {{"name", "sdndb"}, {"version", SDNDB_VERSION}}},
              {"capabilities",
               {{"databases", true}, {"conflicts", true}, {"didChange", true}, {"strategies", strategies}}},
              {"root", workspace_.root()}};
}

// ---- methods ----

Server::Answer Server::Databases(const CallContext& ctx) {
  std::vector<DatabaseEntry> dbs = workspace_.Databases();
  ctx.progress.Begin("Loading databases", std::to_string(dbs.size()) + " database(s)");
  Json out = Json::array();
  for (size_t i = 0; i < dbs.size(); ++i) {
    if (ctx.is_cancelled()) {
      ctx.progress.End("cancelled");
      return RpcError(code::kRequestCancelled, "request cancelled");
    }
    auto snap = workspace_.Read(dbs[i]);
    if (snap.ok()) {
      out.push_back(DatabaseToJson(dbs[i], *snap.value()));
    } else {
      Json d = DatabaseToJson(dbs[i], Snapshot{});
      d["error"] = ErrorFromStatus(snap.status(), ErrorContext{dbs[i].name, dbs[i].path}).ToJson();
      out.push_back(std::move(d));
    }
    ctx.progress.Report(dbs[i].name, static_cast<int>((i + 1) * 100 / dbs.size()));
  }
  ctx.progress.End();
  return Json{{"databases", std::move(out)}};
}

Server::Answer Server::List(const ListParams& p) {
  DatabaseEntry db;
  if (auto err = workspace_.Resolve(p.database, &db, p.table)) return *err;
  auto snap = workspace_.Read(db);
  if (!snap.ok()) return ErrorFromStatus(snap.status(), ErrorContext{db.name, db.path, "database", db.name});
  const Snapshot& s = *snap.value();
  Query q;
  q.where = p.where;
  q.sort = p.sort.value_or("");
  q.descending = p.descending;
  q.offset = static_cast<size_t>(p.offset);
  if (p.limit) q.limit = static_cast<size_t>(*p.limit);
  size_t total = 0;
  auto selected = Select(s, q, &total);
  if (!selected.ok()) {
    // The only error is an unknown field; name the member that holds it.
    std::string field = "sort";
    for (const auto& [name, value] : p.where) {
      if (!IsQueryField(s, name)) {
        field = "where." + name;
        break;
      }
    }
    return Validation(field, selected.status().message());
  }
  const std::vector<const RecordData*>& rows = selected.value();
  // Records are serialised once per snapshot and spliced in (the hot path of the editors).
  auto json = workspace_.RecordJson(db, snap.value());
  size_t bytes = 32;
  for (const RecordData* r : rows) bytes += (*json)[static_cast<size_t>(r - s.records.data())].size() + 1;
  std::string out;
  out.reserve(bytes);
  out.append("{\"records\":[");
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append((*json)[static_cast<size_t>(rows[i] - s.records.data())]);
  }
  out.append("],\"total\":").append(std::to_string(total));
  // Rows of the file that could not be read: the editors show them as diagnostics.
  if (!s.problems.empty()) out.append(",\"problems\":").append(rpc::DumpJson(ProblemsToJson(s.problems)));
  out.append("}");
  return Answer::Raw(std::move(out));
}

Server::Answer Server::Get(const GetParams& p) {
  DatabaseEntry db;
  if (auto err = workspace_.Resolve(p.database, &db, p.table)) return *err;
  auto snap = workspace_.Read(db);
  if (!snap.ok()) return ErrorFromStatus(snap.status(), ErrorContext{db.name, db.path, "database", db.name});
  auto r = snap.value()->Locate(p.id);
  if (!r.ok()) return ErrorFromStatus(r.status(), ErrorContext{db.name, db.path, "record", p.id});
  return Json{{"record", RecordToJson(*r.value())}};
}

std::function<void(std::chrono::milliseconds, const std::string&)> Server::LockWaitReporter(
    const CallContext& ctx, const std::string& database, std::shared_ptr<bool> announced) {
  rpc::Dispatcher* d = &dispatcher_;
  return [d, ctx, database, announced](std::chrono::milliseconds elapsed, const std::string& holder) {
    if (*announced || elapsed < std::chrono::milliseconds(200)) return;
    *announced = true;
    std::string msg = "waiting for the lock of " + database + (holder.empty() ? "" : " held by " + holder);
    d->Notify("window/logMessage", Json{{"type", 3}, {"message", msg}});
    ctx.progress.Begin("Waiting for lock", msg);
  };
}

Server::Answer Server::Create(const CreateParams& p, const CallContext& ctx) {
  DatabaseEntry db;
  if (auto err = workspace_.Resolve(p.database, &db, p.table)) return *err;
  auto waited = std::make_shared<bool>(false);
  auto store = workspace_.OpenStore(db, ctx.cancelled.get(), LockWaitReporter(ctx, db.name, waited));
  if (!store.ok()) return ErrorFromStatus(store.status(), ErrorContext{db.name, db.path});
  auto r = store.value()->Create(p.fields);
  if (*waited) ctx.progress.End();
  if (!r.ok()) return ErrorFromStatus(r.status(), ErrorContext{db.name, db.path, "database", db.name});
  return Json{{"record", RecordToJson(r.value())}};
}

Server::Answer Server::Edit(const EditParams& p, const CallContext& ctx) {
  DatabaseEntry db;
  if (auto err = workspace_.Resolve(p.database, &db, p.table)) return *err;
  auto waited = std::make_shared<bool>(false);
  auto store = workspace_.OpenStore(db, ctx.cancelled.get(), LockWaitReporter(ctx, db.name, waited));
  if (!store.ok()) return ErrorFromStatus(store.status(), ErrorContext{db.name, db.path});
  EditRequest req;
  req.id = p.id;
  req.changes = p.changes;
  req.base = p.base;
  req.strategy = p.strategy ? p.strategy : default_strategy_;
  auto r = store.value()->Edit(req);
  if (*waited) ctx.progress.End();
  if (!r.ok()) return WriteError(r.status(), db, p.id);
  const EditResult& e = r.value();
  if (IsFieldConflict(e)) return FieldConflictError(db, p.id, e);
  return Json{{"outcome", EditOutcomeName(e.outcome)},
              {"record", RecordToJson(e.record)},
              {"conflicts", ConflictsToJson(e.conflicts, db.name)}};
}

Server::Answer Server::Delete(const DeleteParams& p, const CallContext& ctx) {
  DatabaseEntry db;
  if (auto err = workspace_.Resolve(p.database, &db, p.table)) return *err;
  auto waited = std::make_shared<bool>(false);
  auto store = workspace_.OpenStore(db, ctx.cancelled.get(), LockWaitReporter(ctx, db.name, waited));
  if (!store.ok()) return ErrorFromStatus(store.status(), ErrorContext{db.name, db.path});
  DeleteRequest req;
  req.id = p.id;
  req.base_version = p.base_version;
  req.base_etag = p.base_etag;
  req.strategy = p.strategy ? p.strategy : default_strategy_;
  auto r = store.value()->Delete(req);
  if (*waited) ctx.progress.End();
  if (!r.ok()) return WriteError(r.status(), db, p.id);
  return Json{{"outcome", r.value().deleted ? "deleted" : "conflict"},
              {"conflicts", ConflictsToJson(r.value().conflicts, db.name)}};
}

RpcError Server::WriteError(const Status& status, const DatabaseEntry& db, const std::string& id) {
  ErrorContext ec{db.name, db.path, "record", id};
  if (status.code() == StatusCode::kConflict) {
    // A stale delete (strategy error) or a stale write through "@N": the record as it is now.
    ec.fields = {"*"};
    auto snap = workspace_.Read(db);
    if (snap.ok()) {
      if (const RecordData* cur = snap.value()->Find(id)) ec.current = *cur;
    }
  }
  return ErrorFromStatus(status, ec);
}

Json Server::ApplyResultToJson(const ApplyParams& p, const ApplyResult& r, const DatabaseEntry& db) {
  auto failed = [&](const Status& st, const std::string& id) {
    return Json{{"status", "error"}, {"error", WriteError(st, db, id).ToJson()}};
  };
  Json edits = Json::array(), creates = Json::array(), deletes = Json::array();
  for (size_t i = 0; i < r.edits.size(); ++i) {
    const auto& e = r.edits[i];
    if (!e.status.ok()) {
      edits.push_back(failed(e.status, p.edits[i].id));
    } else if (IsFieldConflict(e.result)) {
      edits.push_back(Json{{"status", "error"}, {"error", FieldConflictError(db, p.edits[i].id, e.result).ToJson()}});
    } else {
      edits.push_back(Json{{"status", "ok"},
                           {"outcome", EditOutcomeName(e.result.outcome)},
                           {"record", RecordToJson(e.result.record)},
                           {"conflicts", ConflictsToJson(e.result.conflicts, db.name)}});
    }
  }
  for (size_t i = 0; i < r.creates.size(); ++i) {
    const auto& c = r.creates[i];
    creates.push_back(c.status.ok() ? Json{{"status", "ok"}, {"record", RecordToJson(c.record)}}
                                    : failed(c.status, ""));
  }
  for (size_t i = 0; i < r.deletes.size(); ++i) {
    const auto& d = r.deletes[i];
    deletes.push_back(d.status.ok() ? Json{{"status", "ok"},
                                           {"outcome", d.result.deleted ? "deleted" : "conflict"},
                                           {"conflicts", ConflictsToJson(d.result.conflicts, db.name)}}
                                    : failed(d.status, p.deletes[i].id));
  }
  return Json{{"edits", std::move(edits)}, {"creates", std::move(creates)}, {"deletes", std::move(deletes)}};
}

Server::Answer Server::Apply(const ApplyParams& p, const CallContext& ctx) {
  DatabaseEntry db;
  if (auto err = workspace_.Resolve(p.database, &db, p.table)) return *err;
  auto waited = std::make_shared<bool>(false);
  auto store = workspace_.OpenStore(db, ctx.cancelled.get(), LockWaitReporter(ctx, db.name, waited));
  if (!store.ok()) return ErrorFromStatus(store.status(), ErrorContext{db.name, db.path});
  ApplyRequest req;
  req.edits = p.edits;
  req.creates = p.creates;
  req.deletes = p.deletes;
  const std::optional<Strategy> fallback = p.strategy ? p.strategy : default_strategy_;
  for (EditRequest& e : req.edits)
    if (!e.strategy) e.strategy = fallback;
  for (DeleteRequest& d : req.deletes)
    if (!d.strategy) d.strategy = fallback;
  auto r = store.value()->Apply(req);
  if (*waited) ctx.progress.End();
  if (!r.ok()) return ErrorFromStatus(r.status(), ErrorContext{db.name, db.path, "database", db.name});
  return ApplyResultToJson(p, r.value(), db);
}

// Reads a database's conflicts through the snapshot cache (core/db/folder_conflicts.h).
ConflictReader Server::CachedConflicts() {
  return [this](const DatabaseEntry& db) -> Result<std::vector<Conflict>> {
    auto snap = workspace_.Read(db);
    if (!snap.ok()) return snap.status();
    return snap.value()->conflicts;
  };
}

Server::Answer Server::Conflicts(const ConflictsParams& p) {
  std::vector<DatabaseEntry> dbs;
  if (p.database) {
    DatabaseEntry db;
    if (auto err = workspace_.Resolve(*p.database, &db)) return *err;
    dbs.push_back(db);
  } else {
    dbs = workspace_.Databases();
  }
  FolderConflicts folder = ListFolderConflicts(dbs, CachedConflicts());
  if (p.database && !folder.unreadable.empty()) {
    const UnreadableDatabase& u = folder.unreadable.front();
    return ErrorFromStatus(u.status, ErrorContext{u.database.name, u.database.path, "database", u.database.name});
  }
  Json out = Json::array();
  for (const DatabaseConflicts& d : folder.readable) {
    for (const Conflict& c : d.conflicts) out.push_back(ConflictToJson(c, d.database.name));
  }
  // A database that cannot be read is reported, never silently left out.
  Json unreadable = Json::array();
  for (const UnreadableDatabase& u : folder.unreadable) {
    Log("conflicts: " + u.database.name + " is unreadable: " + u.status.message());
    unreadable.push_back(Json{{"database", u.database.name}, {"message", CapEcho(u.status.message())}});
  }
  return Json{{"conflicts", std::move(out)}, {"unreadable", std::move(unreadable)}};
}

Server::Answer Server::Resolve(const ResolveParams& p, const CallContext& ctx) {
  DatabaseEntry db;
  if (p.database) {
    if (auto err = workspace_.Resolve(*p.database, &db)) return *err;
  } else {
    auto found = FindConflictDatabase(workspace_.Databases(), p.conflict, CachedConflicts());
    if (!found.ok() && found.status().code() == StatusCode::kInvalidArgument) {
      return Validation("database", CapEcho(found.status().message()));
    }
    if (!found.ok()) return ErrorFromStatus(found.status(), ErrorContext{"", "", "conflict", CapEcho(p.conflict)});
    db = found.value();
  }
  auto waited = std::make_shared<bool>(false);
  auto store = workspace_.OpenStore(db, ctx.cancelled.get(), LockWaitReporter(ctx, db.name, waited));
  if (!store.ok()) return ErrorFromStatus(store.status(), ErrorContext{db.name, db.path});
  auto r = store.value()->Resolve(p.conflict, p.choice, p.value);
  if (*waited) ctx.progress.End();
  if (!r.ok()) return ErrorFromStatus(r.status(), ErrorContext{db.name, db.path, "conflict", p.conflict});
  return Json{{"record", r.value() ? RecordToJson(*r.value()) : Json(nullptr)}};
}

// ---- didChange ----

void Server::StartWatching(std::function<void()> after_baseline) {
  std::set<std::string> all;
  for (const DatabaseEntry& e : workspace_.Databases()) all.insert(e.name);
  if (options_.watch) {
    watcher_ = std::make_unique<FolderWatcher>(
        io_, options_.debounce,
        [this](const std::set<std::string>& paths, bool overflow) { OnFolderEvents(paths, overflow); },
        options_.log);
    if (watcher_->Start()) {
      watcher_->Watch(workspace_.root());
      for (const DatabaseEntry& e : workspace_.Databases()) watcher_->Watch(DirName(e.path));
    }
  }
  // Baseline snapshots for diffs.
  asio::post(changes_, [this, all, after_baseline = std::move(after_baseline)]() {
    Rescan(all, /*catalog_changed=*/false, /*baseline=*/true);
    after_baseline();
  });
}

void Server::OnFolderEvents(const std::set<std::string>& paths, bool overflow) {
  if (stopped_) return;
  const std::string root = workspace_.root();
  std::vector<DatabaseEntry> dbs = workspace_.Databases();
  std::set<std::string> affected;
  bool catalog_changed = overflow;
  for (const std::string& path : paths) {
    std::string dir = DirName(path);
    std::string base = BaseName(path);
    if (dir == root && (IsDatabaseFileName(base) || base == ".sdndb")) catalog_changed = true;
    for (const DatabaseEntry& e : dbs) {
      if (e.path == path) affected.insert(e.name);
    }
  }
  if (overflow) {
    for (const DatabaseEntry& e : dbs) affected.insert(e.name);
  }
  if (affected.empty() && !catalog_changed) return;
  asio::post(changes_, [this, affected, catalog_changed]() { Rescan(affected, catalog_changed, /*baseline=*/false); });
}

void Server::Rescan(std::set<std::string> databases, bool catalog_changed, bool baseline) {
  if (catalog_changed) {
    Status st = workspace_.Reload();
    if (!st.ok()) Log("reloading the catalog failed: " + st.message());
  }
  std::map<std::string, DatabaseEntry> now;
  for (const DatabaseEntry& e : workspace_.Databases()) now[e.name] = e;
  // Databases that appeared or vanished.
  for (const auto& [name, e] : now) {
    if (known_.count(name) == 0) {
      databases.insert(name);
      if (watcher_) asio::post(io_, [this, dir = DirName(e.path)]() {
        if (!stopped_ && watcher_) watcher_->Watch(dir);
      });
    }
  }
  for (const auto& [name, e] : known_) {
    if (now.count(name) == 0) databases.insert(name);
  }
  known_ = now;
  for (const std::string& name : databases) {
    std::shared_ptr<const Snapshot> fresh;
    auto entry = now.find(name);
    if (entry != now.end()) {
      auto snap = workspace_.Read(entry->second);
      if (snap.ok()) {
        fresh = snap.value();
      } else if (snap.status().code() != StatusCode::kNotFound) {
        Log("didChange: cannot read " + name + ": " + snap.status().message());
        continue;  // keep the old baseline until the file is readable again
      }
    }
    // The records table first (its notification also carries the conflict count), then every
    // other table of the file, or of the file as it was: one notification per changed table. The
    // records table is tracked under "", the others under their names; a file's records table may
    // change (renamed, removed, a table named like the file added), so each table is compared
    // with what it was under whichever key it had.
    std::shared_ptr<const Snapshot> old = Notified(name, "");
    const std::string records = fresh ? fresh->table : old ? old->table : std::string();
    std::vector<std::string> others;
    for (const auto* snap : {old.get(), fresh.get()}) {
      if (!snap) continue;
      for (const TableInfo& t : snap->tables) {
        if (t.name != records && std::find(others.begin(), others.end(), t.name) == others.end())
          others.push_back(t.name);
      }
    }
    auto before = [&](const std::string& table) { return old && old->table == table ? old : Notified(name, table); };
    // Read together: a changed file is parsed once for all its other tables, not once per table.
    std::map<std::string, std::shared_ptr<const Snapshot>> other_fresh;
    if (fresh && entry != now.end() && !others.empty()) {
      auto snaps = workspace_.ReadTables(entry->second, others);
      if (!snaps.ok()) {
        Log("didChange: cannot read the tables of " + name + ": " + snaps.status().message());
        continue;  // every baseline of the file stays until it is readable again
      }
      other_fresh = std::move(snaps.value());  // nullptr: the table is gone
    }
    const std::shared_ptr<const Snapshot> records_before = before(records);
    std::vector<std::pair<std::shared_ptr<const Snapshot>, std::shared_ptr<const Snapshot>>> other_snaps;
    for (const std::string& table : others) other_snaps.emplace_back(before(table), other_fresh[table]);
    SetNotified(name, "", fresh);
    SetNotified(name, records, nullptr);  // tracked under "" now
    for (size_t i = 0; i < others.size(); ++i) SetNotified(name, others[i], other_snaps[i].second);
    if (baseline) continue;
    const bool conflicts_changed = !old || !fresh || !SameConflicts(old->conflicts, fresh->conflicts);
    if ((records_before != fresh || old != fresh) && (records_before || fresh))
      NotifyTableChange(name, records_before, fresh, conflicts_changed);
    for (const auto& [was, is] : other_snaps) {
      if (was != is) NotifyTableChange(name, was, is, false);
    }
  }
}

std::shared_ptr<const Snapshot> Server::Notified(const std::string& database, const std::string& table) const {
  auto it = notified_.find(database + '\n' + table);
  return it == notified_.end() ? nullptr : it->second;
}

void Server::SetNotified(const std::string& database, const std::string& table,
                         std::shared_ptr<const Snapshot> snapshot) {
  if (snapshot) {
    notified_[database + '\n' + table] = std::move(snapshot);
  } else {
    notified_.erase(database + '\n' + table);
  }
}

void Server::NotifyTableChange(const std::string& database, const std::shared_ptr<const Snapshot>& old,
                               const std::shared_ptr<const Snapshot>& fresh, bool conflicts_changed) {
  Json changed = Json::array(), added = Json::array(), removed = Json::array();
  std::map<std::string_view, const RecordData*> before;
  if (old) {
    for (const RecordData& r : old->records) before[r.id] = &r;
  }
  if (fresh) {
    for (const RecordData& r : fresh->records) {
      auto b = before.find(r.id);
      if (b == before.end()) {
        added.push_back(r.id);
      } else {
        if (!SameRecord(*b->second, r)) changed.push_back(r.id);
        before.erase(b);
      }
    }
  }
  for (const auto& [id, r] : before) removed.push_back(std::string(id));
  if (changed.empty() && added.empty() && removed.empty() && !conflicts_changed) return;
  const Snapshot& any = fresh ? *fresh : *old;
  dispatcher_.Notify("sdndb/didChange", Json{{"database", database},
                                             {"table", any.table},
                                             {"changed", std::move(changed)},
                                             {"added", std::move(added)},
                                             {"removed", std::move(removed)},
                                             {"conflicts", fresh ? fresh->conflicts.size() : 0}});
}

}  // namespace sdndb::serve
