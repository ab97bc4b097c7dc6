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

// The open document of one transaction and the positions of the engine's columns in it.
struct TxDoc {
  std::unique_ptr<sdn::Document> doc;
  sdn::Table* table = nullptr;
  int id_col = 0;
  int version_col = -1;
  int modified_col = -1;
  bool sealed = false;

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
        if (static_cast<int>(c) == id_col) r.id = r.fields.back().second;
      }
    }
    r.line = table->RowLine(row);
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

  Status SetField(size_t row, const std::string& field, const std::string& value) {
    int col = table->ColumnIndex(field);
    if (col < 0 || col == version_col || col == modified_col)
      return Status::InvalidArgument("unknown field '" + field + "' in database table '" + table->name() + "'");
    auto spelled = Spell(static_cast<size_t>(col), value);
    if (!spelled.ok()) return spelled.status();
    table->SetCellRaw(row, static_cast<size_t>(col), spelled.value());
    return Status::OK();
  }

  // Adds version/modified columns on the first write of a file that lacks them.
  void EnsureVersionColumns() {
    sdndb::EnsureVersionColumns(table);
    version_col = table->ColumnIndex(kVersionColumn);
    modified_col = table->ColumnIndex(kModifiedColumn);
  }

  void Stamp(size_t row, int64_t version, const std::string& modified) {
    EnsureVersionColumns();
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

  ConflictTable Conflicts() { return ConflictTable(doc.get(), table); }
};

// Next id following the table's id style: max numeric id + 1 when every id is a number, else
// the most common PREFIX<digits> pattern (ties: the higher number) continued, zero-padded as it is.
std::string NextId(const sdn::Table& t, size_t id_col) {
  struct Pattern {
    size_t count = 0, width = 0;
    int64_t max = 0;
  };
  std::map<std::string, Pattern> patterns;
  int64_t max_num = 0;
  bool all_numeric = true;
  for (size_t r = 0; r < t.row_count(); ++r) {
    std::string id = t.Cell(r, id_col);
    int64_t n;
    if (ParseInt64(id, &n)) {
      max_num = std::max(max_num, n);
      continue;
    }
    all_numeric = false;
    size_t d = id.size();
    while (d > 0 && id[d - 1] >= '0' && id[d - 1] <= '9') --d;
    int64_t suffix;
    if (d == id.size() || !ParseInt64(std::string_view(id).substr(d), &suffix)) continue;
    Pattern& p = patterns[id.substr(0, d)];
    ++p.count;
    if (suffix >= p.max) p.max = suffix, p.width = id.size() - d;
  }
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
  for (const auto& r : records)
    if (r.id == id) return &r;
  return nullptr;
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

// Parses the text of database `path` into a transaction document.
Result<TxDoc> DocFromText(const std::string& path, std::string text) {
  TxDoc tx;
  tx.sealed = HasCrcSeal(text);
  auto doc = ParseDatabaseText(std::move(text), BaseName(path));
  if (!doc.ok()) return doc.status();
  tx.doc = std::move(doc.value());
  tx.table = RecordsTable(*tx.doc, DatabaseNameFromPath(path));
  // No table because the one there is malformed (an unclosed header, ...): the file is broken.
  if (!tx.table && !tx.doc->problems().empty()) return Status::ParseError(tx.doc->problems()[0].report);
  if (!tx.table)
    return Status::InvalidArgument(BaseName(path) + ": no table (a database needs a `name |columns|` table)");
  tx.id_col = IdColumn(*tx.table);
  tx.version_col = tx.table->ColumnIndex(kVersionColumn);
  tx.modified_col = tx.table->ColumnIndex(kModifiedColumn);
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
  auto tx = DocFromText(path, std::move(text));
  if (!tx.ok()) return tx.status();
  HybridClock::Global().Observe(tx->MaxModified());
  bool changed = false;
  SDNDB_RETURN_IF_ERROR(fn(tx.value(), &changed));
  if (!changed) return Status::OK();
  std::string bytes = tx->doc->Serialize();
  if (tx->doc->problem_count() > 0) {
    // A malformed row kept as it is can read differently once the rows around it change (a
    // quote it leaves open pairs with a later one): never write what no longer reads as before.
    auto check = sdn::Document::Parse(bytes);
    if (!check.ok() || check.value()->problem_count() != tx->doc->problem_count()) {
      return Status::InvalidArgument(
          BaseName(path) + ": this change would alter how its malformed rows read; fix them first (sdndb check)");
    }
  }
  if (tx->sealed) bytes = ResealCrc(bytes);
  // The folder fsync stays under the lock: if it fails, the original is restored before any
  // other writer can build on the new content (see core/io/atomic_file.h).
  return ReplaceFileAtomically(env, target, bytes, options.write);
}

}  // namespace

