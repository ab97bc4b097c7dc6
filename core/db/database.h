// Database<T>: a typed view of a Store. A record type is a struct deriving from RecordBase plus
// a RecordTraits<T> specialisation listing its columns (see core/db/records.h: todo, feature,
// task; tests/db/database_test.cc adds a new type in a few lines).
//
// Reads take no lock. Update() is optimistic: it reads a snapshot, lets the caller change a
// copy, and sends only the changed fields with the snapshot as base, so a concurrent change
// to other fields merges and a concurrent change to the same field follows the strategy.
// All methods block (lock waits) and return Status/Result; see core/db/store.h for errors.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/db/store.h"

namespace sdndb {

struct RecordBase {
  std::string id;
  int64_t version = 0;
  std::string modified;
};

// FieldMap<T>: column name <-> member, for string, int64_t and bool members.
template <typename T>
class FieldMap {
 public:
  FieldMap& Text(std::string column, std::string T::*member) {
    fields_.push_back({std::move(column), [member](const T& t) { return t.*member; },
                       [member](T& t, const std::string& v) { t.*member = v; return true; }});
    return *this;
  }
  FieldMap& Int(std::string column, int64_t T::*member) {
    fields_.push_back({std::move(column), [member](const T& t) { return std::to_string(t.*member); },
                       [member](T& t, const std::string& v) {
                         if (v.empty()) return (t.*member = 0, true);
                         char* end = nullptr;
                         long long n = std::strtoll(v.c_str(), &end, 10);
                         if (!end || *end) return false;
                         t.*member = n;
                         return true;
                       }});
    return *this;
  }
  FieldMap& Bool(std::string column, bool T::*member) {
    fields_.push_back({std::move(column), [member](const T& t) { return std::string(t.*member ? "true" : "false"); },
                       [member](T& t, const std::string& v) {
                         if (v != "true" && v != "false" && !v.empty()) return false;
                         t.*member = v == "true";
                         return true;
                       }});
    return *this;
  }

  Result<T> FromRecord(const RecordData& r) const {
    T t;
    t.id = r.id;
    t.version = r.version;
    t.modified = r.modified;
    for (const auto& f : fields_) {
      const std::string* v = r.Get(f.column);
      if (v && !f.set(t, *v))
        return Status::InvalidArgument("record '" + r.id + "': field '" + f.column + "' has bad value '" + *v + "'");
    }
    return t;
  }
  FieldList ToFields(const T& t) const {
    FieldList out;
    for (const auto& f : fields_) out.emplace_back(f.column, f.get(t));
    return out;
  }

 private:
  struct Field {
    std::string column;
    std::function<std::string(const T&)> get;
    std::function<bool(T&, const std::string&)> set;
  };
  std::vector<Field> fields_;
};

// Specialise for each record type: static const FieldMap<T>& Map();
template <typename T>
struct RecordTraits;

// DynamicRecord serves any table: its fields are whatever columns the file has.
struct DynamicRecord : RecordBase {
  FieldList fields;
  const std::string* Get(std::string_view f) const { return FindField(fields, f); }
};

template <typename T>
struct Converter {
  static Result<T> From(const RecordData& r) { return RecordTraits<T>::Map().FromRecord(r); }
  static FieldList To(const T& t) { return RecordTraits<T>::Map().ToFields(t); }
};
template <>
struct Converter<DynamicRecord> {
  static Result<DynamicRecord> From(const RecordData& r) {
    DynamicRecord d;
    d.id = r.id;
    d.version = r.version;
    d.modified = r.modified;
    d.fields = r.fields;
    return d;
  }
  static FieldList To(const DynamicRecord& d) { return d.fields; }
};

template <typename T>
class Database {
 public:
  static Result<Database<T>> Open(const std::string& path, StoreOptions options = {}) {
    auto store = Store::Open(path, std::move(options));
    if (!store.ok()) return store.status();
    return Database<T>(std::move(store.value()));
  }

  Store& store() { return *store_; }

  Result<std::vector<T>> All() const {
    auto snap = store_->Read();
    if (!snap.ok()) return snap.status();
    std::vector<T> out;
    out.reserve(snap->records.size());
    for (const auto& r : snap->records) {
      auto t = Converter<T>::From(r);
      if (!t.ok()) return t.status();
      out.push_back(std::move(t.value()));
    }
    return out;
  }

  Result<T> Get(const std::string& id) const {
    auto r = store_->Get(id);
    if (!r.ok()) return r.status();
    return Converter<T>::From(r.value());
  }

  Result<T> Create(const T& record) {
    FieldList fields = Converter<T>::To(record);
    // Typed field maps do not list `id`; a dynamic record may. Either way the caller's id is used.
    bool has_id = false;
    for (auto& [k, v] : fields)
      if (k == "id") v = record.id, has_id = true;
    if (!has_id && !record.id.empty()) fields.emplace_back("id", record.id);
    auto created = store_->Create(fields);
    if (!created.ok()) return created.status();
    return Converter<T>::From(created.value());
  }

  // Reads the record, applies `mutate` to a copy and stores the changed fields (see header).
  Result<EditResult> Update(const std::string& id, const std::function<void(T&)>& mutate,
                            std::optional<Strategy> strategy = std::nullopt) {
    auto current = store_->Get(id);
    if (!current.ok()) return current.status();
    auto before = Converter<T>::From(current.value());
    if (!before.ok()) return before.status();
    T after = before.value();
    mutate(after);
    EditRequest req;
    req.id = id;
    req.strategy = strategy;
    EditBase base;
    base.version = current->version;
    for (const auto& [k, v] : Converter<T>::To(before.value())) base.fields[k] = v;
    for (const auto& [k, v] : Converter<T>::To(after)) {  // matched by name: fields may come and go
      auto was = base.fields.find(k);
      if (was == base.fields.end() || was->second != v) req.changes.emplace_back(k, v);
    }
    req.base = std::move(base);
    return store_->Edit(req);
  }

  Result<DeleteResult> Delete(const std::string& id, std::optional<int64_t> base_version = std::nullopt) {
    return store_->Delete(id, base_version);
  }

 private:
  explicit Database(std::unique_ptr<Store> store) : store_(std::move(store)) {}
  std::shared_ptr<Store> store_;
};

}  // namespace sdndb
