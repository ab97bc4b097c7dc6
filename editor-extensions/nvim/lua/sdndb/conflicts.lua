-- Conflicts: diagnostics on record lines, the quickfix list, resolving and a side-by-side view.
--
-- Sides: a stored conflict has `ours` (the late edit, written by `who` at `when`) and `theirs`
-- (the value stored when it arrived). Only when the late edit came from this Neovim is `ours`
-- "mine"; a conflict made elsewhere (two CLI edits) names its sides by who wrote them.
local config = require("sdndb.config")
local format = require("sdndb.format")
local rpc = require("sdndb.rpc")
local server = require("sdndb.server")

local M = {}

M.ns = vim.api.nvim_create_namespace("sdndb_conflicts")
M.qf_title = "sdndb conflicts"
M.deleted = "<deleted>"
M.mine = {} -- "db:conflict id" -> true for conflicts recorded by this Neovim's writes

local notify = require("sdndb.util").notify

local function view()
  return require("sdndb.view")
end

local function short(v)
  v = tostring(v == nil and "" or v):gsub("\n", "\\n")
  if #v > 40 then
    v = v:sub(1, 37) .. "..."
  end
  return '"' .. v .. '"'
end

---Remembers a conflict returned to one of our writes: its `ours` is the user's value.
-- Conflict ids are unique per file only (and may be reused once resolved): the key holds the
-- server's root and the conflict's own text.
local function mine_key(db, c)
  local root = server.info and server.info.root or ""
  return table.concat({ root, tostring(db), tostring(c.id), tostring(c.when), tostring(c.ours) }, "\31")
end

function M.remember_mine(db, c)
  if type(c) == "table" and c.id then
    M.mine[mine_key(db or c.database, c)] = true
  end
end

---True when the conflict's late edit (`ours`) was made from this Neovim.
function M.is_mine(c)
  if M.mine[mine_key(c.database, c)] then
    return true
  end
  local pid = server.client and server.client.pid
  local who = tostring(c.who or "")
  return pid ~= nil and who:match("^sdndb%-serve@") ~= nil and who:match(":(%d+)$") == tostring(pid)
end

---Which side of a whole-record conflict is a deletion: "ours", "theirs" or nil.
function M.deleted_side(c)
  if c.ours == M.deleted or c.deletedBy == "ours" then
    return "ours"
  elseif c.theirs == M.deleted or c.deletedBy == "theirs" then
    return "theirs"
  end
end

---The fields of one side of a whole-record conflict (nil when that side is a deletion).
function M.side_fields(c, side)
  local f = c[side .. "Fields"]
  if type(f) == "table" then
    return f
  end
  local raw = c[side]
  if raw == nil or raw == M.deleted then
    return nil
  end
  local ok, obj = pcall(vim.json.decode, tostring(raw))
  if ok and type(obj) == "table" then
    return obj
  end
end

-- The table a conflict names, or nil (older servers send none, or null: the records table).
local function table_of(c)
  return c.table ~= vim.NIL and c.table or nil
end

-- True when a conflict belongs to the table a buffer shows (conflicts carry their table since
-- every table of a file can be opened).
local function of_buffer(c, st)
  if c.database ~= nil and c.database ~= st.db then
    return false
  end
  local t = table_of(c)
  return t == nil or st.table_name == nil or t == st.table_name
end

-- The buffer key (`db` or `db.table`) of a conflict.
local function key_of(c)
  local t = table_of(c)
  if t then
    for _, d in ipairs(server.databases or {}) do
      if d.name == c.database and d.table ~= t then
        return c.database .. "." .. t
      end
    end
  end
  return c.database
end

local function whole(c)
  return c.field == "*" or c.field == nil
end

local function by(c)
  local s = tostring(c.who or "")
  if s == "" then
    s = "another writer"
  end
  if c.when and c.when ~= "" then
    s = s .. " at " .. c.when
  end
  return s
