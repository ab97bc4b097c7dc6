-- sdndb://<database>/<id>: one record, one `field: value` line per column (long values whole),
-- with its version and modified time (tables with version columns) and etag as `# ` comment lines. :w sends one edit with the
-- base the view was read at, without waiting (like the table buffers).
local config = require("sdndb.config")
local format = require("sdndb.format")
local rpc = require("sdndb.rpc")
local server = require("sdndb.server")

local M = {}

M.state = {} -- buf -> { db, table, key, id, record, columns, write }
M.ns = vim.api.nvim_create_namespace("sdndb_record")

local notify = require("sdndb.util").notify

local function view()
  return require("sdndb.view")
end

---The key a record is stored with: its id, except for a row addressed by position (`@N`),
---whose key column holds the key.
local function key_of(rec, columns)
  local v = (rec.fields or {})[columns[1]]
  return (v == nil or v == vim.NIL) and tostring(rec.id) or tostring(v)
end

---The lines of a record view (`versioned` false: a table without version columns, whose
---records have no version or modified time to show).
function M.render(rec, columns, versioned)
  local lines = {}
  if versioned ~= false then
    lines[#lines + 1] = string.format("# version: %s", tostring(rec.version or ""))
    lines[#lines + 1] = string.format("# modified: %s", tostring(rec.modified or ""))
  end
  lines[#lines + 1] = string.format("# etag: %s", tostring(rec.etag or ""))
  for i, c in ipairs(columns) do
    local v = i == 1 and key_of(rec, columns) or (rec.fields or {})[c]
    lines[#lines + 1] = c .. ": " .. format.escape((v == nil or v == vim.NIL) and "" or v)
  end
  return lines
end

---Parses a record view. Returns fields or nil, errors ({lnum, message}).
function M.parse(lines, columns)
  local known = {}
  for _, c in ipairs(columns) do
    known[c] = true
  end
  local fields, errors = {}, {}
  for lnum, l in ipairs(lines) do
    if l:match("^%s*#") or not l:match("%S") then
      -- comment or blank
    else
      local name, value = l:match("^%s*([^:]-)%s*:%s?(.*)$")
      if not name then
        errors[#errors + 1] = { lnum = lnum, message = "expected 'field: value'" }
      elseif not known[name] then
        errors[#errors + 1] = { lnum = lnum, message = "unknown field '" .. name .. "'" }
      elseif fields[name] ~= nil then
        errors[#errors + 1] = { lnum = lnum, message = "field '" .. name .. "' appears twice" }
      else
        fields[name] = format.unescape(value)
      end
    end
  end
  return #errors == 0 and fields or nil, errors
end

local function show(buf, st, rec)
  st.record = rec
  require("sdndb.util").replace_lines(buf, M.render(rec, st.columns, st.versioned), not st.loaded)
  st.loaded = true
  view().mark_saved(buf)
  view().watch(buf)
end

---BufReadCmd of a record view; cb(ok).
function M.load(buf, cb)
  cb = cb or function() end
  local p = view().parse_name(vim.api.nvim_buf_get_name(buf))
  vim.bo[buf].buftype = "acwrite"
  vim.bo[buf].swapfile = false
  vim.bo[buf].bufhidden = "hide"
  vim.bo[buf].filetype = "sdndb-record"
  local st = M.state[buf] or { db = p.db, table = p.table, key = p.key, id = p.record }
  M.state[buf] = st
  view().table_info(st, function(info, err)
    if not info then
      notify("cannot open " .. p.key .. "/" .. p.record .. ": " .. rpc.format_error(err), vim.log.levels.ERROR)
      return cb(false)
    end
    st.columns = format.columns(info)
    st.versioned = info.versioned
    st.table_name = st.table or info.table
    server.request("sdndb/get", view().address(st, { id = st.id }), function(gerr, res)
      if not vim.api.nvim_buf_is_valid(buf) then
        return cb(false)
      end
      if not res or not res.record then
        vim.bo[buf].modifiable = true
        vim.api.nvim_buf_set_lines(buf, 0, -1, false, { "# sdndb: " .. rpc.format_error(gerr) })
        vim.bo[buf].modified = false
        notify("cannot open " .. p.key .. "/" .. p.record .. ": " .. rpc.format_error(gerr), vim.log.levels.ERROR)
        return cb(false)
      end
      show(buf, st, res.record)
      cb(true)
    end)
  end)
end

---BufWriteCmd of a record view: one edit with the base it was read at. done(ok) when answered.
function M.write(buf, done)
  done = done or function() end
  local st = M.state[buf]
  if not st or not st.loaded then
    notify("nothing was written: the record is not loaded yet", vim.log.levels.WARN)
    return false
  end
  if st.write then
    notify("the last write still waits for the server; nothing sent", vim.log.levels.WARN)
    return false
  end
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local fields, errors = M.parse(lines, st.columns)
  if not fields then
    vim.diagnostic.set(M.ns, buf, require("sdndb.util").error_diagnostics(errors))
    notify(string.format("%s (first: line %d: %s); nothing was written", view().plural(#errors, "problem"),
      errors[1].lnum, errors[1].message), vim.log.levels.ERROR)
    return false
  end
  vim.diagnostic.reset(M.ns, buf)
  local rec = st.record
  local changes, n = {}, 0
  for i, c in ipairs(st.columns) do
    local old = (rec.fields or {})[c]
    if old == nil or old == vim.NIL then
      old = ""
    end
    if i > 1 and fields[c] ~= nil and fields[c] ~= old then
      changes[c] = fields[c]
      n = n + 1
    end
  end
  if fields[st.columns[1]] and fields[st.columns[1]] ~= key_of(rec, st.columns) then
    notify("the id cannot be changed in the record view; nothing was written", vim.log.levels.ERROR)
    return false
  end
  if n == 0 then
    view().mark_saved(buf)
    notify(st.key .. "/" .. st.id .. ": no changes")
    done(true)
    return true
  end
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  local w = {}
  st.write = w
  local params = view().address(st, {
    id = st.id,
    changes = changes,
    base = { version = rec.version, etag = rec.etag, fields = rec.fields or vim.empty_dict() },
    strategy = config.get().strategy,
  })
  w.ticket = server.request("sdndb/edit", params, function(err, res)
    st.write = nil
    if not vim.api.nvim_buf_is_valid(buf) then
      return done(false)
    end
    local name = st.key .. "/" .. st.id
    if not res then
      if err and err.code == rpc.errors.RequestCancelled then
        notify(name .. ": write cancelled, nothing was written (:w retries)", vim.log.levels.WARN)
      else
        notify(name .. ": not written: " .. view().describe_error(err), vim.log.levels.ERROR)
      end
      return done(false)
    end
    local conflicts = require("sdndb.conflicts")
    for _, c in ipairs(res.conflicts or {}) do
      conflicts.remember_mine(st.db, c)
    end
    local msg = name .. ": " .. tostring(res.outcome)
    if w.slow then
      msg = name .. ": late answer, the write WAS applied (" .. tostring(res.outcome) .. ")"
    end
    local diags = {}
    for _, c in ipairs(res.conflicts or {}) do
      c.database = c.database or st.db
      diags[#diags + 1] = { lnum = 0, col = 0, severity = vim.diagnostic.severity.WARN, source = "sdndb",
        message = conflicts.describe(c) }
    end
    if type(res.record) == "table" and res.record.fields and vim.api.nvim_buf_get_changedtick(buf) == tick then
      show(buf, st, res.record)
    elseif type(res.record) == "table" and res.record.fields then
      st.record = res.record -- the user typed meanwhile: the next :w is based on what is stored
    end
    vim.diagnostic.set(M.ns, buf, diags)
    notify(msg, #diags > 0 and vim.log.levels.WARN or vim.log.levels.INFO)
    done(true)
  end, {
    on_slow = function(t)
      w.slow = true
      notify(string.format("%s/%s: no answer in %d ms; cancelling the write (not written yet)",
        st.key, st.id, config.get().timeout), vim.log.levels.WARN)
      t.cancel()
    end,
  })
  return true
end

---Opens the record view of the record on the cursor line of a table buffer.
function M.open_at_cursor()
  local buf = vim.api.nvim_get_current_buf()
  local st = view().state[buf]
  if not st then
    return notify("not an sdndb table buffer", vim.log.levels.WARN)
  end
  local id = view().id_at(buf, vim.api.nvim_win_get_cursor(0)[1])
  if not id then
    return notify("no record on this line", vim.log.levels.WARN)
  end
  if st.ghosts[id] then
    return notify("record " .. id .. " was deleted elsewhere; :Sdndb resolve first", vim.log.levels.WARN)
  end
  vim.cmd("edit " .. vim.fn.fnameescape(view().prefix .. st.key .. "/" .. id))
  return vim.api.nvim_get_current_buf()
end

---Refreshes open record views of a database after a change elsewhere (unmodified ones only).
function M.on_did_change(params)
  if type(params) ~= "table" then
    return
  end
  for buf, st in pairs(M.state) do
    if st.db == params.database and view().same_table(st, params) and vim.api.nvim_buf_is_valid(buf) and st.loaded
      and not st.write and not vim.bo[buf].modified then
      for _, key in ipairs({ "changed", "added", "removed" }) do
        for _, id in ipairs(params[key] or {}) do
          if tostring(id) == st.id then
            M.load(buf)
          end
        end
      end
    end
  end
end

return M
