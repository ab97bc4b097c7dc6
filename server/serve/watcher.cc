#include "server/serve/watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <asio/buffer.hpp>

namespace sdndb::serve {

FolderWatcher::FolderWatcher(asio::io_context& io, std::chrono::milliseconds debounce, Callback callback,
                             Logger log)
    : fd_(io), timer_(io), debounce_(debounce), callback_(std::move(callback)), log_(std::move(log)) {}

FolderWatcher::~FolderWatcher() { Stop(); }

bool FolderWatcher::Start() {
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    if (log_) log_(std::string("inotify unavailable: ") + std::strerror(errno));
    return false;
  }
  asio::error_code ec;
  fd_.assign(fd, ec);
  if (ec) {
    ::close(fd);
    if (log_) log_("inotify: " + ec.message());
    return false;
  }
  Read();
  return true;
}

bool FolderWatcher::Watch(const std::string& dir) {
  if (!fd_.is_open()) return false;
  for (const auto& [wd, d] : dirs_) {
    if (d == dir) return true;
  }
  int wd = inotify_add_watch(fd_.native_handle(), dir.c_str(),
                             IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ONLYDIR);
  if (wd < 0) {
    if (log_) log_("cannot watch " + dir + ": " + std::strerror(errno));
    return false;
  }
  dirs_[wd] = dir;
  return true;
}

void FolderWatcher::Stop() {
  stopped_ = true;
  asio::error_code ec;
  timer_.cancel();
  fd_.close(ec);
}

void FolderWatcher::Read() {
  if (stopped_) return;
  fd_.async_read_some(asio::buffer(buf_, sizeof buf_), [this](const asio::error_code& ec, size_t n) {
    if (ec || stopped_) {
      if (ec != asio::error::operation_aborted && log_ && !stopped_) log_("inotify read: " + ec.message());
      return;
    }
    size_t off = 0;
    while (off + sizeof(inotify_event) <= n) {
      inotify_event ev;
      std::memcpy(&ev, buf_ + off, sizeof ev);
      size_t total = sizeof(inotify_event) + ev.len;
      if (off + total > n) break;
      if (ev.mask & IN_Q_OVERFLOW) {
        overflow_ = true;
      } else if (ev.len > 0) {
        auto dir = dirs_.find(ev.wd);
        if (dir != dirs_.end()) {
          const char* name = buf_ + off + sizeof(inotify_event);
          pending_.insert(dir->second + "/" + std::string(name, strnlen(name, ev.len)));
        }
      }
      if (ev.mask & IN_IGNORED) dirs_.erase(ev.wd);
      off += total;
    }
    Arm();
    Read();
  });
}

void FolderWatcher::Arm() {
  if (armed_ || (pending_.empty() && !overflow_)) return;
  armed_ = true;
  timer_.expires_after(debounce_);
  timer_.async_wait([this](const asio::error_code& ec) {
    armed_ = false;
    if (ec || stopped_) return;
    std::set<std::string> paths;
    paths.swap(pending_);
    bool overflow = overflow_;
    overflow_ = false;
    if (callback_) callback_(paths, overflow);
  });
}

}  // namespace sdndb::serve
