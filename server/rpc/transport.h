// StdioTransport: framed JSON-RPC bodies over two file descriptors (normally stdin/stdout),
// driven by an asio event loop through posix::stream_descriptor.
//
// Reading: bytes -> FrameDecoder -> on_message(body) / on_error(what); end of input -> on_eof().
// Writing: Send() queues a frame header and the body as two buffers (the body is moved, not
// copied); queued buffers go out in order, one gathered async write at a time, so writes never interleave (all calls on the loop's thread; other
// threads must asio::post to it). A failed write (EPIPE: the client went away) drops the
// queue and reports through on_write_error once.
// Backpressure: while more than max_queued_bytes of output wait to be written, or the optional
// `accepting` callback says no (the dispatcher has too many requests in progress), no further
// message is taken from the input and nothing more is read, so a client that sends without
// reading blocks in its own write instead of growing the server. Reading resumes (on the loop)
// once output has drained below the bound and `accepting` agrees again; messages already read
// stay buffered in the decoder meanwhile.
// Nothing here throws to the caller: asio errors are reported as error codes.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>

#include "server/rpc/framing.h"

namespace sdndb::rpc {

class StdioTransport {
 public:
  struct Callbacks {
    std::function<void(std::string body)> on_message;
    std::function<void(const std::string& what)> on_error;
    std::function<void()> on_eof;
    std::function<void(const std::string& what)> on_write_error;
    std::function<bool()> accepting;  // optional: false = take no new message for now
  };

  // Output bound above which input is no longer read (see the header comment).
  static constexpr size_t kMaxQueuedBytes = size_t{4} << 20;

  // Takes ownership of both descriptors (they are closed on destruction).
  StdioTransport(asio::io_context& io, int in_fd, int out_fd, Callbacks callbacks,
                 size_t max_message = kMaxMessageBytes, size_t max_queued_bytes = kMaxQueuedBytes);
  ~StdioTransport();

  void Start();                  // begins reading
  void Send(std::string body);   // queues one message: header + body (loop thread)
  void StopReading();            // no more on_message/on_eof callbacks
  // Writes everything still queued with blocking writes (used right before exiting).
  void FlushBlocking();
  // Buffers not yet written (0 once everything has been handed to the kernel).
  size_t queued() const { return queue_.size() + in_flight_.size(); }
  // Bytes of those buffers.
  size_t queued_bytes() const { return queued_bytes_; }
  // Re-checks the backpressure condition after `accepting` may have changed (loop thread).
  void MaybeResume();
  // True while input is held back by backpressure.
  bool paused() const { return paused_; }

 private:
  void Read();
  // Hands decoded messages to the callbacks while accepting, then reads more (or ends).
  void Pump();
  bool Accepting() const;
  void WriteMore();

  asio::posix::stream_descriptor in_;
  asio::posix::stream_descriptor out_;
  Callbacks cb_;
  FrameDecoder decoder_;
  std::array<char, 65536> buf_{};
  std::deque<std::string> queue_;     // headers and bodies not yet handed to the kernel
  std::vector<std::string> in_flight_;
  size_t in_flight_bytes_ = 0;
  size_t queued_bytes_ = 0;  // queue_ + in_flight_
  size_t max_queued_bytes_;
  bool read_pending_ = false;
  bool input_ended_ = false;
  bool paused_ = false;
  bool resume_posted_ = false;
  bool writing_ = false;
  bool write_failed_ = false;
  bool reading_ = true;
};

}  // namespace sdndb::rpc
