#include "core/db/catalog.h"

#include <limits.h>
#include <stdlib.h>

#include <algorithm>

#include "core/db/store.h"
#include "core/io/confined_env.h"
#include "core/io/env.h"
#include "core/sdn/document.h"

namespace sdndb {

namespace {

bool EndsWith(const std::string& s, const char* suffix) {
  size_t n = std::char_traits<char>::length(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// realpath(3): every symlink and "..", in every component, resolved. Env::ResolvePath follows
// only the final component's links, which is not enough to confine paths to the root.
std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf)) return buf;
  return "";
}

bool FolderHasDatabases(Env* env, const std::string& dir) {
  FileInfo info;
  if (env->Stat(dir + "/.sdndb", &info).ok() && info.exists) return true;
  std::vector<std::string> names;
  if (!env->ListDir(dir, &names).ok()) return false;
  return std::any_of(names.begin(), names.end(), [](const std::string& n) { return IsDatabaseFileName(n); });
}

const sdn::Value* DictGet(const sdn::Value& dict, const std::string& key) {
  const sdn::Value* found = nullptr;
  for (const auto& [k, v] : dict.entries)
    if (k == key) found = &v;  // later keys win, as in SDN
  return found;
}

}  // namespace

bool IsDatabaseFileName(const std::string& name) { return name.size() > 7 && EndsWith(name, "_db.sdn"); }

Result<std::string> Catalog::Discover(const std::string& start, Env* env) {
  std::string dir = RealPath(start);
  if (dir.empty()) return Status::NotFound("folder not found: " + start);
  for (;;) {
    if (FolderHasDatabases(env, dir)) return dir;
    if (dir == "/") break;
    dir = DirName(dir);
  }
  return Status::NotFound("no sdndb databases (*_db.sdn or .sdndb) in " + start +
                          " or its parents; use --dir DIR or run `sdndb init`");
}

Result<Catalog> Catalog::Load(const std::string& root, Env* env) {
  Catalog cat;
  cat.root_ = RealPath(root);
  if (cat.root_.empty()) return Status::NotFound("folder not found: " + root);
  if (env == PosixEnv()) {
    // The real file system: confined to the root (a `.sdndb` that is a symlink leading out is
    // not read either). Other Envs (fault injection in tests) are used as given.
    auto confined = NewConfinedEnv(cat.root_);
    if (!confined.ok()) return confined.status();
    cat.confined_env_ = std::move(confined.value());
    env = cat.confined_env_.get();
  }
  cat.env_ = env;
  std::vector<std::string> names;
  SDNDB_RETURN_IF_ERROR(env->ListDir(cat.root_, &names));
  std::sort(names.begin(), names.end());
  for (const auto& n : names)
    if (IsDatabaseFileName(n)) cat.entries_.push_back({DatabaseNameFromPath(n), cat.root_ + "/" + n, Strategy::kMerge});

  std::string config_path = cat.root_ + "/.sdndb";
  std::string text;
  Status st = env->ReadFile(config_path, &text);
  if (st.ok()) {
    sdn::ParseOptions po;
    po.file_name = ".sdndb";
    auto doc = sdn::Document::Parse(std::move(text), po);
    if (!doc.ok()) return doc.status();
    sdn::Value v = doc.value()->ToValue();
    Strategy def = Strategy::kMerge;
    if (const sdn::Value* s = DictGet(v, "strategy"); s && s->kind == sdn::Value::Kind::kString) {
      auto parsed = ParseStrategy(s->s);
      if (!parsed.ok()) return Status::InvalidArgument(".sdndb: " + parsed.status().message());
      def = parsed.value();
    }
    cat.default_strategy_ = def;
    for (auto& e : cat.entries_) e.strategy = def;
    if (const sdn::Value* dbs = DictGet(v, "databases"); dbs && dbs->kind == sdn::Value::Kind::kDict) {
      for (const auto& entry : dbs->entries) {
        const std::string& name = entry.first;
        const sdn::Value& pv = entry.second;
        if (pv.kind != sdn::Value::Kind::kString)
          return Status::InvalidArgument(".sdndb: database '" + name + "' needs a path");
        std::string p = pv.s;
        if (p.empty() || p[0] != '/') p = cat.root_ + "/" + p;
        if (!cat.Contains(p))
          return Status::InvalidArgument(".sdndb: database '" + name + "' (" + pv.s + ") is outside " + cat.root_);
        auto it = std::find_if(cat.entries_.begin(), cat.entries_.end(), [&](const DatabaseEntry& e) { return e.name == name; });
        if (it != cat.entries_.end()) it->path = p;
        else cat.entries_.push_back({name, p, def});
      }
    }
    if (const sdn::Value* ss = DictGet(v, "strategies"); ss && ss->kind == sdn::Value::Kind::kDict) {
      for (const auto& [name, sv] : ss->entries) {
        auto parsed = ParseStrategy(sv.s);
        if (!parsed.ok()) return Status::InvalidArgument(".sdndb: " + parsed.status().message());
        for (auto& e : cat.entries_)
          if (e.name == name) e.strategy = parsed.value();
      }
    }
  } else if (st.code() != StatusCode::kNotFound) {
    return st;
  }
  // Symlinked database files that point outside the root are not served.
  std::vector<DatabaseEntry> kept;
  for (DatabaseEntry& e : cat.entries_) {
    std::string canonical = Canonical(e.path);
    if (!cat.InsideRoot(canonical)) continue;
    kept.push_back(std::move(e));
    cat.canonical_.push_back(std::move(canonical));
  }
  cat.entries_ = std::move(kept);
  return cat;
}