end

---One line describing a conflict, naming the sides from this user's point of view.
function M.describe(c)
  local mine = M.is_mine(c)
  local del = M.deleted_side(c)
  if whole(c) then
    if del == "ours" then
      return mine and "conflict: deleted here, but changed elsewhere (Keep mine deletes it)"
        or ("conflict: deleted by " .. by(c) .. ", but changed meanwhile (the record is kept until resolved)")
    elseif del == "theirs" then
      return mine and "conflict: changed here, but deleted elsewhere (Keep mine restores it)"
        or ("conflict: changed by " .. by(c) .. ", but deleted meanwhile (Keep the late edit restores it)")
    end
    return string.format("conflict on the whole record: %s %s, stored %s", mine and "mine" or ("late edit by " .. by(c)),
      short(c.ours), short(c.theirs))
  end
  local s
  if mine then
    s = string.format("conflict on '%s': mine %s (not written), theirs %s (stored)", c.field, short(c.ours), short(c.theirs))
  else
    s = string.format("conflict on '%s': %s by %s (not written), stored %s", c.field, short(c.ours), by(c), short(c.theirs))
  end
  if c.base and c.base ~= "" then
    s = s .. ", base " .. short(c.base)
  end
  return s
end

---Fetches conflicts (all databases when db is nil); cb(list | nil, err).
function M.fetch(db, cb)
  local params = db and { database = db } or vim.empty_dict()
  server.request("sdndb/conflicts", params, function(err, res)
    if not res then
      return cb(nil, err)
    end
    local list = res.conflicts or {}
    for _, c in ipairs(list) do
      c.record = tostring(c.record)
    end
    cb(list)
  end)
end

local function field_col(buf, lnum, field)
  local st = view().state[buf]
  if not st or not field or field == "*" or not st.columns then
    return 0
  end
  local line = vim.api.nvim_buf_get_lines(buf, lnum - 1, lnum, false)[1] or ""
  local sep = config.get().separator
  local cells = format.split(line, sep)
  local col = 0
  for i, c in ipairs(st.columns) do
    if c == field then
      local lead = (cells[i] or ""):match("^%s*") or ""
      return col + #lead
    end
    col = col + #(cells[i] or "") + #sep
  end
  return 0
end

