#include "server/serve/status_map.h"

#include <cstdlib>

#include "core/io/file_lock.h"
#include "server/serve/wire.h"

namespace sdndb::serve {

namespace {

using rpc::Json;
using rpc::RpcError;
namespace code = rpc::code;

// The first 'quoted' word after `marker` in `message`, or "".
std::string QuotedAfter(const std::string& message, const std::string& marker) {
  size_t at = message.find(marker);
  if (at == std::string::npos) return "";
  size_t open = at + marker.size();
  size_t close = message.find('\'', open);
  if (close == std::string::npos) return "";
  return message.substr(open, close - open);
}

// "file:line:col: what" -> parts (best effort).
Json ParseLocation(const std::string& message, const std::string& fallback_file) {
  Json data = {{"file", fallback_file}, {"line", 0}, {"column", 0}};
  size_t c1 = message.find(':');
  if (c1 == std::string::npos) return data;
  size_t c2 = message.find(':', c1 + 1);
  if (c2 == std::string::npos) return data;
  size_t c3 = message.find(':', c2 + 1);
  if (c3 == std::string::npos) return data;
  std::string line = message.substr(c1 + 1, c2 - c1 - 1);
  std::string column = message.substr(c2 + 1, c3 - c2 - 1);
  auto all_digits = [](const std::string& s) {
    return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!all_digits(line) || !all_digits(column)) return data;
  data["file"] = message.substr(0, c1);
  data["line"] = std::atoi(line.c_str());
  data["column"] = std::atoi(column.c_str());
  return data;
}

// The file an I/O error is about: a database's lock files are named when the message says that
// one of them failed (a full disk may refuse the lock file rather than the database).
std::string FailedPath(const std::string& message, const std::string& db_path) {
  if (db_path.empty()) return db_path;
  for (const std::string& lock : {FileLock::LockPathFor(db_path), db_path + ".lock"}) {
    const size_t at = message.find(lock);
    if (at == std::string::npos) continue;
    // The whole name, not a prefix of a longer one (".lock" vs ".lock.sdndb-new").
    const size_t end = at + lock.size();
    if (end == message.size() || message[end] == ':' || message[end] == ' ') return lock;
  }
  return db_path;
}

}  // namespace

RpcError ErrorFromStatus(const Status& status, const ErrorContext& ctx) {
  // Core messages may quote input (ids, field names, paths); data members are capped the same
  // way as the echoes in messages (CapEcho), the message as a whole by RpcError.
  const std::string& m = status.message();
  switch (status.code()) {
    case StatusCode::kOk:
      return RpcError(code::kInternalError, "internal error: OK status reported as an error");
    case StatusCode::kInvalidArgument: {
      std::string field = QuotedAfter(m, "field '");
      if (field.empty() && m.find("must carry the row's etag") != std::string::npos) {
        field = "base.etag";
      } else if (field.empty() && (m.find("record '") != std::string::npos || m.find("the id") != std::string::npos)) {
        field = "id";
      }
      return RpcError(code::kValidation, m, Json{{"field", CapEcho(field)}});
    }
    case StatusCode::kParseError:
    case StatusCode::kCorruption:
      return RpcError(code::kMalformedDatabase, m, ParseLocation(m, ctx.path));
    case StatusCode::kNotFound: {
      std::string kind = ctx.kind.empty() ? "database" : ctx.kind;
      std::string name = ctx.name.empty() ? ctx.database : ctx.name;
      if (m.rfind("no record '", 0) == 0) {
        kind = "record";
        name = QuotedAfter(m, "no record '");
      } else if (m.rfind("no conflict '", 0) == 0) {
        kind = "conflict";
        name = QuotedAfter(m, "no conflict '");
      } else if (m.find("no table '") != std::string::npos) {
        kind = "table";
        name = QuotedAfter(m, "no table '");
      }
      return RpcError(code::kNotFound, m, Json{{"kind", kind}, {"name", CapEcho(name)}});
    }
    case StatusCode::kConflict: {
      Json data = Json::object();
      data["record"] = ctx.current ? RecordToJson(*ctx.current) : Json(nullptr);
      data["fields"] = ctx.fields;
      return RpcError(code::kConflict, m, std::move(data));
    }
    case StatusCode::kLockTimeout:
    case StatusCode::kBusy: {
      // `holder` for humans; pid/host/program/since when sdndb's holder record names one.
      LockHolder h;
      const bool known = !ctx.path.empty() && FileLock::ReadHolder(ctx.path, &h);
      std::string holder = known ? FileLock::DescribeHolder(ctx.path) : "";
      Json data = Json{{"holder", holder.empty() ? m : holder}};
      if (known) {
        data["pid"] = h.pid;
        data["host"] = h.host;
        data["program"] = h.program;
        data["since"] = h.since_ms;
      }
      return RpcError(code::kLockTimeout, m, std::move(data));
    }
    case StatusCode::kIOError:
      return RpcError(code::kIOError, m, Json{{"path", FailedPath(m, ctx.path)}});
    case StatusCode::kCancelled:
      return RpcError(code::kRequestCancelled, "request cancelled: " + m);
    case StatusCode::kOutsideRoot:
      return RpcError(code::kOutsideWorkspace, m, Json{{"path", CapEcho(ctx.path)}});
  }
  return RpcError(code::kInternalError, "internal error: " + m);
}

RpcError CatalogError(const Status& status, const std::string& root) {
  switch (status.code()) {
    case StatusCode::kParseError:
    case StatusCode::kCorruption:
    case StatusCode::kInvalidArgument: {
      Json data = ParseLocation(status.message(), ".sdndb");
      data["file"] = ".sdndb";
      return RpcError(code::kMalformedDatabase, status.message(), std::move(data));
    }
    default:
      return ErrorFromStatus(status, ErrorContext{"", root + "/.sdndb"});
  }
}

RpcError OutsideWorkspace(const std::string& path) {
  const std::string shown = CapEcho(path);
  return RpcError(rpc::code::kOutsideWorkspace, "path is outside the workspace: " + shown, Json{{"path", shown}});
}

}  // namespace sdndb::serve
