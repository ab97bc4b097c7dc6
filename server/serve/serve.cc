#include "server/serve/serve.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "server/rpc/transport.h"
#include "server/serve/server.h"

namespace sdndb::serve {

namespace {

// Thread-safe line logger to stderr or a file. Never writes to stdout.
class Logger {
 public:
  explicit Logger(FILE* f) : f_(f) {}
  ~Logger() {
    if (f_ && f_ != stderr) std::fclose(f_);
  }
  void Write(const std::string& message) {
    if (!f_) return;
    timeval tv;
    gettimeofday(&tv, nullptr);
    std::tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    std::lock_guard<std::mutex> lock(mu_);
    std::fprintf(f_, "[sdndb serve %s.%03ld] %s\n", stamp, static_cast<long>(tv.tv_usec / 1000), message.c_str());
    std::fflush(f_);
  }

 private:
  FILE* f_;
  std::mutex mu_;
};

// Requests read but not yet answered, above which no further input is read (with the
// transport's bound on queued output, this bounds the memory a client that never reads can cost).
constexpr size_t kMaxRequestsInProgress = 16;

int Usage(const char* problem) {
  std::fprintf(stderr, "sdndb serve: %s\nusage: sdndb serve [--dir DIR] [--log FILE]\n", problem);
  return 2;
}

}  // namespace

int Main(int argc, char** argv) {
  std::optional<std::string> dir;
  std::optional<std::string> log_path;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i] ? argv[i] : "";
    auto value = [&](const char* name, std::optional<std::string>* out) {
      std::string prefix = std::string(name) + "=";
      if (a == name) {
        if (i + 1 >= argc) return false;
        *out = argv[++i];
        return true;
      }
      if (a.compare(0, prefix.size(), prefix) == 0) {
        *out = a.substr(prefix.size());
        return true;
      }
      return false;
    };
    if (a == "--dir" || a.rfind("--dir=", 0) == 0) {
      if (!value("--dir", &dir)) return Usage("--dir needs a folder");
    } else if (a == "--log" || a.rfind("--log=", 0) == 0) {
      if (!value("--log", &log_path)) return Usage("--log needs a file");
    } else if (a == "--help" || a == "-h") {
      std::fprintf(stderr, "usage: sdndb serve [--dir DIR] [--log FILE]\n"
                           "JSON-RPC 2.0 over stdio with LSP framing; see docs/protocol.md.\n");
      return 0;
    } else {
      return Usage(("unknown argument: " + a).c_str());
    }
  }
  if (dir) {
    char buf[PATH_MAX];
    if (!realpath(dir->c_str(), buf)) return Usage(("no such folder: " + *dir).c_str());
    dir = buf;
  }

  FILE* log_file = stderr;
  if (log_path) {
    log_file = std::fopen(log_path->c_str(), "a");
    if (!log_file) return Usage(("cannot open log file " + *log_path + ": " + std::strerror(errno)).c_str());
  }
  Logger logger(log_file);
  auto log = [&logger](const std::string& m) { logger.Write(m); };

  // stdout carries only protocol: keep a private descriptor for it and point fd 1 at stderr
  // so that a stray printf anywhere cannot corrupt the stream.
  signal(SIGPIPE, SIG_IGN);
  mallopt(M_ARENA_MAX, 2);  // a few worker threads; keep the memory footprint small
  int out_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  int in_fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
  if (out_fd < 0 || in_fd < 0) {
    log(std::string("cannot duplicate stdio: ") + std::strerror(errno));
    return 1;
  }
  dup2(STDERR_FILENO, STDOUT_FILENO);
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull >= 0) {
    dup2(devnull, STDIN_FILENO);
    close(devnull);
  }

  asio::io_context io(1);
  int exit_code = 1;
  bool exiting = false;
  std::unique_ptr<rpc::StdioTransport> transport;
  asio::steady_timer drain(io);

  ServerOptions options;
  options.dir = dir;
  options.log = log;
  std::function<void()> wait_for_drain;
  Server server(
      io, options, [&transport](std::string body) { transport->Send(std::move(body)); },
      [&](int code) {
        if (exiting) return;
        exiting = true;
        exit_code = code;
        log("exiting with code " + std::to_string(code));
        transport->StopReading();
        // Let in-flight writes finish (bounded), then stop the loop.
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        wait_for_drain = [&, deadline]() {
          if (transport->queued() == 0 || std::chrono::steady_clock::now() > deadline) {
            io.stop();
            return;
          }
          drain.expires_after(std::chrono::milliseconds(2));
          drain.async_wait([&](const asio::error_code&) { wait_for_drain(); });
        };
        wait_for_drain();
      });
  rpc::Dispatcher& d = server.dispatcher();
  transport = std::make_unique<rpc::StdioTransport>(
      io, in_fd, out_fd,
      rpc::StdioTransport::Callbacks{[&d](std::string body) { d.OnMessage(body); },
                                     [&d](const std::string& what) { d.OnFramingError(what); },
                                     [&d]() { d.OnEof(); },
                                     [&log](const std::string& what) { log(what); },
                                     // Backpressure (docs/protocol.md, "Wire"): no new message
                                     // while this many requests are in progress.
                                     [&d]() { return d.pending() < kMaxRequestsInProgress; }});
  log(std::string("started (pid ") + std::to_string(getpid()) + (dir ? ", dir " + *dir : std::string()) + ")");
  transport->Start();
  io.run();
  server.Stop();
  transport->FlushBlocking();
  return exit_code;
}

}  // namespace sdndb::serve
