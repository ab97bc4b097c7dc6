#include "server/git/merge_driver.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "core/db/db_file.h"
#include "core/db/merge.h"
#include "core/db/store.h"
#include "core/io/crc32.h"
#include "core/sdn/document.h"

namespace sdndb::git {

namespace {

// Column identity across the three versions: the name; for typed tables (whose header holds
// type names, possibly repeated) the position.
std::string ColumnKey(const sdn::Table& t, size_t c) {
  return t.typed() ? "#" + std::to_string(c) : t.columns()[c];
}

struct Cell {
  std::string value;  // text value
  std::string raw;    // spelling as written
};

struct RowView {
  std::map<std::string, Cell> cells;  // column key -> cell (version/modified excluded)
  FieldList fields;                   // the same, in column order (for whole-record conflicts)
  int64_t version = 0;
  std::string modified;
};

// A read-only view of one table of one version, keyed by its id column.
struct TableView {
  const sdn::Table* table = nullptr;  // nullptr: this version has no such table
  int key_col = 0;
  int version_col = -1;
  int modified_col = -1;
  bool unique = true;
  std::vector<std::string> order;  // keys in file order
  std::unordered_map<std::string, RowView> rows;

  const RowView* Find(const std::string& key) const {
    auto it = rows.find(key);
    return it == rows.end() ? nullptr : &it->second;
  }
  std::vector<std::string> ColumnKeys() const {
    std::vector<std::string> out;
    if (!table) return out;
    for (size_t c = 0; c < table->columns().size(); ++c)
      if (static_cast<int>(c) != version_col && static_cast<int>(c) != modified_col) out.push_back(ColumnKey(*table, c));
    return out;
  }
};

int KeyColumn(const sdn::Table& t) {
  int c = t.typed() ? -1 : t.ColumnIndex("id");
  return c >= 0 ? c : 0;
}

RowView ReadRow(const sdn::Table& t, size_t r, int version_col, int modified_col) {
  RowView v;
  for (size_t c = 0; c < t.columns().size(); ++c) {
    if (static_cast<int>(c) == version_col) {
      ParseInt64(t.Cell(r, c), &v.version);
    } else if (static_cast<int>(c) == modified_col) {
      v.modified = t.Cell(r, c);
    } else {
      std::string key = ColumnKey(t, c);
      Cell cell{t.Cell(r, c), std::string(t.RawCell(r, c))};
      v.fields.emplace_back(key, cell.value);
      v.cells.emplace(std::move(key), std::move(cell));
    }
  }
  return v;
}

TableView MakeView(const sdn::Table* t, bool records) {
  TableView v;
  v.table = t;
  if (!t || t->columns().empty()) return v;
  v.key_col = KeyColumn(*t);
  if (records && !t->typed()) {
    v.version_col = t->ColumnIndex(kVersionColumn);
    v.modified_col = t->ColumnIndex(kModifiedColumn);
  }
  for (size_t r = 0; r < t->row_count(); ++r) {
    std::string key = t->Cell(r, static_cast<size_t>(v.key_col));
    if (v.rows.count(key)) {
      v.unique = false;
      continue;
    }
    v.order.push_back(key);
    v.rows.emplace(key, ReadRow(*t, r, v.version_col, v.modified_col));
  }
  return v;
}

// Equal values in every column both rows have (a column missing on one side is no change).
bool SameFields(const RowView& a, const RowView& b) {
  for (const auto& [key, cell] : a.cells) {
    auto it = b.cells.find(key);
    if (it != b.cells.end() && it->second.value != cell.value) return false;
  }
  return true;
}

bool Changed(const RowView& side, const RowView& base) {
  return !SameFields(side, base) || side.version != base.version || side.modified != base.modified;
}

// The lines of a document that are neither table headers nor table rows: comments, blank
// lines, settings and other statements. A change there cannot be applied record by record.
std::string Skeleton(const sdn::Document& doc) {
  const std::string& src = doc.source();
  std::vector<std::pair<size_t, size_t>> lines;  // [begin, end) of each line incl. its ending
  for (size_t b = 0; b < src.size();) {
    size_t e = src.find('\n', b);
    e = e == std::string::npos ? src.size() : e + 1;
    lines.emplace_back(b, e);
    b = e;
  }
  std::vector<bool> in_table(lines.size() + 2, false);
  auto mark = [&](int first, int count) {
    for (int i = 0; i < count; ++i)
      if (first + i >= 1 && static_cast<size_t>(first + i) <= lines.size()) in_table[static_cast<size_t>(first + i)] = true;
  };
  for (size_t i = 0; i < doc.table_count(); ++i) {
    const sdn::Table* t = doc.table(i);
    mark(t->header_line(), 1);
    for (size_t r = 0; r < t->row_count(); ++r) {
      std::string_view text = t->RowText(r);
      int n = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
      if (text.empty() || text.back() != '\n') ++n;
      mark(t->RowLine(r), n);
    }
  }
  std::string out;
  // The #sdn-crc32 seal line changes with every edit; it is recomputed on output.
  const size_t first = HasCrcSeal(src) ? 1 : 0;
  for (size_t i = first; i < lines.size(); ++i) {
    if (in_table[i + 1]) continue;
    std::string_view line(src.data() + lines[i].first, lines[i].second - lines[i].first);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    out.append(line);
    out += '\n';
  }
  return out;
}

std::string ConflictKey(const Conflict& c) {
  return c.record + '\x1f' + c.field + '\x1f' + c.base + '\x1f' + c.ours + '\x1f' + c.theirs + '\x1f' + c.who +
         '\x1f' + c.when;
}

Result<std::unique_ptr<sdn::Document>> ParseInput(const MergeInput& in) {
  return ParseDatabaseText(in.text, in.name);
}

// The final state of one record (or keyed row) after the merge.
struct Outcome {
  bool present = false;
  std::map<std::string, Cell> cells;
  int64_t version = 0;
  std::string modified;
  bool stamp = false;  // records table: write version/modified
};

class Merger {
 public:
  Merger(const sdn::Document& base, const sdn::Document& ours, const sdn::Document& theirs, sdn::Document* host,
         bool host_is_ours, const MergeOptions& options, HybridClock* clock, MergeReport* report)
      : base_(base), ours_(ours), theirs_(theirs), host_(host), host_is_ours_(host_is_ours), options_(options),
        clock_(clock), report_(report) {}

