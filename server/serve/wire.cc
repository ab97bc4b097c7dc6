#include "server/serve/wire.h"

#include <limits>

#include "server/rpc/params.h"

namespace sdndb::serve {

using rpc::ParamReader;

namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

std::optional<RpcError> Done(const ParamReader& p) {
  if (p.ok()) return std::nullopt;
  return p.error();
}

void ReadStrategy(ParamReader& p, const char* name, std::optional<Strategy>* out) {
  std::optional<std::string> s;
  p.OptionalString(name, &s);
  if (!p.ok() || !s) return;
  auto parsed = ParseStrategy(*s);
  if (!parsed.ok()) return p.Fail(name, parsed.status().message());
  *out = parsed.value();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `base`: {"version"?: int, "etag"?: string, "fields"?: {field: value}}; one of version/etag.
std::optional<RpcError> ReadBase(ParamReader& p, std::optional<EditBase>* out) {
  const Json* base = p.OptionalObject("base");
  if (!base) return std::nullopt;
  ParamReader b(*base, p.prefix() + "base.");
  EditBase eb;
  std::optional<int64_t> version;
  std::optional<std::string> etag;
  b.OptionalInt("version", &version, 0, kMaxInt);
  b.OptionalString("etag", &etag);
  if (b.ok() && !version && !etag) b.Fail("version", "required (or etag)");
  std::optional<Fields> fields;
  b.OptionalStringMap("fields", &fields);
  if (!b.ok()) return b.error();
  eb.version = version.value_or(0);
  eb.etag = etag.value_or("");
  if (fields) {
    for (auto& [k, v] : *fields) eb.fields[k] = v;
  }
  *out = std::move(eb);
  return std::nullopt;
}

void ReadDeleteBase(ParamReader& p, std::optional<int64_t>* version, std::string* etag) {
  p.OptionalInt("baseVersion", version, 0, kMaxInt);
  std::optional<std::string> e;
  p.OptionalString("baseEtag", &e);
  *etag = e.value_or("");
}

}  // namespace

std::vector<Strategy> AllStrategies() {
  // The enum's values are contiguous from kError; StrategyName maps anything past the last one
  // to "merge", which ends the walk.
  std::vector<Strategy> out;
  for (int i = static_cast<int>(Strategy::kError);; ++i) {
    const Strategy s = static_cast<Strategy>(i);
    auto parsed = ParseStrategy(StrategyName(s));
    if (!parsed.ok() || parsed.value() != s) break;
    out.push_back(s);
  }
  return out;
}

std::optional<std::string> PathFromFileUri(const std::string& uri) {
  static constexpr std::string_view kScheme = "file://";
  if (uri.compare(0, kScheme.size(), kScheme) != 0) return std::nullopt;
  std::string rest = uri.substr(kScheme.size());
  // Drop an authority ("file://localhost/x"); keep the path.
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return std::nullopt;
  rest = rest.substr(slash);
  std::string out;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%') {
      if (i + 2 >= rest.size()) return std::nullopt;
      int hi = HexValue(rest[i + 1]);
      int lo = HexValue(rest[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      char c = static_cast<char>(hi * 16 + lo);
      if (c == '\0') return std::nullopt;
      out += c;
      i += 2;
    } else {
      out += rest[i];
    }
  }
  return out;
}

std::optional<RpcError> FromJson(const Json& params, InitializeParams* out) {
  ParamReader p(params);
  std::optional<std::string> root_path, root_uri;
  p.OptionalString("rootPath", &root_path);
  p.OptionalString("rootUri", &root_uri);
  if (root_path) {
    out->root = *root_path;
    out->root_member = "rootPath";
  } else if (root_uri) {
    auto path = PathFromFileUri(*root_uri);
    if (!path) p.Fail("rootUri", "must be a file:// URI");
    out->root = path;
    out->root_member = "rootUri";
  }
  if (const Json* info = p.OptionalObject("clientInfo")) {
    ParamReader c(*info, "clientInfo.");
    std::optional<std::string> name, version;
    c.OptionalString("name", &name);
    c.OptionalString("version", &version);
    if (!c.ok()) return c.error();
    out->client_name = name.value_or("");
    out->client_version = version.value_or("");
  }
  if (const Json* caps = p.OptionalObject("capabilities")) {
    ParamReader c(*caps, "capabilities.");
    if (const Json* window = c.OptionalObject("window")) {
      ParamReader w(*window, "capabilities.window.");
      std::optional<bool> progress;
      w.OptionalBool("workDoneProgress", &progress);
      if (!w.ok()) return w.error();
      out->work_done_progress = progress.value_or(false);
    }
    if (!c.ok()) return c.error();
  }
  if (const Json* opts = p.OptionalObject("initializationOptions")) {
    ParamReader o(*opts, "initializationOptions.");
    ReadStrategy(o, "strategy", &out->strategy);
    o.OptionalInt("lockTimeoutMs", &out->lock_timeout_ms, 0, 24 * 3600 * 1000);
    if (!o.ok()) return o.error();
  }
  return Done(p);
}

std::optional<RpcError> FromJson(const Json& params, ListParams* out) {
  ParamReader p(params);
  p.RequiredString("database", &out->database);
  p.OptionalString("table", &out->table);
  std::optional<Fields> where;
  p.OptionalStringMap("where", &where);
  if (where) out->where = std::move(*where);
  p.OptionalString("sort", &out->sort);
  std::optional<bool> desc;
  p.OptionalBool("descending", &desc);
  out->descending = desc.value_or(false);
  std::optional<int64_t> offset;
  p.OptionalInt("offset", &offset, 0, kMaxInt);
  out->offset = offset.value_or(0);
  p.OptionalInt("limit", &out->limit, 0, kMaxInt);
  return Done(p);
}

std::optional<RpcError> FromJson(const Json& params, GetParams* out) {
  ParamReader p(params);
  p.RequiredString("database", &out->database);
  p.OptionalString("table", &out->table);
  p.RequiredString("id", &out->id);
  return Done(p);
}

std::optional<RpcError> FromJson(const Json& params, CreateParams* out) {
  ParamReader p(params);
  p.RequiredString("database", &out->database);
  p.OptionalString("table", &out->table);
  p.RequiredStringMap("fields", &out->fields);
  return Done(p);
}

std::optional<RpcError> FromJson(const Json& params, EditParams* out) {
  ParamReader p(params);
  p.RequiredString("database", &out->database);
  p.OptionalString("table", &out->table);
  p.RequiredString("id", &out->id);
  p.RequiredStringMap("changes", &out->changes);
  if (auto err = ReadBase(p, &out->base)) return err;
  ReadStrategy(p, "strategy", &out->strategy);
  return Done(p);
}

std::optional<RpcError> FromJson(const Json& params, DeleteParams* out) {
  ParamReader p(params);
  p.RequiredString("database", &out->database);
  p.OptionalString("table", &out->table);
  p.RequiredString("id", &out->id);
  ReadDeleteBase(p, &out->base_version, &out->base_etag);
  ReadStrategy(p, "strategy", &out->strategy);
  return Done(p);
}

std::optional<RpcError> FromJson(const Json& params, ConflictsParams* out) {
  ParamReader p(params);
  p.OptionalString("database", &out->database);
  return Done(p);
}

std::optional<RpcError> FromJson(const Json& params, ResolveParams* out) {
  ParamReader p(params);
  p.OptionalString("database", &out->database);
  p.RequiredString("conflict", &out->conflict);
  std::string choice;
  p.RequiredString("choice", &choice);
  if (p.ok()) {
    if (choice == "ours") {
      out->choice = Resolution::kOurs;
    } else if (choice == "theirs") {
      out->choice = Resolution::kTheirs;
    } else if (choice == "value") {
      out->choice = Resolution::kValue;
    } else {
      p.Fail("choice", "must be \"ours\", \"theirs\" or \"value\"");
    }
  }
  std::optional<std::string> value;
  p.OptionalString("value", &value);
  if (p.ok() && out->choice == Resolution::kValue && !value) p.Fail("value", "required when choice is \"value\"");
  out->value = value.value_or("");
  return Done(p);
}

std::optional<RpcError> FromJson(const Json& params, ApplyParams* out) {
  ParamReader p(params);
  p.RequiredString("database", &out->database);
  p.OptionalString("table", &out->table);
  ReadStrategy(p, "strategy", &out->strategy);
  auto items = [&p](const char* name, auto&& read) -> std::optional<RpcError> {
    const Json* list = p.OptionalArray(name);
    if (!list) return std::nullopt;
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string prefix = std::string(name) + "[" + std::to_string(i) + "].";
      if (!(*list)[i].is_object()) return rpc::InvalidParams(prefix.substr(0, prefix.size() - 1), "must be an object");
      ParamReader item((*list)[i], prefix);
      if (auto err = read(item)) return err;
      if (!item.ok()) return item.error();
    }
    return std::nullopt;
  };
  if (auto err = items("edits", [out](ParamReader& q) -> std::optional<RpcError> {
        EditRequest e;
        q.RequiredString("id", &e.id);
        q.RequiredStringMap("changes", &e.changes);
        if (auto bad = ReadBase(q, &e.base)) return bad;
        ReadStrategy(q, "strategy", &e.strategy);
        out->edits.push_back(std::move(e));
        return std::nullopt;
      }))
    return err;
  if (auto err = items("creates", [out](ParamReader& q) -> std::optional<RpcError> {
        Fields fields;
        q.RequiredStringMap("fields", &fields);
        out->creates.push_back(std::move(fields));
        return std::nullopt;
      }))
    return err;
  if (auto err = items("deletes", [out](ParamReader& q) -> std::optional<RpcError> {
        DeleteRequest d;
        q.RequiredString("id", &d.id);
        ReadDeleteBase(q, &d.base_version, &d.base_etag);
        ReadStrategy(q, "strategy", &d.strategy);
        out->deletes.push_back(std::move(d));
        return std::nullopt;
      }))
    return err;
  return Done(p);
}

