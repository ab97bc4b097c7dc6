// Hostile input: a corpus of malformed frames and messages; after each, the server must still
// answer a well-formed request. Plus the 64 MiB cap with resynchronisation.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/server/rpc_client.h"

using namespace sdndb::test;

namespace {

std::string Req(const std::string& id, const std::string& method, const std::string& params) {
  return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
}

std::vector<std::string> Corpus() {
  std::vector<std::string> c;
  auto body = [&c](const std::string& b) { c.push_back(Frame(b)); };
  // --- framing ---
  c.push_back("Content-Length: abc\r\n\r\n{}");
  c.push_back("Content-Length: -1\r\n\r\n{}");
  c.push_back("Content-Length: 99999999999999999999999999\r\n\r\n{}");
  c.push_back("Content-Length:\r\n\r\n{}");
  c.push_back("Content-Type: application/json\r\n\r\n{}");
  c.push_back("no colon here\r\n\r\n");
  c.push_back("\r\n\r\n\r\n");
  c.push_back(std::string(20000, 'H') + "\r\n\r\n");
  c.push_back("Content-Length: 5\r\nContent-Length: x\r\n\r\nhello");
  c.push_back("Content-Length: 10\r\n\r\n{\"a\":");  // truncated: swallows following bytes
  c.push_back("Content-Length: 2\n\n{}");
  c.push_back(std::string("Content-Length: 2\0\r\n\r\n{}", 24));
  c.push_back("CONTENT-LENGTH: 2\r\n\r\n[]");
  c.push_back("Content-Length: 0\r\n\r\n");
  c.push_back("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sdndb/databases\"}");  // unframed
  c.push_back("Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc");
  // --- invalid JSON / UTF-8 ---
  body("{");
  body("}");
  body("nul");
  body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sdndb/list\",}");
  body("\xEF\xBB\xBF{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}");
  body(Req("1", "sdndb/get", "{\"database\":\"\xff\xfe\",\"id\":\"1\"}"));
  body(Req("1", "sdndb/get", "{\"database\":\"\xc0\xaf\",\"id\":\"1\"}"));
  body(Req("1", "sdndb/get", "{\"database\":\"\\ud800\",\"id\":\"1\"}"));
  body(Req("1", "sdndb/get", "{\"database\":\"todo\",\"id\":\"\xed\xa0\x80\"}"));
  body("{\"a\":1} {\"b\":2}");
  body("{}garbage");
  body(std::string("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\0\"}", 37));
  // --- not requests ---
  body("42");
  body("\"string\"");
  body("null");
  body("[]");
  body("[1,2,3]");
  body("{}");
  body("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"sdndb/databases\"}");
  body("{\"jsonrpc\":2.0,\"id\":1,\"method\":\"sdndb/databases\"}");
  body("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"sdndb/databases\"}");
  body("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"sdndb/databases\"}");
  body("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"sdndb/databases\"}");
  body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":null}");
  body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":[\"x\"]}");
  body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sdndb/list\",\"params\":\"todo\"}");
  body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"sdndb/list\",\"params\":7}");
  body("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
  body("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":\"x\"}}");
  body("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1,\"error\":{}}");
  // --- huge numbers ---
  body(Req("1e400", "sdndb/databases", "{}"));
  body(Req("123456789012345678901234567890", "sdndb/databases", "{}"));
  body(Req("-0", "sdndb/databases", "{}"));
  body(Req("1", "sdndb/list", "{\"database\":\"todo\",\"limit\":1e308}"));
  body(Req("1", "sdndb/list", "{\"database\":\"todo\",\"limit\":18446744073709551616}"));
  body(Req("1", "sdndb/list", "{\"database\":\"todo\",\"offset\":9223372036854775807,\"limit\":9223372036854775807}"));
  body(Req("1", "sdndb/edit", "{\"database\":\"todo\",\"id\":\"1\",\"changes\":{},\"base\":{\"version\":-9223372036854775808}}"));
  body(Req("1", "sdndb/edit", "{\"database\":\"todo\",\"id\":\"1\",\"changes\":{},\"base\":{\"version\":1e999}}"));
  // --- wrong types ---
  body(Req("1", "sdndb/list", "{\"database\":[\"todo\"]}"));
  body(Req("1", "sdndb/list", "{\"database\":\"todo\",\"where\":[1]}"));
  body(Req("1", "sdndb/list", "{\"database\":\"todo\",\"sort\":{}}"));
  body(Req("1", "sdndb/create", "{\"database\":\"todo\",\"fields\":\"a=b\"}"));
  body(Req("1", "sdndb/create", "{\"database\":\"todo\",\"fields\":{\"description\":null}}"));
  body(Req("1", "sdndb/edit", "{\"database\":\"todo\",\"id\":1,\"changes\":{}}"));
  body(Req("1", "sdndb/resolve", "{\"conflict\":[],\"choice\":\"ours\"}"));
  body(Req("1", "sdndb/delete", "{\"database\":\"todo\",\"id\":\"1\",\"baseVersion\":true}"));
  body(Req("1", "initialize", "{\"rootPath\":5}"));
  body("{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\",\"params\":{\"id\":{\"x\":1}}}");
  body("{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\",\"params\":null}");
  body("{\"jsonrpc\":\"2.0\",\"method\":\"$/cancelRequest\"}");
  body("{\"jsonrpc\":\"2.0\",\"method\":\"sdndb/didChange\",\"params\":{}}");
  // --- paths ---
  body(Req("1", "sdndb/list", "{\"database\":\"../../../../etc/passwd\"}"));
  body(Req("1", "sdndb/list", "{\"database\":\"/dev/zero.sdn\"}"));
  body(Req("1", "sdndb/list", "{\"database\":\"\"}"));
  body(Req("1", "sdndb/list", "{\"database\":\"todo\\u0000x\"}"));
  // --- deep nesting and size ---
  body(std::string(100000, '['));
  body(std::string(5000, '[') + std::string(5000, ']'));
  body(Req("1", "sdndb/list", std::string("{\"database\":\"todo\",\"where\":") + std::string(60, '{') + std::string(60, '}') + "}"));
  {
    std::string deep = "{\"a\":";
    for (int i = 0; i < 3000; ++i) deep += "{\"a\":";
    body(deep + "1" + std::string(3001, '}'));
  }
  body(Req("1", "sdndb/get", "{\"database\":\"todo\",\"id\":\"" + std::string(1 << 20, 'x') + "\"}"));
  {
    std::string batch = "[";
    for (int i = 0; i < 500; ++i) batch += (i ? "," : "") + Req(std::to_string(1000 + i), "sdndb/get", "{\"database\":\"todo\",\"id\":\"1\"}");
    body(batch + "]");
  }
  {
    std::string batch = "[";
    for (int i = 0; i < 200; ++i) batch += (i ? ",5" : "5");
    body(batch + "]");
  }
  return c;
}

