#include "core/db/store.h"


#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <cstdlib>

#include "core/db/db_file.h"
#include "core/db/hlc.h"
#include "core/db/merge.h"
#include "core/io/crc32.h"
#include "core/sdn/document.h"

namespace sdndb {

namespace {

enum class ColumnType { kText, kInt, kBool };

// The open document of one transaction and the positions of the engine's columns in its table.
struct TxDoc {
  std::unique_ptr<sdn::Document> doc;
  std::string db_name;
  sdn::Table* table = nullptr;
  int id_col = 0;
  int version_col = -1;  // sdndb's metadata columns, -1 unless the table is versioned
  int modified_col = -1;
  bool sealed = false;
  std::vector<std::pair<std::string, std::string>> deleted;  // (table, key) removed in this tx

  // Works on `t` from now on (the conflict of a Resolve may be about another table).
  void Use(sdn::Table* t) {
    table = t;
    id_col = IdColumn(*t);
    const bool versioned = IsVersionedTable(*t);
    version_col = versioned ? t->ColumnIndex(kVersionColumn) : -1;
    modified_col = versioned ? t->ColumnIndex(kModifiedColumn) : -1;
    styles.clear();
    keys.reset();
  }
  bool versioned() const { return version_col >= 0; }
  bool IsMetadata(int c) const { return c >= 0 && (c == version_col || c == modified_col); }
  std::string Where() const { return db_name + (table == RecordsTable(*doc, db_name) ? "" : "." + table->name()); }

  mutable std::optional<RowKeys> keys;  // built on first use; reset when rows come and go
  const RowKeys& Keys() const {
    if (!keys) keys.emplace(*table, static_cast<size_t>(id_col));
    return *keys;
  }
  Result<size_t> Locate(const std::string& ref) const {
    return LocateRow(*table, static_cast<size_t>(id_col), Keys(), ref, Where());
  }

  RecordData Record(size_t row) const {
    RecordData r;
    const auto& cols = table->columns();
    r.fields.reserve(cols.size());
    for (size_t c = 0; c < cols.size(); ++c) {
      if (static_cast<int>(c) == version_col) {
        int64_t v = 0;
        ParseInt64(table->Cell(row, c), &v);
        r.version = v;
      } else if (static_cast<int>(c) == modified_col) {
        r.modified = table->Cell(row, c);
      } else {
        r.fields.emplace_back(cols[c], table->Cell(row, c));
      }
    }
    r.id = Keys().Address(row);
    r.line = table->RowLine(row);
    r.position = static_cast<int>(row) + 1;
    r.etag = RowEtag(*table, row);
    return r;
  }

  // How a column's values are written, inferred once per transaction from its cells: integer or
  // boolean columns take only such values; text columns whose cells are mostly quoted stay quoted.
  // `""` says "no value" in every column (e.g. a freshly appended row) and is not counted.
  struct ColumnStyle {
    ColumnType type = ColumnType::kText;
    bool quoted = false;
  };
  mutable std::vector<std::optional<ColumnStyle>> styles;

  const ColumnStyle& StyleOf(size_t col) const {
    if (styles.size() <= col) styles.resize(col + 1);
    if (styles[col]) return *styles[col];
    bool any = false, all_int = true, all_bool = true;
    size_t quoted = 0, other = 0;
    for (size_t r = 0; r < table->row_count(); ++r) {
      sdn::CellKind k = table->Kind(r, col);
      if (k == sdn::CellKind::kEmpty || (k == sdn::CellKind::kQuoted && table->RawCell(r, col) == "\"\"")) continue;
      any = true;
      all_int &= k == sdn::CellKind::kInt;
      all_bool &= k == sdn::CellKind::kBool;
      (k == sdn::CellKind::kQuoted ? quoted : other)++;
      if (!all_int && !all_bool && quoted + other >= 64) break;  // enough to judge the quoting
    }
    ColumnStyle style;
    if (any) style.type = all_int ? ColumnType::kInt : all_bool ? ColumnType::kBool : ColumnType::kText;
    style.quoted = quoted > other;
    styles[col] = style;
    return *styles[col];
  }

  // The spelling of `value` in column `col`, or InvalidArgument when it does not fit the
  // column's type (inferred from the existing cells).
  Result<std::string> Spell(size_t col, const std::string& value) const {
    const std::string& name = table->columns()[col];
    const ColumnStyle& style = StyleOf(col);
    switch (style.type) {
      case ColumnType::kInt: {
        int64_t v;
        if (value.empty()) return std::string();
        if (!ParseInt64(value, &v))
          return Status::InvalidArgument("field '" + name + "' expects an integer, got '" + value + "'");
        return std::to_string(v);
      }
      case ColumnType::kBool:
        if (value == "true" || value == "false") return value;
        if (value.empty()) return std::string();
        return Status::InvalidArgument("field '" + name + "' expects true or false, got '" + value + "'");
      case ColumnType::kText:
        break;
    }
    return style.quoted ? sdn::QuoteString(value) : sdn::CanonicalCell(value);
  }

  Status UnknownField(const std::string& field) const {
    return Status::InvalidArgument("unknown field '" + field + "' in database table '" + table->name() + "'");
  }

  // The column of a user field, or InvalidArgument.
  Result<size_t> UserColumn(const std::string& field) const {
    int col = table->ColumnIndex(field);
    if (col < 0 || IsMetadata(col)) return UnknownField(field);
    return static_cast<size_t>(col);
  }

