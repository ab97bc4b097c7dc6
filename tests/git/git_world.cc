#include "tests/git/git_world.h"

#include <doctest/doctest.h>

namespace sdndb::testing {

GitWorld::GitWorld(const std::string& file, const std::string& text) : file_(file) {
  env_ = {"HOME=" + dir_.path(), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C"};
  Git("", {"config", "--global", "user.name", "Tester"});
  Git("", {"config", "--global", "user.email", "tester@example.com"});
  Git("", {"config", "--global", "commit.gpgsign", "false"});
  Git("", {"config", "--global", "init.defaultBranch", "main"});
  Git("", {"config", "--global", "advice.detachedHead", "false"});
  Git("", {"init", "-q", dir_.path() + "/a"});
  dir_.Write("a/" + file, text);
  auto setup = Sdndb({"git-setup"}, "a");
  REQUIRE_MESSAGE(setup.exit_code == 0, setup.err);
  Git("a", {"add", file, ".gitattributes"});
  Git("a", {"commit", "-q", "-m", "initial"});
  Git("", {"clone", "-q", dir_.path() + "/a", dir_.path() + "/b"});
  auto setup_b = Sdndb({"git-setup"}, "b");  // git config is per clone
  REQUIRE_MESSAGE(setup_b.exit_code == 0, setup_b.err);
}

ProcessResult GitWorld::Git(const std::string& repo, const std::vector<std::string>& args, bool must_succeed) {
  std::vector<std::string> argv = {"/usr/bin/git", "-C", Path(repo)};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = RunProcess(argv, {}, env_);
  if (must_succeed) REQUIRE_MESSAGE(r.exit_code == 0, "git " << args[0] << ": " << r.out << r.err);
  return r;
}

ProcessResult GitWorld::Sdndb(std::vector<std::string> args, const std::string& repo) {
  args.insert(args.begin(), {"--dir", Path(repo)});
  return ::sdndb::testing::Sdndb(args, env_);
}

void GitWorld::Ok(std::vector<std::string> args, const std::string& repo) {
  auto r = Sdndb(args, repo);
  REQUIRE_MESSAGE(r.exit_code == 0, "sdndb " << args[0] << ": " << r.out << r.err);
}

void GitWorld::Commit(const std::string& repo, const std::string& message) { Git(repo, {"commit", "-q", "-am", message}); }

ProcessResult GitWorld::MergeFromB() {
  Git("a", {"fetch", "-q", Path("b"), "main"});
  return Git("a", {"merge", "--no-edit", "FETCH_HEAD"}, false);
}

std::string GitWorld::GitLineMerge(int* conflicts) {
  Git("a", {"fetch", "-q", Path("b"), "main"});
  std::string base_rev = Git("a", {"merge-base", "HEAD", "FETCH_HEAD"}).out;
  base_rev.pop_back();
  dir_.Write("lm-base", Git("a", {"show", base_rev + ":" + file_}).out);
  dir_.Write("lm-ours", Git("a", {"show", "HEAD:" + file_}).out);
  dir_.Write("lm-theirs", Git("a", {"show", "FETCH_HEAD:" + file_}).out);
  // Labelled as the driver labels them.
  ProcessResult r = RunProcess({"/usr/bin/git", "merge-file", "-p", "-L", "ours:" + file_, "-L", "base:" + file_, "-L",
                                "theirs:" + file_, dir_.Join("lm-ours"), dir_.Join("lm-base"), dir_.Join("lm-theirs")},
                               {}, env_);
  *conflicts = r.exit_code;
  return r.out;
}

nlohmann::json GitWorld::Conflicts(const std::string& repo) {
  auto r = Sdndb({"conflicts", "--json"}, repo);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return nlohmann::json::parse(r.out);
}

nlohmann::json GitWorld::Show(const std::string& repo, const std::string& db, const std::string& id) {
  auto r = Sdndb({"show", db, id, "--json"}, repo);
  if (r.exit_code != 0) return nullptr;
  return nlohmann::json::parse(r.out)["fields"];
}

std::string CorpusFile(const std::string& prefix) {
  for (const auto& name : ListFolder(std::string(SDNDB_TEST_DATA_DIR) + "/corpus"))
    if (name.rfind(prefix, 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".sdn")
      return ReadWholeFile(std::string(SDNDB_TEST_DATA_DIR) + "/corpus/" + name);
  FAIL("corpus file " << prefix << "* is missing from tests/data/corpus");
  return "";
}

}  // namespace sdndb::testing
