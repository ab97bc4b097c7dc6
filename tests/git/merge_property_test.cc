// Randomized three-way merges of the driver (server/git/merge_driver.h) against an oracle: the
// field-level three-way rule of docs/git.md, written here independently of the driver, over the
// parsed versions. Cases are generated (edits, adds, deletes, duplicate ids, ids that change
// meaning, column changes, comments) and taken from the corpus (random lossless edits of real
// files). For every case:
//   - when the driver used git's line merge, its result is exactly `git merge-file`'s;
//   - otherwise no lost change and no duplicated record: every table holds exactly the rows the
//     rule gives (clean rows), a conflict the rule predicts is reported (exit non-zero), a record
//     in conflict is in the conflicts table, and the rule's cases that only a line merge can
//     hold (repeated keys changed on both sides, ...) never come out of a record merge;
//   - never worse than git: whenever git's line merge is clean and the driver's result differs,
//     the checks above hold (counted and printed).
// CI runs a few thousand cases in seconds; SDNDB_LONG_TESTS=1 runs ten times more.
#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "core/db/db_file.h"
#include "core/db/hlc.h"
#include "core/sdn/document.h"
#include "server/git/git_process.h"
#include "server/git/merge_driver.h"
#include "tests/git/git_world.h"
#include "tests/support/io_test_util.h"

using sdndb::git::MergeReport;