Result<Snapshot> Store::Read() const {
  std::string text;
  SDNDB_RETURN_IF_ERROR(options_.env->ReadFile(path_, &text));
  return Parse(path_, std::move(text));
}

Result<RecordData> Store::Get(const std::string& id) const {
  std::string text;
  SDNDB_RETURN_IF_ERROR(options_.env->ReadFile(path_, &text));
  auto tx = DocFromText(path_, std::move(text));
  if (!tx.ok()) return tx.status();
  int row = tx->table->FindRow(id, static_cast<size_t>(tx->id_col));
  if (row < 0) return Status::NotFound("no record '" + CapEcho(id) + "' in " + name_);
  return tx->Record(static_cast<size_t>(row));
}

Result<Snapshot> Store::Parse(const std::string& path, std::string text) {
  auto tx = DocFromText(path, std::move(text));
  if (!tx.ok()) return tx.status();
  Snapshot snap;
  snap.table = tx->table->name();
  snap.id_column = tx->table->columns()[static_cast<size_t>(tx->id_col)];
  for (size_t c = 0; c < tx->table->columns().size(); ++c)
    if (static_cast<int>(c) != tx->version_col && static_cast<int>(c) != tx->modified_col)
      snap.columns.push_back(tx->table->columns()[c]);
  snap.records.reserve(tx->table->row_count());
  for (size_t r = 0; r < tx->table->row_count(); ++r) snap.records.push_back(tx->Record(r));
  snap.conflicts = tx->Conflicts().All();
  snap.problems = tx->doc->problems();
  return snap;
}

namespace {

// Values are stored exactly as given; a NUL byte cannot be (SDN text has none), so it is refused
// instead of being changed.
Status CheckNoNul(const FieldList& fields) {
  for (const auto& [k, v] : fields) {
    if (k.find('\0') != std::string::npos || v.find('\0') != std::string::npos)
      return Status::InvalidArgument("field '" + k + "': a value cannot contain a NUL byte");
  }
  return Status::OK();
}

}  // namespace

Result<RecordData> Store::Create(const FieldList& fields) {
  SDNDB_RETURN_IF_ERROR(CheckNoNul(fields));
  RecordData created;
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, bool* changed) {
    sdn::Table& t = *tx.table;
    const size_t id_col = static_cast<size_t>(tx.id_col);
    std::string id;
    std::vector<bool> given(t.columns().size(), false);
    for (const auto& [k, v] : fields) {
      int c = t.ColumnIndex(k);
      if (c < 0 || c == tx.version_col || c == tx.modified_col)
        return Status::InvalidArgument("unknown field '" + k + "' in database table '" + t.name() + "'");
      given[static_cast<size_t>(c)] = true;
      if (static_cast<size_t>(c) == id_col) id = v;
    }
    if (id.empty()) id = NextId(t, id_col);
    if (t.FindRow(id, id_col) >= 0) return Status::InvalidArgument("record '" + CapEcho(id) + "' already exists");
    for (size_t c = 0; c < given.size(); ++c) tx.StyleOf(c);  // judge the columns before the new row
    size_t row = t.AppendRow(std::vector<std::string>(t.columns().size()));
    SDNDB_RETURN_IF_ERROR(tx.SetField(row, t.columns()[id_col], id));
    for (const auto& [k, v] : fields)
      if (k != t.columns()[id_col]) SDNDB_RETURN_IF_ERROR(tx.SetField(row, k, v));
    // Cells never set get the spelling of an empty value for their column type.
    for (size_t c = 0; c < given.size(); ++c)
      if (!given[c] && c != id_col && static_cast<int>(c) != tx.version_col && static_cast<int>(c) != tx.modified_col)
        t.SetCellRaw(row, c, tx.Spell(c, "").value());
    tx.Stamp(row, 1, HybridClock::Global().Now());
    created = tx.Record(row);
    *changed = true;
    return Status::OK();
  });
  if (!st.ok()) return st;
  return created;
}

