// `sdndb serve`: the JSON-RPC 2.0 server over stdio (contract: docs/protocol.md).
#pragma once

namespace sdndb::serve {

// Runs the server until `exit` or end of input. argv holds only the arguments after `serve`
// (argv[0] is the first of them, not the program name): `--dir DIR`, `--log FILE`.
// Returns the process exit code: 0 after shutdown+exit, 1 on exit without shutdown or EOF,
// 2 on a usage error.
int Main(int argc, char** argv);

}  // namespace sdndb::serve
