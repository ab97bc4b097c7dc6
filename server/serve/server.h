// Server: the sdndb methods (handlers calling the core), the lifecycle hooks and the
// didChange machinery, on top of rpc::Dispatcher. Transport-agnostic: Main wires it to stdio;
// tests and the fuzzer can feed it bytes.
//
// Threading: the dispatcher and the folder watcher run on the asio loop thread. Every call
// into the core (reads may parse big files, writes wait for locks and fsync; `initialize`'s
// discovery and catalog load) runs on a small worker pool; replies hop back to the loop through the dispatcher. didChange diffs run on a
// strand of the pool, in order.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <asio/io_context.hpp>
#include <asio/strand.hpp>
#include <asio/thread_pool.hpp>

#include "core/db/folder_conflicts.h"
#include "server/rpc/dispatcher.h"
#include "server/serve/watcher.h"
#include "server/serve/wire.h"
#include "server/serve/workspace.h"

namespace sdndb::serve {

struct ServerOptions {
  std::optional<std::string> dir;                  // --dir: fixed database folder
  std::function<void(const std::string&)> log;     // diagnostics sink (never stdout)
  int threads = 3;                                 // worker pool size
  std::chrono::milliseconds debounce{25};          // didChange debounce window
  bool watch = true;                               // inotify (off in the fuzzer)
};

class Server {
 public:
  // `send` writes one message body (loop thread); `exit` is called once with the exit code.
  Server(asio::io_context& io, ServerOptions options, std::function<void(std::string)> send,
         std::function<void(int)> exit);
  ~Server();

  rpc::Dispatcher& dispatcher() { return dispatcher_; }
  // Stops watching and waits for the worker pool (pending requests have been cancelled).
  void Stop();

 private:
  struct Answer;
  using Job = std::function<Answer(const rpc::CallContext&)>;

  void Register();
  void Submit(rpc::Reply reply, const rpc::CallContext& ctx, Job job);
  void Log(const std::string& message) const;

  void Initialize(const Json& params, rpc::Reply reply, const rpc::CallContext& ctx);
  Answer LoadWorkspace(const InitializeParams& p);  // pool: discovery, catalog, result
  Answer Databases(const rpc::CallContext& ctx);
  ConflictReader CachedConflicts();
  Answer List(const ListParams& p);
  Answer Get(const GetParams& p);
  Answer Create(const CreateParams& p, const rpc::CallContext& ctx);
  Answer Edit(const EditParams& p, const rpc::CallContext& ctx);
  Answer Delete(const DeleteParams& p, const rpc::CallContext& ctx);
  Answer Conflicts(const ConflictsParams& p);
  Answer Resolve(const ResolveParams& p, const rpc::CallContext& ctx);
  Answer Apply(const ApplyParams& p, const rpc::CallContext& ctx);
  // The error of a write on record `id` (a conflict carries the record as it is now).
  RpcError WriteError(const Status& status, const DatabaseEntry& db, const std::string& id);
  Json ApplyResultToJson(const ApplyParams& p, const ApplyResult& r, const DatabaseEntry& db);

  std::function<void(std::chrono::milliseconds, const std::string&)> LockWaitReporter(
      const rpc::CallContext& ctx, const std::string& database, std::shared_ptr<bool> announced);

  // didChange
  // Watches the root and the databases' folders, then takes the baseline snapshots on the
  // strand and calls `after_baseline` there (Initialize replies from it).
  void StartWatching(std::function<void()> after_baseline);
  void OnFolderEvents(const std::set<std::string>& paths, bool overflow);
  // Re-reads `databases` (and the catalog when it changed) and sends didChange for each
  // difference from the last notified snapshot. `baseline` (the first scan, from
  // StartWatching) records snapshots without notifying. Runs on the strand.
  void Rescan(std::set<std::string> databases, bool catalog_changed, bool baseline);

  asio::io_context& io_;
  ServerOptions options_;
  rpc::Dispatcher dispatcher_;
  asio::thread_pool pool_;
  asio::strand<asio::thread_pool::executor_type> changes_;
  Workspace workspace_;
  std::unique_ptr<FolderWatcher> watcher_;
  std::optional<Strategy> default_strategy_;
  // The snapshot each table's last didChange was computed from, by database and table ("" = the
  // records table).
  std::shared_ptr<const Snapshot> Notified(const std::string& database, const std::string& table) const;
  void SetNotified(const std::string& database, const std::string& table, std::shared_ptr<const Snapshot> snapshot);
  // Sends sdndb/didChange for one table when its ids changed (or, for the records table, when
  // the conflicts did). `old`/`fresh` may be null (file or table absent), not both.
  void NotifyTableChange(const std::string& database, const std::shared_ptr<const Snapshot>& old,
                         const std::shared_ptr<const Snapshot>& fresh, bool conflicts_changed);

  std::map<std::string, std::shared_ptr<const Snapshot>> notified_;  // strand only; key: database '\n' table
  std::map<std::string, DatabaseEntry> known_;                       // strand only
  bool stopped_ = false;
};

}  // namespace sdndb::serve