  // Every (column, spelling) of `fields`, checked before anything is changed, so a bad value
  // leaves the document untouched.
  Result<std::vector<std::pair<size_t, std::string>>> SpellAll(const FieldList& fields) const {
    std::vector<std::pair<size_t, std::string>> out;
    for (const auto& [k, v] : fields) {
      auto col = UserColumn(k);
      if (!col.ok()) return col.status();
      auto spelled = Spell(col.value(), v);
      if (!spelled.ok()) return spelled.status();
      out.emplace_back(col.value(), std::move(spelled.value()));
    }
    return out;
  }
  void SetAll(size_t row, const std::vector<std::pair<size_t, std::string>>& spelled) {
    for (const auto& [c, s] : spelled) table->SetCellRaw(row, c, s);
  }

  // Version +1 and a fresh `modified`, in a versioned table only.
  void Stamp(size_t row, int64_t version, const std::string& modified) {
    if (!versioned()) return;
    table->SetCellRaw(row, static_cast<size_t>(version_col), std::to_string(version));
    table->SetCellRaw(row, static_cast<size_t>(modified_col), sdn::QuoteString(modified));
  }

  std::string MaxModified() const {
    std::string best;
    if (modified_col < 0) return best;
    for (size_t r = 0; r < table->row_count(); ++r) {
      std::string m = table->Cell(r, static_cast<size_t>(modified_col));
      if (m > best) best = std::move(m);
    }
    return best;
  }

  size_t AppendRow() {
    keys.reset();
    return table->AppendRow(std::vector<std::string>(table->columns().size()));
  }
  void RemoveRow(size_t row) {
    deleted.emplace_back(table->name(), table->Cell(row, static_cast<size_t>(id_col)));
    keys.reset();
    table->RemoveRow(row);
  }

  ConflictTable Conflicts() { return ConflictTable(doc.get(), RecordsTable(*doc, db_name)); }
};

// Next id following the table's id style: max numeric id + 1 when every id is a number, else
// the most common PREFIX<digits> pattern (ties: the higher number) continued, zero-padded as it is.
// `held` are ids that may still be held by a client although no row has them (deleted ids from
// the held-ids file, records named by conflicts): the new id is greater than those too, so an
// id is never handed out twice while someone may still refer to it.
std::string NextId(const sdn::Table& t, size_t id_col, const std::vector<std::string>& held) {
  struct Pattern {
    size_t count = 0, width = 0;
    int64_t max = 0;
  };
  std::map<std::string, Pattern> patterns;
  int64_t max_num = 0;
  bool all_numeric = true;
  auto see = [&](const std::string& id, bool counts) {
    int64_t n;
    if (ParseInt64(id, &n)) {
      max_num = std::max(max_num, n);
      return;
    }
    if (counts) all_numeric = false;
    size_t d = id.size();
    while (d > 0 && id[d - 1] >= '0' && id[d - 1] <= '9') --d;
    int64_t suffix;
    if (d == id.size() || !ParseInt64(std::string_view(id).substr(d), &suffix)) return;
    if (!counts && patterns.count(id.substr(0, d)) == 0) return;  // a held id does not make a style
    Pattern& p = patterns[id.substr(0, d)];
    if (counts) ++p.count;
    if (suffix >= p.max) p.max = suffix, p.width = std::max(p.width, id.size() - d);
  };
  for (size_t r = 0; r < t.row_count(); ++r) see(t.Cell(r, id_col), true);
  for (const std::string& id : held) see(id, false);
  auto best = patterns.end();
  for (auto it = patterns.begin(); it != patterns.end(); ++it)
    if (best == patterns.end() || it->second.count > best->second.count ||
        (it->second.count == best->second.count && it->second.max > best->second.max))
      best = it;
  if (all_numeric || best == patterns.end()) {
    int64_t n = max_num + 1;
    while (t.FindRow(std::to_string(n), id_col) >= 0) ++n;
    return std::to_string(n);
  }
  for (int64_t n = best->second.max + 1;; ++n) {
    std::string digits = std::to_string(n);
    if (digits.size() < best->second.width) digits.insert(0, best->second.width - digits.size(), '0');
    std::string id = best->first + digits;
    if (t.FindRow(id, id_col) < 0) return id;
  }
}

// The held-ids file next to a database (`X_db.sdn.sdndb-ids`, like the lock file never part of
// the database): one `table<TAB>id` line per (table, id prefix) with the highest id deleted so
// far, so a deleted id is not generated again even when it was the highest of its table.
std::string HeldIdsPath(const std::string& target) { return target + ".sdndb-ids"; }

// (prefix of the id's trailing digits, their value); value -1 when the id has no digits.
std::pair<std::string, int64_t> SplitId(const std::string& id) {
  size_t d = id.size();
  while (d > 0 && id[d - 1] >= '0' && id[d - 1] <= '9') --d;
  int64_t n = -1;
  if (d == id.size() || !ParseInt64(std::string_view(id).substr(d), &n)) return {id, -1};
  return {id.substr(0, d), n};
}

using HeldIds = std::vector<std::pair<std::string, std::string>>;  // (table, id)

HeldIds ReadHeldIds(Env* env, const std::string& target) {
  HeldIds out;
  std::string text;
  if (!env->ReadFile(HeldIdsPath(target), &text).ok()) return out;  // absent or unreadable: none
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    size_t tab = line.find('\t');
    if (tab != std::string::npos) out.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return out;
}

// Adds the ids deleted by a transaction to the held-ids file (highest per table and prefix).
// Not fsynced: it is written before the database itself, and losing it to a power cut only
// weakens the guarantee for ids deleted just before (docs/storage.md).
Status RecordHeldIds(Env* env, const std::string& target, const HeldIds& deleted) {
  HeldIds held = ReadHeldIds(env, target);
  bool changed = false;
  for (const auto& [table, id] : deleted) {
    auto [prefix, n] = SplitId(id);
    if (n < 0) continue;  // ids without digits are never generated
    bool found = false;
    for (auto& [t, h] : held) {
      auto [hp, hn] = SplitId(h);
      if (t != table || hp != prefix) continue;
      found = true;
      if (n > hn) h = id, changed = true;
    }
    if (!found) held.emplace_back(table, id), changed = true;
  }
  if (!changed) return Status::OK();
  std::string text;
  for (const auto& [t, h] : held) text += t + "\t" + h + "\n";
  AtomicWriteOptions o;
  o.durable = false;
  return ReplaceFileAtomically(env, HeldIdsPath(target), text, o);
}

}  // namespace

const char* EditOutcomeName(EditOutcome o) {
  switch (o) {
    case EditOutcome::kApplied: return "applied";
    case EditOutcome::kMerged: return "merged";
    case EditOutcome::kConflict: return "conflict";
    case EditOutcome::kUnchanged: return "unchanged";
  }
  return "applied";
}

const RecordData* Snapshot::Find(std::string_view id) const {
  if (size_t n = PositionRef(id)) return n <= records.size() ? &records[n - 1] : nullptr;
  for (const auto& r : records)
    if (r.id == id) return &r;
  return nullptr;
}

Result<const RecordData*> Snapshot::Locate(const std::string& ref) const {
  if (size_t n = PositionRef(ref)) {
    if (n <= records.size()) return &records[n - 1];
    return Status::NotFound("no record '" + CapEcho(ref) + "' in " + table);
  }
  auto key_it = std::find(columns.begin(), columns.end(), id_column);
  const size_t key = static_cast<size_t>(key_it - columns.begin());
  std::vector<const RecordData*> found;
  for (const auto& r : records)
    if (key < r.fields.size() && r.fields[key].second == ref) found.push_back(&r);
  if (found.empty()) return Status::NotFound("no record '" + CapEcho(ref) + "' in " + table);
  if (found.size() == 1) return found[0];
  std::string lines, refs;
  for (const RecordData* r : found) {
    lines += (lines.empty() ? "" : ", ") + std::to_string(r->line);
    refs += (refs.empty() ? "" : ", ") + ("@" + std::to_string(r->position));
  }
  return Status::InvalidArgument("record '" + CapEcho(ref) + "' is not unique in " + table + ": " +
                                 std::to_string(found.size()) + " rows have that key (lines " + lines +
                                 "); address one as " + refs + " with its etag");
}

std::string DatabaseNameFromPath(const std::string& path) {
  std::string base = BaseName(path);
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".sdn") == 0) base.resize(base.size() - 4);
  if (base.size() > 3 && base.compare(base.size() - 3, 3, "_db") == 0) base.resize(base.size() - 3);
  return base;
}

