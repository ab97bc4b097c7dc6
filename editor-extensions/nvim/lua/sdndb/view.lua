-- sdndb://<database>[.<table>] buffers: one record per line, written back on :w.
--
-- Nothing here waits for the server: loads, refreshes and writes send their requests and go on;
-- the answers update the buffer when they arrive. A write the server does not answer in time is
-- cancelled ($/cancelRequest), and the user is told what really happened once it answers.
local config = require("sdndb.config")
local format = require("sdndb.format")
local rpc = require("sdndb.rpc")
local server = require("sdndb.server")

local M = {}

M.ns_parse = vim.api.nvim_create_namespace("sdndb_parse")
M.ns_hl = vim.api.nvim_create_namespace("sdndb_highlight")
M.ns_track = vim.api.nvim_create_namespace("sdndb_track")
M.ns_head = vim.api.nvim_create_namespace("sdndb_header")
M.prefix = "sdndb://"

-- Records refreshed one by one (sdndb/get) up to this many changed ids; beyond, page by page.
M.get_limit = 100
M.page_size = 100

---Per-buffer state: bufnr -> {
---  db, table, key,               -- database name, table (nil: the default one), "db" or "db.table"
---  columns, widths, shortened,   -- shown columns, their widths, {id = {column = shown}}
---  base = {id -> {version, etag, fields, order}},
---  query = {where = {}, sort, descending},
---  loaded, write (pending write), ghosts = {id -> conflict}, own (echo filter) }
M.state = {}

local notify = require("sdndb.util").notify

local plural = require("sdndb.util").plural
M.plural = plural

---Asks yes/no. Replaceable (tests, other UIs).
function M.confirm(msg)
  return vim.fn.confirm(msg, "&Yes\n&No", 2) == 1
end

---"todo" -> { db = "todo" }; "bug.notes" -> { db = "bug", table = "notes" }; nil when not ours.
function M.parse_name(name)
  local rest = name:match("^" .. vim.pesc(M.prefix) .. "(.+)$")
  if not rest then
    return nil
  end
  local key, rec = rest:match("^([^/]+)/(.+)$")
  key = key or rest
  local db, tbl = key:match("^([^.]+)%.(.+)$")
  return { key = key, db = db or key, table = tbl, record = rec }
end

function M.db_of(buf)
  local p = M.parse_name(vim.api.nvim_buf_get_name(buf))
  return p and p.db
end

-- Params addressing a buffer's database (and table).
function M.address(st, extra)
  local p = { database = st.db, table = st.table }
  for k, v in pairs(extra or {}) do
    p[k] = v
  end
  return p
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
  if vim.api.nvim_buf_is_valid(buf) then
    vim.bo[buf].modified = v
  end
end

---Marks the buffer text as what the database holds: 'nomodified', and remembers the undo state.
---An acwrite buffer gets no help from Vim here: undoing past a write would otherwise look
---unmodified (Vim judges by whether the buffer was modified before the undone change).
function M.mark_saved(buf)
  if not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  vim.bo[buf].modified = false
  local st = M.state[buf] or require("sdndb.record").state[buf]
  if st then
    st.saved_change = vim.api.nvim_buf_call(buf, function()
      -- Close the undo block (:help undo-break): the next change gets its own number.
      vim.cmd("let &undolevels = &undolevels")
      return vim.fn.changenr()
    end)
  end
end

---After any change (undo and redo included): 'modified' is whether the undo state differs from
---the one last saved.
function M.check_modified(buf)
  local st = M.state[buf] or require("sdndb.record").state[buf]
  if not st or not st.saved_change or st.write or not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  vim.bo[buf].modified = vim.api.nvim_buf_call(buf, vim.fn.changenr) ~= st.saved_change
end

---Watches a buffer's changes (once per buffer).
function M.watch(buf)
  local st = M.state[buf] or require("sdndb.record").state[buf]
  if not st or st.watching then
    return
  end
  st.watching = true
  vim.api.nvim_buf_attach(buf, false, {
    on_lines = function()
      if not st.check_scheduled then
        st.check_scheduled = true
        vim.schedule(function()
          st.check_scheduled = false
          M.check_modified(buf)
        end)
      end
    end,
    on_detach = function()
      st.watching = false
    end,
    on_reload = function() end,
  })