  void Run() {
    const sdn::Table* rt = RecordsTable(*host_, options_.database);
    records_name_ = rt ? rt->name() : std::string();
    const sdn::Document& guest = host_is_ours_ ? theirs_ : ours_;
    std::vector<std::string> host_names, guest_only;
    for (size_t i = 0; i < host_->table_count(); ++i) host_names.push_back(host_->table(i)->name());
    for (size_t i = 0; i < guest.table_count(); ++i) {
      const std::string& n = guest.table(i)->name();
      if (!host_->FindTable(n) && n != kConflictsTable) guest_only.push_back(n);
    }
    std::set<std::string> seen;
    for (const auto& name : host_names) {
      if (!seen.insert(name).second) {
        report_->unmerged.push_back("table '" + name + "' appears twice; only its first occurrence was merged");
        continue;
      }
      if (name == kConflictsTable && name != records_name_) continue;
      MergeTable(name);
    }
    for (const auto& name : guest_only) AddGuestTable(name);
    MergeConflicts();
  }

 private:
  const sdn::Table* Find(const sdn::Document& d, const std::string& name) const { return d.FindTable(name); }

  void Note(const std::string& s) { report_->unmerged.push_back(s); }

  void MergeTable(const std::string& name) {
    const bool records = name == records_name_;
    sdn::Table* h = host_->FindTable(name);
    TableView b = MakeView(Find(base_, name), records);
    TableView o = MakeView(Find(ours_, name), records);
    TableView t = MakeView(Find(theirs_, name), records);
    TableView& g = host_is_ours_ ? t : o;
    if (!g.table) {
      // The other side has no such table: it removed it (or never had it). Keep the rows.
      if (b.table) Note("table '" + name + "' was removed on one side; kept it");
      return;
    }
    if (h->typed() != g.table->typed() ||
        (h->typed() && h->columns().size() != g.table->columns().size())) {
      Note("table '" + name + "' has different column layouts on both sides; kept ours");
      if (!host_is_ours_) ReplaceHostRowsWithOurs(name);
      return;
    }
    if (!b.unique || !o.unique || !t.unique) {
      MergeMultiset(name, records);
      return;
    }
    // Columns the other side added.
    for (const auto& key : g.ColumnKeys()) {
      if (h->ColumnIndex(key) < 0) h->AddColumn(key, "\"\"");
    }
    if (records && g.version_col >= 0) EnsureVersionColumns(h);

    std::vector<std::string> ids;
    std::set<std::string> listed;
    const TableView& hv = host_is_ours_ ? o : t;
    for (const auto& id : hv.order)
      if (listed.insert(id).second) ids.push_back(id);
    for (const auto& id : g.order)
      if (listed.insert(id).second) ids.push_back(id);

    for (const auto& id : ids) {
      Outcome out = Decide(name, records, id, b.Find(id), o.Find(id), t.Find(id));
      const RowView* ov = o.Find(id);
      bool differs_from_ours = out.present != (ov != nullptr) || (ov && out.present && !SameCells(out.cells, *ov));
      if (records && differs_from_ours) ++report_->taken_from_theirs;
      Apply(h, records, id, out);
    }
  }

