// FolderWatcher: inotify on a set of folders, read through asio (posix::stream_descriptor) on
// the event loop, with debouncing: the first event of a burst arms a timer (`debounce`, ~25 ms);
// when it fires, the callback receives every path touched during the window ("dir/name"), so a
// change is reported at most `debounce` after it happened plus the callback's work.
// Events: IN_CLOSE_WRITE, IN_MOVED_TO, IN_MOVED_FROM, IN_DELETE, IN_CREATE. On queue overflow
// the callback gets `overflow = true` (re-check everything).
// All methods run on the loop thread. Errors (no inotify, bad folder) are logged, not fatal.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>

namespace sdndb::serve {

class FolderWatcher {
 public:
  using Callback = std::function<void(const std::set<std::string>& paths, bool overflow)>;
  using Logger = std::function<void(const std::string&)>;

  FolderWatcher(asio::io_context& io, std::chrono::milliseconds debounce, Callback callback, Logger log);
  ~FolderWatcher();

  bool Start();                              // creates the inotify instance
  bool Watch(const std::string& dir);        // adds a folder (idempotent)
  void Stop();

 private:
  void Read();
  void Arm();

  asio::posix::stream_descriptor fd_;
  asio::steady_timer timer_;
  std::chrono::milliseconds debounce_;
  Callback callback_;
  Logger log_;
  std::map<int, std::string> dirs_;  // watch descriptor -> folder
  std::set<std::string> pending_;
  bool overflow_ = false;
  bool armed_ = false;
  bool stopped_ = false;
  alignas(8) char buf_[16384];
};

}  // namespace sdndb::serve
