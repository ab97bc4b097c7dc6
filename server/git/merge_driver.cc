#include "server/git/merge_driver.h"

#include <algorithm>
#include <cctype>
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

constexpr char kPlaceholder[] = "\x01sdndb-table:";

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

// Column key of one version -> column key of the table the merge writes into ("" = dropped).
using ColumnMap = std::map<std::string, std::string>;

// A read-only view of one table of one version, keyed by its id column.
struct TableView {
  const sdn::Table* table = nullptr;  // nullptr: this version has no such table
  int key_col = 0;
  int version_col = -1;
  int modified_col = -1;
  std::set<std::string> repeated;  // keys that occur more than once
  std::map<std::string, std::vector<RowView>> all;  // every row of each key, in file order
  std::vector<std::string> order;  // keys in file order
  std::unordered_map<std::string, RowView> rows;
  std::vector<std::pair<std::string, Cell>> dropped;  // (row key \x1f column, cell) of columns the map drops

  const RowView* Find(const std::string& key) const {
    auto it = rows.find(key);
    return it == rows.end() ? nullptr : &it->second;
  }
  const std::vector<RowView>& All(const std::string& key) const {
    static const std::vector<RowView> kNone;
    auto it = all.find(key);
    return it == all.end() ? kNone : it->second;
  }
};

int KeyColumn(const sdn::Table& t) {
  int c = t.typed() ? -1 : t.ColumnIndex("id");
  return c >= 0 ? c : 0;
}