Store::Store(std::string path, std::string name, StoreOptions options)
    : path_(std::move(path)), name_(std::move(name)), options_(std::move(options)) {
  if (!options_.env) options_.env = PosixEnv();
  if (options_.writer.empty()) options_.writer = DefaultWriter();
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, StoreOptions options) {
  if (path.empty()) return Status::InvalidArgument("empty database path");
  return std::unique_ptr<Store>(new Store(path, DatabaseNameFromPath(path), std::move(options)));
}

namespace {

// Parses the text of database `path` into a transaction document working on `table_name`.
Result<TxDoc> DocFromText(const std::string& path, std::string text, const std::string& table_name) {
  TxDoc tx;
  tx.sealed = HasCrcSeal(text);
  auto doc = ParseDatabaseText(std::move(text), BaseName(path));
  if (!doc.ok()) return doc.status();
  tx.doc = std::move(doc.value());
  tx.db_name = DatabaseNameFromPath(path);
  auto table = SelectTable(*tx.doc, tx.db_name, table_name);
  if (!table.ok()) {
    // No table because the one there is malformed (an unclosed header, ...): the file is broken.
    if (table_name.empty() && !tx.doc->problems().empty()) return Status::ParseError(tx.doc->problems()[0].report);
    return Status(table.status().code(), BaseName(path) + ": " + table.status().message());
  }
  if (table.value()->columns().empty())
    return Status::InvalidArgument(BaseName(path) + ": table '" + table.value()->name() + "' has no columns");
  tx.Use(table.value());
  return tx;
}

std::atomic<bool>& CleanedFlag(const std::string& path) {
  // Temp clean-up runs once per database per process.
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<std::atomic<bool>>> flags;
  std::lock_guard<std::mutex> g(mu);
  auto& f = flags[path];
  if (!f) f = std::make_unique<std::atomic<bool>>(false);
  return *f;
}

// One write transaction: lock, read fresh, apply `fn`, and replace the file if `fn` changed it.
// The lock, the read and the write all use the file itself (symlinks resolved), so a database
// reached through a link and through its target shares one lock.
template <typename Fn>
Status RunTransaction(const StoreOptions& options, const std::string& path, Fn&& fn) {
  Env* env = options.env;
  std::string target;
  if (!env->ResolvePath(path, &target).ok()) target = path;
  auto lock = FileLock::Acquire(target, options.lock);
  if (!lock.ok()) return lock.status();
  if (!CleanedFlag(target).exchange(true)) {
    int removed = 0;
    CleanupTempFiles(env, target, &removed);  // best effort: only our temp names, under the lock
  }
  std::string text;
  SDNDB_RETURN_IF_ERROR(env->ReadFile(target, &text));
  auto tx = DocFromText(path, std::move(text), options.table);
  if (!tx.ok()) return tx.status();
  HybridClock::Global().Observe(tx->MaxModified());
  bool changed = false;
  SDNDB_RETURN_IF_ERROR(fn(tx.value(), env, target, &changed));
  if (!changed) return Status::OK();
  if (!tx->deleted.empty()) SDNDB_RETURN_IF_ERROR(RecordHeldIds(env, target, tx->deleted));
  std::string bytes = tx->doc->Serialize();
  if (tx->doc->problem_count() > 0) {
    // A malformed row kept as it is can read differently once the rows around it change (a
    // quote it leaves open pairs with a later one): never write what no longer reads as before.
    auto check = sdn::Document::Parse(bytes);
    if (!check.ok() || !sdn::SameTablesAndProblems(*tx->doc, *check.value())) {
      return Status::InvalidArgument(
          BaseName(path) + ": this change would alter how its malformed rows read; fix them first (sdndb check)");
    }
  }
  if (tx->sealed) bytes = ResealCrc(bytes);
  // The folder fsync stays under the lock: if it fails, the original is restored before any
  // other writer can build on the new content (see core/io/atomic_file.h).
  return ReplaceFileAtomically(env, target, bytes, options.write);
}

// Ids a generated id must stay above: deleted ids of the held-ids file and records named by
// conflicts, of the transaction's table. Loaded on first use.
struct HeldIdsCache {
  Env* env;
  std::string target;
  std::optional<std::vector<std::string>> ids;
  const std::vector<std::string>& For(TxDoc& tx) {
    if (ids) return *ids;
    ids.emplace();
    for (const auto& [t, id] : ReadHeldIds(env, target))
      if (t == tx.table->name()) ids->push_back(id);
    for (const Conflict& c : tx.Conflicts().All())
      if (c.table == tx.table->name()) ids->push_back(c.record);
    for (const auto& [t, id] : tx.deleted)  // deleted earlier in this transaction
      if (t == tx.table->name()) ids->push_back(id);
    return *ids;
  }
};

Status NeedsMetadata(const TxDoc& tx, Strategy strategy) {
  if (strategy != Strategy::kLastModifiedWins || tx.versioned()) return Status::OK();
  return Status::InvalidArgument("strategy last-modified-wins needs modification times, and table '" +
                                 tx.table->name() + "' of " + tx.db_name +
                                 " has no version/modified columns (add them with: sdndb migrate --versions " +
                                 tx.Where() + ")");
}

// A base that says something (etag, field values, or a version in a versioned table).
bool HasBase(const TxDoc& tx, const EditBase& b) {
  return !b.etag.empty() || !b.fields.empty() || (tx.versioned() && b.version > 0);
}

bool IsStale(const TxDoc& tx, const EditBase& b, const RecordData& current) {
  if (!b.etag.empty()) return b.etag != current.etag;
  if (tx.versioned()) return b.version != current.version;
  for (const auto& [k, v] : b.fields)
    if (const std::string* cur = current.Get(k); cur && *cur != v) return true;
  return false;
}

Status StaleAtPosition(const TxDoc& tx, const std::string& ref, const RecordData& current) {
  return Status::Conflict("row " + CapEcho(ref) + " of " + tx.Where() + " is not the row the write was based on (its etag is now " +
                          current.etag + "); nothing written");
}

Status EtagRequired(const std::string& ref) {
  return Status::InvalidArgument("a write through '" + CapEcho(ref) +
                                 "' (a row without a unique key) must carry the row's etag (--expect ETAG, base.etag)");
}

// Values are stored exactly as given; a NUL byte cannot be (SDN text has none), so it is refused
// instead of being changed.
Status CheckNoNul(const FieldList& fields) {
  for (const auto& [k, v] : fields) {
    if (k.find('\0') != std::string::npos || v.find('\0') != std::string::npos)
      return Status::InvalidArgument("field '" + k + "': a value cannot contain a NUL byte");
  }
  return Status::OK();
}

Result<RecordData> CreateIn(TxDoc& tx, const FieldList& fields, HeldIdsCache& held) {
  SDNDB_RETURN_IF_ERROR(CheckNoNul(fields));
  sdn::Table& t = *tx.table;
  const size_t id_col = static_cast<size_t>(tx.id_col);
  std::vector<bool> given(t.columns().size(), false);
  std::string id;
  bool has_id = false;
  for (const auto& [k, v] : fields) {
    auto c = tx.UserColumn(k);
    if (!c.ok()) return c.status();
    given[c.value()] = true;
    if (c.value() == id_col) id = v, has_id = true;
  }
  // Keys are generated, and must be new, only in a table whose keys are unique.
  const bool keyed = tx.Keys().Duplicates().empty();
  if (keyed && !has_id) id = NextId(t, id_col, held.For(tx));
  if (keyed && !id.empty() && tx.Keys().Count(id) > 0)
    return Status::InvalidArgument("record '" + CapEcho(id) + "' already exists");
  for (size_t c = 0; c < given.size(); ++c) tx.StyleOf(c);  // judge the columns before the new row
  FieldList all{{t.columns()[id_col], id}};
  for (const auto& [k, v] : fields)
    if (k != t.columns()[id_col]) all.emplace_back(k, v);
  // Cells never set get the spelling of an empty value for their column type.
  for (size_t c = 0; c < given.size(); ++c)
    if (!given[c] && c != id_col && !tx.IsMetadata(static_cast<int>(c))) all.emplace_back(t.columns()[c], "");
  auto spelled = tx.SpellAll(all);
  if (!spelled.ok()) return spelled.status();
  size_t row = tx.AppendRow();
  tx.SetAll(row, spelled.value());
  tx.Stamp(row, 1, HybridClock::Global().Now());
  return tx.Record(row);
}

// The fields of a record an edit would leave: `base` values with `changes` over them.
FieldList EditedFields(const EditRequest& req) {
  FieldList ours;
  for (const auto& [k, v] : req.base->fields) ours.emplace_back(k, v);
  for (const auto& [k, v] : req.changes) {
    bool found = false;
    for (auto& kv : ours)
      if (kv.first == k) kv.second = v, found = true;
    if (!found) ours.emplace_back(k, v);
  }
  return ours;
}

Result<EditResult> EditIn(TxDoc& tx, const EditRequest& req, Strategy strategy, const std::string& writer,
                          bool* changed) {
  EditResult result;
  sdn::Table& t = *tx.table;
  const bool positional = PositionRef(req.id) > 0;
  SDNDB_RETURN_IF_ERROR(CheckNoNul(req.changes));
  SDNDB_RETURN_IF_ERROR(NeedsMetadata(tx, strategy));
  for (const auto& [k, v] : req.changes) {
    auto c = tx.UserColumn(k);
    if (!c.ok()) return c.status();
    // A key names the record; a row addressed by position has no key to protect.
    if (static_cast<int>(c.value()) == tx.id_col && !positional)
      return Status::InvalidArgument("the id of a record cannot be changed");
  }
  if (positional && (!req.base || req.base->etag.empty())) return EtagRequired(req.id);
  if (req.base && !tx.versioned() && req.base->etag.empty() && req.base->fields.empty() && req.base->version > 0)
    return Status::InvalidArgument("table '" + t.name() + "' of " + tx.db_name +
                                   " has no version columns: base on the record's etag (--expect ETAG, base.etag)");
  HybridClock& clock = HybridClock::Global();
  auto located = tx.Locate(req.id);
  if (!located.ok()) {
    if (located.status().code() != StatusCode::kNotFound || positional || !req.base || !HasBase(tx, *req.base))
      return located.status();
    // Edit of a record that another writer deleted.
    FieldList ours = EditedFields(req);
    if (strategy == Strategy::kError) {
      result.outcome = EditOutcome::kConflict;
      result.conflicting_fields = {"*"};
      result.record.id = req.id;
      return result;
    }
    if (strategy == Strategy::kMerge) {
      // The base column keeps the version the edit started from: a restore continues after it.
      Conflict c{"",         req.id, "*", std::to_string(req.base->version), FieldsToJson(ours),
                 std::string(kDeletedMarker), writer, clock.Now(), t.name()};
      result.conflicts.push_back(tx.Conflicts().Upsert(c));
      result.outcome = EditOutcome::kConflict;
      result.record.id = req.id;
      *changed = true;
      return result;
    }
    // last-write-wins / last-modified-wins: the edit restores the record.
    FieldList all{{t.columns()[static_cast<size_t>(tx.id_col)], req.id}};
    for (const auto& [k, v] : ours)
      if (t.ColumnIndex(k) != tx.id_col) all.emplace_back(k, v);
    auto spelled = tx.SpellAll(all);
    if (!spelled.ok()) return spelled.status();
    size_t r = tx.AppendRow();
    tx.SetAll(r, spelled.value());
    tx.Stamp(r, req.base->version + 1, clock.Now());
    result.outcome = EditOutcome::kMerged;
    result.record = tx.Record(r);
    *changed = true;
    return result;
  }
  const size_t row = located.value();
  RecordData current = tx.Record(row);
  FieldList apply;
  const bool stale = req.base && IsStale(tx, *req.base, current);
  if (stale && positional) return StaleAtPosition(tx, req.id, current);
  if (!stale) {
    for (const auto& [k, v] : req.changes)
      if (const std::string* cur = current.Get(k); !cur || *cur != v) apply.emplace_back(k, v);
    result.outcome = EditOutcome::kApplied;
  } else {
    StaleEditMerge m = MergeStaleEdit(req.base->fields, req.changes, current.fields);
    apply = m.clean;
    result.outcome = EditOutcome::kMerged;
    if (!m.conflicts.empty()) {
      switch (strategy) {
        case Strategy::kError:
          result.outcome = EditOutcome::kConflict;
          for (const auto& c : m.conflicts) result.conflicting_fields.push_back(c.field);
          result.record = current;
          return result;  // nothing written
        case Strategy::kLastWriteWins:
          for (const auto& c : m.conflicts) apply.emplace_back(c.field, c.ours);
          break;
        case Strategy::kLastModifiedWins: {
          std::string ours_time = req.edited_at.empty() ? clock.Now() : req.edited_at;
          // Exact ties go to the incoming edit (the stored record's writer is not recorded).
          if (ours_time >= current.modified)
            for (const auto& c : m.conflicts) apply.emplace_back(c.field, c.ours);
          break;
        }
        case Strategy::kMerge: {
          auto spelled = tx.SpellAll(apply);  // validate the clean part before recording anything
          if (!spelled.ok()) return spelled.status();
          std::string now = clock.Now();
          ConflictTable conflicts = tx.Conflicts();
          for (const auto& c : m.conflicts)
            result.conflicts.push_back(conflicts.Upsert(
                {"", current.id, c.field, c.base.value_or(""), c.ours, c.theirs, writer, now, t.name(),
                 c.base.has_value()}));
          result.outcome = EditOutcome::kConflict;
          *changed = true;
          break;
        }
      }
    }
  }
  if (apply.empty()) {
    if (result.outcome != EditOutcome::kConflict) result.outcome = EditOutcome::kUnchanged;
    result.record = current;
    return result;
  }
  auto spelled = tx.SpellAll(apply);
  if (!spelled.ok()) return spelled.status();
  tx.SetAll(row, spelled.value());
  if (positional) tx.keys.reset();  // the key column may have changed
  tx.Stamp(row, current.version + 1, clock.Now());
  result.record = tx.Record(row);
  *changed = true;
  return result;
}

// Deletes row `row` (located from request.id before any row of the transaction was removed).
Result<DeleteResult> DeleteAt(TxDoc& tx, size_t row, const DeleteRequest& req, Strategy strategy,
                              const std::string& writer, bool* changed) {
  DeleteResult result;
  const bool positional = PositionRef(req.id) > 0;
  if (positional && req.base_etag.empty()) return EtagRequired(req.id);
  RecordData current = tx.Record(row);
  const bool stale = !req.base_etag.empty() ? req.base_etag != current.etag
                                            : req.base_version && *req.base_version != current.version;
  if (stale) {
    if (positional) return StaleAtPosition(tx, req.id, current);
    if (strategy == Strategy::kError)
      return Status::Conflict("record '" + CapEcho(req.id) + "' changed since " +
                              (req.base_etag.empty() ? "version " + std::to_string(*req.base_version) + " (now " +
                                                           std::to_string(current.version) + ")"
                                                     : "etag " + req.base_etag + " (now " + current.etag + ")") +
                              "; not deleted");
    if (strategy == Strategy::kMerge) {
      Conflict c{"", current.id, "*", "", std::string(kDeletedMarker), FieldsToJson(current.fields), writer,
                 HybridClock::Global().Now(), tx.table->name()};
      result.conflicts.push_back(tx.Conflicts().Upsert(c));
      result.current = current;
      *changed = true;
      return result;
    }
  }
  const std::string key = tx.table->Cell(row, static_cast<size_t>(tx.id_col));
  tx.RemoveRow(row);
  ConflictTable conflicts = tx.Conflicts();
  if (!positional) conflicts.RemoveOfRecord(tx.table->name(), key);
  conflicts.DropIfEmpty();
  result.deleted = true;
  *changed = true;
  return result;
}

}  // namespace

