-- Helpers shared by the specs that run the plugin against the real `sdndb serve` (SDNDB_BIN) on
-- copies of docs/example/*.sdn in a temporary folder.
return function(T)
  if T.H then
    return T.H
  end
  local H = {}
  local uv = vim.uv or vim.loop
  local sep = "│"
  H.sep = sep
  local bin = os.getenv("SDNDB_BIN") or (T.repo_root .. "/build/server/sdndb")
  H.bin = bin
  local examples = T.repo_root .. "/docs/example"
  H.examples = examples

  local sdndb = require("sdndb")
  local view = require("sdndb.view")
  local conflicts = require("sdndb.conflicts")
  local server = require("sdndb.server")
  local format = require("sdndb.format")
  local _ = sdndb

  local real_select, real_input, real_confirm = vim.ui.select, vim.ui.input, view.confirm
  local counter = 0

  function H.fresh_dir()
    counter = counter + 1
    local dir = (os.getenv("SDNDB_TEST_TMP") or vim.fn.fnamemodify(vim.fn.tempname(), ":h"))
      .. string.format("/db-%d-%d", uv.os_getpid(), counter)
    vim.fn.mkdir(dir, "p")
    for _, f in ipairs(vim.fn.glob(examples .. "/*.sdn", false, true)) do
      T.write(dir .. "/" .. vim.fn.fnamemodify(f, ":t"), T.read(f))
    end
    return dir
  end

  function H.start(opts)
    local dir = H.fresh_dir()
    sdndb.setup(vim.tbl_extend("force", { binary = bin, dir = dir, timeout = 10000 }, opts or {}))
    return dir
  end

  function H.cli(dir, ...)
    local out = vim.fn.system(vim.list_extend({ bin, "--dir", dir }, { ... }))
    return out, vim.v.shell_error
  end

  function H.file(dir, db)
    return T.read(dir .. "/" .. (db or "todo") .. "_db.sdn") or ""
  end

  -- The line of record `id` in the todo file on disk.
  function H.row(dir, id)
    for line in H.file(dir):gmatch("[^\n]+") do
      if line:match('^%s+"?' .. vim.pesc(id) .. '"?%s*,') then
        return line
      end
    end
  end

  function H.lines(buf)
    return vim.api.nvim_buf_get_lines(buf or 0, 0, -1, false)
  end

  function H.line_of(buf, id)
    return format.find_line(H.lines(buf), id, sep)
  end

  function H.cell(buf, id, col)
    local st = view.state[buf]
    local l = H.lines(buf)[H.line_of(buf, id)]
    local cells = format.split(l, sep)
    for i, c in ipairs(st.columns) do
      if c == col then
        return format.unescape(cells[i], sep)
      end
    end
  end

  -- Changes one cell of a record's line, as a user would.
  function H.set_cell(buf, id, col, value)
    local st = view.state[buf]
    local lnum = T.ok(H.line_of(buf, id), "no line for id " .. id)
    local cells = format.split(H.lines(buf)[lnum], sep)
    for i, c in ipairs(st.columns) do
      if c == col then
        cells[i] = " " .. format.escape(value, sep) .. " "
      end
    end
    vim.api.nvim_buf_set_lines(buf, lnum - 1, lnum, false, { table.concat(cells, sep) })
  end

  -- Waits for the record view in buf to be loaded.
  function H.wait_record(buf)
    local record = require("sdndb.record")
    T.wait(function()
      return record.state[buf] and record.state[buf].loaded
    end, 5000, "record view loaded: " .. vim.api.nvim_buf_get_name(buf))
  end

  -- Changes the `field: value` line of a record view, as a user would.
  function H.set_field(buf, field, value)
    local lnum
    for i, l in ipairs(H.lines(buf)) do
      if l:match("^" .. vim.pesc(field) .. ":") then
        lnum = i
      end
    end
    T.ok(lnum, "no line for field " .. field)
    vim.api.nvim_buf_set_lines(buf, lnum - 1, lnum, false, { field .. ": " .. value })
  end

  -- True when nothing of the plugin waits for the server.
  function H.idle()
    if server.starting then
      return false
    end
    if server.client and next(server.client.pending) then
      return false
    end
    for _, st in pairs(view.state) do
      if st.write then
        return false
      end
    end
    return true
  end

  -- Waits until the plugin is idle (and stays so for a moment: answers trigger more requests).
  function H.settle(ms)
    T.wait(H.idle, ms or 5000, "the plugin to finish its requests")
    vim.wait(30, function()
      return false
    end, 10)
    T.wait(H.idle, ms or 5000, "the plugin to finish its requests")
  end

  function H.open(db)
    vim.cmd("Sdndb " .. (db or "todo"))
    local buf = vim.api.nvim_get_current_buf()
    T.wait(function()
      return view.state[buf] and view.state[buf].loaded
    end, 5000, "buffer loaded: " .. vim.api.nvim_buf_get_name(buf))
    H.settle()
    return buf
  end

  -- :w, then waits for the server's answer.
  function H.write()
    vim.cmd("write")
    H.settle()
  end

  function H.fetch_conflicts(db)
    local got
    conflicts.fetch(db, function(list)
      got = list
    end)
    T.wait(function()
      return got ~= nil
    end, 5000, "conflicts")
    return got
  end

  function H.run(cmd)
    vim.cmd(cmd)
    H.settle()
  end

  function H.diags(buf, ns)
    local d = vim.diagnostic.get(buf, { namespace = ns })
    table.sort(d, function(a, b)
      return a.lnum < b.lnum
    end)
    return d
  end

  -- Waits until the server has told us about a change to a modified buffer.
  function H.wait_notice()
    T.wait(function()
      return T.noted("changed elsewhere") ~= nil
    end, 5000, "the 'changed elsewhere' notice")
  end

  -- Runs the CLI; fails the test unless it exits with 0. Returns its output.
  function H.cli_ok(dir, ...)
    local out, rc = H.cli(dir, ...)
    T.eq(0, rc, out)
    return out
  end

  -- The CLI alone records a conflict on todo `id`: two edits of `col`, both based on version 0.
  -- Both based on what is stored now: its etag where the server has etags, else its version.
  function H.cli_conflict(dir, id, col, first, second)
    local rec = vim.json.decode(H.cli_ok(dir, "show", "todo", id, "--json"))
    local expect = rec.etag and { "--expect", rec.etag } or { "--expect-version", tostring(rec.version or 0) }
    H.cli_ok(dir, "edit", "todo", id, expect[1], expect[2], col .. "=" .. first)
    local out, rc = H.cli(dir, "edit", "todo", id, expect[1], expect[2], col .. "=" .. second)
    T.ok(rc == 0 or rc == 2, "second edit: " .. out)
  end

  -- Unsaved edits in the buffer (mine: { {id, col, value}, ... }), then a CLI command (the rest of
  -- the arguments) while they are unsaved; returns once the buffer got the "changed elsewhere" notice.
  function H.edit_both_sides(dir, buf, mine, ...)
    T.notes = {}
    for _, m in ipairs(mine) do
      H.set_cell(buf, m[1], m[2], m[3])
    end
    H.cli_ok(dir, ...)
    H.wait_notice()
  end

  -- Makes a conflict on record `id`, field `col`: mine = `mine`, theirs (CLI) = `theirs`; writes.
  function H.make_conflict(dir, buf, id, col, mine, theirs)
    H.edit_both_sides(dir, buf, { { id, col, mine } }, "edit", "todo", id, col .. "=" .. theirs)
    H.write()
  end

  function H.choose(label)
    vim.ui.select = function(items, _, on_choice)
      for _, it in ipairs(items) do
        if it == label then
          return on_choice(it)
        end
      end
      error("no choice " .. label .. " in " .. vim.inspect(items))
    end
  end

  table.insert(T.after_each, function()
    vim.ui.select, vim.ui.input, view.confirm = real_select, real_input, real_confirm
    pcall(vim.cmd, "silent! tabonly!")
    pcall(vim.cmd, "silent! only!")
    pcall(vim.fn.setqflist, {}, "r")
    pcall(vim.cmd, "silent! cclose")
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_get_name(b):match("^sdndb://") then
        pcall(vim.api.nvim_buf_delete, b, { force = true })
      end
    end
    server.stop()
  end)

  H.real = { select = real_select, input = real_input, confirm = real_confirm }
  T.H = H
  return H
end