const DatabaseEntry* Catalog::Find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

std::string Catalog::Canonical(const std::string& path) {
  std::string real = RealPath(path);
  if (!real.empty()) return real;
  // A file that does not exist yet: judge by its folder.
  std::string dir = RealPath(DirName(path));
  if (dir.empty()) return "";
  return dir + "/" + BaseName(path);
}

bool Catalog::InsideRoot(const std::string& canonical) const {
  return canonical.size() > root_.size() && canonical.compare(0, root_.size(), root_) == 0 &&
         canonical[root_.size()] == '/';
}

bool Catalog::Contains(const std::string& path) const { return InsideRoot(Canonical(path)); }

void Catalog::Confine(StoreOptions* o) const {
  o->env = env_;
  o->env_owner = confined_env_;
  o->lock.root = root_;
}

Result<DatabaseEntry> Catalog::Resolve(const std::string& name_or_path) const {
  auto whole = ResolveFile(name_or_path);
  if (whole.ok() || whole.status().code() != StatusCode::kNotFound) return whole;
  const size_t dot = name_or_path.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name_or_path.size()) return whole;
  auto db = ResolveFile(name_or_path.substr(0, dot));
  if (!db.ok()) return db.status().code() == StatusCode::kNotFound ? whole : db;
  db.value().table = name_or_path.substr(dot + 1);
  return db;
}

Result<DatabaseEntry> Catalog::ResolveFile(const std::string& name_or_path) const {
  if (const DatabaseEntry* e = Find(name_or_path)) return *e;
  Status not_found = Status::NotFound("no database '" + CapEcho(name_or_path) + "'");
  const bool looks_like_path = name_or_path.find('/') != std::string::npos || EndsWith(name_or_path, ".sdn");
  if (name_or_path.empty() || !looks_like_path) return not_found;
  const std::string path = name_or_path[0] == '/' ? name_or_path : root_ + "/" + name_or_path;
  const std::string real = RealPath(path);
  if (!InsideRoot(real.empty() ? Canonical(path) : real)) {
    return Status::InvalidArgument("path is outside the workspace: " + CapEcho(name_or_path));
  }
  if (real.empty()) return not_found;  // only existing files are opened by path
  for (size_t i = 0; i < entries_.size(); ++i)
    if (canonical_[i] == real) return entries_[i];
  if (!EndsWith(real, ".sdn")) return not_found;
  return DatabaseEntry{DatabaseNameFromPath(real), real, default_strategy_, ""};
}

}  // namespace sdndb