Result<Snapshot> Store::Read() const {
  std::string text;
  SDNDB_RETURN_IF_ERROR(options_.env->ReadFile(path_, &text));
  return Parse(path_, std::move(text), options_.table);
}

Result<RecordData> Store::Get(const std::string& id) const {
  std::string text;
  SDNDB_RETURN_IF_ERROR(options_.env->ReadFile(path_, &text));
  auto tx = DocFromText(path_, std::move(text), options_.table);
  if (!tx.ok()) return tx.status();
  auto row = tx->Locate(id);
  if (!row.ok()) return row.status();
  return tx->Record(row.value());
}

std::vector<TableInfo> DescribeTables(const sdn::Document& doc, const std::string& db_name) {
  std::vector<TableInfo> out;
  const sdn::Table* records = RecordsTable(doc, db_name);
  for (size_t i = 0; i < doc.table_count(); ++i) {
    const sdn::Table& t = *doc.table(i);
    if (t.name() == kConflictsTable && &t != records) continue;
    TableInfo info;
    info.name = t.name();
    info.versioned = IsVersionedTable(t);
    for (const std::string& c : t.columns())
      if (!info.versioned || (c != kVersionColumn && c != kModifiedColumn)) info.columns.push_back(c);
    const size_t key = static_cast<size_t>(IdColumn(t));
    info.key_column = key < t.columns().size() ? t.columns()[key] : std::string();
    info.rows = t.row_count();
    info.is_default = &t == records;
    if (!t.columns().empty()) {
      for (const RowKeys::Duplicate& d : RowKeys(t, key).Duplicates()) {
        TableInfo::Problem p;
        p.kind = "duplicate-key";
        std::string lines, refs;
        for (size_t r : d.rows) {
          p.lines.push_back(t.RowLine(r));
          lines += (lines.empty() ? "" : ", ") + std::to_string(t.RowLine(r));
          refs += (refs.empty() ? "" : ", ") + ("@" + std::to_string(r + 1));
        }
        p.message = info.key_column + " '" + d.key + "' is on " + std::to_string(d.rows.size()) + " rows (lines " +
                    lines + "); address them as " + refs;
        info.problems.push_back(std::move(p));
      }
    }
    for (const sdn::Problem& bad : doc.TableProblems(t.name()))
      info.problems.push_back({"malformed-row", bad.message, {bad.line}});
    out.push_back(std::move(info));
  }
  return out;
}

