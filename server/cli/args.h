// A small argv parser for the CLI: positional arguments, `--flag`, `--opt VALUE`, `--opt=VALUE`,
// repeatable options, and a clear usage error for anything unknown.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"

namespace sdndb::cli {

struct ArgSpec {
  std::set<std::string> flags;    // e.g. "json", "ours"
  std::set<std::string> options;  // take a value, e.g. "sort", "where" (repeatable)
};

struct Args {
  std::vector<std::string> positional;
  std::set<std::string> flags;
  std::map<std::string, std::vector<std::string>> options;

  bool Has(const std::string& flag) const { return flags.count(flag) > 0; }
  const std::string* Get(const std::string& opt) const {
    auto it = options.find(opt);
    return it == options.end() || it->second.empty() ? nullptr : &it->second.back();
  }
  std::vector<std::string> All(const std::string& opt) const {
    auto it = options.find(opt);
    return it == options.end() ? std::vector<std::string>{} : it->second;
  }
};

Result<Args> ParseArgs(const std::vector<std::string>& argv, const ArgSpec& spec);

}  // namespace sdndb::cli
