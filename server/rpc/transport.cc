#include "server/rpc/transport.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <asio/buffer.hpp>
#include <asio/write.hpp>

namespace sdndb::rpc {

StdioTransport::StdioTransport(asio::io_context& io, int in_fd, int out_fd, Callbacks callbacks,
                               size_t max_message)
    : in_(io), out_(io), cb_(std::move(callbacks)), decoder_(max_message) {
  asio::error_code ec;
  in_.assign(in_fd, ec);
  if (ec && cb_.on_error) cb_.on_error("cannot watch input: " + ec.message());
  out_.assign(out_fd, ec);
  if (ec && cb_.on_write_error) cb_.on_write_error("cannot watch output: " + ec.message());
}

StdioTransport::~StdioTransport() {
  asio::error_code ec;
  in_.close(ec);
  out_.close(ec);
}

void StdioTransport::Start() { Read(); }

void StdioTransport::StopReading() {
  reading_ = false;
  asio::error_code ec;
  in_.cancel(ec);
}

void StdioTransport::Read() {
  if (!reading_) return;
  in_.async_read_some(asio::buffer(buf_), [this](const asio::error_code& ec, size_t n) {
    if (!reading_) return;
    if (n > 0) {
      decoder_.Feed(std::string_view(buf_.data(), n));
      for (;;) {
        FrameDecoder::Event ev = decoder_.Next();
        if (ev.kind == FrameDecoder::Kind::kNeedMore) break;
        if (ev.kind == FrameDecoder::Kind::kMessage) {
          if (cb_.on_message) cb_.on_message(std::move(ev.text));
        } else if (cb_.on_error) {
          cb_.on_error(ev.text);
        }
        if (!reading_) return;
      }
    }
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      if (decoder_.mid_frame() && cb_.on_error) cb_.on_error("input ended inside a message");
      reading_ = false;
      if (cb_.on_eof) cb_.on_eof();
      return;
    }
    Read();
  });
}

void StdioTransport::Send(std::string body) {
  if (write_failed_) return;
  // Header and body are queued as two buffers of one gathered write: the body is not copied.
  queue_.push_back(FrameHeader(body.size()));
  queue_.push_back(std::move(body));
  WriteMore();
}

void StdioTransport::WriteMore() {
  if (writing_ || queue_.empty() || write_failed_) return;
  writing_ = true;
  in_flight_.clear();
  size_t bytes = 0;
  while (!queue_.empty() && (in_flight_.empty() || bytes < (size_t{1} << 20)) && in_flight_.size() < 64) {
    bytes += queue_.front().size();
    in_flight_.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(in_flight_.size());
  for (const std::string& s : in_flight_) buffers.push_back(asio::buffer(s));
  asio::async_write(out_, buffers, [this](const asio::error_code& ec, size_t) {
    writing_ = false;
    in_flight_.clear();
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      write_failed_ = true;
      queue_.clear();
      if (cb_.on_write_error) cb_.on_write_error("write to client failed: " + ec.message());
      return;
    }
    WriteMore();
  });
}

void StdioTransport::FlushBlocking() {
  if (write_failed_ || !out_.is_open()) return;
  int fd = out_.native_handle();
  // Anything in flight has been partly written by the async operation; we cannot know how
  // much, so only queued (untouched) messages are written here. Callers run the loop until
  // in-flight writes finish before calling this.
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  for (const std::string& s : queue_) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::write(fd, s.data() + off, s.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        write_failed_ = true;
        return;
      }
      off += static_cast<size_t>(n);
    }
  }
  queue_.clear();
}

}  // namespace sdndb::rpc
