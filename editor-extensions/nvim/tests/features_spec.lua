-- The features of issue #16 against the real `sdndb serve`.
return function(T)
  local H = dofile(T.plugin_dir .. "/tests/helpers.lua")(T)
  local view = require("sdndb.view")
  local actions = require("sdndb.actions")
  local format = require("sdndb.format")
  local sep = H.sep
  local start, open, write, settle, file, row, cell, set_cell, line_of, lines =
    H.start, H.open, H.write, H.settle, H.file, H.row, H.cell, H.set_cell, H.line_of, H.lines

  -- A started plugin on a folder whose bug_db.sdn is the Simple project's bug database (corpus 07,
  -- several tables, keyless rows); returns the folder and the file's text.
  local function start_with_bug_db()
    local dir = start()
    local original = T.ok(T.read(T.repo_root .. "/tests/data/corpus/07_bug_db__doc-bug__1eb5fcd.sdn"), "corpus file")
    T.write(dir .. "/bug_db.sdn", original)
    return dir, original
  end

  -- The values of one column over the buffer's record lines.
  local function column(buf, col)
    local out = {}
    local l = lines(buf)
    for i = 2, #l do
      local id = view.id_at(buf, i)
      if id then
        out[#out + 1] = cell(buf, id, col)
      end
    end
    return out
  end

  T.test("filter and sort: :Sdndb todo status=open sort=priority, changed in place, kept on refresh and :w", function()
    local dir = start()
    vim.cmd("Sdndb todo status=open sort=priority")
    local buf = vim.api.nvim_get_current_buf()
    T.wait(function()
      return view.state[buf] and view.state[buf].loaded
    end)
    settle()
    local status = column(buf, "status")
    T.eq(7, #status, "the open records")
    for _, s in ipairs(status) do
      T.eq("open", s)
    end
    local pr = column(buf, "priority")
    T.eq(pr, vim.fn.sort(vim.deepcopy(pr)), "sorted by priority")
    T.match(actions.header_note(buf), "status=open")
    T.match(actions.header_note(buf), "sort=priority")
    T.match(actions.header_note(buf), "7 records")
    -- Kept across a refresh: a record closed elsewhere leaves the view.
    H.cli_ok(dir, "edit", "todo", "8", "status=closed")
    T.wait(function()
      return line_of(buf, "8") == nil
    end, 5000, "record 8 leaves the filtered view")
    -- Kept across :w.
    set_cell(buf, "1", "area", "filtered")
    write()
    T.match(row(dir, "1"), "filtered")
    for _, s in ipairs(column(buf, "status")) do
      T.eq("open", s)
    end
    -- Changed in place.
    H.run("Sdndb filter status=blocked")
    T.eq({ "blocked", "blocked", "blocked" }, column(buf, "status"))
    T.eq("priority", view.state[buf].query.sort, "the sort stays")
    H.run("Sdndb sort -id")
    T.eq({ "12", "11", "10" }, { view.id_at(buf, 2), view.id_at(buf, 3), view.id_at(buf, 4) })
    H.run("Sdndb filter")
    T.eq(12, #lines(buf) - 1, "no filter: all records")
    -- Completion of filter words from the buffer's columns and values.
    local c = require("sdndb").complete("status=", "Sdndb filter status=", 20)
    T.ok(vim.tbl_contains(c, "status=open"), vim.inspect(c))
  end)

  T.test("a database loads page by page: first page at once, editable once complete", function()
    start()
    local real_request, real_append = require("sdndb.server").request, view.append_records
    local offsets, editable_while_loading = {}, {}
    require("sdndb.server").request = function(method, params, ...)
      if method == "sdndb/list" then
        offsets[#offsets + 1] = params.offset
      end
      return real_request(method, params, ...)
    end
    view.append_records = function(buf, ...)
      editable_while_loading[#editable_while_loading + 1] = vim.bo[buf].modifiable
      return real_append(buf, ...)
    end
    view.first_page, view.load_page = 3, 4
    local ok, err = pcall(function()
      local buf = open("todo")
      T.eq({ 0, 3, 7, 11 }, offsets, "pages")
      T.eq({ false, false, false }, editable_while_loading, "not editable while loading")
      T.eq(true, vim.bo[buf].modifiable)
      T.eq(false, vim.bo[buf].modified)
      local ids = {}
      for i = 2, #lines(buf) do
        ids[#ids + 1] = view.id_at(buf, i)
      end
      T.eq({ "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12" }, ids)
      T.eq(lines(buf), format.render(view.state[buf].columns, (function()
        local recs = {}
        for _, id in ipairs(ids) do
          local b = view.state[buf].base[id]
          recs[#recs + 1] = { id = id, fields = b.fields }
        end
        return recs
      end)(), sep, 40), "aligned as one render")
      vim.cmd("silent normal! u")
      T.eq(12, #lines(buf) - 1, "the load is no undo step")
    end)
    require("sdndb.server").request, view.append_records = real_request, real_append
    view.first_page, view.load_page = 200, 250
    T.ok(ok, err)
  end)

  T.test("a CLI change replaces only its own line", function()
    local dir = start()
    local buf = open("todo")
    local changed = {}
    vim.api.nvim_buf_attach(buf, false, {
      on_lines = function(_, _, _, first, last_old, last_new)
        changed[#changed + 1] = { first, last_old, last_new }
      end,
    })
    local l5 = line_of(buf, "5")
    H.cli_ok(dir, "edit", "todo", "5", "area=doc2")
    T.wait(function()
      return cell(buf, "5", "area") == "doc2"
    end, 5000, "refreshed")
    settle()
    T.eq({ { l5 - 1, l5, l5 } }, changed, "one line replaced")
    T.eq(false, vim.bo[buf].modified)
  end)

  T.test("record view: <CR> opens sdndb://todo/5 with every field, editable and saved with its base", function()
    local dir = start()
    local long = string.rep("A long description. ", 8)
    H.cli_ok(dir, "edit", "todo", "5", "description=" .. long)
    local buf = open("todo")
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "5"), 0 })
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes("<CR>", true, false, true), "xt", false)
    local rb = vim.api.nvim_get_current_buf()
    T.eq("sdndb://todo/5", vim.api.nvim_buf_get_name(rb))
    H.wait_record(rb)
    local text = table.concat(lines(rb), "\n")
    T.match(text, "# version: %d+")
    T.match(text, "# etag:")
    local meta = table.concat(vim.list_slice(lines(rb), 1, 3), "\n")
    T.match(text, "\nid: 5\n")
    T.match(text, "description: " .. vim.pesc(format.escape(long)))
    T.match(text, "status: open")
    -- Edit and :w: one edit with its base.
    H.set_field(rb, "status", "blocked")
    write()
    T.eq(false, vim.bo[rb].modified)
    T.match(row(dir, "5"), "blocked")
    T.ok(table.concat(vim.list_slice(lines(rb), 1, 3), "\n") ~= meta, "the view shows the new version/etag")
    -- The table buffer follows.
    T.wait(function()
      return cell(buf, "5", "status") == "blocked"
    end, 5000, "table refreshed")
    -- An unknown field is refused on its line.
    vim.api.nvim_buf_set_lines(rb, -1, -1, false, { "colour: red" })
    vim.cmd("write")
    T.ok(T.noted("unknown field 'colour'"))
    T.eq(true, vim.bo[rb].modified)
  end)

  T.test("long values are shortened with a marker; unchanged they survive a :w, edited they are refused", function()
    local dir = start()
    local long = string.rep("x", 100)
    H.cli_ok(dir, "edit", "todo", "3", "description=" .. long)
    local buf = open("todo")
    local l = lines(buf)[line_of(buf, "3")]
    local shown = vim.trim(format.split(l, sep)[5])
    T.eq(40, vim.fn.strdisplaywidth(shown), "shortened to max_width")
    T.match(shown, "x…$")
    set_cell(buf, "3", "area", "short")
    write()
    T.match(row(dir, "3"), long, "the whole value is kept")
    T.match(row(dir, "3"), "short")
    -- Typing into the shortened text (marker kept) is refused, nothing is cut off.
    local lnum = line_of(buf, "3")
    local text = lines(buf)[lnum]:gsub("x…", "xy…")
    vim.api.nvim_buf_set_lines(buf, lnum - 1, lnum, false, { text })
    vim.cmd("write")
    T.ok(T.noted("nothing was written"))
    T.match(H.diags(buf, view.ns_parse)[1].message, "shortened .*record view", "told to use the record view")
    T.match(row(dir, "3"), long)
    -- Replacing the whole value (no marker) writes it.
    set_cell(buf, "3", "description", "Now short")
    write()
    T.match(row(dir, "3"), "Now short")
  end)

  T.test("completion offers the values a column holds", function()
    start()
    local buf = open("todo")
    local lnum = line_of(buf, "2")
    local l = lines(buf)[lnum]
    local cells = format.split(l, sep)
    -- Cursor in the status cell (the 10th), after typing "bl".
    cells[10] = " bl"
    local newline = table.concat(cells, sep)
    vim.api.nvim_buf_set_lines(buf, lnum - 1, lnum, false, { newline })
    local col = #table.concat(vim.list_slice(cells, 1, 9), sep) + #sep + 3
    vim.api.nvim_win_set_cursor(0, { lnum, col })
    local start_col = actions.omnifunc(1, "")
    T.eq(col - 2, start_col, "completion starts at the cell text")
    local items = actions.omnifunc(0, "bl")
    T.eq("blocked", items[1].word)
    T.eq("[status]", items[1].menu)
    local all = actions.omnifunc(0, "")
    local words = {}
    for _, it in ipairs(all) do
      words[#words + 1] = it.word
    end
    T.eq("open", words[1], "most frequent first")
    T.ok(vim.tbl_contains(words, "closed"))
    T.ok(vim.tbl_contains(words, "in-progress"), "and the configured statuses")
    T.eq("v:lua.sdndb_omnifunc", vim.bo[buf].omnifunc)
  end)

  T.test(":Sdndb add inserts a record line from the template; :w creates it", function()
    local dir = start()
    local buf = open("todo")
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "4"), 0 })
    vim.cmd("Sdndb add")
    local lnum = vim.api.nvim_win_get_cursor(0)[1]
    T.eq(line_of(buf, "4") + 1, lnum, "below the cursor line")
    local cells = format.split(lines(buf)[lnum], sep)
    T.eq(#view.state[buf].columns, #cells, "one cell per column")
    T.eq("", vim.trim(cells[1]), "no id yet")
    T.eq("open", vim.trim(cells[10]), "template status")
    cells[5] = " Added from the template "
    vim.api.nvim_buf_set_lines(buf, lnum - 1, lnum, false, { table.concat(cells, sep) })
    write()
    T.match(file(dir), "Added from the template")
    local id = view.id_at(buf, lnum)
    T.ok(id, "the new line got its id")
    T.match(row(dir, id), "open")
  end)

  T.test("highlighting: status and priority colours, dimmed separators, header", function()
    start()
    local buf = open("todo")
    local function groups(lnum)
      local out = {}
      for _, h in ipairs(actions.line_highlights(buf, lnum, lines(buf)[lnum])) do
        out[#out + 1] = h[3]
      end
      return out
    end
    T.ok(vim.tbl_contains(groups(1), "SdndbHeader"))
    local g2 = groups(line_of(buf, "2")) -- P0, open
    T.ok(vim.tbl_contains(g2, "SdndbStatusOpen"), vim.inspect(g2))
    T.ok(vim.tbl_contains(g2, "SdndbPriorityHigh"))
    T.ok(vim.tbl_contains(g2, "SdndbSeparator"))
    T.ok(vim.tbl_contains(g2, "SdndbId"))
    T.ok(vim.tbl_contains(groups(line_of(buf, "6")), "SdndbStatusDone"))
    T.ok(vim.tbl_contains(groups(line_of(buf, "10")), "SdndbStatusBlocked"))
    -- The status cell is exactly what is highlighted.
    local l = lines(buf)[line_of(buf, "10")]
    for _, h in ipairs(actions.line_highlights(buf, line_of(buf, "10"), l)) do
      if h[3] == "SdndbStatusBlocked" then
        T.eq("blocked", l:sub(h[1] + 1, h[2]))
      end
    end
  end)

  -- The header, per Neovim version: each test runs on the versions that take its branch.
  local columns = vim.o.columns
  table.insert(T.after_each, function()
    vim.o.columns = columns
    vim.o.number = false
  end)
  -- The todo table in the current (80-column) window, with or without line numbers.
  local function table_window(number)
    local dir = start()
    local buf = open("todo")
    local win = vim.api.nvim_get_current_win()
    vim.wo[win].number = number
    return buf, win, vim.fn.getwininfo(win)[1].textoff, dir
  end
  if vim.fn.has("nvim-0.8") == 1 then
    -- What Neovim draws in the window bar of win (its text, highlights dropped).
    local function winbar_of(win)
      return vim.api.nvim_eval_statusline(vim.wo[win].winbar, { winid = win, use_winbar = true }).str
    end

    T.test("0.8+: the header is the window bar, after the number column, scrolled with the text", function()
      local buf, win, textoff = table_window(true)
      local header = lines(buf)[1]
      T.ok(vim.fn.strchars(header) > 80, "a header wider than the 80-column window: " .. header)
      -- Set when the buffer was shown, before any cursor motion.
      T.match(vim.wo[win].winbar, "sdndb")
      vim.wo[win].wrap = false
      T.eq(4, textoff, "the number column")
      T.eq(string.rep(" ", textoff) .. vim.fn.strcharpart(header, 0, 80 - textoff), winbar_of(win))
      -- Scrolled down (line 1 off screen) and 20 columns right.
      vim.cmd("resize 5")
      vim.api.nvim_win_set_cursor(win, { #lines(buf), 0 })
      vim.cmd("normal! zt")
      vim.cmd("normal! 20zl")
      T.ok(vim.fn.line("w0") > 1, "line 1 scrolled away")
      local leftcol = vim.fn.winsaveview().leftcol
      T.ok(leftcol >= 20, "scrolled right")
      T.eq(string.rep(" ", textoff) .. vim.fn.strcharpart(header, leftcol, 80 - textoff), winbar_of(win))
      -- A wide window: the whole header, then the filter/sort/count note, as on line 1.
      vim.cmd("normal! 0")
      vim.o.columns = 250
      T.eq(string.rep(" ", textoff) .. header .. actions.header_note(buf), winbar_of(win))
      T.match(winbar_of(win), "12 records$")
    end)

    T.test("0.8+: the window bar is redrawn when a sign column appears or goes", function()
      local buf, win, textoff = table_window(false)
      vim.cmd("redraw")
      T.eq(0, textoff, "no number or sign column yet")
      T.eq(0, actions.winbar_textoff(win), "the bar as drawn")
      -- A sign alone (no text change, which would redraw the bar anyway): Neovim keeps the bar.
      local ns = vim.api.nvim_create_namespace("sdndb_test_signs")
      vim.diagnostic.set(ns, buf, { { lnum = 3, col = 0, message = "a sign", severity = vim.diagnostic.severity.WARN } })
      vim.cmd("redraw")
      T.eq(2, vim.fn.getwininfo(win)[1].textoff, "the sign column")
      T.wait(function()
        return actions.winbar_textoff(win) == 2
      end, 2000, "the bar redrawn after the sign column")
      T.eq("  " .. vim.fn.strcharpart(lines(buf)[1], 0, 78), winbar_of(win))
      vim.diagnostic.reset(ns, buf)
      vim.cmd("redraw")
      T.wait(function()
        return actions.winbar_textoff(win) == 0
      end, 2000, "the bar redrawn without the sign column")
    end)

    T.test("0.8+: the window bar stays with the table buffer, not with the window", function()
      local buf, win, _, dir = table_window(false)
      T.ok(winbar_of(win):find("id"), "the header in the bar")
      vim.cmd("split")
      T.match(winbar_of(vim.api.nvim_get_current_win()), "keyword", "a split of the table shows it too")
      vim.cmd("enew")
      T.eq("", vim.wo.winbar, "a new buffer in the split")
      vim.cmd("close")
      vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/todo_db.sdn"))
      T.eq("", vim.wo[win].winbar, "another file in the table's window")
      vim.cmd("buffer " .. buf)
      T.match(winbar_of(win), "keyword", "back to the table")
    end)
  else
    T.test("0.7: the header floats over the top line when scrolled, after the number column", function()
      local buf, win, textoff = table_window(true)
      T.eq(4, textoff, "the number column")
      vim.cmd("resize 5")
      vim.api.nvim_win_set_cursor(0, { #lines(buf), 0 })
      vim.cmd("normal! zt")
      actions.update_header(win)
      local fw = T.ok(actions.header_float(), "a header float")
      local text = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(fw), 0, -1, false)[1]
      T.eq(vim.fn.strcharpart(lines(buf)[1], 0, 80 - textoff), text)
      local at, float_at = vim.api.nvim_win_get_position(win), vim.api.nvim_win_get_position(fw)
      T.eq({ at[1], at[2] + textoff }, float_at, "starts after the number column")
      T.eq(80 - textoff, vim.api.nvim_win_get_width(fw))
      vim.cmd("normal! gg")
      actions.update_header(win)
      T.eq(nil, actions.header_float(), "no float while line 1 is visible")
    end)
  end

  T.test(":Sdndb status cycles and sets the status of the cursor line", function()
    local dir = start()
    local buf = open("todo")
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "1"), 0 })
    vim.cmd("Sdndb status")
    T.eq("in-progress", cell(buf, "1", "status"))
    vim.cmd("Sdndb status")
    T.eq("blocked", cell(buf, "1", "status"))
    vim.cmd("Sdndb status closed")
    T.eq("closed", cell(buf, "1", "status"))
    -- The same from the keymap.
    vim.g.maplocalleader = ","
    view.refresh(buf, true)
    settle()
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "1"), 0 })
    vim.api.nvim_feedkeys(",s", "xt", false)
    vim.g.maplocalleader = nil
    T.eq("in-progress", cell(buf, "1", "status"), "<localleader>s cycles")
    vim.cmd("Sdndb status closed")
    T.eq(#view.state[buf].columns, #format.split(lines(buf)[line_of(buf, "1")], sep))
    write()
    T.match(row(dir, "1"), "closed")
  end)

  T.test("gf on a todo row opens its file at its line", function()
    local dir = start()
    vim.fn.mkdir(dir .. "/src/doc", "p")
    local body = {}
    for i = 1, 80 do
      body[i] = "line " .. i
    end
    T.write(dir .. "/src/doc/mod1.spl", table.concat(body, "\n") .. "\n")
    local buf = open("todo")
    vim.api.nvim_win_set_cursor(0, { line_of(buf, "1"), 0 })
    vim.api.nvim_feedkeys("gf", "xt", false)
    T.match(vim.api.nvim_buf_get_name(0), "src/doc/mod1%.spl$")
    T.eq(50, vim.api.nvim_win_get_cursor(0)[1])
  end)

  T.test("another table of a file (bug.notes, keyless): opened and edited when the server lists tables", function()
    local dir, original = start_with_bug_db()
    local dbs
    require("sdndb").databases(true, function(d)
      dbs = d
    end)
    T.wait(function()
      return dbs ~= nil
    end)
    local bug
    for _, d in ipairs(dbs) do
      if d.name == "bug" then
        bug = d
      end
    end
    T.ok(bug, "the bug database is listed")
    if not bug.tables then
      vim.cmd("Sdndb bug.notes")
      settle()
      T.ok(T.noted("cannot open other tables"), "a clear message from a server without tables")
      return
    end
    local c = require("sdndb").complete("bug.", "Sdndb bug.", 10)
    T.ok(vim.tbl_contains(c, "bug.notes"), "completion offers the tables: " .. vim.inspect(c))
    local buf = open("bug.notes")
    T.eq("sdndb://bug.notes", vim.api.nvim_buf_get_name(buf))
    T.eq("notes", view.state[buf].table)
    T.eq({ "bug_id", "timestamp", "note" }, vim.list_slice(view.state[buf].columns, 1, 3))
    local l = lines(buf)
    T.ok(#l > 2, "rows shown")
    -- Edit the note of the second row and :w: exactly that line of the file changes.
    local id = view.id_at(buf, 3)
    set_cell(buf, id, "note", "edited from Neovim")
    write()
    T.eq(false, vim.bo[buf].modified)
    local a, b2 = vim.split(original, "\n", { plain = true }), vim.split(file(dir, "bug"), "\n", { plain = true })
    T.eq(#a, #b2, "same number of lines")
    local changed = {}
    for i = 1, #a do
      if a[i] ~= b2[i] then
        changed[#changed + 1] = b2[i]
      end
    end
    T.eq(1, #changed, "one line changed")
    T.match(changed[1], "edited from Neovim")
    -- A user's own `version` column (a table without version metadata) is shown and kept.
    local sk = open("bug.skills_updated")
    T.ok(vim.tbl_contains(view.state[sk].columns, "version"), vim.inspect(view.state[sk].columns))
  end)

  T.test("live refresh of another table: a note changed elsewhere shows in bug.notes, not in bug", function()
    local dir, original = start_with_bug_db()
    local notes = open("bug.notes")
    local bugs = open("bug")
    T.eq("sdndb://bug", vim.api.nvim_buf_get_name(bugs))
    T.ok(notes ~= bugs, "two buffers")
    local bugs_before = lines(bugs)
    local changedtick = vim.api.nvim_buf_get_changedtick(bugs)
    -- Every request the plugin makes from here on (a refresh of the wrong table would show here).
    local server = require("sdndb.server")
    local real_request, asked = server.request, {}
    server.request = function(method, params, ...)
      asked[#asked + 1] = method .. " " .. tostring(params and params.database) .. "." .. tostring(params and params.table)
      return real_request(method, params, ...)
    end
    -- Another process rewrites one note (a plain rewrite of the file, as an editor would).
    local edited = original:gsub("Confirmed MIR lowering gets 0 modules", "Confirmed elsewhere: 0 modules", 1)
    T.write(dir .. "/bug_db.sdn", edited)
    T.wait(function()
      return table.concat(lines(notes), "\n"):find("Confirmed elsewhere: 0 modules", 1, true) ~= nil
    end, 5000, "the notes buffer to show the note changed elsewhere")
    settle()
    T.eq(false, vim.bo[notes].modified, "a refresh, not an edit")
    T.eq(bugs_before, lines(bugs), "the records table's buffer is untouched")
    server.request = real_request
    T.eq(changedtick, vim.api.nvim_buf_get_changedtick(bugs), "and was not rewritten")
    for _, a in ipairs(asked) do
      T.ok(not a:match("^sdndb/get ") or a:match("%.notes$"), "only the notes table is re-read: " .. vim.inspect(asked))
    end
  end)

  T.test("record view of a row addressed by position (bug.notes/@N): its key shows as stored, an edit keeps it; no version line without a version column", function()
    local dir, original = start_with_bug_db()
    local notes = open("bug.notes")
    local id
    for i, l in ipairs(lines(notes)) do
      if l:find("Confirmed MIR lowering gets 0 modules", 1, true) then
        id = view.id_at(notes, i)
      end
    end
    T.match(tostring(id), "^@%d+$", "the second bootstrap_001 note has no unique key")
    vim.cmd("edit " .. vim.fn.fnameescape("sdndb://bug.notes/" .. id))
    local rb = vim.api.nvim_get_current_buf()
    H.wait_record(rb)
    local text = table.concat(lines(rb), "\n")
    T.match(text, "\nbug_id: bootstrap_001\n", "the key, not the address")
    T.ok(not text:find("# version:", 1, true), "no version line for a table without versions: " .. text)
    H.set_field(rb, "note", "Confirmed here")
    write()
    T.eq(false, vim.bo[rb].modified, "written")
    local after = T.read(dir .. "/bug_db.sdn")
    T.eq(original:gsub("Confirmed MIR lowering gets 0 modules", "Confirmed here", 1), after, "one changed line, key kept")
    T.match(table.concat(lines(rb), "\n"), "\nbug_id: bootstrap_001\n", "still the key after the write")
  end)

  T.test("a notification of another table arriving while a buffer's table is not known yet is not taken for its own", function()
    local dir = start_with_bug_db()
    local server = require("sdndb.server")
    local real_request, lists, gets = server.request, 0, {}
    server.request = function(method, params, ...)
      if method == "sdndb/list" then
        lists = lists + 1
      elseif method == "sdndb/get" then
        gets[#gets + 1] = tostring(params.table) .. " " .. tostring(params.id)
      end
      return real_request(method, params, ...)
    end
    vim.cmd("edit sdndb://bug")
    local buf = vim.api.nvim_get_current_buf()
    T.eq(nil, view.state[buf].table_name, "its table info is still being read")
    -- A note keyed like bug parser_001 was removed: for the records table it would be a record gone.
    view.on_did_change({ database = "bug", table = "notes", changed = { "@2" }, added = {}, removed = { "parser_001" },
      conflicts = 0 })
    -- The records table's own notification is kept for the end of the load.
    view.on_did_change({ database = "bug", table = "bugs", changed = { "string_001" }, added = {}, removed = {}, conflicts = 0 })
    T.wait(function()
      return view.state[buf] and view.state[buf].loaded
    end, 5000, "buffer loaded")
    settle()
    server.request = real_request
    T.eq(1, lists, "one read of the table, no second read for another table's notification")
    T.ok(H.line_of(buf, "parser_001"), "bug parser_001 is shown")
    T.eq({ "nil string_001" }, gets, "the records table's changed record is re-read once loaded, nothing of notes")
  end)

  T.test(":Sdndb diff of a conflict in another table (bug.notes) shows that table's row, not the bug of the same key", function()
    local dir = start_with_bug_db()
    local rec = vim.json.decode(H.cli_ok(dir, "show", "bug.notes", "parser_001", "--json"))
    H.cli_ok(dir, "edit", "bug.notes", "parser_001", "--expect", rec.etag, "note=stored note")
    local out, rc = H.cli(dir, "edit", "bug.notes", "parser_001", "--expect", rec.etag, "note=late note")
    T.eq(2, rc, out)
    open("bug.notes")
    local c
    for _, k in ipairs(H.fetch_conflicts("bug")) do
      if k.table == "notes" then
        c = k
      end
    end
    T.ok(c, "the conflict of bug.notes")
    local left, right
    require("sdndb.conflicts").diff(c, function(l, r)
      left, right = l, r
    end)
    T.wait(function()
      return left ~= nil
    end, 5000, "the diff")
    T.eq({ "bug_id: parser_001", "timestamp: 2026-01-30T03:41:00", "note: late note" }, lines(left), "the late edit")
    T.eq({ "bug_id: parser_001", "timestamp: 2026-01-30T03:41:00", "note: stored note" }, lines(right), "as stored")
    T.match(vim.api.nvim_buf_get_name(left), "sdndb://bug%.notes/parser_001 ", "named by its table")
    vim.cmd("tabclose")
  end)
end
