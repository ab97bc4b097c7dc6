#include "server/rpc/framing.h"

#include <algorithm>
#include <cctype>

namespace sdndb::rpc {
namespace {

constexpr std::string_view kLengthHeader = "content-length";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Position of the next "content-length:" (case-insensitive) at or after `from`, or npos.
size_t FindLengthHeader(std::string_view s, size_t from) {
  static constexpr std::string_view kNeedle = "content-length:";
  if (s.size() < kNeedle.size()) return std::string_view::npos;
  for (size_t i = from; i + kNeedle.size() <= s.size(); ++i) {
    if ((s[i] | 0x20) != 'c') continue;
    if (EqualsIgnoreCase(s.substr(i, kNeedle.size()), kNeedle)) return i;
  }
  return std::string_view::npos;
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 60)) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  if (s.size() > 60) out += "...";
  return out;
}

}  // namespace

void FrameDecoder::Feed(std::string_view bytes) {
  if (state_ == State::kSkip && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
    size_t drop = static_cast<size_t>(std::min<uint64_t>(body_len_, bytes.size()));
    body_len_ -= drop;
    bytes.remove_prefix(drop);
    if (body_len_ == 0) state_ = State::kHeader;
  }
  buf_.append(bytes.data(), bytes.size());
}

bool FrameDecoder::mid_frame() const {
  if (state_ == State::kBody || state_ == State::kSkip) return true;
  if (state_ == State::kResync) return false;
  for (size_t i = pos_; i < buf_.size(); ++i) {
    if (buf_[i] != '\r' && buf_[i] != '\n') return true;
  }
  return false;
}

void FrameDecoder::Compact() {
  if (pos_ == 0) return;
  if (pos_ >= buf_.size()) {
    buf_.clear();
  } else if (pos_ > 4096 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
  } else {
    return;
  }
  pos_ = 0;
}

FrameDecoder::Event FrameDecoder::Next() {
  for (;;) {
    switch (state_) {
      case State::kSkip: {
        size_t avail = buf_.size() - pos_;
        size_t drop = static_cast<size_t>(std::min<uint64_t>(body_len_, avail));
        pos_ += drop;
        body_len_ -= drop;
        Compact();
        if (body_len_ > 0) return {};
        state_ = State::kHeader;
        continue;
      }
      case State::kResync: {
        std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
        size_t at = FindLengthHeader(rest, 0);
        if (at == std::string_view::npos) {
          // Keep a tail that may be the start of a split "Content-Length:".
          constexpr size_t kKeep = 14;
          if (rest.size() > kKeep) pos_ += rest.size() - kKeep;
          Compact();
          return {};
        }
        pos_ += at;
        state_ = State::kHeader;
        continue;
      }
      case State::kBody: {
        if (buf_.size() - pos_ < body_len_) return {};
        Event ev{Kind::kMessage, buf_.substr(pos_, static_cast<size_t>(body_len_))};
        pos_ += static_cast<size_t>(body_len_);
        body_len_ = 0;
        state_ = State::kHeader;
        Compact();
        return ev;
      }
      case State::kHeader: {
        Event ev = ParseHeader();
        if (ev.kind == Kind::kNeedMore && state_ != State::kHeader) continue;  // header done
        Compact();
        return ev;
      }
    }
  }
}

// Parses one header block starting at pos_. On success switches to kBody/kSkip and returns
// kNeedMore (the caller loops) or kError for an oversized body; on a malformed block switches
// to kResync and returns kError.
FrameDecoder::Event FrameDecoder::ParseHeader() {
  // Skip blank lines between messages.
  while (pos_ < buf_.size() && (buf_[pos_] == '\r' || buf_[pos_] == '\n')) {
    if (buf_[pos_] == '\r' && pos_ + 1 == buf_.size()) break;  // maybe "\r\n" split
    ++pos_;
  }
  const size_t block_start = pos_;
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  bool have_length = false;
  bool bad_length = false;
  uint64_t length = 0;
  std::string problem;
  size_t line_start = 0;
  for (;;) {
    size_t nl = rest.find('\n', line_start);
    if (nl == std::string_view::npos) {
      if (rest.size() > max_header_) {
        problem = "header block longer than " + std::to_string(max_header_) + " bytes";
        break;
      }
      return {};  // need more
    }
    if (nl > max_header_) {
      problem = "header block longer than " + std::to_string(max_header_) + " bytes";
      break;
    }
    std::string_view line = rest.substr(line_start, nl - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t next = nl + 1;
    if (line.empty()) {
      // End of the header block.
      if (!have_length) {
        problem = "missing Content-Length header";
        break;
      }
      if (bad_length) {
        problem = "invalid Content-Length value";
        break;
      }
      pos_ += next;
      if (length > max_body_) {
        state_ = State::kSkip;
        body_len_ = length;
        return {Kind::kError, "message of " + std::to_string(length) + " bytes exceeds the limit of " +
                                  std::to_string(max_body_) + " bytes; skipped"};
      }
      state_ = State::kBody;
      body_len_ = length;
      return {};
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      problem = "malformed header line \"" + Printable(line) + "\"";
      break;
    }
    std::string_view name = Trim(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, kLengthHeader)) {
      have_length = true;
      bad_length = value.empty() || value.size() > 19;
      length = 0;
      for (char c : value) {
        if (c < '0' || c > '9') {
          bad_length = true;
          break;
        }
        length = length * 10 + static_cast<uint64_t>(c - '0');
      }
    }
    line_start = next;
  }
  // Malformed: report, then resynchronise at the next Content-Length header after the start
  // of this block (it may sit inside this block, e.g. after a stray body without a newline).
  pos_ = block_start + 1;
  state_ = State::kResync;
  return {Kind::kError, problem};
}

std::string FrameHeader(size_t body_size) {
  return "Content-Length: " + std::to_string(body_size) + "\r\n\r\n";
}

std::string EncodeFrame(std::string_view body) {
  std::string out = FrameHeader(body.size());
  out.append(body.data(), body.size());
  return out;
}

}  // namespace sdndb::rpc