Result<EditResult> Store::Edit(const EditRequest& req) {
  SDNDB_RETURN_IF_ERROR(CheckNoNul(req.changes));
  EditResult result;
  const Strategy strategy = req.strategy.value_or(options_.strategy);
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, bool* changed) {
    sdn::Table& t = *tx.table;
    for (const auto& [k, v] : req.changes) {
      int c = t.ColumnIndex(k);
      if (c < 0 || c == tx.version_col || c == tx.modified_col)
        return Status::InvalidArgument("unknown field '" + k + "' in database table '" + t.name() + "'");
      if (c == tx.id_col) return Status::InvalidArgument("the id of a record cannot be changed");
      (void)v;
    }
    int row = t.FindRow(req.id, static_cast<size_t>(tx.id_col));
    HybridClock& clock = HybridClock::Global();
    if (row < 0) {
      if (!req.base || req.base->version <= 0) return Status::NotFound("no record '" + CapEcho(req.id) + "' in " + name_);
      // Edit of a record that another writer deleted.
      FieldList ours;
      for (const auto& [k, v] : req.base->fields) ours.emplace_back(k, v);
      for (const auto& [k, v] : req.changes) {
        bool found = false;
        for (auto& kv : ours)
          if (kv.first == k) kv.second = v, found = true;
        if (!found) ours.emplace_back(k, v);
      }
      if (strategy == Strategy::kError) {
        result.outcome = EditOutcome::kConflict;
        result.conflicting_fields = {"*"};
        result.record.id = req.id;
        return Status::OK();
      }
      if (strategy == Strategy::kMerge) {
        // The base column keeps the version the edit started from: a restore continues after it.
        Conflict c{"",           req.id, "*", std::to_string(req.base->version), FieldsToJson(ours),
                   std::string(kDeletedMarker), options_.writer, clock.Now()};
        result.conflicts.push_back(tx.Conflicts().Upsert(c));
        result.outcome = EditOutcome::kConflict;
        result.record.id = req.id;
        *changed = true;
        return Status::OK();
      }
      // last-write-wins / last-modified-wins: the edit restores the record.
      std::vector<std::string> blank(t.columns().size());
      size_t r = t.AppendRow(blank);
      SDNDB_RETURN_IF_ERROR(tx.SetField(r, t.columns()[static_cast<size_t>(tx.id_col)], req.id));
      for (const auto& [k, v] : ours)
        if (t.ColumnIndex(k) != tx.id_col) SDNDB_RETURN_IF_ERROR(tx.SetField(r, k, v));
      tx.Stamp(r, req.base->version + 1, clock.Now());
      result.outcome = EditOutcome::kMerged;
      result.record = tx.Record(r);
      *changed = true;
      return Status::OK();
    }
    const size_t urow = static_cast<size_t>(row);
    RecordData current = tx.Record(urow);
    FieldList apply;
    bool stale = req.base && req.base->version != current.version;
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
            return Status::OK();  // nothing written
          case Strategy::kLastWriteWins:
            for (const auto& c : m.conflicts) apply.emplace_back(c.field, c.ours);
            break;
          case Strategy::kLastModifiedWins: {
            std::string ours_time = req.edited_at.empty() ? clock.Now() : req.edited_at;
            // Exact ties go to the incoming edit (the stored record's writer is not recorded).
            bool ours_newer = ours_time >= current.modified;
            if (ours_newer)
              for (const auto& c : m.conflicts) apply.emplace_back(c.field, c.ours);
            break;
          }
          case Strategy::kMerge: {
            std::string now = clock.Now();
            ConflictTable conflicts = tx.Conflicts();
            for (const auto& c : m.conflicts)
              result.conflicts.push_back(conflicts.Upsert(
                  {"", req.id, c.field, c.base.value_or(""), c.ours, c.theirs, options_.writer, now}));
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
      return Status::OK();
    }
    for (const auto& [k, v] : apply) SDNDB_RETURN_IF_ERROR(tx.SetField(urow, k, v));
    tx.Stamp(urow, current.version + 1, clock.Now());
    result.record = tx.Record(urow);
    *changed = true;
    return Status::OK();
  });
  if (!st.ok()) return st;
  return result;
}

