#include "server/rpc/dispatcher.h"

#include "core/status.h"

#include <utility>
#include <vector>

namespace sdndb::rpc {

struct PendingCall {
  Json id;
  std::string id_text;  // echoed exactly (Message::id_text)
  std::string key;
  std::string method;
  std::shared_ptr<std::atomic<bool>> cancelled;
  std::function<void(std::string)> sink;
  std::atomic<bool> replied{false};
};

struct Dispatcher::Batch {
  std::vector<std::string> parts;
  int outstanding = 0;
  bool sealed = false;
  Sink send;
  void MaybeFlush() {
    if (!sealed || outstanding > 0 || parts.empty()) return;
    std::string out = "[";
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += ',';
      out += parts[i];
    }
    out += ']';
    parts.clear();
    send(std::move(out));
  }
};

// ---- Progress ----

void Progress::Begin(const std::string& title, const std::string& message) const {
  if (!dispatcher_) return;
  Json v = {{"kind", "begin"}, {"title", title}, {"cancellable", true}};
  if (!message.empty()) v["message"] = message;
  dispatcher_->Notify("$/progress", Json{{"token", token}, {"value", std::move(v)}});
}

void Progress::Report(const std::string& message, std::optional<int> percentage) const {
  if (!dispatcher_) return;
  Json v = {{"kind", "report"}, {"message", message}};
  if (percentage) v["percentage"] = *percentage;
  dispatcher_->Notify("$/progress", Json{{"token", token}, {"value", std::move(v)}});
}

void Progress::End(const std::string& message) const {
  if (!dispatcher_) return;
  Json v = {{"kind", "end"}};
  if (!message.empty()) v["message"] = message;
  dispatcher_->Notify("$/progress", Json{{"token", token}, {"value", std::move(v)}});
}

// ---- Reply ----

Reply& Reply::operator=(Reply&& other) noexcept {
  if (this != &other) {
    if (call_ && !call_->replied.exchange(true)) {
      Send(ErrorResponseText(call_->id_text, RpcError(code::kInternalError, "server failed to reply")), false);
    }
    dispatcher_ = other.dispatcher_;
    call_ = std::move(other.call_);
    other.dispatcher_ = nullptr;
  }
  return *this;
}

Reply::~Reply() {
  if (call_ && !call_->replied.exchange(true)) {
    Send(ErrorResponseText(call_->id_text, RpcError(code::kInternalError, "server failed to reply")), false);
  }
}

void Reply::Ok(Json result) {
  if (!call_ || call_->replied.exchange(true)) return;
  Send(ResultResponseText(call_->id_text, DumpJson(result)), true);
}

void Reply::OkRaw(std::string result_json) {
  if (!call_ || call_->replied.exchange(true)) return;
  Send(ResultResponseText(call_->id_text, result_json), true);
}

void Reply::Fail(RpcError error) {
  if (!call_ || call_->replied.exchange(true)) return;
  Send(ErrorResponseText(call_->id_text, error), false);
}

void Reply::Send(std::string response, bool ok) {
  Dispatcher* d = dispatcher_;
  std::shared_ptr<PendingCall> call = std::move(call_);
  d->Post([d, call, ok, r = std::move(response)]() mutable { d->Complete(call, std::move(r), ok); });
}

// ---- Dispatcher ----

Dispatcher::Dispatcher(DispatcherHooks hooks) : hooks_(std::move(hooks)) {}

Dispatcher::~Dispatcher() = default;

void Dispatcher::AddMethod(const std::string& name, Handler handler) { methods_[name] = std::move(handler); }

void Dispatcher::AddNotification(const std::string& name, NotificationHandler handler) {
  notifications_[name] = std::move(handler);
}

void Dispatcher::Post(std::function<void()> task) {
  if (hooks_.post) {
    hooks_.post(std::move(task));
  } else {
    task();
  }
}

void Dispatcher::Log(const std::string& message) {
  if (hooks_.log) hooks_.log(message);
}

void Dispatcher::Notify(const std::string& method, Json params) {
  std::string text = DumpJson(Notification(method, std::move(params)));
  Post([this, t = std::move(text)]() mutable {
    if (!exited_) hooks_.send(std::move(t));
  });
}

void Dispatcher::OnFramingError(const std::string& what) {
  Log("framing error: " + what);
  hooks_.send(DumpJson(ErrorResponse(nullptr, RpcError(code::kInvalidRequest, "invalid message: " + what))));
}

void Dispatcher::OnEof() {
  if (exited_) return;
  Log("end of input");
  exited_ = true;
  CancelAll();
  if (hooks_.exit) hooks_.exit(state_ == State::kShutdown ? 0 : 1);
}

void Dispatcher::CancelAll() {
  for (auto& [key, call] : pending_) call->cancelled->store(true);
}

void Dispatcher::OnMessage(std::string_view body) {
  if (exited_) return;
  Json value;
  std::vector<std::string> id_tokens;  // number ids as written (only when Json would change them)
  if (auto err = ParseBody(body, &value, &id_tokens)) {
    Log(err->message);
    hooks_.send(DumpJson(ErrorResponse(nullptr, *err)));
    return;
  }
  Sink send = hooks_.send;
  if (!value.is_array()) {
    HandleValue(value, id_tokens.empty() ? std::string() : id_tokens[0], send, nullptr);
    return;
  }
  if (value.empty()) {
    send(DumpJson(ErrorResponse(nullptr, RpcError(code::kInvalidRequest, "invalid request: empty batch"))));
    return;
  }
  auto batch = std::make_shared<Batch>();
  batch->send = send;
  for (size_t i = 0; i < value.size(); ++i) {
    if (exited_) break;
    HandleValue(value[i], i < id_tokens.size() ? id_tokens[i] : std::string(), send, batch);
  }
  batch->sealed = true;
  batch->MaybeFlush();
}

