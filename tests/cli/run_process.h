// Runs the real sdndb binary (or any program) and captures its exit code, stdout and stderr.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sdndb::testing {

struct ProcessResult {
  int exit_code = -1;  // 128+signal when killed
  std::string out, err;
};

// Runs argv[0] with argv, optional stdin text and extra environment (NAME=VALUE). Blocking.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input = {},
                         const std::vector<std::string>& env = {});

// Runs SDNDB_BINARY with args.
ProcessResult Sdndb(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

}  // namespace sdndb::testing
