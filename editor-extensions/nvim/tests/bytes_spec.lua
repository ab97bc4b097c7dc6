-- Bytes are bytes (docs/sdn.md): a value with invalid UTF-8 reaches the buffers as the byte escape
-- U+10FF00+byte and goes back unchanged, so the file keeps the byte whatever the user edits.
return function(T)
  local H = dofile(T.plugin_dir .. "/tests/helpers.lua")(T)
  local start, open, write, row, cell, set_cell, line_of, lines =
    H.start, H.open, H.write, H.row, H.cell, H.set_cell, H.line_of, H.lines

  local FF = "\244\143\191\191" -- U+10FFFF: how the byte 0xFF travels (UTF-8 F4 8F BF BF)
  local DESC = "Fix \255 CRLF" -- in the file: a lone 0xFF

  local function with_byte(dir)
    H.cli_ok(dir, "edit", "todo", "5", "description=" .. DESC)
    T.ok(row(dir, "5"):find(DESC, 1, true), "the CLI stored the raw byte")
  end

  T.test("vim.json and json_encode/json_decode round-trip the escape code points", function()
    local s = "a" .. FF .. "b\244\143\190\128"
    T.eq(s, vim.json.decode(vim.json.encode(s)))
    T.eq(s, vim.fn.json_decode(vim.fn.json_encode(s)))
    T.eq(s, vim.json.decode(vim.json.encode({ v = s })).v)
    -- The surrogate-pair spelling decodes to the same UTF-8.
    T.eq(FF, vim.json.decode('"\\udbff\\udfff"'))
    T.eq(FF, vim.fn.json_decode('"\\udbff\\udfff"'))
  end)

  T.test("table view: shown as U+10FFFF; editing another field, then appending to it, keeps the byte", function()
    local dir = start()
    with_byte(dir)
    local buf = open("todo")
    T.eq("Fix " .. FF .. " CRLF", cell(buf, "5", "description"), "the buffer holds the escape code point")
    -- What the screen shows for it: Neovim (0.7.2 and 0.10) prints U+10FFFF as one character one cell wide
    -- (a private-use glyph, usually a box in the terminal's font), not as <10ffff>.
    T.eq("Fix " .. FF .. " CRLF", vim.fn.strtrans(cell(buf, "5", "description")))
    T.eq(1, vim.fn.strdisplaywidth(FF))
    -- Another field of the same record.
    set_cell(buf, "5", "area", "bytes")
    write()
    T.eq(false, vim.bo[buf].modified)
    local r = row(dir, "5")
    T.ok(r:find(DESC, 1, true), "the byte kept: " .. vim.inspect(r))
    T.ok(r:find("bytes", 1, true), "the edit written")
    T.ok(not H.file(dir):find("\239\191\189", 1, true), "no U+FFFD in the file")
    -- Text appended to the value that holds the byte.
    set_cell(buf, "5", "description", cell(buf, "5", "description") .. " more")
    write()
    T.ok(row(dir, "5"):find("Fix \255 CRLF more", 1, true), "appended, byte kept: " .. vim.inspect(row(dir, "5")))
    T.eq("Fix " .. FF .. " CRLF more", cell(buf, "5", "description"))
    -- A line the user did not touch stays byte for byte.
    T.ok(H.file(dir):find('\n    6, TODO, runtime, P0, "Fix CRLF handling 6"', 1, true))
  end)

  T.test("record view: editing another field keeps the byte", function()
    local dir = start()
    with_byte(dir)
    local buf = open("todo")
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "5"), 0 })
    vim.cmd("Sdndb record")
    local rb = vim.api.nvim_get_current_buf()
    H.wait_record(rb)
    T.match(table.concat(lines(rb), "\n"), "description: Fix " .. vim.pesc(FF) .. " CRLF")
    H.set_field(rb, "priority", "P9")
    write()
    T.eq(false, vim.bo[rb].modified)
    local r = row(dir, "5")
    T.ok(r:find("P9", 1, true), "the edit written: " .. vim.inspect(r))
    T.ok(r:find(DESC, 1, true), "the byte kept: " .. vim.inspect(r))
  end)
end