TableView MakeView(const sdn::Table* t, bool records, const ColumnMap& map) {
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
    RowView row;
    for (size_t c = 0; c < t->columns().size(); ++c) {
      if (static_cast<int>(c) == v.version_col) {
        ParseInt64(t->Cell(r, c), &row.version);
      } else if (static_cast<int>(c) == v.modified_col) {
        row.modified = t->Cell(r, c);
      } else {
        std::string ck = ColumnKey(*t, c);
        if (auto it = map.find(ck); it != map.end()) ck = it->second;
        Cell cell{t->Cell(r, c), std::string(t->RawCell(r, c))};
        if (ck.empty()) {
          v.dropped.emplace_back(key + '\x1f' + ColumnKey(*t, c), std::move(cell));
          continue;
        }
        row.fields.emplace_back(ck, cell.value);
        row.cells.emplace(std::move(ck), std::move(cell));
      }
    }
    v.all[key].push_back(row);
    if (v.rows.count(key)) {
      v.repeated.insert(key);
      continue;
    }
    v.order.push_back(key);
    v.rows.emplace(key, std::move(row));
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

// A column the side has and base has not (added on that side, or on both) counts as changed
// when the side put a value in it.
bool Changed(const RowView& side, const RowView& base) {
  for (const auto& [key, cell] : side.cells)
    if (!base.cells.count(key) && !cell.value.empty()) return true;
  return !SameFields(side, base) || side.version != base.version || side.modified != base.modified;
}

// Splits text into lines, each with its line ending (the last one may lack it).
std::vector<std::string_view> Lines(std::string_view src) {
  std::vector<std::string_view> lines;
  for (size_t b = 0; b < src.size();) {
    size_t e = src.find('\n', b);
    e = e == std::string::npos ? src.size() : e + 1;
    lines.push_back(src.substr(b, e - b));
    b = e;
  }
  return lines;
}

std::string WithEol(std::string_view line, const std::string& eol) {
  std::string s(line);
  if (s.empty() || s.back() != '\n') s += eol;
  return s;
}

// A document cut into its tables and the text around them.
struct Cut {
  std::string skeleton;                         // text around the tables; a placeholder line per table
  std::map<std::string, std::string> blocks;    // table -> header line through last row, exact text
  std::map<std::string, std::string> trivia;    // table -> its comment/blank lines between rows, anchored
  std::vector<std::string> names;               // tables in file order
  std::string repeated_table;                   // a table name that occurs twice ("" if none)
};

std::string Placeholder(const std::string& name) { return std::string(kPlaceholder) + name + "\n"; }

Cut CutDocument(const sdn::Document& doc) {
  Cut cut;
  const std::string& src = doc.source();
  const std::vector<std::string_view> lines = Lines(src);
  // owner[i]: index of the table whose block holds line i (0-based), or -1.
  std::vector<int> owner(lines.size(), -1);
  std::vector<std::vector<bool>> is_row(doc.table_count());
  std::vector<std::pair<size_t, size_t>> range(doc.table_count());
  for (size_t i = 0; i < doc.table_count(); ++i) {
    const sdn::Table* t = doc.table(i);
    size_t first = static_cast<size_t>(std::max(t->header_line(), 1) - 1), last = first;
    std::vector<bool> rows(lines.size(), false);
    for (size_t r = 0; r < t->row_count(); ++r) {
      std::string_view text = t->RowText(r);
      size_t n = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
      if (text.empty() || text.back() != '\n') ++n;
      size_t at = static_cast<size_t>(std::max(t->RowLine(r), 1) - 1);
      for (size_t k = 0; k < n && at + k < lines.size(); ++k) rows[at + k] = true;
      last = std::max(last, at + n - 1);
    }
    last = std::min(last, lines.empty() ? 0 : lines.size() - 1);
    for (size_t k = first; k <= last && k < lines.size(); ++k) owner[k] = static_cast<int>(i);
    is_row[i] = std::move(rows);
    range[i] = {first, last};
  }
  // The #sdn-crc32 seal line changes with every edit; it is recomputed on output.
  const size_t skip = HasCrcSeal(src) ? 1 : 0;
  std::set<std::string> seen;
  for (size_t i = skip; i < lines.size(); ++i) {
    if (owner[i] < 0) {
      cut.skeleton += WithEol(lines[i], doc.line_ending());
      continue;
    }
    const size_t ti = static_cast<size_t>(owner[i]);
    if (i != range[ti].first) continue;
    const sdn::Table* t = doc.table(ti);
    const std::string& name = t->name();
    if (!seen.insert(name).second) {
      if (cut.repeated_table.empty()) cut.repeated_table = name;
      continue;
    }
    cut.names.push_back(name);
    cut.skeleton += Placeholder(name);
    std::string block, trivia, anchor;
    const int key_col = KeyColumn(*t);
    size_t next_row = 0;
    for (size_t k = range[ti].first; k <= range[ti].second; ++k) {
      block += WithEol(lines[k], doc.line_ending());
      if (k == range[ti].first) continue;
      if (is_row[ti][k]) {
        // The anchor of a comment is the key of the row above it.
        while (next_row < t->row_count() && static_cast<size_t>(t->RowLine(next_row)) <= k + 1) {
          if (!t->columns().empty()) anchor = t->Cell(next_row, static_cast<size_t>(key_col));
          ++next_row;
        }
      } else {
        trivia += anchor + '\x1f' + std::string(lines[k]);
      }
    }
    cut.blocks[name] = std::move(block);
    cut.trivia[name] = std::move(trivia);
  }
  return cut;
}

std::string Lookup(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

// Base column layout -> the layout of the side that changed it: kept names map to themselves,
// a removed column whose position a new column took is a rename, other removed columns drop.
ColumnMap RenameMap(const std::vector<std::string>& base, const std::vector<std::string>& changed) {
  ColumnMap map;
  std::set<std::string> in_base(base.begin(), base.end()), in_changed(changed.begin(), changed.end());
  for (size_t i = 0; i < base.size(); ++i) {
    if (in_changed.count(base[i])) continue;
    map[base[i]] = i < changed.size() && !in_base.count(changed[i]) ? changed[i] : std::string();
  }
  return map;
}

bool IsIdentifyingColumn(const std::string& column) {
  std::string c;
  for (char ch : column) c += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  static const std::set<std::string> kNames = {"title", "name", "description", "summary", "text", "file", "path"};
  return kNames.count(c) > 0;
}

FieldList WithoutKey(const FieldList& fields, const std::string& key) {
  FieldList out;
  for (const auto& kv : fields)
    if (kv.first != key) out.push_back(kv);
  return out;
}

// Whether two texts have a word of four or more letters or digits in common (case ignored).
bool ShareWord(const std::string& a, const std::string& b) {
  auto words = [](const std::string& s) {
    std::set<std::string> out;
    std::string w;
    for (size_t i = 0; i <= s.size(); ++i) {
      unsigned char c = i < s.size() ? static_cast<unsigned char>(s[i]) : ' ';
      if (std::isalnum(c) || c >= 0x80) {
        w += static_cast<char>(std::tolower(c));
      } else {
        if (w.size() >= 4) out.insert(w);
        w.clear();
      }
    }
    return out;
  };
  std::set<std::string> wa = words(a);
  for (const auto& w : words(b))
    if (wa.count(w)) return true;
  return false;
}

std::string ConflictKey(const Conflict& c) {
  return c.record + '\x1f' + c.field + '\x1f' + c.base + '\x1f' + c.ours + '\x1f' + c.theirs + '\x1f' + c.who +
         '\x1f' + c.when;
}

}  // namespace

bool IdentityChanged(const FieldList& a, const FieldList& b) {
  std::map<std::string, std::string> bm(b.begin(), b.end());
  int identifying = 0, identifying_differ = 0, others = 0, others_differ = 0;
  bool share_words = false;
  for (const auto& [k, v] : a) {
    auto it = bm.find(k);
    if (it == bm.end()) continue;
    if (IsIdentifyingColumn(k) && !v.empty() && !it->second.empty()) {
      ++identifying;
      if (v != it->second) ++identifying_differ;
      share_words |= ShareWord(v, it->second);
    } else {
      ++others;
      if (v != it->second) ++others_differ;
    }
  }
  if (identifying == 0 || identifying_differ < identifying) return false;
  if (identifying >= 2) return true;
  return !share_words && others >= 2 && 2 * others_differ > others;
}

bool IdentityChanged(const FieldList& a, const FieldList& b, const std::vector<std::string>& identity) {
  std::map<std::string, std::string> am(a.begin(), a.end()), bm(b.begin(), b.end());
  for (const auto& c : identity) {
    auto ia = am.find(c), ib = bm.find(c);
    if (ia != am.end() && ib != bm.end() && !ia->second.empty() && !ib->second.empty() && ia->second != ib->second)
      return true;
  }
  return false;
}

namespace {

// The final state of one record (or keyed row) after the merge.
struct Outcome {
  bool present = false;
  std::map<std::string, Cell> cells;
  int64_t version = 0;
  std::string modified;
};

enum class Side { kOurs, kTheirs };

class Merger {
 public:
  Merger(const sdn::Document& base, const sdn::Document& ours, const sdn::Document& theirs, const Cut& cb,
         const Cut& co, const Cut& ct, sdn::Document* ours_host, sdn::Document* theirs_host,
         const MergeOptions& options, HybridClock* clock, MergeReport* report)
      : base_(base), ours_(ours), theirs_(theirs), cb_(cb), co_(co), ct_(ct), ours_host_(ours_host),
        theirs_host_(theirs_host), options_(options), clock_(clock), report_(report) {}

  // Merges every table; false (with declined()) when the record-level merge cannot be trusted.
  bool Run() {
    for (const Cut* c : {&cb_, &co_, &ct_})
      if (!c->repeated_table.empty()) return Decline("table '" + c->repeated_table + "' occurs twice in one version");
    const sdn::Table* rt = RecordsTable(ours_, options_.database);
    if (!rt) rt = RecordsTable(theirs_, options_.database);
    records_name_ = rt ? rt->name() : std::string();
    if (records_name_ == kConflictsTable) return Decline("the records table is named 'conflicts'");
    std::vector<std::string> names = co_.names;
    for (const auto& n : ct_.names)
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    for (const auto& name : names) {
      if (name == kConflictsTable) continue;
      if (!MergeTable(name)) return false;
    }
    MergeConflicts();
    return true;
  }

  const std::string& declined() const { return declined_; }
  // Which side's document holds the merged table (nullopt: the table is gone).
  std::optional<Side> Source(const std::string& name) const {
    if (name == kConflictsTable) return Side::kOurs;
    auto it = source_.find(name);
    if (it == source_.end()) return std::nullopt;
    return it->second;
  }

 private:
  bool Decline(const std::string& why) {
    if (declined_.empty()) declined_ = why;
    return false;
  }

  bool MergeTable(const std::string& name) {
    const sdn::Table* tb = base_.FindTable(name);
    const sdn::Table* to = ours_.FindTable(name);
    const sdn::Table* tt = theirs_.FindTable(name);
    const std::string bb = Lookup(cb_.blocks, name), bo = Lookup(co_.blocks, name), bt = Lookup(ct_.blocks, name);
    // Changed on one side only: that side's table, byte for byte.
    if (bo == bb) {
      if (tt) source_[name] = Side::kTheirs;
      return true;
    }
    if (bt == bb || bo == bt) {
      if (to) source_[name] = Side::kOurs;
      return true;
    }
    if (!to || !tt) return Decline("table '" + name + "' was removed on one side and changed on the other");
    const bool records = name == records_name_;
    const std::string where = "table '" + name + "'";

    // Column layouts: a change made on one side only is applied.
    auto columns = [](const sdn::Table* t) { return t ? t->columns() : std::vector<std::string>{}; };
    if (to->typed() || tt->typed() || (tb && tb->typed())) {
      bool same = to->typed() && tt->typed() && columns(to) == columns(tt) &&
                  (!tb || (tb->typed() && columns(tb) == columns(to)));
      if (!same) return Decline(where + ": its typed layout changed");
    }
    bool host_ours = true;
    ColumnMap map;  // for base and the side that kept base's layout
    if (columns(to) == columns(tt)) {
      host_ours = true;
      if (tb && columns(tb) != columns(to)) map = RenameMap(columns(tb), columns(to));  // the same change on both
    } else if (tb && columns(to) == columns(tb)) {
      host_ours = false;
      map = RenameMap(columns(tb), columns(tt));
    } else if (tb && columns(tt) == columns(tb)) {
      host_ours = true;
      map = RenameMap(columns(tb), columns(to));
    } else {
      return Decline(where + ": its columns changed differently on both sides");
    }
    host_is_ours_ = host_ours;
    TableView b = MakeView(tb, records, map);
    const bool same_layouts = columns(to) == columns(tt);
    TableView o = MakeView(to, records, host_ours || same_layouts ? ColumnMap{} : map);
    TableView t = MakeView(tt, records, host_ours && !same_layouts ? map : ColumnMap{});
    // A removed column: the other side must not have put or changed a value in it.
    const TableView& kept_layout = same_layouts ? b : host_ours ? t : o;
    std::map<std::string, std::string> dropped_in_base;
    for (const auto& [where_in_base, cell] : b.dropped) dropped_in_base[where_in_base] = cell.value;
    for (const auto& [at, cell] : kept_layout.dropped) {
      auto it = dropped_in_base.find(at);
      if (it != dropped_in_base.end() ? it->second != cell.value : !cell.value.empty())
        return Decline(where + ": a column removed by one side was changed by the other (row '" +
                       at.substr(0, at.find('\x1f')) + "')");
    }
    // Comments between rows are kept from the side the merge writes into.
    const std::string tr_b = Lookup(cb_.trivia, name), tr_o = Lookup(co_.trivia, name), tr_t = Lookup(ct_.trivia, name);
    const std::string& tr_guest = host_ours ? tr_t : tr_o;
    const std::string& tr_host = host_ours ? tr_o : tr_t;
    if (tr_guest != tr_b && tr_guest != tr_host) return Decline(where + ": comments between its rows changed on both sides");

    sdn::Document* host_doc = host_ours ? ours_host_ : theirs_host_;
    sdn::Table* h = host_doc->FindTable(name);
    if (!h) return Decline(where + ": missing from the merged document");
    source_[name] = host_ours ? Side::kOurs : Side::kTheirs;

    // Rows whose key occurs more than once (real files have duplicate ids) cannot be matched one
    // by one: all rows of such a key are taken from the side that changed them.
    std::set<std::string> repeated;
    for (const TableView* v : {&b, &o, &t}) repeated.insert(v->repeated.begin(), v->repeated.end());
    for (const auto& key : repeated) {
      const std::vector<RowView>&rb = b.All(key), &ro = o.All(key), &rt = t.All(key);
      const std::vector<RowView>* take = nullptr;
      if (SameRows(ro, rb)) take = &rt;
      else if (SameRows(rt, rb) || SameRows(ro, rt)) take = &ro;
      else return Decline(where + ": the key '" + key + "' occurs more than once and its rows changed on both sides");
      if (!SameRows(*take, host_ours ? ro : rt)) ReplaceRows(h, records, key, *take);
    }

    const std::string key_name = ColumnKey(*h, static_cast<size_t>(KeyColumn(*h)));
    std::vector<std::string> ids;
    std::set<std::string> listed;
    for (const TableView* v : {host_ours ? &o : &t, host_ours ? &t : &o})
      for (const auto& id : v->order)
        if (listed.insert(id).second) ids.push_back(id);
    for (const auto& id : ids) {
      if (repeated.count(id)) continue;
      const RowView *rb = b.Find(id), *ro = o.Find(id), *rt = t.Find(id);
      if (rb && ro && rt && Changed(*ro, *rb) && Changed(*rt, *rb) && (Reassigned(name, key_name, *rb, *ro) ||
                                                                       Reassigned(name, key_name, *rb, *rt)))
        return Decline(where + ": id '" + id + "' names a different record on one side (changed on both sides)");
      std::optional<Outcome> out = DecideRow(records, id, rb, ro, rt);
      if (!out) return Decline(where + ": row '" + id + "' changed on both sides in a way only a conflict row could hold");
      const RowView* before = host_ours ? ro : rt;
      bool changes_host = out->present != (before != nullptr) || (before && out->present && !SameCells(out->cells, *before));
      if (changes_host || (before && out->present && (out->version != before->version || out->modified != before->modified)))
        Apply(h, records, id, *out);
    }
    return true;
  }

  // Whether the id of `side`'s row holds another record than base's (the identity rule).
  bool Reassigned(const std::string& table, const std::string& key_name, const RowView& base, const RowView& side) const {
    FieldList a = WithoutKey(base.fields, key_name), b = WithoutKey(side.fields, key_name);
    auto it = options_.identity.find(table);
    return it != options_.identity.end() ? IdentityChanged(a, b, it->second) : IdentityChanged(a, b);
  }

  static bool SameRows(const std::vector<RowView>& a, const std::vector<RowView>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].cells.size() != b[i].cells.size() || a[i].version != b[i].version || a[i].modified != b[i].modified)
        return false;
      for (const auto& [k, c] : a[i].cells) {
        auto it = b[i].cells.find(k);
        if (it == b[i].cells.end() || it->second.value != c.value) return false;
      }
    }
    return true;
  }

  // Makes the rows of `key` in the host table exactly `rows` (in place, then removed or appended).
  void ReplaceRows(sdn::Table* h, bool records, const std::string& key, const std::vector<RowView>& rows) {
    const size_t key_col = static_cast<size_t>(KeyColumn(*h));
    std::vector<size_t> at;
    for (size_t r = 0; r < h->row_count(); ++r)
      if (h->Cell(r, key_col) == key) at.push_back(r);
    for (size_t i = 0; i < std::min(at.size(), rows.size()); ++i) WriteRow(h, at[i], records, From(rows[i]), false);
    for (size_t i = at.size(); i-- > rows.size();) h->RemoveRow(at[i]);
    for (size_t i = at.size(); i < rows.size(); ++i) {
      size_t r = h->AppendRow(std::vector<std::string>(h->columns().size()));
      WriteRow(h, r, records, From(rows[i]), true);
    }
  }

  static bool SameCells(const std::map<std::string, Cell>& cells, const RowView& row) {
    for (const auto& [k, c] : cells) {
      auto it = row.cells.find(k);
      if (it == row.cells.end() || it->second.value != c.value) return false;
    }
    return true;
  }

  static Outcome From(const RowView& r) {
    Outcome out;
    out.present = true;
    out.cells = r.cells;
    out.version = r.version;
    out.modified = r.modified;
    return out;
  }

  // nullopt: a field conflict in a table that has no conflict rows.
  std::optional<Outcome> DecideRow(bool records, const std::string& id, const RowView* b, const RowView* o,
                                   const RowView* t) {
    Outcome out;
    if (o && t) {
      if (SameFields(*o, *t)) {
        out = From(host_is_ours_ ? *o : *t);
        for (const RowView* side : {o, t})
          for (const auto& kv : side->cells) out.cells.emplace(kv.first, kv.second);
        out.version = std::max(o->version, t->version);
        out.modified = std::max(o->modified, t->modified);
        return out;
      }
      if (b && !Changed(*o, *b)) return From(*t);
      if (b && !Changed(*t, *b)) return From(*o);
      // Changed on both sides (or added on both sides): field by field.
      out.present = true;
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
        if (oi == o->cells.end()) {
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
        if (!records) return std::nullopt;
        out.cells[key] = ti->second;  // the record holds theirs; the conflict row holds ours
        new_conflicts_.push_back(
            {"", id, key, bv.value_or(""), oi->second.value, ti->second.value, options_.writer, Now(),
             /*table: the records table*/ "", /*base_known: added on both sides, no base*/ bv.has_value()});
      }
      out.version = std::max(o->version, t->version) + 1;
      out.modified = Now();
      return out;
    }
    const RowView* kept = o ? o : t;
    if (!kept) return out;  // deleted on both sides
    if (!b) return From(*kept);  // added on one side
    if (!Changed(*kept, *b)) return out;  // the other side deleted an unchanged record
    if (!records) return std::nullopt;
    // Deleted on one side, changed on the other: a whole-record conflict; the changed record
    // stays where it is, so resolving keeps or removes it in place.
    new_conflicts_.push_back({"", id, "*", "", o ? FieldsToJson(o->fields) : std::string(kDeletedMarker),
                              o ? std::string(kDeletedMarker) : FieldsToJson(t->fields), options_.writer, Now()});
    return From(*kept);
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
    WriteRow(h, static_cast<size_t>(row), records, out, appended);
  }

  // Writes the outcome's cells into row `r` (only cells whose value changes, all of a new row).
  void WriteRow(sdn::Table* h, size_t r, bool records, const Outcome& out, bool appended) {
    // Only tables that have version/modified columns get them written (none are added).
    const int vc = records && !h->typed() ? h->ColumnIndex(kVersionColumn) : -1;
    const int mc = records && !h->typed() ? h->ColumnIndex(kModifiedColumn) : -1;
    for (size_t c = 0; c < h->columns().size(); ++c) {
      if (static_cast<int>(c) == vc) {
        std::string v = std::to_string(out.version);
        if (h->Cell(r, c) != v) h->SetCellRaw(r, c, v);
      } else if (static_cast<int>(c) == mc) {
        if (h->Cell(r, c) != out.modified || appended) h->SetCellRaw(r, c, sdn::QuoteString(out.modified));
      } else if (auto it = out.cells.find(ColumnKey(*h, c)); it != out.cells.end()) {
        if (appended || h->Cell(r, c) != it->second.value) h->SetCellRaw(r, c, it->second.raw);
      } else if (appended) {
        h->SetCellRaw(r, c, "\"\"");
      }
    }
  }

  // Existing conflicts merge three-way by content; then this merge's conflicts are added (an
  // open conflict on the same record and field is updated, as the Store does).
  void MergeConflicts() {
    std::vector<Conflict> bc = ReadConflicts(base_, RecordsTable(base_, options_.database));
    std::vector<Conflict> gc = ReadConflicts(theirs_, RecordsTable(theirs_, options_.database));
    std::set<std::string> in_base, in_guest;
    for (const auto& c : bc) in_base.insert(ConflictKey(c));
    for (const auto& c : gc) in_guest.insert(ConflictKey(c));

    ConflictTable host(ours_host_, RecordsTable(*ours_host_, options_.database));
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
  const Cut &cb_, &co_, &ct_;
  sdn::Document* ours_host_;
  sdn::Document* theirs_host_;
  const MergeOptions& options_;
  HybridClock* clock_;
  MergeReport* report_;
  bool host_is_ours_ = true;
  std::string records_name_;
  std::string now_;
  std::string declined_;
  std::map<std::string, Side> source_;
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

bool EndsWithNewline(const std::string& s) { return !s.empty() && s.back() == '\n'; }

}  // namespace

