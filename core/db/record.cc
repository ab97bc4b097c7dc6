#include "core/db/record.h"

namespace sdndb {

const std::string* FindField(const FieldList& fields, std::string_view field) {
  for (const auto& [name, value] : fields)
    if (name == field) return &value;
  return nullptr;
}

const std::string* RecordData::Get(std::string_view field) const { return FindField(fields, field); }

size_t PositionRef(std::string_view ref) {
  if (ref.size() < 2 || ref[0] != '@' || ref.size() > 19) return 0;
  size_t n = 0;
  for (char c : ref.substr(1)) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

const char* StrategyName(Strategy s) {
  switch (s) {
    case Strategy::kError: return "error";
    case Strategy::kLastWriteWins: return "last-write-wins";
    case Strategy::kLastModifiedWins: return "last-modified-wins";
    case Strategy::kMerge: return "merge";
  }
  return "merge";
}

Result<Strategy> ParseStrategy(std::string_view name) {
  for (Strategy s : {Strategy::kError, Strategy::kLastWriteWins, Strategy::kLastModifiedWins, Strategy::kMerge})
    if (name == StrategyName(s)) return s;
  return Status::InvalidArgument("unknown strategy '" + std::string(name) +
                                 "' (expected error, last-write-wins, last-modified-wins or merge)");
}

}  // namespace sdndb
