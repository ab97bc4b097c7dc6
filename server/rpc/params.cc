#include "server/rpc/params.h"

#include <cmath>

namespace sdndb::rpc {

ParamReader::ParamReader(const Json& params, std::string prefix) : prefix_(std::move(prefix)) {
  if (params.is_object()) {
    params_ = &params;
  } else if (!params.is_null()) {
    error_ = InvalidParams(prefix_.empty() ? "params" : prefix_.substr(0, prefix_.size() - 1),
                           "must be an object");
  }
}

void ParamReader::Fail(const std::string& field, const std::string& what) {
  if (!error_) error_ = InvalidParams(prefix_ + field, what);
}

const Json* ParamReader::Find(const char* name) const {
  if (params_ == nullptr) return nullptr;
  auto it = params_->find(name);
  if (it == params_->end() || it->is_null()) return nullptr;
  return &*it;
}

bool ParamReader::Has(const char* name) const { return Find(name) != nullptr; }

namespace {
constexpr char kNulMessage[] = "must not contain a NUL character (\\u0000)";
bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }
}  // namespace

void ParamReader::RequiredString(const char* name, std::string* out) {
  if (!ok()) return;
  const Json* v = Find(name);
  if (v == nullptr) return Fail(name, "required string is missing");
  if (!v->is_string()) return Fail(name, "must be a string");
  *out = v->get<std::string>();
  if (HasNul(*out)) Fail(name, kNulMessage);
}

void ParamReader::OptionalString(const char* name, std::optional<std::string>* out) {
  if (!ok()) return;
  const Json* v = Find(name);
  if (v == nullptr) return;
  if (!v->is_string()) return Fail(name, "must be a string");
  *out = v->get<std::string>();
  if (HasNul(**out)) Fail(name, kNulMessage);
}

void ParamReader::OptionalBool(const char* name, std::optional<bool>* out) {
  if (!ok()) return;
  const Json* v = Find(name);
  if (v == nullptr) return;
  if (!v->is_boolean()) return Fail(name, "must be a boolean");
  *out = v->get<bool>();
}

bool ParamReader::ReadInt(const char* name, const Json& v, int64_t* out, int64_t min, int64_t max) {
  int64_t value = 0;
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) {
      Fail(name, "integer out of range");
      return false;
    }
    value = static_cast<int64_t>(u);
  } else if (v.is_number_integer()) {
    value = v.get<int64_t>();
  } else if (v.is_number_float()) {
    double d = v.get<double>();
    // Accept 3.0 but not 3.5, NaN, inf or values beyond int64.
    if (!std::isfinite(d) || std::floor(d) != d || d < -9.2e18 || d > 9.2e18) {
      Fail(name, "must be an integer");
      return false;
    }
    value = static_cast<int64_t>(d);
  } else {
    Fail(name, "must be an integer");
    return false;
  }
  if (value < min || value > max) {
    Fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return false;
  }
  *out = value;
  return true;
}

void ParamReader::RequiredInt(const char* name, int64_t* out, int64_t min, int64_t max) {
  if (!ok()) return;
  const Json* v = Find(name);
  if (v == nullptr) return Fail(name, "required integer is missing");
  ReadInt(name, *v, out, min, max);
}

void ParamReader::OptionalInt(const char* name, std::optional<int64_t>* out, int64_t min, int64_t max) {
  if (!ok()) return;
  const Json* v = Find(name);
  if (v == nullptr) return;
  int64_t value = 0;
  if (ReadInt(name, *v, &value, min, max)) *out = value;
}

bool ParamReader::ReadStringMap(const char* name, const Json& v,
                                std::vector<std::pair<std::string, std::string>>* out) {
  if (!v.is_object()) {
    Fail(name, "must be an object of strings");
    return false;
  }
  out->clear();
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!it.value().is_string()) {
      Fail(std::string(name) + "." + it.key(), "must be a string");
      return false;
    }
    out->emplace_back(it.key(), it.value().get<std::string>());
    if (HasNul(out->back().first) || HasNul(out->back().second)) {
      Fail(std::string(name) + "." + it.key(), kNulMessage);
      return false;
    }
  }
  return true;
}

void ParamReader::RequiredStringMap(const char* name, std::vector<std::pair<std::string, std::string>>* out) {
  if (!ok()) return;
  const Json* v = Find(name);
  if (v == nullptr) return Fail(name, "required object is missing");
  ReadStringMap(name, *v, out);
}

void ParamReader::OptionalStringMap(const char* name,
                                    std::optional<std::vector<std::pair<std::string, std::string>>>* out) {
  if (!ok()) return;
  const Json* v = Find(name);
  if (v == nullptr) return;
  std::vector<std::pair<std::string, std::string>> m;
  if (ReadStringMap(name, *v, &m)) *out = std::move(m);
}

const Json* ParamReader::OptionalObject(const char* name) {
  if (!ok()) return nullptr;
  const Json* v = Find(name);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    Fail(name, "must be an object");
    return nullptr;
  }
  return v;
}

const Json* ParamReader::OptionalArray(const char* name) {
  if (!ok()) return nullptr;
  const Json* v = Find(name);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    Fail(name, "must be an array");
    return nullptr;
  }
  return v;
}

}  // namespace sdndb::rpc
