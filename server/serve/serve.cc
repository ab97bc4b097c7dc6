#include "server/serve/serve.h"

#include <cstdio>

namespace sdndb::serve {

int Main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  std::fprintf(stderr, "sdndb serve: not ready yet\n");
  return 1;
}

}  // namespace sdndb::serve
