#include "core/db/merge.h"

namespace sdndb {

FieldOutcome MergeField(const std::optional<std::string>& base, const std::string& ours, const std::string& theirs) {
  if (ours == theirs) return {theirs, false};
  if (base) {
    if (theirs == *base) return {ours, false};
    if (ours == *base) return {theirs, false};
  }
  return {theirs, true};
}

StaleEditMerge MergeStaleEdit(const std::map<std::string, std::string>& base, const FieldList& changes,
                              const FieldList& stored) {
  StaleEditMerge out;
  for (const auto& [field, ours] : changes) {
    const std::string* theirs = FindField(stored, field);
    static const std::string kEmpty;
    const std::string& t = theirs ? *theirs : kEmpty;
    std::optional<std::string> b;
    if (auto it = base.find(field); it != base.end()) b = it->second;
    FieldOutcome r = MergeField(b, ours, t);
    if (r.conflict) {
      out.conflicts.push_back({field, b, ours, t});
    } else if (r.value != t) {
      out.clean.emplace_back(field, r.value);
    }
  }
  return out;
}

}  // namespace sdndb