namespace {

sdndb::HybridClock& TestClock() {
  static sdndb::HybridClock clock([] { return int64_t{1800000000000}; });
  return clock;
}

using Row = std::map<std::string, std::string>;  // column -> value

struct Expected {
  bool line_merge_only = false;  // the rule cannot be applied record by record
  bool conflict = false;         // the rule reports a conflict
  std::map<std::string, std::map<std::string, std::vector<Row>>> rows;  // table -> key -> its rows, in order
  std::set<std::pair<std::string, std::string>> conflicted;                // (table, key)
  std::string why;
};

bool IsIdentifying(const std::string& c) {
  static const std::set<std::string> k = {"title", "name", "description", "summary", "text", "file", "path"};
  return k.count(c) > 0;
}

int KeyCol(const sdndb::sdn::Table& t) {
  int c = t.ColumnIndex("id");
  return c >= 0 ? c : 0;
}

struct Version {
  const sdndb::sdn::Table* t = nullptr;
  std::map<std::string, Row> rows;                 // the first row of each key
  std::map<std::string, std::vector<Row>> lists;   // every row of each key
  std::set<std::string> repeated;                  // keys that occur more than once
};

Version ReadTable(const sdndb::sdn::Table* t, bool records, const std::map<std::string, std::string>& rename) {
  Version v;
  v.t = t;
  if (!t) return v;
  for (size_t r = 0; r < t->row_count(); ++r) {
    Row row;
    for (size_t c = 0; c < t->columns().size(); ++c) {
      std::string name = t->columns()[c];
      if (records && (name == "version" || name == "modified")) continue;
      if (auto it = rename.find(name); it != rename.end()) name = it->second;
      row[name] = t->Cell(r, c);  // a dropped column keeps an empty-named... see below
    }
    std::string key = t->Cell(r, static_cast<size_t>(KeyCol(*t)));
    v.lists[key].push_back(row);
    if (v.rows.count(key)) v.repeated.insert(key);
    else v.rows[key] = row;
  }
  return v;
}

// Different records under one id, per docs/git.md's identity rule.
bool DifferentRecord(const Row& a, const Row& b, const std::string& key_col) {
  int ident = 0, ident_diff = 0, others = 0, others_diff = 0;
  std::vector<std::pair<std::string, std::string>> ident_values;
  for (const auto& [c, v] : a) {
    if (c == key_col || c.empty()) continue;
    auto it = b.find(c);
    if (it == b.end()) continue;
    if (IsIdentifying(c) && !v.empty() && !it->second.empty()) {
      ++ident;
      ident_diff += v != it->second;
      ident_values.emplace_back(v, it->second);
    } else {
      ++others;
      others_diff += v != it->second;
    }
  }
  if (ident == 0 || ident_diff < ident) return false;
  if (ident >= 2) return true;
  // One identifying field: also no shared word (4+ letters) and most other fields differ.
  auto words = [](const std::string& s) {
    std::set<std::string> w;
    std::string cur;
    for (char ch : s + " ") {
      if (std::isalnum(static_cast<unsigned char>(ch)) || (ch & 0x80)) {
        cur += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      } else {
        if (cur.size() >= 4) w.insert(cur);
        cur.clear();
      }
    }
    return w;
  };
  for (const auto& w : words(ident_values[0].first))
    if (words(ident_values[0].second).count(w)) return false;
  return others >= 2 && 2 * others_diff > others;
}

std::string BlockText(const sdndb::sdn::Table* t) {
  if (!t) return "\x01" "absent";
  std::string s;
  for (const auto& c : t->columns()) s += c + "|";
  for (size_t r = 0; r < t->row_count(); ++r) s += std::string(t->RowText(r));
  return s;
}

// The field-level three-way rule over three parsed versions.
Expected Oracle(const sdndb::sdn::Document& b, const sdndb::sdn::Document& o, const sdndb::sdn::Document& t,
                const std::string& records_name) {
  Expected e;
  auto decline = [&](const std::string& why) {
    e.line_merge_only = true;
    if (e.why.empty()) e.why = why;
  };
  std::vector<std::string> names;
  for (const auto* d : {&o, &t})
    for (size_t i = 0; i < d->table_count(); ++i)
      if (std::find(names.begin(), names.end(), d->table(i)->name()) == names.end()) names.push_back(d->table(i)->name());
  for (const auto& name : names) {
    if (name == "conflicts") continue;
    const bool records = name == records_name;
    const auto *tb = b.FindTable(name), *to = o.FindTable(name), *tt = t.FindTable(name);
    const std::string xb = BlockText(tb), xo = BlockText(to), xt = BlockText(tt);
    const sdndb::sdn::Table* whole = nullptr;  // one side's table taken as it is
    bool gone = false;
    if (xo == xb) whole = tt, gone = !tt;
    else if (xt == xb || xo == xt) whole = to, gone = !to;
    if (gone) continue;
    if (whole) {
      e.rows[name] = ReadTable(whole, records, {}).lists;
      continue;
    }
    if (!to || !tt) {
      decline("table removed on one side, changed on the other");
      continue;
    }
    auto cols = [](const sdndb::sdn::Table* x) { return x ? x->columns() : std::vector<std::string>{}; };
    std::map<std::string, std::string> rename;  // base layout -> changed layout ("" = dropped)
    bool ours_layout = true;
    if (cols(to) == cols(tt)) {
    } else if (tb && cols(to) == cols(tb)) {
      ours_layout = false;
    } else if (tb && cols(tt) == cols(tb)) {
    } else {
      decline("columns changed differently");
      continue;
    }
    const auto layout = ours_layout ? cols(to) : cols(tt);
    if (tb && cols(tb) != layout) {
      const auto bc = cols(tb), nc = layout;
      for (size_t i = 0; i < bc.size(); ++i) {
        if (std::find(nc.begin(), nc.end(), bc[i]) != nc.end()) continue;
        bool fresh = i < nc.size() && std::find(bc.begin(), bc.end(), nc[i]) == bc.end();
        rename[bc[i]] = fresh ? nc[i] : "";
      }
    }
    Version vb = ReadTable(tb, records, rename);
    const std::map<std::string, std::string> none;
    Version vo = ReadTable(to, records, tb && cols(to) == cols(tb) ? rename : none);
    Version vt = ReadTable(tt, records, tb && cols(tt) == cols(tb) ? rename : none);
    auto& out = e.rows[name];
    // A repeated key: its rows from the side that changed them; changed on both: line merge.
    std::set<std::string> repeated;
    for (const auto* v : {&vb, &vo, &vt}) repeated.insert(v->repeated.begin(), v->repeated.end());
    auto list = [](const Version& v, const std::string& k) {
      std::vector<Row> rows_of_key;
      if (auto it = v.lists.find(k); it != v.lists.end())
        for (Row r : it->second) {
          r.erase("");  // a dropped column: checked below
          rows_of_key.push_back(r);
        }
      return rows_of_key;
    };
    for (const auto& k : repeated) {
      auto lb = list(vb, k), lo = list(vo, k), lt = list(vt, k);
      if (lo == lb) out[k] = lt;
      else if (lt == lb || lo == lt) out[k] = lo;
      else decline("a repeated key changed on both sides");
      if (out[k].empty()) out.erase(k);
    }
    const std::string key_col = to->columns()[static_cast<size_t>(KeyCol(*to))];
    // A dropped column ("" after renaming) changed by the side that kept it.
    {
      const Version& kept = ours_layout ? vt : vo;
      for (const auto& [k, row] : kept.rows) {
        auto dropped = row.find("");
        if (dropped == row.end()) continue;
        auto br = vb.rows.find(k);
        std::string before = br == vb.rows.end() ? "" : br->second.count("") ? br->second.at("") : "";
        if (dropped->second != before) decline("a dropped column changed on the other side");
      }
    }
    std::set<std::string> keys;
    for (const auto* v : {&vo, &vt})
      for (const auto& kv : v->rows) keys.insert(kv.first);
    for (const auto& k : keys) {
      if (repeated.count(k)) continue;
      auto find = [&](const Version& v) -> const Row* {
        auto it = v.rows.find(k);
        if (it == v.rows.end()) return nullptr;
        return &it->second;
      };
      const Row *rb = find(vb), *ro = find(vo), *rt = find(vt);
      auto strip = [](Row r) {
        r.erase("");
        return r;
      };
      auto conflict = [&]() {
        if (!records) {
          decline("conflict in a table without conflict rows");
          return;
        }
        e.conflict = true;
        e.conflicted.insert({name, k});
      };
      if (ro && rt) {
        Row so = strip(*ro), st = strip(*rt);
        if (so == st) {
          out[k] = {so};
          continue;
        }
        std::optional<Row> sb;
        if (rb) sb = strip(*rb);
        if (sb && so == *sb) {
          out[k] = {st};
          continue;
        }
        if (sb && st == *sb) {
          out[k] = {so};
          continue;
        }
        if (sb && (DifferentRecord(*sb, so, key_col) || DifferentRecord(*sb, st, key_col))) {
          decline("id changed meaning");
          continue;
        }
        Row merged;
        bool clash = false;
        std::set<std::string> cs;
        for (const auto& kv : so) cs.insert(kv.first);
        for (const auto& kv : st) cs.insert(kv.first);
        for (const auto& c : cs) {
          auto oi = so.find(c), ti = st.find(c);
          if (oi == so.end()) {
            merged[c] = ti->second;
          } else if (ti == st.end()) {
            merged[c] = oi->second;
          } else if (oi->second == ti->second) {
            merged[c] = oi->second;
          } else if (sb && sb->count(c) && sb->at(c) == oi->second) {
            merged[c] = ti->second;
          } else if (sb && sb->count(c) && sb->at(c) == ti->second) {
            merged[c] = oi->second;
          } else {
            clash = true;
          }
        }
        if (clash) conflict();
        else out[k] = {merged};
        continue;
      }
      const Row* kept = ro ? ro : rt;
      if (!rb) {
        out[k] = {strip(*kept)};
      } else if (strip(*kept) != strip(*rb)) {
        conflict();  // deleted on one side, changed on the other
      }
    }
  }
  return e;
}

std::map<std::string, std::vector<Row>> RowsOf(const sdndb::sdn::Table* t, bool records) {
  return ReadTable(t, records, {}).lists;
}

struct Stats {
  int cases = 0, line_merged = 0, record_merged = 0, conflicts = 0, git_clean_differs = 0, git_conflict_driver_clean = 0;
};

// Runs one case through the driver and checks it against the oracle and git.
void Check(const std::string& b, const std::string& o, const std::string& t, const std::string& db, Stats* stats,
           const std::string& label) {
  sdndb::git::MergeOptions opt;
  opt.database = db;
  opt.writer = "prop";
  opt.clock = &TestClock();
  opt.line_merge = [](const std::string& lb, const std::string& lo, const std::string& lt) {
    return sdndb::git::GitMergeFile(lb, lo, lt);
  };
  auto r = sdndb::git::MergeDatabases({b, "base"}, {o, "ours"}, {t, "theirs"}, opt);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  const MergeReport& m = r.value();
  auto git = sdndb::git::GitMergeFile(b, o, t);
  REQUIRE(git.ok());
  ++stats->cases;
  const std::string context = label + "\n--- base\n" + b + "--- ours\n" + o + "--- theirs\n" + t + "--- driver\n" +
                              m.text + "--- git\n" + git->text + "--- reason: " + m.line_merge_reason;
  if (m.line_merged()) {
    ++stats->line_merged;
    CHECK_MESSAGE(m.text == git->text, context);
    CHECK_MESSAGE(m.line_conflicts == git->conflicts, context);
    return;
  }
  ++stats->record_merged;
  if (git->conflicts == 0 && m.text != git->text) ++stats->git_clean_differs;
  if (git->conflicts > 0 && m.clean()) ++stats->git_conflict_driver_clean;
  if (!m.clean()) ++stats->conflicts;

  auto pb = sdndb::ParseDatabaseText(b, "base");
  auto po = sdndb::ParseDatabaseText(o, "ours");
  auto pt = sdndb::ParseDatabaseText(t, "theirs");
  REQUIRE_MESSAGE((pb.ok() && po.ok() && pt.ok()), "the driver merged records of a version that does not parse\n" << context);
  const sdndb::sdn::Table* rt = sdndb::RecordsTable(*po.value(), db);
  const std::string records = rt ? rt->name() : "";
  Expected e = Oracle(*pb.value(), *po.value(), *pt.value(), records);
  REQUIRE_MESSAGE(!e.line_merge_only, "the rule cannot apply record by record (" << e.why << ") but the driver did\n"
                                                                                  << context);
  auto pm = sdndb::ParseDatabaseText(m.text, "merged");
  REQUIRE_MESSAGE(pm.ok(), pm.status().ToString() << "\n" << context);
  // Exit code non-zero whenever the rule has a conflict; none invented.
  CHECK_MESSAGE(e.conflict == !m.conflicts.empty(), context);
  std::set<std::string> conflict_records;
  for (const auto& c : sdndb::ReadConflicts(*pm.value(), sdndb::RecordsTable(*pm.value(), db))) conflict_records.insert(c.record);
  for (const auto& [table, key] : e.conflicted)
    CHECK_MESSAGE(conflict_records.count(key) == 1, "no conflict row for " << key << "\n" << context);
  // No lost change, no duplicated record: exactly the rule's rows.
  for (const auto& [name, rows] : e.rows) {
    const sdndb::sdn::Table* mt = pm.value()->FindTable(name);
    REQUIRE_MESSAGE(mt != nullptr, "table " << name << " lost\n" << context);
    auto got = RowsOf(mt, name == records);
    // A column the merged layout has and the row's side had not reads as empty.
    auto non_empty = [](const std::vector<Row>& rs) {
      std::vector<Row> out;
      for (const auto& x : rs) {
        Row y;
        for (const auto& kv : x)
          if (!kv.second.empty()) y.insert(kv);
        out.push_back(y);
      }
      return out;
    };
    for (const auto& [k, list] : got) {
      if (e.conflicted.count({name, k})) continue;
      auto it = rows.find(k);
      if (it == rows.end()) {
        CHECK_MESSAGE(false, "row " << k << " of " << name << " should not be there\n" << context);
        continue;
      }
      CHECK_MESSAGE(list.size() == it->second.size(), "row " << k << " of " << name << " duplicated or lost\n" << context);
      CHECK_MESSAGE(non_empty(list) == non_empty(it->second), "row " << k << " of " << name << " differs\n" << context);
    }
    for (const auto& [k, list] : rows)
      CHECK_MESSAGE(got.count(k) == 1, "row " << k << " of " << name << " lost\n" << context);
  }
  // Comment lines added by either side are kept (text around tables merges like git).
  auto comments = [](const std::string& s) {
    std::multiset<std::string> out;
    size_t at = 0;
    while (at < s.size()) {
      size_t nl = s.find('\n', at);
      std::string line = s.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
      if (line.rfind("#", 0) == 0) out.insert(line);
      at = nl == std::string::npos ? s.size() : nl + 1;
    }
    return out;
  };
  auto cb = comments(b), cm = comments(m.text);
  for (const std::string* side : {&o, &t})
    for (const auto& c : comments(*side))
      if (!cb.count(c)) CHECK_MESSAGE(cm.count(c) >= 1, "comment lost: " << c << "\n" << context);
}

// ---- generated cases ----

struct Rec {
  std::string id;
  std::map<std::string, std::string> f;  // canonical column -> value
};

struct Model {
  std::vector<std::string> columns = {"title", "file", "status", "prio"};  // after id
  std::map<std::string, std::string> header_name;  // canonical -> name written (renames)
  bool versioned = false;
  std::vector<Rec> recs;
  std::vector<std::string> top, bottom;  // comment lines
  std::vector<std::pair<std::string, std::string>> strings = {{"s1", "alpha"}, {"s2", "beta"}};
};

std::string Render(const Model& m) {
  std::string s;
  for (const auto& c : m.top) s += c + "\n";
  s += "todos |id";
  for (const auto& c : m.columns) s += ", " + (m.header_name.count(c) ? m.header_name.at(c) : c);
  if (m.versioned) s += ", version, modified";
  s += "|\n";
  for (const auto& r : m.recs) {
    s += "    " + r.id;
    for (const auto& c : m.columns) s += ", \"" + (r.f.count(c) ? r.f.at(c) : std::string()) + "\"";
    if (m.versioned) s += ", 1, \"2026-01-01T00:00:00.000Z\"";
    s += "\n";
  }
  s += "\nstrings |id, text|\n";
  for (const auto& [k, v] : m.strings) s += "    " + k + ", " + v + "\n";
  for (const auto& c : m.bottom) s += c + "\n";
  return s;
}

const char* kWords[] = {"open", "done", "wip", "P1", "P2", "x"};

std::string Pick(std::mt19937& rng, int n) { return kWords[rng() % static_cast<unsigned>(n)]; }

Rec NewRec(const std::string& id, int uid) {
  return {id, {{"title", "task number " + std::to_string(uid) + " widget"},
               {"file", "src/mod" + std::to_string(uid) + ".spl"},
               {"status", "open"},
               {"prio", "P2"}}};
}

void Mutate(Model& m, std::mt19937& rng, int side, int* uid) {
  int ops = static_cast<int>(rng() % 4);
  for (int i = 0; i < ops; ++i) {
    int k = static_cast<int>(rng() % 20);
    if (k < 6 && !m.recs.empty()) {  // edit a field
      Rec& r = m.recs[rng() % m.recs.size()];
      const std::string& c = m.columns[rng() % m.columns.size()];
      if (c == "title") r.f[c] = r.f[c] + " v" + std::to_string(side);
      else if (c == "file") r.f[c] = r.f[c] + std::to_string(side);
      else r.f[c] = Pick(rng, 6);
    } else if (k < 9) {  // add (sometimes an id the other side may add too)
      std::string id = rng() % 3 == 0 ? std::to_string(100 + rng() % 2) : std::to_string(side * 1000 + (*uid));
      bool taken = false;
      for (const auto& r : m.recs) taken |= r.id == id;
      if (!taken) m.recs.push_back(NewRec(id, (*uid)++));
    } else if (k < 12 && !m.recs.empty()) {  // delete
      m.recs.erase(m.recs.begin() + static_cast<long>(rng() % m.recs.size()));
    } else if (k < 14 && !m.recs.empty()) {  // the id names another record now (regenerated)
      Rec& r = m.recs[rng() % m.recs.size()];
      Rec fresh = NewRec(r.id, (*uid)++);
      fresh.f["status"] = Pick(rng, 3);
      r = fresh;
    } else if (k < 16) {  // a comment
      (rng() % 2 ? m.top : m.bottom).push_back("# side " + std::to_string(side) + " note " + std::to_string((*uid)++));
    } else if (k == 16 && m.columns.size() > 3) {  // drop a column
      m.columns.erase(m.columns.begin() + 2 + static_cast<long>(rng() % (m.columns.size() - 2)));
    } else if (k == 17 && !m.header_name.count("status")) {  // rename a column
      if (std::find(m.columns.begin(), m.columns.end(), "status") != m.columns.end()) m.header_name["status"] = "state";
    } else if (k == 18 && std::find(m.columns.begin(), m.columns.end(), "owner") == m.columns.end()) {  // add one
      m.columns.push_back("owner");
      for (auto& r : m.recs) r.f["owner"] = Pick(rng, 3);
    } else if (k == 19 && m.columns.size() >= 2) {  // reorder
      std::swap(m.columns[0], m.columns[1]);
    } else if (!m.strings.empty()) {  // the other table
      m.strings[rng() % m.strings.size()].second = Pick(rng, 6);
    }
  }
}

}  // namespace