  static bool SameCells(const std::map<std::string, Cell>& cells, const RowView& row) {
    for (const auto& [k, c] : cells) {
      auto it = row.cells.find(k);
      if (it != row.cells.end() && it->second.value != c.value) return false;
    }
    return true;
  }

  static Outcome From(const RowView& r, bool records) {
    Outcome out;
    out.present = true;
    out.cells = r.cells;
    out.version = r.version;
    out.modified = r.modified;
    out.stamp = records;
    return out;
  }

  // Decide, plus the cells of columns only one side has (so a column added by one side keeps
  // its values whichever side's row wins).
  Outcome Decide(const std::string& table, bool records, const std::string& id, const RowView* b, const RowView* o,
                 const RowView* t) {
    Outcome out = DecideRow(table, records, id, b, o, t);
    if (!out.present) return out;
    for (const RowView* side : {o, t})
      if (side)
        for (const auto& kv : side->cells) out.cells.emplace(kv.first, kv.second);
    return out;
  }

  Outcome DecideRow(const std::string& table, bool records, const std::string& id, const RowView* b, const RowView* o,
                    const RowView* t) {
    Outcome out;
    if (o && t) {
      if (SameFields(*o, *t)) {
        out = From(host_is_ours_ ? *o : *t, records);
        out.version = std::max(o->version, t->version);
        out.modified = std::max(o->modified, t->modified);
        return out;
      }
      if (b && !Changed(*o, *b)) return From(*t, records);
      if (b && !Changed(*t, *b)) return From(*o, records);
      // Changed on both sides (or added on both sides): field by field.
      out.present = true;
      out.stamp = records;
      std::vector<std::string> keys;  // column order: ours', then columns only theirs has
      for (const auto& kv : o->fields) keys.push_back(kv.first);
      for (const auto& kv : t->fields)
        if (!o->cells.count(kv.first)) keys.push_back(kv.first);
      for (const auto& key : keys) {
        std::optional<std::string> bv;
        if (b)
          if (auto it = b->cells.find(key); it != b->cells.end()) bv = it->second.value;
        auto oi = o->cells.find(key);
        auto ti = t->cells.find(key);
        if (oi == o->cells.end()) {  // column only theirs has: ours left it alone
          out.cells[key] = ti->second;
          continue;
        }
        if (ti == t->cells.end()) {
          out.cells[key] = oi->second;
          continue;
        }
        FieldOutcome f = MergeField(bv, oi->second.value, ti->second.value);
        if (!f.conflict) {
          out.cells[key] = f.value == ti->second.value ? ti->second : oi->second;
          continue;
        }
        if (records) {
          out.cells[key] = ti->second;  // the record holds theirs; the conflict row holds ours
          new_conflicts_.push_back({"", id, key, bv.value_or(""), oi->second.value, ti->second.value,
                                    options_.writer, Now()});
        } else {
          out.cells[key] = oi->second;
          Note("table '" + table + "', row '" + id + "': '" + key + "' changed on both sides ('" + oi->second.value +
               "' vs '" + ti->second.value + "'); kept ours");
        }
      }
      out.version = std::max(o->version, t->version) + 1;
      out.modified = Now();
      return out;
    }
    if (o) {  // theirs lacks it
      if (!b) return From(*o, records);
      if (!Changed(*o, *b)) return out;  // theirs deleted an unchanged record
      if (records) {
        new_conflicts_.push_back(
            {"", id, "*", "", FieldsToJson(o->fields), std::string(kDeletedMarker), options_.writer, Now()});
        return out;  // as the Store does: the record is gone, ours' fields live in the conflict
      }
      Note("table '" + table + "', row '" + id + "': deleted by theirs but changed by ours; kept it");
      return From(*o, records);
    }
    if (t) {  // ours lacks it
      if (!b) return From(*t, records);
      if (!Changed(*t, *b)) return out;  // ours deleted an unchanged record
      if (records) {
        new_conflicts_.push_back(
            {"", id, "*", "", std::string(kDeletedMarker), FieldsToJson(t->fields), options_.writer, Now()});
      } else {
        Note("table '" + table + "', row '" + id + "': deleted by ours but changed by theirs; kept it");
      }
      return From(*t, records);  // the record stays, with theirs' content
    }
    return out;  // deleted on both sides
  }

