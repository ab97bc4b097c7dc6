// LSP base-protocol framing: `Content-Length: N\r\n\r\n` + N bytes of body.
//
// FrameDecoder is a pure, incremental byte-stream parser (no I/O, no JSON): feed it whatever
// read() returned, then pull events until it says kNeedMore. It never throws and never buffers
// more than max_header bytes of header or max_body bytes of body.
//
// Header rules:
//   * lines end with "\r\n" (a bare "\n" is tolerated); an empty line ends the header block;
//     empty lines before a header block are skipped;
//   * `Content-Length` (name case-insensitive) is required; its value is decimal digits;
//     the last one wins when repeated; other headers (Content-Type, ...) are ignored;
// Errors and resynchronisation (each error is reported once as a kError event):
//   * a header line without ':', a non-numeric or missing Content-Length, or a header block
//     longer than max_header: the decoder drops bytes up to the next "Content-Length:"
//     (case-insensitive) and resumes there;
//   * Content-Length > max_body (64 MiB by default): the declared body is skipped as it arrives
//     (never buffered), then decoding resumes after it.
// A body may be empty (Content-Length: 0); it is delivered as an empty message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sdndb::rpc {

inline constexpr size_t kMaxMessageBytes = size_t{64} << 20;  // 64 MiB
inline constexpr size_t kMaxHeaderBytes = 8 << 10;           // 8 KiB

class FrameDecoder {
 public:
  enum class Kind { kNeedMore, kMessage, kError };
  struct Event {
    Kind kind = Kind::kNeedMore;
    std::string text;  // the body (kMessage) or a description of the problem (kError)
  };

  explicit FrameDecoder(size_t max_body = kMaxMessageBytes, size_t max_header = kMaxHeaderBytes)
      : max_body_(max_body), max_header_(max_header) {}

  void Feed(std::string_view bytes);
  // The next message or error; kNeedMore when more bytes are needed.
  Event Next();
  // Bytes buffered and not yet consumed (for tests and diagnostics).
  size_t buffered() const { return buf_.size() - pos_; }
  // True while the decoder is in the middle of a frame (header or body started).
  bool mid_frame() const;

 private:
  enum class State { kHeader, kBody, kSkip, kResync };
  Event ParseHeader();
  void Compact();

  size_t max_body_;
  size_t max_header_;
  State state_ = State::kHeader;
  std::string buf_;
  size_t pos_ = 0;            // start of unconsumed bytes in buf_
  uint64_t body_len_ = 0;     // kBody: bytes expected; kSkip: bytes still to drop
};

// "Content-Length: <body_size>\r\n\r\n": the header block of a frame.
std::string FrameHeader(size_t body_size);
// FrameHeader(body.size()) + body.
std::string EncodeFrame(std::string_view body);

}  // namespace sdndb::rpc
