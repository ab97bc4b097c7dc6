// libFuzzer target for the JSON-RPC framing + dispatch layer: bytes -> FrameDecoder ->
// Dispatcher (lifecycle, batches, cancel) -> the real params decoders of every sdndb method.
// Handlers answer inline, later, or never (parked replies are dropped at the end), so the
// reply-once and pending bookkeeping is exercised. Every byte the server would write must be a
// valid JSON-RPC message; at the end no request may be left pending.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "server/rpc/dispatcher.h"
#include "server/rpc/framing.h"
#include "server/serve/wire.h"

using namespace sdndb;
using rpc::Json;

namespace {

template <typename P>
void Decode(const Json& params, rpc::Reply& reply) {
  P p;
  if (auto err = serve::FromJson(params, &p)) {
    reply.Fail(*err);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  std::deque<std::function<void()>> loop;
  std::vector<rpc::Reply> parked;
  int exit_code = -1;
  rpc::Dispatcher d(rpc::DispatcherHooks{
      [](std::string out) {
        Json j = Json::parse(out, nullptr, false);
        if (j.is_discarded() || !(j.is_object() || j.is_array())) std::abort();
      },
      [&loop](std::function<void()> f) { loop.push_back(std::move(f)); }, [&exit_code](int c) { exit_code = c; },
      nullptr});
  d.AddMethod("initialize", [&](const Json& params, rpc::Reply reply, const rpc::CallContext&) {
    serve::InitializeParams p;
    if (auto err = serve::FromJson(params, &p)) return reply.Fail(*err);
    d.set_progress_supported(p.work_done_progress);
    reply.Ok(Json{{"root", p.root.value_or("")}});
  });
  auto method = [&](const char* name, std::function<void(const Json&, rpc::Reply&)> decode) {
    d.AddMethod(name, [&, decode](const Json& params, rpc::Reply reply, const rpc::CallContext& ctx) {
      decode(params, reply);
      if (!reply) return;
      ctx.progress.Begin("work");
      switch ((mode >> 1) % 3) {
        case 0: reply.Ok(params); break;
        case 1: loop.push_back([r = std::make_shared<rpc::Reply>(std::move(reply)), ctx]() {
                  if (ctx.is_cancelled()) r->Fail(rpc::RpcError(rpc::code::kRequestCancelled, "cancelled"));
                  else r->Ok(nullptr);
                });
                break;
        default: parked.push_back(std::move(reply)); break;
      }
    });
  };
  method("sdndb/list", Decode<serve::ListParams>);
  method("sdndb/get", Decode<serve::GetParams>);
  method("sdndb/create", Decode<serve::CreateParams>);
  method("sdndb/edit", Decode<serve::EditParams>);
  method("sdndb/delete", Decode<serve::DeleteParams>);
  method("sdndb/conflicts", Decode<serve::ConflictsParams>);
  method("sdndb/resolve", Decode<serve::ResolveParams>);
  method("sdndb/databases", [](const Json&, rpc::Reply&) {});

  if (mode & 1) d.OnMessage(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{}})");
  auto run = [&loop]() {
    while (!loop.empty()) {
      auto f = std::move(loop.front());
      loop.pop_front();
      f();
    }
  };
  run();

  rpc::FrameDecoder decoder(4096);  // a small cap exercises the oversized path
  const size_t chunk = 1 + (mode >> 4);
  for (size_t i = 0; i < input.size(); i += chunk) {
    decoder.Feed(input.substr(i, chunk));
    for (;;) {
      auto ev = decoder.Next();
      if (ev.kind == rpc::FrameDecoder::Kind::kNeedMore) break;
      if (ev.kind == rpc::FrameDecoder::Kind::kMessage) {
        d.OnMessage(ev.text);
      } else {
        d.OnFramingError(ev.text);
      }
      run();
    }
  }
  parked.clear();  // unanswered replies answer -32603 on destruction
  run();
  d.OnEof();
  run();
  if (d.pending() != 0) std::abort();
  return 0;
}
