// Bytes are bytes through the real server (docs/protocol.md, "The byte escape"): a value with
// invalid UTF-8 goes out as U+10FF80..U+10FFFF in JSON a strict decoder accepts, and whatever a
// client sends back with those code points lands in the file as the original bytes.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "tests/server/rpc_client.h"

using namespace sdndb::test;

namespace {

// The escape of one byte 0x80..0xFF: U+10FF00+B in UTF-8.
std::string Esc(unsigned char b) {
  return std::string("\xF4\x8F") + static_cast<char>(b < 0xC0 ? 0xBE : 0xBF) + static_cast<char>(0x80 | (b & 0x3F));
}

// Row 1: an invalid byte in a bare title, a truncated sequence in a quoted note; row k\xFF: an
// invalid byte in the key.
const std::string kBytesDb =
    "items |id, title, status, note|\n"
    "    1, caf\xFF bar, open, \"q \xC3\"\n"
    "    2, plain, open, x\n"
    "    k\xFF, key, open, y\n";

struct Fixture {
  std::string dir = MakeWorkspace(false);
  std::unique_ptr<ServerProcess> server;
  int next_id = 1;
  Fixture() {
    WriteFile(Path(), kBytesDb);
    server = std::make_unique<ServerProcess>(std::vector<std::string>{"--dir", dir});
    REQUIRE(server->Initialize({{"rootPath", dir}}).contains("result"));
  }
  std::string Path() const { return dir + "/bytes_db.sdn"; }
  std::string File() const { return ReadFile(Path()); }
  Json Call(const std::string& method, Json params) {
    params["database"] = "bytes_db.sdn";
    Json r = server->Call(next_id++, method, params);
    // Json::parse in the client is strict (invalid UTF-8, lone surrogates throw): reaching here
    // means the body was acceptable; check it once more on the raw text.
    CHECK(Json::accept(server->last_body()));
    return r;
  }
  Json Get(const std::string& id) { return Call("sdndb/get", {{"id", id}})["result"]["record"]; }
};

int Code(const Json& r) { return r.contains("error") ? r["error"]["code"].get<int>() : 0; }

const std::string kTitle = "caf" + Esc(0xFF) + " bar";  // row 1's title as JSON carries it
const std::string kNote = "q " + Esc(0xC3);

}  // namespace

TEST_CASE("list and get carry invalid bytes as U+10FFxx, in values and ids; where/get match them") {
  Fixture f;
  Json list = f.Call("sdndb/list", Json::object());
  REQUIRE(list.contains("result"));
  const Json& records = list["result"]["records"];
  REQUIRE(records.size() == 3);
  CHECK(records[0]["fields"]["title"] == kTitle);
  CHECK(records[0]["fields"]["note"] == kNote);
  CHECK(records[2]["id"] == "k" + Esc(0xFF));
  CHECK(f.server->last_body().find("\xF4\x8F\xBF\xBF") != std::string::npos);  // raw UTF-8, not U+FFFD
  CHECK(f.server->last_body().find("\xEF\xBF\xBD") == std::string::npos);
  CHECK(f.Get("1")["fields"]["title"] == kTitle);
  // An id and a filter value sent with escapes address the bytes in the file.
  CHECK(f.Get("k" + Esc(0xFF))["fields"]["title"] == "key");
  Json where = f.Call("sdndb/list", {{"where", {{"title", kTitle}}}});
  REQUIRE(where["result"]["records"].size() == 1);
  CHECK(where["result"]["records"][0]["id"] == "1");
  // The same code point spelled as a surrogate pair \udbff\udfff is the same value.
  std::string body = "{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"sdndb/list\",\"params\":{\"database\":\"bytes_db.sdn\","
                     "\"where\":{\"title\":\"caf\\udbff\\udfff bar\"}}}";
  REQUIRE(f.server->SendRaw(Frame(body)));
  auto r = f.server->WaitResponse(99);
  REQUIRE(r.has_value());
  CHECK((*r)["result"]["total"] == 1);
  // A string request id holding a reserved code point comes back as sent.
  body = "{\"jsonrpc\":\"2.0\",\"id\":\"q\xF4\x8F\xBF\xBF\",\"method\":\"sdndb/get\",\"params\":{\"database\":\"bytes_db.sdn\","
         "\"id\":\"2\"}}";
  REQUIRE(f.server->SendRaw(Frame(body)));
  auto q = f.server->WaitResponse("q\xF4\x8F\xBF\xBF");
  REQUIRE(q.has_value());
  CHECK(f.server->last_body().find("\"id\":\"q\xF4\x8F\xBF\xBF\"") != std::string::npos);
  CHECK((*q)["result"]["record"]["id"] == "2");
}

