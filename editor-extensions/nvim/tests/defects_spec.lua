-- The defects of issue #16, each reproduced against the real `sdndb serve`.
return function(T)
  local uv = vim.uv or vim.loop
  local H = dofile(T.plugin_dir .. "/tests/helpers.lua")(T)
  local view = require("sdndb.view")
  local conflicts = require("sdndb.conflicts")
  local server = require("sdndb.server")
  local save = require("sdndb.save")
  local format = require("sdndb.format")
  local sep = H.sep
  local start, open, write, settle, file, row, cell, set_cell, line_of, lines, diags =
    H.start, H.open, H.write, H.settle, H.file, H.row, H.cell, H.set_cell, H.line_of, H.lines, H.diags

  -- Runs fn with the server stopped (SIGSTOP); always resumes it.
  local function with_stopped_server(fn)
    local pid = server.client.pid
    uv.kill(pid, "sigstop")
    local ok, err = pcall(fn, pid)
    uv.kill(pid, "sigcont")
    if not ok then
      error(err, 0)
    end
  end

  local function keys(s)
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(s, true, false, true), "xt", false)
  end

  -- Lets scheduled callbacks run (what the event loop does right after a key).
  local function tick()
    vim.wait(20, function()
      return false
    end, 5)
  end

  -- Breaks the undo sequence (as leaving Insert mode does for a user).
  local function undo_break()
    vim.cmd("let &undolevels = &undolevels")
  end

  T.test("1. a stopped server: :w returns at once, typing goes on, and the outcome is told truthfully", function()
    local dir = start({ timeout = 300 })
    local buf = open("todo")
    local before = file(dir)
    set_cell(buf, "3", "status", "closed")
    with_stopped_server(function()
      vim.cmd("write") -- returns although the server cannot answer
      local st = view.state[buf]
      T.ok(st.write, "the write is waiting for the server")
      T.eq(true, vim.bo[buf].modified, "not claimed written")
      -- Typing while the request is pending: processed at once.
      vim.api.nvim_win_set_cursor(0, { line_of(buf, "5"), 0 })
      keys("A-typed<Esc>")
      T.match(lines(buf)[line_of(buf, "5")], "true%-typed$", "the keys were processed")
      T.ok(st.write, "still pending while typing")
      T.wait(function()
        return T.noted("no answer in 300 ms; cancelling the write") ~= nil
      end, 3000, "the user is told that the server does not answer")
      T.eq(before, file(dir), "nothing written while stopped")
    end)
    -- The server answers the write (cancelled, or applied after all): the user is told which.
    T.wait(function()
      return view.state[buf].write == nil
    end, 5000, "the write's one answer")
    if T.noted("nothing was written") then
      T.eq(before, file(dir), "cancelled: the file is unchanged")
      T.eq(nil, T.noted("WAS applied"))
    else
      T.ok(T.noted("the write WAS applied"), "a late apply is reported")
      T.match(row(dir, "3"), "closed")
    end
    T.eq(true, vim.bo[buf].modified, "the typed text is still unsaved")
    T.match(lines(buf)[line_of(buf, "5")], "true%-typed$")
    -- Nothing is applied later without a word: wait a moment and compare again.
    local now = file(dir)
    vim.wait(300, function()
      return false
    end)
    T.eq(now, file(dir), "no silent late change")
  end)

  T.test("1. :wq waits for the write (at most the timeout) instead of refusing", function()
    local dir = start()
    local buf = open("todo")
    set_cell(buf, "7", "area", "quitting")
    vim.cmd("write")
    T.ok(view.state[buf].write, "the write is out")
    vim.cmd("doautocmd QuitPre")
    T.eq(nil, view.state[buf].write, "answered before the quit check")
    T.eq(false, vim.bo[buf].modified, "so the quit goes ahead")
    T.match(row(dir, "7"), "quitting")
  end)

  T.test("1. opening a database while the server is stopped does not block", function()
    start({ timeout = 300 })
    open("todo")
    with_stopped_server(function()
      vim.cmd("Sdndb task")
      local buf = vim.api.nvim_get_current_buf()
      T.match(lines(buf)[1], "loading task")
      T.eq(false, vim.bo[buf].modifiable, "the placeholder cannot be edited")
      T.wait(function()
        return T.noted("opening task: no answer") ~= nil
      end, 3000, "told that the server does not answer")
    end)
    local buf = vim.api.nvim_get_current_buf()
    T.wait(function()
      return view.state[buf] and view.state[buf].loaded
    end, 5000, "loaded once the server runs again")
    T.match(lines(buf)[1], "^id")
  end)

  T.test("1. the record view: a write to a stopped server returns at once and is reported", function()
    local dir = start({ timeout = 300 })
    local buf = open("todo")
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "4"), 0 })
    vim.cmd("Sdndb record")
    local rb = vim.api.nvim_get_current_buf()
    H.wait_record(rb)
    local before = file(dir)
    H.set_field(rb, "priority", "P9")
    with_stopped_server(function()
      vim.cmd("write")
      T.eq(true, vim.bo[rb].modified, "not claimed written")
      keys("Go# typed<Esc>")
      T.match(lines(rb)[#lines(rb)], "typed")
      T.wait(function()
        return T.noted("4: no answer in 300 ms") ~= nil
      end, 3000, "told")
    end)
    T.wait(function()
      return require("sdndb.record").state[rb].write == nil
    end, 5000, "the answer")
    if T.noted("write cancelled") then
      T.eq(before, file(dir))
    else
      T.ok(T.noted("WAS applied"))
      T.match(row(dir, "4"), "P9")
    end
  end)

  T.test("1. :Sdndb stop of a stopped server returns at once; the process is killed", function()
    start()
    open("todo")
    local pid = server.client.pid
    uv.kill(pid, "sigstop")
    local client = server.client
    vim.cmd("Sdndb stop")
    T.eq(nil, server.client, "stopped from the plugin's view at once")
    T.wait(function()
      return not client.is_running()
    end, 3000, "the stopped process is killed")
  end)

  T.test("1. the server dies during a write: the outcome is re-read, not guessed", function()
    local dir = start({ timeout = 300 })
    local buf = open("todo")
    local before = file(dir)
    set_cell(buf, "2", "priority", "P7")
    local pid = server.client.pid
    uv.kill(pid, "sigstop")
    vim.cmd("write")
    uv.kill(pid, "sigkill")
    T.wait(function()
      return T.noted("re%-read after the server stopped") ~= nil
    end, 5000, "the reconciliation notice")
    T.ok(T.noted("the server stopped before answering"), "the unknown outcome is said")
    T.eq(before, file(dir), "the killed server wrote nothing")
    T.ok(T.noted("1 line still differ"), "what is still unsaved is counted")
    T.eq(true, vim.bo[buf].modified)
    write()
    T.match(row(dir, "2"), "P7", "the next :w sends it")
  end)

  T.test("2. :w sends one batch: one sdndb/apply when the server has it, else all changes at once", function()
    local dir = start()
    local buf = open("todo")
    view.confirm = function()
      return true
    end
    set_cell(buf, "1", "status", "closed")
    set_cell(buf, "2", "area", "batch")
    local l9 = line_of(buf, "9")
    vim.api.nvim_buf_set_lines(buf, l9 - 1, l9, false, {})
    local new = { "", "TODO", "doc", "P2", "Batched", "x.spl", "1", "", "", "open", "true" }
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, { table.concat(new, " " .. sep .. " ") })
    local sent = {}
    local real = server.request
    server.request = function(method, ...)
      sent[#sent + 1] = method
      return real(method, ...)
    end
    local ok, err = pcall(function()
      with_stopped_server(function()
        vim.cmd("write")
        vim.wait(100, function()
          return false
        end)
        -- Everything is on its way while the server has not answered anything: one
        -- sdndb/apply, or (server known without it) the separate requests all at once.
        if save.use_apply() then
          T.eq({ "sdndb/apply" }, sent, "one request for the whole :w")
        else
          table.sort(sent)
          T.eq({ "sdndb/delete", "sdndb/edit", "sdndb/edit" }, sent, "edits and deletes sent together")
        end
      end)
      settle()
    end)
    server.request = real
    T.ok(ok, err)
    T.match(row(dir, "1"), "closed")
    T.match(row(dir, "2"), "batch")
    T.eq(nil, row(dir, "9"))
    T.match(file(dir), "Batched")
    T.eq(false, vim.bo[buf].modified)
    local writes = vim.tbl_filter(function(m)
      return m == "sdndb/apply" or m == "sdndb/edit" or m == "sdndb/create" or m == "sdndb/delete"
    end, sent)
    if save.apply_missing then
      -- This server has no sdndb/apply: it refused it untouched and got the changes one by one.
      T.eq("sdndb/apply", writes[1])
      T.eq(false, save.use_apply(), "not asked again")
      T.eq(5, #writes, "apply, then two edits, a delete and a create")
    else
      T.eq({ "sdndb/apply" }, writes, "one transaction")
    end
  end)

  T.test("2. the batch holds every change with its base", function()
    local st = { db = "todo", base = {} }
    local d = {
      edits = { { id = "1", changes = { status = "x" }, base = { version = 2, etag = "e1", fields = { status = "o" } } } },
      creates = { { fields = { status = "n" } } },
      deletes = { { id = "4", version = 3, etag = "e4" } },
    }
    local b = save.batch(st, d)
    T.eq("todo", b.database)
    T.eq({ { id = "1", changes = { status = "x" }, base = { version = 2, etag = "e1", fields = { status = "o" } } } }, b.edits)
    T.eq({ { fields = { status = "n" } } }, b.creates)
    T.eq({ { id = "4", baseVersion = 3, baseEtag = "e4" } }, b.deletes)
  end)

  T.test("3. undo survives :w: u restores a deleted record, a second :w writes it back", function()
    local dir = start()
    local buf = open("todo")
    view.confirm = function()
      return true
    end
    local original = row(dir, "4")
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "4"), 0 })
    undo_break()
    vim.cmd("normal! dd")
    undo_break()
    write()
    T.eq(nil, row(dir, "4"), "deleted")
    vim.cmd("silent normal! u")
    tick()
    T.ok(line_of(buf, "4"), "u brings the line back")
    T.eq(true, vim.bo[buf].modified)
    write()
    T.ok(row(dir, "4"), "written back")
    T.match(row(dir, "4"), "Support generic aliases 4")
    T.match(original, "Support generic aliases 4")
    -- An edited field: u after :w restores the old value, :w writes it.
    undo_break()
    set_cell(buf, "3", "status", "closed")
    undo_break()
    write()
    T.match(row(dir, "3"), "closed")
    vim.cmd("silent normal! u")
    tick()
    T.eq(true, vim.bo[buf].modified)
    T.eq("open", cell(buf, "3", "status"))
    write()
    T.match(row(dir, "3"), "open")
  end)

  T.test("4. my conflict: mine is the buffer's value, theirs the CLI's", function()
    local dir = start()
    local buf = open("todo")
    H.make_conflict(dir, buf, "7", "priority", "P2", "P3")
    local d = diags(buf, conflicts.ns)
    T.eq(1, #d)
    T.match(d[1].message, 'mine "P2"')
    T.match(d[1].message, 'theirs "P3"')
    T.no_match(d[1].message, "theirs by")
    local c = H.fetch_conflicts("todo")[1]
    T.eq(true, conflicts.is_mine(c))
    T.eq("Keep mine", conflicts.actions_for(c)[1][1])
  end)

  T.test("4. a conflict made by the CLI alone is not called mine", function()
    local dir = start()
    local buf = open("todo")
    H.cli_conflict(dir, "4", "status", "closed", "blocked")
    T.wait(function()
      return #diags(buf, conflicts.ns) == 1
    end, 5000, "conflict diagnostic")
    local msg = diags(buf, conflicts.ns)[1].message
    T.no_match(msg, "mine")
    T.match(msg, '"blocked" by %S+@')
    T.match(msg, 'stored "closed"')
    local c = H.fetch_conflicts("todo")[1]
    T.eq(false, conflicts.is_mine(c))
    local labels = {}
    for _, a in ipairs(conflicts.actions_for(c)) do
      labels[#labels + 1] = a[1]
    end
    T.eq(false, vim.tbl_contains(labels, "Keep mine"))
    T.ok(vim.tbl_contains(labels, "Keep the stored value"))
  end)

  T.test("5. changed here, deleted elsewhere: my line stays, resolve and diff work on it", function()
    local dir = start()
    local buf = open("todo")
    set_cell(buf, "6", "area", "v1") -- version 1: the next edit has a base version
    write()
    H.edit_both_sides(dir, buf, { { "6", "description", "Still wanted" } }, "delete", "todo", "6")
    write()
    T.eq(nil, row(dir, "6"), "deleted elsewhere")
    local l6 = T.ok(line_of(buf, "6"), "my line is still in the buffer")
    T.eq("Still wanted", cell(buf, "6", "description"))
    local d = diags(buf, conflicts.ns)
    T.eq(1, #d)
    T.eq(l6 - 1, d[1].lnum, "the diagnostic is on my line, not the header")
    T.match(d[1].message, "changed here, but deleted elsewhere")
    T.eq(false, vim.bo[buf].modified, "the conflict is stored; nothing left to write")
    -- A reloaded buffer shows it again (from the stored conflict).
    H.run("Sdndb refresh!")
    l6 = T.ok(line_of(buf, "6"), "shown after a reload")
    T.eq("Still wanted", cell(buf, "6", "description"))
    write()
    T.ok(T.noted("no changes"), "the line is not sent as a new record")
    -- Side by side: my text left, the deletion right.
    vim.api.nvim_win_set_cursor(0, { l6, 0 })
    H.run("Sdndb diff")
    local wins = vim.api.nvim_tabpage_list_wins(0)
    T.eq(2, #wins)
    local left = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(wins[1]), 0, -1, false), "\n")
    local right = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(wins[2]), 0, -1, false), "\n")
    T.match(left, "description: Still wanted")
    T.eq("<deleted>", right)
    vim.cmd("tabclose")
    vim.api.nvim_set_current_buf(buf)
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "6"), 0 })
    H.choose("Keep mine")
    H.run("Sdndb resolve")
    T.wait(function()
      return row(dir, "6") ~= nil
    end, 5000, "restored")
    T.match(row(dir, "6"), "Still wanted")
    T.wait(function()
      return #diags(buf, conflicts.ns) == 0
    end, 5000, "conflict gone")
    T.ok(line_of(buf, "6"))
  end)

  T.test("5. changed here, deleted elsewhere: Keep theirs removes my line", function()
    local dir = start()
    local buf = open("todo")
    set_cell(buf, "6", "area", "v1")
    write()
    H.edit_both_sides(dir, buf, { { "6", "description", "Not needed" } }, "delete", "todo", "6")
    write()
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "6"), 0 })
    H.choose("Keep theirs")
    H.run("Sdndb resolve")
    T.wait(function()
      return line_of(buf, "6") == nil
    end, 5000, "the line goes")
    T.eq(nil, row(dir, "6"))
    T.eq(0, #H.fetch_conflicts("todo"))
  end)

  T.test("6. :help sdndb works from the plugin folder (doc/tags shipped and current)", function()
    local tags = T.read(T.plugin_dir .. "/doc/tags")
    T.ok(tags, "doc/tags is shipped")
    local dir = (os.getenv("SDNDB_TEST_TMP") or vim.fn.fnamemodify(vim.fn.tempname(), ":h")) .. "/helpdoc6"
    vim.fn.mkdir(dir, "p")
    T.write(dir .. "/sdndb.txt", T.read(T.plugin_dir .. "/doc/sdndb.txt"))
    vim.cmd("helptags " .. vim.fn.fnameescape(dir))
    T.eq(T.read(dir .. "/tags"), tags, "doc/tags matches :helptags (regenerate it)")
    for _, tag in ipairs({ "sdndb", ":Sdndb-next", ":Sdndb-prev", ":Sdndb-stop", ":Sdndb-health", ":Sdndb-filter",
      ":Sdndb-sort", ":Sdndb-add", ":Sdndb-status", "sdndb-record-view" }) do
      T.match("\n" .. tags, "\n" .. vim.pesc(tag) .. "\t", "tag " .. tag)
      vim.cmd("help " .. tag)
      T.match(vim.api.nvim_buf_get_name(0), "doc/sdndb%.txt$", ":help " .. tag)
      vim.cmd("helpclose")
    end
  end)

  T.test("7. a bad line on :w: one clean message, no error raised", function()
    local dir = start()
    local buf = open("todo")
    local before = file(dir)
    local l2 = line_of(buf, "2")
    vim.api.nvim_buf_set_lines(buf, l2 - 1, l2, false, { "2 │ TODO │ only three" })
    vim.v.errmsg = ""
    local ok, err = pcall(vim.cmd, "write")
    T.ok(ok, "no error from BufWriteCmd: " .. tostring(err))
    T.eq("", vim.v.errmsg)
    local n = T.noted("nothing was written")
    T.ok(n)
    T.no_match(n.msg, "\n", "one line")
    T.ok(#n.msg < 80, "short enough for the command line: " .. n.msg)
    T.match(diags(buf, view.ns_parse)[1].message, "expected 11 cells")
    T.eq(before, file(dir))
  end)

  T.test("7. counts are singular for one", function()
    T.eq("1 record", view.plural(1, "record"))
    T.eq("2 records", view.plural(2, "record"))
    local dir = start()
    H.cli_ok(dir, "delete", "task", "TRACK-002")
    vim.cmd("messages clear")
    vim.cmd("Sdndb")
    settle()
    local out = vim.fn.execute("messages")
    T.match(out, "task%s+1 record ")
    T.match(out, "todo%s+12 records")
  end)

  T.test("7. a :sort of the lines is kept when the buffer refreshes", function()
    local dir = start()
    local buf = open("todo")
    vim.cmd("2,$sort! n")
    T.eq("12", view.id_at(buf, 2))
    write() -- the order is no change
    T.eq(false, vim.bo[buf].modified)
    H.cli_ok(dir, "edit", "todo", "5", "area=sorted")
    T.wait(function()
      return cell(buf, "5", "area") == "sorted"
    end, 5000, "refreshed")
    T.eq("12", view.id_at(buf, 2), "still sorted")
    T.eq("1", view.id_at(buf, 13))
    T.eq(false, vim.bo[buf].modified)
    local _ = format
  end)
end
