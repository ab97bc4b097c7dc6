-- sdndb://<database> buffers: one record per line, written back on :w.
local config = require("sdndb.config")
local format = require("sdndb.format")
local rpc = require("sdndb.rpc")
local server = require("sdndb.server")

local uv = vim.uv or vim.loop

local M = {}

local function now_ms()
  return uv.hrtime() / 1e6
end

M.ns_parse = vim.api.nvim_create_namespace("sdndb_parse")
M.ns_hl = vim.api.nvim_create_namespace("sdndb_highlight")
M.prefix = "sdndb://"

---Per-buffer state: bufnr -> { db, columns, base = {id -> {version, fields, order}}, writing, own }
M.state = {}

local function notify(msg, level)
  vim.notify("sdndb: " .. msg, level or vim.log.levels.INFO)
end

---Asks yes/no. Replaceable (tests, other UIs).
function M.confirm(msg)
  return vim.fn.confirm(msg, "&Yes\n&No", 2) == 1
end

function M.db_of(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  local db = name:match("^" .. vim.pesc(M.prefix) .. "([^/]+)")
  return db
end

function M.buffers_of(db)
  local out = {}
  for buf, st in pairs(M.state) do
    if st.db == db and vim.api.nvim_buf_is_valid(buf) and vim.api.nvim_buf_is_loaded(buf) then
      out[#out + 1] = buf
    end
  end
  table.sort(out)
  return out
end

local function set_modified(buf, v)
  vim.bo[buf].modified = v
end

local function id_at(buf, lnum)
  local line = vim.api.nvim_buf_get_lines(buf, lnum - 1, lnum, false)[1]
  if not line or lnum < 2 then
    return nil
  end
  local sep = config.get().separator
  local id = format.unescape(format.split(line, sep)[1] or "", sep)
  if id == "" then
    return nil
  end
  return id
end
M.id_at = id_at

---The line of a record in a buffer, or nil.
function M.line_of(buf, id)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  return format.find_line(lines, id, config.get().separator)
end

local function map(buf, lhs, fn, desc)
  if lhs and lhs ~= "" then
    vim.keymap.set("n", lhs, fn, { buffer = buf, silent = true, desc = desc })
  end
end

local function set_keymaps(buf)
  local km = config.get().keymaps
  if not km then
    return
  end
  local conflicts = require("sdndb.conflicts")
  map(buf, km.resolve, function()
    conflicts.resolve_at_cursor()
  end, "sdndb: resolve the conflict on this line")
  map(buf, km.diff, function()
    conflicts.diff_at_cursor()
  end, "sdndb: side-by-side view of the conflict on this line")
  map(buf, km.refresh, function()
    M.refresh(buf, false)
  end, "sdndb: reload from the database")
  map(buf, km.conflicts, function()
    conflicts.quickfix(M.state[buf] and M.state[buf].db)
  end, "sdndb: conflicts in the quickfix list")
  map(buf, km.next_conflict, function()
    conflicts.jump(1)
  end, "sdndb: next conflict")
  map(buf, km.prev_conflict, function()
    conflicts.jump(-1)
  end, "sdndb: previous conflict")
end

local function highlight(buf)
  vim.api.nvim_buf_clear_namespace(buf, M.ns_hl, 0, -1)
  local first = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]
  if first and first ~= "" then
    pcall(vim.api.nvim_buf_set_extmark, buf, M.ns_hl, 0, 0, { end_row = 0, end_col = #first, hl_group = "Title" })
  end
end

---Fetches the database and its records. Returns info, columns, records or nil, err.
local function fetch(db)
  local info, err = server.database(db)
  if not info then
    return nil, err
  end
  local res
  res, err = server.request("sdndb/list", { database = db })
  if not res then
    return nil, err
  end
  return info, format.columns(info), res.records or {}
end

---Replaces the buffer text with records; keeps the cursor on the same record.
--- keep: optional { [id] = raw line } lines to keep as typed (failed writes); extra: raw lines to append.
local function render_into(buf, st, records, keep, extra)
  local o = config.get()
  local lines = format.render(st.columns, records, o.separator)
  for i, rec in ipairs(records) do
    local kept = keep and keep[tostring(rec.id)]
    if kept then
      lines[i + 1] = kept
    end
  end
  for _, l in ipairs(extra or {}) do
    lines[#lines + 1] = l
  end
  st.base = format.base(records)
  -- Remember which record each window's cursor is on.
  local wins = {}
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_buf(win) == buf then
      local pos = vim.api.nvim_win_get_cursor(win)
      wins[#wins + 1] = { win = win, pos = pos, id = id_at(buf, pos[1]) }
    end
  end
  local ul = vim.bo[buf].undolevels
  vim.bo[buf].undolevels = -1
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].undolevels = ul
  for _, w in ipairs(wins) do
    local row = w.pos[1]
    if w.id then
      row = format.find_line(lines, w.id, o.separator) or row
    end
    row = math.max(1, math.min(row, #lines))
    local col = math.min(w.pos[2], math.max(0, #lines[row] - 1))
    pcall(vim.api.nvim_win_set_cursor, w.win, { row, col })
  end
  highlight(buf)
end

local function setup_buffer(buf)
  vim.bo[buf].buftype = "acwrite"
  vim.bo[buf].swapfile = false
  vim.bo[buf].bufhidden = "hide"
  if vim.bo[buf].filetype ~= "sdndb" then
    vim.bo[buf].filetype = "sdndb"
  end
  set_keymaps(buf)
end

---BufReadCmd: fills the buffer from the server.
function M.load(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local db = M.db_of(buf)
  if not db then
    notify("not an sdndb buffer: " .. vim.api.nvim_buf_get_name(buf), vim.log.levels.ERROR)
    return false
  end
  setup_buffer(buf)
  local info, columns, records = fetch(db)
  if not info then
    local err = columns
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, { "sdndb: " .. rpc.format_error(err) })
    set_modified(buf, false)
    notify("cannot open '" .. db .. "': " .. rpc.format_error(err), vim.log.levels.ERROR)
    M.state[buf] = nil
    return false
  end
  local st = { db = db, columns = columns, base = {} }
  M.state[buf] = st
  render_into(buf, st, records)
  set_modified(buf, false)
  vim.diagnostic.reset(M.ns_parse, buf)
  require("sdndb.conflicts").refresh_buffer(buf)
  return true
end

---Reloads a buffer from the database. When it has unsaved edits, only with force=true.
function M.refresh(buf, force)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  if vim.bo[buf].modified and not force then
    notify("buffer has unsaved edits; use :Sdndb refresh! to discard them", vim.log.levels.WARN)
    return false
  end
  return M.load(buf)
end

local function set_parse_diagnostics(buf, errors)
  local diags = {}
  for _, e in ipairs(errors) do
    diags[#diags + 1] = {
      lnum = e.lnum - 1,
      col = e.col or 0,
      severity = vim.diagnostic.severity.ERROR,
      source = "sdndb",
      message = e.message,
    }
  end
  vim.diagnostic.set(M.ns_parse, buf, diags)
end

local function describe_error(err)
  if type(err) ~= "table" then
    return tostring(err)
  end
  local msg = rpc.format_error(err)
  if type(err.data) == "table" and err.data.field then
    msg = msg .. " [field " .. tostring(err.data.field) .. "]"
  end
  return msg
end

---BufWriteCmd: validates the lines and sends creates, edits and deletes with their base versions.
function M.write(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local st = M.state[buf]
  if not st then
    if not M.load(buf) then
      return false
    end
    st = M.state[buf]
  end
  local o = config.get()
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local entries, errors = format.parse(lines, st.columns, o.separator)
  if #errors > 0 then
    set_parse_diagnostics(buf, errors)
    notify(string.format("%d line(s) have problems; nothing was written", #errors), vim.log.levels.ERROR)
    return false
  end
  vim.diagnostic.reset(M.ns_parse, buf)
  local d = format.diff(st.base, entries, st.columns)
  if #d.edits + #d.creates + #d.deletes == 0 then
    set_modified(buf, false)
    notify("no changes")
    return true
  end
  if #d.deletes > 0 and o.confirm_delete then
    local ids = {}
    for _, del in ipairs(d.deletes) do
      ids[#ids + 1] = del.id
    end
    local msg = string.format("Delete %d record(s) from %s: %s?", #ids, st.db, table.concat(ids, ", "))
    if not M.confirm(msg) then
      notify("write cancelled; nothing was sent", vim.log.levels.WARN)
      return false
    end
  end

  local ok_server, why = server.ensure()
  if not ok_server then
    notify("nothing was written: " .. tostring(why), vim.log.levels.ERROR)
    return false
  end

  st.writing = true
  local own = {} -- ids this write touched: their didChange echo is not "elsewhere"
  local failed = {} -- diagnostics for lines whose change was refused
  local keep, extra = {}, {}
  local counts = { applied = 0, merged = 0, conflict = 0, created = 0, deleted = 0 }
  local function fail(lnum, id, msg)
    failed[#failed + 1] = { lnum = lnum, id = id, message = msg, line = lines[lnum] }
  end

  local sent_ok, send_err = pcall(function()
    for _, e in ipairs(d.edits) do
      local params = {
        database = st.db,
        id = e.id,
        changes = e.changes,
        base = { version = e.base.version, fields = next(e.base.fields) and e.base.fields or vim.empty_dict() },
      }
      params.strategy = o.strategy
      local res, err = server.request("sdndb/edit", params)
      own[e.id] = true
      if res then
        counts[res.outcome] = (counts[res.outcome] or 0) + 1
      else
        local msg = describe_error(err)
        if err and err.code == rpc.errors.Conflict and type(err.data) == "table" then
          local fields = type(err.data.fields) == "table" and table.concat(err.data.fields, ", ") or "?"
          msg = "changed elsewhere (" .. fields .. "); :w again to overwrite, or :Sdndb refresh! to take theirs"
        elseif err and err.code == rpc.errors.NotFound then
          msg = "record " .. e.id .. " was deleted elsewhere; :w again re-creates it from this line"
        end
        fail(e.lnum, e.id, msg)
        keep[e.id] = lines[e.lnum]
      end
    end
    for _, del in ipairs(d.deletes) do
      local res, err = server.request("sdndb/delete", {
        database = st.db,
        id = del.id,
        baseVersion = del.version,
        strategy = o.strategy,
      })
      own[del.id] = true
      if res and res.outcome == "deleted" then
        counts.deleted = counts.deleted + 1
      elseif res then
        counts.conflict = counts.conflict + 1
      else
        fail(nil, del.id, "delete of " .. del.id .. " failed: " .. describe_error(err))
      end
    end
    for _, c in ipairs(d.creates) do
      local res, err = server.request("sdndb/create", { database = st.db, fields = c.fields })
      if res then
        counts.created = counts.created + 1
        if type(res.record) == "table" and res.record.id then
          own[tostring(res.record.id)] = true
        end
      else
        fail(c.lnum, nil, describe_error(err))
        extra[#extra + 1] = lines[c.lnum]
      end
    end
  end)
  if not sent_ok then
    -- Leave the buffer as typed; the next :w sends what is still different.
    st.writing = false
    notify("write failed: " .. tostring(send_err), vim.log.levels.ERROR)
    return false
  end

  -- Re-read everything; lines whose change failed stay as typed.
  local info, columns, records = fetch(st.db)
  st.writing = false
  st.own = { ids = own, until_ms = now_ms() + 2000 }
  if not info then
    notify("written, but reloading failed: " .. rpc.format_error(columns), vim.log.levels.ERROR)
    return false
  end
  st.columns = columns
  local present = {}
  for _, rec in ipairs(records) do
    present[tostring(rec.id)] = true
  end
  for id, line in pairs(keep) do
    if not present[id] then
      -- Deleted elsewhere meanwhile: keep the typed line; it will be created on the next write.
      extra[#extra + 1] = line
      keep[id] = nil
    end
  end
  render_into(buf, st, records, keep, extra)
  local new_lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local diags = {}
  for _, f in ipairs(failed) do
    local lnum
    if f.id then
      lnum = format.find_line(new_lines, f.id, o.separator)
    elseif f.line then
      for i = #new_lines, 2, -1 do
        if new_lines[i] == f.line then
          lnum = i
          break
        end
      end
    end
    diags[#diags + 1] = {
      lnum = (lnum or 1) - 1,
      col = 0,
      severity = vim.diagnostic.severity.ERROR,
      source = "sdndb",
      message = f.message,
    }
  end
  vim.diagnostic.set(M.ns_parse, buf, diags)
  set_modified(buf, #failed > 0)
  require("sdndb.conflicts").refresh_buffer(buf)

  local parts = {}
  for _, k in ipairs({ "applied", "merged", "created", "deleted", "conflict", "unchanged" }) do
    if (counts[k] or 0) > 0 then
      parts[#parts + 1] = counts[k] .. " " .. k
    end
  end
  if #failed > 0 then
    parts[#parts + 1] = #failed .. " failed"
  end
  local level = (#failed > 0 or counts.conflict > 0) and vim.log.levels.WARN or vim.log.levels.INFO
  notify(st.db .. ": " .. table.concat(parts, ", "), level)
  return #failed == 0
end

---True when a didChange only reports what this buffer's last write did (shortly after it).
function M.is_own_echo(st, params)
  local own = st.own
  if not own or now_ms() > own.until_ms then
    return false
  end
  local any = false
  for _, key in ipairs({ "changed", "added", "removed" }) do
    for _, id in ipairs(params[key] or {}) do
      any = true
      if not own.ids[tostring(id)] then
        return false
      end
    end
  end
  return any
end

---Handles sdndb/didChange: reloads unmodified buffers in place; warns on modified ones.
function M.on_did_change(params)
  if type(params) ~= "table" or not params.database then
    return
  end
  for _, buf in ipairs(M.buffers_of(params.database)) do
    local st = M.state[buf]
    if st.writing then
      -- Our own write; the buffer is re-read when it ends.
    elseif M.is_own_echo(st, params) then
      -- The echo of our last write (the buffer was re-read after it): nothing changed elsewhere.
      st.own = nil
    elseif not vim.bo[buf].modified then
      if config.get().auto_refresh then
        M.load(buf)
      else
        require("sdndb.conflicts").refresh_buffer(buf)
      end
    else
      local ids = {}
      for _, key in ipairs({ "changed", "added", "removed" }) do
        for _, id in ipairs(params[key] or {}) do
          ids[#ids + 1] = tostring(id)
        end
      end
      notify(
        string.format(
          "%s changed elsewhere%s; your unsaved edits are kept (:w merges them, :Sdndb refresh! discards them)",
          params.database,
          #ids > 0 and (" (" .. table.concat(ids, ", ") .. ")") or ""
        ),
        vim.log.levels.WARN
      )
      require("sdndb.conflicts").refresh_buffer(buf)
    end
  end
  require("sdndb.conflicts").on_did_change(params)
end

---Opens a database in the current window.
function M.open(db)
  local name = M.prefix .. db
  local existing = vim.fn.bufnr(name)
  if existing ~= -1 and vim.api.nvim_buf_is_loaded(existing) and M.state[existing] then
    vim.api.nvim_set_current_buf(existing)
  else
    vim.cmd("edit " .. vim.fn.fnameescape(name))
  end
  vim.cmd("setlocal nowrap")
  return vim.api.nvim_get_current_buf()
end

function M.detach(buf)
  M.state[buf] = nil
end

return M
