// The sdndb command line. Main() parses argv, runs one command and returns its exit code:
//   0 ok, 1 usage or validation error (also parse errors, unknown names), 2 conflict,
//   3 lock timeout, 4 I/O error.
// Errors go to stderr as one clear line (JSON with --json).
#pragma once

namespace sdndb::cli {

int Main(int argc, char** argv);

}  // namespace sdndb::cli
