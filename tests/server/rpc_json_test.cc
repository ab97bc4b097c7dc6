// AppendJsonString / JsonNestingDepth: the hand-written serialiser always yields valid JSON.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "server/rpc/json.h"
#include "server/rpc/message.h"

using namespace sdndb::rpc;

namespace {
std::string Quote(const std::string& s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}
}  // namespace

TEST_CASE("escapes and round-trips through a JSON parser") {
  for (std::string s : {std::string("plain"), std::string("quote \" backslash \\ slash /"),
                        std::string("ctl \n\r\t\b\f \x01 \x1f end"), std::string("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"),
                        std::string("nul \0 inside", 13), std::string()}) {
    CAPTURE(s);
    Json j = Json::parse(Quote(s));
    CHECK(j.get<std::string>() == s);
    CHECK(Quote(s) == Json(s).dump());
  }
}

TEST_CASE("invalid UTF-8 travels as the byte escape: parseable, and ParseBody maps it back in params") {
  for (std::string s : {std::string("\xff"), std::string("a\xC0\xAF" "b"), std::string("\xED\xA0\x80"),
                        std::string("\xF4\x90\x80\x80"), std::string("\xE2\x82"), std::string("\xC3"),
                        std::string("\xF4\x8F\xBF\xBF")}) {
    CAPTURE(s);
    const std::string q = Quote(s);
    Json j = Json::parse(q);  // strict: throws on invalid UTF-8
    CHECK(j.get<std::string>() != s);
    CHECK(j.get<std::string>().find("\xF4\x8F") != std::string::npos);
    // Sent back as a param (key and value), the server sees the original bytes.
    Json message;
    REQUIRE_FALSE(ParseBody("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":{\"v\":" + q + ",\"k\":{" + q +
                                ":[" + q + "]}}}",
                            &message)
                      .has_value());
    CHECK(message["params"]["v"] == s);
    CHECK(message["params"]["k"].begin().key() == s);
    CHECK(message["params"]["k"].begin().value()[0] == s);
    // DumpJson writes the same escapes as the hand-written serialiser.
    CHECK(DumpJson(Json(s)) == q);
  }
  // A string id with an escape is decoded too, so that DumpJson (the response's id) gives it back
  // exactly as the client wrote it, whichever spelling it used.
  for (const char* spelled : {"\"r\\udbff\\udfff\"", "\"r\xF4\x8F\xBF\xBF\""}) {
    Json message;
    REQUIRE_FALSE(ParseBody(std::string("{\"jsonrpc\":\"2.0\",\"id\":") + spelled + ",\"method\":\"m\"}", &message)
                      .has_value());
    CHECK(message["id"] == "r\xFF");
    CHECK(DumpJson(message["id"]) == "\"r\xF4\x8F\xBF\xBF\"");
  }
}

TEST_CASE("nesting depth ignores brackets inside strings") {
  CHECK(JsonNestingDepth("[[{}]]") == 3);
  CHECK(JsonNestingDepth("\"[[[[\"") == 0);
  CHECK(JsonNestingDepth("[\"\\\"[[\"]") == 1);
  CHECK(JsonNestingDepth("]]]]") == 0);
}

TEST_CASE("ParseBody: many members parse in near-linear time; last duplicate wins; keys sorted") {
  std::string body = "{";
  const int n = 300000;
  for (int i = 0; i < n; ++i) body += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  body += "\"k7\":-1}";
  Json j;
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE_FALSE(ParseBody(body, &j).has_value());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  // Printed, not asserted (no wall-clock thresholds in tests): a quadratic insert would take
  // minutes and run into ctest's timeout.
  MESSAGE("parsed " << n << " members in " << ms << " ms");
  CHECK(j.size() == static_cast<size_t>(n));
  CHECK(j["k7"] == -1);
  CHECK(j.begin().key() == "k0");
  CHECK((++j.begin()).key() == "k1");
  CHECK((++++j.begin()).key() == "k10");
}

TEST_CASE("DumpJson keeps member order (rpc::Json is ordered)") {
  Json j = Json::object();
  j["zeta"] = 1;
  j["alpha"] = 2;
  CHECK(DumpJson(j) == "{\"zeta\":1,\"alpha\":2}");
}
