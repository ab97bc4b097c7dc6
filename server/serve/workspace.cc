#include "server/serve/workspace.h"

#include <time.h>

#include <algorithm>

#include "core/io/env.h"
#include "server/git/git_process.h"
#include "server/serve/status_map.h"
#include "server/serve/wire.h"

namespace sdndb::serve {

namespace {

// A file's identity and state, from what the Env says about it.
FileKey KeyOf(const FileInfo& info) {
  FileKey k;
  k.device = info.device;
  k.inode = info.inode;
  k.size = static_cast<int64_t>(info.size);
  k.mtime_ns = info.mtime_ns;
  k.ctime_ns = info.ctime_ns;
  return k;
}

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// A key may stand for the bytes read with it only when the file had not changed for a while
// when it was taken: a change in the same timestamp tick would otherwise keep every field of
// the key (the "racy clean" problem of git's index). Any later change sets ctime to the clock.
constexpr int64_t kSettledNs = int64_t{2} * 1000000000;

std::string CacheKey(const DatabaseEntry& db) { return db.table.empty() ? db.path : db.path + "\n" + db.table; }

}  // namespace

Status Workspace::Load(const std::string& root) {
  auto cat = Catalog::Load(root, options_.env);
  if (!cat.ok()) return cat.status();
  std::lock_guard<std::mutex> lock(mu_);
  catalog_ = std::move(cat.value());
  return Status::OK();
}

Status Workspace::Reload() { return Load(root()); }

std::string Workspace::root() const {
  std::lock_guard<std::mutex> lock(mu_);
  return catalog_ ? catalog_->root() : std::string();
}

std::vector<DatabaseEntry> Workspace::Databases() const {
  std::lock_guard<std::mutex> lock(mu_);
  return catalog_ ? catalog_->databases() : std::vector<DatabaseEntry>{};
}

void Workspace::set_lock_timeout(std::chrono::milliseconds t) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.lock_timeout = t;
}

std::optional<rpc::RpcError> Workspace::Resolve(const std::string& database, DatabaseEntry* out,
                                                const std::optional<std::string>& table) const {
  Result<DatabaseEntry> entry = Status::NotFound("no database '" + CapEcho(database) + "'");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (catalog_) entry = catalog_->Resolve(database);
  }
  if (entry.ok()) {
    *out = std::move(entry.value());
    if (table) out->table = *table;
    return std::nullopt;
  }
  if (entry.status().code() == StatusCode::kInvalidArgument) return OutsideWorkspace(database);
  return rpc::RpcError(rpc::code::kNotFound, entry.status().message(),
                       rpc::Json{{"kind", "database"}, {"name", CapEcho(database)}});
}

std::shared_ptr<Env> Workspace::FileEnv(Env** env) const {
  std::lock_guard<std::mutex> lock(mu_);
  *env = catalog_ ? catalog_->env() : options_.env;
  return catalog_ ? catalog_->env_owner() : nullptr;
}

Result<std::shared_ptr<const Snapshot>> Workspace::Read(const DatabaseEntry& db) {
  // Through the catalog's Env: confined to the root (Catalog::Confine), on every read.
  Env* env = nullptr;
  const std::shared_ptr<Env> keep = FileEnv(&env);
  // Fast path: an unchanged, settled file is not read at all.
  FileInfo info;
  if (env->Stat(db.path, &info).ok() && info.exists) {
    const FileKey key = KeyOf(info);
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(CacheKey(db));
    if (it != cache_.end() && it->second.settled && it->second.key == key) return it->second.snapshot;
  }
  // The key is taken from the descriptor the bytes are read from, before reading, so a change
  // during the read shows up as a different key next time.
  std::string bytes;
  Status st_read = env->ReadFileWithInfo(db.path, &bytes, &info);
  if (!st_read.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    cache_.erase(CacheKey(db));
    return st_read;
  }
  const FileKey key = KeyOf(info);
  const bool settled = NowNs() - std::max(key.mtime_ns, key.ctime_ns) > kSettledNs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(CacheKey(db));
    if (it != cache_.end() && *it->second.bytes == bytes) {
      it->second.key = key;
      it->second.settled = settled;
      return it->second.snapshot;
    }
  }
  // A miss: the snapshot is parsed from exactly the bytes that are cached with it.
  auto snap = Store::Parse(db.path, bytes, db.table);
  std::lock_guard<std::mutex> lock(mu_);
  if (!snap.ok()) {
    cache_.erase(CacheKey(db));
    return snap.status();
  }
  auto shared = std::make_shared<const Snapshot>(std::move(snap.value()));
  cache_[CacheKey(db)] = CacheEntry{std::make_shared<const std::string>(std::move(bytes)), key, settled, shared, nullptr};
  return shared;
}

