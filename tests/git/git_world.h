// A small world of real git repositories for end-to-end tests of the merge driver: clone A holds
// the initial database (set up with `sdndb git-setup`, .gitattributes committed), clone B is a
// clone of it (set up too). Every repository lives in a temp folder with its own HOME (no user or
// system git config).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/cli/run_process.h"
#include "tests/support/io_test_util.h"

namespace sdndb::testing {

class GitWorld {
 public:
  // `file` is the database's file name (e.g. "todo_db.sdn"), `text` its initial content.
  GitWorld(const std::string& file, const std::string& text);

  std::string Path(const std::string& repo) const { return repo.empty() ? dir_.path() : dir_.path() + "/" + repo; }
  const std::vector<std::string>& env() const { return env_; }

  ProcessResult Git(const std::string& repo, const std::vector<std::string>& args, bool must_succeed = true);
  // sdndb with --dir REPO.
  ProcessResult Sdndb(std::vector<std::string> args, const std::string& repo);
  void Ok(std::vector<std::string> args, const std::string& repo);
  void Commit(const std::string& repo, const std::string& message);
  // In A: fetch B's main and merge it. Returns git merge's result.
  ProcessResult MergeFromB();
  std::string Read(const std::string& repo) const { return dir_.Read(repo + "/" + file_); }
  void Write(const std::string& repo, const std::string& text) { dir_.Write(repo + "/" + file_, text); }
  // The database as git's own line merge of the same three versions gives it (base = A's HEAD~1
  // is not assumed: the merge base of A's HEAD and B's main).
  std::string GitLineMerge(int* conflicts);

  nlohmann::json Conflicts(const std::string& repo);
  nlohmann::json Show(const std::string& repo, const std::string& db, const std::string& id);

 private:
  TempDir dir_;
  std::string file_;
  std::vector<std::string> env_;
};

// A corpus file's text (tests/data/corpus/<prefix>*.sdn); fails the test when missing.
std::string CorpusFile(const std::string& prefix);

}  // namespace sdndb::testing
