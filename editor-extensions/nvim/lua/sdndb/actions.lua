-- What a table buffer offers besides editing: keymaps, highlighting, the header kept visible,
-- completion of field values, a new record from a template, status changes, gf to file:line.
local config = require("sdndb.config")
local format = require("sdndb.format")

local M = {}

local function view()
  return require("sdndb.view")
end

local notify = require("sdndb.util").notify

-- Highlight groups (linked, so colour schemes style them; `default` lets users override).
local links = {
  SdndbHeader = "Title",
  SdndbSeparator = "NonText",
  SdndbId = "Identifier",
  SdndbQuery = "Comment",
  SdndbShortened = "Comment",
  SdndbStatusOpen = "DiagnosticWarn",
  SdndbStatusProgress = "DiagnosticInfo",
  SdndbStatusBlocked = "DiagnosticError",
  SdndbStatusDone = "Comment",
  SdndbPriorityHigh = "DiagnosticError",
  SdndbPriorityMedium = "DiagnosticWarn",
  SdndbPriorityLow = "Comment",
  SdndbGhost = "DiagnosticWarn",
}
for group, target in pairs(links) do
  vim.api.nvim_set_hl(0, group, { link = target, default = true })
end

local status_groups = {
  open = "SdndbStatusOpen",
  todo = "SdndbStatusOpen",
  ["in-progress"] = "SdndbStatusProgress",
  in_progress = "SdndbStatusProgress",
  active = "SdndbStatusProgress",
  blocked = "SdndbStatusBlocked",
  closed = "SdndbStatusDone",
  done = "SdndbStatusDone",
  fixed = "SdndbStatusDone",
  wontfix = "SdndbStatusDone",
}

local function priority_group(v)
  local n = tonumber(v:match("^[Pp](%d)$") or "")
  if n then
    return n <= 0 and "SdndbPriorityHigh" or (n == 1 and "SdndbPriorityMedium" or (n >= 3 and "SdndbPriorityLow" or nil))
  end
  local l = v:lower()
  if l == "critical" or l == "high" then
    return "SdndbPriorityHigh"
  elseif l == "medium" then
    return "SdndbPriorityMedium"
  elseif l == "low" then
    return "SdndbPriorityLow"
  end
end