TEST_CASE("property: generated three-way merges follow the field rule, or git's line merge exactly") {
  const int n = sdndb::testing::LongTests() ? 20000 : 2000;
  std::mt19937 rng(1414);
  Stats stats;
  for (int i = 0; i < n; ++i) {
    Model base;
    base.versioned = rng() % 3 == 0;
    int uid = 1;
    int count = static_cast<int>(rng() % 6);
    for (int k = 0; k < count; ++k) base.recs.push_back(NewRec(std::to_string(k + 1), uid++));
    if (count > 1 && rng() % 8 == 0) {  // a duplicate id, as in real files
      Rec dup = NewRec(base.recs[0].id, uid++);
      base.recs.push_back(dup);
    }
    if (rng() % 4 == 0) base.top.push_back("# tracker");
    Model ours = base, theirs = base;
    int uo = uid, ut = uid + 500;
    Mutate(ours, rng, 1, &uo);
    Mutate(theirs, rng, 2, &ut);
    Check(Render(base), Render(ours), Render(theirs), "todo", &stats, "generated case " + std::to_string(i));
  }
  std::printf("generated: %d cases, %d record merges (%d with conflicts), %d git line merges; git clean but a "
              "different result: %d; git conflicted, driver clean: %d\n",
              stats.cases, stats.record_merged, stats.conflicts, stats.line_merged, stats.git_clean_differs,
              stats.git_conflict_driver_clean);
  CHECK(stats.record_merged > n / 3);
  CHECK(stats.line_merged > 0);
  CHECK(stats.conflicts > 0);
}