end

local function sep()
  return config.get().separator
end

local function id_at(buf, lnum)
  local line = vim.api.nvim_buf_get_lines(buf, lnum - 1, lnum, false)[1]
  if not line or lnum < 2 then
    return nil
  end
  local id = format.line_id(line, sep())
  if id == "" then
    return nil
  end
  return id
end
M.id_at = id_at

---The line of a record in a buffer, or nil.
function M.line_of(buf, id)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  return format.find_line(lines, id, sep())
end

-- id -> line number for every record line (one pass; the id is the text before the first
-- separator, so lines need not be split).
local function line_map(buf)
  local s = sep()
  local map = {}
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for lnum = 2, #lines do
    local id = format.line_id(lines[lnum], s)
    if id ~= "" and not map[id] then
      map[id] = lnum
    end
  end
  return map, lines
end

---The distinct values of a column in a buffer's records, most frequent first.
function M.values_of(buf, column)
  local st = M.state[buf]
  if not st then
    return {}
  end
  local count = {}
  for _, b in pairs(st.base) do
    local v = b.fields[column]
    if v and v ~= vim.NIL and v ~= "" then
      count[v] = (count[v] or 0) + 1
    end
  end
  local out = vim.tbl_keys(count)
  table.sort(out, function(a, b)
    if count[a] ~= count[b] then
      return count[a] > count[b]
    end
    return a < b
  end)
  return out
end