Result<std::map<std::string, std::shared_ptr<const Snapshot>>> Workspace::ReadTables(
    const DatabaseEntry& db, const std::vector<std::string>& tables) {
  Env* env = nullptr;
  const std::shared_ptr<Env> keep = FileEnv(&env);
  std::map<std::string, std::shared_ptr<const Snapshot>> out;
  auto entry_of = [&db](const std::string& table) {
    DatabaseEntry e = db;
    e.table = table;
    return CacheKey(e);
  };
  // Fast path, as Read: every table cached from a settled, unchanged file.
  FileInfo info;
  if (env->Stat(db.path, &info).ok() && info.exists) {
    const FileKey key = KeyOf(info);
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& table : tables) {
      auto it = cache_.find(entry_of(table));
      if (it == cache_.end() || !it->second.settled || !(it->second.key == key)) break;
      out[table] = it->second.snapshot;
    }
    if (out.size() == tables.size()) return out;
    out.clear();
  }
  std::string bytes;
  Status st_read = env->ReadFileWithInfo(db.path, &bytes, &info);
  if (!st_read.ok()) return st_read;
  const FileKey key = KeyOf(info);
  const bool settled = NowNs() - std::max(key.mtime_ns, key.ctime_ns) > kSettledNs;
  std::vector<std::string> missing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& table : tables) {
      auto it = cache_.find(entry_of(table));
      if (it != cache_.end() && *it->second.bytes == bytes) {
        it->second.key = key;
        it->second.settled = settled;
        out[table] = it->second.snapshot;
      } else {
        missing.push_back(table);
      }
    }
  }
  if (missing.empty()) return out;
  auto parsed = Store::ParseTables(db.path, bytes, missing);
  const auto shared_bytes = std::make_shared<const std::string>(std::move(bytes));
  std::lock_guard<std::mutex> lock(mu_);
  if (!parsed.ok()) {
    for (const std::string& table : missing) cache_.erase(entry_of(table));
    return parsed.status();
  }
  for (const std::string& table : missing) {
    auto snap = parsed->find(table);
    if (snap == parsed->end()) {
      cache_.erase(entry_of(table));
      out[table] = nullptr;
      continue;
    }
    auto shared = std::make_shared<const Snapshot>(std::move(snap->second));
    cache_[entry_of(table)] = CacheEntry{shared_bytes, key, settled, shared, nullptr};
    out[table] = std::move(shared);
  }
  return out;
}

std::shared_ptr<const std::vector<std::string>> Workspace::RecordJson(
    const DatabaseEntry& db, const std::shared_ptr<const Snapshot>& snapshot) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(CacheKey(db));
    if (it != cache_.end() && it->second.snapshot == snapshot && it->second.record_json) {
      return it->second.record_json;
    }
  }
  auto json = std::make_shared<std::vector<std::string>>();
  json->reserve(snapshot->records.size());
  for (const RecordData& r : snapshot->records) {
    std::string s;
    s.reserve(64 + r.fields.size() * 24);
    AppendRecordJson(&s, r);
    json->push_back(std::move(s));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cache_.find(CacheKey(db));
  if (it != cache_.end() && it->second.snapshot == snapshot) it->second.record_json = json;
  return json;
}

Result<std::unique_ptr<Store>> Workspace::OpenStore(
    const DatabaseEntry& db, const std::atomic<bool>* cancel,
    std::function<void(std::chrono::milliseconds, const std::string&)> on_wait) const {
  StoreOptions so;
  so.env = options_.env;
  bool first_write = false;
  std::string root;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (catalog_) catalog_->Confine(&so);  // every operation stays inside the root
    so.lock.timeout = options_.lock_timeout;
    so.writer = options_.writer;
    if (catalog_) {
      root = catalog_->root();
      first_write = git_excluded_.insert(db.path).second;
    }
  }
  // The lock file this write creates stays out of `git status`, as with the CLI; checked once
  // per database and session, never above the root (docs/git.md).
  if (first_write) git::KeepSdndbFilesOutOfGit(db.path, root);
  so.lock.tick = std::chrono::milliseconds(20);
  so.lock.program = "sdndb serve";
  so.lock.cancel = cancel;
  so.lock.on_wait = std::move(on_wait);
  so.strategy = db.strategy;
  so.table = db.table;
  return Store::Open(db.path, std::move(so));
}

}  // namespace sdndb::serve
