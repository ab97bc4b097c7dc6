#include "server/serve/workspace.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/io/env.h"
#include "server/serve/status_map.h"
#include "server/serve/wire.h"

namespace sdndb::serve {

namespace {

// Reads a whole file; false if it cannot be read.
bool ReadAll(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > 0) out->reserve(static_cast<size_t>(st.st_size) + 1);
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

}  // namespace

Status Workspace::Load(const std::string& root) {
  auto cat = Catalog::Load(root);
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

std::optional<rpc::RpcError> Workspace::Resolve(const std::string& database, DatabaseEntry* out) const {
  Result<DatabaseEntry> entry = Status::NotFound("no database '" + database + "'");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (catalog_) entry = catalog_->Resolve(database);
  }
  if (entry.ok()) {
    *out = std::move(entry.value());
    return std::nullopt;
  }
  if (entry.status().code() == StatusCode::kInvalidArgument) return OutsideWorkspace(database);
  return rpc::RpcError(rpc::code::kNotFound, entry.status().message(),
                       rpc::Json{{"kind", "database"}, {"name", database}});
}

Result<std::shared_ptr<const Snapshot>> Workspace::Read(const DatabaseEntry& db) {
  std::string bytes;
  if (ReadAll(db.path, &bytes)) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(db.path);
    if (it != cache_.end() && it->second.bytes == bytes) return it->second.snapshot;
  }
  StoreOptions so;
  auto store = Store::Open(db.path, so);
  if (!store.ok()) return store.status();
  auto snap = store.value()->Read();
  if (!snap.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    cache_.erase(db.path);
    return snap.status();
  }
  auto shared = std::make_shared<const Snapshot>(std::move(snap.value()));
  // Cache only when the file did not change between our read and the store's.
  std::string after;
  if (!bytes.empty() && ReadAll(db.path, &after) && after == bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    cache_[db.path] = CacheEntry{std::move(bytes), shared};
  }
  return shared;
}

std::shared_ptr<const std::vector<std::string>> Workspace::RecordJson(
    const DatabaseEntry& db, const std::shared_ptr<const Snapshot>& snapshot) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(db.path);
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
  auto it = cache_.find(db.path);
  if (it != cache_.end() && it->second.snapshot == snapshot) it->second.record_json = json;
  return json;
}

Result<std::unique_ptr<Store>> Workspace::OpenStore(
    const DatabaseEntry& db, const std::atomic<bool>* cancel,
    std::function<void(std::chrono::milliseconds, const std::string&)> on_wait) const {
  StoreOptions so;
  {
    std::lock_guard<std::mutex> lock(mu_);
    so.lock.timeout = options_.lock_timeout;
    so.writer = options_.writer;
  }
  so.lock.tick = std::chrono::milliseconds(20);
  so.lock.program = "sdndb serve";
  so.lock.cancel = cancel;
  so.lock.on_wait = std::move(on_wait);
  so.strategy = db.strategy;
  return Store::Open(db.path, std::move(so));
}

}  // namespace sdndb::serve