---Highlights of one line of a table buffer: { {start col, end col, group} } (0-based bytes).
function M.line_highlights(buf, lnum, line)
  local st = view().state[buf]
  if not st or not st.columns then
    return {}
  end
  local sep = config.get().separator
  local out = {}
  if lnum == 1 then
    out[1] = { 0, #line, "SdndbHeader" }
  end
  local cells = format.split(line, sep)
  local col = 0
  for i, raw in ipairs(cells) do
    local name = st.columns[i]
    local lead = #(raw:match("^%s*"))
    local text = vim.trim(raw)
    local s, e = col + lead, col + lead + #text
    if lnum > 1 and text ~= "" then
      local group
      if i == 1 then
        group = st.ghosts[format.unescape(raw, sep)] and "SdndbGhost" or "SdndbId"
      elseif name == "status" or name == "state" then
        group = status_groups[text:lower()]
      elseif name == "priority" or name == "severity" then
        group = priority_group(text)
      end
      if group then
        out[#out + 1] = { s, e, group }
      end
      if text:sub(-#format.marker) == format.marker and st.shortened[vim.trim(format.unescape(cells[1], sep))] then
        out[#out + 1] = { e - #format.marker, e, "SdndbShortened" }
      end
    end
    col = col + #raw
    if i < #cells then
      out[#out + 1] = { col, col + #sep, "SdndbSeparator" }
      col = col + #sep
    end
  end
  return out
end

-- Only the lines on screen are highlighted, when they are drawn (fast on any size).
local provider_ns = vim.api.nvim_create_namespace("sdndb_decor")
local check_winbars -- defined with the header below
vim.api.nvim_set_decoration_provider(provider_ns, {
  on_win = function(_, _, buf)
    return view().state[buf] ~= nil and view().state[buf].columns ~= nil
  end,
  on_end = function()
    check_winbars()
  end,
  on_line = function(_, _, buf, row)
    local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]
    if not line then
      return
    end
    for _, h in ipairs(M.line_highlights(buf, row + 1, line)) do
      pcall(vim.api.nvim_buf_set_extmark, buf, provider_ns, row, h[1], {
        end_col = h[2],
        hl_group = h[3],
        ephemeral = true,
      })
    end
  end,
})

-- The header stays visible: the window bar where Neovim has one (0.8+), else a one-line
-- floating window over the top line while line 1 is scrolled away. Both start after the number
-- and sign columns (textoff), so the column names stay above their columns.
local floats = {} -- win -> { win = float, buf = float buffer }
local has_winbar = vim.fn.has("nvim-0.8") == 1
local bar_textoff = {} -- win -> the textoff its window bar was last drawn with

-- Cuts s to at most `cells` display cells.
local function fit(s, cells)
  s = vim.fn.strcharpart(s, 0, math.max(0, cells))
  while vim.fn.strdisplaywidth(s) > cells do
    s = vim.fn.strcharpart(s, 0, vim.fn.strchars(s) - 1)
  end
  return s
end

-- Line 1 as the window shows it (scrolled by leftcol, cut to the text area's width), the
-- width of the number/sign columns before it and the width of the text area.
local function header_text(buf, win)
  local line = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1] or ""
  local leftcol = vim.api.nvim_win_call(win, function()
    return vim.fn.winsaveview().leftcol
  end)
  local info = vim.fn.getwininfo(win)[1]
  local room = math.max(0, info.width - info.textoff)
  return fit(vim.fn.strcharpart(line, leftcol), room), info.textoff, room
end

-- The filter/sort/count note shown after the header line (view.ns_head's virtual text).
function M.header_note(buf)
  local marks = vim.api.nvim_buf_get_extmarks(buf, view().ns_head, 0, 0, { details = true })
  local text = ""
  for _, m in ipairs(marks) do
    for _, chunk in ipairs(m[4].virt_text or {}) do
      text = text .. chunk[1]
    end
  end
  return text
end

---The window bar of a table window (Neovim 0.8+): evaluated by Neovim at every redraw through
---%{%...%}, in the context of the window it belongs to, so it follows horizontal scrolling, the
---number/sign columns and every change of line 1 without autocommands. Statusline syntax.
function M.winbar()
  local win = vim.api.nvim_get_current_win()
  local buf = vim.api.nvim_win_get_buf(win)
  local st = view().state[buf]
  if not st or not st.columns then
    return ""
  end
  local text, textoff, room = header_text(buf, win)
  bar_textoff[win] = textoff
  -- The note where line 1 leaves room, as on line 1 itself: Neovim would cut a too long bar at
  -- its start, moving the column names away from their columns.
  local note = fit(M.header_note(buf), room - vim.fn.strdisplaywidth(text))
  local escape = function(s)
    return (s:gsub("%%", "%%%%"))
  end
  return "%#SdndbHeader#" .. string.rep(" ", textoff) .. escape(text) .. "%#SdndbQuery#" .. escape(note)
end

---The textoff the window bar of win was last drawn with (nil: not drawn), for tests.
function M.winbar_textoff(win)
  return bar_textoff[win]
end

-- Neovim redraws a window bar on its own when line 1 changes or the cursor moves, not when the
-- sign or number column changes width (a conflict's sign appears): called at the end of each
-- redraw (when the columns' widths are known), this redraws the bars drawn with an outdated one.
check_winbars = function()
  for win, drawn in pairs(bar_textoff) do
    local info = vim.api.nvim_win_is_valid(win) and vim.fn.getwininfo(win)[1]
    if not info then
      bar_textoff[win] = nil
    elseif info.textoff ~= drawn then
      bar_textoff[win] = nil -- one redraw per change
      vim.schedule(function()
        if vim.api.nvim_win_is_valid(win) then
          vim.api.nvim_win_call(win, function()
            vim.cmd("redrawstatus")
          end)
        end
      end)
    end
  end
end

-- :setlocal (not vim.wo, which acts like :set before 0.10): the bar stays with this buffer in
-- this window and does not follow the window to the next file edited in it.
local winbar_expr = "%{%v:lua.require'sdndb.actions'.winbar()%}"

function M.update_header(win)
  win = win or vim.api.nvim_get_current_win()
  if not vim.api.nvim_win_is_valid(win) then
    return
  end
  local buf = vim.api.nvim_win_get_buf(win)
  local st = view().state[buf]
  if has_winbar then
    if st and vim.wo[win].winbar ~= winbar_expr then
      vim.api.nvim_win_call(win, function()
        vim.cmd("setlocal winbar=" .. winbar_expr)
      end)
    end
    return
  end
  local f = floats[win]
  local top = vim.api.nvim_win_call(win, function()
    return vim.fn.line("w0")
  end)
  if not st or not st.columns or top <= 1 then
    if f then
      pcall(vim.api.nvim_win_close, f.win, true)
      floats[win] = nil
    end
    return
  end
  local text, textoff = header_text(buf, win)
  local place = {
    relative = "win",
    win = win,
    row = 0,
    col = textoff,
    width = math.max(1, vim.api.nvim_win_get_width(win) - textoff),
    height = 1,
  }
  if f and vim.api.nvim_win_is_valid(f.win) then
    vim.api.nvim_win_set_config(f.win, place)
  else
    local fb = vim.api.nvim_create_buf(false, true)
    local fw = vim.api.nvim_open_win(fb, false, vim.tbl_extend("force", place, {
      focusable = false,
      style = "minimal",
      noautocmd = true,
    }))
    vim.wo[fw].winhighlight = "Normal:SdndbHeader"
    f = { win = fw, buf = fb }
    floats[win] = f
  end
  vim.api.nvim_buf_set_lines(f.buf, 0, -1, false, { text })
end

---The header float of a window (Neovim < 0.8), for tests.
function M.header_float(win)
  local f = floats[win or vim.api.nvim_get_current_win()]
  return f and vim.api.nvim_win_is_valid(f.win) and f.win or nil
end

-- The column index under a byte column of a line.
local function column_at(line, col)
  local sep = config.get().separator
  local cells = format.split(line, sep)
  local pos = 0
  for i, raw in ipairs(cells) do
    pos = pos + #raw
    if col < pos or i == #cells then
      return i, cells
    end
    pos = pos + #sep
  end
  return #cells, cells
end

---Completion of field values from the values the column already holds ('omnifunc').
function M.omnifunc(findstart, base)
  local buf = vim.api.nvim_get_current_buf()
  local st = view().state[buf]
  local line = vim.api.nvim_get_current_line()
  local col = vim.api.nvim_win_get_cursor(0)[2]
  if findstart == 1 then
    if not st then
      return -3
    end
    local before = line:sub(1, col)
    local sep = config.get().separator
    local start = 0
    local i = 1
    while true do
      local a, b = before:find(sep, i, true)
      if not a then
        break
      end
      start, i = b, b + 1
    end
    while before:sub(start + 1, start + 1) == " " do
      start = start + 1
    end
    return start
  end
  if not st then
    return {}
  end
  local idx = column_at(line, math.max(0, col - 1))
  local name = st.columns[idx]
  local out = {}
  for _, v in ipairs(M.values_for(buf, name)) do
    if v:sub(1, #base) == base then
      out[#out + 1] = { word = format.escape(v, config.get().separator), menu = "[" .. name .. "]" }
    end
  end
  return out
end
_G.sdndb_omnifunc = M.omnifunc

---Values offered for a column: the status list for `status`, then what the column holds.
function M.values_for(buf, column)
  local out, seen = {}, {}
  local function add(v)
    if not seen[v] then
      seen[v] = true
      out[#out + 1] = v
    end
  end
  for _, v in ipairs(view().values_of(buf, column)) do
    add(v)
  end
  if column == "status" then
    for _, v in ipairs(config.get().statuses) do
      add(v)
    end
  end
  return out
end

---Adds a line for a new record (empty id: the server chooses it) from the template, below the
---cursor line (or at the end), and puts the cursor in its first empty cell.
function M.add_record(buf)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local st = view().state[buf]
  if not st or not st.columns then
    return notify("not an sdndb table buffer", vim.log.levels.WARN)
  end
  local tmpl = config.get().template or {}
  local fields = {}
  for k, v in pairs(tmpl) do
    fields[k] = tostring(v)
  end
  for k, v in pairs(st.query.where or {}) do
    fields[k] = v -- a new record in a filtered view matches the filter
  end
  local line = format.render_row(st.columns, { id = "", fields = fields }, st.widths, config.get().separator, 0)
  local win = vim.fn.bufwinid(buf)
  local at = vim.api.nvim_buf_line_count(buf)
  if win ~= -1 then
    at = math.max(1, vim.api.nvim_win_get_cursor(win)[1])
  end
  vim.api.nvim_buf_set_lines(buf, at, at, false, { line })
  if win ~= -1 then
    local s = config.get().separator
    local first = line:find(s, 1, true)
    vim.api.nvim_win_set_cursor(win, { at + 1, first and (first + #s) or 0 })
  end
  return at + 1
end

-- The cell of `column` on a line replaced by value.
local function set_cell(buf, lnum, column, value)
  local st = view().state[buf]
  local sep = config.get().separator
  local line = vim.api.nvim_buf_get_lines(buf, lnum - 1, lnum, false)[1]
  local cells = format.split(line, sep)
  for i, c in ipairs(st.columns) do
    if c == column and cells[i] then
      local old = cells[i]
      local new = " " .. format.escape(value, sep)
      if i < #cells then
        new = new .. string.rep(" ", math.max(1, #old - #new))
      end
      cells[i] = new
      vim.api.nvim_buf_set_lines(buf, lnum - 1, lnum, false, { table.concat(cells, sep) })
      return true
    end
  end
  return false
end

-- The buffer, state, line number and {column = value} of the record line under the cursor, or
-- nil after telling the user there is none.
local function record_at_cursor()
  local buf = vim.api.nvim_get_current_buf()
  local st = view().state[buf]
  local lnum = vim.api.nvim_win_get_cursor(0)[1]
  if not st or not st.columns or lnum < 2 then
    return notify("no record on this line", vim.log.levels.WARN)
  end
  local sep = config.get().separator
  local cells = format.split(vim.api.nvim_get_current_line(), sep)
  local f = {}
  for i, c in ipairs(st.columns) do
    f[c] = format.unescape(cells[i] or "", sep)
  end
  return buf, st, lnum, f
end

---Sets (value given) or cycles (value nil) the status of the record on the cursor line.
---The change is an ordinary edit: :w writes it.
function M.set_status(value)
  local buf, st, lnum, f = record_at_cursor()
  if not buf then
    return
  end
  if not vim.tbl_contains(st.columns, "status") then
    return notify(st.key .. " has no status column", vim.log.levels.WARN)
  end
  local cur = f.status
  if not value then
    local list = config.get().statuses
    value = list[1]
    for i, v in ipairs(list) do
      if v == cur then
        value = list[i % #list + 1]
      end
    end
  end
  set_cell(buf, lnum, "status", value)
end

---gf on a record with `file` (and `line`) fields: opens the file at that line. Paths are
---relative to the database folder.
function M.goto_file()
  local buf, _, _, f = record_at_cursor()
  if not buf then
    return
  end
  local file = f.file or f.path
  if not file or file == "" then
    return notify("this record has no file", vim.log.levels.WARN)
  end
  local l = tonumber(f.line or "")
  if not l then
    local a, b = file:match("^(.-):(%d+)$")
    if a then
      file, l = a, tonumber(b)
    end
  end
  local root = (require("sdndb.server").info or {}).root or config.get().dir or vim.fn.getcwd()
  if not file:match("^/") then
    file = root .. "/" .. file
  end
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  if l then
    pcall(vim.api.nvim_win_set_cursor, 0, { math.max(1, l), 0 })
  end
end

local function map(buf, lhs, fn, desc)
  if lhs and lhs ~= "" then
    vim.keymap.set("n", lhs, fn, { buffer = buf, silent = true, desc = desc })
  end
end

---Keymaps and autocommands of a table buffer.
function M.attach(buf)
  local km = config.get().keymaps
  if km then
    local conflicts = require("sdndb.conflicts")
    map(buf, km.resolve, function()
      conflicts.resolve_at_cursor()
    end, "sdndb: resolve the conflict on this line")
    map(buf, km.diff, function()
      conflicts.diff_at_cursor()
    end, "sdndb: side-by-side view of the conflict on this line")
    map(buf, km.refresh, function()
      view().refresh(buf, false)
    end, "sdndb: reload from the database")
    map(buf, km.conflicts, function()
      local st = view().state[buf]
      conflicts.quickfix(st and st.db)
    end, "sdndb: conflicts in the quickfix list")
    map(buf, km.next_conflict, function()
      conflicts.jump(1)
    end, "sdndb: next conflict")
    map(buf, km.prev_conflict, function()
      conflicts.jump(-1)
    end, "sdndb: previous conflict")
    map(buf, km.open_record, function()
      require("sdndb.record").open_at_cursor()
    end, "sdndb: open the record view of this line")
    map(buf, km.add, function()
      M.add_record(buf)
    end, "sdndb: add a record from the template")
    map(buf, km.cycle_status, function()
      M.set_status(nil)
    end, "sdndb: next status")
    map(buf, km.goto_file, function()
      M.goto_file()
    end, "sdndb: go to the record's file:line")
  end
  local group = vim.api.nvim_create_augroup("sdndb_buf_" .. buf, { clear = true })
  vim.api.nvim_create_autocmd({ "BufWinEnter", "WinScrolled", "CursorMoved", "TextChanged" }, {
    group = group,
    buffer = buf,
    callback = function()
      M.update_header(vim.api.nvim_get_current_win())
    end,
  })
  vim.api.nvim_create_autocmd({ "BufWinLeave", "BufWipeout" }, {
    group = group,
    buffer = buf,
    callback = function()
      for w, f in pairs(floats) do
        if not vim.api.nvim_win_is_valid(w) or vim.api.nvim_win_get_buf(w) == buf then
          pcall(vim.api.nvim_win_close, f.win, true)
          floats[w] = nil
        end
      end
    end,
  })
end

return M