namespace {

// A random lossless edit of a real file: a cell, a removed row, a copied row with a new key, a
// comment at the top or the end.
std::string EditReal(const std::string& text, std::mt19937& rng, int side, int* serial) {
  auto d = sdndb::sdn::Document::Parse(text);
  REQUIRE(d.ok());
  std::string out = text;
  int ops = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < ops; ++i) {
    auto doc = sdndb::sdn::Document::Parse(out);
    REQUIRE(doc.ok());
    std::vector<sdndb::sdn::Table*> tables;
    for (size_t k = 0; k < doc.value()->table_count(); ++k)
      if (doc.value()->table(k)->row_count() > 0 && !doc.value()->table(k)->typed())
        tables.push_back(doc.value()->table(k));
    int k = static_cast<int>(rng() % 10);
    if (k < 5 && !tables.empty()) {
      auto* t = tables[rng() % tables.size()];
      size_t r = rng() % t->row_count(), c = 1 + rng() % std::max<size_t>(1, t->columns().size() - 1);
      if (c >= t->columns().size()) c = 0;
      t->SetCell(r, c, "edit " + std::to_string(side) + "." + std::to_string((*serial)++));
    } else if (k < 7 && !tables.empty()) {
      auto* t = tables[rng() % tables.size()];
      t->RemoveRow(rng() % t->row_count());
    } else if (k < 9 && !tables.empty()) {
      auto* t = tables[rng() % tables.size()];
      size_t r = rng() % t->row_count();
      std::vector<std::string> cells;
      for (size_t c = 0; c < t->columns().size(); ++c) cells.push_back(t->Cell(r, c));
      cells[static_cast<size_t>(KeyCol(*t))] = "new_" + std::to_string(side) + "_" + std::to_string((*serial)++);
      t->AppendRow(cells);
    } else {
      std::string s = doc.value()->Serialize();
      std::string c = "# side " + std::to_string(side) + " note " + std::to_string((*serial)++) + "\n";
      out = rng() % 2 ? c + s : s + (s.empty() || s.back() == '\n' ? "" : "\n") + c;
      continue;
    }
    out = doc.value()->Serialize();
  }
  return out;
}

}  // namespace

