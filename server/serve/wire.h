// Wire structs of the sdndb JSON-RPC methods (docs/protocol.md) with paired conversions:
//   * params:  std::optional<rpc::RpcError> FromJson(const Json&, XParams*)  — validation with
//              -32602 naming the offending field; never throws;
//   * results: DatabaseToJson, and AppendRecordJson (the hot path of sdndb/list); records and
//              conflicts are core/db/record_json.h's RecordToJson/ConflictToJson (rpc::Json is
//              the same ordered_json type).
// Nothing here touches the file system or the stores.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/catalog.h"
#include "core/db/record.h"
#include "core/db/record_json.h"
#include "core/db/store.h"
#include "server/rpc/error.h"
#include "server/rpc/json.h"

namespace sdndb::serve {

using rpc::Json;
using rpc::RpcError;
using Fields = std::vector<std::pair<std::string, std::string>>;

struct InitializeParams {
  std::optional<std::string> root;         // rootPath, else the path of a file:// rootUri
  std::string root_member;                  // "rootPath" or "rootUri": which one gave `root`
  std::string client_name;                  // clientInfo.name ("" if absent)
  std::string client_version;
  bool work_done_progress = false;          // capabilities.window.workDoneProgress
  std::optional<Strategy> strategy;         // initializationOptions.strategy
  std::optional<int64_t> lock_timeout_ms;   // initializationOptions.lockTimeoutMs
};

struct ListParams {
  std::string database;
  std::optional<std::string> table;  // else the records table, or NAME.TABLE in `database`
  Fields where;                        // field == value, all must hold
  std::optional<std::string> sort;
  bool descending = false;
  int64_t offset = 0;
  std::optional<int64_t> limit;
};

struct GetParams {
  std::string database;
  std::optional<std::string> table;  // else the records table, or NAME.TABLE in `database`
  std::string id;
};

struct CreateParams {
  std::string database;
  std::optional<std::string> table;  // else the records table, or NAME.TABLE in `database`
  Fields fields;
};

struct EditParams {
  std::string database;
  std::optional<std::string> table;  // else the records table, or NAME.TABLE in `database`
  std::string id;
  Fields changes;
  std::optional<EditBase> base;
  std::optional<Strategy> strategy;
};

struct DeleteParams {
  std::string database;
  std::optional<std::string> table;  // else the records table, or NAME.TABLE in `database`
  std::string id;
  std::optional<int64_t> base_version;
  std::string base_etag;
  std::optional<Strategy> strategy;
};

struct ConflictsParams {
  std::optional<std::string> database;
};

// sdndb/apply: every item in one transaction (Store::Apply).
struct ApplyParams {
  std::string database;
  std::optional<std::string> table;
  std::optional<Strategy> strategy;   // for items without their own
  std::vector<EditRequest> edits;     // {id, changes, base?, strategy?}
  std::vector<FieldList> creates;     // {fields}
  std::vector<DeleteRequest> deletes; // {id, baseVersion?, baseEtag?, strategy?}
};

struct ResolveParams {
  std::optional<std::string> database;
  std::string conflict;
  Resolution choice = Resolution::kOurs;
  std::string value;
};

std::optional<RpcError> FromJson(const Json& params, InitializeParams* out);
std::optional<RpcError> FromJson(const Json& params, ListParams* out);
std::optional<RpcError> FromJson(const Json& params, GetParams* out);
std::optional<RpcError> FromJson(const Json& params, CreateParams* out);
std::optional<RpcError> FromJson(const Json& params, EditParams* out);
std::optional<RpcError> FromJson(const Json& params, DeleteParams* out);
std::optional<RpcError> FromJson(const Json& params, ConflictsParams* out);
std::optional<RpcError> FromJson(const Json& params, ResolveParams* out);
std::optional<RpcError> FromJson(const Json& params, ApplyParams* out);

// RecordToJson(record) serialised by hand, byte for byte the same as DumpJson(RecordToJson(r))
// (fields in column order): the hot path of sdndb/list.
void AppendRecordJson(std::string* out, const RecordData& record);
// [{table, line, column, message}] of the malformed rows/blocks of a file (kept, not read).
Json ProblemsToJson(const std::vector<sdn::Problem>& problems);
// Database = {"name","path","table","columns","idColumn","count","conflicts","strategy",
// "versioned","tables"} and, when the file has malformed rows/blocks, "problems"; idColumn is
// Snapshot::id_column; tables = [TableToJson].
Json DatabaseToJson(const DatabaseEntry& entry, const Snapshot& snapshot);

// Table = {"name","columns","idColumn","count","versioned","default","problems":[{kind,message,lines}]}
Json TableToJson(const TableInfo& table);

// Every Strategy, in enum order (for the `strategies` capability).
std::vector<Strategy> AllStrategies();

// "file:///a/b%20c" -> "/a/b c"; nullopt for other schemes or bad escapes.
std::optional<std::string> PathFromFileUri(const std::string& uri);

}  // namespace sdndb::serve