Result<MergeReport> MergeDatabases(const MergeInput& base, const MergeInput& ours, const MergeInput& theirs,
                                   const MergeOptions& options) {
  MergeReport report;
  // Whole-file shortcuts: exact, and the usual case for files only one side touched.
  if (ours.text == theirs.text || base.text == theirs.text) {
    report.text = ours.text;
    return report;
  }
  if (base.text == ours.text) {
    report.text = theirs.text;
    return report;
  }
  // The record-level merge declined: git's line merge of the whole file, or an error.
  auto line_merge_all = [&](const std::string& why) -> Result<MergeReport> {
    if (!options.line_merge) return Status::Conflict(why);
    auto lm = options.line_merge(base.text, ours.text, theirs.text);
    if (!lm.ok()) return Status(lm.status().code(), why + "; the line merge failed too: " + lm.status().message());
    MergeReport r;
    r.text = std::move(lm.value().text);
    r.line_conflicts = lm.value().conflicts;
    r.line_merge_reason = why;
    return r;
  };

  // A broken input is named by its role, so git's user knows which version to look at.
  auto named = [](const char* role, const Status& st) { return std::string(role) + " is not valid SDN: " + st.message(); };
  // A version with malformed rows (which the reader keeps as text) is merged by lines too.
  auto parse = [](const MergeInput& in) -> Result<std::unique_ptr<sdn::Document>> {
    auto doc = ParseDatabaseText(in.text, in.name);
    if (doc.ok() && doc.value()->problem_count() > 0) return Status::ParseError(doc.value()->problems()[0].report);
    return doc;
  };
  auto b = parse(base);
  if (!b.ok()) return line_merge_all(named("the common ancestor (base)", b.status()));
  auto o = parse(ours);
  if (!o.ok()) return line_merge_all(named("our version", o.status()));
  auto t = parse(theirs);
  if (!t.ok()) return line_merge_all(named("their version", t.status()));
  for (const MergeInput* in : {&base, &ours, &theirs})
    if (in->text.find(kPlaceholder) != std::string::npos) return line_merge_all("a version holds sdndb's placeholder text");

  const Cut cb = CutDocument(*b.value()), co = CutDocument(*o.value()), ct = CutDocument(*t.value());
  // The text around the tables merges like git merges text.
  std::string skeleton;
  if (co.skeleton == cb.skeleton || co.skeleton == ct.skeleton) {
    skeleton = ct.skeleton;
  } else if (ct.skeleton == cb.skeleton) {
    skeleton = co.skeleton;
  } else {
    if (!options.line_merge) return Status::Conflict("the text around the tables changed on both sides");
    auto lm = options.line_merge(cb.skeleton, co.skeleton, ct.skeleton);
    if (!lm.ok()) return lm.status();
    if (lm.value().conflicts != 0)
      return line_merge_all("comments or other text around the tables changed on both sides in the same place");
    skeleton = std::move(lm.value().text);
  }

  HybridClock* clock = options.clock ? options.clock : &HybridClock::Global();
  ObserveTimes(*o.value(), options.database, clock);
  ObserveTimes(*t.value(), options.database, clock);

  auto oh = sdn::Document::Parse(ours.text, {ours.name});
  auto th = sdn::Document::Parse(theirs.text, {theirs.name});
  if (!oh.ok()) return oh.status();
  if (!th.ok()) return th.status();
  Merger merger(*b.value(), *o.value(), *t.value(), cb, co, ct, oh.value().get(), th.value().get(), options, clock,
                &report);
  if (!merger.Run()) return line_merge_all(merger.declined());

  // Put the merged tables back into the merged text around them.
  auto ours_doc = sdn::Document::Parse(oh.value()->Serialize(), {ours.name});
  auto theirs_doc = sdn::Document::Parse(th.value()->Serialize(), {theirs.name});
  if (!ours_doc.ok() || !theirs_doc.ok()) return line_merge_all("a merged table did not read back");
  const Cut mo = CutDocument(*ours_doc.value()), mt = CutDocument(*theirs_doc.value());
  const std::string& eol = o.value()->line_ending();
  std::string out;
  std::set<std::string> placed;
  for (std::string_view line : Lines(skeleton)) {
    if (line.substr(0, sizeof kPlaceholder - 1) != kPlaceholder) {
      out.append(line);
      continue;
    }
    std::string name(line.substr(sizeof kPlaceholder - 1));
    while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
    if (!placed.insert(name).second) return line_merge_all("table '" + name + "' would occur twice");
    std::optional<Side> side = merger.Source(name);
    if (!side) continue;  // the table is gone
    const Cut& from = *side == Side::kOurs ? mo : mt;
    auto it = from.blocks.find(name);
    if (it != from.blocks.end()) out += it->second;
  }
  for (const Cut* from : {&mo, &mt}) {
    for (const auto& name : from->names) {
      if (placed.count(name)) continue;
      std::optional<Side> side = merger.Source(name);
      if (!side || (*side == Side::kOurs) != (from == &mo)) continue;
      if (name != kConflictsTable) return line_merge_all("table '" + name + "' lost its place in the text");
      // A conflicts table this merge created: at the end, after a blank line.
      if (!out.empty() && out.back() != '\n') out += eol;
      out += eol + from->blocks.at(name);
    }
  }
  if (!EndsWithNewline(ours.text) && !EndsWithNewline(theirs.text) && EndsWithNewline(out)) {
    out.pop_back();
    if (!out.empty() && out.back() == '\r') out.pop_back();
  }
  if (HasCrcSeal(ours.text) || HasCrcSeal(theirs.text)) {
    out = ResealCrc(out);
  }
  // Never hand back a file the engine cannot read.
  auto reparsed = ParseDatabaseText(out, "merged " + ours.name);
  if (!reparsed.ok()) return line_merge_all("the record merge did not give a valid file (" + reparsed.status().message() + ")");
  report.text = std::move(out);
  return report;
}

}  // namespace sdndb::git