namespace {

// The snapshot of the table `tx` uses; `shared` (when given) supplies the file-wide members.
Snapshot SnapshotOf(TxDoc& tx, const Snapshot* shared) {
  Snapshot snap;
  snap.table = tx.table->name();
  snap.id_column = tx.table->columns()[static_cast<size_t>(tx.id_col)];
  snap.versioned = tx.versioned();
  for (size_t c = 0; c < tx.table->columns().size(); ++c)
    if (!tx.IsMetadata(static_cast<int>(c))) snap.columns.push_back(tx.table->columns()[c]);
  snap.records.reserve(tx.table->row_count());
  for (size_t r = 0; r < tx.table->row_count(); ++r) snap.records.push_back(tx.Record(r));
  if (shared) {
    snap.conflicts = shared->conflicts;
    snap.problems = shared->problems;
    snap.tables = shared->tables;
  } else {
    snap.conflicts = tx.Conflicts().All();
    snap.problems = tx.doc->problems();
    snap.tables = DescribeTables(*tx.doc, tx.db_name);
  }
  return snap;
}

}  // namespace

Result<Snapshot> Store::Parse(const std::string& path, std::string text, const std::string& table) {
  auto tx = DocFromText(path, std::move(text), table);
  if (!tx.ok()) return tx.status();
  return SnapshotOf(tx.value(), nullptr);
}

