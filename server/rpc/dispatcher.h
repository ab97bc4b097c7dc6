// Dispatcher: JSON-RPC 2.0 semantics on top of framed message bodies.
//
// Owns: message classification, batches, the LSP lifecycle (initialize / initialized /
// shutdown / exit), method lookup, cancellation ($/cancelRequest), progress plumbing and the
// guarantee that every request gets exactly one response. It knows nothing about sdndb's
// methods (handlers are registered) nor about I/O (hooks send bytes and post work).
//
// Threading: OnMessage/OnFramingError/OnEof and the hooks' `send` run on one "dispatcher
// thread" (the asio event loop). Reply and Notify may be used from any thread; they hop to the
// dispatcher thread through hooks.post. Handlers are called on the dispatcher thread and must
// not block: they reply inline or move the Reply to a worker.
//
// Lifecycle (docs/protocol.md):
//   * before a successful `initialize`: requests -> -32002, notifications dropped (except exit);
//   * a second `initialize` -> -32600;
//   * `shutdown` -> null; afterwards requests -> -32600;
//   * `exit` -> hooks.exit(0 if shutdown was received, else 1); EOF -> same.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/rpc/error.h"
#include "server/rpc/json.h"
#include "server/rpc/message.h"

namespace sdndb::rpc {

class Dispatcher;
struct PendingCall;

// Reports `$/progress` for one request when the client sent a `workDoneToken` and announced
// `window.workDoneProgress`; otherwise every call is a no-op. Thread-safe.
class Progress {
 public:
  Progress() = default;
  bool enabled() const { return dispatcher_ != nullptr; }
  void Begin(const std::string& title, const std::string& message = {}) const;
  void Report(const std::string& message, std::optional<int> percentage = std::nullopt) const;
  void End(const std::string& message = {}) const;

 private:
  friend class Dispatcher;
  Dispatcher* dispatcher_ = nullptr;
  Json token;
};

// What a handler knows about its request. Cheap to copy; safe to use on any thread.
struct CallContext {
  Json id;
  std::string method;
  std::shared_ptr<std::atomic<bool>> cancelled;  // set by $/cancelRequest (or shutdown/exit)
  Progress progress;
  bool is_cancelled() const { return cancelled && cancelled->load(); }
};

// The one-shot answer to a request. Move-only. Ok/Fail may be called from any thread, once;
// later calls are ignored. Destroying an unanswered Reply answers -32603.
class Reply {
 public:
  Reply() = default;
  Reply(Reply&&) noexcept = default;
  Reply& operator=(Reply&& other) noexcept;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply();

  void Ok(Json result);
  // Like Ok, with the result already serialised (must be valid JSON); for large results built
  // by hand-written serialisers.
  void OkRaw(std::string result_json);
  void Fail(RpcError error);
  explicit operator bool() const { return call_ != nullptr; }

 private:
  friend class Dispatcher;
  Reply(Dispatcher* d, std::shared_ptr<PendingCall> call) : dispatcher_(d), call_(std::move(call)) {}
  void Send(std::string response, bool ok);
  Dispatcher* dispatcher_ = nullptr;
  std::shared_ptr<PendingCall> call_;
};

struct DispatcherHooks {
  std::function<void(std::string)> send;             // writes one message body (dispatcher thread)
  std::function<void(std::function<void()>)> post;   // runs a task on the dispatcher thread (any thread)
  std::function<void(int)> exit;                     // process should exit with this code
  std::function<void(const std::string&)> log;       // diagnostics (never stdout)
};

class Dispatcher {
 public:
  using Handler = std::function<void(const Json& params, Reply reply, const CallContext& ctx)>;
  using NotificationHandler = std::function<void(const Json& params)>;

  explicit Dispatcher(DispatcherHooks hooks);
  ~Dispatcher();

  // Registers a request handler. `initialize` and `shutdown` are built in for lifecycle
  // bookkeeping but delegate to a handler registered under their name, if any
  // (the initialize handler's successful reply marks the server initialized).
  void AddMethod(const std::string& name, Handler handler);
  void AddNotification(const std::string& name, NotificationHandler handler);

  // Transport entry points (dispatcher thread).
  void OnMessage(std::string_view body);
  void OnFramingError(const std::string& what);  // answered -32600 with id null
  void OnEof();                                   // = exit

  // Sends a notification (any thread).
  void Notify(const std::string& method, Json params);

  // Sets every pending request's cancel flag (used on exit). Dispatcher thread.
  void CancelAll();

  void set_progress_supported(bool on) { progress_supported_ = on; }
  bool initialized() const { return state_ == State::kRunning || state_ == State::kShutdown; }
  bool shutdown_received() const { return state_ == State::kShutdown; }
  size_t pending() const { return pending_.size(); }

 private:
  friend class Reply;
  friend class Progress;
  enum class State { kUninitialized, kInitializing, kRunning, kShutdown };
  struct Batch;

  using Sink = std::function<void(std::string)>;
  void HandleValue(const Json& value, const std::string& id_token, const Sink& sink,
                   const std::shared_ptr<Batch>& batch);
  void HandleRequest(Message m, const Sink& sink);
  void HandleNotification(const Message& m);
  void Complete(const std::shared_ptr<PendingCall>& call, std::string response, bool ok);  // dispatcher thread
  void Post(std::function<void()> task);
  void Log(const std::string& message);

  DispatcherHooks hooks_;
  std::map<std::string, Handler> methods_;
  std::map<std::string, NotificationHandler> notifications_;
  std::multimap<std::string, std::shared_ptr<PendingCall>> pending_;  // key: DumpJson(id)
  State state_ = State::kUninitialized;
  bool exited_ = false;
  std::atomic<bool> progress_supported_{false};
};

}  // namespace sdndb::rpc
