// The ONE place where core Status codes become JSON-RPC errors (docs/protocol.md, "Errors").
#pragma once

#include <optional>
#include <string>

#include "core/db/record.h"
#include "core/status.h"
#include "server/rpc/error.h"

namespace sdndb::serve {

// What the handler knows about the failed operation, used to fill `data`.
struct ErrorContext {
  std::string database;       // database name
  std::string path;           // database file
  std::string kind;           // default NotFound kind: "database", "record" or "conflict"
  std::string name;           // default NotFound name (record id, conflict id, ...)
  std::optional<RecordData> current;  // current record, for conflicts
  std::vector<std::string> fields;    // conflicting fields, for conflicts
};

// kInvalidArgument -> -32013 {field}       kParseError/kCorruption -> -32015 {file,line,column}
// kNotFound        -> -32012 {kind,name}   kConflict               -> -32010 {record,fields}
// kLockTimeout/kBusy -> -32011 {holder, pid?, host?, program?, since?}
// kIOError         -> -32014 {path}: the database, or its lock file when that one failed
// kCancelled       -> -32800               kOutsideRoot            -> -32016 {path}: the file
// anything else    -> -32603
rpc::RpcError ErrorFromStatus(const Status& status, const ErrorContext& context);

// The error of loading the catalog of `root` (Catalog::Load; NotFound is the caller's): a
// malformed `.sdndb` (ParseError, Corruption, InvalidArgument) is -32015 {file: ".sdndb",
// line, column}; the rest as ErrorFromStatus with path `<root>/.sdndb`.
rpc::RpcError CatalogError(const Status& status, const std::string& root);

// -32016 {path}: a path outside the workspace root.
rpc::RpcError OutsideWorkspace(const std::string& path);

}  // namespace sdndb::serve