Result<std::map<std::string, Snapshot>> Store::ParseTables(const std::string& path, std::string text,
                                                           const std::vector<std::string>& tables) {
  TxDoc tx;  // as DocFromText, without choosing one table
  auto doc = ParseDatabaseText(std::move(text), BaseName(path));
  if (!doc.ok()) return doc.status();
  tx.doc = std::move(doc.value());
  tx.db_name = DatabaseNameFromPath(path);
  std::map<std::string, Snapshot> out;
  const Snapshot* first = nullptr;  // supplies the file-wide members (conflicts, problems, tables)
  for (const std::string& name : tables) {
    auto table = SelectTable(*tx.doc, tx.db_name, name);
    if (!table.ok() || table.value()->columns().empty()) continue;
    tx.Use(table.value());
    const Snapshot& snap = out.emplace(name, SnapshotOf(tx, first)).first->second;
    if (!first) first = &snap;
  }
  return out;
}

Result<RecordData> Store::Create(const FieldList& fields) {
  RecordData created;
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, Env* env, const std::string& target, bool* changed) {
    HeldIdsCache held{env, target, std::nullopt};
    auto r = CreateIn(tx, fields, held);
    if (!r.ok()) return r.status();
    created = std::move(r.value());
    *changed = true;
    return Status::OK();
  });
  if (!st.ok()) return st;
  return created;
}