Result<EditResult> Store::Update(const std::string& id, const std::function<Status(FieldList&)>& mutate) {
  EditResult result;
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, bool* changed) {
    int row = tx.table->FindRow(id, static_cast<size_t>(tx.id_col));
    if (row < 0) return Status::NotFound("no record '" + CapEcho(id) + "' in " + name_);
    const size_t urow = static_cast<size_t>(row);
    RecordData current = tx.Record(urow);
    FieldList fields = current.fields;
    SDNDB_RETURN_IF_ERROR(mutate(fields));
    bool any = false;
    for (const auto& [k, v] : fields) {
      const std::string* old = current.Get(k);
      if (old && *old == v) continue;
      if (tx.table->ColumnIndex(k) == tx.id_col) return Status::InvalidArgument("the id of a record cannot be changed");
      SDNDB_RETURN_IF_ERROR(tx.SetField(urow, k, v));
      any = true;
    }
    if (!any) {
      result.outcome = EditOutcome::kUnchanged;
      result.record = current;
      return Status::OK();
    }
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
                                   std::optional<Strategy> strategy_opt) {
  DeleteResult result;
  const Strategy strategy = strategy_opt.value_or(options_.strategy);
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, bool* changed) {
    int row = tx.table->FindRow(id, static_cast<size_t>(tx.id_col));
    if (row < 0) return Status::NotFound("no record '" + CapEcho(id) + "' in " + name_);
    RecordData current = tx.Record(static_cast<size_t>(row));
    if (base_version && *base_version != current.version) {
      if (strategy == Strategy::kError)
        return Status::Conflict("record '" + CapEcho(id) + "' changed since version " + std::to_string(*base_version) +
                                " (now " + std::to_string(current.version) + "); not deleted");
      if (strategy == Strategy::kMerge) {
        Conflict c{"", id, "*", "", std::string(kDeletedMarker), FieldsToJson(current.fields), options_.writer,
                   HybridClock::Global().Now()};
        result.conflicts.push_back(tx.Conflicts().Upsert(c));
        *changed = true;
        return Status::OK();
      }
    }
    tx.table->RemoveRow(static_cast<size_t>(row));
    ConflictTable conflicts = tx.Conflicts();
    conflicts.RemoveOfRecord(id);
    conflicts.DropIfEmpty();
    result.deleted = true;
    *changed = true;
    return Status::OK();
  });
  if (!st.ok()) return st;
  return result;
}

Result<std::optional<RecordData>> Store::Resolve(const std::string& conflict_id, Resolution choice,
                                                 const std::string& value) {
  std::optional<RecordData> out;
  Status st = RunTransaction(options_, path_, [&](TxDoc& tx, bool* changed) {
    ConflictTable conflicts = tx.Conflicts();
    const int crow = conflicts.Find(conflict_id);
    if (crow < 0) return Status::NotFound("no conflict '" + CapEcho(conflict_id) + "' in " + name_);
    const Conflict c = conflicts.Get(static_cast<size_t>(crow));
    sdn::Table& t = *tx.table;
    const size_t id_col = static_cast<size_t>(tx.id_col);
    HybridClock& clock = HybridClock::Global();
    int row = t.FindRow(c.record, id_col);
    if (c.field == "*") {
      if (choice == Resolution::kValue)
        return Status::InvalidArgument("conflict " + conflict_id + " is about the whole record: choose ours or theirs");
      if (c.ours == kDeletedMarker) {  // we deleted, they kept (and edited) the record
        if (choice == Resolution::kOurs && row >= 0) {
          t.RemoveRow(static_cast<size_t>(row));
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
          std::vector<std::string> blank(t.columns().size());
          size_t r = t.AppendRow(blank);
          SDNDB_RETURN_IF_ERROR(tx.SetField(r, t.columns()[id_col], c.record));
          for (const auto& [k, v] : fields.value())
            if (t.ColumnIndex(k) >= 0 && static_cast<size_t>(t.ColumnIndex(k)) != id_col)
              SDNDB_RETURN_IF_ERROR(tx.SetField(r, k, v));
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
        SDNDB_RETURN_IF_ERROR(tx.SetField(static_cast<size_t>(row), c.field, v));
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
