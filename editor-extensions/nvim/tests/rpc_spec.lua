-- Unit tests of the LSP framing (no server).
return function(T)
  local rpc = require("sdndb.rpc")

  T.test("framer splits messages across and within chunks", function()
    local f = rpc.new_framer()
    local a = rpc.encode({ jsonrpc = "2.0", id = 1, result = { text = "héllo │" } })
    local b = rpc.encode({ jsonrpc = "2.0", method = "sdndb/didChange", params = { database = "todo" } })
    local all = a .. b
    local got = {}
    for i = 1, #all, 7 do
      vim.list_extend(got, f.feed(all:sub(i, i + 6)))
    end
    T.eq(2, #got)
    T.eq("héllo │", vim.json.decode(got[1]).result.text)
    T.eq("todo", vim.json.decode(got[2]).params.database)
    local both = f.feed(a .. b)
    T.eq(2, #both)
  end)

  T.test("Content-Length counts bytes, headers are case-insensitive", function()
    local body = '{"jsonrpc":"2.0","id":2,"result":"ü"}'
    local f = rpc.new_framer()
    local got = f.feed("content-length: " .. #body .. "\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" .. body)
    T.eq({ body }, got)
    T.match(rpc.encode({ x = "ü" }), "^Content%-Length: 10\r\n\r\n")
  end)

  T.test("framer skips a header without Content-Length", function()
    local f = rpc.new_framer()
    local body = '{"jsonrpc":"2.0","id":3,"result":null}'
    local got = f.feed("X-Junk: 1\r\n\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body)
    T.eq({ body }, got)
  end)

  T.test("start reports a missing executable", function()
    local c, err = rpc.start("/nonexistent/sdndb-binary", { "serve" }, {})
    T.eq(nil, c)
    T.ok(type(err) == "string" and #err > 0)
  end)
end
