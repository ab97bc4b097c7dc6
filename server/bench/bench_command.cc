// Placeholder until the benchmark lands (being written now): reports that clearly.
#include "server/cli/context.h"

namespace sdndb::cli {
int CmdBench(Context& ctx, const std::vector<std::string>&) {
  return ctx.Fail(Status::InvalidArgument("bench is not available in this build"));
}
}  // namespace sdndb::cli
