// Helpers for storage tests: temp folders with database files.
#pragma once

#include <string>

namespace sdndb::testing {

// A fresh temp folder, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& text) const;  // returns the full path
  std::string Read(const std::string& name) const;
  int CountFiles() const;  // entries in the folder

 private:
  std::string path_;
};

std::string ReadFileOrDie(const std::string& path);

}  // namespace sdndb::testing