Result<EditResult> Store::Edit(const EditRequest& req) {
  EditResult result;
  const Strategy strategy = req.strategy.value_or(options_.strategy);
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, Env*, const std::string&, bool* changed) {
    auto r = EditIn(tx, req, strategy, options_.writer, changed);
    if (!r.ok()) return r.status();
    result = std::move(r.value());
    return Status::OK();
  });
  if (!st.ok()) return st;
  return result;
}

Result<EditResult> Store::Update(const std::string& id, const std::function<Status(FieldList&)>& mutate) {
  EditResult result;
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, Env*, const std::string&, bool* changed) {
    auto row = tx.Locate(id);
    if (!row.ok()) return row.status();
    const size_t urow = row.value();
    RecordData current = tx.Record(urow);
    FieldList fields = current.fields;
    SDNDB_RETURN_IF_ERROR(mutate(fields));
    FieldList apply;
    for (const auto& [k, v] : fields) {
      const std::string* old = current.Get(k);
      if (old && *old == v) continue;
      if (tx.table->ColumnIndex(k) == tx.id_col) return Status::InvalidArgument("the id of a record cannot be changed");
      apply.emplace_back(k, v);
    }
    if (apply.empty()) {
      result.outcome = EditOutcome::kUnchanged;
      result.record = current;
      return Status::OK();
    }
    auto spelled = tx.SpellAll(apply);
    if (!spelled.ok()) return spelled.status();
    tx.SetAll(urow, spelled.value());
    tx.Stamp(urow, current.version + 1, HybridClock::Global().Now());
    result.outcome = EditOutcome::kApplied;
    result.record = tx.Record(urow);
    *changed = true;
    return Status::OK();
  });
  if (!st.ok()) return st;
  return result;
}

Result<DeleteResult> Store::Delete(const std::string& id, std::optional<int64_t> base_version,
                                   std::optional<Strategy> strategy) {
  DeleteRequest req;
  req.id = id;
  req.base_version = base_version;
  req.strategy = strategy;
  return Delete(req);
}

Result<DeleteResult> Store::Delete(const DeleteRequest& req) {
  DeleteResult result;
  const Strategy strategy = req.strategy.value_or(options_.strategy);
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, Env*, const std::string&, bool* changed) {
    auto row = tx.Locate(req.id);
    if (!row.ok()) return row.status();
    auto r = DeleteAt(tx, row.value(), req, strategy, options_.writer, changed);
    if (!r.ok()) return r.status();
    result = std::move(r.value());
    return Status::OK();
  });
  if (!st.ok()) return st;
  return result;
}

