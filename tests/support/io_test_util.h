// Helpers for tests that use real files and real processes: temporary folders, whole-file
// read/write, forked children, pipes for handshakes, and clocks.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sdndb {
namespace testing {

// A fresh folder under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }
  // Writes `text` to the file `name` in the folder (aborts the test on failure); returns its path.
  std::string Write(const std::string& name, const std::string& text) const;
  std::string Read(const std::string& name) const;  // ReadWholeFile of Join(name)
  size_t CountFiles() const;                        // entries in the folder

 private:
  std::string path_;
};

bool WriteWholeFile(const std::string& path, const std::string& data);  // plain write, no fsync
// The whole file; throws std::runtime_error naming the path if it cannot be read (a missing file
// fails the test instead of reading as "").
std::string ReadWholeFile(const std::string& path);
bool FileExists(const std::string& path);                              // lstat succeeds
std::vector<std::string> ListFolder(const std::string& dir);           // sorted, no . and ..
uint32_t FileMode(const std::string& path);                            // st_mode & 07777

// Runs fn in a forked child which then _exits with fn's return value (no doctest teardown,
// no atexit handlers). Returns the child's pid (aborts the test process if fork fails).
pid_t ForkChild(const std::function<int()>& fn);
// waitpid; returns the exit code, 128+signal when killed, -1 on error.
int WaitChild(pid_t pid);
// WaitChild with a deadline: kills the child with SIGKILL if it has not exited in time.
int WaitChildFor(pid_t pid, std::chrono::milliseconds limit);

// A pipe for handshakes between a parent and its forked child.
class Pipe {
 public:
  Pipe();
  ~Pipe();
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void Send(char c);                                            // write one byte
  bool Receive(char* c, std::chrono::milliseconds limit);       // false on timeout or EOF
  void CloseRead();
  void CloseWrite();

 private:
  int fds_[2] = {-1, -1};
};

// Monotonic time in microseconds (for measuring latencies).
int64_t NowMicros();

bool LongTests();  // env SDNDB_LONG_TESTS=1


}  // namespace testing
}  // namespace sdndb
