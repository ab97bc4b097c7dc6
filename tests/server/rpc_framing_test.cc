// FrameDecoder: LSP framing, incremental input, errors and resynchronisation.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "server/rpc/framing.h"

using sdndb::rpc::EncodeFrame;
using sdndb::rpc::FrameDecoder;
using Kind = FrameDecoder::Kind;

namespace {

struct Out {
  std::vector<std::string> messages;
  std::vector<std::string> errors;
};

Out Drain(FrameDecoder& d) {
  Out o;
  for (;;) {
    auto ev = d.Next();
    if (ev.kind == Kind::kNeedMore) break;
    (ev.kind == Kind::kMessage ? o.messages : o.errors).push_back(ev.text);
  }
  return o;
}

Out Decode(const std::string& bytes, size_t chunk = 0, size_t max_body = sdndb::rpc::kMaxMessageBytes) {
  FrameDecoder d(max_body);
  Out all;
  if (chunk == 0) chunk = bytes.size() + 1;
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    d.Feed(std::string_view(bytes).substr(i, chunk));
    Out o = Drain(d);
    all.messages.insert(all.messages.end(), o.messages.begin(), o.messages.end());
    all.errors.insert(all.errors.end(), o.errors.begin(), o.errors.end());
  }
  return all;
}

}  // namespace

TEST_CASE("EncodeFrame counts bytes, not characters") {
  CHECK(EncodeFrame("{}") == "Content-Length: 2\r\n\r\n{}");
  CHECK(EncodeFrame("\"\xC3\xA9\"") == "Content-Length: 4\r\n\r\n\"\xC3\xA9\"");
  // The transport writes FrameHeader and the body as two buffers: together they are the frame.
  for (std::string body : {std::string(), std::string("{}"), std::string(70000, 'x')}) {
    CHECK(sdndb::rpc::FrameHeader(body.size()) + body == EncodeFrame(body));
  }
}

TEST_CASE("decodes messages whole and byte by byte") {
  std::string s = EncodeFrame("{\"a\":1}") + EncodeFrame("[]") + EncodeFrame("\"\xE2\x82\xAC\"");
  for (size_t chunk : {size_t{0}, size_t{1}, size_t{2}, size_t{7}}) {
    Out o = Decode(s, chunk);
    REQUIRE(o.messages.size() == 3);
    CHECK(o.errors.empty());
    CHECK(o.messages[0] == "{\"a\":1}");
    CHECK(o.messages[1] == "[]");
    CHECK(o.messages[2] == "\"\xE2\x82\xAC\"");
  }
}

TEST_CASE("header names are case-insensitive; other headers ignored; bare LF tolerated") {
  Out o = Decode("content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}"
                 "CONTENT-LENGTH:3\n\n[1]");
  CHECK(o.errors.empty());
  REQUIRE(o.messages.size() == 2);
  CHECK(o.messages[1] == "[1]");
}

TEST_CASE("blank lines between messages are skipped; zero length gives an empty body") {
  Out o = Decode("\r\n\r\nContent-Length: 0\r\n\r\n" + EncodeFrame("1"));
  CHECK(o.errors.empty());
  REQUIRE(o.messages.size() == 2);
  CHECK(o.messages[0].empty());
  CHECK(o.messages[1] == "1");
}

TEST_CASE("duplicate Content-Length: the last wins") {
  Out o = Decode("Content-Length: 99\r\nContent-Length: 2\r\n\r\n{}");
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] == "{}");
}

TEST_CASE("malformed headers are reported once and decoding resumes at the next header") {
  const std::vector<std::string> bad = {
      "Content-Length: abc\r\n\r\n{}",
      "Content-Length: -5\r\n\r\n{}",
      "Content-Length: 99999999999999999999999\r\n\r\n{}",
      "Content-Type: x\r\n\r\n{\"no\":\"length\"}",
      "garbage without colon\r\n\r\n",
      "Content-Length: 12 34\r\n\r\n",
      "{\"jsonrpc\":\"2.0\"}",
  };
  for (const std::string& b : bad) {
    CAPTURE(b);
    for (size_t chunk : {size_t{0}, size_t{1}, size_t{3}}) {
      Out o = Decode(b + EncodeFrame("{\"ok\":1}"), chunk);
      CHECK(o.errors.size() == 1);
      REQUIRE(o.messages.size() == 1);
      CHECK(o.messages.back() == "{\"ok\":1}");
    }
  }
}

TEST_CASE("an endless header block is cut off and decoding resumes") {
  std::string junk(20000, 'x');
  Out o = Decode(junk + EncodeFrame("{}"), 1000);
  CHECK(o.errors.size() == 1);  // one -32600 for the whole block (docs/protocol.md, Wire)
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0] == "{}");
}

TEST_CASE("oversized bodies are skipped without buffering, then decoding resumes") {
  std::string body(5000, 'a');
  std::string s = "Content-Length: 5000\r\n\r\n" + body + EncodeFrame("{}");
  for (size_t chunk : {size_t{0}, size_t{100}, size_t{1}}) {
    FrameDecoder d(1000);
    Out all;
    for (size_t i = 0; i < s.size(); i += (chunk ? chunk : s.size())) {
      d.Feed(std::string_view(s).substr(i, chunk ? chunk : s.size()));
      if (chunk != 0) CHECK(d.buffered() <= 1100);
      Out o = Drain(d);
      all.errors.insert(all.errors.end(), o.errors.begin(), o.errors.end());
      all.messages.insert(all.messages.end(), o.messages.begin(), o.messages.end());
    }
    CHECK(all.errors.size() == 1);
    REQUIRE(all.messages.size() == 1);
    CHECK(all.messages[0] == "{}");
  }
}

TEST_CASE("mid_frame tells whether input ended inside a message") {
  FrameDecoder d;
  CHECK_FALSE(d.mid_frame());
  d.Feed("Content-Length: 10\r\n\r\n{\"a\"");
  Drain(d);
  CHECK(d.mid_frame());
  FrameDecoder e;
  e.Feed(EncodeFrame("{}") + "\r\n");
  Drain(e);
  CHECK_FALSE(e.mid_frame());
}
