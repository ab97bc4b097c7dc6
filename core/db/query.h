// Query: which records of a snapshot to show, in which order — the one implementation behind
// `sdndb list` and `sdndb/list`.
//
//   * where: keeps records whose field equals the value exactly (every pair must hold);
//   * sort: orders by a field, stably (records with equal keys keep file order, also when
//     descending). The column is compared numerically when every record of the snapshot has a
//     number in it: exactly as int64 when all values are integers, else as doubles (decimal
//     numbers like "1.5" or "-2e3"; no spaces, no "+", no hex, no inf/nan). Any other value
//     (including "") makes the column sort bytewise. Because the rule looks at the whole column,
//     the order of two records does not depend on the `where` filter;
//   * without sort: file order (`descending` reverses it);
//   * offset/limit page the result (offset past the end gives nothing).
// Fields are the records table's columns plus `version` and `modified` (an int and the HLC
// time); anything else is InvalidArgument naming the field.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/db/record.h"
#include "core/db/store.h"
#include "core/status.h"

namespace sdndb {

struct Query {
  FieldList where;            // field == value, all must hold
  std::string sort;           // "" = file order
  bool descending = false;
  size_t offset = 0;
  size_t limit = std::numeric_limits<size_t>::max();  // max = all
};

// True for the fields a query may name: a column of `snapshot`, `version` or `modified`.
bool IsQueryField(const Snapshot& snapshot, std::string_view field);

// The records of `snapshot` selected, ordered and paged by `query` (pointers into `snapshot`).
// `total`, when given, receives the number of matching records before paging.
// Errors: InvalidArgument "unknown field '<f>' in where (fields: ...)" / "... in sort (...)".
Result<std::vector<const RecordData*>> Select(const Snapshot& snapshot, const Query& query,
                                              size_t* total = nullptr);

}  // namespace sdndb
