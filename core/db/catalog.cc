#include "core/db/catalog.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>

#include "core/db/store.h"
#include "core/io/env.h"
#include "core/sdn/document.h"

namespace sdndb {

namespace {

bool EndsWith(const std::string& s, const char* suffix) {
  size_t n = std::char_traits<char>::length(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf)) return buf;
  return "";
}

bool IsDatabaseFileName(const std::string& name) { return EndsWith(name, "_db.sdn") && name.size() > 7; }

bool FolderHasDatabases(const std::string& dir) {
  struct stat st;
  if (stat((dir + "/.sdndb").c_str(), &st) == 0) return true;
  DIR* d = opendir(dir.c_str());
  if (!d) return false;
  bool found = false;
  while (dirent* e = readdir(d)) {
    if (IsDatabaseFileName(e->d_name)) {
      found = true;
      break;
    }
  }
  closedir(d);
  return found;
}

const sdn::Value* DictGet(const sdn::Value& dict, const std::string& key) {
  const sdn::Value* found = nullptr;
  for (const auto& [k, v] : dict.entries)
    if (k == key) found = &v;  // later keys win, as in SDN
  return found;
}

}  // namespace

Result<std::string> Catalog::Discover(const std::string& start) {
  std::string dir = RealPath(start);
  if (dir.empty()) return Status::NotFound("folder not found: " + start);
  for (;;) {
    if (FolderHasDatabases(dir)) return dir;
    if (dir == "/") break;
    dir = DirName(dir);
  }
  return Status::NotFound("no sdndb databases (*_db.sdn or .sdndb) in " + start +
                          " or its parents; use --dir DIR or run `sdndb init`");
}

Result<Catalog> Catalog::Load(const std::string& root) {
  Catalog cat;
  cat.root_ = RealPath(root);
  if (cat.root_.empty()) return Status::NotFound("folder not found: " + root);
  std::vector<std::string> names;
  SDNDB_RETURN_IF_ERROR(PosixEnv()->ListDir(cat.root_, &names));
  std::sort(names.begin(), names.end());
  for (const auto& n : names)
    if (IsDatabaseFileName(n)) cat.entries_.push_back({DatabaseNameFromPath(n), cat.root_ + "/" + n, Strategy::kMerge});

  std::string config_path = cat.root_ + "/.sdndb";
  std::string text;
  Status st = PosixEnv()->ReadFile(config_path, &text);
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
  cat.entries_.erase(std::remove_if(cat.entries_.begin(), cat.entries_.end(),
                                    [&](const DatabaseEntry& e) { return !cat.Contains(e.path); }),
                     cat.entries_.end());
  return cat;
}

const DatabaseEntry* Catalog::Find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

bool Catalog::Contains(const std::string& path) const {
  std::string real = RealPath(path);
  if (real.empty()) {
    // A file that does not exist yet: judge by its folder.
    std::string dir = RealPath(DirName(path));
    if (dir.empty()) return false;
    real = dir + "/" + BaseName(path);
  }
  return real.size() > root_.size() && real.compare(0, root_.size(), root_) == 0 && real[root_.size()] == '/';
}

}  // namespace sdndb
