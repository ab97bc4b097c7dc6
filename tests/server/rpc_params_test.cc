// ParamReader: typed params with errors naming the field.
#include <doctest/doctest.h>

#include "server/rpc/params.h"

using namespace sdndb::rpc;

TEST_CASE("required and optional fields") {
  Json p = Json::parse(R"({"database":"todo","limit":5,"flag":true,"changes":{"a":"1","b":"2"}})");
  ParamReader r(p);
  std::string db;
  std::optional<int64_t> limit, offset;
  std::optional<bool> flag;
  std::vector<std::pair<std::string, std::string>> changes;
  r.RequiredString("database", &db);
  r.OptionalInt("limit", &limit, 0, 100);
  r.OptionalInt("offset", &offset, 0, 100);
  r.OptionalBool("flag", &flag);
  r.RequiredStringMap("changes", &changes);
  REQUIRE(r.ok());
  CHECK(db == "todo");
  CHECK(*limit == 5);
  CHECK_FALSE(offset.has_value());
  CHECK(*flag);
  CHECK(changes.size() == 2);
}

TEST_CASE("errors name the offending field") {
  auto field_of = [](const char* json, auto&& read) {
    Json p = Json::parse(json);
    ParamReader r(p);
    read(r);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == -32602);
    return r.error().data["field"].get<std::string>();
  };
  std::string s;
  std::optional<int64_t> i;
  std::vector<std::pair<std::string, std::string>> m;
  CHECK(field_of("{}", [&](ParamReader& r) { r.RequiredString("database", &s); }) == "database");
  CHECK(field_of(R"({"database":5})", [&](ParamReader& r) { r.RequiredString("database", &s); }) == "database");
  CHECK(field_of(R"({"limit":1.5})", [&](ParamReader& r) { r.OptionalInt("limit", &i, 0, 10); }) == "limit");
  CHECK(field_of(R"({"limit":1e300})", [&](ParamReader& r) { r.OptionalInt("limit", &i, 0, 10); }) == "limit");
  CHECK(field_of(R"({"limit":18446744073709551615})", [&](ParamReader& r) { r.OptionalInt("limit", &i, 0, 10); }) ==
        "limit");
  CHECK(field_of(R"({"limit":-1})", [&](ParamReader& r) { r.OptionalInt("limit", &i, 0, 10); }) == "limit");
  CHECK(field_of(R"({"limit":"3"})", [&](ParamReader& r) { r.OptionalInt("limit", &i, 0, 10); }) == "limit");
  CHECK(field_of(R"({"changes":{"status":1}})", [&](ParamReader& r) { r.RequiredStringMap("changes", &m); }) ==
        "changes.status");
  CHECK(field_of(R"([1,2])", [&](ParamReader& r) { r.RequiredString("database", &s); }) == "params");
  Json p = Json::parse(R"({"version":"x"})");
  ParamReader nested(p, "base.");
  int64_t v = 0;
  nested.RequiredInt("version", &v, 0, 100);
  CHECK(nested.error().data["field"] == "base.version");
}

TEST_CASE("3.0 is an integer; null means absent") {
  Json p = Json::parse(R"({"limit":3.0,"offset":null})");
  ParamReader r(p);
  std::optional<int64_t> limit, offset;
  r.OptionalInt("limit", &limit, 0, 10);
  r.OptionalInt("offset", &offset, 0, 10);
  REQUIRE(r.ok());
  CHECK(*limit == 3);
  CHECK_FALSE(offset.has_value());
}
