-- Conflicts: diagnostics on record lines, the quickfix list, resolving and a side-by-side view.
local config = require("sdndb.config")
local format = require("sdndb.format")
local rpc = require("sdndb.rpc")
local server = require("sdndb.server")

local M = {}

M.ns = vim.api.nvim_create_namespace("sdndb_conflicts")
M.qf_title = "sdndb conflicts"

local function notify(msg, level)
  vim.notify("sdndb: " .. msg, level or vim.log.levels.INFO)
end

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

M.deleted = "<deleted>"

---One line describing a conflict.
function M.describe(c)
  local s
  if c.field == "*" or c.field == nil then
    if c.ours == M.deleted then
      s = "conflict: deleted here, but changed elsewhere (Keep mine deletes it)"
    elseif c.theirs == M.deleted then
      s = "conflict: changed here, but deleted elsewhere (Keep mine restores it)"
    else
      s = string.format("conflict on the whole record: mine %s, theirs %s", short(c.ours), short(c.theirs))
    end
  else
    s = string.format("conflict on '%s': mine %s, theirs %s", c.field, short(c.ours), short(c.theirs))
    if c.base and c.base ~= "" then
      s = s .. ", base " .. short(c.base)
    end
  end
  if c.who and c.who ~= "" then
    s = s .. " (theirs by " .. c.who .. (c.when and c.when ~= "" and (" at " .. c.when) or "") .. ")"
  end
  return s
end

---Fetches conflicts (all databases when db is nil). Returns a list, or nil and err.
function M.fetch(db)
  local params = db and { database = db } or vim.empty_dict()
  local res, err = server.request("sdndb/conflicts", params)
  if not res then
    return nil, err
  end
  local list = res.conflicts or {}
  for _, c in ipairs(list) do
    c.record = tostring(c.record)
  end
  return list
end

local function field_col(buf, lnum, field)
  local st = view().state[buf]
  if not st or not field or field == "*" then
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

---Shows the conflicts of a buffer's database as diagnostics on its lines.
function M.refresh_buffer(buf, list)
  local st = view().state[buf]
  if not st then
    return
  end
  if not list then
    local err
    list, err = M.fetch(st.db)
    if not list then
      notify("cannot read conflicts: " .. rpc.format_error(err), vim.log.levels.WARN)
      return
    end
  end
  local diags = {}
  for _, c in ipairs(list) do
    if c.database == nil or c.database == st.db then
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
end

local function buffer_for(db, load)
  local name = view().prefix .. db
  local buf = vim.fn.bufnr(name)
  if buf == -1 then
    if not load then
      return nil
    end
    buf = vim.fn.bufadd(name)
  end
  if load and not vim.api.nvim_buf_is_loaded(buf) then
    vim.fn.bufload(buf)
  end
  return buf
end

---Fills the quickfix list with the conflicts (of one database, or all) and opens it.
function M.quickfix(db, opts)
  opts = opts or {}
  local list, err = M.fetch(db)
  if not list then
    notify("cannot read conflicts: " .. rpc.format_error(err), vim.log.levels.ERROR)
    return nil
  end
  local items = {}
  for _, c in ipairs(list) do
    local buf = buffer_for(c.database, true)
    local lnum = view().line_of(buf, c.record) or 1
    items[#items + 1] = {
      bufnr = buf,
      lnum = lnum,
      col = field_col(buf, lnum, c.field) + 1,
      type = "W",
      text = c.database .. " " .. c.record .. ": " .. M.describe(c),
    }
  end
  local action = opts.replace and "r" or " "
  vim.fn.setqflist({}, action, { title = M.qf_title, items = items })
  if not opts.silent then
    if #items == 0 then
      notify("no conflicts")
    else
      vim.cmd("botright copen")
    end
  end
  return items
end

---After sdndb/didChange: keeps a visible sdndb conflicts quickfix list current.
function M.on_did_change(_)
  local ok, info = pcall(vim.fn.getqflist, { title = 0 })
  if ok and info.title == M.qf_title then
    M.quickfix(nil, { replace = true, silent = true })
  end
end