void AppendRecordJson(std::string* out, const RecordData& record) {
  out->append("{\"id\":");
  rpc::AppendJsonString(out, record.id);
  out->append(",\"version\":").append(std::to_string(record.version));
  out->append(",\"modified\":");
  rpc::AppendJsonString(out, record.modified);
  out->append(",\"fields\":{");
  bool first = true;
  for (const auto& [k, v] : record.fields) {
    if (!first) out->push_back(',');
    first = false;
    rpc::AppendJsonString(out, k);
    out->push_back(':');
    rpc::AppendJsonString(out, v);
  }
  out->append("},\"line\":").append(std::to_string(record.line));
  out->append(",\"etag\":");
  rpc::AppendJsonString(out, record.etag);
  out->push_back('}');
}

Json TableToJson(const TableInfo& t) {
  Json problems = Json::array();
  for (const TableInfo::Problem& p : t.problems)
    problems.push_back(Json{{"kind", p.kind}, {"message", p.message}, {"lines", p.lines}});
  return Json{{"name", t.name},          {"columns", t.columns},     {"idColumn", t.key_column},
              {"count", t.rows},         {"versioned", t.versioned}, {"default", t.is_default},
              {"problems", std::move(problems)}};
}

Json ProblemsToJson(const std::vector<sdn::Problem>& problems) {
  Json out = Json::array();
  for (const auto& p : problems)
    out.push_back(Json{{"table", p.table}, {"line", p.line}, {"column", p.column}, {"message", p.message}});
  return out;
}

Json DatabaseToJson(const DatabaseEntry& entry, const Snapshot& snapshot) {
  // The store's key column (`id`, else the first column); "id" for an unreadable file.
  const std::string id_column = snapshot.id_column.empty() ? std::string("id") : snapshot.id_column;
  Json tables = Json::array();
  for (const TableInfo& t : snapshot.tables) tables.push_back(TableToJson(t));
  Json out{{"name", entry.name},
           {"path", entry.path},
           {"table", snapshot.table},
           {"columns", snapshot.columns},
           {"idColumn", id_column},
           {"count", snapshot.records.size()},
           {"conflicts", snapshot.conflicts.size()},
           {"strategy", StrategyName(entry.strategy)},
           {"versioned", snapshot.versioned},
           {"tables", std::move(tables)}};
  if (!snapshot.problems.empty()) out["problems"] = ProblemsToJson(snapshot.problems);
  return out;
}

}  // namespace sdndb::serve