  void SetIfDifferent(sdn::Table* h, size_t row, size_t col, const std::string& value, const std::string& raw) {
    if (h->Cell(row, col) != value) h->SetCellRaw(row, col, raw);
  }

  void Apply(sdn::Table* h, bool records, const std::string& id, const Outcome& out) {
    const size_t key_col = static_cast<size_t>(KeyColumn(*h));
    int row = h->FindRow(id, key_col);
    if (!out.present) {
      if (row >= 0) h->RemoveRow(static_cast<size_t>(row));
      return;
    }
    bool appended = false;
    if (row < 0) {
      row = static_cast<int>(h->AppendRow(std::vector<std::string>(h->columns().size())));
      appended = true;
    }
    const size_t r = static_cast<size_t>(row);
    if (records && out.stamp && !h->typed()) {
      // A record without version/modified in any input keeps it that way.
      if (out.version != 0 || !out.modified.empty()) EnsureVersionColumns(h);
    }
    const int vc = records && !h->typed() ? h->ColumnIndex(kVersionColumn) : -1;
    const int mc = records && !h->typed() ? h->ColumnIndex(kModifiedColumn) : -1;
    for (size_t c = 0; c < h->columns().size(); ++c) {
      if (static_cast<int>(c) == vc) {
        std::string v = std::to_string(out.version);
        if (h->Cell(r, c) != v) h->SetCellRaw(r, c, v);
      } else if (static_cast<int>(c) == mc) {
        if (h->Cell(r, c) != out.modified || appended) h->SetCellRaw(r, c, sdn::QuoteString(out.modified));
      } else if (auto it = out.cells.find(ColumnKey(*h, c)); it != out.cells.end()) {
        if (appended) h->SetCellRaw(r, c, it->second.raw);
        else SetIfDifferent(h, r, c, it->second.value, it->second.raw);
      } else if (appended) {
        h->SetCellRaw(r, c, "\"\"");
      }
    }
  }

