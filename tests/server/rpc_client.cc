#include "tests/server/rpc_client.h"

#include <cstdio>
#include <cstdlib>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sdndb::test {

namespace {
using Clock = std::chrono::steady_clock;
}

std::string Frame(const std::string& body) {
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

ServerProcess::ServerProcess(const std::vector<std::string>& args, const std::string& binary) {
  signal(SIGPIPE, SIG_IGN);
  int to_child[2], from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  std::string bin = binary.empty() ? std::string(SDNDB_BINARY) : binary;
  std::vector<std::string> argv_s = {bin, "serve"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  pid_ = fork();
  if (pid_ == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    if (!getenv("SDNDB_TEST_SERVER_LOG")) {
      int devnull = open("/dev/null", O_WRONLY);
      if (devnull >= 0) dup2(devnull, 2);
    }
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  in_ = to_child[1];
  out_ = from_child[0];
}

ServerProcess::~ServerProcess() {
  if (in_ >= 0) close(in_);
  if (!exited_ && pid_ > 0) {
    if (WaitExit(2000ms) == -1) { /* killed */ }
  }
  if (out_ >= 0) close(out_);
}

bool ServerProcess::SendRaw(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = write(in_, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

bool ServerProcess::Send(const Json& message) { return SendRaw(Frame(message.dump())); }

void ServerProcess::CloseInput() {
  if (in_ >= 0) close(in_);
  in_ = -1;
}

std::optional<std::string> ServerProcess::ReadBody(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  size_t body_at = std::string::npos, len = 0;  // known once the header is complete
  for (;;) {
    if (body_at == std::string::npos) {
      size_t hdr_end = buf_.find("\r\n\r\n");
      if (hdr_end != std::string::npos) {
        std::string header = buf_.substr(0, hdr_end);
        size_t colon = header.find(':');
        if (header.rfind("Content-Length: ", 0) != 0 || colon == std::string::npos) {
          throw std::runtime_error("server wrote a bad header: " + header.substr(0, 80));
        }
        len = std::stoul(header.substr(colon + 1));
        body_at = hdr_end + 4;
      }
    }
    if (body_at != std::string::npos && buf_.size() >= body_at + len) {
      last_frame_at_ = Clock::now();
      std::string body = buf_.substr(body_at, len);
      buf_.erase(0, body_at + len);
      return body;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{out_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;
    char tmp[65536];
    ssize_t n = read(out_, tmp, sizeof tmp);
    if (n <= 0) return std::nullopt;
    buf_.append(tmp, static_cast<size_t>(n));
  }
}

std::optional<Json> ServerProcess::ReadFrame(std::chrono::milliseconds timeout) {
  auto body = ReadBody(timeout);
  if (!body) return std::nullopt;
  last_body_ = std::move(*body);
  return Json::parse(last_body_);
}

std::optional<Json> ServerProcess::Read(std::chrono::milliseconds timeout) {
  if (!queue_.empty()) {
    Json j = queue_.front();
    queue_.pop_front();
    return j;
  }
  return ReadFrame(timeout);
}

std::optional<Json> ServerProcess::WaitMatching(const std::function<bool(const Json&)>& wanted,
                                                std::chrono::milliseconds timeout) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (wanted(*it)) {
      Json j = *it;
      queue_.erase(it);
      return j;
    }
  }
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto m = ReadFrame(left);
    if (!m) return std::nullopt;
    if (wanted(*m)) return m;
    queue_.push_back(*m);
  }
}

std::optional<Json> ServerProcess::WaitResponse(const Json& id, std::chrono::milliseconds timeout) {
  return WaitMatching(
      [&](const Json& m) { return m.is_object() && m.contains("id") && m["id"] == id && !m.contains("method"); },
      timeout);
}

std::optional<Json> ServerProcess::WaitNotification(const std::string& method, std::chrono::milliseconds timeout) {
  return WaitMatching([&](const Json& m) { return m.is_object() && m.value("method", "") == method; }, timeout);
}

Json ServerProcess::Call(const Json& id, const std::string& method, const Json& params,
                         std::chrono::milliseconds timeout) {
  Json req = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) req["params"] = params;
  Send(req);
  auto r = WaitResponse(id, timeout);
  if (!r) return Json{{"timeout", true}};
  return *r;
}

void ServerProcess::Notify(const std::string& method, const Json& params) {
  Send(Json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
}

Json ServerProcess::Initialize(const Json& params) {
  Json r = Call("init", "initialize", params);
  Notify("initialized", Json::object());
  return r;
}

bool ServerProcess::Alive() {
  if (exited_) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    exited_ = true;
    status_ = st;
    return false;
  }
  return true;
}

int ServerProcess::WaitExit(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!exited_) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      status_ = st;
      break;
    }
    if (Clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &st, 0);
      exited_ = true;
      status_ = st;
      return -1;
    }
    usleep(2000);
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  return 128 + (WIFSIGNALED(status_) ? WTERMSIG(status_) : 0);
}

long ProcStatusKb(pid_t pid, const std::string& key) {
  std::string s = ReadFile("/proc/" + std::to_string(pid) + "/status");
  size_t at = s.find("\n" + key + ":");
  if (at == std::string::npos) return -1;
  return std::strtol(s.c_str() + at + key.size() + 2, nullptr, 10);
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void ReplaceAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".test-tmp";
  WriteFile(tmp, text);
  if (rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("rename failed");
}

namespace {
// Workspaces live until the test process exits (servers may still be watching them), then go.
std::vector<std::string>& CreatedWorkspaces() {
  static std::vector<std::string>* dirs = [] {
    auto* v = new std::vector<std::string>();
    std::atexit([] {
      for (const auto& d : CreatedWorkspaces()) {
        std::string cmd = "rm -rf '" + d + "'";
        if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", d.c_str());
      }
    });
    return v;
  }();
  return *dirs;
}
}  // namespace

std::string MakeWorkspace(bool with_examples) {
  char tmpl[] = "/tmp/sdndb-serve-test-XXXXXX";
  char* dir = mkdtemp(tmpl);
  if (!dir) throw std::runtime_error("mkdtemp");
  std::string d = dir;
  CreatedWorkspaces().push_back(d);
  if (with_examples) {
    for (const char* name : {"todo_db.sdn", "feature_db.sdn", "task_db.sdn"}) {
      WriteFile(d + "/" + name, ReadFile(std::string(SDNDB_SOURCE_DIR) + "/docs/example/" + name));
    }
  }
  return d;
}

int Run(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    std::vector<char*> argv;
    std::vector<std::string> copy = args;
    for (auto& s : copy) argv.push_back(s.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace sdndb::test
