// Value: a parsed SDN value (null, bool, int, float, string, array, dict, table).
// Dicts keep insertion order and repeated keys (all occurrences, in order).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sdndb::sdn {

struct Value {
  enum class Kind : uint8_t { kNull, kBool, kInt, kFloat, kString, kArray, kDict, kTable };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;                                    // string; also the spelling of numbers
  std::vector<Value> items;                         // array items; table rows (each an array)
  std::vector<std::pair<std::string, Value>> entries;  // dict entries
  std::vector<std::string> columns;                 // table columns (or type names)
  bool typed_table = false;

  static Value Null() { return Value{}; }
  static Value Bool(bool v) { Value x; x.kind = Kind::kBool; x.b = v; return x; }
  static Value Int(int64_t v, std::string spelling = {}) { Value x; x.kind = Kind::kInt; x.i = v; x.s = std::move(spelling); return x; }
  static Value Float(double v, std::string spelling = {}) { Value x; x.kind = Kind::kFloat; x.f = v; x.s = std::move(spelling); return x; }
  static Value String(std::string v) { Value x; x.kind = Kind::kString; x.s = std::move(v); return x; }
  static Value Array() { Value x; x.kind = Kind::kArray; return x; }
  static Value Dict() { Value x; x.kind = Kind::kDict; return x; }
};

}  // namespace sdndb::sdn
