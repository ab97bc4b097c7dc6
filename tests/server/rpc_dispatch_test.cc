// Dispatcher: classification, lifecycle, batches, cancellation, reply-once.
#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "server/rpc/dispatcher.h"

using namespace sdndb::rpc;

namespace {

struct Harness {
  std::vector<Json> sent;
  std::deque<std::function<void()>> queue;  // tasks posted to the "loop"
  int exit_code = -100;
  Dispatcher d;
  std::vector<Reply> parked;  // replies held by "slow" handlers
  std::vector<CallContext> parked_ctx;

  Harness()
      : d(DispatcherHooks{[this](std::string s) { sent.push_back(Json::parse(s)); },
                          [this](std::function<void()> f) { queue.push_back(std::move(f)); },
                          [this](int c) { exit_code = c; }, nullptr}) {
    d.AddMethod("initialize", [](const Json&, Reply r, const CallContext&) { r.Ok({{"serverInfo", "x"}}); });
    d.AddMethod("echo", [](const Json& p, Reply r, const CallContext&) { r.Ok(p); });
    d.AddMethod("slow", [this](const Json&, Reply r, const CallContext& ctx) {
      parked.push_back(std::move(r));
      parked_ctx.push_back(ctx);
    });
    d.AddMethod("forget", [](const Json&, Reply, const CallContext&) {});
    d.AddMethod("throws", [](const Json&, Reply, const CallContext&) { throw std::runtime_error("boom"); });
  }
  void Run() {
    while (!queue.empty()) {
      auto f = std::move(queue.front());
      queue.pop_front();
      f();
    }
  }
  void In(const std::string& body) {
    d.OnMessage(body);
    Run();
  }
  void Init() {
    In(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{}})");
    REQUIRE(d.initialized());
    sent.clear();
  }
  Json Last() {
    REQUIRE(!sent.empty());
    return sent.back();
  }
};

int ErrorCode(const Json& r) { return r.at("error").at("code").get<int>(); }

}  // namespace

TEST_CASE("requests before initialize get -32002; notifications are dropped") {
  Harness h;
  h.In(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":{}})");
  CHECK(ErrorCode(h.Last()) == -32002);
  CHECK(h.Last()["id"] == 1);
  h.In(R"({"jsonrpc":"2.0","method":"initialized"})");
  CHECK(h.sent.size() == 1);
  h.In(R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{}})");
  CHECK(h.Last()["result"]["serverInfo"] == "x");
  h.In(R"({"jsonrpc":"2.0","id":3,"method":"initialize","params":{}})");
  CHECK(ErrorCode(h.Last()) == -32600);
}

TEST_CASE("parse errors, invalid requests and unknown methods") {
  Harness h;
  h.Init();
  h.In("{not json");
  CHECK(ErrorCode(h.Last()) == -32700);
  CHECK(h.Last()["id"].is_null());
  h.In("\"\xff\xfe\"");
  CHECK(ErrorCode(h.Last()) == -32700);
  h.In("");
  CHECK(ErrorCode(h.Last()) == -32700);
  h.In("42");
  CHECK(ErrorCode(h.Last()) == -32600);
  h.In(R"({"id":1,"method":"echo"})");
  CHECK(ErrorCode(h.Last()) == -32600);
  CHECK(h.Last()["id"] == 1);
  h.In(R"({"jsonrpc":"1.0","id":1,"method":"echo"})");
  CHECK(ErrorCode(h.Last()) == -32600);
  h.In(R"({"jsonrpc":"2.0","id":{"a":1},"method":"echo"})");
  CHECK(ErrorCode(h.Last()) == -32600);
  CHECK(h.Last()["id"].is_null());
  h.In(R"({"jsonrpc":"2.0","id":1,"method":7})");
  CHECK(ErrorCode(h.Last()) == -32600);
  h.In(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":"str"})");
  CHECK(ErrorCode(h.Last()) == -32600);
  h.In(R"({"jsonrpc":"2.0","id":"abc","method":"nope"})");
  CHECK(ErrorCode(h.Last()) == -32601);
  CHECK(h.Last()["id"] == "abc");
  CHECK(h.Last()["error"]["data"]["method"] == "nope");
  h.In(R"({"jsonrpc":"2.0","id":5,"method":"$/unknown"})");
  CHECK(ErrorCode(h.Last()) == -32601);
  size_t before = h.sent.size();
  h.In(R"({"jsonrpc":"2.0","method":"$/unknown"})");
  h.In(R"({"jsonrpc":"2.0","id":9,"result":null})");
  CHECK(h.sent.size() == before);
  std::string deep(200, '[');
  h.In(deep + std::string(200, ']'));
  CHECK(ErrorCode(h.Last()) == -32600);
}

