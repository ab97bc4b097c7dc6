#include "server/rpc/transport.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <asio/buffer.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

namespace sdndb::rpc {

StdioTransport::StdioTransport(asio::io_context& io, int in_fd, int out_fd, Callbacks callbacks,
                               size_t max_message, size_t max_queued_bytes)
    : in_(io), out_(io), cb_(std::move(callbacks)), decoder_(max_message), max_queued_bytes_(max_queued_bytes) {
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
  if (!reading_ || read_pending_) return;
  read_pending_ = true;
  in_.async_read_some(asio::buffer(buf_), [this](const asio::error_code& ec, size_t n) {
    read_pending_ = false;
    if (!reading_) return;
    if (n > 0) decoder_.Feed(std::string_view(buf_.data(), n));
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      input_ended_ = true;
    }
    Pump();
  });
}

bool StdioTransport::Accepting() const {
  return queued_bytes_ <= max_queued_bytes_ && (!cb_.accepting || cb_.accepting());
}

void StdioTransport::Pump() {
  while (reading_) {
    if (!Accepting()) {
      paused_ = true;  // resumed by MaybeResume when output drains or requests finish
      return;
    }
    paused_ = false;
    FrameDecoder::Event ev = decoder_.Next();
    if (ev.kind == FrameDecoder::Kind::kNeedMore) break;
    if (ev.kind == FrameDecoder::Kind::kMessage) {
      if (cb_.on_message) cb_.on_message(std::move(ev.text));
    } else if (cb_.on_error) {
      cb_.on_error(ev.text);
    }
  }
  if (!reading_) return;
  if (input_ended_) {
    if (decoder_.mid_frame() && cb_.on_error) cb_.on_error("input ended inside a message");
    reading_ = false;
    if (cb_.on_eof) cb_.on_eof();
    return;
  }
  Read();
}

void StdioTransport::MaybeResume() {
  if (!paused_ || resume_posted_ || !reading_ || !Accepting()) return;
  // Posted, not called: this may run inside a callback of Pump itself.
  resume_posted_ = true;
  asio::post(in_.get_executor(), [this]() {
    resume_posted_ = false;
    if (paused_ && reading_) Pump();
  });
}

void StdioTransport::Send(std::string body) {
  if (write_failed_) return;
  // Header and body are queued as two buffers of one gathered write: the body is not copied.
  queue_.push_back(FrameHeader(body.size()));
  queued_bytes_ += queue_.back().size() + body.size();
  queue_.push_back(std::move(body));
  WriteMore();
  MaybeResume();  // a finished request may have made room (see Callbacks::accepting)
}

void StdioTransport::WriteMore() {
  if (writing_ || queue_.empty() || write_failed_) return;
  writing_ = true;
  in_flight_.clear();
  size_t bytes = 0;
  in_flight_bytes_ = 0;
  while (!queue_.empty() && (in_flight_.empty() || bytes < (size_t{1} << 20)) && in_flight_.size() < 64) {
    bytes += queue_.front().size();
    in_flight_bytes_ += queue_.front().size();
    in_flight_.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(in_flight_.size());
  for (const std::string& s : in_flight_) buffers.push_back(asio::buffer(s));
  asio::async_write(out_, buffers, [this](const asio::error_code& ec, size_t) {
    writing_ = false;
    in_flight_.clear();
    queued_bytes_ -= in_flight_bytes_;
    in_flight_bytes_ = 0;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      write_failed_ = true;
      queue_.clear();
      queued_bytes_ = 0;
      if (cb_.on_write_error) cb_.on_write_error("write to client failed: " + ec.message());
      MaybeResume();
      return;
    }
    WriteMore();
    MaybeResume();
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
  queued_bytes_ = in_flight_bytes_;
}

}  // namespace sdndb::rpc