// Sends a ping until it is answered (a truncated frame may swallow the first ones).
bool Answers(ServerProcess& s, int round) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::string id = "ping-" + std::to_string(round) + "-" + std::to_string(attempt);
    s.SendRaw(Frame(Req("\"" + id + "\"", "sdndb/get", "{\"database\":\"todo\",\"id\":\"1\"}")));
    auto r = s.WaitResponse(id, 3000ms);
    if (r) return r->contains("result") && (*r)["result"]["record"]["id"] == "1";
    s.SendRaw("\r\n" + std::string(64, ' ') + "\r\n\r\n");
  }
  return false;
}

}  // namespace

TEST_CASE("a corpus of hostile inputs never kills the server") {
  std::string dir = MakeWorkspace();
  ServerProcess s({"--dir", dir});
  REQUIRE(s.Initialize({{"rootPath", dir}}).contains("result"));
  std::vector<std::string> corpus = Corpus();
  MESSAGE("hostile corpus: " << corpus.size() << " inputs");
  CHECK(corpus.size() >= 50);
  for (size_t i = 0; i < corpus.size(); ++i) {
    CAPTURE(i);
    CAPTURE(corpus[i].substr(0, 120));
    REQUIRE(s.SendRaw(corpus[i]));
    REQUIRE(Answers(s, static_cast<int>(i)));
    s.ClearQueue();
  }
  // The databases are untouched and the server shuts down cleanly.
  CHECK(ReadFile(dir + "/todo_db.sdn") == ReadFile(std::string(SDNDB_SOURCE_DIR) + "/docs/example/todo_db.sdn"));
  CHECK(s.Call("end", "shutdown", nullptr).contains("result"));
  s.Notify("exit");
  CHECK(s.WaitExit() == 0);
}

TEST_CASE("specific answers to malformed input") {
  std::string dir = MakeWorkspace();
  ServerProcess s({"--dir", dir});
  REQUIRE(s.Initialize({{"rootPath", dir}}).contains("result"));
  s.SendRaw(Frame("\xff"));
  auto r = s.Read();
  REQUIRE(r);
  CHECK((*r)["error"]["code"] == -32700);
  CHECK((*r)["id"].is_null());
  s.SendRaw("Content-Length: x\r\n\r\n");
  r = s.Read();
  REQUIRE(r);
  CHECK((*r)["error"]["code"] == -32600);
  s.SendRaw(Frame(std::string(200, '[') + std::string(200, ']')));
  r = s.Read();
  REQUIRE(r);
  CHECK((*r)["error"]["code"] == -32600);
}

TEST_CASE("a message over 64 MiB is refused, skipped, and the stream resynchronises") {
  std::string dir = MakeWorkspace();
  ServerProcess s({"--dir", dir});
  REQUIRE(s.Initialize({{"rootPath", dir}}).contains("result"));
  const size_t n = (size_t{64} << 20) + 1;
  std::string big = "Content-Length: " + std::to_string(n) + "\r\n\r\n";
  std::string chunk(1 << 20, ' ');
  REQUIRE(s.SendRaw(big));
  for (size_t sent = 0; sent < n; sent += chunk.size()) {
    REQUIRE(s.SendRaw(chunk.substr(0, std::min(chunk.size(), n - sent))));
  }
  auto r = s.Read(10000ms);
  REQUIRE(r);
  CHECK((*r)["error"]["code"] == -32600);
  CHECK((*r)["id"].is_null());
  Json ok = s.Call(1, "sdndb/get", {{"database", "todo"}, {"id", "1"}});
  CHECK(ok["result"]["record"]["id"] == "1");
}
