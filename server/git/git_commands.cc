// Placeholder until the git integration lands (being written now): reports that clearly.
#include "server/cli/context.h"

namespace sdndb::cli {
int CmdMergeDriver(Context& ctx, const std::vector<std::string>&) {
  return ctx.Fail(Status::InvalidArgument("merge-driver is not available in this build"));
}
int CmdGitSetup(Context& ctx, const std::vector<std::string>&) {
  return ctx.Fail(Status::InvalidArgument("git-setup is not available in this build"));
}
}  // namespace sdndb::cli