TEST_CASE("a value sent back unchanged next to a change of another field keeps its bytes") {
  Fixture f;
  Json held = f.Get("1");
  Json changes = held["fields"];  // everything as received, title and note included
  changes.erase("id");
  changes["status"] = "closed";
  Json r = f.Call("sdndb/edit", {{"id", "1"}, {"changes", changes}, {"base", {{"etag", held["etag"]}, {"fields", held["fields"]}}}});
  REQUIRE_MESSAGE(r.contains("result"), r.dump());
  CHECK(r["result"]["outcome"] == "applied");
  const std::string after = f.File();
  CHECK(after.find("    1, caf\xFF bar, closed, \"q \xC3\"\n") != std::string::npos);
  CHECK(after.find("    2, plain, open, x\n    k\xFF, key, open, y\n") != std::string::npos);
  // The same through sdndb/apply (what the editors' save sends), on the row with the escaped key.
  Json held_k = f.Get("k" + Esc(0xFF));
  Json fields = held_k["fields"];
  fields.erase("id");
  fields["status"] = "done";
  Json a = f.Call("sdndb/apply", {{"edits", Json::array({{{"id", held_k["id"]}, {"changes", fields},
                                                          {"base", {{"etag", held_k["etag"]}}}}})}});
  REQUIRE_MESSAGE(a.contains("result"), a.dump());
  CHECK(a["result"]["edits"][0]["outcome"] == "applied");
  CHECK(f.File().find("    k\xFF, key, done, y\n") != std::string::npos);
  CHECK(f.File().find("\xEF\xBF\xBD") == std::string::npos);
}

TEST_CASE("a new value with escapes lands in the file as raw bytes; a genuine U+10FFxx cannot be stored") {
  Fixture f;
  Json r = f.Call("sdndb/edit", {{"id", "2"}, {"changes", {{"title", "new " + Esc(0xFE) + Esc(0x80) + " end"}}}});
  REQUIRE_MESSAGE(r.contains("result"), r.dump());
  CHECK(r["result"]["record"]["fields"]["title"] == "new " + Esc(0xFE) + Esc(0x80) + " end");
  CHECK(f.File().find("new \xFE\x80 end") != std::string::npos);
  // Created the same way.
  Json c = f.Call("sdndb/create", {{"fields", {{"id", "3"}, {"title", "t" + Esc(0xC0)}}}});
  REQUIRE_MESSAGE(c.contains("result"), c.dump());
  CHECK(f.File().find("t\xC0") != std::string::npos);
  CHECK(f.Get("3")["fields"]["title"] == "t" + Esc(0xC0));
  // Escapes that spell a valid character give that character (the reserved range is the protocol's).
  REQUIRE(f.Call("sdndb/edit", {{"id", "2"}, {"changes", {{"note", Esc(0xC3) + Esc(0xA9)}}}}).contains("result"));
  CHECK(f.Get("2")["fields"]["note"] == "\xC3\xA9");
  // A NUL is still refused after decoding.
  Json nul = f.Call("sdndb/edit", {{"id", "2"}, {"changes", {{"note", std::string("a\0", 2) + Esc(0xFF)}}}});
  CHECK(Code(nul) == -32602);
}