TEST_CASE("batches are answered with one array; notifications add nothing") {
  Harness h;
  h.Init();
  h.In(R"([{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}},
           {"jsonrpc":"2.0","method":"initialized"},
           5,
           {"jsonrpc":"2.0","id":2,"method":"nope"}])");
  REQUIRE(h.sent.size() == 1);
  Json arr = h.Last();
  REQUIRE(arr.is_array());
  CHECK(arr.size() == 3);
  h.In("[]");
  CHECK(ErrorCode(h.Last()) == -32600);
  size_t before = h.sent.size();
  h.In(R"([{"jsonrpc":"2.0","method":"initialized"}])");
  CHECK(h.sent.size() == before);
}

TEST_CASE("batch waits for slow members") {
  Harness h;
  h.Init();
  h.In(R"([{"jsonrpc":"2.0","id":1,"method":"slow"},{"jsonrpc":"2.0","id":2,"method":"echo"}])");
  CHECK(h.sent.empty());
  h.parked.back().Ok(7);
  h.Run();
  REQUIRE(h.sent.size() == 1);
  CHECK(h.Last().size() == 2);
}

TEST_CASE("cancel sets the flag; the handler answers; only one reply is sent") {
  Harness h;
  h.Init();
  h.In(R"({"jsonrpc":"2.0","id":"s1","method":"slow"})");
  REQUIRE(h.parked_ctx.size() == 1);
  CHECK_FALSE(h.parked_ctx[0].is_cancelled());
  CHECK(h.d.pending() == 1);
  h.In(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"s1"}})");
  CHECK(h.parked_ctx[0].is_cancelled());
  h.parked[0].Fail(RpcError(code::kRequestCancelled, "cancelled"));
  h.parked[0].Ok(1);  // ignored
  h.Run();
  REQUIRE(h.sent.size() == 1);
  CHECK(ErrorCode(h.Last()) == -32800);
  CHECK(h.d.pending() == 0);
  h.In(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"unknown"}})");
  h.In(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":{}}})");
  CHECK(h.sent.size() == 1);
}

TEST_CASE("a dropped or throwing handler still answers -32603") {
  Harness h;
  h.Init();
  h.In(R"({"jsonrpc":"2.0","id":1,"method":"forget"})");
  CHECK(ErrorCode(h.Last()) == -32603);
  h.In(R"({"jsonrpc":"2.0","id":2,"method":"throws"})");
  CHECK(ErrorCode(h.Last()) == -32603);
  CHECK(h.Last()["id"] == 2);
}

TEST_CASE("shutdown then exit gives 0; requests after shutdown fail") {
  Harness h;
  h.Init();
  h.In(R"({"jsonrpc":"2.0","id":1,"method":"shutdown"})");
  CHECK(h.Last()["result"].is_null());
  CHECK(h.Last().contains("result"));
  h.In(R"({"jsonrpc":"2.0","id":2,"method":"echo"})");
  CHECK(ErrorCode(h.Last()) == -32600);
  h.In(R"({"jsonrpc":"2.0","method":"exit"})");
  CHECK(h.exit_code == 0);
}

TEST_CASE("exit without shutdown gives 1; EOF too; exit works before initialize") {
  Harness a;
  a.In(R"({"jsonrpc":"2.0","method":"exit"})");
  CHECK(a.exit_code == 1);
  Harness b;
  b.Init();
  b.d.OnEof();
  CHECK(b.exit_code == 1);
}

TEST_CASE("exit cancels pending work") {
  Harness h;
  h.Init();
  h.In(R"({"jsonrpc":"2.0","id":1,"method":"slow"})");
  h.In(R"({"jsonrpc":"2.0","method":"exit"})");
  CHECK(h.parked_ctx[0].is_cancelled());
}

TEST_CASE("progress is reported only with a token and client support") {
  Harness h;
  h.Init();
  h.In(R"({"jsonrpc":"2.0","id":1,"method":"slow","params":{"workDoneToken":"t"}})");
  CHECK_FALSE(h.parked_ctx[0].progress.enabled());
  h.d.set_progress_supported(true);
  h.In(R"({"jsonrpc":"2.0","id":2,"method":"slow","params":{"workDoneToken":"t"}})");
  REQUIRE(h.parked_ctx[1].progress.enabled());
  h.parked_ctx[1].progress.Begin("Waiting");
  h.Run();
  CHECK(h.Last()["method"] == "$/progress");
  CHECK(h.Last()["params"]["token"] == "t");
  CHECK(h.Last()["params"]["value"]["kind"] == "begin");
}