  // Rows as a multiset (tables whose key column is not unique): rows removed by the other side
  // are removed, rows it added are appended; nothing else changes.
  void MergeMultiset(const std::string& name, bool records) {
    sdn::Table* h = host_->FindTable(name);
    const sdn::Table* g = Find(host_is_ours_ ? theirs_ : ours_, name);
    const sdn::Table* b = Find(base_, name);
    auto keys_of = [](const sdn::Table* t) {
      std::vector<std::string> k;
      if (t)
        for (size_t c = 0; c < t->columns().size(); ++c) k.push_back(ColumnKey(*t, c));
      return k;
    };
    std::vector<std::string> hk = keys_of(h);
    if (keys_of(g) != hk || (b && keys_of(b) != hk)) {
      Note("table '" + name + "' has repeated keys and different columns on both sides; kept ours");
      if (!host_is_ours_) ReplaceHostRowsWithOurs(name);
      return;
    }
    auto row_key = [](const sdn::Table* t, size_t r) {
      std::string k;
      for (size_t c = 0; c < t->columns().size(); ++c) (k += t->Cell(r, c)) += '\x1f';
      return k;
    };
    auto count = [&](const sdn::Table* t) {
      std::map<std::string, int> m;
      if (t)
        for (size_t r = 0; r < t->row_count(); ++r) ++m[row_key(t, r)];
      return m;
    };
    std::map<std::string, int> cb = count(b), cg = count(g), ch = count(h);
    std::set<std::string> all;
    for (const auto& kv : cb) all.insert(kv.first);
    for (const auto& kv : cg) all.insert(kv.first);
    for (const auto& key : all) {
      int nb = cb[key], ng = cg[key], nh = ch[key];
      int remove = std::min(nh, std::max(0, (nb - ng) - std::max(0, nb - nh)));
      for (size_t r = h->row_count(); r-- > 0 && remove > 0;) {
        if (row_key(h, r) == key) {
          h->RemoveRow(r);
          --remove;
          if (records) ++report_->taken_from_theirs;
        }
      }
      int add = std::max(0, (ng - nb) - std::max(0, nh - nb));
      for (size_t r = g->row_count(); r-- > 0 && add > 0;) {
        if (row_key(g, r) != key) continue;
        size_t nr = h->AppendRow(std::vector<std::string>(h->columns().size()));
        for (size_t c = 0; c < h->columns().size(); ++c) h->SetCellRaw(nr, c, std::string(g->RawCell(r, c)));
        --add;
        if (records) ++report_->taken_from_theirs;
      }
    }
  }

  // The host is theirs' document but a table could not be merged: put ours' rows in it.
  void ReplaceHostRowsWithOurs(const std::string& name) {
    sdn::Table* h = host_->FindTable(name);
    const sdn::Table* o = Find(ours_, name);
    if (!h) return;
    if (!o || o->columns().size() != h->columns().size()) {
      Note("table '" + name + "': ours could not be restored in the merged file; see `git show :2:<path>`");
      return;
    }
    while (h->row_count() > 0) h->RemoveRow(h->row_count() - 1);
    for (size_t r = 0; r < o->row_count(); ++r) {
      size_t nr = h->AppendRow(std::vector<std::string>(h->columns().size()));
      for (size_t c = 0; c < h->columns().size(); ++c) h->SetCellRaw(nr, c, std::string(o->RawCell(r, c)));
    }
  }

  // A table only the other side has.
  void AddGuestTable(const std::string& name) {
    const sdn::Table* g = Find(host_is_ours_ ? theirs_ : ours_, name);
    const sdn::Table* b = Find(base_, name);
    if (b) {
      // The host removed it. If the other side did not change it, that removal stands.
      bool same = b->row_count() == g->row_count() && b->columns() == g->columns();
      for (size_t r = 0; same && r < b->row_count(); ++r) same = b->RowText(r) == g->RowText(r);
      if (same) return;
      Note("table '" + name + "' was removed on one side and changed on the other; kept it");
    }
    if (g->typed()) Note("typed table '" + name + "' was added as a named table with its type names as columns");
    sdn::Table* h = host_->AddTable(name, g->columns());
    for (size_t r = 0; r < g->row_count(); ++r) {
      size_t nr = h->AppendRow(std::vector<std::string>(h->columns().size()));
      for (size_t c = 0; c < h->columns().size(); ++c) h->SetCellRaw(nr, c, std::string(g->RawCell(r, c)));
    }
    if (name == records_name_ || records_name_.empty()) report_->taken_from_theirs += static_cast<int>(g->row_count());
  }

  // Existing conflicts merge three-way by content; then this merge's conflicts are added (an
  // open conflict on the same record and field is updated, as the Store does).
  void MergeConflicts() {
    const sdn::Document& guest = host_is_ours_ ? theirs_ : ours_;
    std::vector<Conflict> bc = ReadConflicts(base_, RecordsTable(base_, options_.database));
    std::vector<Conflict> gc = ReadConflicts(guest, RecordsTable(guest, options_.database));
    std::set<std::string> in_base, in_guest;
    for (const auto& c : bc) in_base.insert(ConflictKey(c));
    for (const auto& c : gc) in_guest.insert(ConflictKey(c));

    ConflictTable host(host_, RecordsTable(*host_, options_.database));
    std::set<std::string> in_host;
    for (size_t r = host.size(); r-- > 0;) {
      std::string key = ConflictKey(host.Get(r));
      if (in_base.count(key) && !in_guest.count(key)) host.Remove(r);  // resolved on the other side
      else in_host.insert(key);
    }
    for (const auto& c : gc) {
      std::string key = ConflictKey(c);
      if (in_base.count(key) || in_host.count(key)) continue;
      in_host.insert(key);
      host.Append(c);  // renumbered when its id is taken
    }
    // This merge's conflicts: an open conflict on the same record and field is updated, as the
    // Store does.
    for (const auto& c : new_conflicts_) report_->conflicts.push_back(host.Upsert(c));
    host.DropIfEmpty();
  }

