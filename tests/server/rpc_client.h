// Test client for `sdndb serve`: spawns the real binary with pipes, frames/unframes messages,
// and never hangs (every read has a timeout; the child is killed on destruction).
#pragma once

#include <functional>
#include <sys/types.h>

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sdndb::test {

using Json = nlohmann::json;
using namespace std::chrono_literals;

class ServerProcess {
 public:
  // Starts `binary serve args...` (binary defaults to SDNDB_BINARY).
  explicit ServerProcess(const std::vector<std::string>& args, const std::string& binary = "");
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool SendRaw(const std::string& bytes);
  bool Send(const Json& message);  // frames DumpJson(message)
  void CloseInput();

  // The body of the next frame, unparsed (bypasses the queue), or nullopt on timeout/EOF.
  std::optional<std::string> ReadBody(std::chrono::milliseconds timeout = 5000ms);
  // The next message from the server (responses and notifications), or nullopt on timeout/EOF.
  std::optional<Json> Read(std::chrono::milliseconds timeout = 5000ms);
  // Sends a request and waits for the response with this id; other messages are queued.
  Json Call(const Json& id, const std::string& method, const Json& params = Json::object(),
            std::chrono::milliseconds timeout = 10000ms);
  void Notify(const std::string& method, const Json& params = Json::object());
  // The response with `id` (from the queue or the pipe), or nullopt.
  std::optional<Json> WaitResponse(const Json& id, std::chrono::milliseconds timeout = 10000ms);
  // The next notification with `method` (from the queue or the pipe), or nullopt.
  std::optional<Json> WaitNotification(const std::string& method, std::chrono::milliseconds timeout = 5000ms);
  // The first queued or arriving message for which `wanted` is true; others stay queued.
  std::optional<Json> WaitMatching(const std::function<bool(const Json&)>& wanted, std::chrono::milliseconds timeout);
  // initialize + initialized; returns the initialize result.
  Json Initialize(const Json& params);
  // Waits for the process to exit; returns its exit code, or -1 on timeout (then kills it).
  int WaitExit(std::chrono::milliseconds timeout = 5000ms);
  bool Alive();
  // Drops queued notifications.
  void ClearQueue() { queue_.clear(); }
  const std::deque<Json>& queue() const { return queue_; }
  // The body of the last frame received, as the server wrote it (member order included).
  const std::string& last_body() const { return last_body_; }
  // When the last frame was completely received (before it was parsed).
  std::chrono::steady_clock::time_point last_frame_at() const { return last_frame_at_; }

 private:
  std::optional<Json> ReadFrame(std::chrono::milliseconds timeout);
  pid_t pid_ = -1;
  int in_ = -1;   // our end of the child's stdin
  int out_ = -1;  // our end of the child's stdout
  std::string buf_;
  std::string last_body_;
  std::deque<Json> queue_;
  std::chrono::steady_clock::time_point last_frame_at_{};
  bool exited_ = false;
  int status_ = 0;
};

std::string Frame(const std::string& body);
// A fresh temporary folder with the example databases copied in.
std::string MakeWorkspace(bool with_examples = true);
void WriteFile(const std::string& path, const std::string& text);  // throws std::runtime_error on failure
std::string ReadFile(const std::string& path);  // throws std::runtime_error if it cannot be read
// A "<key>:   N kB" line of /proc/<pid>/status (VmHWM, VmRSS, ...) in kB; -1 if absent.
long ProcStatusKb(pid_t pid, const std::string& key);
// Replaces `path` atomically (write temp + rename), like another editor would.
void ReplaceAtomically(const std::string& path, const std::string& text);
// Runs a command; returns its exit status.
int Run(const std::vector<std::string>& argv);

}  // namespace sdndb::test