TEST_CASE("property: random edits of the real corpus files merge by the field rule, or exactly as git") {
  const int per_file = sdndb::testing::LongTests() ? 400 : 40;
  std::mt19937 rng(7);
  Stats stats;
  const std::pair<const char*, const char*> files[] = {{"03_", "todo"}, {"18_", "todo"}, {"07_", "bug"},
                                                       {"05_", "feature"}, {"10_", "test"}, {"13_", "grouped_test"},
                                                       {"19_", "feature"}, {"01_", "task"}};
  for (const auto& [prefix, db] : files) {
    const std::string base = sdndb::testing::CorpusFile(prefix);
    REQUIRE(sdndb::sdn::Document::Parse(base).ok());
    for (int i = 0; i < per_file; ++i) {
      int serial = 0;
      std::string o = EditReal(base, rng, 1, &serial), t = EditReal(base, rng, 2, &serial);
      Check(base, o, t, db, &stats, std::string("corpus ") + prefix + " case " + std::to_string(i));
    }
  }
  std::printf("corpus: %d cases, %d record merges (%d with conflicts), %d git line merges; git clean but a "
              "different result: %d; git conflicted, driver clean: %d\n",
              stats.cases, stats.record_merged, stats.conflicts, stats.line_merged, stats.git_clean_differs,
              stats.git_conflict_driver_clean);
  CHECK(stats.record_merged > 0);
}