-- Header decoration: the active filter and sort after the column names.
local function show_query(buf, st)
  vim.api.nvim_buf_clear_namespace(buf, M.ns_head, 0, 1)
  local q = st.query
  local parts = {}
  local keys = vim.tbl_keys(q.where or {})
  table.sort(keys)
  for _, k in ipairs(keys) do
    parts[#parts + 1] = k .. "=" .. q.where[k]
  end
  if q.sort then
    parts[#parts + 1] = "sort=" .. (q.descending and "-" or "") .. q.sort
  end
  local text = #parts > 0 and ("  [" .. table.concat(parts, " ") .. "]") or ""
  local n = vim.tbl_count(st.base)
  text = text .. "  " .. plural(n, "record")
  pcall(vim.api.nvim_buf_set_extmark, buf, M.ns_head, 0, 0, { virt_text = { { text, "SdndbQuery" } } })
end

local function keep_cursors(buf, fn)
  local wins = {}
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_buf(win) == buf then
      local pos = vim.api.nvim_win_get_cursor(win)
      wins[#wins + 1] = { win = win, pos = pos, id = id_at(buf, pos[1]) }
    end
  end
  fn()
  local lines
  for _, w in ipairs(wins) do
    local row = w.pos[1]
    if w.id and id_at(buf, row) ~= w.id then
      lines = lines or vim.api.nvim_buf_get_lines(buf, 0, -1, false)
      row = format.find_line(lines, w.id, sep()) or row
    end
    pcall(vim.api.nvim_win_set_cursor, w.win, { math.max(1, row), w.pos[2] })
  end
end

-- Replaces the whole buffer text with records (first load, :Sdndb refresh!, a new query, a
-- column grown too wide). first: no undo history for it (a fresh buffer).
local function render_all(buf, st, records, first)
  local lines, widths, shortened = format.render(st.columns, records, sep(), config.get().max_width)
  st.base = format.base(records)
  st.rendered, st.lnum = {}, {}
  for i, rec in ipairs(records) do
    st.rendered[tostring(rec.id)] = lines[i + 1]
    st.lnum[tostring(rec.id)] = i + 1
  end
  st.widths, st.shortened = widths, shortened
  st.ghosts = {}
  keep_cursors(buf, function()
    require("sdndb.util").replace_lines(buf, lines, first)
  end)
  show_query(buf, st)
end

local function matches(st, rec)
  for k, v in pairs(st.query.where or {}) do
    local have = k == st.columns[1] and tostring(rec.id) or (rec.fields or {})[k]
    if tostring(have or "") ~= v then
      return false
    end
  end
  return true
end

-- True when a record's cells fit the current column widths.
local function fits(st, rec)
  local max = config.get().max_width
  local new = format.widths(st.columns, { rec }, sep(), max)
  for i, w in ipairs(new) do
    if w > (st.widths[i] or 0) then
      return false
    end
  end
  return true
end

-- Lines realigned per turn of the event loop after a column grew.
M.realign_chunk = 250

-- Brings the other lines to new column widths a chunk at a time, each chunk on its own turn of
-- the event loop (typing is never blocked for long). Only lines still exactly as rendered are
-- touched; it stops when the user edits the buffer (the lines are then merely misaligned).
local function realign_rest(buf, st, gen, from)
  if not vim.api.nvim_buf_is_valid(buf) or M.state[buf] ~= st or st.realign_gen ~= gen then
    return
  end
  if vim.bo[buf].modified or st.write then
    return
  end
  local s, max = sep(), config.get().max_width
  local to = math.min(from + M.realign_chunk - 1, vim.api.nvim_buf_line_count(buf))
  local lines = vim.api.nvim_buf_get_lines(buf, from - 1, to, false)
  local sets = {}
  for i, l in ipairs(lines) do
    local id = format.line_id(l, s)
    local b = st.base[id]
    if b and st.rendered[id] == l then
      local line, short = format.render_row(st.columns, { id = id, fields = b.fields }, st.widths, s, max)
      if line ~= l then
        st.rendered[id], st.shortened[id] = line, short
        sets[#sets + 1] = { from + i - 1, line }
      end
    end
  end
  M.modifiable(buf, function()
    for _, sl in ipairs(sets) do
      pcall(vim.cmd, "undojoin")
      vim.api.nvim_buf_set_lines(buf, sl[1] - 1, sl[1], false, { sl[2] })
    end
  end)
  if #sets > 0 then
    if st.filling then
      set_modified(buf, false)
    else
      M.mark_saved(buf)
    end
  end
  if to < vim.api.nvim_buf_line_count(buf) then
    vim.defer_fn(function()
      realign_rest(buf, st, gen, to + 1)
    end, 1)
  end
end

-- A value no longer fits its column: the columns grow, the header and the changed records are
-- rendered at once, the other lines follow in chunks (realign_rest).
function M.realign(buf, st, records, removed, opts)
  local s, max = sep(), config.get().max_width
  -- Columns only grow here (a reload shrinks them): the new records decide.
  local shown = {}
  for _, rec in ipairs(records) do
    if matches(st, rec) then
      shown[#shown + 1] = rec
    end
  end
  for i, w in ipairs(format.widths(st.columns, shown, s, max)) do
    st.widths[i] = math.max(st.widths[i] or 0, w)
  end
  local header = format.render_header(st.columns, st.widths, s)
  if vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1] ~= header then
    if opts and opts.join then
      pcall(vim.cmd, "undojoin")
    end
    vim.api.nvim_buf_set_lines(buf, 0, 1, false, { header })
  end
  M.apply_records(buf, st, records, removed, opts)
  M.realign_later(buf, st)
  return true
end

---Realigns the lines still as rendered to the current widths, a chunk per turn of the loop.
function M.realign_later(buf, st)
  st.realign_gen = (st.realign_gen or 0) + 1
  local gen = st.realign_gen
  vim.defer_fn(function()
    realign_rest(buf, st, gen, 2)
  end, 1)
end

---Applies fresh records to a buffer in place: only the lines of changed records are replaced,
---new ones appended, removed ones deleted; the order of the other lines (a :sort) is kept.
---removed: ids gone. A value wider than its column realigns the buffer (M.realign).
function M.apply_records(buf, st, records, removed, opts)
  opts = opts or {}
  for _, rec in ipairs(records) do
    if matches(st, rec) and not fits(st, rec) then
      return M.realign(buf, st, records, removed, opts)
    end
  end
  -- Where each record's line is: the remembered line number when it still holds that record,
  -- else one scan of the buffer (after a :sort, a deleted line above, ...).
  local s, max = sep(), config.get().max_width
  st.lnum = st.lnum or {}
  local map, lines = {}, {}
  local scanned = false
  local function scan()
    local all
    map, all = line_map(buf)
    for id, l in pairs(map) do
      st.lnum[id] = l
      lines[l] = all[l]
    end
    scanned = true
  end
  local wanted = {}
  for _, rec in ipairs(records) do
    wanted[#wanted + 1] = tostring(rec.id)
  end
  for _, id in ipairs(removed or {}) do
    wanted[#wanted + 1] = tostring(id)
  end
  for _, id in ipairs(wanted) do
    if not scanned then
      local h = st.lnum[id]
      local l = h and vim.api.nvim_buf_get_lines(buf, h - 1, h, false)[1]
      if l and format.line_id(l, s) == id then
        map[id], lines[h] = h, l
      else
        scan() -- moved, new, or a line typed with this id (a create, a kept line)
      end
    end
  end
  local sets, drops, adds = {}, {}, {}
  local order = vim.tbl_count(st.base)
  for _, rec in ipairs(records) do
    local id = tostring(rec.id)
    local lnum = map[id]
    if matches(st, rec) then
      local line, short = format.render_row(st.columns, rec, st.widths, s, max)
      st.shortened[id] = short
      local b = st.base[id]
      order = order + 1
      st.base[id] = { version = rec.version, etag = rec.etag, fields = rec.fields or {}, order = b and b.order or order }
      st.ghosts[id] = nil
      st.rendered[id] = line
      if lnum then
        if lines[lnum] ~= line then
          sets[#sets + 1] = { lnum, line }
        end
      else
        adds[#adds + 1] = line
      end
    else
      st.base[id] = nil
      st.rendered[id] = nil
      if lnum then
        drops[#drops + 1] = lnum
      end
    end
  end
  for _, id in ipairs(removed or {}) do
    id = tostring(id)
    if st.base[id] then
      st.base[id] = nil
      st.shortened[id] = nil
      st.rendered[id] = nil
      if map[id] and not st.ghosts[id] then
        drops[#drops + 1] = map[id]
      end
    end
  end
  if #sets + #drops + #adds == 0 then
    show_query(buf, st)
    return true
  end
  keep_cursors(buf, function()
    vim.bo[buf].modifiable = true
    for _, sl in ipairs(sets) do
      if opts.join then
        pcall(vim.cmd, "undojoin")
      end
      vim.api.nvim_buf_set_lines(buf, sl[1] - 1, sl[1], false, { sl[2] })
    end
    table.sort(drops, function(a, b)
      return a > b
    end)
    for _, l in ipairs(drops) do
      if opts.join then
        pcall(vim.cmd, "undojoin")
      end
      vim.api.nvim_buf_set_lines(buf, l - 1, l, false, {})
    end
    if #adds > 0 then
      if opts.join then
        pcall(vim.cmd, "undojoin")
      end
      local n = vim.api.nvim_buf_line_count(buf)
      vim.api.nvim_buf_set_lines(buf, -1, -1, false, adds)
      for i, l in ipairs(adds) do
        st.lnum[format.line_id(l, s)] = n + i
      end
    end
  end)
  if #drops > 0 then
    st.lnum = {} -- lines below a deleted one moved up
  end
  show_query(buf, st)
  return true
end

local function list_params(st, extra)
  local q = st.query
  local p = M.address(st, extra)
  if q.where and next(q.where) then
    p.where = q.where
  end
  p.sort = q.sort
  p.descending = q.descending or nil
  return p
end

local function slow_read(what)
  return function(ticket)
    notify(
      string.format(
        "%s: no answer from the server for %d ms (stopped?); still waiting",
        what,
        config.get().timeout
      ),
      vim.log.levels.WARN
    )
  end
end

---Database info of a buffer (its table's columns when it shows a table); cb(info | nil, err).
function M.table_info(st, cb)
  server.database(st.db, function(info, err)
    if not info then
      return cb(nil, err)
    end
    if not st.table then
      return cb(info)
    end
    for _, t in ipairs(info.tables or {}) do
      if t.name == st.table or t.table == st.table then
        local ti = vim.tbl_extend("force", {}, t)
        ti.name = info.name
        return cb(ti)
      end
    end
    if info.tables == nil then
      return cb(nil, { code = rpc.errors.NotFound, message = "this sdndb server cannot open other tables than the first" })
    end
    cb(nil, { code = rpc.errors.NotFound, message = "no table '" .. st.table .. "' in " .. st.db })
  end)
end

local function setup_buffer(buf)
  vim.bo[buf].buftype = "acwrite"
  vim.bo[buf].swapfile = false
  vim.bo[buf].bufhidden = "hide"
  if vim.bo[buf].filetype ~= "sdndb" then
    vim.bo[buf].filetype = "sdndb"
  end
  vim.bo[buf].omnifunc = "v:lua.sdndb_omnifunc"
  require("sdndb.actions").attach(buf)
end

---BufReadCmd (and :Sdndb refresh!): fills the buffer from the server, asynchronously.
---cb(ok) runs when the buffer is filled (or failed).
function M.load(buf, cb)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local user_cb = cb or function() end
  local st_ref
  cb = function(ok)
    local st = st_ref or M.state[buf]
    local waiters = st and st.waiters or {}
    if st then
      st.waiters = nil
    end
    user_cb(ok)
    for _, w in ipairs(waiters) do
      w(ok)
    end
  end
  local p = M.parse_name(vim.api.nvim_buf_get_name(buf))
  if not p then
    notify("not an sdndb buffer: " .. vim.api.nvim_buf_get_name(buf), vim.log.levels.ERROR)
    return cb(false)
  end
  if p.record then
    return require("sdndb.record").load(buf, cb)
  end
  setup_buffer(buf)
  local st = M.state[buf]
  if not st or st.key ~= p.key then
    st = { db = p.db, table = p.table, key = p.key, base = {}, shortened = {}, widths = {}, ghosts = {},
      rendered = {}, query = { where = {} } }
    st.query = M.pending_query and M.pending_query[p.key] or st.query
    M.state[buf] = st
  end
  st_ref = st
  local first = not st.loaded
  if first then
    vim.bo[buf].modifiable = true
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, { "sdndb: loading " .. p.key .. " …" })
    vim.bo[buf].modifiable = false
    set_modified(buf, false)
  end
  st.loading = (st.loading or 0) + 1
  local seq = st.loading
  M.table_info(st, function(info, err)
    if not info then
      return M.load_failed(buf, st, err, cb)
    end
    st.columns = format.columns(info)
    st.table_name = st.table or info.table
    for _, params in ipairs(st.untabled or {}) do
      if M.same_table(st, params) then
        M.note_missed(st, params)
      end
    end
    st.untabled = nil
    st.filling = true
    local function finish()
      st.filling = nil
      vim.bo[buf].modifiable = true
      st.loaded = true
      M.mark_saved(buf)
      M.watch(buf)
      vim.diagnostic.reset(M.ns_parse, buf)
      require("sdndb.conflicts").refresh_buffer(buf)
      M.catch_up(buf, st)
      cb(true)
    end
    local function page(offset)
      local limit = offset == 0 and M.first_page or M.load_page
      server.request("sdndb/list", list_params(st, { offset = offset, limit = limit }), function(lerr, res)
        if st.loading ~= seq or not vim.api.nvim_buf_is_valid(buf) or M.state[buf] ~= st then
          return cb(false)
        end
        if not res then
          st.filling = nil
          return M.load_failed(buf, st, lerr, cb)
        end
        local recs = res.records or {}
        if offset == 0 then
          render_all(buf, st, recs, first)
          vim.bo[buf].modifiable = false -- editable once every record is in
        else
          M.append_records(buf, st, recs, first)
        end
        set_modified(buf, false)
        if #recs == limit and offset + #recs < (res.total or math.huge) then
          -- The rest on later turns of the event loop: the first screen shows at once.
          return vim.defer_fn(function()
            page(offset + #recs)
          end, 1)
        end
        finish()
      end, { on_slow = slow_read("opening " .. st.key) })
    end
    page(0)
  end)
end

-- Records loaded page by page (M.first_page, then M.load_page per turn of the event loop).
M.first_page = 200
M.load_page = 250

-- Runs fn with the buffer modifiable (a loading buffer is not, for the user).
local function modifiable(buf, fn)
  local was = vim.bo[buf].modifiable
  vim.bo[buf].modifiable = true
  fn()
  vim.bo[buf].modifiable = was
end
M.modifiable = modifiable

---Appends records while a buffer loads (no undo step on a first load; wider values widen their
---columns, and the lines above follow in chunks).
function M.append_records(buf, st, recs, fresh)
  local s, max = sep(), config.get().max_width
  local grown = false
  for i, w in ipairs(format.widths(st.columns, recs, s, max)) do
    if w > (st.widths[i] or 0) then
      st.widths[i], grown = w, true
    end
  end
  local out = {}
  local order = vim.tbl_count(st.base)
  local n = vim.api.nvim_buf_line_count(buf)
  st.lnum = st.lnum or {}
  for i, rec in ipairs(recs) do
    local id = tostring(rec.id)
    local line, short = format.render_row(st.columns, rec, st.widths, s, max)
    st.lnum[id] = n + i
    order = order + 1
    st.base[id] = { version = rec.version, etag = rec.etag, fields = rec.fields or {}, order = order }
    st.rendered[id], st.shortened[id] = line, short
    out[#out + 1] = line
  end
  modifiable(buf, function()
    local ul = vim.bo[buf].undolevels
    if fresh then
      vim.bo[buf].undolevels = -1
    else
      pcall(vim.cmd, "undojoin")
    end
    if grown then
      vim.api.nvim_buf_set_lines(buf, 0, 1, false, { format.render_header(st.columns, st.widths, s) })
    end
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, out)
    if fresh then
      vim.bo[buf].undolevels = ul
    end
  end)
  show_query(buf, st)
  if grown then
    M.realign_later(buf, st)
  end
end

-- Changes reported while the buffer was loading: re-read those records (a record added or
-- removed meanwhile may have moved others across a page boundary: then re-read all, by pages).
function M.catch_up(buf, st)
  local missed = st.missed_ids
  st.missed_ids = nil
  if not missed then
    return
  end
  local ids, moved = {}, false
  for id, how in pairs(missed) do
    if how ~= "changed" then
      moved = true
    end
    ids[#ids + 1] = id
  end
  if moved then
    return M.refresh_paged(buf, function() end)
  end
  M.refresh_ids(buf, ids, {})
end

---cb(ok) once the buffer's load (started by BufReadCmd) is done; at once when it is loaded.
function M.when_loaded(buf, cb)
  local st = M.state[buf]
  if not st then
    return cb(false)
  end
  if st.loaded and not st.filling then
    return cb(true)
  end
  st.waiters = st.waiters or {}
  st.waiters[#st.waiters + 1] = cb
end

function M.load_failed(buf, st, err, cb)
  if vim.api.nvim_buf_is_valid(buf) and not st.loaded then
    vim.bo[buf].modifiable = true
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, { "sdndb: " .. rpc.format_error(err) })
    set_modified(buf, false)
    M.state[buf] = nil
  end
  notify("cannot open '" .. st.key .. "': " .. rpc.format_error(err), vim.log.levels.ERROR)
  cb(false)
end

---Reloads a buffer from the database. When it has unsaved edits, only with force=true.
function M.refresh(buf, force, cb)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  if vim.bo[buf].modified and not force then
    notify("buffer has unsaved edits; use :Sdndb refresh! to discard them", vim.log.levels.WARN)
    return false
  end
  M.load(buf, cb)
  return true
end

---Sets the filter/sort of a buffer (kept across refreshes and saves) and reloads it.
function M.set_query(buf, q, cb)
  local st = M.state[buf]
  if not st then
    notify("not an sdndb table buffer", vim.log.levels.WARN)
    return false
  end
  if vim.bo[buf].modified then
    notify("buffer has unsaved edits; :w them first (the filter reloads the buffer)", vim.log.levels.WARN)
    return false
  end
  st.query = q
  M.load(buf, cb)
  return true
end

function M.set_parse_diagnostics(buf, errors)
  vim.diagnostic.set(M.ns_parse, buf, require("sdndb.util").error_diagnostics(errors))
end

local function describe_error(err)
  if type(err) ~= "table" then
    return tostring(err)
  end
  local msg = rpc.format_error(err)
  if type(err.data) == "table" and err.data.field and err.data.field ~= "" then
    msg = msg .. " [field " .. tostring(err.data.field) .. "]"
  end
  return msg
end
M.describe_error = describe_error

---Refreshes the records of `ids` (changed or added elsewhere) and drops `removed`, in place.
function M.refresh_ids(buf, ids, removed, cb)
  local st = M.state[buf]
  cb = cb or function() end
  if #ids > M.get_limit then
    return M.refresh_paged(buf, cb)
  end
  local recs, left = {}, #ids
  local function done()
    if not vim.api.nvim_buf_is_valid(buf) or M.state[buf] ~= st then
      return cb(false)
    end
    if vim.bo[buf].modified or st.write then
      -- The user started typing (or saving) meanwhile: leave the text alone; :w merges.
      return cb(false)
    end
    local gone = vim.list_extend({}, removed or {})
    local present = {}
    for _, r in ipairs(recs) do
      if r.record then
        present[#present + 1] = r.record
      else
        gone[#gone + 1] = r.id
      end
    end
    M.apply_records(buf, st, present, gone)
    M.mark_saved(buf)
    require("sdndb.conflicts").refresh_buffer(buf)
    cb(true)
  end
  if left == 0 then
    return done()
  end
  for _, id in ipairs(ids) do
    server.request("sdndb/get", M.address(st, { id = id }), function(err, res)
      recs[#recs + 1] = { id = id, record = res and res.record or nil, err = err }
      left = left - 1
      if left == 0 then
        done()
      end
    end)
  end
end

---Re-reads a buffer page by page (a large burst of changes): each page is applied on its own
---turn of the event loop, so typing is never blocked for long.
function M.refresh_paged(buf, cb)
  local st = M.state[buf]
  local seen = {}
  local function page(offset)
    server.request("sdndb/list", list_params(st, { offset = offset, limit = M.page_size }), function(err, res)
      if not res or not vim.api.nvim_buf_is_valid(buf) or M.state[buf] ~= st or vim.bo[buf].modified or st.write then
        return cb(false)
      end
      local recs = res.records or {}
      for _, r in ipairs(recs) do
        seen[tostring(r.id)] = true
      end
      M.apply_records(buf, st, recs, {})
      M.mark_saved(buf)
      if #recs == M.page_size then
        return page(offset + M.page_size)
      end
      local gone = {}
      for id in pairs(st.base) do
        if not seen[id] then
          gone[#gone + 1] = id
        end
      end
      M.apply_records(buf, st, {}, gone)
      M.mark_saved(buf)
      require("sdndb.conflicts").refresh_buffer(buf)
      cb(true)
    end)
  end
  page(0)
end

local function ids_of(params)
  local ids = {}
  for _, key in ipairs({ "changed", "added" }) do
    for _, id in ipairs(params[key] or {}) do
      ids[#ids + 1] = tostring(id)
    end
  end
  return ids
end

-- A buffer with unsaved edits: which of the reported records really differ from what the
-- buffer was based on (the echo of our own write does not)? Those are refreshed after the next
-- :w; the user is told about them now.
function M.notice_changes(buf, st, params)
  local real = {}
  for _, id in ipairs(params.removed or {}) do
    id = tostring(id)
    if st.base[id] then
      real[#real + 1] = id
      st.missed_ids = st.missed_ids or {}
      st.missed_ids[id] = "removed"
    end
  end
  local ids = ids_of(params)
  local left = #ids
  local function tell()
    if #real > 0 then
      table.sort(real)
      notify(
        string.format(
          "%s changed elsewhere (%s); unsaved edits kept (:w merges)",
          st.key,
          table.concat(real, ", ")
        ),
        vim.log.levels.WARN
      )
    end
    require("sdndb.conflicts").refresh_buffer(buf)
  end
  if left == 0 then
    return tell()
  end
  for _, id in ipairs(ids) do
    server.request("sdndb/get", M.address(st, { id = id }), function(_, res)
      local rec = res and res.record
      local b = st.base[id]
      local same = rec and b and rec.version == b.version and (rec.etag == nil or rec.etag == b.etag)
        and vim.deep_equal(rec.fields or {}, b.fields)
      if not same and (rec or b) then
        real[#real + 1] = id
        st.missed_ids = st.missed_ids or {}
        st.missed_ids[id] = "changed"
      end
      left = left - 1
      if left == 0 then
        tell()
      end
    end)
  end
end

---Whether a didChange notification is about the table a buffer shows (the server names the
---table; a buffer knows its table's name once its table info is in, else by what was opened).
function M.same_table(st, params)
  local mine = st.table_name or st.table
  return not (params.table and mine and params.table ~= mine)
end

---Changes reported while a buffer loads: these records are re-read when the load is done (M.catch_up).
function M.note_missed(st, params)
  st.missed_ids = st.missed_ids or {}
  for _, id in ipairs(ids_of(params)) do
    st.missed_ids[id] = st.missed_ids[id] or "changed"
  end
  for _, id in ipairs(params.added or {}) do
    st.missed_ids[tostring(id)] = "added"
  end
  for _, id in ipairs(params.removed or {}) do
    st.missed_ids[tostring(id)] = "removed"
  end
end

---Handles sdndb/didChange: refreshes unmodified buffers in place; warns on modified ones.
function M.on_did_change(params)
  if type(params) ~= "table" or not params.database then
    return
  end
  for _, buf in ipairs(M.buffers_of(params.database)) do
    local st = M.state[buf]
    if not M.same_table(st, params) then
      -- another table of the file
    elseif params.table and not (st.table_name or st.table) then
      -- Its table info is still being read: which table it shows is not known yet (M.load sorts these).
      st.untabled = st.untabled or {}
      st.untabled[#st.untabled + 1] = params
    elseif st.filling or not st.loaded then
      M.note_missed(st, params)
    elseif st.write then
      -- Our write is in flight: these records are refreshed once it is answered.
      st.missed_ids = st.missed_ids or {}
      for _, id in ipairs(ids_of(params)) do
        st.missed_ids[id] = "changed"
      end
      for _, id in ipairs(params.removed or {}) do
        st.missed_ids[tostring(id)] = "removed"
      end
    elseif not vim.bo[buf].modified then
      if config.get().auto_refresh then
        M.refresh_ids(buf, ids_of(params), params.removed or {})
      else
        require("sdndb.conflicts").refresh_buffer(buf)
      end
    else
      M.notice_changes(buf, st, params)
    end
  end
  require("sdndb.conflicts").on_did_change(params)
end

---Opens a database (or table) in the current window; query: optional {where, sort, descending}.
function M.open(key, query)
  local name = M.prefix .. key
  local existing = require("sdndb.util").buffer_named(name)
  if existing ~= -1 and vim.api.nvim_buf_is_loaded(existing) and M.state[existing] then
    vim.api.nvim_set_current_buf(existing)
    if query then
      M.set_query(existing, query)
    end
  else
    M.pending_query = M.pending_query or {}
    M.pending_query[key] = query
    vim.cmd("edit " .. vim.fn.fnameescape(name))
    M.pending_query[key] = nil
  end
  vim.cmd("setlocal nowrap")
  return vim.api.nvim_get_current_buf()
end

function M.detach(buf)
  M.state[buf] = nil
end

M.write = function(buf)
  return require("sdndb.save").write(buf)
end

return M