TEST_CASE("conflicts over values with invalid bytes: Keep Mine / Keep Theirs keep them") {
  Fixture f;
  SUBCASE("field conflict, both choices") {
    for (const char* choice : {"ours", "theirs"}) {
      CAPTURE(choice);
      Json held = f.Get("1");
      REQUIRE(f.Call("sdndb/edit", {{"id", "1"}, {"changes", {{"title", "theirs " + Esc(0xFE)}}}}).contains("result"));
      Json c = f.Call("sdndb/edit", {{"id", "1"},
                                      {"changes", {{"title", "mine " + Esc(0xFD)}}},
                                      {"base", {{"etag", held["etag"]}, {"fields", held["fields"]}}},
                                      {"strategy", "merge"}});
      REQUIRE_MESSAGE(c.contains("result"), c.dump());
      REQUIRE(c["result"]["outcome"] == "conflict");
      const Json conflict = c["result"]["conflicts"][0];
      CHECK(conflict["ours"] == "mine " + Esc(0xFD));
      CHECK(conflict["theirs"] == "theirs " + Esc(0xFE));
      CHECK(conflict["base"] == kTitle);
      Json resolved = f.Call("sdndb/resolve", {{"conflict", conflict["id"]}, {"choice", choice}});
      REQUIRE_MESSAGE(resolved.contains("result"), resolved.dump());
      const std::string want = std::string(choice) == "ours" ? "\"mine \xFD\"" : "\"theirs \xFE\"";
      CHECK_MESSAGE(f.File().find("    1, " + want + ",") != std::string::npos, f.File());
      // Back to the original title for the next round.
      REQUIRE(f.Call("sdndb/edit", {{"id", "1"}, {"changes", {{"title", kTitle}}}}).contains("result"));
      CHECK(f.File().find("    1, \"caf\xFF bar\", open,") != std::string::npos);  // rewritten canonically
    }
  }
  SUBCASE("whole-record conflict: edited after a delete, Keep Mine restores the bytes") {
    Json held = f.Get("1");
    REQUIRE(f.Call("sdndb/delete", {{"id", "1"}, {"baseEtag", held["etag"]}}).contains("result"));
    CHECK(f.File().find("caf\xFF") == std::string::npos);
    Json c = f.Call("sdndb/edit", {{"id", "1"},
                                    {"changes", {{"status", "closed"}}},
                                    {"base", {{"etag", held["etag"]}, {"fields", held["fields"]}}},
                                    {"strategy", "merge"}});
    REQUIRE_MESSAGE(c.contains("result"), c.dump());
    REQUIRE(c["result"]["outcome"] == "conflict");
    const Json conflict = c["result"]["conflicts"][0];
    CHECK(conflict["field"] == "*");
    CHECK(conflict["oursFields"]["title"] == kTitle);
    CHECK(conflict["oursFields"]["note"] == kNote);
    CHECK(Json::parse(conflict["ours"].get<std::string>())["title"] == kTitle);  // the text form agrees
    // Stored in the file as valid UTF-8 (the escape), not U+FFFD.
    CHECK(f.File().find("\xEF\xBF\xBD") == std::string::npos);
    Json resolved = f.Call("sdndb/resolve", {{"conflict", conflict["id"]}, {"choice", "ours"}});
    REQUIRE_MESSAGE(resolved.contains("result"), resolved.dump());
    CHECK(resolved["result"]["record"]["fields"]["title"] == kTitle);
    const std::string after = f.File();
    CHECK(after.find("caf\xFF bar") != std::string::npos);
    CHECK(after.find("q \xC3") != std::string::npos);
  }
  SUBCASE("whole-record conflict: a stale delete after an edit, theirs carries the bytes") {
    Json held = f.Get("1");
    REQUIRE(f.Call("sdndb/edit", {{"id", "1"}, {"changes", {{"status", "closed"}}}}).contains("result"));
    Json c = f.Call("sdndb/delete", {{"id", "1"}, {"baseEtag", held["etag"]}, {"strategy", "merge"}});
    REQUIRE_MESSAGE(c.contains("result"), c.dump());
    REQUIRE(c["result"]["outcome"] == "conflict");
    const Json conflict = c["result"]["conflicts"][0];
    CHECK(conflict["deletedBy"] == "ours");
    CHECK(conflict["theirsFields"]["title"] == kTitle);
    Json resolved = f.Call("sdndb/resolve", {{"conflict", conflict["id"]}, {"choice", "theirs"}});
    REQUIRE_MESSAGE(resolved.contains("result"), resolved.dump());
    CHECK(f.File().find("    1, caf\xFF bar, closed, \"q \xC3\"") != std::string::npos);
  }
}
