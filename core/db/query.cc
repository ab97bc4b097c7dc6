#include "core/db/query.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "core/db/db_file.h"

namespace sdndb {

namespace {

enum class SortKind { kInteger, kNumber, kText };

// The text of `field` in `r`; `version` is formatted into `scratch`.
std::string_view FieldText(const RecordData& r, std::string_view field, std::string* scratch) {
  if (const std::string* v = r.Get(field)) return *v;
  if (field == kVersionColumn) {
    *scratch = std::to_string(r.version);
    return *scratch;
  }
  if (field == kModifiedColumn) return r.modified;
  return {};
}

// A finite decimal number, the whole string (no spaces, no '+', no hex, no inf/nan).
bool ParseNumber(std::string_view s, double* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out, std::chars_format::general);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

// How the column `field` compares: integers when every record holds an int64, numbers when
// every record holds a number, else text (see query.h).
// True when `field` names sdndb's metadata rather than a user column of that name.
bool IsMetadataField(const Snapshot& s, const std::string& field) {
  return (field == kVersionColumn || field == kModifiedColumn) &&
         std::find(s.columns.begin(), s.columns.end(), field) == s.columns.end();
}

SortKind ColumnKind(const Snapshot& s, const std::string& field) {
  if (IsMetadataField(s, field)) return field == kVersionColumn ? SortKind::kInteger : SortKind::kText;
  bool integers = true;
  std::string scratch;
  for (const RecordData& r : s.records) {
    std::string_view v = FieldText(r, field, &scratch);
    int64_t i = 0;
    if (integers && ParseInt64(v, &i)) continue;
    integers = false;
    double d = 0;
    if (!ParseNumber(v, &d)) return SortKind::kText;
  }
  return integers ? SortKind::kInteger : SortKind::kNumber;
}

Status UnknownField(const Snapshot& s, const std::string& field, const char* where) {
  std::string known;
  for (const std::string& c : s.columns) known += c + ", ";
  known += std::string(kVersionColumn) + ", " + kModifiedColumn;
  return Status::InvalidArgument("unknown field '" + field + "' in " + where + " (fields: " + known + ")");
}

struct Keyed {
  const RecordData* record;
  int64_t integer = 0;
  double number = 0;
  std::string_view text;  // into the record (kText only; never `version`)
};

}  // namespace

bool IsQueryField(const Snapshot& snapshot, std::string_view field) {
  return field == kVersionColumn || field == kModifiedColumn ||
         std::find(snapshot.columns.begin(), snapshot.columns.end(), field) != snapshot.columns.end();
}

Result<std::vector<const RecordData*>> Select(const Snapshot& snapshot, const Query& query, size_t* total) {
  for (const auto& [field, value] : query.where)
    if (!IsQueryField(snapshot, field)) return UnknownField(snapshot, field, "where");
  if (!query.sort.empty() && !IsQueryField(snapshot, query.sort)) return UnknownField(snapshot, query.sort, "sort");

  std::vector<const RecordData*> rows;
  rows.reserve(snapshot.records.size());
  std::string scratch;
  for (const RecordData& r : snapshot.records) {
    bool keep = true;
    for (const auto& [field, value] : query.where) {
      if (FieldText(r, field, &scratch) != value) {
        keep = false;
        break;
      }
    }
    if (keep) rows.push_back(&r);
  }

  if (!query.sort.empty()) {
    const SortKind kind = ColumnKind(snapshot, query.sort);
    const bool by_version = query.sort == kVersionColumn && IsMetadataField(snapshot, query.sort);
    std::vector<Keyed> keyed;
    keyed.reserve(rows.size());
    for (const RecordData* r : rows) {
      Keyed k{r};
      if (by_version) {
        k.integer = r->version;
      } else {
        std::string_view v = FieldText(*r, query.sort, &scratch);
        if (kind == SortKind::kInteger) {
          ParseInt64(v, &k.integer);
        } else if (kind == SortKind::kNumber) {
          ParseNumber(v, &k.number);
        } else {
          k.text = v;
        }
      }
      keyed.push_back(k);
    }
    auto less = [kind](const Keyed& a, const Keyed& b) {
      switch (kind) {
        case SortKind::kInteger: return a.integer < b.integer;
        case SortKind::kNumber: return a.number < b.number;
        case SortKind::kText: return a.text < b.text;
      }
      return false;
    };
    if (query.descending) {
      std::stable_sort(keyed.begin(), keyed.end(), [&less](const Keyed& a, const Keyed& b) { return less(b, a); });
    } else {
      std::stable_sort(keyed.begin(), keyed.end(), less);
    }
    for (size_t i = 0; i < keyed.size(); ++i) rows[i] = keyed[i].record;
  } else if (query.descending) {
    std::reverse(rows.begin(), rows.end());
  }

  if (total) *total = rows.size();
  const size_t begin = std::min(query.offset, rows.size());
  const size_t count = std::min(query.limit, rows.size() - begin);
  rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(begin + count), rows.end());
  rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(begin));
  return rows;
}

}  // namespace sdndb