void Dispatcher::HandleValue(const Json& value, const std::string& id_token, const Sink& send,
                             const std::shared_ptr<Batch>& batch) {
  Message m = Classify(value, id_token);
  Sink sink = send;
  if (batch) {
    sink = [batch](std::string response) {
      batch->parts.push_back(std::move(response));
      --batch->outstanding;
      batch->MaybeFlush();
    };
  }
  switch (m.kind) {
    case Message::Kind::kInvalid:
      Log(m.error->message);
      if (batch) ++batch->outstanding;
      sink(ErrorResponseText(m.id_text, *m.error));
      return;
    case Message::Kind::kResponse:
      Log("ignoring a response from the client (id " + DumpJson(m.id) + ")");
      return;
    case Message::Kind::kNotification:
      HandleNotification(m);
      return;
    case Message::Kind::kRequest:
      if (batch) ++batch->outstanding;
      HandleRequest(std::move(m), sink);
      return;
  }
}

void Dispatcher::HandleNotification(const Message& m) {
  if (m.method == "exit") {
    if (exited_) return;
    exited_ = true;
    CancelAll();
    if (hooks_.exit) hooks_.exit(state_ == State::kShutdown ? 0 : 1);
    return;
  }
  if (!initialized()) {
    Log("dropping notification before initialize: " + m.method);
    return;
  }
  if (m.method == "$/cancelRequest") {
    if (m.params.is_object()) {
      auto id = m.params.find("id");
      if (id != m.params.end() && IsValidId(*id)) {
        auto range = pending_.equal_range(DumpJson(*id));
        for (auto it = range.first; it != range.second; ++it) it->second->cancelled->store(true);
        if (range.first == range.second) Log("cancel: no pending request " + DumpJson(*id));
        return;
      }
    }
    Log("ignoring malformed $/cancelRequest");
    return;
  }
  auto it = notifications_.find(m.method);
  if (it == notifications_.end()) {
    if (m.method != "initialized" && m.method.rfind("$/", 0) != 0) Log("ignoring unknown notification " + m.method);
    return;
  }
  try {
    it->second(m.params);
  } catch (const std::exception& e) {
    Log("notification " + m.method + " failed: " + e.what());
  } catch (...) {
    Log("notification " + m.method + " failed");
  }
}

void Dispatcher::HandleRequest(Message m, const Sink& sink) {
  auto fail = [&](const RpcError& e) { sink(ErrorResponseText(m.id_text, e)); };
  const bool is_initialize = m.method == "initialize";
  const bool is_shutdown = m.method == "shutdown";
  if (is_initialize) {
    if (state_ != State::kUninitialized) return fail(RpcError(code::kInvalidRequest, "server already initialized"));
  } else if (state_ == State::kUninitialized || state_ == State::kInitializing) {
    return fail(RpcError(code::kServerNotInitialized, "server not initialized: send initialize first"));
  } else if (state_ == State::kShutdown) {
    return fail(RpcError(code::kInvalidRequest, "server is shutting down"));
  }
  auto handler = methods_.find(m.method);
  if (handler == methods_.end() && !is_shutdown) {
    const std::string shown = CapEcho(m.method);
    return fail(RpcError(code::kMethodNotFound, "method not found: " + shown, Json{{"method", shown}}));
  }
  auto call = std::make_shared<PendingCall>();
  call->id = m.id;
  call->id_text = m.id_text;
  call->key = DumpJson(m.id);
  call->method = m.method;
  call->cancelled = std::make_shared<std::atomic<bool>>(false);
  call->sink = sink;
  if (pending_.count(call->key) > 0) Log("warning: duplicate request id " + call->key);
  pending_.emplace(call->key, call);

  CallContext ctx;
  ctx.id = m.id;
  ctx.method = m.method;
  ctx.cancelled = call->cancelled;
  if (progress_supported_ && m.params.is_object()) {
    auto token = m.params.find("workDoneToken");
    if (token != m.params.end() && IsValidId(*token)) {
      ctx.progress.dispatcher_ = this;
      ctx.progress.token = *token;
    }
  }
  if (is_initialize) state_ = State::kInitializing;
  if (is_shutdown) {
    state_ = State::kShutdown;
    if (handler == methods_.end()) {
      Reply(this, call).Ok(nullptr);
      return;
    }
  }
  try {
    handler->second(m.params, Reply(this, call), ctx);
  } catch (const std::exception& e) {
    Log("handler " + m.method + " threw: " + e.what());
  } catch (...) {
    Log("handler " + m.method + " threw");
  }
}

void Dispatcher::Complete(const std::shared_ptr<PendingCall>& call, std::string response, bool ok) {
  auto range = pending_.equal_range(call->key);
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second == call) {
      pending_.erase(it);
      break;
    }
  }
  if (call->method == "initialize" && state_ == State::kInitializing) {
    state_ = ok ? State::kRunning : State::kUninitialized;
  }
  if (exited_) return;
  call->sink(std::move(response));
}

}  // namespace sdndb::rpc