Result<ApplyResult> Store::Apply(const ApplyRequest& req) {
  ApplyResult out;
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, Env* env, const std::string& target, bool* changed) {
    out = ApplyResult{};
    for (const EditRequest& e : req.edits) {
      auto r = EditIn(tx, e, e.strategy.value_or(options_.strategy), options_.writer, changed);
      out.edits.push_back(r.ok() ? ApplyResult::Edited{Status::OK(), std::move(r.value())}
                                 : ApplyResult::Edited{r.status(), {}});
    }
    // Every delete is located before the first row goes, then rows go from the last one up, so
    // "@N" and keys mean what they meant in the file the client saw.
    std::vector<Result<size_t>> rows;
    for (const DeleteRequest& d : req.deletes) rows.push_back(tx.Locate(d.id));
    out.deletes.resize(req.deletes.size());
    std::vector<size_t> order(req.deletes.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&rows](size_t a, size_t b) {
      const size_t ra = rows[a].ok() ? rows[a].value() : 0, rb = rows[b].ok() ? rows[b].value() : 0;
      return ra > rb;
    });
    std::vector<bool> gone(tx.table->row_count(), false);
    for (size_t i : order) {
      if (!rows[i].ok()) {
        out.deletes[i].status = rows[i].status();
        continue;
      }
      const size_t row = rows[i].value();
      if (gone[row]) {
        out.deletes[i].status = Status::NotFound("no record '" + CapEcho(req.deletes[i].id) + "' in " + tx.Where() +
                                                 " (deleted by an earlier item of this batch)");
        continue;
      }
      const DeleteRequest& d = req.deletes[i];
      auto r = DeleteAt(tx, row, d, d.strategy.value_or(options_.strategy), options_.writer, changed);
      if (!r.ok()) {
        out.deletes[i].status = r.status();
        continue;
      }
      gone[row] = r.value().deleted;
      out.deletes[i].result = std::move(r.value());
    }
    HeldIdsCache held{env, target, std::nullopt};
    for (const FieldList& c : req.creates) {
      auto r = CreateIn(tx, c, held);
      if (r.ok()) *changed = true;
      out.creates.push_back(r.ok() ? ApplyResult::Created{Status::OK(), std::move(r.value())}
                                   : ApplyResult::Created{r.status(), {}});
    }
    return Status::OK();
  });
  if (!st.ok()) return st;
  return out;
}

Result<bool> Store::AddVersionColumns() {
  bool added = false;
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, Env*, const std::string&, bool* changed) {
    if (tx.versioned()) return Status::OK();
    if (tx.table->typed())
      return Status::InvalidArgument("table '" + tx.table->name() + "' is a typed table; it cannot carry versions");
    for (const char* c : {kVersionColumn, kModifiedColumn})
      if (tx.table->ColumnIndex(c) >= 0)
        return Status::InvalidArgument("table '" + tx.table->name() + "' of " + tx.db_name + " has its own column '" +
                                       c + "' (user data): sdndb's version columns would clash with it");
    EnsureVersionColumns(tx.table);
    added = true;
    *changed = true;
    return Status::OK();
  });
  if (!st.ok()) return st;
  return added;
}

Result<std::optional<RecordData>> Store::Resolve(const std::string& conflict_id, Resolution choice,
                                                 const std::string& value) {
  std::optional<RecordData> out;
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, Env*, const std::string&, bool* changed) {
    ConflictTable conflicts = tx.Conflicts();
    const int crow = conflicts.Find(conflict_id);
    if (crow < 0) return Status::NotFound("no conflict '" + CapEcho(conflict_id) + "' in " + name_);
    const Conflict c = conflicts.Get(static_cast<size_t>(crow));
    auto table = SelectTable(*tx.doc, tx.db_name, c.table);
    if (!table.ok()) return table.status();
    if (table.value() != tx.table) tx.Use(table.value());
    sdn::Table& t = *tx.table;
    const size_t id_col = static_cast<size_t>(tx.id_col);
    HybridClock& clock = HybridClock::Global();
    int row = t.FindRow(c.record, id_col);
    if (c.field == "*") {
      if (choice == Resolution::kValue)
        return Status::InvalidArgument("conflict " + conflict_id + " is about the whole record: choose ours or theirs");
      if (c.ours == kDeletedMarker) {  // we deleted, they kept (and edited) the record
        if (choice == Resolution::kOurs && row >= 0) {
          tx.RemoveRow(static_cast<size_t>(row));
          row = -1;
        }
      } else if (c.theirs == kDeletedMarker) {  // they deleted, we edited
        if (choice == Resolution::kTheirs && row >= 0) {
          // The git merge driver keeps the edited record in place until this choice.
          t.RemoveRow(static_cast<size_t>(row));
          row = -1;
        } else if (choice == Resolution::kOurs && row < 0) {
          auto fields = FieldsFromJson(c.ours);
          if (!fields.ok()) return fields.status();
          FieldList all{{t.columns()[id_col], c.record}};
          for (const auto& [k, v] : fields.value())
            if (t.ColumnIndex(k) >= 0 && static_cast<size_t>(t.ColumnIndex(k)) != id_col &&
                !tx.IsMetadata(t.ColumnIndex(k)))
              all.emplace_back(k, v);
          auto spelled = tx.SpellAll(all);
          if (!spelled.ok()) return spelled.status();
          size_t r = tx.AppendRow();
          tx.SetAll(r, spelled.value());
          // Versions never go back: the restored record continues after the version it was
          // edited from (kept in the conflict's base), so older views of it count as stale.
          int64_t base_version = 0;
          ParseInt64(c.base, &base_version);
          tx.Stamp(r, std::max<int64_t>(base_version, 0) + 1, clock.Now());
          row = static_cast<int>(r);
        }
      }
    } else if (row >= 0 && choice != Resolution::kTheirs) {
      const std::string& v = choice == Resolution::kOurs ? c.ours : value;
      RecordData cur = tx.Record(static_cast<size_t>(row));
      const std::string* old = cur.Get(c.field);
      if (!old || *old != v) {
        auto spelled = tx.SpellAll({{c.field, v}});
        if (!spelled.ok()) return spelled.status();
        tx.SetAll(static_cast<size_t>(row), spelled.value());
        tx.Stamp(static_cast<size_t>(row), cur.version + 1, clock.Now());
      }
    }
    conflicts.Remove(static_cast<size_t>(crow));
    conflicts.DropIfEmpty();
    if (row >= 0) out = tx.Record(static_cast<size_t>(row));
    *changed = true;
    return Status::OK();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace sdndb
