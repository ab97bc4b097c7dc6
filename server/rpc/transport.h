// StdioTransport: framed JSON-RPC bodies over two file descriptors (normally stdin/stdout),
// driven by an asio event loop through posix::stream_descriptor.
//
// Reading: bytes -> FrameDecoder -> on_message(body) / on_error(what); end of input -> on_eof().
// Writing: Send() queues a frame header and the body as two buffers (the body is moved, not
// copied); queued buffers go out in order, one gathered async write at a time, so writes never interleave (all calls on the loop's thread; other
// threads must asio::post to it). A failed write (EPIPE: the client went away) drops the
// queue and reports through on_write_error once.
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
  };

  // Takes ownership of both descriptors (they are closed on destruction).
  StdioTransport(asio::io_context& io, int in_fd, int out_fd, Callbacks callbacks,
                 size_t max_message = kMaxMessageBytes);
  ~StdioTransport();

  void Start();                  // begins reading
  void Send(std::string body);   // queues one message: header + body (loop thread)
  void StopReading();            // no more on_message/on_eof callbacks
  // Writes everything still queued with blocking writes (used right before exiting).
  void FlushBlocking();
  // Buffers not yet written (0 once everything has been handed to the kernel).
  size_t queued() const { return queue_.size() + in_flight_.size(); }

 private:
  void Read();
  void WriteMore();

  asio::posix::stream_descriptor in_;
  asio::posix::stream_descriptor out_;
  Callbacks cb_;
  FrameDecoder decoder_;
  std::array<char, 65536> buf_{};
  std::deque<std::string> queue_;     // headers and bodies not yet handed to the kernel
  std::vector<std::string> in_flight_;
  bool writing_ = false;
  bool write_failed_ = false;
  bool reading_ = true;
};

}  // namespace sdndb::rpc
