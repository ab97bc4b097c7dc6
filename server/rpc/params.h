// Typed, validating access to a request's params object. Every accessor reports the first
// problem as a -32602 RpcError naming the offending field ("changes.status", "base.version").
// Usage:
//   ParamReader p(params);
//   std::string db; p.RequiredString("database", &db);
//   std::optional<int64_t> limit; p.OptionalInt("limit", &limit, 0, kMax);
//   if (!p.ok()) return reply.Fail(p.error());
// After the first error, later calls do nothing. Never throws.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/rpc/error.h"
#include "server/rpc/json.h"

namespace sdndb::rpc {

class ParamReader {
 public:
  // `params` may be null/absent (treated as {}); anything but an object is an error on "params".
  // `prefix` is prepended to field names in errors ("base." for a nested object).
  explicit ParamReader(const Json& params, std::string prefix = {});

  bool ok() const { return !error_.has_value(); }
  const RpcError& error() const { return *error_; }
  void Fail(const std::string& field, const std::string& what);  // records an error on field

  bool Has(const char* name) const;  // present and not null
  void RequiredString(const char* name, std::string* out);
  void OptionalString(const char* name, std::optional<std::string>* out);
  void OptionalBool(const char* name, std::optional<bool>* out);
  // Integers in [min, max]; floats with a fractional part, huge numbers and non-numbers fail.
  void RequiredInt(const char* name, int64_t* out, int64_t min, int64_t max);
  void OptionalInt(const char* name, std::optional<int64_t>* out, int64_t min, int64_t max);
  // {"k": "v", ...}: every value must be a string. Keeps key order as parsed (sorted by name,
  // see ParseBody; callers that need the column order re-order against the schema).
  void RequiredStringMap(const char* name, std::vector<std::pair<std::string, std::string>>* out);
  void OptionalStringMap(const char* name, std::optional<std::vector<std::pair<std::string, std::string>>>* out);
  // A nested object; returns nullptr (and records an error) if present but not an object.
  const Json* OptionalObject(const char* name);
  // A nested array; returns nullptr (and records an error) if present but not an array.
  const Json* OptionalArray(const char* name);

  const std::string& prefix() const { return prefix_; }

 private:
  const Json* Find(const char* name) const;
  bool ReadInt(const char* name, const Json& v, int64_t* out, int64_t min, int64_t max);
  bool ReadStringMap(const char* name, const Json& v, std::vector<std::pair<std::string, std::string>>* out);

  const Json* params_ = nullptr;
  std::string prefix_;
  std::optional<RpcError> error_;
};

}  // namespace sdndb::rpc