---Conflicts of the record on a line of an sdndb buffer.
function M.at(buf, lnum)
  local st = view().state[buf]
  if not st then
    return nil, "not an sdndb:// buffer"
  end
  local id = view().id_at(buf, lnum)
  if not id then
    return nil, "no record on this line"
  end
  local list, err = M.fetch(st.db)
  if not list then
    return nil, rpc.format_error(err)
  end
  local found = {}
  for _, c in ipairs(list) do
    if c.record == id then
      found[#found + 1] = c
    end
  end
  return found, nil, id
end

local function after_resolve(buf)
  local v = view()
  if v.state[buf] then
    if vim.bo[buf].modified then
      M.refresh_buffer(buf)
    else
      v.load(buf)
    end
  end
  M.on_did_change(nil)
end

---Resolves one conflict. choice: "ours" | "theirs" | "value". Returns the result or nil, err.
function M.resolve(conflict, choice, value, buf)
  local params = { database = conflict.database, conflict = conflict.id, choice = choice }
  if choice == "value" then
    params.value = value or ""
  end
  local res, err = server.request("sdndb/resolve", params)
  if not res then
    notify("resolve failed: " .. rpc.format_error(err), vim.log.levels.ERROR)
    return nil, err
  end
  if buf then
    after_resolve(buf)
  end
  return res
end

M.actions = { "Keep mine", "Keep theirs", "Edit value", "Show side by side" }

local function pick_action(buf, c)
  local actions = M.actions
  if c.field == "*" or c.field == nil then
    actions = { "Keep mine", "Keep theirs", "Show side by side" }
  end
  vim.ui.select(actions, {
    prompt = M.describe(c),
    kind = "sdndb.resolve",
  }, function(choice)
    if choice == "Keep mine" then
      M.resolve(c, "ours", nil, buf)
    elseif choice == "Keep theirs" then
      M.resolve(c, "theirs", nil, buf)
    elseif choice == "Edit value" then
      vim.ui.input({ prompt = (c.field or "value") .. ": ", default = c.ours or "" }, function(v)
        if v ~= nil then
          M.resolve(c, "value", v, buf)
        end
      end)
    elseif choice == "Show side by side" then
      M.diff(c)
    end
  end)
end

-- The conflicts of the record on the cursor line: (buf, list, id) with at least one, or nil after
-- telling the user why there is none.
local function conflicts_at_cursor()
  local buf = vim.api.nvim_get_current_buf()
  local lnum = vim.api.nvim_win_get_cursor(0)[1]
  local found, err, id = M.at(buf, lnum)
  if not found then
    notify(err, vim.log.levels.WARN)
    return nil
  end
  if #found == 0 then
    notify("no conflict on record " .. id)
    return nil
  end
  return buf, found, id
end

---:Sdndb resolve — offers Keep mine / Keep theirs / Edit value for the conflict on the cursor line.
function M.resolve_at_cursor()
  local buf, found, id = conflicts_at_cursor()
  if not buf then
    return
  end
  if #found == 1 then
    pick_action(buf, found[1])
    return
  end
  vim.ui.select(found, {
    prompt = "Conflicts of record " .. id,
    format_item = M.describe,
    kind = "sdndb.conflict",
  }, function(c)
    if c then
      pick_action(buf, c)
    end
  end)
end

-- Every conflict of the same record (for the side-by-side view).
local function list_for(c)
  local list = M.fetch(c.database) or {}
  local out = {}
  for _, k in ipairs(list) do
    if k.record == c.record then
      out[#out + 1] = k
    end
  end
  if #out == 0 then
    out = { c }
  end
  return out
end

---Side-by-side view: the record with my values (left) and as stored (right), in diff mode.
function M.diff(c)
  local rec, err = server.request("sdndb/get", { database = c.database, id = c.record })
  local theirs = {}
  local columns = { "id" }
  local db = server.database(c.database)
  if db then
    columns = format.columns(db)
  end
  if rec and rec.record then
    theirs = vim.deepcopy(rec.record.fields or {})
    theirs[columns[1]] = tostring(rec.record.id)
  elseif err then
    notify("cannot read record " .. c.record .. ": " .. rpc.format_error(err), vim.log.levels.WARN)
  end
  local all = list_for(c)
  local mine = vim.deepcopy(theirs)
  local base = vim.deepcopy(theirs)
  for _, k in ipairs(all) do
    if k.field and k.field ~= "*" then
      mine[k.field] = k.ours
      theirs[k.field] = k.theirs
      base[k.field] = k.base
    end
  end
  local function lines_of(t, whole)
    if whole ~= nil then
      -- A whole-record side is a JSON object of fields, or "<deleted>".
      local ok, obj = pcall(vim.json.decode, tostring(whole))
      if ok and type(obj) == "table" then
        t = obj
      else
        return vim.split(tostring(whole), "\n", { plain = true })
      end
    end
    local out = {}
    for _, col in ipairs(columns) do
      local v = t[col]
      out[#out + 1] = col .. ": " .. format.escape((v == nil or v == vim.NIL) and "" or tostring(v))
    end
    return out
  end
  local whole = c.field == "*"
  local left = lines_of(mine, whole and c.ours or nil)
  local right = lines_of(theirs, whole and c.theirs or nil)

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
  local tag = view().prefix .. c.database .. "/" .. c.record
  local lb = scratch(tag .. " (mine)", left)
  vim.cmd("rightbelow vnew")
  local rb = scratch(tag .. " (theirs)", right)
  return lb, rb
end

---:Sdndb diff — side-by-side view of the conflict on the cursor line.
function M.diff_at_cursor()
  local buf, found = conflicts_at_cursor()
  if not buf then
    return
  end
  return M.diff(found[1])
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