  std::string Now() {
    if (now_.empty()) now_ = clock_->Now();
    return now_;
  }

  const sdn::Document& base_;
  const sdn::Document& ours_;
  const sdn::Document& theirs_;
  sdn::Document* host_;
  bool host_is_ours_;
  const MergeOptions& options_;
  HybridClock* clock_;
  MergeReport* report_;
  std::string records_name_;
  std::string now_;
  std::vector<Conflict> new_conflicts_;
};

void ObserveTimes(const sdn::Document& d, const std::string& db, HybridClock* clock) {
  const sdn::Table* t = RecordsTable(d, db);
  if (!t || t->typed()) return;
  int mc = t->ColumnIndex(kModifiedColumn);
  if (mc < 0) return;
  std::string best;
  for (size_t r = 0; r < t->row_count(); ++r) best = std::max(best, t->Cell(r, static_cast<size_t>(mc)));
  if (!best.empty()) clock->Observe(best);
}

}  // namespace

Result<MergeReport> MergeDatabases(const MergeInput& base, const MergeInput& ours, const MergeInput& theirs,
                                   const MergeOptions& options) {
  // A broken input is named by its role, so git's user knows which version to look at.
  auto named = [](const char* role, const Status& st) {
    return Status(st.code(), std::string(role) + " is not valid SDN: " + st.message());
  };
  auto b = ParseInput(base);
  if (!b.ok()) return named("the common ancestor (base)", b.status());
  auto o = ParseInput(ours);
  if (!o.ok()) return named("our version", o.status());
  auto t = ParseInput(theirs);
  if (!t.ok()) return named("their version", t.status());

  MergeReport report;
  // Whole-file shortcuts: exact, and the usual case for files only one side touched.
  if (ours.text == theirs.text || base.text == theirs.text) {
    report.text = ours.text;
    return report;
  }
  if (base.text == ours.text) {
    report.text = theirs.text;
    report.taken_from_theirs = -1;  // the whole file
    return report;
  }

  HybridClock* clock = options.clock ? options.clock : &HybridClock::Global();
  ObserveTimes(*o.value(), options.database, clock);
  ObserveTimes(*t.value(), options.database, clock);

  // The merge edits one side's document in place: ours, unless only theirs changed the text
  // outside the tables (which can only be kept by starting from theirs).
  std::string sb = Skeleton(*b.value()), so = Skeleton(*o.value()), st = Skeleton(*t.value());
  bool host_is_ours = true;
  if (o.value()->table_count() == 0 && t.value()->table_count() > 0) {
    host_is_ours = false;
  } else if (so != st && so == sb) {
    host_is_ours = false;
  } else if (so != st && st != sb && t.value()->table_count() > 0) {
    report.unmerged.push_back(
        "comments or settings outside the tables changed on both sides; kept ours (theirs: `git show :3:<path>`)");
  }
  const MergeInput& host_in = host_is_ours ? ours : theirs;
  auto host = ParseInput(host_in);
  if (!host.ok()) return host.status();

  Merger merger(*b.value(), *o.value(), *t.value(), host.value().get(), host_is_ours, options, clock, &report);
  merger.Run();

  report.text = host.value()->Serialize();
  if (HasCrcSeal(host_in.text)) report.text = ResealCrc(report.text);
  // Never hand back a file the engine cannot read.
  MergeInput check{report.text, "merged " + ours.name};
  auto reparsed = ParseInput(check);
  if (!reparsed.ok())
    return Status::Corruption("the merged result does not parse (" + reparsed.status().message() +
                              "); nothing was written");
  return report;
}

}  // namespace sdndb::git
