// Unit tests of the pieces behind `sdndb serve` that need no server process: the wire
// serialisers, the core query and catalog resolution used by the handlers, and the Status ->
// JSON-RPC error mapping fed with real core errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/db/record_json.h"
#include "server/rpc/json.h"
#include "server/serve/wire.h"

using namespace sdndb;

namespace {

RecordData Tricky() {
  RecordData r;
  r.id = "a\"b\\c";
  r.version = 9223372036854775807;
  r.modified = "2026-11-26T07:15:30.123Z";
  r.line = 42;
  r.fields = {{"id", r.id},
              {"zeta", "control \x01\x1f\b\f\n\r\t end"},
              {"alpha", "unicode \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 del \x7f slash /"},
              {"quote\"key", std::string("nul \0 inside", 12)},
              {"empty", ""},
              {"", "empty column name"}};
  return r;
}

}  // namespace

TEST_CASE("AppendRecordJson is byte for byte RecordToJson(r).dump(), fields in column order") {
  std::vector<RecordData> records = {RecordData{}, Tricky()};
  records[0].id = "1";
  for (const RecordData& r : records) {
    CAPTURE(r.id);
    std::string fast;
    serve::AppendRecordJson(&fast, r);
    CHECK(fast == RecordToJson(r).dump());
    CHECK(fast == rpc::DumpJson(RecordToJson(r)));
  }
  std::string fast;
  serve::AppendRecordJson(&fast, Tricky());
  CHECK(fast.find("\"zeta\"") < fast.find("\"alpha\""));  // column order, not sorted
}

TEST_CASE("AppendRecordJson replaces invalid UTF-8 like DumpJson") {
  RecordData r;
  r.id = "x";
  r.fields = {{"id", "x"}, {"bad", "a\xff" "b"}, {"lone", "\xC3"}, {"surrogate", "\xED\xA0\x80"}};
  std::string fast;
  serve::AppendRecordJson(&fast, r);
  CHECK(fast == rpc::DumpJson(RecordToJson(r)));
  CHECK(nlohmann::json::parse(fast)["fields"]["bad"] == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("AllStrategies walks the enum through StrategyName") {
  std::vector<std::string> names;
  for (Strategy s : serve::AllStrategies()) names.push_back(StrategyName(s));
  CHECK(names == std::vector<std::string>{"error", "last-write-wins", "last-modified-wins", "merge"});
}