TEST_CASE("identity rule: examples") {
  using sdndb::git::IdentityChanged;
  // Regenerated todo (corpus 03 id 3 vs 18 id 3): description and file both differ.
  CHECK(IdentityChanged({{"description", "Add support for generic type aliases"}, {"file", "a/array_ops.spl"}, {"status", "open"}},
                        {{"description", "wire up hwprobe when available"}, {"file", "b/simd.spl"}, {"status", "open"}}));
  // An edit of the description only.
  CHECK_FALSE(IdentityChanged({{"description", "old"}, {"file", "a.spl"}}, {{"description", "new"}, {"file", "a.spl"}}));
  // One identifying field: a retitle that keeps a word, or with few other changes, is an edit.
  CHECK_FALSE(IdentityChanged({{"title", "write docs"}, {"status", "open"}, {"prio", "P2"}},
                              {{"title", "write the docs"}, {"status", "done"}, {"prio", "P1"}}));
  CHECK_FALSE(IdentityChanged({{"title", "one"}, {"status", "open"}}, {{"title", "TWO"}, {"status", "done"}}));
  CHECK(IdentityChanged({{"title", "parser crash"}, {"status", "open"}, {"prio", "P2"}},
                        {{"title", "docs typo"}, {"status", "done"}, {"prio", "P1"}}));
  // No identifying columns: never.
  CHECK_FALSE(IdentityChanged({{"status", "a"}, {"prio", "b"}}, {{"status", "c"}, {"prio", "d"}}));
}