-- Lines of records deleted elsewhere that the user changed: shown (with the user's values) at
-- the end of the buffer so that the conflict can be resolved there; removed when resolved.
local function sync_ghosts(buf, st, list)
  local v = view()
  local want = {}
  for _, c in ipairs(list) do
    if of_buffer(c, st) and whole(c) and M.deleted_side(c) == "theirs" then
      want[c.record] = c
    end
  end
  if next(want) == nil and next(st.ghosts) == nil then
    return -- nothing to show or take away: no need to scan the lines
  end
  local was = vim.bo[buf].modified
  local changed = false
  local map = {}
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local sep = config.get().separator
  for lnum = 2, #lines do
    local id = format.line_id(lines[lnum], sep)
    if id ~= "" then
      map[id] = lnum
    end
  end
  -- Gone: resolved (kept theirs) or restored (the record line takes over).
  local drop = {}
  for id in pairs(st.ghosts) do
    if not want[id] then
      st.ghosts[id] = nil
      if map[id] and not st.base[id] then
        drop[#drop + 1] = map[id]
      end
    end
  end
  table.sort(drop, function(a, b)
    return a > b
  end)
  for _, l in ipairs(drop) do
    vim.api.nvim_buf_set_lines(buf, l - 1, l, false, {})
    changed = true
  end
  local add = {}
  for id, c in pairs(want) do
    if not st.base[id] then
      st.ghosts[id] = c
      if not map[id] then
        local fields = M.side_fields(c, "ours") or {}
        local rec = { id = id, fields = fields }
        add[#add + 1] = (format.render_row(st.columns, rec, st.widths, sep, config.get().max_width))
      end
    end
  end
  if #add > 0 then
    table.sort(add)
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, add)
    changed = true
  end
  if changed then
    if was then
      vim.bo[buf].modified = true
    else
      v.mark_saved(buf)
    end
  end
end

---Shows the conflicts of a buffer's database as diagnostics on its lines (fetches them when
---list is nil). cb() runs when done.
function M.refresh_buffer(buf, list, cb)
  cb = cb or function() end
  local st = view().state[buf]
  if not st or not st.columns then
    return cb()
  end
  if not list then
    return M.fetch(st.db, function(l, err)
      if not l then
        notify("cannot read conflicts: " .. rpc.format_error(err), vim.log.levels.WARN)
        return cb()
      end
      M.refresh_buffer(buf, l, cb)
    end)
  end
  if not vim.api.nvim_buf_is_valid(buf) or view().state[buf] ~= st then
    return cb()
  end
  sync_ghosts(buf, st, list)
  local diags = {}
  for _, c in ipairs(list) do
    if of_buffer(c, st) then
      local lnum = view().line_of(buf, c.record) or 1
      diags[#diags + 1] = {
        lnum = lnum - 1,
        col = field_col(buf, lnum, c.field),
        severity = vim.diagnostic.severity.WARN,
        source = "sdndb",
        message = (lnum == 1 and ("record " .. c.record .. ": ") or "") .. M.describe(c),
      }
    end
  end
  vim.diagnostic.set(M.ns, buf, diags)
  cb()
end

-- The buffer of a database, created (and loaded: cb(buf) when filled) when needed.
local function buffer_for(db, cb)
  local name = view().prefix .. db
  local buf = require("sdndb.util").buffer_named(name)
  if buf == -1 then
    buf = vim.fn.bufadd(name)
  end
  local st = view().state[buf]
  if vim.api.nvim_buf_is_loaded(buf) and st and st.loaded then
    return cb(buf)
  end
  if not vim.api.nvim_buf_is_loaded(buf) then
    vim.fn.bufload(buf) -- BufReadCmd starts the load
  end
  view().when_loaded(buf, function()
    cb(buf)
  end)
end

---Fills the quickfix list with the conflicts (of one database, or all) and opens it.
---cb(items | nil) when done.
function M.quickfix(db, opts, cb)
  opts = opts or {}
  cb = cb or function() end
  M.fetch(db, function(list, err)
    if not list then
      notify("cannot read conflicts: " .. rpc.format_error(err), vim.log.levels.ERROR)
      return cb(nil)
    end
    local items, i = {}, 0
    local function next_item()
      i = i + 1
      local c = list[i]
      if not c then
        local action = opts.replace and "r" or " "
        vim.fn.setqflist({}, action, { title = M.qf_title, items = items })
        if not opts.silent then
          if #items == 0 then
            notify("no conflicts")
          else
            vim.cmd("botright copen")
          end
        end
        return cb(items)
      end
      buffer_for(key_of(c), function(buf)
        local lnum = view().line_of(buf, c.record) or 1
        items[#items + 1] = {
          bufnr = buf,
          lnum = lnum,
          col = field_col(buf, lnum, c.field) + 1,
          type = "W",
          text = c.database .. " " .. c.record .. ": " .. M.describe(c),
        }
        next_item()
      end)
    end
    next_item()
  end)
end

---After sdndb/didChange: keeps a visible sdndb conflicts quickfix list current.
function M.on_did_change(_)
  local ok, info = pcall(vim.fn.getqflist, { title = 0 })
  if ok and info.title == M.qf_title then
    M.quickfix(nil, { replace = true, silent = true })
  end
end

---Conflicts of the record on a line of an sdndb buffer: cb(list | nil, err, id).
function M.at(buf, lnum, cb)
  local st = view().state[buf]
  if not st then
    return cb(nil, "not an sdndb:// buffer")
  end
  local id = view().id_at(buf, lnum)
  if not id then
    return cb(nil, "no record on this line")
  end
  M.fetch(st.db, function(list, err)
    if not list then
      return cb(nil, rpc.format_error(err))
    end
    local found = {}
    for _, c in ipairs(list) do
      if c.record == id and of_buffer(c, st) then
        found[#found + 1] = c
      end
    end
    cb(found, nil, id)
  end)
end

local function after_resolve(buf, cb)
  local v = view()
  local st = v.state[buf]
  if st then
    if vim.bo[buf].modified then
      return M.refresh_buffer(buf, nil, cb)
    end
    -- The didChange of the resolve refreshes the lines; re-read conflicts now for the ghosts.
    return v.load(buf, function()
      M.on_did_change(nil)
      cb()
    end)
  end
  M.on_did_change(nil)
  cb()
end

---Resolves one conflict. choice: "ours" | "theirs" | "value". cb(result | nil, err) when done.
function M.resolve(conflict, choice, value, buf, cb)
  cb = cb or function() end
  local params = { database = conflict.database, conflict = conflict.id, choice = choice }
  if choice == "value" then
    params.value = value or ""
  end
  server.request("sdndb/resolve", params, function(err, res)
    if not res then
      notify("resolve failed: " .. rpc.format_error(err), vim.log.levels.ERROR)
      return cb(nil, err)
    end
    if buf then
      return after_resolve(buf, function()
        cb(res)
      end)
    end
    cb(res)
  end)
end

---The choices offered for a conflict: { {label, choice} }.
function M.actions_for(c)
  local mine = M.is_mine(c)
  local out = mine and { { "Keep mine", "ours" }, { "Keep theirs", "theirs" } }
    or { { "Keep the late edit (" .. tostring(c.who or "?") .. ")", "ours" }, { "Keep the stored value", "theirs" } }
  if not whole(c) then
    out[#out + 1] = { "Edit value", "value" }
  end
  out[#out + 1] = { "Show side by side", "diff" }
  return out
end

local function pick_action(buf, c, cb)
  local actions = M.actions_for(c)
  local labels = {}
  for _, a in ipairs(actions) do
    labels[#labels + 1] = a[1]
  end
  vim.ui.select(labels, { prompt = M.describe(c), kind = "sdndb.resolve" }, function(label)
    for _, a in ipairs(actions) do
      if a[1] == label then
        if a[2] == "value" then
          return vim.ui.input({ prompt = (c.field or "value") .. ": ", default = c.ours or "" }, function(v)
            if v ~= nil then
              M.resolve(c, "value", v, buf, cb)
            end
          end)
        elseif a[2] == "diff" then
          return M.diff(c, cb)
        end
        return M.resolve(c, a[2], nil, buf, cb)
      end
    end
  end)
end

-- The conflicts of the record on the cursor line: cb(buf, list, id) with at least one; tells
-- the user why there is none otherwise.
local function conflicts_at_cursor(cb)
  local buf = vim.api.nvim_get_current_buf()
  local lnum = vim.api.nvim_win_get_cursor(0)[1]
  M.at(buf, lnum, function(found, err, id)
    if not found then
      return notify(err, vim.log.levels.WARN)
    end
    if #found == 0 then
      return notify("no conflict on record " .. id)
    end
    cb(buf, found, id)
  end)
end

---:Sdndb resolve — offers the choices for the conflict on the cursor line.
function M.resolve_at_cursor(cb)
  conflicts_at_cursor(function(buf, found, id)
    if #found == 1 then
      return pick_action(buf, found[1], cb)
    end
    vim.ui.select(found, {
      prompt = "Conflicts of record " .. id,
      format_item = M.describe,
      kind = "sdndb.conflict",
    }, function(c)
      if c then
        pick_action(buf, c, cb)
      end
    end)
  end)
end

-- The diff of conflict c, whose table is `where` ({db, table}) with these columns.
local function diff_in(c, where, columns, cb)
  M.fetch(c.database, function(list)
    server.request("sdndb/get", view().address(where, { id = c.record }), function(err, rec)
      local theirs = {}
      if rec and rec.record then
        theirs = vim.deepcopy(rec.record.fields or {})
        if theirs[columns[1]] == nil or theirs[columns[1]] == vim.NIL then
          theirs[columns[1]] = tostring(rec.record.id) -- (a row addressed by position has its key in its fields)
        end
      elseif err and err.code ~= rpc.errors.NotFound then
        notify("cannot read record " .. c.record .. ": " .. rpc.format_error(err), vim.log.levels.WARN)
      end
      local mine = vim.deepcopy(theirs)
      for _, k in ipairs(list or { c }) do
        if k.record == c.record and table_of(k) == where.table and k.field and k.field ~= "*" then
          mine[k.field] = k.ours
          theirs[k.field] = k.theirs
        end
      end
      local function lines_of(t, side)
        if whole(c) then
          if M.deleted_side(c) == side then
            return { "<deleted>" }
          end
          t = M.side_fields(c, side) or t
        end
        local out = {}
        for _, col in ipairs(columns) do
          local v = t[col]
          if col == columns[1] and (v == nil or v == "") then
            v = c.record
          end
          out[#out + 1] = col .. ": " .. format.escape((v == nil or v == vim.NIL) and "" or tostring(v))
        end
        return out
      end
      local left = lines_of(mine, "ours")
      local right = lines_of(theirs, "theirs")
      vim.cmd("tabnew")
      local function scratch(name, lines)
        local b = vim.api.nvim_get_current_buf()
        vim.bo[b].buftype = "nofile"
        vim.bo[b].bufhidden = "wipe"
        vim.bo[b].swapfile = false
        vim.api.nvim_buf_set_lines(b, 0, -1, false, lines)
        vim.bo[b].modifiable = false
        pcall(vim.api.nvim_buf_set_name, b, name)
        vim.cmd("diffthis")
        return b
      end
      local tag = view().prefix .. key_of(c) .. "/" .. c.record
      local lname = M.is_mine(c) and " (mine)" or (" (late edit by " .. tostring(c.who or "?") .. ")")
      local lb = scratch(tag .. lname, left)
      vim.cmd("rightbelow vnew")
      local rb = scratch(tag .. (M.is_mine(c) and " (theirs)" or " (stored)"), right)
      cb(lb, rb)
    end)
  end)
end

---Side-by-side view: the record with the late edit's values (left) and as stored (right), in
---diff mode. cb(left buf, right buf).
function M.diff(c, cb)
  cb = cb or function() end
  -- The conflict's own table (another table of the file may have a row of the same key).
  local where = { db = c.database, table = table_of(c) }
  view().table_info(where, function(info)
    diff_in(c, where, info and format.columns(info) or { "id" }, cb)
  end)
end

---:Sdndb diff — side-by-side view of the conflict on the cursor line.
function M.diff_at_cursor(cb)
  conflicts_at_cursor(function(_, found)
    M.diff(found[1], cb)
  end)
end

---Moves the cursor to the next (dir=1) or previous (dir=-1) conflict in the buffer.
function M.jump(dir)
  local buf = vim.api.nvim_get_current_buf()
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local diags = vim.diagnostic.get(buf, { namespace = M.ns })
  table.sort(diags, function(a, b)
    return a.lnum < b.lnum
  end)
  local target
  if dir > 0 then
    for _, d in ipairs(diags) do
      if d.lnum > row then
        target = d
        break
      end
    end
    target = target or diags[1]
  else
    for i = #diags, 1, -1 do
      if diags[i].lnum < row then
        target = diags[i]
        break
      end
    end
    target = target or diags[#diags]
  end
  if not target then
    notify("no conflicts in this buffer")
    return
  end
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
end

return M
