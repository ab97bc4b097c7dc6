-- End-to-end tests: the plugin against the real `sdndb serve` (SDNDB_BIN) on copies of
-- docs/example/*.sdn in a temporary folder.
return function(T)
  local uv = vim.uv or vim.loop
  local sep = "│"
  local sdndb = require("sdndb")
  local view = require("sdndb.view")
  local conflicts = require("sdndb.conflicts")
  local server = require("sdndb.server")
  local format = require("sdndb.format")

  local H = dofile(T.plugin_dir .. "/tests/helpers.lua")(T)
  local start = H.start
  local cli = H.cli
  local file = H.file
  local row = H.row
  local lines = H.lines
  local line_of = H.line_of
  local cell = H.cell
  local set_cell = H.set_cell
  local idle = H.idle
  local settle = H.settle
  local open = H.open
  local write = H.write
  local fetch_conflicts = H.fetch_conflicts
  local run = H.run
  local diags = H.diags
  local wait_notice = H.wait_notice
  local cli_ok = H.cli_ok
  local cli_conflict = H.cli_conflict
  local edit_both_sides = H.edit_both_sides
  local make_conflict = H.make_conflict
  local choose = H.choose
  local bin = H.bin

  T.test(":Sdndb lists the databases", function()
    start()
    vim.cmd("Sdndb")
    settle()
    local out = vim.fn.execute("messages")
    for _, name in ipairs({ "todo", "feature", "task" }) do
      T.match(out, name, ":Sdndb output")
    end
    local dbs
    sdndb.databases(true, function(d)
      dbs = d
    end)
    T.wait(function()
      return dbs ~= nil
    end)
    T.eq(3, #dbs)
    T.ok(server.is_running(), "server running")
  end)

  T.test(":Sdndb todo opens an aligned, editable buffer", function()
    start()
    local buf = open("todo")
    T.eq("sdndb://todo", vim.api.nvim_buf_get_name(buf))
    T.eq("acwrite", vim.bo[buf].buftype)
    T.eq(false, vim.bo[buf].modified)
    local l = lines(buf)
    T.eq(13, #l, "header + 12 records")
    T.match(l[1], "^id%s+│ keyword")
    T.match(l[1], "│ status%s+│ valid$")
    local col1
    for i, line in ipairs(l) do
      local _, n = line:gsub(sep, "")
      T.eq(#view.state[buf].columns - 1, n, "separators on line " .. i)
      local w = vim.fn.strdisplaywidth(line:sub(1, line:find(sep, 1, true) - 1))
      col1 = col1 or w
      T.eq(col1, w, "aligned first column on line " .. i)
    end
    T.match(l[2], "^1%s+│ TODO%s+│ codegen")
    T.eq("Document the CLI 1", cell(buf, "1", "description"))
    T.eq("", cell(buf, "1", "issue"))
  end)

  T.test("edit a field, :w writes the file (other rows byte-identical)", function()
    local dir = start()
    local before = file(dir)
    local buf = open("todo")
    set_cell(buf, "3", "status", "closed")
    T.eq(true, vim.bo[buf].modified)
    write()
    T.eq(false, vim.bo[buf].modified, "modified after :w")
    T.match(row(dir, "3"), "closed")
    T.eq("closed", cell(buf, "3", "status"))
    -- Every other line keeps its text (the server may append version/modified cells).
    local a, b = vim.split(before, "\n"), vim.split(file(dir), "\n")
    T.eq(#a, #b, "line count")
    local diff = 0
    for i = 1, #a do
      local old = a[i]:gsub("|%s*$", "")
      if b[i]:sub(1, #old) ~= old then
        diff = diff + 1
        T.match(b[i], "^%s+3,", "only row 3 changed")
      end
    end
    T.eq(1, diff, "changed lines")
    T.match(cli_ok(dir, "show", "todo", "3", "--json"), '"closed"')
  end)

  T.test("a new line creates a record, the buffer shows its id", function()
    local dir = start()
    local buf = open("todo")
    local cells = { "", "TODO", "doc", "P2", "Write the nvim help", "doc/nvim.spl", "7", "", "", "open", "true" }
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, { table.concat(cells, " " .. sep .. " ") })
    write()
    T.eq(false, vim.bo[buf].modified)
    T.eq(14, #lines(buf))
    local found
    for _, l in ipairs(lines(buf)) do
      if l:find("Write the nvim help", 1, true) then
        found = l
      end
    end
    T.ok(found, "new line in the buffer")
    local id = vim.trim(format.split(found, sep)[1])
    T.ok(id ~= "", "generated id shown")
    T.ok(row(dir, id), "row " .. id .. " on disk")
    T.match(row(dir, id), "Write the nvim help")
  end)

  T.test("a deleted line is deleted only after confirmation", function()
    local dir = start()
    local before = file(dir)
    local buf = open("todo")
    local lnum = line_of(buf, "4")
    vim.api.nvim_buf_set_lines(buf, lnum - 1, lnum, false, {})
    local asked
    view.confirm = function(msg)
      asked = msg
      return false
    end
    write()
    T.match(asked, "4")
    T.eq(before, file(dir), "declined: file unchanged")
    T.eq(true, vim.bo[buf].modified)
    view.confirm = function()
      return true
    end
    write()
    T.eq(nil, row(dir, "4"), "row 4 gone")
    T.ok(row(dir, "5"), "row 5 kept")
    T.eq(false, vim.bo[buf].modified)
    T.eq(nil, line_of(buf, "4"))
    T.eq(12, #lines(buf))
  end)

  T.test("bad lines are reported on their line and nothing is sent", function()
    local dir = start()
    local before = file(dir)
    local buf = open("todo")
    local l2 = line_of(buf, "2")
    vim.api.nvim_buf_set_lines(buf, l2 - 1, l2, false, { "2 │ TODO │ only three" })
    local l5 = line_of(buf, "5")
    local dup = lines(buf)[l5]
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, { dup })
    set_cell(buf, "1", "status", "closed") -- a valid edit that must not be sent either
    write()
    local d = diags(buf, view.ns_parse)
    T.eq(2, #d)
    T.eq(l2 - 1, d[1].lnum)
    T.match(d[1].message, "expected 11 cells")
    T.eq(#lines(buf) - 1, d[2].lnum)
    T.match(d[2].message, "duplicate id '5'")
    T.eq(before, file(dir), "file unchanged")
    T.eq(true, vim.bo[buf].modified)
    T.ok(T.noted("nothing was written"))
    -- Fix the lines: the diagnostics go away and the valid edit is written.
    vim.api.nvim_buf_set_lines(buf, -2, -1, false, {})
    vim.api.nvim_buf_set_lines(buf, l2 - 1, l2, false, { (dup:gsub("^5", "2")) })
    local fixed = lines(buf)[l2]
    local c = format.split(fixed, sep)
    c[5] = " Speed up lexer 2 "
    vim.api.nvim_buf_set_lines(buf, l2 - 1, l2, false, { table.concat(c, sep) })
    write()
    T.eq(0, #diags(buf, view.ns_parse))
    T.match(row(dir, "1"), "closed")
    T.eq(false, vim.bo[buf].modified)
  end)

  T.test("a CLI change reloads an unmodified buffer in place (cursor kept on its record)", function()
    local dir = start()
    local buf = open("todo")
    local l8 = line_of(buf, "8")
    vim.api.nvim_win_set_cursor(0, { l8, 6 })
    cli_ok(dir, "delete", "todo", "2")
    T.wait(function()
      return line_of(buf, "2") == nil
    end, 5000, "buffer shows the CLI delete")
    T.eq(false, vim.bo[buf].modified)
    T.eq(l8 - 1, line_of(buf, "8"), "record 8 moved up one line")
    T.eq({ l8 - 1, 6 }, vim.api.nvim_win_get_cursor(0), "the cursor followed record 8")
    T.eq(nil, T.noted("changed elsewhere"))
  end)

  T.test("a CLI edit keeps unsaved edits (notice), :w then merges both", function()
    local dir = start()
    local buf = open("todo")
    edit_both_sides(dir, buf, { { "2", "description", "Edited in Neovim" } }, "edit", "todo", "6", "status=open")
    T.eq("Edited in Neovim", cell(buf, "2", "description"), "unsaved edit kept")
    T.eq("closed", cell(buf, "6", "status"), "not reloaded")
    T.eq(true, vim.bo[buf].modified)
    write()
    T.eq(false, vim.bo[buf].modified)
    T.match(row(dir, "2"), "Edited in Neovim")
    T.match(row(dir, "6"), "open")
    T.eq("open", cell(buf, "6", "status"), "reloaded after :w")
  end)

  T.test("different fields of one record edited on both sides merge", function()
    local dir = start()
    local buf = open("todo")
    edit_both_sides(dir, buf, { { "9", "description", "Mine" } }, "edit", "todo", "9", "status=open")
    write()
    T.match(row(dir, "9"), "Mine")
    T.match(row(dir, "9"), "open")
    T.eq(0, #diags(buf, conflicts.ns), "no conflicts")
  end)

  T.test("a conflict shows as a diagnostic and in quickfix; Keep mine resolves it", function()
    local dir = start()
    local buf = open("todo")
    make_conflict(dir, buf, "7", "priority", "P2", "P3")
    T.eq(false, vim.bo[buf].modified)
    T.match(row(dir, "7"), "P3", "stored value kept until resolved")
    local l7 = line_of(buf, "7")
    local d = diags(buf, conflicts.ns)
    T.eq(1, #d)
    T.eq(l7 - 1, d[1].lnum)
    T.match(d[1].message, "priority")
    T.match(d[1].message, '"P2"')
    T.match(d[1].message, '"P3"')
    T.ok(T.noted("1 conflict"), "write summary mentions the conflict")
    run("Sdndb conflicts")
    local qf = vim.fn.getqflist()
    T.eq(1, #qf)
    T.eq(buf, qf[1].bufnr)
    T.eq(l7, qf[1].lnum)
    T.match(qf[1].text, "priority")
    vim.cmd("cclose")
    vim.api.nvim_set_current_buf(buf)
    vim.api.nvim_win_set_cursor(0, { l7, 0 })
    choose("Keep mine")
    run("Sdndb resolve")
    T.match(row(dir, "7"), "P2")
    T.eq("P2", cell(buf, "7", "priority"))
    T.eq(0, #diags(buf, conflicts.ns))
    T.eq(0, #fetch_conflicts("todo"))
  end)

  T.test("Keep theirs and Edit value resolve conflicts", function()
    local dir = start()
    local buf = open("todo")
    make_conflict(dir, buf, "10", "area", "mine-area", "cli-area")
    make_conflict(dir, buf, "11", "priority", "P2", "P0")
    T.eq(2, #diags(buf, conflicts.ns))
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "10"), 0 })
    choose("Keep theirs")
    run("Sdndb resolve")
    T.match(row(dir, "10"), "cli%-area")
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "11"), 0 })
    choose("Edit value")
    local default
    vim.ui.input = function(o, cb)
      default = o.default
      cb("P1")
    end
    run("Sdndb resolve")
    T.eq("P2", default, "the input starts from my value")
    T.match(row(dir, "11"), "P1")
    T.eq(0, #diags(buf, conflicts.ns))
    T.eq("P1", cell(buf, "11", "priority"))
  end)

  T.test("a record with two conflicts: resolve asks which one first", function()
    local dir = start()
    local buf = open("todo")
    edit_both_sides(dir, buf, { { "4", "area", "mine-area" }, { "4", "priority", "P1" } },
      "edit", "todo", "4", "area=cli-area", "priority=P0")
    write()
    T.eq(2, #diags(buf, conflicts.ns))
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "4"), 0 })
    local prompts = {}
    vim.ui.select = function(items, opts, on_choice)
      table.insert(prompts, opts.prompt or "")
      if #prompts == 1 then
        for _, c in ipairs(items) do
          if c.field == "priority" then
            return on_choice(c)
          end
        end
        error("no priority conflict in " .. vim.inspect(items))
      end
      return on_choice("Keep mine")
    end
    run("Sdndb resolve")
    T.match(prompts[1], "Conflicts of record 4")
    T.match(row(dir, "4"), "P1")
    T.match(row(dir, "4"), "cli%-area", "the other conflict is still open")
    T.eq(1, #diags(buf, conflicts.ns))
  end)

  T.test("the side-by-side view shows mine and theirs in diff mode", function()
    local dir = start()
    local buf = open("todo")
    make_conflict(dir, buf, "12", "priority", "P1", "P0")
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "12"), 0 })
    local tab = vim.api.nvim_get_current_tabpage()
    run("Sdndb diff")
    T.ok(vim.api.nvim_get_current_tabpage() ~= tab, "new tab")
    local wins = vim.api.nvim_tabpage_list_wins(0)
    T.eq(2, #wins)
    local texts = {}
    for _, w in ipairs(wins) do
      T.eq(true, vim.wo[w].diff, "diff mode")
      texts[#texts + 1] = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), "\n")
    end
    T.match(texts[1], "priority: P1")
    T.match(texts[2], "priority: P0")
    T.match(vim.api.nvim_buf_get_name(vim.api.nvim_win_get_buf(wins[1])), "mine")
  end)

  T.test("strategy 'error': the line is kept and marked; :w again overwrites", function()
    local dir = start({ strategy = "error" })
    local buf = open("todo")
    edit_both_sides(dir, buf, { { "8", "area", "mine" } }, "edit", "todo", "8", "area=theirs")
    write()
    T.eq(true, vim.bo[buf].modified, "still modified")
    T.eq("mine", cell(buf, "8", "area"), "my line kept")
    local d = diags(buf, view.ns_parse)
    T.eq(1, #d)
    T.eq(line_of(buf, "8") - 1, d[1].lnum)
    T.match(d[1].message, "changed elsewhere")
    T.match(row(dir, "8"), "theirs")
    write()
    T.eq(false, vim.bo[buf].modified)
    T.match(row(dir, "8"), "mine")
  end)

  T.test(":Sdndb conflicts works with no buffer open and loads the database", function()
    local dir = start()
    cli_conflict(dir, "1", "status", "closed", "blocked")
    local n = #fetch_conflicts("todo")
    T.eq(1, n, "one conflict recorded by the CLI")
    run("Sdndb conflicts")
    local qf = vim.fn.getqflist()
    T.eq(1, #qf)
    local buf = qf[1].bufnr
    T.eq("sdndb://todo", vim.api.nvim_buf_get_name(buf))
    T.eq(true, vim.api.nvim_buf_is_loaded(buf), "buffer loaded")
    T.eq(line_of(buf, "1"), qf[1].lnum)
    T.eq(1, #diags(buf, conflicts.ns))
    T.eq(conflicts.qf_title, vim.fn.getqflist({ title = 0 }).title)
  end)

  T.test("values with separators, backslashes and blanks survive a round trip", function()
    local dir = start()
    local buf = open("todo")
    local v = " a│b \\ c, \"q\" "
    set_cell(buf, "1", "description", v)
    write()
    T.eq(false, vim.bo[buf].modified)
    T.eq(v, vim.json.decode(cli_ok(dir, "show", "todo", "1", "--json")).fields.description, "stored value")
    T.eq(v, cell(buf, "1", "description"), "buffer value after reload")
    write()
    T.ok(T.noted("no changes"), "a second :w sends nothing")
  end)

  T.test(":e! and :Sdndb refresh! discard unsaved edits", function()
    start()
    local buf = open("todo")
    set_cell(buf, "2", "status", "junk")
    run("Sdndb refresh")
    T.eq("junk", cell(buf, "2", "status"), "refresh without ! keeps edits")
    T.ok(T.noted("unsaved edits"))
    run("Sdndb refresh!")
    T.eq(buf, vim.api.nvim_get_current_buf())
    T.eq("open", cell(buf, "2", "status"))
    set_cell(buf, "2", "status", "junk")
    run("Sdndb! refresh")
    T.eq("open", cell(buf, "2", "status"))
    T.eq(false, vim.bo[buf].modified)
    set_cell(buf, "2", "status", "junk")
    run("edit!")
    T.eq("open", cell(buf, "2", "status"))
    T.eq(false, vim.bo[buf].modified)
  end)

  T.test("the server is restarted after it dies", function()
    local dir = start()
    local buf = open("todo")
    local pid = server.client.pid
    uv.kill(pid, "sigkill")
    T.wait(function()
      return not server.is_running()
    end, 3000, "server exit noticed")
    set_cell(buf, "3", "priority", "P9")
    write()
    T.eq(false, vim.bo[buf].modified)
    T.ok(server.client.pid ~= pid, "a new server")
    T.match(row(dir, "3"), "P9")
  end)

  T.test(":w reloads the buffer once: its own didChange echo is not reloaded again", function()
    start()
    local buf = open("todo")
    local real_load, loads = view.load, 0
    view.load = function(...)
      loads = loads + 1
      return real_load(...)
    end
    local requests = {}
    local real_request = server.request
    server.request = function(method, ...)
      requests[method] = (requests[method] or 0) + 1
      return real_request(method, ...)
    end
    local ok, err = pcall(function()
      set_cell(buf, "5", "area", "echo")
      write()
      vim.wait(400, function()
        return false
      end, 20)
    end)
    view.load, server.request = real_load, real_request
    T.ok(ok, err)
    T.eq(0, loads, "no reload after the write")
    T.eq(nil, requests["sdndb/list"], "no re-read: the write's answer has the records")
    T.eq(nil, requests["sdndb/databases"], "the database list is cached")
    T.eq("echo", cell(buf, "5", "area"))
    T.eq(false, vim.bo[buf].modified)
  end)

  T.test("typing right after :w is not mistaken for a change elsewhere", function()
    start()
    local buf = open("todo")
    set_cell(buf, "5", "area", "first")
    write()
    set_cell(buf, "5", "area", "second")
    vim.wait(400, function()
      return false
    end, 20)
    T.eq(nil, T.noted("changed elsewhere"))
    T.eq("second", cell(buf, "5", "area"))
    T.eq(true, vim.bo[buf].modified)
  end)

  T.test("deleted here, changed elsewhere: a whole-record conflict; Keep mine deletes", function()
    local dir = start()
    local buf = open("todo")
    local lnum = line_of(buf, "2")
    vim.api.nvim_buf_set_lines(buf, lnum - 1, lnum, false, {})
    view.confirm = function()
      return true
    end
    edit_both_sides(dir, buf, {}, "edit", "todo", "2", "status=closed")
    write()
    T.ok(row(dir, "2"), "not deleted yet")
    local l2 = T.ok(line_of(buf, "2"), "the record is shown again")
    local d = diags(buf, conflicts.ns)
    T.eq(1, #d)
    T.eq(l2 - 1, d[1].lnum)
    T.match(d[1].message, "deleted here")
    vim.api.nvim_win_set_cursor(0, { l2, 0 })
    local offered
    vim.ui.select = function(items, _, cb)
      offered = items
      cb("Keep mine")
    end
    run("Sdndb resolve")
    T.eq(false, vim.tbl_contains(offered, "Edit value"), "no Edit value for a whole record")
    T.eq(nil, row(dir, "2"), "deleted after Keep mine")
    T.eq(nil, line_of(buf, "2"))
  end)

  T.test("a conflict made elsewhere (CLI) appears on the open buffer's line", function()
    local dir = start()
    local buf = open("todo")
    cli_conflict(dir, "4", "status", "closed", "blocked")
    T.wait(function()
      return #diags(buf, conflicts.ns) == 1
    end, 5000, "conflict diagnostic")
    T.eq(line_of(buf, "4") - 1, diags(buf, conflicts.ns)[1].lnum)
    T.eq("closed", cell(buf, "4", "status"), "reloaded with the stored value")
  end)

  T.test("editing a record deleted elsewhere keeps the line and marks it", function()
    local dir = start()
    local buf = open("todo")
    edit_both_sides(dir, buf, { { "6", "description", "Still wanted" } }, "delete", "todo", "6")
    write()
    local l6 = T.ok(line_of(buf, "6"), "my line is kept")
    T.eq("Still wanted", cell(buf, "6", "description"))
    T.eq(nil, row(dir, "6"))
    if #diags(buf, conflicts.ns) > 0 then
      -- A server that records this as a conflict (changed here, deleted elsewhere): resolved
      -- from the kept line (see defects_spec 5).
      T.match(diags(buf, conflicts.ns)[1].message, "deleted elsewhere")
      T.eq(l6 - 1, diags(buf, conflicts.ns)[1].lnum)
      return
    end
    T.eq(true, vim.bo[buf].modified, "still modified")
    local d = diags(buf, view.ns_parse)
    T.eq(1, #d)
    T.eq(l6 - 1, d[1].lnum)
    T.match(d[1].message, "deleted elsewhere")
    T.eq(nil, row(dir, "6"))
    -- Writing again re-creates it from the kept line.
    write()
    T.eq(false, vim.bo[buf].modified)
    T.match(row(dir, "6"), "Still wanted")
  end)

  T.test("opening an unknown database reports it", function()
    start()
    run("Sdndb nosuchdb")
    T.ok(T.noted("cannot open 'nosuchdb'"))
    T.eq(nil, view.state[vim.api.nvim_get_current_buf()])
  end)

  T.test(":checkhealth sdndb reports binary, version, databases and server", function()
    start()
    vim.fn.execute("Sdndb")
    vim.cmd("silent checkhealth sdndb")
    local text = table.concat(lines(0), "\n")
    T.match(text, "binary: " .. vim.pesc(bin))
    T.match(text, "version: ")
    T.match(text, "todo: ")
    T.match(text, "running %(pid %d+%)")
    T.no_match(text, "ERROR")
  end)
end
