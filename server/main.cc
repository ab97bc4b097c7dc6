// sdndb: one binary, two faces. `sdndb serve` speaks JSON-RPC over stdio; everything else is the CLI.
#include "server/cli/cli.h"

int main(int argc, char** argv) { return sdndb::cli::Main(argc, argv); }
